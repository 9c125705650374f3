/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Times the scattering covariances of a SIDE x SIDE image (the plan, the statistics and
 * the gradient of a weighted sum; medians of REPS runs after a warm-up) on the OpenMP
 * threads the environment gives, and with --dump DIR writes the image, the wavelet
 * spectra and the raw statistics as little-endian float64 files for
 * bench/run-scattering-cov.sh to recompute and compare:
 *
 *   bench-scattering-cov [--side N] [--J J] [--L L] [--reps R] [--dump DIR]
 *
 * prints one line: side= J= L= threads= nstats= plan_s= forward_s= gradient_s=
 * forward_cpu_s= gradient_cpu_s= (wall-clock, then process CPU-time medians). */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sphaera/rng.h"
#include "sphaera/scattering_cov.h"

static double now(clockid_t clock)
{
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n)
{
  qsort(v, (size_t)n, sizeof *v, compare_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int write_raw(const char *dir, const char *name, const double *v, size_t n)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(v, sizeof *v, n, f) != n) {
    fprintf(stderr, "bench-scattering-cov: cannot write %s\n", path);
    if (f != NULL)
      fclose(f);
    return 1;
  }
  return fclose(f) != 0;
}

int main(int argc, char **argv)
{
  int side = 256, J = 4, L = 8, reps = 5;
  const char *dump = NULL;
  for (int i = 1; i < argc; i++) {
    if (i + 1 < argc && strcmp(argv[i], "--side") == 0)
      side = atoi(argv[++i]);
    else if (i + 1 < argc && strcmp(argv[i], "--J") == 0)
      J = atoi(argv[++i]);
    else if (i + 1 < argc && strcmp(argv[i], "--L") == 0)
      L = atoi(argv[++i]);
    else if (i + 1 < argc && strcmp(argv[i], "--reps") == 0)
      reps = atoi(argv[++i]);
    else if (i + 1 < argc && strcmp(argv[i], "--dump") == 0)
      dump = argv[++i];
    else {
      fprintf(stderr, "usage: bench-scattering-cov [--side N] [--J J] [--L L] [--reps R] "
                      "[--dump DIR]\n");
      return 2;
    }
  }
  if (reps < 1 || reps > 1000)
    reps = 5;
  SphError err = SPH_ERROR_INIT;
  int64_t n = (int64_t)side * side;
  double *image = malloc((size_t)n * sizeof *image), *grad = malloc((size_t)n * sizeof *grad);
  SphRng rng;
  sph_rng_init(&rng, 2023, 0);
  for (int64_t i = 0; i < n; i++)
    image[i] = sph_rng_normal(&rng) + (((i / side) / 16 + (i % side) / 16) % 2 ? 2.0 : 0.0);
  double t0 = now(CLOCK_MONOTONIC);
  SphScatteringCov *plan = sph_scattering_cov_new(side, side, J, L, SPH_SCATCOV_NORM_NONE, &err);
  double plan_s = now(CLOCK_MONOTONIC) - t0;
  if (plan == NULL) {
    fprintf(stderr, "bench-scattering-cov: %s\n", err.message);
    return 1;
  }
  int64_t ns = sph_scattering_cov_nstats(plan);
  double *stats = malloc((size_t)ns * sizeof *stats), *weights = malloc((size_t)ns * sizeof *weights);
  for (int64_t i = 0; i < ns; i++)
    weights[i] = sph_rng_normal(&rng);
  double *fw = malloc((size_t)reps * sizeof *fw), *fc = malloc((size_t)reps * sizeof *fc);
  double *gw = malloc((size_t)reps * sizeof *gw), *gc = malloc((size_t)reps * sizeof *gc);
  int failed = sph_scattering_cov_forward(plan, image, stats, &err) != SPH_OK; /* warm-up */
  for (int r = 0; r < reps && !failed; r++) {
    double w = now(CLOCK_MONOTONIC), c = now(CLOCK_PROCESS_CPUTIME_ID);
    failed |= sph_scattering_cov_forward(plan, image, stats, &err) != SPH_OK;
    fw[r] = now(CLOCK_MONOTONIC) - w;
    fc[r] = now(CLOCK_PROCESS_CPUTIME_ID) - c;
    w = now(CLOCK_MONOTONIC), c = now(CLOCK_PROCESS_CPUTIME_ID);
    failed |= sph_scattering_cov_gradient(plan, image, weights, NULL, grad, &err) != SPH_OK;
    gw[r] = now(CLOCK_MONOTONIC) - w;
    gc[r] = now(CLOCK_PROCESS_CPUTIME_ID) - c;
  }
  if (failed) {
    fprintf(stderr, "bench-scattering-cov: %s\n", err.message);
    return 1;
  }
  printf("side=%d J=%d L=%d threads=%d nstats=%lld plan_s=%.4f forward_s=%.4f gradient_s=%.4f "
         "forward_cpu_s=%.4f gradient_cpu_s=%.4f\n",
         side, J, L, omp_get_max_threads(), (long long)ns, plan_s, median(fw, reps),
         median(gw, reps), median(fc, reps), median(gc, reps));
  int status = 0;
  if (dump != NULL) {
    const SphMorletBank *bank = sph_scattering_cov_bank(plan);
    status |= write_raw(dump, "image.bin", image, (size_t)n);
    status |= write_raw(dump, "stats.bin", stats, (size_t)ns);
    status |= write_raw(dump, "weights.bin", weights, (size_t)ns);
    status |= write_raw(dump, "grad.bin", grad, (size_t)n);
    for (int j = 0; j < J && status == 0; j++)
      for (int l = 0; l < L && status == 0; l++) {
        char name[64];
        snprintf(name, sizeof name, "psi-%d-%d.bin", j, l);
        status |= write_raw(dump, name, sph_morlet_bank_psi(bank, j, l), (size_t)n);
      }
  }
  free(fw);
  free(fc);
  free(gw);
  free(gc);
  free(stats);
  free(weights);
  free(image);
  free(grad);
  sph_scattering_cov_free(plan);
  return status;
}
