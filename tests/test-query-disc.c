/* SPDX-License-Identifier: GPL-3.0-or-later */
/* query_disc against brute force over every pixel at small NSIDE, against local checks
 * (pixels inside, their outside neighbours outside) at NSIDE up to 2^29, against the
 * ring structure for discs on the poles, and against healpy's query_disc. */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/healpix.h"
#include "sphaera/rng.h"
#include "sph-test-python.h"

static double dot3(const double a[3], const double b[3]) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* The squared chord between unit vectors: 4 sin^2(angle / 2), exact for small angles. */
static double chord2(const double a[3], const double b[3]) {
  double d[3] = {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
  return dot3(d, d);
}

static double chord2_of_angle(double r) {
  if (r >= M_PI)
    return 4.0;
  double s = sin(r / 2);
  return 4 * s * s;
}

static double angle3(const double a[3], const double b[3]) {
  double c[3] = {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
  return atan2(sqrt(dot3(c, c)), dot3(a, b));
}

static void normalise3(double v[3]) {
  double n = sqrt(dot3(v, v));
  for (int k = 0; k < 3; ++k)
    v[k] /= n;
}

static void pix2vec(int64_t nside, SphOrdering ord, int64_t pix, double v[3]) {
  if (ord == SPH_ORDER_NEST)
    sph_hp_pix2vec_nest(nside, pix, v);
  else
    sph_hp_pix2vec_ring(nside, pix, v);
}

static void corners(int64_t nside, SphOrdering ord, int64_t pix, double c[4][3]) {
  if (ord == SPH_ORDER_NEST)
    sph_hp_corners_nest(nside, pix, c);
  else
    sph_hp_corners_ring(nside, pix, c);
}

static void neighbours(int64_t nside, SphOrdering ord, int64_t pix, int64_t nb[8]) {
  if (ord == SPH_ORDER_NEST)
    sph_hp_neighbours_nest(nside, pix, nb);
  else
    sph_hp_neighbours_ring(nside, pix, nb);
}

static int64_t vec2pix(int64_t nside, SphOrdering ord, const double v[3]) {
  return ord == SPH_ORDER_NEST ? sph_hp_vec2pix_nest(nside, v) : sph_hp_vec2pix_ring(nside, v);
}

static void query(int64_t nside, SphOrdering ord, const double c[3], double r, bool inclusive,
                  int64_t **pix, int64_t *n) {
  SphError err = SPH_ERROR_INIT;
  SphStatus st = sph_hp_query_disc(nside, ord, c, r, inclusive, pix, n, &err);
  if (st != SPH_OK)
    g_error("query_disc(nside %" G_GINT64_FORMAT ", r %g): %s", nside, r, err.message);
  g_assert_nonnull(*pix);
  /* sorted, no repeats, in range */
  for (int64_t i = 0; i < *n; ++i) {
    g_assert_cmpint((*pix)[i], >=, 0);
    g_assert_cmpint((*pix)[i], <, sph_hp_nside2npix(nside));
    if (i > 0)
      g_assert_cmpint((*pix)[i - 1], <, (*pix)[i]);
  }
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static bool member(const int64_t *pix, int64_t n, int64_t p) {
  return bsearch(&p, pix, (size_t)n, sizeof *pix, cmp_i64) != NULL;
}

static void random_unit(SphRng *rng, double v[3]) {
  double z = 2 * sph_rng_uniform(rng) - 1, phi = 2 * M_PI * sph_rng_uniform(rng);
  double s = sqrt(1 - z * z);
  v[0] = s * cos(phi);
  v[1] = s * sin(phi);
  v[2] = z;
}

/* The largest distance from a pixel centre to its corners, over all pixels. */
static double max_corner_radius(int64_t nside) {
  double worst = 0;
  for (int64_t p = 0; p < sph_hp_nside2npix(nside); ++p) {
    double c[4][3], v[3];
    sph_hp_corners_ring(nside, p, c);
    sph_hp_pix2vec_ring(nside, p, v);
    for (int k = 0; k < 4; ++k)
      worst = fmax(worst, angle3(v, c[k]));
  }
  return worst;
}

/* ---- brute force over every pixel ---------------------------------------------------- */

static void test_brute_force(void) {
  SphRng rng;
  sph_rng_init(&rng, 20240612, 1);
  int64_t band = 0, checked = 0;
  for (int order = 0; order <= 5; ++order) {
    const int64_t nside = (int64_t)1 << order, npix = 12 * nside * nside;
    const double pixrad = max_corner_radius(nside);
    double (*cv)[4][3] = g_malloc_n((gsize)npix, sizeof *cv);
    double (*pv)[3] = g_malloc_n((gsize)npix, sizeof *pv);
    for (int trial = 0; trial < 40; ++trial) {
      double c[3];
      random_unit(&rng, c);
      if (trial % 7 == 3) { /* centres far off the unit sphere are normalised */
        for (int k = 0; k < 3; ++k)
          c[k] *= 5.5;
      }
      double u = sph_rng_uniform(&rng);
      double r = trial % 10 == 9 ? M_PI * (1 + u) : M_PI * u * u * u;
      double cu[3] = {c[0], c[1], c[2]};
      normalise3(cu);
      const double thr = chord2_of_angle(r);

      for (int oi = 0; oi < 2; ++oi) {
        SphOrdering ord = oi ? SPH_ORDER_NEST : SPH_ORDER_RING;
        for (int64_t p = 0; p < npix; ++p) {
          pix2vec(nside, ord, p, pv[p]);
          corners(nside, ord, p, cv[p]);
        }
        int64_t *ex, nex, *inc, ninc;
        query(nside, ord, c, r, false, &ex, &nex);
        query(nside, ord, c, r, true, &inc, &ninc);
        if (r >= M_PI) {
          g_assert_cmpint(nex, ==, npix);
          g_assert_cmpint(ninc, ==, npix);
        }
        for (int64_t p = 0; p < npix; ++p) {
          double d2 = chord2(pv[p], cu);
          bool in_ex = member(ex, nex, p), in_inc = member(inc, ninc, p);
          ++checked;
          /* exact: the pixels whose centres are in the disc, all of them; a pixel within
           * rounding of the rim may go either way */
          if (fabs(d2 - thr) <= 1e-12 * (thr + 1e-3)) {
            ++band;
          } else if ((d2 < thr) != in_ex) {
            g_error("nside %" G_GINT64_FORMAT " %s: pixel %" G_GINT64_FORMAT
                    " (centre %.6g rad from the disc's, radius %.6g) %s the exact result",
                    nside, oi ? "NEST" : "RING", p, angle3(pv[p], cu), r,
                    in_ex ? "wrongly in" : "missing from");
          }
          /* inclusive: a superset of exact, holding every pixel with its centre or a
           * corner in the disc, and nothing farther than one pixel radius outside it */
          if (in_ex)
            g_assert_true(in_inc);
          bool touches = d2 < thr * (1 - 1e-9);
          for (int k = 0; k < 4; ++k)
            touches = touches || chord2(cv[p][k], cu) < thr * (1 - 1e-9);
          if (touches && !in_inc)
            g_error("nside %" G_GINT64_FORMAT " %s: pixel %" G_GINT64_FORMAT
                    " overlaps the disc (radius %.6g) but inclusive left it out",
                    nside, oi ? "NEST" : "RING", p, r);
          if (in_inc && r < M_PI)
            g_assert_cmpfloat(angle3(pv[p], cu), <=, r + pixrad * (1 + 1e-9) + 1e-12);
        }
        /* the disc's centre pixel always overlaps it */
        g_assert_true(member(inc, ninc, vec2pix(nside, ord, c)));
        free(ex);
        free(inc);
      }
    }
    g_free(cv);
    g_free(pv);
  }
  g_test_message("%" G_GINT64_FORMAT " pixel decisions checked, %" G_GINT64_FORMAT
                 " within rounding of a rim",
                 checked, band);
  g_assert_cmpint(band, <, checked / 100000 + 5);
}

/* RING and NEST name the same exact set. */
static void test_orderings_agree(void) {
  SphRng rng;
  sph_rng_init(&rng, 20240612, 2);
  for (int order = 0; order <= 12; order += 2) {
    const int64_t nside = (int64_t)1 << order;
    for (int trial = 0; trial < 20; ++trial) {
      double c[3];
      random_unit(&rng, c);
      double r = (0.2 + 30 * sph_rng_uniform(&rng)) * sqrt(4 * M_PI / (double)sph_hp_nside2npix(nside));
      if (r > 2.0)
        r = 2.0 * sph_rng_uniform(&rng);
      int64_t *rp, nr, *np, nn;
      query(nside, SPH_ORDER_RING, c, r, false, &rp, &nr);
      query(nside, SPH_ORDER_NEST, c, r, false, &np, &nn);
      g_assert_cmpint(nr, ==, nn);
      for (int64_t i = 0; i < nr; ++i)
        rp[i] = sph_hp_ring2nest(nside, rp[i]);
      qsort(rp, (size_t)nr, sizeof *rp, cmp_i64);
      for (int64_t i = 0; i < nr; ++i)
        g_assert_cmpint(rp[i], ==, np[i]);
      free(rp);
      free(np);
    }
  }
}

/* A disc on a pole holds whole rings: those whose colatitude is within the radius. */
static void test_polar_discs(void) {
  const double north[3] = {0, 0, 1}, south[3] = {0, 0, -1};
  for (int order = 0; order <= 29; order += (order < 10 ? 1 : 6)) {
    const int64_t nside = (int64_t)1 << order;
    const int64_t nrings = sph_hp_nrings(nside);
    const int64_t probe_rings[] = {1, 2, 3, nside, 2 * nside, 3 * nside - 1};
    for (size_t i = 0; i < G_N_ELEMENTS(probe_rings); ++i) {
      int64_t k = probe_rings[i];
      if (k < 1 || k > nrings - 1)
        continue;
      /* halfway between ring k and ring k+1 */
      SphHpRingInfo a, b;
      sph_hp_ring_info(nside, k, &a);
      sph_hp_ring_info(nside, k + 1, &b);
      double r = 0.5 * (a.theta + b.theta);
      int64_t expected = a.first_pixel + a.npixels;
      if (expected > 3000000)
        continue;
      for (int oi = 0; oi < 2; ++oi) {
        SphOrdering ord = oi ? SPH_ORDER_NEST : SPH_ORDER_RING;
        int64_t *pix, n;
        query(nside, ord, north, r, false, &pix, &n);
        g_assert_cmpint(n, ==, expected);
        if (ord == SPH_ORDER_RING)
          g_assert_cmpint(pix[n - 1], ==, expected - 1);
        free(pix);
        query(nside, ord, south, r, false, &pix, &n);
        g_assert_cmpint(n, ==, expected);
        if (ord == SPH_ORDER_RING)
          g_assert_cmpint(pix[0], ==, sph_hp_nside2npix(nside) - expected);
        free(pix);
      }
    }
  }
}

static void test_edge_cases(void) {
  const double c[3] = {0.3, -0.4, 0.5};
  int64_t *pix, n;
  /* radius >= pi: the whole sphere */
  query(8, SPH_ORDER_NEST, c, M_PI, false, &pix, &n);
  g_assert_cmpint(n, ==, 768);
  free(pix);
  query(8, SPH_ORDER_RING, c, 10.0, true, &pix, &n);
  g_assert_cmpint(n, ==, 768);
  free(pix);
  /* radius 0: no centre lies exactly on a random point; inclusive still has its pixel */
  query(64, SPH_ORDER_RING, c, 0.0, false, &pix, &n);
  g_assert_cmpint(n, ==, 0);
  free(pix);
  query(64, SPH_ORDER_NEST, c, 0.0, true, &pix, &n);
  g_assert_true(member(pix, n, sph_hp_vec2pix_nest(64, c)));
  free(pix);
  /* the centre's length does not matter, however large or small */
  const double big[3] = {3e300, -4e300, 5e300}, small[3] = {3e-300, -4e-300, 5e-300};
  int64_t *p2, n2;
  query(64, SPH_ORDER_RING, c, 0.05, false, &pix, &n);
  query(64, SPH_ORDER_RING, big, 0.05, false, &p2, &n2);
  g_assert_cmpint(n2, ==, n);
  g_assert_cmpmem(p2, (gsize)n2 * sizeof *p2, pix, (gsize)n * sizeof *pix);
  free(p2);
  query(64, SPH_ORDER_RING, small, 0.05, false, &p2, &n2);
  g_assert_cmpmem(p2, (gsize)n2 * sizeof *p2, pix, (gsize)n * sizeof *pix);
  free(p2);
  free(pix);
  /* a tiny disc on a pixel centre: that pixel */
  double v[3];
  for (int oi = 0; oi < 2; ++oi) {
    SphOrdering ord = oi ? SPH_ORDER_NEST : SPH_ORDER_RING;
    pix2vec(16, ord, 1234, v);
    query(16, ord, v, 1e-12, false, &pix, &n);
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpint(pix[0], ==, 1234);
    free(pix);
  }

  /* bad arguments: an error a user can act on, nothing allocated */
  struct {
    int64_t nside;
    int ord;
    double v[3];
    double r;
    const char *needle;
  } bad[] = {
      {3, SPH_ORDER_RING, {0, 0, 1}, 0.1, "NSIDE=3"},
      {0, SPH_ORDER_RING, {0, 0, 1}, 0.1, "NSIDE=0"},
      {SPH_HP_MAX_NSIDE * 2, SPH_ORDER_NEST, {0, 0, 1}, 0.1, "NSIDE=1073741824"},
      {16, 7, {0, 0, 1}, 0.1, "ordering"},
      {16, SPH_ORDER_RING, {0, 0, 0}, 0.1, "not a direction"},
      {16, SPH_ORDER_RING, {NAN, 0, 1}, 0.1, "not a direction"},
      {16, SPH_ORDER_NEST, {0, 0, 1}, -0.1, "radius"},
      {16, SPH_ORDER_NEST, {0, 0, 1}, NAN, "radius"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); ++i) {
    SphError err = SPH_ERROR_INIT;
    pix = (int64_t *)&err;
    n = 99;
    SphStatus st = sph_hp_query_disc(bad[i].nside, (SphOrdering)bad[i].ord, bad[i].v, bad[i].r,
                                     false, &pix, &n, &err);
    g_assert_cmpint(st, ==, SPH_ERR_INVALID);
    g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
    if (!strstr(err.message, bad[i].needle))
      g_error("expected \"%s\" in \"%s\"", bad[i].needle, err.message);
    g_assert_null(pix);
    g_assert_cmpint(n, ==, 0);
  }
  /* a disc too big to list at NSIDE 2^29 fails fast, with a message that says so */
  for (int oi = 0; oi < 2; ++oi) {
    SphError big = SPH_ERROR_INIT;
    g_assert_cmpint(sph_hp_query_disc(SPH_HP_MAX_NSIDE, oi ? SPH_ORDER_NEST : SPH_ORDER_RING, c,
                                      0.5, oi, &pix, &n, &big),
                    ==, SPH_ERR_NOMEM);
    g_assert_nonnull(strstr(big.message, "too many to list"));
    g_assert_null(pix);
  }
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_hp_query_disc(16, SPH_ORDER_RING, c, 0.1, false, NULL, &n, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_cmpint(sph_hp_query_disc(16, SPH_ORDER_RING, c, 0.1, false, NULL, &n, NULL), ==,
                  SPH_ERR_INVALID);
}

/* ---- large NSIDE: local exactness ----------------------------------------------------- */

static void test_large_nside(void) {
  SphRng rng;
  sph_rng_init(&rng, 20240612, 3);
  const int orders[] = {16, 20, 24, 28, 29};
  for (size_t oi = 0; oi < G_N_ELEMENTS(orders); ++oi) {
    const int64_t nside = (int64_t)1 << orders[oi];
    const double pixsize = sqrt(4 * M_PI / (double)sph_hp_nside2npix(nside));
    for (int trial = 0; trial < 24; ++trial) {
      double c[3];
      random_unit(&rng, c);
      if (trial % 4 == 1) { /* within a few pixels of a pole */
        double t = 5 * pixsize * sph_rng_uniform(&rng), ph = 2 * M_PI * sph_rng_uniform(&rng);
        c[0] = sin(t) * cos(ph);
        c[1] = sin(t) * sin(ph);
        c[2] = (trial % 8 == 1) ? cos(t) : -cos(t);
      } else if (trial % 4 == 2) { /* near the polar cap boundary */
        double t = acos(2.0 / 3.0) + pixsize * (sph_rng_uniform(&rng) - 0.5) * 10;
        double ph = 2 * M_PI * sph_rng_uniform(&rng);
        c[0] = sin(t) * cos(ph);
        c[1] = sin(t) * sin(ph);
        c[2] = cos(t);
      }
      const double r = (0.3 + 8 * sph_rng_uniform(&rng)) * pixsize;
      const double thr = chord2_of_angle(r);
      for (int s = 0; s < 2; ++s) {
        SphOrdering ord = s ? SPH_ORDER_NEST : SPH_ORDER_RING;
        int64_t *ex, nex, *inc, ninc;
        query(nside, ord, c, r, false, &ex, &nex);
        query(nside, ord, c, r, true, &inc, &ninc);
        /* about pi r^2 / pixel area of them */
        double expect = M_PI * r * r / (pixsize * pixsize);
        g_assert_cmpfloat(fabs((double)nex - expect), <=, 4 * (2 * M_PI * r / pixsize) + 4);
        /* exact: every centre inside; every neighbour of the set (and the centre's pixel
         * with its neighbours) outside unless in the set: the set is the disc's */
        int64_t cpix = vec2pix(nside, ord, c);
        int64_t seeds = nex + 1;
        for (int64_t i = 0; i < seeds; ++i) {
          int64_t p = i < nex ? ex[i] : cpix;
          double v[3];
          pix2vec(nside, ord, p, v);
          if (i < nex)
            g_assert_cmpfloat(chord2(v, c), <=, thr * (1 + 1e-9));
          int64_t nb[9];
          neighbours(nside, ord, p, nb);
          nb[8] = p;
          for (int k = 0; k < 9; ++k) {
            if (nb[k] < 0 || member(ex, nex, nb[k]))
              continue;
            pix2vec(nside, ord, nb[k], v);
            if (chord2(v, c) < thr * (1 - 1e-9))
              g_error("nside 2^%d %s: pixel %" G_GINT64_FORMAT " is %.4g pixels from the "
                      "centre of a disc of radius %.4g pixels but not in the exact result",
                      orders[oi], s ? "NEST" : "RING", nb[k], angle3(v, c) / pixsize,
                      r / pixsize);
          }
        }
        /* inclusive: holds the exact set, the centre's pixel, and every neighbour of
         * them with a corner in the disc */
        g_assert_true(member(inc, ninc, cpix));
        for (int64_t i = 0; i < seeds; ++i) {
          int64_t p = i < nex ? ex[i] : cpix;
          g_assert_true(member(inc, ninc, p));
          int64_t nb[8];
          neighbours(nside, ord, p, nb);
          for (int k = 0; k < 8; ++k) {
            if (nb[k] < 0 || member(inc, ninc, nb[k]))
              continue;
            double cc[4][3];
            corners(nside, ord, nb[k], cc);
            for (int j = 0; j < 4; ++j)
              if (chord2(cc[j], c) < thr * (1 - 1e-9))
                g_error("nside 2^%d %s: pixel %" G_GINT64_FORMAT " has a corner in the disc "
                        "but is not in the inclusive result",
                        orders[oi], s ? "NEST" : "RING", nb[k]);
          }
        }
        g_assert_cmpint(ninc, >=, nex);
        free(ex);
        free(inc);
      }
    }
  }
}

/* ---- healpy ------------------------------------------------------------------------------ */

static void test_healpy(void) {
  const char *args[] = { "query", NULL };
  gchar *out = sph_test_run_python_file("healpy_ref_healpix.py", args, FALSE);
  if (!out) {
    g_test_skip("SPHAERA_PYTHON is not set: no healpy to compare with");
    return;
  }
  gchar **lines = g_strsplit(out, "\n", -1);
  int64_t records = 0, pixels = 0;
  for (gchar **l = lines; *l; ++l) {
    if (!**l)
      continue;
    gchar **f = g_strsplit(*l, " ", -1);
    guint nf = g_strv_length(f);
    g_assert_cmpstr(f[0], ==, "Q");
    g_assert_cmpuint(nf, >=, 10);
    int64_t nside = g_ascii_strtoll(f[1], NULL, 10);
    SphOrdering ord = g_ascii_strtoll(f[2], NULL, 10) ? SPH_ORDER_NEST : SPH_ORDER_RING;
    bool inclusive = g_ascii_strtoll(f[3], NULL, 10) != 0;
    int64_t fact = g_ascii_strtoll(f[4], NULL, 10);
    /* sphaera tests overlap at 4 nside, as healpy's default, as far as 2^29 allows */
    g_assert_cmpint(fact, ==, MIN(4, SPH_HP_MAX_NSIDE / nside));
    double c[3] = {g_ascii_strtod(f[5], NULL), g_ascii_strtod(f[6], NULL),
                   g_ascii_strtod(f[7], NULL)};
    double r = g_ascii_strtod(f[8], NULL);
    int64_t count = g_ascii_strtoll(f[9], NULL, 10);
    g_assert_cmpuint(nf, ==, 10 + (guint)count);
    int64_t *pix, n;
    query(nside, ord, c, r, inclusive, &pix, &n);
    if (n != count)
      g_error("query_disc(nside %" G_GINT64_FORMAT ", %s, radius %.17g, inclusive %d): "
              "sphaera %" G_GINT64_FORMAT " pixels, healpy %" G_GINT64_FORMAT,
              nside, ord == SPH_ORDER_NEST ? "NEST" : "RING", r, inclusive, n, count);
    for (int64_t i = 0; i < n; ++i)
      if (pix[i] != g_ascii_strtoll(f[10 + i], NULL, 10))
        g_error("query_disc(nside %" G_GINT64_FORMAT ", %s, radius %.17g, inclusive %d): "
                "entry %" G_GINT64_FORMAT ": sphaera %" G_GINT64_FORMAT ", healpy %s",
                nside, ord == SPH_ORDER_NEST ? "NEST" : "RING", r, inclusive, i, pix[i],
                f[10 + i]);
    pixels += n;
    ++records;
    free(pix);
    g_strfreev(f);
  }
  g_test_message("healpy: %" G_GINT64_FORMAT " discs, %" G_GINT64_FORMAT " pixels, all equal",
                 records, pixels);
  g_assert_cmpint(records, >=, 400);
  g_strfreev(lines);
  g_free(out);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/query-disc/brute-force", test_brute_force);
  g_test_add_func("/query-disc/orderings-agree", test_orderings_agree);
  g_test_add_func("/query-disc/polar-discs", test_polar_discs);
  g_test_add_func("/query-disc/edge-cases", test_edge_cases);
  g_test_add_func("/query-disc/large-nside", test_large_nside);
  g_test_add_func("/query-disc/healpy", test_healpy);
  return g_test_run();
}
