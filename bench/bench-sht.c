/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Times alm2map and map2alm (median of several runs after a warm-up, transform time
 * only): HEALPix NSIDE 256, 512, 1024 with lmax 2 NSIDE on 1 and 2 threads by default.
 *
 *   bench-sht [--nside N]... [--lmax L] [--threads T]... [--reps R] [--grid healpix|gl|mw]
 *             [--kernel avx512|avx2|generic]
 *
 * One line per configuration:
 *   grid=healpix nside=1024 lmax=2048 threads=1 kernel=avx512 alm2map_s=... map2alm_s=...
 * (for gl and mw, nside is the band limit L and lmax = L - 1 unless given). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sphaera/rng.h"
#include "sphaera/sht.h"

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
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
  fprintf(stderr, "usage: bench-sht [--nside N]... [--lmax L] [--threads T]... [--reps R]\n"
                  "                 [--grid healpix|gl|mw] [--kernel avx512|avx2|generic]\n");
  return 2;
}

int main(int argc, char **argv)
{
  int nsides[16], nn = 0, threads[8], nt = 0, lmax_arg = -1, reps = 5;
  const char *grid = "healpix", *kernel = NULL;
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc)
      return usage();
    if (strcmp(argv[i], "--nside") == 0 && nn < 16)
      nsides[nn++] = atoi(argv[++i]);
    else if (strcmp(argv[i], "--threads") == 0 && nt < 8)
      threads[nt++] = atoi(argv[++i]);
    else if (strcmp(argv[i], "--lmax") == 0)
      lmax_arg = atoi(argv[++i]);
    else if (strcmp(argv[i], "--reps") == 0)
      reps = atoi(argv[++i]);
    else if (strcmp(argv[i], "--grid") == 0)
      grid = argv[++i];
    else if (strcmp(argv[i], "--kernel") == 0)
      kernel = argv[++i];
    else
      return usage();
  }
  if (nn == 0) {
    nsides[0] = 256;
    nsides[1] = 512;
    nsides[2] = 1024;
    nn = 3;
  }
  if (nt == 0) {
    threads[0] = 1;
    threads[1] = 2;
    nt = 2;
  }
  if (reps < 1 || reps > 100)
    reps = 5;
  unsigned flags = SPH_SHT_DEFAULT;
  if (kernel != NULL)
    flags |= strcmp(kernel, "avx512") == 0 ? SPH_SHT_KERNEL_AVX512
             : strcmp(kernel, "avx2") == 0 ? SPH_SHT_KERNEL_AVX2
                                           : SPH_SHT_KERNEL_GENERIC;

  for (int k = 0; k < nn; k++) {
    SphError err = SPH_ERROR_INIT;
    SphRingGeometry *g;
    int lmax;
    if (strcmp(grid, "gl") == 0) {
      g = sph_ring_geometry_gauss_legendre(nsides[k], 0, &err);
      lmax = lmax_arg >= 0 ? lmax_arg : nsides[k] - 1;
    } else if (strcmp(grid, "mw") == 0) {
      g = sph_ring_geometry_mw(nsides[k], &err);
      lmax = lmax_arg >= 0 ? lmax_arg : nsides[k] - 1;
    } else {
      g = sph_ring_geometry_healpix(nsides[k], &err);
      lmax = lmax_arg >= 0 ? lmax_arg : 2 * nsides[k];
    }
    if (g == NULL) {
      fprintf(stderr, "bench-sht: %s\n", err.message);
      return 1;
    }
    double t0 = now();
    SphShtPlan *plan = sph_sht_plan_new(g, lmax, lmax, flags, &err);
    double plan_s = now() - t0;
    if (plan == NULL) {
      fprintf(stderr, "bench-sht: %s\n", err.message);
      return 1;
    }
    SphAlm *alm = sph_alm_new(lmax, lmax, &err), *out = sph_alm_new(lmax, lmax, &err);
    double *map = calloc((size_t)sph_ring_geometry_npix(g), sizeof *map);
    if (alm == NULL || out == NULL || map == NULL) {
      fprintf(stderr, "bench-sht: out of memory\n");
      return 1;
    }
    SphRng rng;
    sph_rng_init(&rng, 2024, 0);
    sph_alm_fill_gaussian(alm, &rng);
    for (int t = 0; t < nt; t++) {
      sph_sht_plan_set_threads(plan, threads[t]);
      double ta[100], tm[100];
      for (int r = -1; r < reps; r++) { /* r = -1: warm-up */
        double a = now();
        if (sph_sht_alm2map(plan, alm, map, NULL, &err) != SPH_OK) {
          fprintf(stderr, "bench-sht: %s\n", err.message);
          return 1;
        }
        double b = now();
        sph_sht_map2alm(plan, map, out, NULL, &err);
        double c = now();
        if (r >= 0) {
          ta[r] = b - a;
          tm[r] = c - b;
        }
      }
      printf("grid=%s nside=%d lmax=%d threads=%d kernel=%s plan_s=%.3f alm2map_s=%.4f map2alm_s=%.4f\n",
             grid, nsides[k], lmax, threads[t], sph_sht_plan_kernel_name(plan), plan_s,
             median(ta, reps), median(tm, reps));
      fflush(stdout);
    }
    free(map);
    sph_alm_free(alm);
    sph_alm_free(out);
    sph_sht_plan_free(plan);
    sph_ring_geometry_free(g);
  }
  return 0;
}
