/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Times planar scattering as kymatio's benchmark does: the Morlet filter bank built for a
 * SIDE x SIDE image, and the order-2 scattering transform of one image (median of REPS
 * runs after a warm-up), plus its gradient, on 1 and 2 OpenMP threads.
 *
 *   bench-wavelet [--side N] [--J J] [--L L] [--reps R] [--boundary reflect|periodic]
 *
 * One line per thread count:
 *   side=256 J=4 L=8 order=2 boundary=reflect threads=1 coefficients=417 bank_s=...
 *   forward_s=... gradient_s=... bank_cpu_s=... forward_cpu_s=...
 * (wall-clock medians, then process CPU-time medians). */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sphaera/mem.h"
#include "sphaera/scattering.h"

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* Process CPU time: on a shared machine it tracks the work where wall time tracks the
 * queue (with 1 thread; with 2 it sums both). */
static double cpu_now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
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

static int usage(void)
{
  fprintf(stderr, "usage: bench-wavelet [--side N] [--J J] [--L L] [--reps R] "
                  "[--boundary reflect|periodic]\n");
  return 2;
}

int main(int argc, char **argv)
{
  int side = 256, J = 4, L = 8, reps = 9;
  SphBoundary boundary = SPH_BOUNDARY_REFLECT;
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc)
      return usage();
    if (strcmp(argv[i], "--side") == 0)
      side = atoi(argv[++i]);
    else if (strcmp(argv[i], "--J") == 0)
      J = atoi(argv[++i]);
    else if (strcmp(argv[i], "--L") == 0)
      L = atoi(argv[++i]);
    else if (strcmp(argv[i], "--reps") == 0)
      reps = atoi(argv[++i]);
    else if (strcmp(argv[i], "--boundary") == 0) {
      const char *b = argv[++i];
      if (strcmp(b, "reflect") == 0)
        boundary = SPH_BOUNDARY_REFLECT;
      else if (strcmp(b, "periodic") == 0)
        boundary = SPH_BOUNDARY_PERIODIC;
      else
        return usage();
    } else {
      return usage();
    }
  }
  if (side < 1 || reps < 1 || reps > 1000)
    return usage();
  SphError err = SPH_ERROR_INIT;
  double *image = malloc((size_t)side * side * sizeof *image);
  unsigned state = 12345;
  for (int i = 0; i < side * side; i++) {
    state = state * 1103515245u + 12345u;
    image[i] = (double)(state >> 8) / (double)(1u << 24);
  }
  double *grad = malloc((size_t)side * side * sizeof *grad);
  int thread_counts[2] = {1, 2};
  for (int t = 0; t < 2; t++) {
    omp_set_num_threads(thread_counts[t]);
    double *times = malloc((size_t)reps * sizeof *times);
    double *cpu = malloc((size_t)reps * sizeof *cpu);
    double bank_s, forward_s, gradient_s, bank_cpu, forward_cpu;
    for (int r = 0; r < reps; r++) {
      double t0 = now(), c0 = cpu_now();
      SphMorletBank *bank = sph_morlet_bank_new(side, side, J, L, boundary, &err);
      times[r] = now() - t0;
      cpu[r] = cpu_now() - c0;
      if (bank == NULL) {
        fprintf(stderr, "bench-wavelet: %s\n", err.message);
        return 1;
      }
      sph_morlet_bank_free(bank);
    }
    bank_s = median(times, reps);
    bank_cpu = median(cpu, reps);
    SphScattering2D *plan = sph_scattering2d_new(side, side, J, L, 2, boundary, &err);
    if (plan == NULL) {
      fprintf(stderr, "bench-wavelet: %s\n", err.message);
      return 1;
    }
    int64_t oh, ow;
    sph_scattering2d_out_size(plan, &oh, &ow);
    int64_t total = sph_scattering2d_ncoeffs(plan) * oh * ow;
    double *coeffs = sph_alloc_aligned((size_t)total, sizeof(double), &err);
    double *weights = malloc((size_t)total * sizeof *weights);
    for (int64_t i = 0; i < total; i++)
      weights[i] = 1.0 / (double)total;
    sph_scattering2d_forward(plan, image, coeffs, &err); /* warm-up */
    for (int r = 0; r < reps; r++) {
      double t0 = now(), c0 = cpu_now();
      sph_scattering2d_forward(plan, image, coeffs, &err);
      times[r] = now() - t0;
      cpu[r] = cpu_now() - c0;
    }
    forward_s = median(times, reps);
    forward_cpu = median(cpu, reps);
    for (int r = 0; r < reps; r++) {
      double t0 = now();
      sph_scattering2d_gradient(plan, image, weights, grad, &err);
      times[r] = now() - t0;
    }
    gradient_s = median(times, reps);
    printf("side=%d J=%d L=%d order=2 boundary=%s threads=%d coefficients=%lld bank_s=%.4f "
           "forward_s=%.4f gradient_s=%.4f bank_cpu_s=%.4f forward_cpu_s=%.4f\n", side, J, L,
           boundary == SPH_BOUNDARY_REFLECT ? "reflect" : "periodic", thread_counts[t],
           (long long)sph_scattering2d_ncoeffs(plan), bank_s, forward_s, gradient_s, bank_cpu,
           forward_cpu);
    fflush(stdout);
    free(times);
    free(cpu);
    free(weights);
    sph_free_aligned(coeffs);
    sph_scattering2d_free(plan);
  }
  free(image);
  free(grad);
  return 0;
}
