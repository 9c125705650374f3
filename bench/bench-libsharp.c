/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sphaera's HEALPix alm2map and map2alm (iter 0) beside direct libsharp calls (what
 * Debian's healpy runs), in one process on the same alm, taking turns run by run, and
 * both against this CPU's fused multiply-add peak, measured here.
 *
 *   bench-libsharp [--nside N]... [--lmax-rule 2n|3n-1]... [--threads T]... [--reps R]
 *
 * Defaults: NSIDE 128 256 512 1024, lmax 2 NSIDE and 3 NSIDE - 1, 1 and 2 threads, 5 runs.
 * One line per case:
 *   nside= lmax= threads= kernel= sph_alm2map_s= sharp_alm2map_s= ratio_alm2map=
 *   sph_map2alm_s= sharp_map2alm_s= ratio_map2alm= peak_gflops= sph_alm2map_peak= ...
 * (ratio = sphaera / libsharp: below 1 sphaera is faster; times are medians).
 *
 * Peak: a loop of independent FMAs (16 accumulators, enough to cover latency x ports)
 * on AVX-512 when the CPU has it, else AVX2+FMA, chosen at run time; GFlop/s per core
 * times the threads used. Work: both libraries evaluate, per (l, m, ring pair), the
 * Legendre recurrence and the two hemispheres' real and imaginary sums; we count
 * 6 flops (3 FMA, Ishioka's recurrence stepping two l at a time in cos^2 theta) per
 * (l, m, ring pair) with m <= l <= lmax over all 2 NSIDE ring pairs (the FFTs and the
 * polar terms both skip are not counted), so the fraction is of useful work. */
#include <complex.h>
#include <immintrin.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libsharp/sharp.h>
#include <libsharp/sharp_almhelpers.h>
#include <libsharp/sharp_geomhelpers.h>

#include "sphaera/rng.h"
#include "sphaera/sht.h"

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* CPU time of the calling thread: the peak loop's rate while it runs, even on a machine
 * others share. */
static double thread_cpu_now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
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

/* ---- FMA peak ---- */

#define PEAK_ITERS 20000000L

__attribute__((target("avx512f"), noinline)) static double fma_loop_avx512(long iters)
{
  __m512d acc[16], m = _mm512_set1_pd(0.999999999), a = _mm512_set1_pd(1e-9);
  for (int i = 0; i < 16; i++)
    acc[i] = _mm512_set1_pd(1.0 + i);
  for (long k = 0; k < iters; k++) {
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++)
      acc[i] = _mm512_fmadd_pd(acc[i], m, a);
  }
  __m512d s = acc[0];
  for (int i = 1; i < 16; i++)
    s = _mm512_add_pd(s, acc[i]);
  double out[8];
  _mm512_storeu_pd(out, s);
  return out[0];
}

__attribute__((target("avx2,fma"), noinline)) static double fma_loop_avx2(long iters)
{
  __m256d acc[16], m = _mm256_set1_pd(0.999999999), a = _mm256_set1_pd(1e-9);
  for (int i = 0; i < 16; i++)
    acc[i] = _mm256_set1_pd(1.0 + i);
  for (long k = 0; k < iters; k++) {
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++)
      acc[i] = _mm256_fmadd_pd(acc[i], m, a);
  }
  __m256d s = acc[0];
  for (int i = 1; i < 16; i++)
    s = _mm256_add_pd(s, acc[i]);
  double out[4];
  _mm256_storeu_pd(out, s);
  return out[0];
}

/* GFlop/s of one core (the best of a few tries, in CPU time: the machine may be shared). */
static double fma_peak_per_core(const char **isa)
{
  int wide = __builtin_cpu_supports("avx512f");
  int lanes = wide ? 8 : 4;
  *isa = wide ? "avx512" : "avx2";
  if (!wide && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
    *isa = "none";
    return NAN;
  }
  double best = 0, sink = 0;
  for (int t = 0; t < 5; t++) {
    double t0 = thread_cpu_now();
    sink += wide ? fma_loop_avx512(PEAK_ITERS / 4) : fma_loop_avx2(PEAK_ITERS / 4);
    double dt = thread_cpu_now() - t0;
    double gflops = 2.0 * 16 * lanes * (PEAK_ITERS / 4) / dt * 1e-9;
    best = gflops > best ? gflops : best;
  }
  if (sink == 1234.5)
    printf("#\n");
  return best;
}

/* ---- one case ---- */

static double work_flops(int nside, int lmax)
{
  double lm = 0;
  for (int m = 0; m <= lmax; m++)
    lm += lmax - m + 1;
  return 6.0 * lm * (2.0 * nside);
}

static int run_case(int nside, int lmax, int threads, int reps, double peak_core)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_healpix(nside, &err);
  SphShtPlan *plan = g != NULL ? sph_sht_plan_new(g, lmax, lmax, SPH_SHT_DEFAULT, &err) : NULL;
  if (plan == NULL) {
    fprintf(stderr, "bench-libsharp: %s\n", err.message);
    sph_ring_geometry_free(g);
    return 1;
  }
  sph_sht_plan_set_threads(plan, threads);
  sharp_geom_info *geom;
  sharp_alm_info *ainfo;
  sharp_make_healpix_geom_info(nside, 1, &geom);
  sharp_make_triangular_alm_info(lmax, lmax, 1, &ainfo);
  int64_t npix = 12LL * nside * nside;
  SphAlm *alm = sph_alm_new(lmax, lmax, &err), *out = sph_alm_new(lmax, lmax, &err);
  double _Complex *salm = malloc((size_t)alm->size * sizeof *salm);
  double *map = malloc((size_t)npix * sizeof *map), *smap = malloc((size_t)npix * sizeof *smap);
  double *t = malloc(4 * (size_t)reps * sizeof *t);
  SphRng rng;
  sph_rng_init(&rng, 2024, 0);
  sph_alm_fill_gaussian(alm, &rng);
  omp_set_num_threads(threads);
  for (int r = -1; r < reps; r++) { /* r = -1: warm-up */
    double t0 = now();
    sph_sht_alm2map(plan, alm, map, NULL, &err);
    double t1 = now();
    void *ap = alm->values, *mp = smap;
    sharp_execute(SHARP_ALM2MAP, 0, &ap, &mp, geom, ainfo, SHARP_DP, NULL, NULL);
    double t2 = now();
    sph_sht_map2alm(plan, map, out, NULL, &err);
    double t3 = now();
    ap = salm;
    mp = map;
    sharp_execute(SHARP_MAP2ALM, 0, &ap, &mp, geom, ainfo, SHARP_DP, NULL, NULL);
    double t4 = now();
    if (r >= 0) {
      t[r] = t1 - t0;
      t[reps + r] = t2 - t1;
      t[2 * reps + r] = t3 - t2;
      t[3 * reps + r] = t4 - t3;
    }
  }
  /* Both libraries must compute the same thing. */
  double dmap = 0, mmap = 0, dalm = 0, malm = 0;
  for (int64_t i = 0; i < npix; i++) {
    dmap = fmax(dmap, fabs(map[i] - smap[i]));
    mmap = fmax(mmap, fabs(smap[i]));
  }
  for (int64_t i = 0; i < alm->size; i++) {
    dalm = fmax(dalm, cabs(out->values[i] - salm[i]));
    malm = fmax(malm, cabs(salm[i]));
  }
  double sa = median(t, reps), ha = median(t + reps, reps);
  double sm = median(t + 2 * reps, reps), hm = median(t + 3 * reps, reps);
  double gf = work_flops(nside, lmax) * 1e-9, peak = peak_core * threads;
  printf("nside=%d lmax=%d threads=%d kernel=%s sph_alm2map_s=%.4f sharp_alm2map_s=%.4f "
         "ratio_alm2map=%.3f sph_map2alm_s=%.4f sharp_map2alm_s=%.4f ratio_map2alm=%.3f "
         "peak_gflops=%.1f sph_alm2map_peak=%.3f sharp_alm2map_peak=%.3f sph_map2alm_peak=%.3f "
         "sharp_map2alm_peak=%.3f map_agree=%.1e alm_agree=%.1e\n",
         nside, lmax, threads, sph_sht_plan_kernel_name(plan), sa, ha, sa / ha, sm, hm, sm / hm,
         peak, gf / sa / peak, gf / ha / peak, gf / sm / peak, gf / hm / peak, dmap / mmap,
         dalm / malm);
  fflush(stdout);
  free(t);
  free(map);
  free(smap);
  free(salm);
  sph_alm_free(alm);
  sph_alm_free(out);
  sharp_destroy_alm_info(ainfo);
  sharp_destroy_geom_info(geom);
  sph_sht_plan_free(plan);
  sph_ring_geometry_free(g);
  return 0;
}

static int usage(void)
{
  fprintf(stderr, "usage: bench-libsharp [--nside N]... [--lmax-rule 2n|3n-1]... "
                  "[--threads T]... [--reps R]\n");
  return 2;
}

int main(int argc, char **argv)
{
  int nsides[16], nn = 0, threads[8], nt = 0, rules[2], nr = 0, reps = 5;
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc)
      return usage();
    if (strcmp(argv[i], "--nside") == 0 && nn < 16)
      nsides[nn++] = atoi(argv[++i]);
    else if (strcmp(argv[i], "--threads") == 0 && nt < 8)
      threads[nt++] = atoi(argv[++i]);
    else if (strcmp(argv[i], "--lmax-rule") == 0 && nr < 2)
      rules[nr++] = strcmp(argv[++i], "2n") == 0 ? 0 : 1;
    else if (strcmp(argv[i], "--reps") == 0)
      reps = atoi(argv[++i]);
    else
      return usage();
  }
  if (nn == 0) {
    int d[] = { 128, 256, 512, 1024 };
    memcpy(nsides, d, sizeof d);
    nn = 4;
  }
  if (nt == 0) {
    threads[0] = 1;
    threads[1] = 2;
    nt = 2;
  }
  if (nr == 0) {
    rules[0] = 0;
    rules[1] = 1;
    nr = 2;
  }
  if (reps < 1 || reps > 100)
    reps = 5;
  const char *isa;
  double peak = fma_peak_per_core(&isa);
  printf("# FMA peak per core: %.1f GFlop/s (%s); work counted as 6 flops per (l, m, ring pair)\n",
         peak, isa);
  fflush(stdout);
  for (int k = 0; k < nn; k++)
    for (int r = 0; r < nr; r++)
      for (int j = 0; j < nt; j++) {
        int lmax = rules[r] == 0 ? 2 * nsides[k] : 3 * nsides[k] - 1;
        if (run_case(nsides[k], lmax, threads[j], reps, peak) != 0)
          return 1;
      }
  return 0;
}
