/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The learned harmonic mean estimator of the evidence with a Gaussian target. */
#include "sphaera/evidence.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sphaera/mem.h"
#include "sphaera/rng.h"

#include "gauss_mixture.h"

void sph_harmonic_options_init(SphHarmonicOptions *opts)
{
  *opts = (SphHarmonicOptions){.temperature = SPH_HARMONIC_DEFAULT_TEMPERATURE, .burn = 0,
                               .components = 1, .target = NULL, .check_draws = 2000,
                               .seed = 1};
}

/* The largest ln phi - ln(L pi) over `draws` points drawn from phi, -inf when every
 * draw falls outside the target's box. */
static SphStatus draw_check(const SphTarget *target, GaussMixture *phi, size_t draws,
                            uint64_t seed, double *x, double *max_ratio, SphError *err)
{
  SphRng rng;
  sph_rng_init(&rng, seed, 0);
  double best = -INFINITY;
  for (size_t k = 0; k < draws; k++) {
    double log_phi = gauss_mixture_draw(phi, &rng, x);
    double lp;
    SphStatus st = sph_target_eval(target, x, NULL, &lp, err);
    if (st != SPH_OK)
      return st;
    if (lp == -INFINITY)
      continue;
    best = fmax(best, log_phi - lp);
  }
  *max_ratio = best;
  return SPH_OK;
}

SphStatus sph_evidence_harmonic(const SphChain *chain, const SphHarmonicOptions *opts,
                                SphEvidence *out, SphError *err)
{
  SphHarmonicOptions defaults;
  sph_harmonic_options_init(&defaults);
  if (opts == NULL)
    opts = &defaults;
  memset(out, 0, sizeof *out);
  double temp = opts->temperature;
  if (!(temp > 0 && temp <= 1))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "harmonic evidence: temperature %g is not in (0, 1] (it multiplies "
                         "the fitted covariance, and must shrink it)", temp);
  size_t dim = chain->dim, walkers = chain->walkers;
  if (walkers < 4)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "harmonic evidence: the chain has %zu walker(s); at least 4 are "
                         "needed (two to fit the target on, two to estimate with)", walkers);
  if (opts->burn >= chain->steps)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "harmonic evidence: burn-in of %zu steps leaves nothing of a chain "
                         "of %zu steps", opts->burn, chain->steps);
  size_t kept = chain->steps - opts->burn;
  size_t train_w = walkers / 2, infer_w = walkers - train_w;
  size_t n_train = kept * train_w, n_infer = kept * infer_w;
  if (n_train <= dim)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "harmonic evidence: %zu training samples cannot fit a covariance in "
                         "%zu dimensions; run the sampler longer", n_train, dim);
  for (size_t s = opts->burn; s < chain->steps; s++)
    for (size_t w = 0; w < walkers; w++) {
      double lp = chain->log_prob[s * walkers + w];
      if (!isfinite(lp))
        return sph_error_set(err, SPH_ERR_INVALID,
                             "harmonic evidence: the log-probability of walker %zu at step "
                             "%zu is %g; every kept sample needs a finite ln L + ln pi", w,
                             s, lp);
    }

  if (opts->components < 1 || opts->components > 64)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "harmonic evidence: %zu mixture components; use 1..64",
                         opts->components);
  GaussMixture *phi = NULL;
  SphStatus st = gauss_mixture_fit(chain, opts->burn, 0, train_w, opts->components, temp,
                                   &phi, err);
  if (st != SPH_OK)
    return st;
  double *work = sph_alloc_aligned(dim, sizeof(double), err);
  double *chain_sum = work ? sph_calloc_aligned(infer_w, sizeof(double), err) : NULL;
  if (chain_sum == NULL) {
    st = err ? err->code : SPH_ERR_NOMEM;
    goto done;
  }
  /* Two passes: the largest log ratio first, then the shifted sums. */
  double rmax = -INFINITY;
  for (size_t s = opts->burn; s < chain->steps; s++)
    for (size_t w = train_w; w < walkers; w++) {
      double r = gauss_mixture_log_density(phi, sph_chain_sample(chain, s, w)) -
                 chain->log_prob[s * walkers + w];
      if (r > rmax)
        rmax = r;
    }
  double total = 0, total_sq = 0;
  for (size_t s = opts->burn; s < chain->steps; s++)
    for (size_t w = train_w; w < walkers; w++) {
      double r = gauss_mixture_log_density(phi, sph_chain_sample(chain, s, w)) -
                 chain->log_prob[s * walkers + w];
      double v = exp(r - rmax);
      chain_sum[w - train_w] += v;
      total += v;
      total_sq += v * v;
    }
  double rho = total / (double)n_infer;
  double between = 0;
  for (size_t j = 0; j < infer_w; j++) {
    double d = chain_sum[j] / (double)kept - rho;
    between += (double)kept * d * d;
  }
  double var = between / (double)n_infer / (double)(infer_w - 1);
  out->ln_evidence = -(log(rho) + rmax);
  out->ln_evidence_err = sqrt(var) / rho;
  out->train_samples = n_train;
  out->infer_samples = n_infer;
  out->infer_chains = infer_w;
  out->max_weight_share = 1.0 / total;
  double mean_sq = total_sq / (double)n_infer;
  out->relative_variance = n_infer > 1 ? (mean_sq / (rho * rho) - 1) * (double)n_infer /
                                             (double)(n_infer - 1)
                                       : 0;
  if (opts->target != NULL && opts->check_draws > 0) {
    if (sph_target_dim(opts->target) != dim) {
      st = sph_error_set(err, SPH_ERR_INVALID,
                         "harmonic evidence: the chain has %zu parameters but target %s has "
                         "%zu", dim, sph_target_spec(opts->target),
                         sph_target_dim(opts->target));
      goto done;
    }
    double draw_max;
    st = draw_check(opts->target, phi, opts->check_draws, opts->seed, work, &draw_max, err);
    if (st != SPH_OK)
      goto done;
    out->draw_excess = draw_max == -INFINITY ? 0 : draw_max - rmax;
  }
  out->target_inside = true;
  if (out->max_weight_share > SPH_HARMONIC_MAX_WEIGHT_SHARE) {
    out->target_inside = false;
    snprintf(out->warning, sizeof out->warning,
             "the fitted target leaves the posterior: one sample carries %.1f%% of the "
             "harmonic sum (limit %.0f%%); lower the temperature or run longer, the "
             "evidence may be confidently wrong",
             100 * out->max_weight_share, 100 * SPH_HARMONIC_MAX_WEIGHT_SHARE);
  } else if (out->draw_excess > SPH_HARMONIC_MAX_DRAW_EXCESS) {
    out->target_inside = false;
    snprintf(out->warning, sizeof out->warning,
             "the fitted target leaves the posterior: at draws from it the ratio to the "
             "posterior is e^%.1f times its largest value on the samples (a gap between "
             "modes?); the evidence may be confidently wrong", out->draw_excess);
  }
done:
  gauss_mixture_free(phi);
  sph_free_aligned(work);
  sph_free_aligned(chain_sum);
  return st;
}
