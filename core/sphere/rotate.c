/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Rotation of alm through Wigner D (healpy's rotate_alm) and of maps through their alm
 * (healpy's Rotator.rotate_map_alms). */
#include <complex.h>
#include <math.h>

#include "sphaera/coords.h"
#include "sphaera/fields.h"
#include "sphaera/mem.h"
#include "sphaera/rotate.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SPH_ROTATE_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SPH_ROTATE_CLONES
#endif

typedef double SphRvec __attribute__((vector_size(4 * sizeof(double))));
/* The same, at any address (8-byte aligned). */
typedef double SphRvecU __attribute__((vector_size(4 * sizeof(double)), aligned(8), may_alias));
#define rload(p) (*(const SphRvecU *)(p))

/* re = sum_k d[k] x[k], im = sum_k d[k] y[k], four terms at a time (the sums of a row of
 * Wigner d with the alm, the bulk of applying a rotation). */
SPH_ROTATE_CLONES
static void dot2(const double *restrict d, const double *restrict x, const double *restrict y,
                 size_t n, double *re, double *im)
{
  SphRvec sr = { 0 }, si = { 0 };
  size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    SphRvec dk = rload(d + k);
    sr += dk * rload(x + k);
    si += dk * rload(y + k);
  }
  double r = sr[0] + sr[1] + sr[2] + sr[3], i = si[0] + si[1] + si[2] + si[3];
  for (; k < n; k++) {
    r += d[k] * x[k];
    i += d[k] * y[k];
  }
  *re = r;
  *im = i;
}

SphStatus sph_rotate_alms(SphAlm *const *alm, int nalm, double psi, double theta, double phi,
                          SphError *err)
{
  if (alm == NULL || nalm < 1 || alm[0] == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "rotate_alm: no alm given");
  int lmax = alm[0]->lmax;
  for (int k = 0; k < nalm; k++) {
    if (alm[k] == NULL || alm[k]->lmax != lmax)
      return sph_error_set(err, SPH_ERR_INVALID, "rotate_alm: the alm sets differ in lmax");
    if (alm[k]->mmax != lmax)
      return sph_error_set(err, SPH_ERR_INVALID,
                           "rotate_alm: needs mmax = lmax (as healpy), got lmax=%d, mmax=%d",
                           lmax, alm[k]->mmax);
  }
  if (!isfinite(psi) || !isfinite(theta) || !isfinite(phi))
    return sph_error_set(err, SPH_ERR_INVALID, "rotate_alm: the Euler angles must be finite");
  SphWignerRisbo *w = sph_wigner_risbo_new(lmax, theta, err);
  if (w == NULL)
    return err != NULL ? err->code : SPH_ERR_NOMEM;
  size_t dim = 2 * (size_t)lmax + 1;
  double *b = sph_alloc_aligned(2 * dim * (size_t)nalm, sizeof *b, err);
  double _Complex *e_psi = sph_alloc_aligned((size_t)lmax + 1, sizeof *e_psi, err);
  double _Complex *e_phi = sph_alloc_aligned((size_t)lmax + 1, sizeof *e_phi, err);
  if (b == NULL || e_psi == NULL || e_phi == NULL) {
    sph_free_aligned(b);
    sph_free_aligned(e_psi);
    sph_free_aligned(e_phi);
    sph_wigner_risbo_free(w);
    return SPH_ERR_NOMEM;
  }
  for (int m = 0; m <= lmax; m++) {
    e_psi[m] = cos(m * psi) - I * sin(m * psi);
    e_phi[m] = cos(m * phi) - I * sin(m * phi);
  }
  const double *d;
  int l;
  while ((d = sph_wigner_risbo_next_upper(w, &l)) != NULL) {
    size_t stride = 2 * (size_t)l + 1;
    /* b_m' = exp(-i m' psi) a_lm' for m' = -l..l, with a_l,-m = (-1)^m conj(a_lm) for a
     * real field, stored reversed (k = l - m') as real and imaginary rows so the sums
     * below run forwards along a row of d. */
    for (int f = 0; f < nalm; f++) {
      double *bre = b + (size_t)f * 2 * dim, *bim = bre + dim;
      for (int m = 0; m <= l; m++) {
        double _Complex a = alm[f]->values[sph_alm_index(lmax, l, m)];
        if (m == 0)
          a = creal(a);
        double _Complex v = e_psi[m] * a;
        double sign = (m & 1) ? -1.0 : 1.0;
        bre[l - m] = creal(v);
        bim[l - m] = cimag(v);
        bre[l + m] = sign * creal(v);
        bim[l + m] = -sign * cimag(v);
      }
    }
    for (int m = 0; m <= l; m++) {
      const double *row = d + (size_t)(l - m) * stride; /* row[l - m'] = d^l_mm' */
      for (int f = 0; f < nalm; f++) {
        const double *bre = b + (size_t)f * 2 * dim;
        double re, im;
        dot2(row, bre, bre + dim, stride, &re, &im);
        double _Complex v = e_phi[m] * (re + I * im);
        alm[f]->values[sph_alm_index(lmax, l, m)] = m == 0 ? creal(v) : v;
      }
    }
  }
  sph_free_aligned(b);
  sph_free_aligned(e_psi);
  sph_free_aligned(e_phi);
  sph_wigner_risbo_free(w);
  return SPH_OK;
}

SphStatus sph_rotate_alm(SphAlm *alm, double psi, double theta, double phi, SphError *err)
{
  return sph_rotate_alms(&alm, 1, psi, theta, phi, err);
}

void sph_rotation_to_euler_zyz(const double m[3][3], double *psi, double *theta, double *phi)
{
  double s = hypot(m[0][2], m[1][2]);
  *theta = atan2(s, m[2][2]);
  if (s > 1e-15) {
    *psi = atan2(m[2][1], -m[2][0]);
    *phi = atan2(m[1][2], m[0][2]);
  } else if (m[2][2] > 0) {
    *psi = 0.0;
    *phi = atan2(m[1][0], m[0][0]);
  } else {
    *psi = 0.0;
    *phi = atan2(-m[1][0], -m[0][0]);
  }
}

SphMap *sph_rotate_map_alms(const SphMap *map, double psi, double theta, double phi, int lmax,
                            int iterations, bool pol, SphJob *job, SphError *err)
{
  if (lmax < 0)
    lmax = (int)(3 * map->nside - 1);
  if (pol && map->nfields < 3) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "rotation: polarisation needs I, Q, U fields, the map has %d", map->nfields);
    return NULL;
  }
  SphMap *out = sph_map_copy(map, err);
  if (out == NULL)
    return NULL;
  if (sph_map_reorder(out, SPH_ORDER_RING, err) != SPH_OK) {
    sph_map_free(out);
    return NULL;
  }
  SphRingGeometry *g = sph_ring_geometry_healpix(map->nside, err);
  SphShtPlan *plan = g != NULL ? sph_sht_plan_new(g, lmax, lmax, SPH_SHT_DEFAULT, err) : NULL;
  sph_ring_geometry_free(g);
  if (plan == NULL) {
    sph_error_prefix(err, "rotation");
    sph_map_free(out);
    return NULL;
  }
  SphStatus st = SPH_OK;
  for (int f = 0; f < out->nfields && st == SPH_OK;) {
    int n = pol && f == 0 ? 3 : 1;
    SphAlm *alm[3] = { NULL, NULL, NULL };
    double *maps[3];
    for (int k = 0; k < n && st == SPH_OK; k++) {
      alm[k] = sph_alm_new(lmax, lmax, err);
      st = alm[k] != NULL ? SPH_OK : SPH_ERR_NOMEM;
      maps[k] = out->fields[f + k].values;
    }
    SphShtIterOptions opt = SPH_SHT_ITER_DEFAULT;
    opt.iterations = iterations;
    if (st == SPH_OK)
      st = sph_fields_map2alm(plan, n, (const double *const *)maps, alm, &opt, job, err);
    if (st == SPH_OK)
      st = sph_rotate_alms(alm, n, psi, theta, phi, err);
    if (st == SPH_OK)
      st = sph_fields_alm2map(plan, n, (const SphAlm *const *)alm, maps, job, err);
    if (st != SPH_OK)
      sph_error_prefix(err, "rotating field %d", f + 1);
    for (int k = 0; k < n; k++)
      sph_alm_free(alm[k]);
    f += n;
  }
  sph_sht_plan_free(plan);
  if (st != SPH_OK) {
    sph_map_free(out);
    return NULL;
  }
  return out;
}

SphMap *sph_rotate_map_frame(const SphMap *map, SphCoordSys to, int lmax, int iterations,
                             bool pol, SphJob *job, SphError *err)
{
  if (map->coordsys == SPH_COORD_UNKNOWN || to == SPH_COORD_UNKNOWN) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "frame rotation: the map's frame (COORDSYS) and the target frame must both "
                  "be G, C or E");
    return NULL;
  }
  double psi, theta, phi;
  sph_coord_euler_zyz(map->coordsys, to, &psi, &theta, &phi);
  SphMap *out = sph_rotate_map_alms(map, psi, theta, phi, lmax, iterations, pol, job, err);
  if (out != NULL)
    out->coordsys = to;
  return out;
}
