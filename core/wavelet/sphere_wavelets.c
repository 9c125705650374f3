/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/wavelet_sphere.h"

#include <complex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/mem.h"
#include "wavelet_internal.h"

typedef struct {
  int lmax;
  const double *kernel;      /* Phi_l or Psi^j_l, l = 0..L-1 */
  SphRingGeometry *geometry; /* NULL: the plan's input geometry */
  SphShtPlan *sht;           /* NULL: the plan's full-band SHT */
  int64_t npix;
  int64_t offset;
} WaveletBand;

struct SphWaveletPlan {
  SphWaveletKernels *kernels;
  SphRingGeometry *geometry;
  SphShtPlan *sht;
  int nbands;
  WaveletBand *bands;
  int64_t size;
};

static const SphRingGeometry *band_geometry(const SphWaveletPlan *plan, const WaveletBand *band)
{
  return band->geometry ? band->geometry : plan->geometry;
}

static const SphShtPlan *band_sht(const SphWaveletPlan *plan, const WaveletBand *band)
{
  return band->sht ? band->sht : plan->sht;
}

void sph_wavelet_plan_free(SphWaveletPlan *plan)
{
  if (!plan)
    return;
  for (int b = 0; plan->bands && b < plan->nbands; b++) {
    sph_sht_plan_free(plan->bands[b].sht);
    sph_ring_geometry_free(plan->bands[b].geometry);
  }
  free(plan->bands);
  sph_sht_plan_free(plan->sht);
  sph_ring_geometry_free(plan->geometry);
  sph_wavelet_kernels_free(plan->kernels);
  free(plan);
}

static bool is_power_of_two(int64_t n)
{
  return n > 0 && (n & (n - 1)) == 0;
}

/* A grid of the input's kind carrying band limit band_L (see wavelet_sphere.h). */
static SphRingGeometry *band_grid(const SphRingGeometry *geometry, int L, int band_L,
                                  SphError *err)
{
  switch (sph_ring_geometry_kind(geometry)) {
  case SPH_GRID_MW:
    return sph_ring_geometry_mw(band_L, err);
  case SPH_GRID_GAUSS_LEGENDRE:
    return sph_ring_geometry_gauss_legendre(band_L, 2 * (int64_t)band_L - 1, err);
  case SPH_GRID_CLENSHAW_CURTIS: {
    int nrings = 2 * band_L - 1 < 2 ? 2 : 2 * band_L - 1;
    return sph_ring_geometry_clenshaw_curtis(nrings, 2 * (int64_t)nrings - 1, err);
  }
  case SPH_GRID_HEALPIX: {
    int64_t nside = sph_ring_geometry_nside(geometry);
    int64_t want = (nside * band_L + L - 1) / L;
    int64_t nside_b = 1;
    if (is_power_of_two(nside))
      while (nside_b < want)
        nside_b *= 2;
    else
      nside_b = want < 1 ? 1 : want;
    return sph_ring_geometry_healpix(nside_b < nside ? nside_b : nside, err);
  }
  default:
    sph_error_set(err, SPH_ERR_UNSUPPORTED,
                  "multiresolution wavelets need a HEALPix, McEwen-Wiaux, Gauss-Legendre or "
                  "Clenshaw-Curtis grid, not a %s grid: use full resolution",
                  sph_grid_kind_name(sph_ring_geometry_kind(geometry)));
    return NULL;
  }
}

SphWaveletPlan *sph_wavelet_plan_new(const SphRingGeometry *geometry, double B, int L, int j_min,
                                     unsigned flags, SphError *err)
{
  if (!geometry) {
    sph_error_set(err, SPH_ERR_INVALID, "wavelet plan: no geometry given");
    return NULL;
  }
  SphWaveletPlan *plan = calloc(1, sizeof *plan);
  if (!plan) {
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory for a wavelet plan");
    return NULL;
  }
  plan->kernels = sph_wavelet_kernels_new(B, L, j_min, err);
  if (!plan->kernels)
    goto fail;
  plan->geometry = sph_ring_geometry_copy(geometry, err);
  if (!plan->geometry)
    goto fail;
  plan->sht = sph_sht_plan_new(geometry, L - 1, L - 1, SPH_SHT_DEFAULT, err);
  if (!plan->sht) {
    sph_error_prefix(err, "wavelet band limit L = %d on this grid", L);
    goto fail;
  }
  const SphWaveletKernels *k = plan->kernels;
  plan->nbands = 1 + sph_wavelet_kernels_nscales(k);
  plan->bands = calloc((size_t)plan->nbands, sizeof *plan->bands);
  if (!plan->bands) {
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory for a wavelet plan");
    goto fail;
  }
  for (int b = 0; b < plan->nbands; b++) {
    WaveletBand *band = &plan->bands[b];
    int j = b == 0 ? k->j_min - 1 : k->j_min + b - 1;
    band->kernel = b == 0 ? k->scaling : sph_wavelet_kernels_scale(k, j);
    band->lmax = L - 1;
    if (flags & SPH_WAVELET_MULTIRESOLUTION) {
      int band_L = sph_wavelet_band_limit(B, L, j);
      band->lmax = band_L - 1;
      band->geometry = band_grid(geometry, L, band_L, err);
      if (!band->geometry)
        goto fail;
      band->sht = sph_sht_plan_new(band->geometry, band_L - 1, band_L - 1, SPH_SHT_DEFAULT, err);
      if (!band->sht) {
        sph_error_prefix(err, "wavelet scale %d", j);
        goto fail;
      }
    }
    band->npix = sph_ring_geometry_npix(band_geometry(plan, band));
    band->offset = plan->size;
    plan->size += band->npix;
  }
  return plan;
fail:
  sph_wavelet_plan_free(plan);
  return NULL;
}

const SphWaveletKernels *sph_wavelet_plan_kernels(const SphWaveletPlan *plan)
{
  return plan->kernels;
}

int sph_wavelet_plan_L(const SphWaveletPlan *plan)
{
  return plan->kernels->L;
}

int64_t sph_wavelet_plan_npix(const SphWaveletPlan *plan)
{
  return sph_ring_geometry_npix(plan->geometry);
}

int sph_wavelet_plan_nbands(const SphWaveletPlan *plan)
{
  return plan->nbands;
}

int sph_wavelet_plan_band_scale(const SphWaveletPlan *plan, int band)
{
  return band == 0 ? -1 : plan->kernels->j_min + band - 1;
}

int sph_wavelet_plan_band_lmax(const SphWaveletPlan *plan, int band)
{
  return plan->bands[band].lmax;
}

const SphRingGeometry *sph_wavelet_plan_band_geometry(const SphWaveletPlan *plan, int band)
{
  return band_geometry(plan, &plan->bands[band]);
}

int64_t sph_wavelet_plan_band_npix(const SphWaveletPlan *plan, int band)
{
  return plan->bands[band].npix;
}

int64_t sph_wavelet_plan_band_offset(const SphWaveletPlan *plan, int band)
{
  return plan->bands[band].offset;
}

int64_t sph_wavelet_plan_size(const SphWaveletPlan *plan)
{
  return plan->size;
}

const SphShtPlan *sph_wavelet_plan_sht(const SphWaveletPlan *plan, int band)
{
  return band < 0 ? plan->sht : band_sht(plan, &plan->bands[band]);
}

const double *sph_wavelet_plan_band_kernel(const SphWaveletPlan *plan, int band)
{
  return plan->bands[band].kernel;
}

void sph_wavelet_filter_truncate(const SphAlm *in, const double *kernel, SphAlm *out)
{
  for (int m = 0; m <= out->mmax; m++)
    for (int l = m; l <= out->lmax; l++)
      out->values[sph_alm_index(out->lmax, l, m)] =
        kernel[l] * in->values[sph_alm_index(in->lmax, l, m)];
}

void sph_wavelet_filter_accumulate(const SphAlm *band, const double *kernel, SphAlm *acc)
{
  for (int m = 0; m <= band->mmax; m++)
    for (int l = m; l <= band->lmax; l++)
      acc->values[sph_alm_index(acc->lmax, l, m)] +=
        kernel[l] * band->values[sph_alm_index(band->lmax, l, m)];
}

static SphStatus check_alm(const SphWaveletPlan *plan, const SphAlm *alm, SphError *err)
{
  int lmax = plan->kernels->L - 1;
  if (!alm || alm->lmax != lmax || alm->mmax != lmax)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "wavelet transform: the alm must have lmax = mmax = %d (L - 1)", lmax);
  return SPH_OK;
}

static SphStatus analyse_map(const SphShtPlan *sht, const double *map, SphAlm *alm,
                             const SphShtIterOptions *options, SphJob *job, SphError *err)
{
  if (!options)
    return sph_sht_map2alm(sht, map, alm, job, err);
  SphShtIterOptions copy = *options;
  return sph_sht_map2alm_iterative(sht, map, alm, &copy, job, err);
}

SphStatus sph_wavelet_analysis_alm(const SphWaveletPlan *plan, const SphAlm *alm, double *coeffs,
                                   SphJob *job, SphError *err)
{
  SphStatus checked = check_alm(plan, alm, err);
  if (checked != SPH_OK)
    return checked;
  SphStatus st = SPH_OK;
  for (int b = 0; b < plan->nbands && st == SPH_OK; b++) {
    const WaveletBand *band = &plan->bands[b];
    SphAlm *band_alm = sph_alm_new(band->lmax, band->lmax, err);
    if (!band_alm)
      return SPH_ERR_NOMEM;
    sph_wavelet_filter_truncate(alm, band->kernel, band_alm);
    st = sph_sht_alm2map(band_sht(plan, band), band_alm, coeffs + band->offset, job, err);
    sph_alm_free(band_alm);
  }
  return st;
}

SphStatus sph_wavelet_synthesis_alm(const SphWaveletPlan *plan, const double *coeffs,
                                    SphAlm *alm, const SphShtIterOptions *options, SphJob *job,
                                    SphError *err)
{
  SphStatus checked = check_alm(plan, alm, err);
  if (checked != SPH_OK)
    return checked;
  sph_alm_zero(alm);
  SphStatus st = SPH_OK;
  for (int b = 0; b < plan->nbands && st == SPH_OK; b++) {
    const WaveletBand *band = &plan->bands[b];
    SphAlm *band_alm = sph_alm_new(band->lmax, band->lmax, err);
    if (!band_alm)
      return SPH_ERR_NOMEM;
    st = analyse_map(band_sht(plan, band), coeffs + band->offset, band_alm, options, job, err);
    if (st == SPH_OK)
      sph_wavelet_filter_accumulate(band_alm, band->kernel, alm);
    sph_alm_free(band_alm);
  }
  return st;
}

SphStatus sph_wavelet_analysis(const SphWaveletPlan *plan, const double *map, double *coeffs,
                               const SphShtIterOptions *options, SphJob *job, SphError *err)
{
  int lmax = plan->kernels->L - 1;
  SphAlm *alm = sph_alm_new(lmax, lmax, err);
  if (!alm)
    return SPH_ERR_NOMEM;
  SphStatus st = analyse_map(plan->sht, map, alm, options, job, err);
  if (st == SPH_OK)
    st = sph_wavelet_analysis_alm(plan, alm, coeffs, job, err);
  sph_alm_free(alm);
  return st;
}

SphStatus sph_wavelet_synthesis(const SphWaveletPlan *plan, const double *coeffs, double *map,
                                const SphShtIterOptions *options, SphJob *job, SphError *err)
{
  int lmax = plan->kernels->L - 1;
  SphAlm *alm = sph_alm_new(lmax, lmax, err);
  if (!alm)
    return SPH_ERR_NOMEM;
  SphStatus st = sph_wavelet_synthesis_alm(plan, coeffs, alm, options, job, err);
  if (st == SPH_OK)
    st = sph_sht_alm2map(plan->sht, alm, map, job, err);
  sph_alm_free(alm);
  return st;
}

/* Analysis = sum_b A_b K_b M: its transpose is M^T sum_b K_b A_b^T (the truncation's
 * transpose pads with zeros, and K_b is a real diagonal). */
SphStatus sph_wavelet_analysis_adjoint(const SphWaveletPlan *plan, const double *coeffs,
                                       double *map, SphJob *job, SphError *err)
{
  int lmax = plan->kernels->L - 1;
  SphAlm *alm = sph_alm_new(lmax, lmax, err);
  if (!alm)
    return SPH_ERR_NOMEM;
  SphStatus st = SPH_OK;
  for (int b = 0; b < plan->nbands && st == SPH_OK; b++) {
    const WaveletBand *band = &plan->bands[b];
    SphAlm *band_alm = sph_alm_new(band->lmax, band->lmax, err);
    if (!band_alm) {
      st = SPH_ERR_NOMEM;
      break;
    }
    st = sph_sht_alm2map_adjoint(band_sht(plan, band), coeffs + band->offset, band_alm, job, err);
    if (st == SPH_OK)
      sph_wavelet_filter_accumulate(band_alm, band->kernel, alm);
    sph_alm_free(band_alm);
  }
  if (st == SPH_OK)
    st = sph_sht_map2alm_adjoint(plan->sht, alm, map, job, err);
  sph_alm_free(alm);
  return st;
}

/* Synthesis = A sum_b K_b M_b: its transpose is, per band, M_b^T K_b A^T. */
SphStatus sph_wavelet_synthesis_adjoint(const SphWaveletPlan *plan, const double *map,
                                        double *coeffs, SphJob *job, SphError *err)
{
  int lmax = plan->kernels->L - 1;
  SphAlm *alm = sph_alm_new(lmax, lmax, err);
  if (!alm)
    return SPH_ERR_NOMEM;
  SphStatus st = sph_sht_alm2map_adjoint(plan->sht, map, alm, job, err);
  for (int b = 0; b < plan->nbands && st == SPH_OK; b++) {
    const WaveletBand *band = &plan->bands[b];
    SphAlm *band_alm = sph_alm_new(band->lmax, band->lmax, err);
    if (!band_alm) {
      st = SPH_ERR_NOMEM;
      break;
    }
    sph_wavelet_filter_truncate(alm, band->kernel, band_alm);
    st = sph_sht_map2alm_adjoint(band_sht(plan, band), band_alm, coeffs + band->offset, job, err);
    sph_alm_free(band_alm);
  }
  sph_alm_free(alm);
  return st;
}
