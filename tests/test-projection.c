/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The projections behind SphProjection: their planes against healpy's projector classes
 * (MollweideProj, OrthographicProj half and full sky, GnomonicProj, CartesianProj: xy2vec
 * and vec2xy with rotations, rolls and both flips), frames against projmap with
 * coord=['G', 'C'], round trips plane -> sphere -> plane, image layouts, orientation, and
 * the raster of every projection against healpy's gnomonic projmap pixel by pixel. */
#include <glib.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/coords.h"
#include "sphaera/healpix.h"
#include "sphaera/projection.h"
#include "sphaera/raster.h"
#include "sph-test-python.h"

#define SQRT2 1.4142135623730951
#define DEG (M_PI / 180.0)

/* The cases healpy projects; kinds: 0 moll, 1 ortho half, 2 ortho full, 3 gnom, 4 cart.
 * Every section starts with a line "@name". */
static const char reference_script[] =
    "import sys, warnings\n"
    "warnings.simplefilter('ignore')\n"
    "try:\n"
    "    import numpy as np, healpy as hp\n"
    "except ImportError:\n"
    "    sys.exit(77)\n"
    "P = hp.projector\n"
    "rng = np.random.default_rng(11)\n"
    "cases = [(0, (0, 0, 0), 'astro'), (0, (120, -35, 20), 'astro'), (0, (-60, 45, 0), 'geo'),\n"
    "         (1, (0, 30, 0), 'astro'), (1, (210, -60, 75), 'geo'), (2, (40, 10, -30), 'astro'),\n"
    "         (2, (0, 0, 0), 'geo'), (3, (266.4, -28.9, 0), 'astro'), (3, (10, 80, 45), 'geo'),\n"
    "         (4, (0, 0, 0), 'astro'), (4, (150, -20, 10), 'geo')]\n"
    "def make(kind, rot, flip, coord=None):\n"
    "    if kind == 0: return P.MollweideProj(rot=rot, flipconv=flip, coord=coord), 2, 1\n"
    "    if kind in (1, 2):\n"
    "        h = kind == 1\n"
    "        return P.OrthographicProj(rot=rot, flipconv=flip, half_sky=h, coord=coord), (1 if h else 2), 1\n"
    "    if kind == 3:\n"
    "        e = 0.5 * 200 * 60 / 60 * np.pi / 180\n"
    "        return P.GnomonicProj(rot=rot, flipconv=flip, xsize=200, ysize=200, reso=60, coord=coord), e, e\n"
    "    return P.CartesianProj(rot=rot, flipconv=flip, coord=coord), 180, 90\n"
    "for k, (kind, rot, flip) in enumerate(cases):\n"
    "    p, xm, ym = make(kind, rot, flip)\n"
    "    print('@case%d' % k)\n"
    "    print(kind, *rot, 1 if flip == 'geo' else 0)\n"
    "    x = rng.uniform(-1.05, 1.05, 400) * xm; y = rng.uniform(-1.05, 1.05, 400) * ym\n"
    "    if kind in (3, 4):\n"
    "        x /= 1.05; y /= 1.05\n"
    "    v = np.array(p.xy2vec(x.copy(), y.copy()))\n"
    "    for i in range(x.size):\n"
    "        print('%.17g %.17g %.17g %.17g %.17g' % (x[i], y[i], *v[:, i]))\n"
    "    if kind == 0:\n"
    "        continue\n"
    "    print('@fwd%d' % k)\n"
    "    th = np.arccos(rng.uniform(-1, 1, 300)); ph = rng.uniform(0, 2 * np.pi, 300)\n"
    "    fx, fy = p.ang2xy(th, ph)\n"
    "    for i in range(th.size):\n"
    "        print('%.17g %.17g %.17g %.17g' % (th[i], ph[i], fx[i], fy[i]))\n"
    "print('@frames')\n"
    "for kind in (0, 3):\n"
    "    p, xm, ym = make(kind, (10, 20, 5), 'astro', coord='C')\n"
    "    x = rng.uniform(-0.9, 0.9, 100) * xm; y = rng.uniform(-0.9, 0.9, 100) * ym\n"
    "    v = np.array(p.xy2vec(x.copy(), y.copy()))\n"
    "    g = hp.Rotator(coord=['G', 'C']).I(v)\n"
    "    for i in range(x.size):\n"
    "        print(kind, '%.17g %.17g %.17g %.17g %.17g' % (x[i], y[i], *g[:, i]))\n"
    "print('@projmap')\n"
    "p = P.GnomonicProj(rot=(30, 20, 10), coord='C', xsize=60, ysize=40, reso=30)\n"
    "img = p.projmap(np.arange(hp.nside2npix(16), dtype=float),\n"
    "                lambda a, b, c: hp.vec2pix(16, a, b, c), coord='G')\n"
    "print(' '.join('%d' % v for v in img.ravel()))\n"
    "print('@orient')\n"
    "p = P.MollweideProj()\n"
    "print('%.17g' % p.ang2xy(np.pi / 2, np.pi / 2)[0])\n";

static const char *reference(const char *section)
{
  static SphTestPythonSections cache;
  return sph_test_python_section(&cache, reference_script, section,
                                 "no reference Python with healpy (SPHAERA_PYTHON)");
}

static void assert_close(double a, double b, double tol)
{
  if (!(fabs(a - b) <= tol))
    g_error("%.17g and %.17g differ by %.3g > %.3g", a, b, fabs(a - b), tol);
}

static double angular_distance(const double a[3], const double b[3])
{
  double c[3] = {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                 a[0] * b[1] - a[1] * b[0]};
  return atan2(sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]),
               a[0] * b[0] + a[1] * b[1] + a[2] * b[2]);
}

static void set_case(SphProjection *proj, int kind, const double rot[3], int geo)
{
  static const SphProjectionKind kinds[] = {SPH_PROJ_MOLLWEIDE, SPH_PROJ_ORTHOGRAPHIC,
                                            SPH_PROJ_ORTHOGRAPHIC, SPH_PROJ_GNOMONIC,
                                            SPH_PROJ_CARTESIAN};
  sph_projection_init(proj, kinds[kind]);
  proj->half_sky = kind == 1;
  proj->reso = 60.0;
  memcpy(proj->rot, rot, sizeof proj->rot);
  proj->flip = geo ? SPH_FLIP_GEO : SPH_FLIP_ASTRO;
}

/* Our plane is healpy's, except Mollweide's, which is healpy's times sqrt2. */
static double plane_scale(int kind)
{
  return kind == 0 ? SQRT2 : 1.0;
}

static void test_healpy_planes(void)
{
  int checked = 0, forward = 0;
  for (int c = 0; c < 11; c++) {
    char name[16];
    snprintf(name, sizeof name, "case%d", c);
    const char *text = reference(name);
    if (text == NULL)
      return;
    char *p = (char *)text;
    int kind = (int)g_ascii_strtoll(p, &p, 10);
    double rot[3];
    for (int k = 0; k < 3; k++)
      rot[k] = g_ascii_strtod(p, &p);
    int geo = (int)g_ascii_strtoll(p, &p, 10);
    SphProjection proj;
    set_case(&proj, kind, rot, geo);
    SphError err = SPH_ERROR_INIT;
    SphProjector *pr = sph_projector_new(&proj, SPH_COORD_UNKNOWN, &err);
    g_assert_nonnull(pr);
    double s = plane_scale(kind);
    for (int i = 0; i < 400; i++) {
      double x = g_ascii_strtod(p, &p), y = g_ascii_strtod(p, &p);
      double want[3];
      for (int k = 0; k < 3; k++)
        want[k] = g_ascii_strtod(p, &p);
      double v[3];
      bool inside = sph_projector_plane_to_vec(pr, s * x, s * y, v);
      g_assert_cmpint(inside, ==, !isnan(want[0]));
      g_assert_cmpint(inside, ==, sph_projection_plane_inside(&proj, s * x, s * y));
      if (!inside)
        continue;
      g_assert_cmpfloat(angular_distance(v, want), <, 1e-12);
      /* ...and back to the same point of the plane. */
      double x2, y2;
      g_assert_true(sph_projector_vec_to_plane(pr, v, &x2, &y2));
      assert_close(x2, s * x, 1e-10 * s);
      assert_close(y2, s * y, 1e-10 * s);
      checked++;
    }
    if (kind != 0) {
      snprintf(name, sizeof name, "fwd%d", c);
      p = (char *)reference(name);
      double xmax, ymax;
      sph_projection_extent(&proj, &xmax, &ymax);
      for (int i = 0; i < 300; i++) {
        double th = g_ascii_strtod(p, &p), ph = g_ascii_strtod(p, &p);
        double hx = g_ascii_strtod(p, &p), hy = g_ascii_strtod(p, &p);
        double x, y;
        bool shown = sph_projector_ang_to_plane(pr, th, ph, &x, &y);
        /* healpy's gnomonic plane has no edge; ours ends at the box. */
        bool want = !isnan(hx) && (kind != 3 || (fabs(hx) <= xmax && fabs(hy) <= ymax));
        g_assert_cmpint(shown, ==, want);
        if (!shown)
          continue;
        /* Cartesian longitudes on the seam (+-180) may land on either edge. */
        if (kind == 4 && fabs(fabs(hx) - 180.0) < 1e-9)
          continue;
        assert_close(x, hx, 1e-11 * xmax);
        assert_close(y, hy, 1e-11 * ymax);
        forward++;
      }
    }
    sph_projector_free(pr);
  }
  g_assert_cmpint(checked, >, 2500);
  g_assert_cmpint(forward, >, 1500);
}

/* A view in Equatorial coordinates of a Galactic map, against healpy's projector with
 * coord='C' followed by Rotator(coord=['G', 'C']).I, as projmap does. */
static void test_healpy_frames(void)
{
  const char *text = reference("frames");
  if (text == NULL)
    return;
  char *p = (char *)text;
  int n = 0;
  for (int i = 0; i < 200; i++) {
    int kind = (int)g_ascii_strtoll(p, &p, 10);
    double x = g_ascii_strtod(p, &p), y = g_ascii_strtod(p, &p), want[3];
    for (int k = 0; k < 3; k++)
      want[k] = g_ascii_strtod(p, &p);
    SphProjection proj;
    set_case(&proj, kind, (const double[]){10, 20, 5}, 0);
    proj.coord = SPH_COORD_EQUATORIAL;
    SphProjector *pr = sph_projector_new(&proj, SPH_COORD_GALACTIC, NULL);
    double v[3], s = plane_scale(kind);
    bool inside = sph_projector_plane_to_vec(pr, s * x, s * y, v);
    g_assert_cmpint(inside, ==, !isnan(want[0]));
    if (inside) {
      g_assert_cmpfloat(angular_distance(v, want), <, 1e-12);
      n++;
    }
    g_assert_false(sph_projector_is_direct(pr));
    sph_projector_free(pr);
  }
  g_assert_cmpint(n, >, 170);
}

/* healpy's gnomonic projmap of a Galactic map in an Equatorial view, pixel by pixel
 * against our raster of the same grid (healpy's row 0 is the bottom, ours the top). */
static void test_raster_gnomonic_projmap(void)
{
  const char *text = reference("projmap");
  if (text == NULL)
    return;
  SphProjection proj;
  sph_projection_init(&proj, SPH_PROJ_GNOMONIC);
  proj.rot[0] = 30;
  proj.rot[1] = 20;
  proj.rot[2] = 10;
  proj.coord = SPH_COORD_EQUATORIAL;
  proj.reso = 30;
  proj.xsize = 60;
  proj.ysize = 40;
  SphError err = SPH_ERROR_INIT;
  SphSkyRaster *raster =
      sph_sky_raster_new_view(16, SPH_ORDER_RING, &proj, SPH_COORD_GALACTIC, 60, 40, &err);
  g_assert_nonnull(raster);
  const int64_t *index = sph_sky_raster_index(raster);
  char *p = (char *)text;
  int equal = 0;
  for (int r = 0; r < 40; r++)
    for (int c = 0; c < 60; c++) {
      int64_t want = g_ascii_strtoll(p, &p, 10);
      equal += index[(39 - r) * 60 + c] == want;
    }
  g_assert_cmpint(equal, ==, 2400);
  g_assert_cmpint(sph_sky_raster_count_inside(raster), ==, 2400);
  sph_sky_raster_free(raster);
}

/* Galactic (l = 90, b = 0) lies LEFT of centre in an astronomical Mollweide, as healpy
 * draws it; geo puts it on the right. */
static void test_orientation(void)
{
  SphProjection proj;
  sph_projection_init(&proj, SPH_PROJ_MOLLWEIDE);
  SphProjector *pr = sph_projector_new(&proj, SPH_COORD_UNKNOWN, NULL);
  double x, y;
  g_assert_true(sph_projector_ang_to_plane(pr, M_PI / 2, M_PI / 2, &x, &y));
  assert_close(x, -SQRT2, 1e-14);
  sph_projector_free(pr);
  proj.flip = SPH_FLIP_GEO;
  pr = sph_projector_new(&proj, SPH_COORD_UNKNOWN, NULL);
  g_assert_true(sph_projector_ang_to_plane(pr, M_PI / 2, M_PI / 2, &x, &y));
  assert_close(x, SQRT2, 1e-14);
  sph_projector_free(pr);
  /* Every projection centred on (l, b) = (90, 0) puts it in the middle, north up. */
  for (int k = 0; k < SPH_PROJ_COUNT; k++) {
    sph_projection_init(&proj, (SphProjectionKind)k);
    proj.rot[0] = 90;
    pr = sph_projector_new(&proj, SPH_COORD_UNKNOWN, NULL);
    g_assert_true(sph_projector_ang_to_plane(pr, M_PI / 2, M_PI / 2, &x, &y));
    assert_close(x, 0.0, 1e-12);
    assert_close(y, 0.0, 1e-12);
    double x2, y2;
    g_assert_true(sph_projector_ang_to_plane(pr, M_PI / 2 - 0.01, M_PI / 2, &x2, &y2));
    g_assert_cmpfloat(y2, >, 0.0);
    /* And a little east (larger longitude) is to the left. */
    g_assert_true(sph_projector_ang_to_plane(pr, M_PI / 2, M_PI / 2 + 0.01, &x2, &y2));
    g_assert_cmpfloat(x2, <, 0.0);
    sph_projector_free(pr);
  }
  const char *text = reference("orient");
  if (text != NULL)
    g_assert_cmpfloat(g_ascii_strtod(text, NULL), <, -0.9);
}

static void test_round_trips(void)
{
  GRand *rng = g_rand_new_with_seed(5);
  for (int k = 0; k < SPH_PROJ_COUNT; k++) {
    for (int half = 0; half < 2; half++) {
      for (int geo = 0; geo < 2; geo++) {
        SphProjection proj;
        sph_projection_init(&proj, (SphProjectionKind)k);
        proj.half_sky = half;
        proj.flip = geo ? SPH_FLIP_GEO : SPH_FLIP_ASTRO;
        proj.rot[0] = 33;
        proj.rot[1] = -12;
        proj.rot[2] = 7;
        proj.reso = 20;
        SphProjector *pr = sph_projector_new(&proj, SPH_COORD_ECLIPTIC, NULL);
        double xmax, ymax;
        sph_projection_extent(&proj, &xmax, &ymax);
        int inside = 0;
        for (int i = 0; i < 2000; i++) {
          double x = g_rand_double_range(rng, -xmax, xmax);
          double y = g_rand_double_range(rng, -ymax, ymax);
          double v[3], x2, y2, theta, phi;
          if (!sph_projector_plane_to_vec(pr, x, y, v))
            continue;
          assert_close(v[0] * v[0] + v[1] * v[1] + v[2] * v[2], 1.0, 1e-14);
          g_assert_true(sph_projector_vec_to_plane(pr, v, &x2, &y2));
          assert_close(x2, x, 1e-9 * xmax);
          assert_close(y2, y, 1e-9 * ymax);
          g_assert_true(sph_projector_plane_to_ang(pr, x, y, &theta, &phi));
          double w[3];
          sph_ang2vec(theta, phi, w);
          g_assert_cmpfloat(angular_distance(v, w), <, 1e-14);
          inside++;
        }
        /* The fraction of the bounding box the projection fills. */
        double want = k == SPH_PROJ_GNOMONIC || k == SPH_PROJ_CARTESIAN ? 1.0 : M_PI / 4;
        assert_close(inside / 2000.0, want, 0.04);
        sph_projector_free(pr);
      }
    }
  }
  g_rand_free(rng);
}

static void test_image_layout(void)
{
  for (int k = 0; k < SPH_PROJ_COUNT; k++) {
    SphProjection proj;
    sph_projection_init(&proj, (SphProjectionKind)k);
    double xmax, ymax, x, y, px, py;
    sph_projection_extent(&proj, &xmax, &ymax);
    static const int sizes[][2] = {{400, 200}, {300, 300}, {640, 123}, {7, 3}};
    for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
      int w = sizes[s][0], h = sizes[s][1];
      /* The centre of the image is the centre of the plane... */
      sph_projection_image_to_plane(&proj, w, h, w / 2.0, h / 2.0, &x, &y);
      assert_close(x, 0.0, 1e-12);
      assert_close(y, 0.0, 1e-12);
      /* ...the box touches two opposite image edges and fits inside the others. */
      double x0, y0, x1, y1;
      sph_projection_image_to_plane(&proj, w, h, 0, 0, &x0, &y0);
      sph_projection_image_to_plane(&proj, w, h, w, h, &x1, &y1);
      g_assert_true(fabs(-x0 - xmax) < 1e-9 * xmax || fabs(y0 - ymax) < 1e-9 * ymax);
      g_assert_cmpfloat(-x0, >=, xmax * (1 - 1e-12));
      g_assert_cmpfloat(y0, >=, ymax * (1 - 1e-12));
      assert_close(x1, -x0, 1e-9 * xmax);
      /* Square pixels, north up, right is +x. */
      assert_close((x1 - x0) / w, (y0 - y1) / h, 1e-12 * xmax);
      for (double qx = -xmax; qx <= xmax; qx += xmax / 7) {
        sph_projection_plane_to_image(&proj, w, h, qx, 0.3 * ymax, &px, &py);
        sph_projection_image_to_plane(&proj, w, h, px, py, &x, &y);
        assert_close(x, qx, 1e-12 * xmax);
        assert_close(y, 0.3 * ymax, 1e-12 * ymax);
      }
    }
  }
  /* The gnomonic grid at its own size is healpy's: pixel j's centre at (j - (n-1)/2) reso. */
  SphProjection g;
  sph_projection_init(&g, SPH_PROJ_GNOMONIC);
  double x, y;
  sph_projection_image_to_plane(&g, 200, 200, 0.5, 199.5, &x, &y);
  assert_close(x, -99.5 * 1.5 / 60 * DEG, 1e-15);
  assert_close(y, -99.5 * 1.5 / 60 * DEG, 1e-15);
}

static void test_descriptor(void)
{
  SphProjection proj;
  sph_projection_init(&proj, SPH_PROJ_GNOMONIC);
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_projection_check(&proj, &err), ==, SPH_OK);
  proj.reso = -1;
  g_assert_cmpint(sph_projection_check(&proj, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "resolution"));
  sph_projection_init(&proj, SPH_PROJ_ORTHOGRAPHIC);
  proj.rot[1] = 91;
  sph_error_clear(&err);
  g_assert_cmpint(sph_projection_check(&proj, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "91"));
  proj.rot[1] = NAN;
  g_assert_cmpint(sph_projection_check(&proj, NULL), ==, SPH_ERR_INVALID);
  proj.rot[1] = 0;
  proj.kind = SPH_PROJ_COUNT;
  g_assert_cmpint(sph_projection_check(&proj, NULL), ==, SPH_ERR_INVALID);
  g_assert_null(sph_projector_new(&proj, SPH_COORD_UNKNOWN, NULL));
  /* A zero-filled descriptor is a plain Mollweide view. */
  SphProjection zero;
  memset(&zero, 0, sizeof zero);
  g_assert_cmpint(sph_projection_check(&zero, NULL), ==, SPH_OK);
  g_assert_true(sph_projection_full_sky(&zero));

  static const char *names[] = {"mollweide", "orthographic", "gnomonic", "cartesian"};
  for (int k = 0; k < SPH_PROJ_COUNT; k++) {
    SphProjectionKind kind;
    g_assert_cmpstr(sph_projection_kind_name((SphProjectionKind)k), ==, names[k]);
    g_assert_true(sph_projection_kind_from_name(names[k], &kind));
    g_assert_cmpint(kind, ==, k);
  }
  SphProjectionKind kind;
  g_assert_true(sph_projection_kind_from_name("ORTHO", &kind) && kind == SPH_PROJ_ORTHOGRAPHIC);
  g_assert_true(sph_projection_kind_from_name("cart", &kind) && kind == SPH_PROJ_CARTESIAN);
  g_assert_true(sph_projection_kind_from_name("gnom", &kind) && kind == SPH_PROJ_GNOMONIC);
  g_assert_false(sph_projection_kind_from_name("aitoff", &kind));
  g_assert_null(sph_projection_kind_name(SPH_PROJ_COUNT));
}

/* Every raster against the pipeline it documents (image -> plane -> projector ->
 * pixel), and the Mollweide default against sph_sky_raster_new() bit for bit. */
static void test_raster_views(void)
{
  SphError err = SPH_ERROR_INIT;
  SphProjection proj;
  sph_projection_init(&proj, SPH_PROJ_MOLLWEIDE);
  SphSkyRaster *a = sph_sky_raster_new(16, SPH_ORDER_NEST, 160, 80, &err);
  SphSkyRaster *b =
      sph_sky_raster_new_view(16, SPH_ORDER_NEST, &proj, SPH_COORD_GALACTIC, 160, 80, &err);
  g_assert_cmpmem(sph_sky_raster_index(a), 160 * 80 * sizeof(int64_t), sph_sky_raster_index(b),
                  160 * 80 * sizeof(int64_t));
  sph_sky_raster_free(a);
  sph_sky_raster_free(b);

  for (int k = 0; k < SPH_PROJ_COUNT; k++) {
    sph_projection_init(&proj, (SphProjectionKind)k);
    proj.rot[0] = 45;
    proj.rot[1] = 30;
    proj.rot[2] = 15;
    proj.half_sky = k != SPH_PROJ_ORTHOGRAPHIC; /* the two globes here */
    proj.coord = SPH_COORD_EQUATORIAL;
    proj.reso = 12;
    proj.xsize = 150;
    proj.ysize = 90;
    int w = 150, h = 90;
    SphSkyRaster *r =
        sph_sky_raster_new_view(8, SPH_ORDER_RING, &proj, SPH_COORD_GALACTIC, w, h, &err);
    g_assert_nonnull(r);
    SphProjector *pr = sph_projector_new(&proj, SPH_COORD_GALACTIC, &err);
    const int64_t *index = sph_sky_raster_index(r);
    int64_t inside = 0;
    for (int j = 0; j < h; j++)
      for (int i = 0; i < w; i++) {
        double x, y, v[3];
        sph_projection_image_to_plane(&proj, w, h, i + 0.5, j + 0.5, &x, &y);
        int64_t want = sph_projector_plane_to_vec(pr, x, y, v) ? sph_hp_vec2pix_ring(8, v) : -1;
        g_assert_cmpint(index[j * w + i], ==, want);
        inside += want >= 0;
      }
    g_assert_cmpint(sph_sky_raster_count_inside(r), ==, inside);
    double *values = g_new(double, sph_hp_nside2npix(8));
    for (int64_t p = 0; p < sph_hp_nside2npix(8); p++)
      values[p] = (double)p;
    double *shown = g_new(double, inside);
    g_assert_cmpint(sph_sky_raster_shown_values(r, values, shown), ==, inside);
    int64_t m = 0;
    for (int q = 0; q < w * h; q++)
      if (index[q] >= 0)
        g_assert_cmpfloat(shown[m++], ==, (double)index[q]);
    g_free(shown);
    g_free(values);
    g_assert_cmpint(sph_sky_raster_projection(r)->kind, ==, k);
    sph_projector_free(pr);
    sph_sky_raster_free(r);
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/projection/descriptor", test_descriptor);
  g_test_add_func("/projection/healpy-planes", test_healpy_planes);
  g_test_add_func("/projection/healpy-frames", test_healpy_frames);
  g_test_add_func("/projection/orientation", test_orientation);
  g_test_add_func("/projection/round-trips", test_round_trips);
  g_test_add_func("/projection/image-layout", test_image_layout);
  g_test_add_func("/projection/raster-views", test_raster_views);
  g_test_add_func("/projection/raster-gnomonic-projmap", test_raster_gnomonic_projmap);
  return g_test_run();
}
