/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Angular power spectra: healpy's alm2cl, monopole/dipole removal and anafast. */
#include <complex.h>
#include <math.h>
#include <string.h>

#include "sphaera/fields.h"
#include "sphaera/healpix.h"
#include "sphaera/mem.h"
#include "sphaera/power_spectrum.h"
#include "sphaera/ring_geometry.h"
#include "sphaera/sht.h"

SphStatus sph_alm2cl(const SphAlm *a, const SphAlm *b, int lmax_out, double *cl, SphError *err)
{
  if (b == NULL)
    b = a;
  if (a->lmax != b->lmax || a->mmax != b->mmax)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "alm2cl: the alm differ in lmax/mmax (%d/%d and %d/%d)", a->lmax,
                         a->mmax, b->lmax, b->mmax);
  if (lmax_out < 0)
    lmax_out = a->lmax;
  int lmax = a->lmax;
  for (int l = 0; l <= lmax_out; l++)
    cl[l] = 0.0;
  int ltop = lmax < lmax_out ? lmax : lmax_out;
  for (int m = 0; m <= a->mmax; m++) {
    double w = m == 0 ? 1.0 : 2.0;
    int64_t base = sph_alm_index(lmax, 0, m);
    for (int l = m; l <= ltop; l++) {
      double _Complex x = a->values[base + l], y = b->values[base + l];
      cl[l] += w * (creal(x) * creal(y) + cimag(x) * cimag(y));
    }
  }
  for (int l = 0; l <= ltop; l++)
    cl[l] /= 2.0 * l + 1.0;
  return SPH_OK;
}

SphSpectra *sph_alm2cl_fields(const SphAlm *const *a, const SphAlm *const *b, int nalm,
                              int lmax_out, SphError *err)
{
  if (nalm != 1 && nalm != 3) {
    sph_error_set(err, SPH_ERR_INVALID, "alm2cl: need 1 or 3 alm, got %d", nalm);
    return NULL;
  }
  if (b == NULL)
    b = a;
  if (lmax_out < 0)
    lmax_out = a[0]->lmax;
  SphSpectra *s = sph_spectra_new(lmax_out, nalm == 1 ? 1 : 6, err);
  if (s == NULL)
    return NULL;
  /* healpy's order: the diagonal, then T x E, E x B, then T x B. */
  static const int pair[6][2] = { { 0, 0 }, { 1, 1 }, { 2, 2 }, { 0, 1 }, { 1, 2 }, { 0, 2 } };
  for (int k = 0; k < s->ncomp; k++)
    if (sph_alm2cl(a[pair[k][0]], b[pair[k][1]], lmax_out, s->cl[k], err) != SPH_OK) {
      sph_spectra_free(s);
      return NULL;
    }
  return s;
}

/* Solves the n x n system (n <= 4) by Gaussian elimination with partial pivoting;
 * false when it is singular to working precision. */
static bool solve_small(int n, double a[4][4], double b[4])
{
  double scale = 0;
  for (int i = 0; i < n; i++)
    scale = fmax(scale, fabs(a[i][i]));
  for (int c = 0; c < n; c++) {
    int p = c;
    for (int r = c + 1; r < n; r++)
      if (fabs(a[r][c]) > fabs(a[p][c]))
        p = r;
    if (!(fabs(a[p][c]) > 1e-12 * scale))
      return false;
    if (p != c) {
      for (int k = 0; k < n; k++) {
        double t = a[c][k];
        a[c][k] = a[p][k];
        a[p][k] = t;
      }
      double t = b[c];
      b[c] = b[p];
      b[p] = t;
    }
    for (int r = c + 1; r < n; r++) {
      double f = a[r][c] / a[c][c];
      for (int k = c; k < n; k++)
        a[r][k] -= f * a[c][k];
      b[r] -= f * b[c];
    }
  }
  for (int r = n - 1; r >= 0; r--) {
    double s = b[r];
    for (int k = r + 1; k < n; k++)
      s -= a[r][k] * b[k];
    b[r] = s / a[r][r];
  }
  return true;
}

static void pixel_vector(int64_t nside, SphOrdering ordering, int64_t p, double v[3])
{
  if (ordering == SPH_ORDER_NEST)
    sph_hp_pix2vec_nest(nside, p, v);
  else
    sph_hp_pix2vec_ring(nside, p, v);
}

SphStatus sph_remove_multipoles(int64_t nside, SphOrdering ordering, double *values,
                                const double *weight, int degree, double coeffs[4],
                                SphError *err)
{
  if (degree != 0 && degree != 1)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "multipole removal: degree must be 0 (monopole) or 1 (dipole), got %d",
                         degree);
  int64_t npix = sph_hp_nside2npix(nside);
  int n = degree == 0 ? 1 : 4;
  double a[4][4] = { { 0 } }, b[4] = { 0 };
  int64_t nfit = 0;
  for (int64_t p = 0; p < npix; p++) {
    if (sph_hp_is_unseen(values[p]) ||
        (weight != NULL && (weight[p] == 0 || sph_hp_is_unseen(weight[p]))))
      continue;
    double f[4] = { 1, 0, 0, 0 };
    if (n == 4)
      pixel_vector(nside, ordering, p, f + 1);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++)
        a[i][j] += f[i] * f[j];
      b[i] += f[i] * values[p];
    }
    nfit++;
  }
  if (nfit == 0)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "multipole removal: no seen pixel to fit the %s over",
                         degree == 0 ? "monopole" : "dipole");
  if (!solve_small(n, a, b))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "dipole removal: the %lld seen pixels do not determine a dipole",
                         (long long)nfit);
  for (int64_t p = 0; p < npix; p++) {
    if (sph_hp_is_unseen(values[p]))
      continue;
    double f[4] = { 1, 0, 0, 0 };
    if (n == 4)
      pixel_vector(nside, ordering, p, f + 1);
    double fit = 0;
    for (int i = 0; i < n; i++)
      fit += b[i] * f[i];
    values[p] -= fit;
  }
  if (coeffs != NULL)
    for (int i = 0; i < 4; i++)
      coeffs[i] = i < n ? b[i] : 0.0;
  return SPH_OK;
}

/* The fields anafast analyses, RING ordered, with removal and the mask applied. */
static SphMap *prepare(const SphMap *map, const SphMap *mask, SphRemoveMultipoles remove,
                       int nfields, SphError *err)
{
  SphMap *work = sph_map_copy(map, err);
  if (work == NULL)
    return NULL;
  if (sph_map_reorder(work, SPH_ORDER_RING, err) != SPH_OK)
    goto fail;
  SphMap *mring = NULL;
  if (mask != NULL) {
    mring = sph_map_copy(mask, err);
    if (mring == NULL || sph_map_reorder(mring, SPH_ORDER_RING, err) != SPH_OK) {
      sph_map_free(mring);
      goto fail;
    }
  }
  const double *w = mring != NULL ? mring->fields[0].values : NULL;
  SphStatus st = SPH_OK;
  if (remove != SPH_REMOVE_NONE)
    st = sph_remove_multipoles(work->nside, SPH_ORDER_RING, work->fields[0].values, w,
                               (int)remove, NULL, err);
  if (st == SPH_OK && w != NULL) {
    for (int f = 0; f < nfields; f++) {
      double *v = work->fields[f].values;
      for (int64_t p = 0; p < work->npix; p++) {
        bool bad = sph_hp_is_unseen(v[p]) || sph_hp_is_unseen(w[p]);
        v[p] = bad ? 0.0 : v[p] * w[p];
      }
    }
  }
  sph_map_free(mring);
  if (st == SPH_OK)
    return work;
fail:
  sph_map_free(work);
  return NULL;
}

static SphStatus analyse(const SphShtPlan *plan, const SphMap *work, int nfields, int iterations,
                         SphAlm **alm, SphJob *job, SphError *err)
{
  for (int k = 0; k < nfields; k++) {
    alm[k] = sph_alm_new(sph_sht_plan_lmax(plan), -1, err);
    if (alm[k] == NULL)
      return SPH_ERR_NOMEM;
  }
  const double *maps[3];
  for (int k = 0; k < nfields; k++)
    maps[k] = work->fields[k].values;
  SphShtIterOptions opt = SPH_SHT_ITER_DEFAULT;
  opt.iterations = iterations;
  return sph_fields_map2alm(plan, nfields, maps, alm, &opt, job, err);
}

SphSpectra *sph_anafast(const SphMap *map, const SphMap *map2, const SphAnafastOptions *options,
                        SphJob *job, SphError *err)
{
  SphAnafastOptions o = SPH_ANAFAST_DEFAULT;
  if (options != NULL)
    o = *options;
  int nfields = o.pol ? 3 : 1;
  const SphMap *inputs[2] = { map, map2 };
  for (int i = 0; i < 2; i++) {
    const SphMap *m = inputs[i];
    if (m == NULL)
      continue;
    if (m->nfields < nfields) {
      sph_error_set(err, SPH_ERR_INVALID,
                    "anafast: polarisation needs I, Q, U fields, the map has %d", m->nfields);
      return NULL;
    }
    if (m->nside != map->nside) {
      sph_error_set(err, SPH_ERR_INVALID, "anafast: the maps differ in NSIDE (%lld and %lld)",
                    (long long)map->nside, (long long)m->nside);
      return NULL;
    }
  }
  if (o.mask != NULL && o.mask->nside != map->nside) {
    sph_error_set(err, SPH_ERR_INVALID, "anafast: the mask has NSIDE %lld, the map %lld",
                  (long long)o.mask->nside, (long long)map->nside);
    return NULL;
  }
  if (o.iterations < 0) {
    sph_error_set(err, SPH_ERR_INVALID, "anafast: iter must be >= 0, got %d", o.iterations);
    return NULL;
  }
  int lmax = o.lmax >= 0 ? o.lmax : (int)(3 * map->nside - 1);
  SphRingGeometry *g = sph_ring_geometry_healpix(map->nside, err);
  if (g == NULL)
    return NULL;
  SphShtPlan *plan = sph_sht_plan_new(g, lmax, lmax, SPH_SHT_DEFAULT, err);
  sph_ring_geometry_free(g);
  if (plan == NULL) {
    sph_error_prefix(err, "anafast");
    return NULL;
  }
  SphAlm *alm[2][3] = { { NULL } };
  SphSpectra *s = NULL;
  int nmaps = map2 != NULL ? 2 : 1;
  for (int i = 0; i < nmaps; i++) {
    SphMap *work = prepare(inputs[i], o.mask, o.remove, nfields, err);
    if (work == NULL)
      goto out;
    SphStatus st = analyse(plan, work, nfields, o.iterations, alm[i], job, err);
    sph_map_free(work);
    if (st != SPH_OK) {
      sph_error_prefix(err, "anafast");
      goto out;
    }
  }
  s = sph_alm2cl_fields((const SphAlm *const *)alm[0],
                        (const SphAlm *const *)alm[nmaps - 1], nfields, lmax, err);
out:
  for (int i = 0; i < 2; i++)
    for (int k = 0; k < 3; k++)
      sph_alm_free(alm[i][k]);
  sph_sht_plan_free(plan);
  return s;
}
