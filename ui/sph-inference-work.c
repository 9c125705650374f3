/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-inference-work.h"

#include <math.h>
#include <string.h>

#include "sphaera/diagnostics.h"
#include "sphaera/ensemble.h"
#include "sphaera/fits_map.h"
#include "sphaera/hmc.h"
#include "sphaera/spectrum.h"
#include "sphaera/target.h"

#ifndef SPH_DATA_DIR
#define SPH_DATA_DIR "."
#endif

/* ---- statistics of a snapshot ---- */

void sph_inference_summary_request_free(gpointer data)
{
  SummaryRequest *r = data;
  sph_snapshot_release(r->snapshot);
  sph_corner_free(r->corner);
  g_free(r->acf);
  g_free(r->tau);
  g_free(r->ess);
  g_free(r->rhat);
  g_strfreev(r->names);
  g_free(r);
}

void sph_inference_summary_thread(GTask *task, gpointer source, gpointer data,
                                  GCancellable *cancel)
{
  (void)source;
  (void)cancel;
  SummaryRequest *r = data;
  const SphChain *chain = sph_snapshot_data(r->snapshot);
  SphError err = SPH_ERROR_INIT;
  r->steps = chain->steps;
  r->walkers = chain->walkers;
  r->dim = chain->dim;
  r->shown = MIN(chain->dim, (size_t)SPH_CORNER_MAX_DIM);
  r->acceptance = sph_chain_acceptance_fraction(chain, NULL);
  r->names = g_new0(char *, r->shown + 1);
  for (size_t k = 0; k < r->shown; k++)
    r->names[k] = g_strdup(chain->names[k]);
  if (chain->steps < 4) {
    g_strlcpy(r->message, "Waiting for the first steps…", sizeof r->message);
    g_task_return_boolean(task, TRUE);
    return;
  }
  r->used_burn = MIN(r->burn, chain->steps / 2);
  size_t n = chain->steps - r->used_burn;
  if (sph_corner_from_chain(chain, r->used_burn, NULL, &r->corner, &err) != SPH_OK)
    g_strlcpy(r->message, err.message, sizeof r->message);
  r->nlags = MIN(n, (size_t)SPH_INFERENCE_MAX_LAGS);
  r->acf = g_new0(double, r->shown * r->nlags);
  for (size_t k = 0; k < r->shown; k++)
    if (sph_chain_autocorr(chain, r->used_burn, k, r->nlags, r->acf + k * r->nlags, NULL) !=
        SPH_OK)
      for (size_t t = 0; t < r->nlags; t++)
        r->acf[k * r->nlags + t] = NAN;
  r->tau = g_new(double, chain->dim);
  r->ess = g_new(double, chain->dim);
  r->rhat = g_new(double, chain->dim);
  const double *first = sph_chain_sample(chain, r->used_burn, 0);
  r->have_tau = sph_integrated_time(first, n, chain->walkers, chain->dim, 5.0, 50.0, r->tau,
                                    &r->n_short, NULL) == SPH_OK;
  if (r->have_tau)
    sph_effective_sample_size(r->tau, n, chain->walkers, chain->dim, r->ess);
  r->have_rhat = chain->walkers >= 1 &&
                 sph_split_rhat(first, n, chain->walkers, chain->dim, r->rhat, NULL) == SPH_OK;
  g_task_return_boolean(task, TRUE);
}

/* ---- targets ---- */

static char *data_file(const char *name)
{
  const char *dir = g_getenv("SPHAERA_DATA_DIR");
  return g_build_filename(dir != NULL && dir[0] != '\0' ? dir : SPH_DATA_DIR, name, NULL);
}

/* The target of spec; "cl-fit" is the amplitude and tilt of the shipped WMAP W-band map's
 * TT spectrum (mK, its temperature analysis mask) against the shipped totcls.dat, read
 * here because the infer module sits below the file readers. */
static SphStatus make_target(const char *spec, SphTarget **out, SphError *err)
{
  if (strcmp(spec, "cl-fit") != 0)
    return sph_target_new(spec, out, err);
  char *map_path = data_file("wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits");
  char *mask_path = data_file("wmap_temperature_analysis_mask_r9_7yr_v4_udgraded32.fits");
  char *theory_path = data_file("totcls.dat");
  SphClFitOptions o;
  sph_cl_fit_options_init(&o);
  o.unit_to_uk = 1e3; /* the WMAP band maps are in mK; the file omits TUNIT */
  SphMap *map = NULL, *mask = NULL;
  SphSpectra *theory = NULL;
  SphStatus st;
  if ((map = sph_fits_read_map(map_path, NULL, err)) == NULL ||
      (mask = sph_fits_read_map(mask_path, NULL, err)) == NULL ||
      (theory = sph_cl_read_text(theory_path, err)) == NULL)
    st = err->code;
  else
    st = sph_target_cl_fit_new(spec, map, mask, theory, &o, out, err);
  sph_map_free(map);
  sph_map_free(mask);
  sph_spectra_free(theory);
  g_free(map_path);
  g_free(mask_path);
  g_free(theory_path);
  return st;
}

/* ---- the sampler ---- */

void sph_inference_sample_request_free(gpointer data)
{
  SampleRequest *r = data;
  g_free(r->spec);
  sph_job_unref(r->job);
  sph_chain_free(r->chain);
  g_free(r);
}

void sph_inference_sample_thread(GTask *task, gpointer source, gpointer data,
                                 GCancellable *cancel)
{
  (void)source;
  (void)cancel;
  SampleRequest *r = data;
  SphError err = SPH_ERROR_INIT;
  SphTarget *target = NULL;
  r->status = make_target(r->spec, &target, &err);
  if (r->status == SPH_OK && (r->sampler == SAMPLER_HMC || r->sampler == SAMPLER_NUTS)) {
    SphHmcOptions o;
    sph_hmc_options_init(&o);
    if (r->sampler == SAMPLER_NUTS)
      o.algorithm = SPH_HMC_NUTS;
    o.chains = r->walkers;
    o.steps = r->steps;
    o.seed = r->seed;
    o.snapshot_interval = SPH_INFERENCE_SNAPSHOT_INTERVAL_S;
    r->status = sph_hmc_run(target, &o, r->job, &r->chain, NULL, &err);
  } else if (r->status == SPH_OK) {
    SphEnsembleOptions o;
    sph_ensemble_options_init(&o);
    o.walkers = r->walkers;
    o.steps = r->steps;
    o.seed = r->seed;
    o.move = r->sampler == SAMPLER_DE ? SPH_ENSEMBLE_DE : SPH_ENSEMBLE_STRETCH;
    o.snapshot_interval = SPH_INFERENCE_SNAPSHOT_INTERVAL_S;
    r->status = sph_ensemble_run(target, &o, r->job, &r->chain, &err);
  }
  if (r->status != SPH_OK)
    g_strlcpy(r->message, err.message, sizeof r->message);
  sph_target_free(target);
  g_task_return_boolean(task, TRUE);
}

/* ---- the evidence ---- */

void sph_inference_evidence_request_free(gpointer data)
{
  EvidenceRequest *r = data;
  sph_snapshot_release(r->snapshot);
  g_free(r->spec);
  g_free(r);
}

void sph_inference_evidence_thread(GTask *task, gpointer source, gpointer data,
                                   GCancellable *cancel)
{
  (void)source;
  (void)cancel;
  EvidenceRequest *r = data;
  SphError err = SPH_ERROR_INIT;
  SphTarget *target = NULL;
  r->status = make_target(r->spec, &target, &err);
  if (r->status == SPH_OK) {
    SphHarmonicOptions o;
    sph_harmonic_options_init(&o);
    o.burn = r->burn;
    o.target = target;
    if (g_str_has_prefix(r->spec, "bimodal"))
      o.components = 2; /* one Gaussian per mode */
    r->status = sph_evidence_harmonic(sph_snapshot_data(r->snapshot), &o, &r->evidence, &err);
  }
  if (r->status != SPH_OK)
    g_strlcpy(r->message, err.message, sizeof r->message);
  sph_target_free(target);
  g_task_return_boolean(task, TRUE);
}
