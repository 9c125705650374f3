/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Times what one live update of the Inference page costs: the corner statistics of N
 * samples of D parameters (histograms, 1-bin smoothing, 68/95% levels, quantiles) and
 * drawing the figure into an image surface. The samples are a correlated Gaussian made
 * here from a fixed seed; bench/run-corner.sh runs numpy/matplotlib on the same sizes.
 *
 * usage: bench-corner [SAMPLES [DIM [REPEATS]]]   (defaults 320000 10 5) */
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sph-corner-draw.h"
#include "sph-figure.h"
#include "sphaera/corner.h"
#include "sphaera/rng.h"

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 320000;
  size_t dim = argc > 2 ? strtoul(argv[2], NULL, 10) : 10;
  int repeats = argc > 3 ? atoi(argv[3]) : 5;
  if (n < 2 || dim < 1 || dim > SPH_CORNER_MAX_DIM || repeats < 1) {
    fprintf(stderr, "usage: bench-corner [SAMPLES>=2 [DIM 1..10 [REPEATS>=1]]]\n");
    return 1;
  }
  double *x = malloc(n * dim * sizeof *x);
  if (x == NULL)
    return 1;
  SphRng rng;
  sph_rng_init(&rng, 1, 0);
  for (size_t s = 0; s < n; s++) {
    double prev = 0.0;
    for (size_t k = 0; k < dim; k++) { /* AR(1) correlation 0.9 along the parameters */
      prev = k == 0 ? sph_rng_normal(&rng) : 0.9 * prev + 0.43589 * sph_rng_normal(&rng);
      x[s * dim + k] = prev;
    }
  }
  double best_stats = 1e300, best_draw = 1e300;
  cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 900, 900);
  for (int r = 0; r < repeats; r++) {
    double t0 = now();
    SphCorner *c = NULL;
    SphError err = SPH_ERROR_INIT;
    if (sph_corner_new(x, n, dim, NULL, NULL, &c, &err) != SPH_OK) {
      fprintf(stderr, "bench-corner: %s\n", err.message);
      return 1;
    }
    double t1 = now();
    cairo_t *cr = cairo_create(surface);
    sph_corner_draw(cr, 900, 900, c, NULL, &err);
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    double t2 = now();
    best_stats = t1 - t0 < best_stats ? t1 - t0 : best_stats;
    best_draw = t2 - t1 < best_draw ? t2 - t1 : best_draw;
    sph_corner_free(c);
  }
  cairo_surface_destroy(surface);
  printf("sphaera samples=%zu dim=%zu stats_ms=%.1f draw_ms=%.1f total_ms=%.1f\n", n, dim,
         1e3 * best_stats, 1e3 * best_draw, 1e3 * (best_stats + best_draw));
  free(x);
  sph_figure_shutdown();
  return 0;
}
