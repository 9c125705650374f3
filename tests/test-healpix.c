/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HEALPix pixel functions: exhaustive identities at small NSIDE, random samples up to
 * NSIDE 2^29, values published in the healpy documentation and the HEALPix paper
 * (Gorski et al. 2005), and healpy itself where SPHAERA_PYTHON is set. */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/healpix.h"
#include "sphaera/rng.h"
#include "sph-test-python.h"

/* ---- helpers ------------------------------------------------------------------------- */

static double dot3(const double a[3], const double b[3]) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* The angle between two vectors, accurate for small angles too. */
static double angle3(const double a[3], const double b[3]) {
  double c[3] = {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
  return atan2(sqrt(dot3(c, c)), dot3(a, b));
}

static void ang2vec(double theta, double phi, double v[3]) {
  v[0] = sin(theta) * cos(phi);
  v[1] = sin(theta) * sin(phi);
  v[2] = cos(theta);
}

static void normalise3(double v[3]) {
  double n = sqrt(dot3(v, v));
  v[0] /= n;
  v[1] /= n;
  v[2] /= n;
}

/* The point a fraction t of the way from a towards b (t < 0: beyond a, away from b). */
static void toward(const double a[3], const double b[3], double t, double out[3]) {
  for (int k = 0; k < 3; ++k)
    out[k] = a[k] + t * (b[k] - a[k]);
  normalise3(out);
}

typedef struct {
  SphOrdering ord;
  const char *name;
  int64_t (*ang2pix)(int64_t, double, double);
  void (*pix2ang)(int64_t, int64_t, double *, double *);
  int64_t (*vec2pix)(int64_t, const double[3]);
  void (*pix2vec)(int64_t, int64_t, double[3]);
  void (*corners)(int64_t, int64_t, double[4][3]);
  void (*neighbours)(int64_t, int64_t, int64_t[8]);
} Scheme;

static const Scheme schemes[2] = {
    {SPH_ORDER_RING, "RING", sph_hp_ang2pix_ring, sph_hp_pix2ang_ring, sph_hp_vec2pix_ring,
     sph_hp_pix2vec_ring, sph_hp_corners_ring, sph_hp_neighbours_ring},
    {SPH_ORDER_NEST, "NEST", sph_hp_ang2pix_nest, sph_hp_pix2ang_nest, sph_hp_vec2pix_nest,
     sph_hp_pix2vec_nest, sph_hp_corners_nest, sph_hp_neighbours_nest},
};

/* NEST index from face coordinates, written independently of the library (bit by bit). */
static int64_t nest_from_xyf(int order, int64_t ix, int64_t iy, int face) {
  int64_t p = 0;
  for (int bit = 0; bit < order; ++bit)
    p |= (((ix >> bit) & 1) << (2 * bit)) | (((iy >> bit) & 1) << (2 * bit + 1));
  return ((int64_t)face << (2 * order)) + p;
}

static bool contains8(const int64_t nb[8], int64_t p) {
  for (int i = 0; i < 8; ++i)
    if (nb[i] == p)
      return true;
  return false;
}

/* Corner and neighbour checks shared by the exhaustive and the random tests. */
static void check_pixel_corners(const Scheme *s, int64_t nside, int64_t pix) {
  double corners[4][3], centre[3];
  int64_t nb[8];
  s->corners(nside, pix, corners);
  s->pix2vec(nside, pix, centre);
  s->neighbours(nside, pix, nb);
  for (int k = 0; k < 4; ++k) {
    g_assert_cmpfloat_with_epsilon(dot3(corners[k], corners[k]), 1.0, 1e-15);
    double in[3], out[3];
    toward(corners[k], centre, 0.01, in);
    toward(corners[k], centre, -0.01, out);
    /* a point just inside the corner is in the pixel, one just beyond it is in a
     * neighbour */
    if (s->vec2pix(nside, in) != pix)
      g_error("%s nside %" G_GINT64_FORMAT " pixel %" G_GINT64_FORMAT
              ": a point inside corner %d maps to %" G_GINT64_FORMAT,
              s->name, nside, pix, k, s->vec2pix(nside, in));
    int64_t beyond = s->vec2pix(nside, out);
    if (beyond == pix || !contains8(nb, beyond))
      g_error("%s nside %" G_GINT64_FORMAT " pixel %" G_GINT64_FORMAT
              ": a point beyond corner %d maps to %" G_GINT64_FORMAT ", not a neighbour",
              s->name, nside, pix, k, beyond);
  }
  /* the corners run N, W, S, E: north is the one with largest z, south the smallest */
  for (int k = 0; k < 4; ++k) {
    g_assert_cmpfloat(corners[0][2], >=, corners[k][2] - 1e-15);
    g_assert_cmpfloat(corners[2][2], <=, corners[k][2] + 1e-15);
  }
}

static void check_neighbour_symmetry(const Scheme *s, int64_t nside, int64_t pix) {
  int64_t nb[8], back[8];
  s->neighbours(nside, pix, nb);
  for (int i = 0; i < 8; ++i) {
    if (nb[i] < 0) {
      /* only the diagonal neighbours W, N, E, S can be missing */
      g_assert_cmpint(i % 2, ==, 1);
      continue;
    }
    g_assert_cmpint(nb[i], !=, pix);
    g_assert_cmpint(nb[i], <, sph_hp_nside2npix(nside));
    for (int j = 0; j < i; ++j)
      g_assert_cmpint(nb[j], !=, nb[i]);
    s->neighbours(nside, nb[i], back);
    if (!contains8(back, pix))
      g_error("%s nside %" G_GINT64_FORMAT ": %" G_GINT64_FORMAT " is a neighbour of %" G_GINT64_FORMAT
              " but not the reverse",
              s->name, nside, nb[i], pix);
  }
}

/* ---- NSIDE helpers and UNSEEN ------------------------------------------------------- */

static void test_nside(void) {
  for (int order = 0; order <= SPH_HP_MAX_ORDER; ++order) {
    int64_t nside = (int64_t)1 << order;
    g_assert_true(sph_hp_nside_valid(nside));
    g_assert_cmpint(sph_hp_nside2order(nside), ==, order);
    g_assert_cmpint(sph_hp_nside2npix(nside), ==, 12 * nside * nside);
    g_assert_cmpint(sph_hp_npix2nside(12 * nside * nside), ==, nside);
    g_assert_cmpint(sph_hp_nrings(nside), ==, 4 * nside - 1);
    g_assert_cmpfloat(fabs(sph_hp_pixel_area(nside) * (double)(12 * nside * nside) / (4 * M_PI) - 1),
                      <, 1e-15);
    if (nside > 2) {
      g_assert_false(sph_hp_nside_valid(nside + 1));
      g_assert_cmpint(sph_hp_nside2order(nside - 1), ==, -1);
      g_assert_cmpint(sph_hp_npix2nside(12 * nside * nside + 12), ==, -1);
    }
  }
  const int64_t bad[] = {0, -1, -4, 3, 6, 12, 100, SPH_HP_MAX_NSIDE * 2, INT64_MAX};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); ++i) {
    g_assert_false(sph_hp_nside_valid(bad[i]));
    g_assert_cmpint(sph_hp_nside2order(bad[i]), ==, -1);
  }
  /* 12 * 3^2: a square count, but NSIDE 3 is not a power of two */
  g_assert_cmpint(sph_hp_npix2nside(108), ==, -1);
  g_assert_cmpint(sph_hp_npix2nside(0), ==, -1);
  g_assert_cmpint(sph_hp_npix2nside(13), ==, -1);
  g_assert_cmpint(sph_hp_npix2nside(48), ==, 2);
  /* 12 * 2^59: not 12 times a square */
  g_assert_cmpint(sph_hp_npix2nside(12 * ((int64_t)1 << 59)), ==, -1);
  g_assert_cmpint(sph_hp_npix2nside(12 * ((int64_t)1 << 58)), ==, SPH_HP_MAX_NSIDE);
  /* NSIDE 1: 12 pixels of 4 pi / 12 sr */
  g_assert_cmpfloat_with_epsilon(sph_hp_pixel_area(1), M_PI / 3, 1e-16);
}

static void test_unseen(void) {
  /* healpy's mask_bad: |m - UNSEEN| <= 1e-8 + 1e-5 |UNSEEN| */
  double tol = 1e-8 + 1e-5 * 1.6375e30;
  g_assert_true(sph_hp_is_unseen(SPH_UNSEEN));
  g_assert_true(sph_hp_is_unseen(-1.6375e30));
  g_assert_true(sph_hp_is_unseen(SPH_UNSEEN + 0.999 * tol));
  g_assert_true(sph_hp_is_unseen(SPH_UNSEEN - 0.999 * tol));
  g_assert_false(sph_hp_is_unseen(SPH_UNSEEN + 1.001 * tol));
  g_assert_false(sph_hp_is_unseen(SPH_UNSEEN - 1.001 * tol));
  g_assert_true(sph_hp_is_unseen(NAN));
  g_assert_false(sph_hp_is_unseen(0.0));
  g_assert_false(sph_hp_is_unseen(1.6375e30));
  g_assert_false(sph_hp_is_unseen(-INFINITY));
  g_assert_false(sph_hp_is_unseen(-1.6e30));
}

/* ---- published values ---------------------------------------------------------------- */

static void test_known_values(void) {
  /* healpy documentation examples (ang2pix, pix2ang, vec2pix, pix2vec, ring2nest,
   * nest2ring, get_all_neighbours, boundaries) */
  g_assert_cmpint(sph_hp_ang2pix_ring(16, M_PI / 2, 0), ==, 1440);
  const double th[5] = {M_PI / 2, M_PI / 4, M_PI / 2, 0, M_PI};
  const double ph[5] = {0., M_PI / 4, M_PI / 2 + 1e-15, 0, 0};
  const int64_t ring16[5] = {1440, 427, 1520, 0, 3068};
  for (int i = 0; i < 5; ++i)
    g_assert_cmpint(sph_hp_ang2pix_ring(16, th[i], ph[i]), ==, ring16[i]);
  const int64_t eq[5] = {4, 12, 72, 336, 1440};
  for (int k = 0; k < 5; ++k)
    g_assert_cmpint(sph_hp_ang2pix_ring((int64_t)1 << k, M_PI / 2, 0), ==, eq[k]);

  double t, p;
  sph_hp_pix2ang_ring(16, 1440, &t, &p);
  g_assert_cmpfloat_with_epsilon(t, 1.5291175943723188, 1e-15);
  g_assert_cmpfloat(p, ==, 0.0);
  const double t16[5] = {1.52911759, 0.78550497, 1.57079633, 0.05103658, 3.09055608};
  const double p16[5] = {0., 0.78539816, 1.61988371, 0.78539816, 0.78539816};
  for (int i = 0; i < 5; ++i) {
    sph_hp_pix2ang_ring(16, ring16[i], &t, &p);
    g_assert_cmpfloat_with_epsilon(t, t16[i], 6e-9);
    g_assert_cmpfloat_with_epsilon(p, p16[i], 6e-9);
  }
  const double t11[4] = {2.30052398, 0.84106867, 0.41113786, 0.2044802};
  const double p11[4] = {5.49778714, 5.89048623, 5.89048623, 5.89048623};
  for (int k = 0; k < 4; ++k) {
    sph_hp_pix2ang_ring((int64_t)1 << k, 11, &t, &p);
    g_assert_cmpfloat_with_epsilon(t, t11[k], 6e-9);
    g_assert_cmpfloat_with_epsilon(p, p11[k], 6e-9);
  }

  const double ex[3] = {1, 0, 0}, ey[3] = {0, 1, 0};
  g_assert_cmpint(sph_hp_vec2pix_ring(16, ex), ==, 1504);
  g_assert_cmpint(sph_hp_vec2pix_ring(16, ey), ==, 1520);
  const int64_t vx[4] = {4, 20, 88, 368};
  for (int k = 0; k < 4; ++k)
    g_assert_cmpint(sph_hp_vec2pix_ring((int64_t)1 << k, ex), ==, vx[k]);
  double v[3];
  sph_hp_pix2vec_ring(16, 1504, v);
  g_assert_cmpfloat_with_epsilon(v[0], 0.9987954562051724, 1e-15);
  g_assert_cmpfloat_with_epsilon(v[1], 0.049067674327418015, 1e-15);
  g_assert_cmpfloat(v[2], ==, 0.0);
  sph_hp_pix2vec_ring(2, 11, v);
  g_assert_cmpfloat_with_epsilon(v[0], 0.68861915, 6e-9);
  g_assert_cmpfloat_with_epsilon(v[1], -0.28523539, 6e-9);
  g_assert_cmpfloat_with_epsilon(v[2], 2.0 / 3.0, 1e-15);

  g_assert_cmpint(sph_hp_ring2nest(16, 1504), ==, 1130);
  g_assert_cmpint(sph_hp_nest2ring(16, 1130), ==, 1504);
  const int64_t r2n2[10] = {3, 7, 11, 15, 2, 1, 6, 5, 10, 9};
  const int64_t n2r2[10] = {13, 5, 4, 0, 15, 7, 6, 1, 17, 9};
  for (int i = 0; i < 10; ++i) {
    g_assert_cmpint(sph_hp_ring2nest(2, i), ==, r2n2[i]);
    g_assert_cmpint(sph_hp_nest2ring(2, i), ==, n2r2[i]);
  }
  const int64_t r2n11[4] = {11, 13, 61, 253}, n2r11[4] = {11, 2, 12, 211};
  for (int k = 0; k < 4; ++k) {
    g_assert_cmpint(sph_hp_ring2nest((int64_t)1 << k, 11), ==, r2n11[k]);
    g_assert_cmpint(sph_hp_nest2ring((int64_t)1 << k, 11), ==, n2r11[k]);
  }

  int64_t nb[8];
  const int64_t nb4[8] = {11, 7, 3, -1, 0, 5, 8, -1};
  sph_hp_neighbours_ring(1, 4, nb);
  for (int i = 0; i < 8; ++i)
    g_assert_cmpint(nb[i], ==, nb4[i]);
  const int64_t nb6[8] = {8, 4, 0, -1, 1, 6, 9, -1};
  sph_hp_neighbours_ring(1, sph_hp_ang2pix_ring(1, M_PI / 2, M_PI / 2), nb);
  for (int i = 0; i < 8; ++i)
    g_assert_cmpint(nb[i], ==, nb6[i]);

  /* boundaries(2, 5): corners N, W, S, E as printed in healpy's docstring */
  const double b5[3][4] = {{2.44716655e-17, 5.27046277e-01, 3.60797400e-01, 4.56398915e-17},
                           {3.99652627e-01, 5.27046277e-01, 8.71041977e-01, 7.45355992e-01},
                           {9.16666667e-01, 6.66666667e-01, 3.33333333e-01, 6.66666667e-01}};
  double c[4][3];
  sph_hp_corners_ring(2, 5, c);
  for (int k = 0; k < 4; ++k)
    for (int a = 0; a < 3; ++a)
      g_assert_cmpfloat_with_epsilon(c[k][a], b5[a][k], 6e-9);

  /* NSIDE 1 (Gorski et al. 2005, fig. 3): ring 1 at z = 2/3, ring 2 on the equator,
   * ring 3 at z = -2/3; pixel centres at phi = pi/4 + k pi/2 in the shifted rings */
  for (int64_t pix = 0; pix < 12; ++pix) {
    sph_hp_pix2ang_ring(1, pix, &t, &p);
    double z = pix < 4 ? 2.0 / 3.0 : (pix < 8 ? 0.0 : -2.0 / 3.0);
    double phi = (pix % 4) * M_PI / 2 + (pix >= 4 && pix < 8 ? 0 : M_PI / 4);
    g_assert_cmpfloat_with_epsilon(cos(t), z, 1e-15);
    g_assert_cmpfloat_with_epsilon(p, phi, 1e-15);
    /* at NSIDE 1 the two orderings coincide */
    g_assert_cmpint(sph_hp_ring2nest(1, pix), ==, pix);
  }
}

/* ---- every pixel, NSIDE 1 .. 64 -------------------------------------------------------- */

static void test_exhaustive(void) {
  for (int order = 0; order <= 6; ++order) {
    const int64_t nside = (int64_t)1 << order, npix = 12 * nside * nside;
    guint8 *seen = g_malloc0((size_t)npix);
    double max_corner_dist = 0;
    for (int64_t p = 0; p < npix; ++p) {
      /* orderings: inverse bijections */
      int64_t n = sph_hp_ring2nest(nside, p);
      g_assert_cmpint(n, >=, 0);
      g_assert_cmpint(n, <, npix);
      g_assert_cmpint(sph_hp_nest2ring(nside, n), ==, p);
      g_assert_cmpint(sph_hp_ring2nest(nside, sph_hp_nest2ring(nside, p)), ==, p);
      g_assert_cmpint(seen[n], ==, 0);
      seen[n] = 1;

      /* the same pixel in both orderings has the same centre */
      double tr, pr, tn, pn, vr[3], vn[3];
      sph_hp_pix2ang_ring(nside, p, &tr, &pr);
      sph_hp_pix2ang_nest(nside, n, &tn, &pn);
      g_assert_cmpfloat(fabs(tr - tn), <=, 1e-15);
      g_assert_cmpfloat(fabs(pr - pn), <=, 5e-15);
      g_assert_cmpfloat(pr, >=, 0);
      g_assert_cmpfloat(pr, <, 2 * M_PI);

      for (int si = 0; si < 2; ++si) {
        const Scheme *s = &schemes[si];
        int64_t q = s->ord == SPH_ORDER_RING ? p : n;
        double t, ph, v[3], va[3];
        s->pix2ang(nside, q, &t, &ph);
        g_assert_cmpint(s->ang2pix(nside, t, ph), ==, q);
        s->pix2vec(nside, q, v);
        g_assert_cmpfloat_with_epsilon(dot3(v, v), 1.0, 1e-15);
        g_assert_cmpint(s->vec2pix(nside, v), ==, q);
        ang2vec(t, ph, va);
        g_assert_cmpfloat(angle3(v, va), <, 1e-15);
        /* phi + 2 pi k and a vector of any length name the same pixel */
        g_assert_cmpint(s->ang2pix(nside, t, ph - 4 * M_PI), ==, q);
        double v3[3] = {3 * v[0], 3 * v[1], 3 * v[2]};
        g_assert_cmpint(s->vec2pix(nside, v3), ==, q);
        check_neighbour_symmetry(s, nside, q);
        check_pixel_corners(s, nside, q);
      }
      sph_hp_pix2vec_ring(nside, p, vr);
      sph_hp_pix2vec_nest(nside, n, vn);
      g_assert_cmpfloat(angle3(vr, vn), <=, 1e-15);

      /* a NEST pixel's centre is the common corner of its 4 children at 2 nside; each
       * child's centre lies in the parent */
      for (int c = 0; c < 4; ++c) {
        double cv[3];
        sph_hp_pix2vec_nest(2 * nside, 4 * n + c, cv);
        g_assert_cmpint(sph_hp_vec2pix_nest(nside, cv), ==, n);
      }

      /* neighbours across an edge share two corners, across a corner one */
      double cp[4][3], cq[4][3];
      int64_t nb[8];
      sph_hp_corners_ring(nside, p, cp);
      sph_hp_neighbours_ring(nside, p, nb);
      for (int k = 0; k < 4; ++k)
        max_corner_dist = fmax(max_corner_dist, angle3(vr, cp[k]));
      int missing = 0;
      for (int i = 0; i < 8; ++i) {
        if (nb[i] < 0) {
          ++missing;
          continue;
        }
        sph_hp_corners_ring(nside, nb[i], cq);
        int shared = 0;
        for (int a = 0; a < 4; ++a)
          for (int b = 0; b < 4; ++b)
            if (angle3(cp[a], cq[b]) < 1e-12)
              ++shared;
        g_assert_cmpint(shared, ==, (i % 2 == 0) ? 2 : 1);
      }
      /* only where three base faces meet (8 points, 3 pixels each) does one lack a
       * neighbour; at NSIDE 1 every base pixel touches two such points */
      g_assert_cmpint(missing, <=, nside == 1 ? 2 : 1);
      seen[n] |= (guint8)(missing << 1);
    }
    int64_t total_missing = 0;
    for (int64_t p = 0; p < npix; ++p)
      total_missing += seen[p] >> 1;
    g_assert_cmpint(total_missing, ==, 24);
    g_free(seen);

    /* pixels are about sqrt(4 pi / npix) across, none more than twice that */
    g_assert_cmpfloat(max_corner_dist, >, 0.5 * sqrt(4 * M_PI / (double)npix));
    g_assert_cmpfloat(max_corner_dist, <, 2 * sqrt(4 * M_PI / (double)npix));
  }
}

/* ---- rings --------------------------------------------------------------------------- */

static void check_ring(int64_t nside, int64_t r) {
  const double n = (double)nside;
  SphHpRingInfo info;
  sph_hp_ring_info(nside, r, &info);
  int64_t northring = r <= 2 * nside ? r : 4 * nside - r;
  g_assert_cmpint(info.npixels, ==, northring < nside ? 4 * northring : 4 * nside);
  /* a ring starts where the one before it ends */
  if (r == 1) {
    g_assert_cmpint(info.first_pixel, ==, 0);
  } else {
    SphHpRingInfo before;
    sph_hp_ring_info(nside, r - 1, &before);
    g_assert_cmpint(info.first_pixel, ==, before.first_pixel + before.npixels);
    g_assert_cmpfloat(before.theta, <, info.theta);
  }
  /* Gorski et al. (2005) eqs. 4, 5 and 8: 1 - |z| = k^2 / (3 nside^2) in the polar caps
   * (written 2 sin^2(theta/2), which tests theta to full relative precision near the
   * poles) and z = 4/3 - 2 k / (3 nside) in the equatorial belt */
  if (northring < nside && r == northring) {
    double one_minus_z = (double)(northring * northring) / (3 * n * n);
    double half = info.theta / 2;
    g_assert_cmpfloat(fabs(2 * sin(half) * sin(half) / one_minus_z - 1), <, 1e-14);
  } else if (northring < nside) {
    /* south: the mirror image of the north; theta near pi is only good to ulp(pi) */
    SphHpRingInfo mirror;
    sph_hp_ring_info(nside, northring, &mirror);
    g_assert_cmpfloat(fabs(info.theta - (M_PI - mirror.theta)), <=, 4.5e-16);
  } else {
    g_assert_cmpfloat(fabs(cos(info.theta) - (4.0 / 3.0 - 2.0 * (double)r / (3 * n))), <, 1e-15);
  }
  /* shifted rings: in the caps, and every other ring of the belt from ring nside on */
  g_assert_true(info.shifted == (northring < nside || ((northring - nside) % 2) == 0));
  g_assert_true(info.shifted == (info.phi0 != 0.0));
  g_assert_cmpfloat_with_epsilon(info.phi0, info.shifted ? M_PI / (double)info.npixels : 0.0,
                                 1e-15);
  /* the ring's pixels: ring_of_pixel, and pix2ang gives theta and equal steps in phi */
  const int64_t probe[4] = {0, 1, info.npixels / 2, info.npixels - 1};
  for (int k = 0; k < 4; ++k) {
    int64_t pix = info.first_pixel + probe[k];
    g_assert_cmpint(sph_hp_ring_of_pixel(nside, pix), ==, r);
    double t, p;
    sph_hp_pix2ang_ring(nside, pix, &t, &p);
    g_assert_cmpfloat(t, ==, info.theta);
    g_assert_cmpfloat_with_epsilon(
        p, info.phi0 + 2 * M_PI * (double)probe[k] / (double)info.npixels, 1e-14);
  }
  if (info.first_pixel > 0)
    g_assert_cmpint(sph_hp_ring_of_pixel(nside, info.first_pixel - 1), ==, r - 1);
}

static void test_rings(void) {
  SphRng rng;
  sph_rng_init(&rng, 20240611, 2);
  for (int order = 0; order <= SPH_HP_MAX_ORDER; ++order) {
    const int64_t nside = (int64_t)1 << order, npix = 12 * nside * nside;
    const int64_t nrings = sph_hp_nrings(nside);
    if (nrings <= 4096) {
      int64_t sum = 0;
      for (int64_t r = 1; r <= nrings; ++r) {
        check_ring(nside, r);
        SphHpRingInfo info;
        sph_hp_ring_info(nside, r, &info);
        sum += info.npixels;
      }
      g_assert_cmpint(sum, ==, npix);
    } else {
      /* the rings around the region boundaries, and a random sample */
      const int64_t centres[5] = {1, nside, 2 * nside, 3 * nside, nrings};
      for (int c = 0; c < 5; ++c)
        for (int64_t r = centres[c] - 3; r <= centres[c] + 3; ++r)
          if (r >= 1 && r <= nrings)
            check_ring(nside, r);
      for (int i = 0; i < 200; ++i)
        check_ring(nside, 1 + (int64_t)sph_rng_below(&rng, (uint64_t)nrings));
    }
    SphHpRingInfo last;
    sph_hp_ring_info(nside, nrings, &last);
    g_assert_cmpint(last.first_pixel + last.npixels, ==, npix);
  }
}

/* ---- random samples at every order up to 29 ------------------------------------------- */

static void random_direction(SphRng *rng, int kind, int64_t nside, double *theta, double *phi) {
  double u = sph_rng_uniform(rng);
  *phi = 2 * M_PI * sph_rng_uniform(rng);
  double near = 30.0 / (double)nside; /* a few tens of rings */
  switch (kind) {
  case 0: /* uniform on the sphere */
    *theta = acos(1 - 2 * u);
    break;
  case 1: /* near the north pole */
    *theta = u * fmin(near, 0.5);
    break;
  case 2: /* near the south pole */
    *theta = M_PI - u * fmin(near, 0.5);
    break;
  default: /* near the polar cap / equatorial belt boundaries */
    *theta = acos((u < 0.5 ? 2.0 : -2.0) / 3.0) + (2 * sph_rng_uniform(rng) - 1) * fmin(near, 0.1);
    break;
  }
}

static void test_random_large(void) {
  SphRng rng;
  sph_rng_init(&rng, 20240611, 1);
  for (int order = 0; order <= SPH_HP_MAX_ORDER; ++order) {
    const int64_t nside = (int64_t)1 << order, npix = 12 * nside * nside;
    const int samples = order >= 20 ? 1200 : 400;
    for (int i = 0; i < samples; ++i) {
      double theta, phi, v[3];
      random_direction(&rng, i % 4, nside, &theta, &phi);
      ang2vec(theta, phi, v);
      int64_t pr = sph_hp_ang2pix_ring(nside, theta, phi);
      int64_t pn = sph_hp_ang2pix_nest(nside, theta, phi);
      g_assert_cmpint(pr, >=, 0);
      g_assert_cmpint(pr, <, npix);
      g_assert_cmpint(sph_hp_nest2ring(nside, pn), ==, pr);
      g_assert_cmpint(sph_hp_ring2nest(nside, pr), ==, pn);

      /* the point lies in its pixel: within the pixel's corner radius of the centre, and
       * not nearer another pixel's centre by more than that radius allows */
      double centre[3], corners[4][3];
      sph_hp_pix2vec_ring(nside, pr, centre);
      sph_hp_corners_ring(nside, pr, corners);
      double rad = 0;
      for (int k = 0; k < 4; ++k)
        rad = fmax(rad, angle3(centre, corners[k]));
      if (angle3(v, centre) > rad * (1 + 1e-6))
        g_error("nside 2^%d: (%.17g, %.17g) is %.3g from the centre of %" G_GINT64_FORMAT
                ", whose corners are %.3g away",
                order, theta, phi, angle3(v, centre), pr, rad);

      /* vec2pix agrees with ang2pix, up to a point within rounding of an edge */
      int64_t pv = sph_hp_vec2pix_ring(nside, v);
      if (pv != pr) {
        int64_t nb[8];
        sph_hp_neighbours_ring(nside, pr, nb);
        g_assert_true(contains8(nb, pv));
      }

      /* pixel centres round-trip: uniform pixels and pixels in the first and last rings */
      int64_t pix;
      uint64_t ncap = (uint64_t)(2 * nside * (nside - 1));
      if (i % 3 == 0 || ncap == 0)
        pix = (int64_t)sph_rng_below(&rng, (uint64_t)npix);
      else if (i % 3 == 1)
        pix = (int64_t)sph_rng_below(&rng, ncap < 400 ? ncap : 400);
      else
        pix = npix - 1 - (int64_t)sph_rng_below(&rng, ncap < 400 ? ncap : 400);
      for (int si = 0; si < 2; ++si) {
        const Scheme *s = &schemes[si];
        double t, p, pv3[3];
        s->pix2ang(nside, pix, &t, &p);
        if (s->ang2pix(nside, t, p) != pix)
          g_error("%s nside 2^%d: pix2ang(%" G_GINT64_FORMAT ") = (%.17g, %.17g) maps to %" G_GINT64_FORMAT,
                  s->name, order, pix, t, p, s->ang2pix(nside, t, p));
        s->pix2vec(nside, pix, pv3);
        g_assert_cmpint(s->vec2pix(nside, pv3), ==, pix);
        double va[3];
        ang2vec(t, p, va);
        g_assert_cmpfloat(angle3(pv3, va), <, 1e-15);
      }
      g_assert_cmpint(sph_hp_nest2ring(nside, sph_hp_ring2nest(nside, pix)), ==, pix);
      g_assert_cmpint(sph_hp_ring2nest(nside, sph_hp_nest2ring(nside, pix)), ==, pix);

      if (i % 8 == 0) {
        /* pixels on face edges and corners, where neighbours cross faces */
        int face = (int)sph_rng_below(&rng, 12);
        int64_t a = (int64_t)sph_rng_below(&rng, (uint64_t)nside);
        int64_t edge[4] = {nest_from_xyf(order, 0, a, face), nest_from_xyf(order, nside - 1, a, face),
                           nest_from_xyf(order, a, 0, face), nest_from_xyf(order, a, nside - 1, face)};
        for (int k = 0; k < 4; ++k) {
          check_neighbour_symmetry(&schemes[1], nside, edge[k]);
          check_neighbour_symmetry(&schemes[0], nside, sph_hp_nest2ring(nside, edge[k]));
          check_pixel_corners(&schemes[1], nside, edge[k]);
        }
        check_neighbour_symmetry(&schemes[0], nside, pr);
        check_pixel_corners(&schemes[0], nside, pr);
      }
    }
  }
}

/* Points near the poles at NSIDE 2^29, where 1 - |cos theta| has lost its digits: the
 * pixel is still the one whose ring brackets theta. */
static void test_polar_precision(void) {
  const int64_t nside = SPH_HP_MAX_NSIDE;
  for (int64_t k = 1; k <= 40; ++k) {
    SphHpRingInfo lo, hi;
    sph_hp_ring_info(nside, k, &lo);
    sph_hp_ring_info(nside, k + 1, &hi);
    /* theta just south of ring k's centre and just north of ring k+1's */
    double t1 = lo.theta * (1 + 1e-9), t2 = hi.theta * (1 - 1e-9);
    double phi = 0.3;
    g_assert_cmpint(sph_hp_ring_of_pixel(nside, sph_hp_ang2pix_ring(nside, t1, phi)), ==, k);
    g_assert_cmpint(sph_hp_ring_of_pixel(nside, sph_hp_ang2pix_ring(nside, t2, phi)), ==, k + 1);
    g_assert_cmpint(sph_hp_ring_of_pixel(nside, sph_hp_ang2pix_ring(nside, M_PI - t1, phi)), ==,
                    4 * nside - k);
    double v[3];
    ang2vec(t1, phi, v);
    g_assert_cmpint(sph_hp_vec2pix_ring(nside, v), ==, sph_hp_ang2pix_ring(nside, t1, phi));
    /* ring k's centre: sin(theta/2)^2 = k^2 / (6 nside^2) */
    double n = (double)nside;
    double s = sin(lo.theta / 2);
    g_assert_cmpfloat(fabs(s * s * 6 * n * n / (double)(k * k) - 1), <, 1e-14);
  }
  /* the poles themselves */
  g_assert_cmpint(sph_hp_ang2pix_ring(nside, 0, 0), ==, 0);
  g_assert_cmpint(sph_hp_ang2pix_ring(nside, M_PI, 0), ==, sph_hp_nside2npix(nside) - 4);
  g_assert_cmpint(sph_hp_ang2pix_nest(nside, 0, 0), ==, sph_hp_nside2npix(nside) / 12 - 1);
}

static void test_invalid_input(void) {
  g_assert_cmpint(sph_hp_ang2pix_ring(16, NAN, 0), ==, -1);
  g_assert_cmpint(sph_hp_ang2pix_nest(16, 1, NAN), ==, -1);
  g_assert_cmpint(sph_hp_ang2pix_ring(16, 1, INFINITY), ==, -1);
  const double zero[3] = {0, 0, 0}, nanv[3] = {NAN, 0, 1}, inf[3] = {INFINITY, 0, 0};
  g_assert_cmpint(sph_hp_vec2pix_ring(16, zero), ==, -1);
  g_assert_cmpint(sph_hp_vec2pix_nest(16, nanv), ==, -1);
  g_assert_cmpint(sph_hp_vec2pix_nest(16, inf), ==, -1);
  /* but any finite non-zero length is a direction */
  const double huge[3] = {1e300, 0, 0}, tiny[3] = {1e-300, 0, 0}, unit[3] = {1, 0, 0};
  g_assert_cmpint(sph_hp_vec2pix_ring(16, huge), ==, sph_hp_vec2pix_ring(16, unit));
  g_assert_cmpint(sph_hp_vec2pix_nest(16, tiny), ==, sph_hp_vec2pix_nest(16, unit));
}

/* ---- the batched calls ------------------------------------------------------------------ */

static void test_many(void) {
  const size_t n = 100003; /* enough for the threaded path */
  SphRng rng;
  sph_rng_init(&rng, 7, 3);
  double *theta = g_new(double, n), *phi = g_new(double, n), *t2 = g_new(double, n),
         *p2 = g_new(double, n);
  int64_t *pix = g_new(int64_t, n);
  const int64_t nsides[3] = {1, 1024, SPH_HP_MAX_NSIDE};
  for (int k = 0; k < 3; ++k) {
    int64_t nside = nsides[k];
    for (size_t i = 0; i < n; ++i)
      random_direction(&rng, (int)(i % 4), nside, &theta[i], &phi[i]);
    for (int si = 0; si < 2; ++si) {
      const Scheme *s = &schemes[si];
      sph_hp_ang2pix_many(nside, s->ord, n, theta, phi, pix);
      for (size_t i = 0; i < n; ++i)
        g_assert_cmpint(pix[i], ==, s->ang2pix(nside, theta[i], phi[i]));
      sph_hp_pix2ang_many(nside, s->ord, n, pix, t2, p2);
      for (size_t i = 0; i < n; ++i) {
        double t, p;
        s->pix2ang(nside, pix[i], &t, &p);
        g_assert_cmpfloat(t2[i], ==, t);
        g_assert_cmpfloat(p2[i], ==, p);
      }
    }
  }
  g_free(theta);
  g_free(phi);
  g_free(t2);
  g_free(p2);
  g_free(pix);
}

/* ---- healpy ---------------------------------------------------------------------------- */

typedef struct {
  int64_t floats;
  int64_t exact;
  double worst;
} FloatStats;

static void cmp_float(FloatStats *st, double mine, const char *ref, const char *what,
                      const char *line) {
  double r = g_ascii_strtod(ref, NULL);
  double d = fabs(mine - r);
  st->floats++;
  if (d == 0)
    st->exact++;
  st->worst = fmax(st->worst, d);
  if (!(d <= 1e-13))
    g_error("%s: sphaera %.17g, healpy %.17g in\n  %s", what, mine, r, line);
}

static int64_t to_i64(const char *s) { return g_ascii_strtoll(s, NULL, 10); }

static void test_healpy(void) {
  const char *args[] = { "pixel", NULL };
  gchar *out = sph_test_run_python_file("healpy_ref_healpix.py", args, FALSE);
  if (!out) {
    g_test_skip("SPHAERA_PYTHON is not set: no healpy to compare with");
    return;
  }
  gchar **lines = g_strsplit(out, "\n", -1);
  FloatStats st = {0};
  int64_t records = 0, ints = 0;
  for (gchar **l = lines; *l; ++l) {
    if (!**l)
      continue;
    gchar **f = g_strsplit(*l, " ", -1);
    guint nf = g_strv_length(f);
    int64_t nside = to_i64(f[1]);
    g_assert_true(sph_hp_nside_valid(nside));
    ++records;
    switch (f[0][0]) {
    case 'A': {
      g_assert_cmpuint(nf, ==, 6);
      double t = g_ascii_strtod(f[2], NULL), p = g_ascii_strtod(f[3], NULL);
      g_assert_cmpint(sph_hp_ang2pix_ring(nside, t, p), ==, to_i64(f[4]));
      g_assert_cmpint(sph_hp_ang2pix_nest(nside, t, p), ==, to_i64(f[5]));
      ints += 2;
      break;
    }
    case 'V': {
      g_assert_cmpuint(nf, ==, 7);
      double v[3] = {g_ascii_strtod(f[2], NULL), g_ascii_strtod(f[3], NULL),
                     g_ascii_strtod(f[4], NULL)};
      g_assert_cmpint(sph_hp_vec2pix_ring(nside, v), ==, to_i64(f[5]));
      g_assert_cmpint(sph_hp_vec2pix_nest(nside, v), ==, to_i64(f[6]));
      ints += 2;
      break;
    }
    case 'P': {
      g_assert_cmpuint(nf, ==, 15);
      int64_t pix = to_i64(f[2]);
      double t, p, v[3];
      sph_hp_pix2ang_ring(nside, pix, &t, &p);
      cmp_float(&st, t, f[3], "pix2ang_ring theta", *l);
      cmp_float(&st, p, f[4], "pix2ang_ring phi", *l);
      sph_hp_pix2ang_nest(nside, pix, &t, &p);
      cmp_float(&st, t, f[5], "pix2ang_nest theta", *l);
      cmp_float(&st, p, f[6], "pix2ang_nest phi", *l);
      sph_hp_pix2vec_ring(nside, pix, v);
      for (int k = 0; k < 3; ++k)
        cmp_float(&st, v[k], f[7 + k], "pix2vec_ring", *l);
      sph_hp_pix2vec_nest(nside, pix, v);
      for (int k = 0; k < 3; ++k)
        cmp_float(&st, v[k], f[10 + k], "pix2vec_nest", *l);
      g_assert_cmpint(sph_hp_ring2nest(nside, pix), ==, to_i64(f[13]));
      g_assert_cmpint(sph_hp_nest2ring(nside, pix), ==, to_i64(f[14]));
      ints += 2;
      break;
    }
    case 'N': {
      g_assert_cmpuint(nf, ==, 19);
      int64_t pix = to_i64(f[2]), nb[8];
      sph_hp_neighbours_ring(nside, pix, nb);
      for (int i = 0; i < 8; ++i)
        if (nb[i] != to_i64(f[3 + i]))
          g_error("neighbours_ring entry %d: sphaera %" G_GINT64_FORMAT ", healpy %s in\n  %s", i,
                  nb[i], f[3 + i], *l);
      sph_hp_neighbours_nest(nside, pix, nb);
      for (int i = 0; i < 8; ++i)
        if (nb[i] != to_i64(f[11 + i]))
          g_error("neighbours_nest entry %d: sphaera %" G_GINT64_FORMAT ", healpy %s in\n  %s", i,
                  nb[i], f[11 + i], *l);
      ints += 16;
      break;
    }
    case 'C': {
      g_assert_cmpuint(nf, ==, 27);
      int64_t pix = to_i64(f[2]);
      double c[4][3];
      sph_hp_corners_ring(nside, pix, c);
      for (int k = 0; k < 12; ++k)
        cmp_float(&st, c[k / 3][k % 3], f[3 + k], "corners_ring", *l);
      sph_hp_corners_nest(nside, pix, c);
      for (int k = 0; k < 12; ++k)
        cmp_float(&st, c[k / 3][k % 3], f[15 + k], "corners_nest", *l);
      break;
    }
    case 'R': {
      g_assert_cmpuint(nf, ==, 8);
      SphHpRingInfo info;
      sph_hp_ring_info(nside, to_i64(f[2]), &info);
      g_assert_cmpint(info.first_pixel, ==, to_i64(f[3]));
      g_assert_cmpint(info.npixels, ==, to_i64(f[4]));
      cmp_float(&st, cos(info.theta), f[5], "ringinfo cos theta", *l);
      cmp_float(&st, sin(info.theta), f[6], "ringinfo sin theta", *l);
      g_assert_cmpint(info.shifted, ==, to_i64(f[7]));
      ints += 3;
      break;
    }
    default:
      g_error("unexpected record from the reference script: %s", *l);
    }
    g_strfreev(f);
  }
  g_test_message("healpy: %" G_GINT64_FORMAT " records, %" G_GINT64_FORMAT
                 " integers equal; %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                 " floats bit-identical, largest difference %.3g",
                 records, ints, st.exact, st.floats, st.worst);
  g_assert_cmpint(records, >, 3000);
  g_strfreev(lines);
  g_free(out);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/healpix/nside", test_nside);
  g_test_add_func("/healpix/unseen", test_unseen);
  g_test_add_func("/healpix/known-values", test_known_values);
  g_test_add_func("/healpix/exhaustive", test_exhaustive);
  g_test_add_func("/healpix/rings", test_rings);
  g_test_add_func("/healpix/random-large", test_random_large);
  g_test_add_func("/healpix/polar-precision", test_polar_precision);
  g_test_add_func("/healpix/invalid-input", test_invalid_input);
  g_test_add_func("/healpix/many", test_many);
  g_test_add_func("/healpix/healpy", test_healpy);
  return g_test_run();
}
