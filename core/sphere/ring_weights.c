/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HEALPix ring weights, as HEALPix 1.3's QUAD_RING computed the tables healpy-data ships
 * (weight_ring_n*.fits) and healpy's map2alm(use_weights=True) reads.
 *
 * The plain HEALPix quadrature 4 pi/npix sum_p f(p) integrates no P_l (l > 0) exactly.
 * With ring r (r = 1..2 NSIDE, the north half and the equator; the south mirrors it)
 * weighted by 1 + d_r instead, the rule becomes exact for every axisymmetric f of even
 * degree <= lmax (the odd ones vanish on the symmetric grid anyway):
 *
 *     4 pi/npix sum_r W_r (1 + d_r) P_l(z_r) = 4 pi delta_l0,  l = 0, 2, ..., lmax,
 *
 * with W_r the pixels of ring r and its mirror. lmax/2 + 1 equations in 2 NSIDE
 * unknowns: of the solutions, HEALPix took the one of least sum_r (W_r d_r)^2, the
 * smallest change of the total weight per ring. Its tables are reproduced to rounding
 * with x_r = W_r d_r the minimum-norm solution of sum_r P_l(z_r) x_r = npix delta_l0 -
 * sum_r W_r P_l(z_r) (checked against every table in tests/test-ring-weights.c). The
 * system is solved by LAPACK's QR-based least squares (dgels). */
#include "sphaera/ring_geometry.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

#include "sphaera/mem.h"

/* The lmax HEALPix 1.3 used for its tables, by NSIDE. */
static const struct {
  int64_t nside;
  int lmax;
} table_lmax[] = {
  {2, 2},       {4, 8},       {8, 24},      {16, 48},    {32, 100},
  {64, 226},    {128, 454},   {256, 768},   {512, 1700}, {1024, 3500},
  {2048, 6144}, {4096, 12288}, {8192, 24576},
};

int sph_healpix_ring_weights_lmax(int64_t nside)
{
  for (size_t i = 0; i < sizeof table_lmax / sizeof table_lmax[0]; i++)
    if (table_lmax[i].nside == nside)
      return table_lmax[i].lmax;
  /* Elsewhere 3 NSIDE (what the tables use at NSIDE >= 2048), even and within the
   * 4 NSIDE - 2 the unknowns allow. */
  int64_t lmax = 3 * nside < 4 * nside - 2 ? 3 * nside : 4 * nside - 2;
  return (int)(lmax & ~(int64_t)1);
}

SphStatus sph_healpix_ring_weights(int64_t nside, int lmax, double *dweight, SphError *err)
{
  if (nside < 1 || nside > 8192)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "HEALPix ring weights: NSIDE=%lld is out of range [1, 8192]",
                         (long long)nside);
  if (dweight == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "HEALPix ring weights: no output array given");
  if (lmax < 0)
    lmax = sph_healpix_ring_weights_lmax(nside);
  const int n = (int)(2 * nside);
  const int neq = lmax / 2 + 1;
  if (neq > n)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "HEALPix ring weights: lmax=%d needs %d conditions but NSIDE=%lld has "
                         "only %d rings to weight (lmax <= %lld)",
                         lmax, neq, (long long)nside, n, (long long)(4 * nside - 2));
  /* Column-major n x neq: column k holds P_2k at every ring (the transposed system). */
  double *a = sph_alloc_aligned((size_t)n * neq, sizeof(double), err);
  double *x = sph_alloc_aligned((size_t)n, sizeof(double), err);
  double *pixels = malloc((size_t)n * sizeof *pixels);
  if (a == NULL || x == NULL || pixels == NULL) {
    sph_free_aligned(a);
    sph_free_aligned(x);
    free(pixels);
    return sph_error_set(err, SPH_ERR_NOMEM,
                         "HEALPix ring weights: out of memory for %d x %d conditions at NSIDE=%lld",
                         neq, n, (long long)nside);
  }
  const double ns = (double)nside;
  for (int r = 0; r < n; r++) {
    int64_t i = r + 1;
    double z = i < nside ? 1.0 - (double)(i * i) / (3.0 * ns * ns)
                         : (4.0 * ns - 2.0 * (double)i) / (3.0 * ns);
    pixels[r] = (double)(i < nside ? 4 * i : 4 * nside) * (i == 2 * nside ? 1.0 : 2.0);
    double p0 = 1.0, p1 = z;
    a[r] = 1.0;
    for (int l = 1; l <= 2 * (neq - 1); l++) {
      if (l % 2 == 0)
        a[r + (size_t)n * (l / 2)] = p1;
      double p2 = ((2.0 * l + 1.0) * z * p1 - l * p0) / (l + 1.0);
      p0 = p1;
      p1 = p2;
    }
  }
  for (int k = 0; k < n; k++)
    x[k] = 0.0;
  for (int k = 0; k < neq; k++) {
    double sum = 0.0;
    for (int r = 0; r < n; r++)
      sum += pixels[r] * a[r + (size_t)n * k];
    x[k] = (k == 0 ? 12.0 * ns * ns : 0.0) - sum;
  }
  lapack_int info = LAPACKE_dgels(LAPACK_COL_MAJOR, 'T', n, neq, 1, a, n, x, n);
  SphStatus st = SPH_OK;
  if (info != 0)
    st = sph_error_set(err, SPH_ERR_INVALID,
                       "HEALPix ring weights: the conditions up to lmax=%d at NSIDE=%lld are "
                       "degenerate (LAPACK dgels info=%d); choose a smaller lmax",
                       lmax, (long long)nside, (int)info);
  else
    for (int r = 0; r < n; r++)
      dweight[r] = x[r] / pixels[r];
  sph_free_aligned(a);
  sph_free_aligned(x);
  free(pixels);
  return st;
}
