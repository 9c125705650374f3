/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Times the directional scale-discretised wavelet transform on the sphere as s2let's
 * benchmark does: analysis then synthesis of a random band-limited map on the
 * McEwen-Wiaux grid of band limit L, N directions, multiresolution (s2let's default),
 * median of REPS runs after a warm-up, on 1 and 2 OpenMP threads; with the round trip's
 * relative L2 error.
 *
 *   bench-wavelet-sphere [--L L] [--N N] [--B B] [--jmin J] [--reps R] [--full]
 *
 * One line per thread count:
 *   L=256 N=4 B=2 jmin=2 resolution=multi threads=2 analysis_s=... synthesis_s=...
 *   total_s=... total_cpu_s=... round_trip=... */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sphaera/rng.h"
#include "sphaera/wavelet_sphere_dir.h"

static double now(clockid_t clock)
{
  struct timespec t;
  clock_gettime(clock, &t);
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
  fprintf(stderr, "usage: bench-wavelet-sphere [--L L] [--N N] [--B B] [--jmin J] [--reps R] "
                  "[--full]\n");
  return 2;
}

static int fail(const SphError *err)
{
  fprintf(stderr, "bench-wavelet-sphere: %s\n", err->message);
  return 1;
}

int main(int argc, char **argv)
{
  int L = 256, N = 4, j_min = 2, reps = 5;
  double B = 2;
  unsigned flags = SPH_WAVELET_MULTIRESOLUTION;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--full") == 0) {
      flags = SPH_WAVELET_FULL_RESOLUTION;
      continue;
    }
    if (i + 1 >= argc)
      return usage();
    if (strcmp(argv[i], "--L") == 0)
      L = atoi(argv[++i]);
    else if (strcmp(argv[i], "--N") == 0)
      N = atoi(argv[++i]);
    else if (strcmp(argv[i], "--B") == 0)
      B = atof(argv[++i]);
    else if (strcmp(argv[i], "--jmin") == 0)
      j_min = atoi(argv[++i]);
    else if (strcmp(argv[i], "--reps") == 0)
      reps = atoi(argv[++i]);
    else
      return usage();
  }
  if (reps < 1 || reps > 1000)
    return usage();
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_mw(L, &err);
  if (!g)
    return fail(&err);
  SphWaveletDirPlan *plan = sph_wavelet_dir_plan_new(g, B, L, j_min, N, flags, &err);
  if (!plan)
    return fail(&err);
  SphShtPlan *sht = sph_sht_plan_new(g, L - 1, L - 1, 0, &err);
  SphAlm *alm = sph_alm_new(L - 1, L - 1, &err);
  if (!sht || !alm)
    return fail(&err);
  SphRng rng;
  sph_rng_init(&rng, 2026, 1);
  sph_alm_fill_gaussian(alm, &rng);
  int64_t npix = sph_ring_geometry_npix(g);
  double *map = malloc((size_t)npix * sizeof *map);
  double *back = malloc((size_t)npix * sizeof *back);
  double *coeffs = malloc((size_t)sph_wavelet_dir_plan_size(plan) * sizeof *coeffs);
  if (!map || !back || !coeffs) {
    fprintf(stderr, "bench-wavelet-sphere: out of memory\n");
    return 1;
  }
  if (sph_sht_alm2map(sht, alm, map, NULL, &err) != SPH_OK)
    return fail(&err);
  double *ta = malloc((size_t)reps * sizeof *ta), *ts = malloc((size_t)reps * sizeof *ts);
  double *tt = malloc((size_t)reps * sizeof *tt), *tc = malloc((size_t)reps * sizeof *tc);
  const int thread_counts[2] = {1, 2};
  for (int t = 0; t < 2; t++) {
    omp_set_num_threads(thread_counts[t]);
    if (sph_wavelet_dir_analysis(plan, map, coeffs, NULL, NULL, &err) != SPH_OK ||
        sph_wavelet_dir_synthesis(plan, coeffs, back, NULL, NULL, &err) != SPH_OK)
      return fail(&err);
    for (int r = 0; r < reps; r++) {
      double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
      if (sph_wavelet_dir_analysis(plan, map, coeffs, NULL, NULL, &err) != SPH_OK)
        return fail(&err);
      double t1 = now(CLOCK_MONOTONIC);
      if (sph_wavelet_dir_synthesis(plan, coeffs, back, NULL, NULL, &err) != SPH_OK)
        return fail(&err);
      double t2 = now(CLOCK_MONOTONIC);
      ta[r] = t1 - t0;
      ts[r] = t2 - t1;
      tt[r] = t2 - t0;
      tc[r] = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
    }
    double num = 0, den = 0;
    for (int64_t p = 0; p < npix; p++) {
      num += (back[p] - map[p]) * (back[p] - map[p]);
      den += map[p] * map[p];
    }
    printf("L=%d N=%d B=%g jmin=%d resolution=%s threads=%d analysis_s=%.4f synthesis_s=%.4f "
           "total_s=%.4f total_cpu_s=%.4f round_trip=%.3g\n",
           L, N, B, j_min, flags ? "multi" : "full", thread_counts[t], median(ta, reps),
           median(ts, reps), median(tt, reps), median(tc, reps), sqrt(num / den));
    fflush(stdout);
  }
  free(ta);
  free(ts);
  free(tt);
  free(tc);
  free(coeffs);
  free(back);
  free(map);
  sph_alm_free(alm);
  sph_sht_plan_free(sht);
  sph_wavelet_dir_plan_free(plan);
  sph_ring_geometry_free(g);
  return 0;
}
