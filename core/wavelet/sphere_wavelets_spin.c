/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Axisymmetric wavelets of spin-s fields: the spin-0 construction applied to the E and B
 * coefficients, with spin-s transforms on every band (wavelet_sphere.h). */
#include <stdbool.h>
#include <string.h>

#include "sphaera/wavelet_sphere.h"
#include "wavelet_internal.h"

typedef struct {
  SphAlm *e;
  SphAlm *b;
} AlmPair;

static void pair_free(AlmPair *p)
{
  sph_alm_free(p->e);
  sph_alm_free(p->b);
}

static SphStatus pair_new(AlmPair *p, int lmax, SphError *err)
{
  p->e = sph_alm_new(lmax, lmax, err);
  p->b = p->e ? sph_alm_new(lmax, lmax, err) : NULL;
  if (!p->b) {
    pair_free(p);
    return SPH_ERR_NOMEM;
  }
  return SPH_OK;
}

static SphStatus check_spin(const SphWaveletPlan *plan, int spin, SphError *err)
{
  int lmax = sph_wavelet_plan_L(plan) - 1;
  if (spin < 1 || spin > lmax)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "spin wavelets: spin must be in 1..%d (L - 1), got %d", lmax, spin);
  return SPH_OK;
}

/* A band at band limit <= spin holds no spin-s harmonic: its maps are zero. */
static bool band_is_empty(const SphWaveletPlan *plan, int band, int spin)
{
  return sph_wavelet_plan_band_lmax(plan, band) < spin;
}

static void zero_band(const SphWaveletPlan *plan, int band, double *q, double *u)
{
  int64_t off = sph_wavelet_plan_band_offset(plan, band);
  size_t bytes = (size_t)sph_wavelet_plan_band_npix(plan, band) * sizeof *q;
  memset(q + off, 0, bytes);
  memset(u + off, 0, bytes);
}

static SphStatus analyse_spin(const SphShtPlan *sht, int spin, const double *q, const double *u,
                              AlmPair *p, const SphShtIterOptions *options, SphJob *job,
                              SphError *err)
{
  if (!options)
    return sph_sht_map2alm_spin(sht, spin, q, u, p->e, p->b, job, err);
  SphShtIterOptions copy = *options;
  return sph_sht_map2alm_spin_iterative(sht, spin, q, u, p->e, p->b, &copy, job, err);
}

/* Per band: (K_b E, K_b B) truncated, then alm2map_spin (forward) or map2alm_spin_adjoint
 * (the synthesis adjoint) onto the band's maps. */
static SphStatus bands_from_alm(const SphWaveletPlan *plan, int spin, const AlmPair *full,
                                bool adjoint, double *coeffs_q, double *coeffs_u, SphJob *job,
                                SphError *err)
{
  SphStatus st = SPH_OK;
  for (int b = 0; b < sph_wavelet_plan_nbands(plan) && st == SPH_OK; b++) {
    if (band_is_empty(plan, b, spin)) {
      zero_band(plan, b, coeffs_q, coeffs_u);
      continue;
    }
    AlmPair band;
    if (pair_new(&band, sph_wavelet_plan_band_lmax(plan, b), err) != SPH_OK)
      return SPH_ERR_NOMEM;
    const double *kernel = sph_wavelet_plan_band_kernel(plan, b);
    sph_wavelet_filter_truncate(full->e, kernel, band.e);
    sph_wavelet_filter_truncate(full->b, kernel, band.b);
    int64_t off = sph_wavelet_plan_band_offset(plan, b);
    const SphShtPlan *sht = sph_wavelet_plan_sht(plan, b);
    if (adjoint)
      st = sph_sht_map2alm_spin_adjoint(sht, spin, band.e, band.b, coeffs_q + off,
                                        coeffs_u + off, job, err);
    else
      st = sph_sht_alm2map_spin(sht, spin, band.e, band.b, coeffs_q + off, coeffs_u + off, job,
                                err);
    pair_free(&band);
  }
  return st;
}

/* Sum over bands of K_b times the band's (E, B): from map2alm_spin of the band's maps
 * (synthesis; options as for analysis) or from alm2map_spin_adjoint (analysis adjoint). */
static SphStatus alm_from_bands(const SphWaveletPlan *plan, int spin, const double *coeffs_q,
                                const double *coeffs_u, bool adjoint,
                                const SphShtIterOptions *options, AlmPair *full, SphJob *job,
                                SphError *err)
{
  sph_alm_zero(full->e);
  sph_alm_zero(full->b);
  SphStatus st = SPH_OK;
  for (int b = 0; b < sph_wavelet_plan_nbands(plan) && st == SPH_OK; b++) {
    if (band_is_empty(plan, b, spin))
      continue;
    AlmPair band;
    if (pair_new(&band, sph_wavelet_plan_band_lmax(plan, b), err) != SPH_OK)
      return SPH_ERR_NOMEM;
    int64_t off = sph_wavelet_plan_band_offset(plan, b);
    const SphShtPlan *sht = sph_wavelet_plan_sht(plan, b);
    if (adjoint)
      st = sph_sht_alm2map_spin_adjoint(sht, spin, coeffs_q + off, coeffs_u + off, band.e,
                                        band.b, job, err);
    else
      st = analyse_spin(sht, spin, coeffs_q + off, coeffs_u + off, &band, options, job, err);
    if (st == SPH_OK) {
      const double *kernel = sph_wavelet_plan_band_kernel(plan, b);
      sph_wavelet_filter_accumulate(band.e, kernel, full->e);
      sph_wavelet_filter_accumulate(band.b, kernel, full->b);
    }
    pair_free(&band);
  }
  return st;
}

SphStatus sph_wavelet_analysis_spin(const SphWaveletPlan *plan, int spin, const double *map_q,
                                    const double *map_u, double *coeffs_q, double *coeffs_u,
                                    const SphShtIterOptions *options, SphJob *job, SphError *err)
{
  SphStatus st = check_spin(plan, spin, err);
  AlmPair full;
  if (st != SPH_OK || (st = pair_new(&full, sph_wavelet_plan_L(plan) - 1, err)) != SPH_OK)
    return st;
  st = analyse_spin(sph_wavelet_plan_sht(plan, -1), spin, map_q, map_u, &full, options, job, err);
  if (st == SPH_OK)
    st = bands_from_alm(plan, spin, &full, false, coeffs_q, coeffs_u, job, err);
  pair_free(&full);
  return st;
}

SphStatus sph_wavelet_synthesis_spin(const SphWaveletPlan *plan, int spin,
                                     const double *coeffs_q, const double *coeffs_u,
                                     double *map_q, double *map_u,
                                     const SphShtIterOptions *options, SphJob *job, SphError *err)
{
  SphStatus st = check_spin(plan, spin, err);
  AlmPair full;
  if (st != SPH_OK || (st = pair_new(&full, sph_wavelet_plan_L(plan) - 1, err)) != SPH_OK)
    return st;
  st = alm_from_bands(plan, spin, coeffs_q, coeffs_u, false, options, &full, job, err);
  if (st == SPH_OK)
    st = sph_sht_alm2map_spin(sph_wavelet_plan_sht(plan, -1), spin, full.e, full.b, map_q, map_u,
                              job, err);
  pair_free(&full);
  return st;
}

SphStatus sph_wavelet_analysis_spin_adjoint(const SphWaveletPlan *plan, int spin,
                                            const double *coeffs_q, const double *coeffs_u,
                                            double *map_q, double *map_u, SphJob *job,
                                            SphError *err)
{
  SphStatus st = check_spin(plan, spin, err);
  AlmPair full;
  if (st != SPH_OK || (st = pair_new(&full, sph_wavelet_plan_L(plan) - 1, err)) != SPH_OK)
    return st;
  st = alm_from_bands(plan, spin, coeffs_q, coeffs_u, true, NULL, &full, job, err);
  if (st == SPH_OK)
    st = sph_sht_map2alm_spin_adjoint(sph_wavelet_plan_sht(plan, -1), spin, full.e, full.b,
                                      map_q, map_u, job, err);
  pair_free(&full);
  return st;
}

SphStatus sph_wavelet_synthesis_spin_adjoint(const SphWaveletPlan *plan, int spin,
                                             const double *map_q, const double *map_u,
                                             double *coeffs_q, double *coeffs_u, SphJob *job,
                                             SphError *err)
{
  SphStatus st = check_spin(plan, spin, err);
  AlmPair full;
  if (st != SPH_OK || (st = pair_new(&full, sph_wavelet_plan_L(plan) - 1, err)) != SPH_OK)
    return st;
  st = sph_sht_alm2map_spin_adjoint(sph_wavelet_plan_sht(plan, -1), spin, map_q, map_u, full.e,
                                    full.b, job, err);
  if (st == SPH_OK)
    st = bands_from_alm(plan, spin, &full, true, coeffs_q, coeffs_u, job, err);
  pair_free(&full);
  return st;
}
