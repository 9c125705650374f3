/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Times ang2pix (RING, NEST) and pix2ang (RING, NEST) on N random points uniform on the
 * sphere, best of 5, through the batched calls (OpenMP threads as OMP_NUM_THREADS says).
 * Prints one "name seconds" line per case; bench/run-healpix.sh sets the same cases
 * beside healpy.
 *
 * usage: bench-healpix [N [NSIDE...]]    defaults: N = 10^7, NSIDE 1024 and 2^20 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <omp.h>

#include "sphaera/healpix.h"
#include "sphaera/mem.h"
#include "sphaera/rng.h"

#define REPEATS 5

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 10000000;
  int64_t default_nsides[2] = {1024, (int64_t)1 << 20};
  int nn = argc > 2 ? argc - 2 : 2;
  if (n == 0) {
    fprintf(stderr, "bench-healpix: N must be a positive count of points\n");
    return 2;
  }

  SphError err = SPH_ERROR_INIT;
  double *theta = sph_alloc_aligned(n, sizeof(double), &err);
  double *phi = sph_alloc_aligned(n, sizeof(double), &err);
  double *theta2 = sph_alloc_aligned(n, sizeof(double), &err);
  double *phi2 = sph_alloc_aligned(n, sizeof(double), &err);
  int64_t *pix = sph_alloc_aligned(n, sizeof(int64_t), &err);
  if (!theta || !phi || !theta2 || !phi2 || !pix) {
    fprintf(stderr, "bench-healpix: %s\n", err.message);
    return 1;
  }
  SphRng rng;
  sph_rng_init(&rng, 1234, 0);
  for (size_t i = 0; i < n; ++i) {
    theta[i] = acos(1 - 2 * sph_rng_uniform(&rng));
    phi[i] = 2 * M_PI * sph_rng_uniform(&rng);
  }

  printf("# points %zu threads %d\n", n, omp_get_max_threads());
  double checksum = 0;
  for (int k = 0; k < nn; ++k) {
    int64_t nside = argc > 2 ? strtoll(argv[2 + k], NULL, 10) : default_nsides[k];
    if (!sph_hp_nside_valid(nside)) {
      fprintf(stderr, "bench-healpix: NSIDE=%s is not a power of two from 1 to 2^29\n",
              argv[2 + k]);
      return 2;
    }
    for (int ord = 0; ord < 2; ++ord) {
      SphOrdering o = ord ? SPH_ORDER_NEST : SPH_ORDER_RING;
      const char *oname = ord ? "nest" : "ring";
      double best = INFINITY;
      for (int r = 0; r < REPEATS; ++r) {
        double t0 = now();
        sph_hp_ang2pix_many(nside, o, n, theta, phi, pix);
        best = fmin(best, now() - t0);
      }
      printf("ang2pix_%s_nside%lld %.6f\n", oname, (long long)nside, best);
      best = INFINITY;
      for (int r = 0; r < REPEATS; ++r) {
        double t0 = now();
        sph_hp_pix2ang_many(nside, o, n, pix, theta2, phi2);
        best = fmin(best, now() - t0);
      }
      printf("pix2ang_%s_nside%lld %.6f\n", oname, (long long)nside, best);
      fflush(stdout);
      for (size_t i = 0; i < n; i += n / 97 + 1)
        checksum += (double)pix[i] + theta2[i] + phi2[i];
    }
  }
  printf("# checksum %.17g\n", checksum);
  sph_free_aligned(theta);
  sph_free_aligned(phi);
  sph_free_aligned(theta2);
  sph_free_aligned(phi2);
  sph_free_aligned(pix);
  return 0;
}
