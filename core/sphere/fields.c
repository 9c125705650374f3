/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fields as healpy makes and filters them: T or T, E, B transforms of maps, Gaussian
 * beams, synalm, synfast and smoothing. */
#include <complex.h>
#include <math.h>
#include <string.h>

#include "sphaera/fields.h"
#include "sphaera/healpix.h"
#include "sphaera/mem.h"
#include "sphaera/rng.h"

static SphStatus check_nfields(int nfields, SphError *err)
{
  if (nfields != 1 && nfields != 3)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "fields: need 1 (T) or 3 (I, Q, U) fields, got %d", nfields);
  return SPH_OK;
}

SphStatus sph_fields_map2alm(const SphShtPlan *plan, int nfields, const double *const *maps,
                             SphAlm *const *alm, SphShtIterOptions *options, SphJob *job,
                             SphError *err)
{
  if (check_nfields(nfields, err) != SPH_OK)
    return err != NULL ? err->code : SPH_ERR_INVALID;
  SphShtIterOptions base = SPH_SHT_ITER_DEFAULT;
  if (options != NULL)
    base = *options;
  SphShtIterOptions opt = base;
  SphStatus st = sph_sht_map2alm_iterative(plan, maps[0], alm[0], &opt, job, err);
  if (st != SPH_OK)
    return st;
  int transforms = opt.transforms;
  double residual = opt.residual;
  if (nfields == 3) {
    opt = base;
    st = sph_sht_map2alm_spin_iterative(plan, 2, maps[1], maps[2], alm[1], alm[2], &opt, job,
                                        err);
    if (st != SPH_OK) {
      sph_error_prefix(err, "polarisation (Q, U)");
      return st;
    }
    transforms += opt.transforms;
    residual = fmax(residual, opt.residual);
  }
  if (options != NULL) {
    options->transforms = transforms;
    options->residual = residual;
  }
  return SPH_OK;
}

SphStatus sph_fields_alm2map(const SphShtPlan *plan, int nfields, const SphAlm *const *alm,
                             double *const *maps, SphJob *job, SphError *err)
{
  if (check_nfields(nfields, err) != SPH_OK)
    return err != NULL ? err->code : SPH_ERR_INVALID;
  SphStatus st = sph_sht_alm2map(plan, alm[0], maps[0], job, err);
  if (st == SPH_OK && nfields == 3)
    st = sph_sht_alm2map_spin(plan, 2, alm[1], alm[2], maps[1], maps[2], job, err);
  return st;
}

void sph_gauss_beam(double fwhm, int lmax, int component, double *bl)
{
  double sigma = fwhm / sqrt(8.0 * log(2.0));
  double s2 = sigma * sigma;
  double factor = component == 1 || component == 2 ? exp(2.0 * s2)
                  : component == 3                 ? exp(s2)
                                                   : 1.0;
  for (int l = 0; l <= lmax; l++)
    bl[l] = exp(-0.5 * (double)l * (l + 1) * s2) * factor;
}

SphStatus sph_smoothalm(SphAlm *const *alm, int nalm, double fwhm, SphError *err)
{
  if (check_nfields(nalm, err) != SPH_OK)
    return err != NULL ? err->code : SPH_ERR_INVALID;
  if (!(fwhm >= 0) || !isfinite(fwhm))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "Gaussian beam: the FWHM must be finite and >= 0, got %g rad", fwhm);
  for (int k = 0; k < nalm; k++) {
    int lmax = alm[k]->lmax;
    double *bl = sph_alloc_aligned((size_t)lmax + 1, sizeof *bl, err);
    if (bl == NULL)
      return SPH_ERR_NOMEM;
    sph_gauss_beam(fwhm, lmax, k, bl);
    sph_almxfl(alm[k], bl, lmax + 1);
    sph_free_aligned(bl);
  }
  return SPH_OK;
}

/* The lower Cholesky factor of the n x n covariance c (row-major), tolerating
 * semidefinite matrices: a pivot that is not positive gives a zero column. */
static void cholesky_semidefinite(int n, const double *c, double *lower)
{
  memset(lower, 0, (size_t)n * n * sizeof *lower);
  for (int j = 0; j < n; j++) {
    double d = c[j * n + j];
    for (int k = 0; k < j; k++)
      d -= lower[j * n + k] * lower[j * n + k];
    double scale = fabs(c[j * n + j]);
    if (!(d > 1e-14 * scale) || d <= 0)
      continue;
    double piv = sqrt(d);
    lower[j * n + j] = piv;
    for (int i = j + 1; i < n; i++) {
      double s = c[i * n + j];
      for (int k = 0; k < j; k++)
        s -= lower[i * n + k] * lower[j * n + k];
      lower[i * n + j] = s / piv;
    }
  }
}

static double cl_at(const SphSpectra *cls, int k, int l)
{
  if (k >= cls->ncomp || l > cls->lmax)
    return 0.0;
  return cls->cl[k][l];
}

SphStatus sph_synalm(const SphSpectra *cls, uint64_t seed, SphAlm *const *alm, int nalm,
                     SphError *err)
{
  if (check_nfields(nalm, err) != SPH_OK)
    return err != NULL ? err->code : SPH_ERR_INVALID;
  if (cls == NULL || (nalm == 1 && cls->ncomp < 1) ||
      (nalm == 3 && cls->ncomp != 4 && cls->ncomp != 6))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "synalm: %d alm need %s spectra, got %d components", nalm,
                         nalm == 1 ? "TT" : "TT, EE, BB, TE (and EB, TB)",
                         cls != NULL ? cls->ncomp : 0);
  int lmax = alm[0]->lmax, mmax = alm[0]->mmax;
  for (int k = 1; k < nalm; k++)
    if (alm[k]->lmax != lmax || alm[k]->mmax != mmax)
      return sph_error_set(err, SPH_ERR_INVALID,
                           "synalm: the alm differ in lmax/mmax (%d/%d and %d/%d)", lmax, mmax,
                           alm[k]->lmax, alm[k]->mmax);
  for (int k = 0; k < cls->ncomp && k < 3; k++)
    for (int l = 0; l <= cls->lmax; l++)
      if (!(cls->cl[k][l] >= 0) || !isfinite(cls->cl[k][l]))
        return sph_error_set(err, SPH_ERR_INVALID,
                             "synalm: C_l of %s at l=%d is %g; auto spectra must be finite "
                             "and >= 0",
                             sph_spectrum_name(k), l, cls->cl[k][l]);
  /* Covariance index of (row, column) in healpy's old (diagonal) order. */
  static const int comp[3][3] = { { 0, 3, 5 }, { 3, 1, 4 }, { 5, 4, 2 } };
  double *lower = sph_alloc_aligned((size_t)(lmax + 1) * 9, sizeof *lower, err);
  if (lower == NULL)
    return SPH_ERR_NOMEM;
  for (int l = 0; l <= lmax; l++) {
    double c[9];
    for (int i = 0; i < nalm; i++)
      for (int j = 0; j < nalm; j++)
        c[i * nalm + j] = cl_at(cls, comp[i][j], l);
    cholesky_semidefinite(nalm, c, lower + (size_t)l * 9);
  }
  SphRng rng;
  sph_rng_init(&rng, seed, 0);
  const double h = sqrt(0.5);
  for (int m = 0; m <= mmax; m++)
    for (int l = m; l <= lmax; l++) {
      double _Complex z[3];
      for (int i = 0; i < nalm; i++) {
        if (m == 0) {
          z[i] = sph_rng_normal(&rng);
        } else {
          double re = sph_rng_normal(&rng);
          double im = sph_rng_normal(&rng);
          z[i] = h * re + I * (h * im);
        }
      }
      const double *lo = lower + (size_t)l * 9;
      int64_t idx = sph_alm_index(lmax, l, m);
      for (int i = 0; i < nalm; i++) {
        double _Complex a = 0;
        for (int j = 0; j <= i; j++)
          a += lo[i * nalm + j] * z[j];
        alm[i]->values[idx] = a;
      }
    }
  sph_free_aligned(lower);
  return SPH_OK;
}

static SphShtPlan *healpix_plan(int64_t nside, int lmax, SphError *err)
{
  SphRingGeometry *g = sph_ring_geometry_healpix(nside, err);
  if (g == NULL)
    return NULL;
  SphShtPlan *plan = sph_sht_plan_new(g, lmax, lmax, SPH_SHT_DEFAULT, err);
  sph_ring_geometry_free(g);
  return plan;
}

static void free_alms(SphAlm **alm, int n)
{
  for (int k = 0; k < n; k++)
    sph_alm_free(alm[k]);
}

static SphStatus new_alms(SphAlm **alm, int n, int lmax, SphError *err)
{
  for (int k = 0; k < 3; k++)
    alm[k] = NULL;
  for (int k = 0; k < n; k++) {
    alm[k] = sph_alm_new(lmax, lmax, err);
    if (alm[k] == NULL) {
      free_alms(alm, k);
      return SPH_ERR_NOMEM;
    }
  }
  return SPH_OK;
}

SphMap *sph_synfast(const SphSpectra *cls, int64_t nside, int lmax, double fwhm, uint64_t seed,
                    SphJob *job, SphError *err)
{
  if (cls == NULL) {
    sph_error_set(err, SPH_ERR_INVALID, "synfast: no spectra");
    return NULL;
  }
  if (lmax < 0)
    lmax = (int)(3 * nside - 1);
  int n = cls->ncomp >= 4 ? 3 : 1;
  SphShtPlan *plan = healpix_plan(nside, lmax, err);
  if (plan == NULL) {
    sph_error_prefix(err, "synfast");
    return NULL;
  }
  SphAlm *alm[3];
  SphMap *map = NULL;
  if (new_alms(alm, n, lmax, err) != SPH_OK)
    goto out_plan;
  if (sph_synalm(cls, seed, alm, n, err) != SPH_OK || sph_smoothalm(alm, n, fwhm, err) != SPH_OK)
    goto out;
  map = sph_map_new_uninit(nside, SPH_ORDER_RING, n, err);
  if (map == NULL)
    goto out;
  double *maps[3];
  for (int k = 0; k < n; k++)
    maps[k] = map->fields[k].values;
  if (sph_fields_alm2map(plan, n, (const SphAlm *const *)alm, maps, job, err) != SPH_OK) {
    sph_map_free(map);
    map = NULL;
    goto out;
  }
  static const char *const names[3] = { "I_STOKES", "Q_STOKES", "U_STOKES" };
  for (int k = 0; k < n; k++)
    sph_map_set_field_name(map, k, n == 1 ? "TEMPERATURE" : names[k]);
out:
  free_alms(alm, n);
out_plan:
  sph_sht_plan_free(plan);
  return map;
}

SphMap *sph_smoothing(const SphMap *map, double fwhm, int lmax, int iterations, bool pol,
                      SphJob *job, SphError *err)
{
  if (lmax < 0)
    lmax = (int)(3 * map->nside - 1);
  if (pol && map->nfields < 3) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "smoothing: polarisation needs I, Q, U fields, the map has %d", map->nfields);
    return NULL;
  }
  SphMap *out = sph_map_copy(map, err);
  if (out == NULL)
    return NULL;
  if (sph_map_reorder(out, SPH_ORDER_RING, err) != SPH_OK) {
    sph_map_free(out);
    return NULL;
  }
  SphShtPlan *plan = healpix_plan(map->nside, lmax, err);
  if (plan == NULL) {
    sph_error_prefix(err, "smoothing");
    sph_map_free(out);
    return NULL;
  }
  SphStatus st = SPH_OK;
  for (int f = 0; f < out->nfields && st == SPH_OK;) {
    int n = pol && f == 0 ? 3 : 1;
    SphAlm *alm[3];
    st = new_alms(alm, n, lmax, err);
    if (st != SPH_OK)
      break;
    double *maps[3];
    for (int k = 0; k < n; k++)
      maps[k] = out->fields[f + k].values;
    SphShtIterOptions opt = SPH_SHT_ITER_DEFAULT;
    opt.iterations = iterations;
    st = sph_fields_map2alm(plan, n, (const double *const *)maps, alm, &opt, job, err);
    if (st == SPH_OK)
      st = sph_smoothalm(alm, n, fwhm, err);
    if (st == SPH_OK)
      st = sph_fields_alm2map(plan, n, (const SphAlm *const *)alm, maps, job, err);
    if (st != SPH_OK)
      sph_error_prefix(err, "smoothing field %d", f + 1);
    free_alms(alm, n);
    f += n;
  }
  sph_sht_plan_free(plan);
  if (st == SPH_OK && map->ordering != SPH_ORDER_RING)
    st = sph_map_reorder(out, map->ordering, err);
  if (st != SPH_OK) {
    sph_map_free(out);
    return NULL;
  }
  return out;
}
