/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Great-circle arcs against spherical trigonometry: the haversine distance, known arcs
 * (the equator, meridians), the slerp midpoint (a + b) / |a + b|, equal spacing and the
 * plane of the circle. */
#include <glib.h>
#include <math.h>

#include "sphaera/coords.h"
#include "sphaera/great_circle.h"
#include "sphaera/rng.h"

#define DEG (G_PI / 180.0)

/* The haversine formula: an independent route to the central angle. */
static double haversine(double theta1, double phi1, double theta2, double phi2)
{
  double lat1 = G_PI / 2 - theta1, lat2 = G_PI / 2 - theta2;
  double s = sin((lat2 - lat1) / 2), t = sin((phi2 - phi1) / 2);
  double h = s * s + cos(lat1) * cos(lat2) * t * t;
  return 2.0 * asin(sqrt(MIN(h, 1.0)));
}

static void random_direction(SphRng *rng, double *theta, double *phi)
{
  *theta = acos(2.0 * sph_rng_uniform(rng) - 1.0);
  *phi = 2.0 * G_PI * sph_rng_uniform(rng);
}

static void test_distance(void)
{
  /* Exact cases: along the equator, along a meridian, pole to pole. */
  g_assert_cmpfloat_with_epsilon(sph_great_circle_distance(G_PI / 2, 0.0, G_PI / 2, 1.0), 1.0,
                                 1e-15);
  g_assert_cmpfloat_with_epsilon(sph_great_circle_distance(0.3, 2.0, 1.1, 2.0), 0.8, 1e-15);
  g_assert_cmpfloat_with_epsilon(sph_great_circle_distance(0.0, 0.0, G_PI, 0.0), G_PI, 1e-15);
  /* Across phi = 0: 350 and 10 degrees on the equator are 20 degrees apart. */
  g_assert_cmpfloat_with_epsilon(sph_great_circle_distance(G_PI / 2, 350 * DEG, G_PI / 2,
                                                           10 * DEG), 20 * DEG, 1e-14);
  /* One arcsecond: the acos form would lose half the digits here. */
  double arcsec = (1.0 + DEG / 3600.0) - 1.0; /* exactly the step between the colatitudes */
  g_assert_cmpfloat(fabs(sph_great_circle_distance(1.0, 1.0, 1.0 + arcsec, 1.0) - arcsec), <,
                    1e-9 * arcsec);

  SphRng rng;
  sph_rng_init(&rng, 7, 0);
  for (int k = 0; k < 1000; k++) {
    double t1, p1, t2, p2;
    random_direction(&rng, &t1, &p1);
    random_direction(&rng, &t2, &p2);
    double d = sph_great_circle_distance(t1, p1, t2, p2);
    g_assert_cmpfloat(fabs(d - haversine(t1, p1, t2, p2)), <, 1e-7 + 1e-12);
    g_assert_cmpfloat(fabs(d - sph_great_circle_distance(t2, p2, t1, p1)), <, 1e-15);
  }
}

static void check_arc(double t1, double p1, double t2, double p2, size_t n)
{
  double *theta = g_new(double, n), *phi = g_new(double, n), *dist = g_new(double, n);
  double omega = sph_great_circle_sample(t1, p1, t2, p2, n, theta, phi, dist);
  g_assert_cmpfloat(fabs(omega - sph_great_circle_distance(t1, p1, t2, p2)), <, 1e-15);
  double a[3], b[3], normal[3];
  sph_ang2vec(t1, p1, a);
  sph_ang2vec(t2, p2, b);
  normal[0] = a[1] * b[2] - a[2] * b[1];
  normal[1] = a[2] * b[0] - a[0] * b[2];
  normal[2] = a[0] * b[1] - a[1] * b[0];
  double len = sqrt(normal[0] * normal[0] + normal[1] * normal[1] + normal[2] * normal[2]);
  for (size_t k = 0; k < n; k++) {
    double want = n > 1 ? omega * (double)k / (double)(n - 1) : 0.0;
    /* Equally spaced from the start, and the rest of the way to the end. */
    g_assert_cmpfloat(fabs(dist[k] - want), <, 1e-12);
    g_assert_cmpfloat(fabs(sph_great_circle_distance(t1, p1, theta[k], phi[k]) - want), <,
                      1e-9);
    g_assert_cmpfloat(fabs(sph_great_circle_distance(theta[k], phi[k], t2, p2) - (omega - want)),
                      <, 1e-9);
    g_assert_cmpfloat(phi[k], >=, 0.0);
    g_assert_cmpfloat(phi[k], <, 2 * G_PI);
    /* On the great circle through both ends. */
    if (len > 1e-6) {
      double v[3];
      sph_ang2vec(theta[k], phi[k], v);
      double off = (v[0] * normal[0] + v[1] * normal[1] + v[2] * normal[2]) / len;
      /* The normal of close ends is itself uncertain, by about 1e-16 / len. */
      g_assert_cmpfloat(fabs(off), <, 1e-13 + 1e-15 / len);
    }
  }
  /* The ends are the given points. */
  g_assert_cmpfloat(sph_great_circle_distance(theta[0], phi[0], t1, p1), <, 1e-12);
  if (n > 1)
    g_assert_cmpfloat(sph_great_circle_distance(theta[n - 1], phi[n - 1], t2, p2), <, 1e-9);
  /* For odd n the middle point is the slerp midpoint, (a + b) normalised. */
  if (n % 2 == 1 && n > 1 && omega < G_PI - 1e-6) {
    double m[3] = { a[0] + b[0], a[1] + b[1], a[2] + b[2] }, tm, pm;
    sph_vec2ang(m, &tm, &pm);
    g_assert_cmpfloat(sph_great_circle_distance(theta[n / 2], phi[n / 2], tm, pm), <, 1e-12);
  }
  g_free(theta);
  g_free(phi);
  g_free(dist);
}

static void test_sample(void)
{
  /* The equator from 0 to 90 degrees: phi steps by 10 degrees, theta stays pi/2. */
  double theta[10], phi[10];
  double omega = sph_great_circle_sample(G_PI / 2, 0.0, G_PI / 2, G_PI / 2, 10, theta, phi, NULL);
  g_assert_cmpfloat_with_epsilon(omega, G_PI / 2, 1e-15);
  for (int k = 0; k < 10; k++) {
    g_assert_cmpfloat_with_epsilon(theta[k], G_PI / 2, 1e-14);
    g_assert_cmpfloat_with_epsilon(phi[k], k * 10 * DEG, 1e-14);
  }
  /* A meridian over the north pole: phi = 0 up to the pole, phi = pi after it. */
  omega = sph_great_circle_sample(60 * DEG, 0.0, 60 * DEG, G_PI, 5, theta, phi, NULL);
  g_assert_cmpfloat_with_epsilon(omega, 120 * DEG, 1e-14);
  g_assert_cmpfloat_with_epsilon(theta[1], 30 * DEG, 1e-14);
  g_assert_cmpfloat_with_epsilon(phi[1], 0.0, 1e-14);
  g_assert_cmpfloat(theta[2], <, 1e-12);
  g_assert_cmpfloat_with_epsilon(theta[3], 30 * DEG, 1e-14);
  g_assert_cmpfloat_with_epsilon(phi[3], G_PI, 1e-14);

  SphRng rng;
  sph_rng_init(&rng, 11, 0);
  for (int k = 0; k < 200; k++) {
    double t1, p1, t2, p2;
    random_direction(&rng, &t1, &p1);
    random_direction(&rng, &t2, &p2);
    check_arc(t1, p1, t2, p2, 1 + (size_t)sph_rng_below(&rng, 64));
  }
  /* Degenerate ends: the same point, antipodes, a pole and its antipode. */
  check_arc(1.0, 2.0, 1.0, 2.0, 7);
  check_arc(1.0, 2.0, G_PI - 1.0, 2.0 + G_PI, 9);
  check_arc(0.0, 0.0, G_PI, 0.0, 9);
  /* A tiny arc (1 arcsecond) still spaces its points evenly. */
  check_arc(1.0, 1.0, 1.0, 1.0 + DEG / 3600.0, 11);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/great-circle/distance", test_distance);
  g_test_add_func("/great-circle/sample", test_sample);
  return g_test_run();
}
