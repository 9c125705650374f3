/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ensemble sampler on gauss:D (AR(1) correlation 0.9): density evaluations per
 * second on the calling thread, acceptance, the largest integrated autocorrelation
 * time (emcee's estimator) and the smallest effective sample size, over the whole
 * chain. bench/run-ensemble.sh runs it beside emcee.
 *
 * usage: bench-ensemble [STEPS [WALKERS [DIM [REPEATS [SEED]]]]]
 *        defaults 10000 32 10 3 1 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sphaera/diagnostics.h"
#include "sphaera/ensemble.h"
#include "sphaera/rng.h"

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
  size_t steps = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
  size_t walkers = argc > 2 ? strtoul(argv[2], NULL, 10) : 32;
  size_t dim = argc > 3 ? strtoul(argv[3], NULL, 10) : 10;
  int repeats = argc > 4 ? atoi(argv[4]) : 3;
  uint64_t seed = argc > 5 ? strtoull(argv[5], NULL, 10) : 1;
  char spec[32];
  snprintf(spec, sizeof spec, "gauss:%zu", dim);
  SphError err = SPH_ERROR_INIT;
  SphTarget *t;
  if (sph_target_new(spec, &t, &err) != SPH_OK) {
    fprintf(stderr, "bench-ensemble: %s\n", err.message);
    return 1;
  }
  /* Walkers drawn from the target itself (AR(1) recursion), so no burn-in is needed. */
  double *init = malloc(walkers * dim * sizeof *init);
  SphRng rng;
  sph_rng_init(&rng, seed, 1000);
  for (size_t w = 0; w < walkers; w++) {
    double v = sph_rng_normal(&rng);
    for (size_t d = 0; d < dim; d++) {
      if (d > 0)
        v = 0.9 * v + sqrt(1 - 0.81) * sph_rng_normal(&rng);
      init[w * dim + d] = v;
    }
  }
  SphEnsembleOptions o;
  sph_ensemble_options_init(&o);
  o.steps = steps;
  o.walkers = walkers;
  o.seed = seed;
  o.initial = init;
  o.parallel = 0;
  double best = INFINITY;
  SphChain *chain = NULL;
  for (int r = 0; r < repeats; r++) {
    sph_chain_free(chain);
    double t0 = now();
    if (sph_ensemble_run(t, &o, NULL, &chain, &err) != SPH_OK) {
      fprintf(stderr, "bench-ensemble: %s\n", err.message);
      return 1;
    }
    double dt = now() - t0;
    if (dt < best)
      best = dt;
  }
  double *tau = malloc(dim * sizeof *tau), *ess = malloc(dim * sizeof *ess);
  size_t n_short;
  if (sph_integrated_time(chain->samples, chain->steps, walkers, dim, 5, 50, tau, &n_short,
                          &err) != SPH_OK) {
    fprintf(stderr, "bench-ensemble: %s\n", err.message);
    return 1;
  }
  sph_effective_sample_size(tau, chain->steps, walkers, dim, ess);
  double tau_max = 0, ess_min = INFINITY;
  for (size_t d = 0; d < dim; d++) {
    tau_max = fmax(tau_max, tau[d]);
    ess_min = fmin(ess_min, ess[d]);
  }
  /* The density alone, on the chain's own points. */
  size_t n_points = chain->steps * walkers;
  double dens_best = INFINITY, sink = 0;
  for (int r = 0; r < repeats; r++) {
    double t0 = now();
    for (size_t i = 0; i < n_points; i++)
      sink += sph_target_log_density(t, chain->samples + i * dim, NULL);
    double dt = now() - t0;
    if (dt < dens_best)
      dens_best = dt;
  }
  double evals = (double)steps * (double)walkers;
  printf("# sphaera ensemble stretch %s walkers %zu steps %zu best of %d (checksum %.6g)\n",
         spec, walkers, steps, repeats, sink);
  printf("seconds %.6f\n", best);
  printf("evals_per_s %.0f\n", evals / best);
  printf("density_only_evals_per_s %.0f\n", (double)n_points / dens_best);
  printf("acceptance %.4f\n", sph_chain_acceptance_fraction(chain, NULL));
  printf("tau_max %.3f\n", tau_max);
  printf("ess_min %.1f\n", ess_min);
  printf("short_for_50_tau %zu\n", n_short);
  sph_chain_free(chain);
  free(tau);
  free(ess);
  free(init);
  sph_target_free(t);
  return 0;
}
