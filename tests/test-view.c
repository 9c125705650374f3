/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The CPU sky renderer: colormap tables against matplotlib and healpy's data file, the
 * Mollweide projection against its defining equation, known points and healpy's
 * mollview projector, and the raster against the projection and the pixel functions. */
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/colormap.h"
#include "sphaera/healpix.h"
#include "sphaera/projection.h"
#include "sphaera/raster.h"
#include "sph-test-python.h"

#define SQRT2 1.4142135623730951

/* Runs SPHAERA_PYTHON on script; the script exits 77 when a module it needs is missing.
 * Returns its stdout, or NULL after g_test_skip(). */
static char *run_python(const char *script)
{
  if (sph_test_python_env() == NULL) {
    g_test_skip("SPHAERA_PYTHON is not set");
    return NULL;
  }
  char *out = sph_test_run_python_or_77(script);
  if (out == NULL)
    g_test_skip("the reference Python lacks a module (matplotlib or healpy)");
  return out;
}

/* ---- colormaps ---- */

static void assert_rgb(SphColormap cmap, int index, int r, int g, int b)
{
  const uint8_t *t = sph_colormap_table(cmap) + 3 * index;
  g_assert_cmpint(t[0], ==, r);
  g_assert_cmpint(t[1], ==, g);
  g_assert_cmpint(t[2], ==, b);
}

static void test_colormap_published(void)
{
  /* viridis' published end points, and ColorBrewer's RdBu 11-class ends #67001F, #053061. */
  assert_rgb(SPH_CMAP_VIRIDIS, 0, 68, 1, 84);
  assert_rgb(SPH_CMAP_VIRIDIS, 255, 253, 231, 37);
  assert_rgb(SPH_CMAP_RDBU, 0, 0x67, 0x00, 0x1f);
  assert_rgb(SPH_CMAP_RDBU, 255, 0x05, 0x30, 0x61);
  /* magma runs from near black to a pale yellow (0.987053, 0.991438, 0.749504). */
  assert_rgb(SPH_CMAP_MAGMA, 0, 0, 0, 4);
  assert_rgb(SPH_CMAP_MAGMA, 255, 252, 253, 191);
  for (int i = 0; i < SPH_CMAP_SIZE; i++)
    assert_rgb(SPH_CMAP_GREYS, i, i, i, i);
}

static void test_colormap_names(void)
{
  for (int i = 0; i < SPH_CMAP_COUNT; i++) {
    SphColormap cmap = SPH_CMAP_COUNT;
    g_assert_true(sph_colormap_from_name(sph_colormap_name(i), &cmap));
    g_assert_cmpint(cmap, ==, i);
    g_assert_nonnull(sph_colormap_table(i));
  }
  SphColormap cmap;
  g_assert_true(sph_colormap_from_name("RdBu", &cmap));
  g_assert_cmpint(cmap, ==, SPH_CMAP_RDBU);
  g_assert_true(sph_colormap_from_name("gray", &cmap));
  g_assert_cmpint(cmap, ==, SPH_CMAP_GREYS);
  g_assert_false(sph_colormap_from_name("jet", &cmap));
  g_assert_false(sph_colormap_from_name(NULL, &cmap));
  g_assert_null(sph_colormap_table(SPH_CMAP_COUNT));
}

static void test_colormap_index(void)
{
  g_assert_cmpint(sph_colormap_index(0.0), ==, 0);
  g_assert_cmpint(sph_colormap_index(1.0), ==, 255);
  g_assert_cmpint(sph_colormap_index(-3.0), ==, 0);
  g_assert_cmpint(sph_colormap_index(7.0), ==, 255);
  g_assert_cmpint(sph_colormap_index(NAN), ==, 0);
  g_assert_cmpint(sph_colormap_index(0.5), ==, 128); /* floor(127.5 + 0.5) */
  g_assert_cmpint(sph_colormap_index(0.4999), ==, 127);
  for (int k = 0; k < 256; k++) {
    g_assert_cmpint(sph_colormap_index(k / 255.0), ==, k);
    /* Just either side of the rounding boundary between k and k + 1. */
    if (k < 255) {
      g_assert_cmpint(sph_colormap_index((k + 0.499) / 255.0), ==, k);
      g_assert_cmpint(sph_colormap_index((k + 0.501) / 255.0), ==, k + 1);
    }
  }
}

static void test_colormap_matplotlib(void)
{
  static const char script[] =
      "import sys\n"
      "try:\n"
      "    import numpy as np, matplotlib as mpl\n"
      "except ImportError:\n"
      "    sys.exit(77)\n"
      "for name in ('viridis', 'planck', 'gray', 'magma', 'RdBu'):\n"
      "    if name == 'planck':\n"
      "        continue\n"
      "    rgb = np.array(mpl.colormaps[name](np.arange(256)))[:, :3] * 255\n"
      "    print(name, ' '.join('%.6f' % v for v in rgb.ravel()))\n";
  char *out = run_python(script);
  if (out == NULL)
    return;
  char **lines = g_strsplit(out, "\n", -1);
  int checked = 0;
  for (char **line = lines; *line != NULL; line++) {
    if ((*line)[0] == '\0')
      continue;
    char **words = g_strsplit(*line, " ", -1);
    SphColormap cmap;
    g_assert_true(sph_colormap_from_name(words[0], &cmap));
    g_assert_cmpuint(g_strv_length(words), ==, 1 + 3 * SPH_CMAP_SIZE);
    const uint8_t *table = sph_colormap_table(cmap);
    for (int i = 0; i < 3 * SPH_CMAP_SIZE; i++) {
      double v = g_ascii_strtod(words[1 + i], NULL);
      /* Each byte is matplotlib's channel value * 255, rounded to nearest. */
      g_assert_cmpfloat(fabs(table[i] - v), <=, 0.5 + 1e-6);
    }
    g_strfreev(words);
    checked++;
  }
  g_assert_cmpint(checked, ==, 4);
  g_strfreev(lines);
  g_free(out);
}

static void test_colormap_planck_file(void)
{
  const char *dir = g_getenv("SPHAERA_DATA_DIR");
  if (dir == NULL) {
    g_test_skip("SPHAERA_DATA_DIR is not set");
    return;
  }
  char *path = g_build_filename(dir, "planck_cmap.dat", NULL);
  FILE *f = fopen(path, "r");
  g_assert_nonnull(f);
  const uint8_t *table = sph_colormap_table(SPH_CMAP_PLANCK);
  int rows = 0, r, g, b;
  while (fscanf(f, "%d %d %d", &r, &g, &b) == 3) {
    g_assert_cmpint(rows, <, SPH_CMAP_SIZE);
    g_assert_cmpint(table[3 * rows], ==, r);
    g_assert_cmpint(table[3 * rows + 1], ==, g);
    g_assert_cmpint(table[3 * rows + 2], ==, b);
    rows++;
  }
  g_assert_cmpint(rows, ==, SPH_CMAP_SIZE);
  fclose(f);
  g_free(path);
}

/* ---- Mollweide ---- */

static void assert_close(double a, double b, double tol)
{
  if (!(fabs(a - b) <= tol))
    g_error("%.17g and %.17g differ by %.3g > %.3g", a, b, fabs(a - b), tol);
}

static void test_mollweide_known_points(void)
{
  double x, y;
  sph_mollweide_forward(M_PI / 2, 0.0, &x, &y);
  assert_close(x, 0.0, 1e-15);
  assert_close(y, 0.0, 1e-15);
  sph_mollweide_forward(0.0, 1.0, &x, &y); /* north pole: the top */
  assert_close(x, 0.0, 1e-15);
  assert_close(y, SQRT2, 1e-15);
  sph_mollweide_forward(M_PI, 2.0, &x, &y); /* south pole: the bottom */
  assert_close(x, 0.0, 1e-15);
  assert_close(y, -SQRT2, 1e-15);
  /* On the equator x is linear in longitude, and +90 degrees lies to the LEFT. */
  sph_mollweide_forward(M_PI / 2, M_PI / 2, &x, &y);
  assert_close(x, -SQRT2, 1e-14);
  assert_close(y, 0.0, 1e-15);
  sph_mollweide_forward(M_PI / 2, 3 * M_PI / 2, &x, &y);
  assert_close(x, SQRT2, 1e-14);
  sph_mollweide_forward(M_PI / 2, -M_PI / 2, &x, &y);
  assert_close(x, SQRT2, 1e-14);
  sph_mollweide_forward(M_PI / 2, M_PI - 1e-12, &x, &y);
  assert_close(x, -2 * SQRT2, 1e-11);

  /* The auxiliary angle a is where the equation is simple: choose a, get the latitude
   * from sin(lat) = (2a + sin 2a) / pi, and the projection must return y = sqrt2 sin a
   * and x = -(2 sqrt2 / pi) lon cos a. */
  for (int k = -40; k <= 40; k++) {
    double a = k * (M_PI / 2) / 40.5;
    double lat = asin((2 * a + sin(2 * a)) / M_PI);
    double lon = 1.234;
    sph_mollweide_forward(M_PI / 2 - lat, lon, &x, &y);
    assert_close(y, SQRT2 * sin(a), 1e-13);
    assert_close(x, -(2 * SQRT2 / M_PI) * lon * cos(a), 1e-13);
  }
}

static void unit_vector(double theta, double phi, double v[3])
{
  v[0] = sin(theta) * cos(phi);
  v[1] = sin(theta) * sin(phi);
  v[2] = cos(theta);
}

static double angular_distance(double t1, double p1, double t2, double p2)
{
  double a[3], b[3];
  unit_vector(t1, p1, a);
  unit_vector(t2, p2, b);
  double c[3] = {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                 a[0] * b[1] - a[1] * b[0]};
  return atan2(sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]),
               a[0] * b[0] + a[1] * b[1] + a[2] * b[2]);
}

static void test_mollweide_round_trip(void)
{
  static const double near_pole[] = {0.0, 1e-12, 1e-9, 1e-6, 1e-4, 1e-2};
  int n = 0;
  for (int it = -12; it <= 200; it++) {
    double theta;
    if (it < 0)
      theta = it < -6 ? near_pole[-it - 7] : M_PI - near_pole[-it - 1];
    else
      theta = (it + 0.5) * M_PI / 201;
    for (int ip = 0; ip < 73; ip++) {
      double phi = ip * (2 * M_PI / 73) + 0.01;
      double x, y, t2, p2;
      sph_mollweide_forward(theta, phi, &x, &y);
      g_assert_true(x * x / 8 + y * y / 2 <= 1 + 1e-15);
      g_assert_true(sph_mollweide_inverse(x, y, &t2, &p2));
      g_assert_cmpfloat(p2, >=, 0.0);
      g_assert_cmpfloat(p2, <, 2 * M_PI);
      /* y = sqrt2 cos(delta) holds delta only to ~1e-8 next to a pole, which is
       * ~1e-12 on the sphere: the plane itself cannot say more there. */
      assert_close(t2, theta, 1e-11);
      g_assert_cmpfloat(angular_distance(theta, phi, t2, p2), <=, 1e-11);
      if (sin(theta) > 1e-3)
        assert_close(remainder(p2 - phi, 2 * M_PI), 0.0, 1e-11);
      n++;
    }
  }
  g_assert_cmpint(n, ==, 213 * 73);

  /* And the other way, plane -> sphere -> plane, over the ellipse. */
  for (int i = -50; i <= 50; i++) {
    for (int j = -25; j <= 25; j++) {
      double x = i * SPH_MOLLWEIDE_XMAX / 50.5, y = j * SPH_MOLLWEIDE_YMAX / 25.5;
      double theta, phi, x2, y2;
      bool inside = x * x / 8 + y * y / 2 <= 1;
      g_assert_cmpint(sph_mollweide_inverse(x, y, &theta, &phi), ==, inside);
      if (!inside)
        continue;
      sph_mollweide_forward(theta, phi, &x2, &y2);
      assert_close(x2, x, 1e-12);
      assert_close(y2, y, 1e-12);
    }
  }
}

static void test_mollweide_outside(void)
{
  double theta = -1, phi = -1;
  g_assert_false(sph_mollweide_inverse(2.9, 0.0, &theta, &phi));
  g_assert_false(sph_mollweide_inverse(0.0, 1.42, &theta, &phi));
  g_assert_false(sph_mollweide_inverse(2.5, 1.0, &theta, &phi));
  g_assert_false(sph_mollweide_inverse(-2.8, -1.4, &theta, &phi)); /* the box's corner */
  g_assert_false(sph_mollweide_inverse(NAN, 0.0, &theta, &phi));
  g_assert_cmpfloat(theta, ==, -1);
  g_assert_true(sph_mollweide_inverse(0.0, SPH_MOLLWEIDE_YMAX, &theta, &phi));
  assert_close(theta, 0.0, 1e-15);
  g_assert_true(sph_mollweide_inverse(-SPH_MOLLWEIDE_XMAX, 0.0, &theta, &phi));
  assert_close(theta, M_PI / 2, 1e-15);
  assert_close(phi, M_PI, 1e-15);
}

static void test_image_plane(void)
{
  double x, y, px, py;
  /* A 2:1 image: its edges are the box's. */
  sph_mollweide_image_to_plane(800, 400, 0.0, 200.0, &x, &y);
  assert_close(x, -SPH_MOLLWEIDE_XMAX, 1e-15);
  assert_close(y, 0.0, 1e-15);
  sph_mollweide_image_to_plane(800, 400, 400.0, 0.0, &x, &y);
  assert_close(x, 0.0, 1e-15);
  assert_close(y, SPH_MOLLWEIDE_YMAX, 1e-15); /* the top row is north */
  /* Too wide: the box is 2 * height wide, centred. */
  sph_mollweide_image_to_plane(1000, 400, 100.0, 400.0, &x, &y);
  assert_close(x, -SPH_MOLLWEIDE_XMAX, 1e-15);
  assert_close(y, -SPH_MOLLWEIDE_YMAX, 1e-15);
  /* Too tall: the box is width / 2 high, centred. */
  sph_mollweide_image_to_plane(400, 500, 400.0, 150.0, &x, &y);
  assert_close(x, SPH_MOLLWEIDE_XMAX, 1e-15);
  assert_close(y, SPH_MOLLWEIDE_YMAX, 1e-15);
  /* Pixel centres are at i + 0.5. */
  sph_mollweide_image_to_plane(800, 400, 0.5, 0.5, &x, &y);
  assert_close(x, (0.5 - 400) * 4 * SQRT2 / 800, 1e-15);
  assert_close(y, (200 - 0.5) * 4 * SQRT2 / 800, 1e-15);

  static const int sizes[][2] = {{800, 400}, {801, 333}, {64, 200}, {7, 3}};
  for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
    for (double qx = -3.1; qx < 3.1; qx += 0.37) {
      for (double qy = -1.6; qy < 1.6; qy += 0.29) {
        sph_mollweide_plane_to_image(sizes[s][0], sizes[s][1], qx, qy, &px, &py);
        sph_mollweide_image_to_plane(sizes[s][0], sizes[s][1], px, py, &x, &y);
        assert_close(x, qx, 1e-13);
        assert_close(y, qy, 1e-13);
      }
    }
  }
}

/* Our inverse projection against healpy's mollview projector (MollweideProj.xy2ang and
 * the pixel projmap shows), at every pixel of healpy's own 160 x 80 grid. healpy's plane
 * is ours divided by sqrt2. */
static void test_mollweide_healpy(void)
{
  static const char script[] =
      "import sys\n"
      "try:\n"
      "    import numpy as np, healpy as hp\n"
      "except ImportError:\n"
      "    sys.exit(77)\n"
      "nside, xsize = 16, 160\n"
      "p = hp.projector.MollweideProj(xsize=xsize)\n"
      "x, y = p.ij2xy()\n"
      "inside = ~np.ma.getmaskarray(x)\n"
      "img = p.projmap(np.arange(hp.nside2npix(nside), dtype=float),\n"
      "                lambda a, b, c: hp.vec2pix(nside, a, b, c))\n"
      "xv, yv, pix = np.asarray(x)[inside], np.asarray(y)[inside], img[inside]\n"
      "th, ph = p.xy2ang(xv, yv)\n"
      "xf, yf = p.ang2xy(np.array([np.pi/2, np.pi/2, 0.3, 2.5]), np.array([0.0, np.pi/2, 1.0, 5.0]))\n"
      "print(' '.join('%.17g %.17g' % t for t in zip(xf, yf)))\n"
      "for k in range(xv.size):\n"
      "    print('%.17g %.17g %.17g %.17g %d' % (xv[k], yv[k], th[k], ph[k], pix[k]))\n";
  char *out = run_python(script);
  if (out == NULL)
    return;
  char **lines = g_strsplit(out, "\n", -1);

  /* healpy's forward (a 1-degree interpolation table, so loose): the same side. */
  static const double fwd[4][2] = {{M_PI / 2, 0.0}, {M_PI / 2, M_PI / 2}, {0.3, 1.0},
                                   {2.5, 5.0}};
  char **f = g_strsplit(lines[0], " ", -1);
  g_assert_cmpuint(g_strv_length(f), ==, 8);
  for (int k = 0; k < 4; k++) {
    double x, y;
    sph_mollweide_forward(fwd[k][0], fwd[k][1], &x, &y);
    assert_close(x / SQRT2, g_ascii_strtod(f[2 * k], NULL), 2e-3);
    assert_close(y / SQRT2, g_ascii_strtod(f[2 * k + 1], NULL), 2e-3);
  }
  g_strfreev(f);

  int points = 0, pix_equal = 0;
  for (char **line = lines + 1; *line != NULL; line++) {
    double hx, hy, htheta, hphi, hpix;
    if (sscanf(*line, "%lf %lf %lf %lf %lf", &hx, &hy, &htheta, &hphi, &hpix) != 5)
      continue;
    double theta, phi;
    g_assert_true(sph_mollweide_inverse(hx * SQRT2, hy * SQRT2, &theta, &phi));
    g_assert_cmpfloat(angular_distance(theta, phi, htheta, hphi), <=, 1e-9);
    /* Away from the poles, where healpy clamps cos a at 1e-6, longitudes agree too. */
    if (fabs(hy) < 0.999)
      assert_close(remainder(phi - hphi, 2 * M_PI), 0.0, 1e-9);
    if (sph_hp_ang2pix_ring(16, theta, phi) == (int64_t)hpix)
      pix_equal++;
    points++;
  }
  /* 160 x 80 grid: the ellipse holds pi/4 of it. */
  g_assert_cmpint(points, >, 9000);
  g_assert_cmpint(pix_equal, ==, points);
  g_strfreev(lines);
  g_free(out);
}

/* ---- raster ---- */

static void check_raster(int64_t nside, SphOrdering ordering, int width, int height)
{
  SphError err = SPH_ERROR_INIT;
  SphSkyRaster *raster = sph_sky_raster_new(nside, ordering, width, height, &err);
  g_assert_nonnull(raster);
  g_assert_cmpint(sph_sky_raster_width(raster), ==, width);
  g_assert_cmpint(sph_sky_raster_height(raster), ==, height);
  g_assert_cmpint(sph_sky_raster_nside(raster), ==, nside);
  g_assert_cmpint(sph_sky_raster_ordering(raster), ==, ordering);
  const int64_t *index = sph_sky_raster_index(raster);
  int64_t npix = sph_hp_nside2npix(nside);
  int inside = 0;
  for (int j = 0; j < height; j++) {
    for (int i = 0; i < width; i++) {
      int64_t got = index[(size_t)j * width + i];
      /* The plane point of the pixel centre, from the documented formula. */
      double k = fmin(width, 2.0 * height) / (4 * SQRT2);
      double x = (i + 0.5 - width / 2.0) / k, y = (height / 2.0 - j - 0.5) / k;
      double theta, phi;
      if (x * x / 8 + y * y / 2 > 1) {
        g_assert_cmpint(got, ==, -1);
        continue;
      }
      g_assert_true(sph_mollweide_inverse(x, y, &theta, &phi));
      int64_t want = ordering == SPH_ORDER_NEST ? sph_hp_ang2pix_nest(nside, theta, phi)
                                                : sph_hp_ang2pix_ring(nside, theta, phi);
      g_assert_cmpint(got, ==, want);
      g_assert_cmpint(got, >=, 0);
      g_assert_cmpint(got, <, npix);
      inside++;
    }
  }
  /* The ellipse covers pi/4 of its box. */
  double box = fmin(width, 2.0 * height);
  assert_close(inside / (box * box / 2), M_PI / 4, 0.02);
  sph_sky_raster_free(raster);
}

static void test_raster_index(void)
{
  check_raster(16, SPH_ORDER_RING, 200, 100);
  check_raster(16, SPH_ORDER_NEST, 200, 100);
  check_raster(4, SPH_ORDER_RING, 257, 90);
  check_raster(64, SPH_ORDER_NEST, 120, 111);
  check_raster(1, SPH_ORDER_RING, 40, 20);
}

static void test_raster_invalid(void)
{
  SphError err = SPH_ERROR_INIT;
  g_assert_null(sph_sky_raster_new(300, SPH_ORDER_RING, 100, 50, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "300"));
  sph_error_clear(&err);
  g_assert_null(sph_sky_raster_new(16, SPH_ORDER_RING, 0, 50, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  sph_error_clear(&err);
  g_assert_null(sph_sky_raster_new(16, SPH_ORDER_RING, 100, -5, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
}

static void test_raster_paint(void)
{
  const int64_t nside = 8;
  const int64_t npix = sph_hp_nside2npix(nside);
  const int width = 160, height = 90, stride = 4 * width + 12;
  double *values = g_new(double, npix);
  for (int64_t p = 0; p < npix; p++)
    values[p] = -3.0 + 10.0 * (double)p / (double)(npix - 1);
  values[5] = SPH_UNSEEN;
  values[100] = NAN;
  values[200] = 1e300; /* clamps to the top */

  SphError err = SPH_ERROR_INIT;
  SphSkyRaster *raster = sph_sky_raster_new(nside, SPH_ORDER_NEST, width, height, &err);
  g_assert_nonnull(raster);
  uint8_t *rgba = g_malloc(stride * height);
  for (int c = 0; c < SPH_CMAP_COUNT; c++) {
    SphColorScale scale = {.vmin = -2.0, .vmax = 5.0, .cmap = c, .background = {1, 2, 3, 4}};
    memset(rgba, 0xee, stride * height);
    sph_sky_raster_paint(raster, values, &scale, rgba, stride);
    const int64_t *index = sph_sky_raster_index(raster);
    const uint8_t *table = sph_colormap_table(c);
    int seen = 0, bad = 0;
    for (int j = 0; j < height; j++) {
      for (int i = 0; i < width; i++) {
        const uint8_t *px = rgba + (size_t)j * stride + 4 * i;
        int64_t p = index[j * width + i];
        if (p < 0) {
          g_assert_cmpmem(px, 4, scale.background, 4);
          continue;
        }
        g_assert_cmpint(px[3], ==, 255);
        if (p == 5 || p == 100) {
          g_assert_cmpint(px[0], ==, SPH_BAD_R);
          g_assert_cmpint(px[1], ==, SPH_BAD_G);
          g_assert_cmpint(px[2], ==, SPH_BAD_B);
          bad++;
          continue;
        }
        double t = (values[p] + 2.0) / 7.0;
        int k = t <= 0 ? 0 : t >= 1 ? 255 : (int)floor(t * 255 + 0.5);
        g_assert_cmpmem(px, 3, table + 3 * k, 3);
        seen++;
      }
      /* The padding at the end of each row is left alone. */
      for (int b = 4 * width; b < stride; b++)
        g_assert_cmpint(rgba[(size_t)j * stride + b], ==, 0xee);
    }
    g_assert_cmpint(seen, >, 5000);
    g_assert_cmpint(bad, >, 0);
  }

  /* An empty range paints every seen pixel with the first entry, as matplotlib does. */
  SphColorScale flat = {.vmin = 1.0, .vmax = 1.0, .cmap = SPH_CMAP_VIRIDIS};
  uint8_t rgb[3];
  sph_color_scale_rgb(&flat, 123.0, rgb);
  g_assert_cmpmem(rgb, 3, sph_colormap_table(SPH_CMAP_VIRIDIS), 3);

  g_free(rgba);
  g_free(values);
  sph_sky_raster_free(raster);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/view/colormap/published", test_colormap_published);
  g_test_add_func("/view/colormap/names", test_colormap_names);
  g_test_add_func("/view/colormap/index", test_colormap_index);
  g_test_add_func("/view/colormap/matplotlib", test_colormap_matplotlib);
  g_test_add_func("/view/colormap/planck-file", test_colormap_planck_file);
  g_test_add_func("/view/mollweide/known-points", test_mollweide_known_points);
  g_test_add_func("/view/mollweide/round-trip", test_mollweide_round_trip);
  g_test_add_func("/view/mollweide/outside", test_mollweide_outside);
  g_test_add_func("/view/mollweide/image-plane", test_image_plane);
  g_test_add_func("/view/mollweide/healpy", test_mollweide_healpy);
  g_test_add_func("/view/raster/index", test_raster_index);
  g_test_add_func("/view/raster/invalid", test_raster_invalid);
  g_test_add_func("/view/raster/paint", test_raster_paint);
  return g_test_run();
}
