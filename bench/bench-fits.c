/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Times sph_fits_read_map on each file given: the best of N reads (default 5), so the
 * number is the cost of the reader, not of a cold page cache or a busy machine.
 * bench/run-fits.sh runs it beside healpy.read_map and prints the ratio.
 * Output, one line a file: path nside nfields type best_seconds */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sphaera/fits_map.h"

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
  int repeat = 5;
  int first = 1;
  if (argc > 2 && strcmp(argv[1], "--repeat") == 0) {
    repeat = atoi(argv[2]);
    first = 3;
  }
  if (first >= argc || repeat < 1) {
    fprintf(stderr, "usage: %s [--repeat N] FILE.fits...\n", argv[0]);
    return 2;
  }
  for (int i = first; i < argc; i++) {
    double best = 1e300;
    SphMap *map = NULL;
    SphFitsType type = SPH_FITS_FLOAT64;
    for (int r = 0; r < repeat; r++) {
      SphError err = SPH_ERROR_INIT;
      double t0 = now();
      map = sph_fits_read_map(argv[i], &type, &err);
      double t = now() - t0;
      if (map == NULL) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
      }
      if (t < best)
        best = t;
      if (r + 1 < repeat)
        sph_map_free(map);
    }
    printf("%s %lld %d %s %.6f\n", argv[i], (long long)map->nside, map->nfields,
           type == SPH_FITS_FLOAT32 ? "float32" : "float64", best);
    sph_map_free(map);
  }
  return 0;
}
