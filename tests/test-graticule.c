/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The graticule: every point it draws lies on its meridian or parallel (inverse
 * projection, in the graticule's own frame), pieces are continuous (no jump longer than
 * the refinement step), they end on the limb, the box edge or the seam, the lines that
 * must be there are (all meridians of a Mollweide view reaching both poles, the equator
 * spanning the ellipse), and labels sit where they are documented to. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sphaera/coords.h"
#include "sphaera/graticule.h"
#include "sphaera/projection.h"

#define DEG (M_PI / 180.0)
#define MAX_STEP 2.5 /* graticule.c's refinement step, image pixels */

typedef struct {
  int pieces, points;
  double max_step;
} LineStats;

/* Checks every point of g against the circle it belongs to; returns totals. */
static LineStats check_points(const SphGraticule *g, const SphProjection *proj, int w, int h,
                              SphCoordSys frame)
{
  SphProjector *pr = sph_projector_new(proj, frame, NULL);
  g_assert_nonnull(pr);
  LineStats st = {0, 0, 0.0};
  for (size_t i = 0; i < sph_graticule_line_count(g); i++) {
    const SphGraticuleLine *l = sph_graticule_line(g, i);
    g_assert_cmpuint(l->npoints, >=, 2);
    st.pieces++;
    for (size_t k = 0; k < l->npoints; k++) {
      double px = l->xy[2 * k], py = l->xy[2 * k + 1], x, y, theta, phi;
      g_assert_cmpfloat(px, >=, -1e-6);
      g_assert_cmpfloat(px, <=, w + 1e-6);
      g_assert_cmpfloat(py, >=, -1e-6);
      g_assert_cmpfloat(py, <=, h + 1e-6);
      sph_projection_image_to_plane(proj, w, h, px, py, &x, &y);
      /* A point found on the edge by bisection may sit a hair outside it; and on a
       * globe's limb the inverse projection magnifies the image's rounding (the
       * depth is a square root), so the edge gets a looser check. */
      bool edge = !sph_projector_plane_to_ang(pr, x, y, &theta, &phi);
      if (edge) {
        x *= 1 - 1e-12;
        y *= 1 - 1e-12;
        g_assert_true(sph_projector_plane_to_ang(pr, x, y, &theta, &phi));
      }
      if (proj->kind == SPH_PROJ_ORTHOGRAPHIC) {
        double u = proj->half_sky ? 0.0 : fabs(x) - 1.0;
        edge |= u * u + y * y > 1 - 1e-9;
      }
      double tol = edge ? 1e-3 : 1e-6;
      double lat = 90 - theta / DEG, lon = phi / DEG;
      if (l->kind == SPH_GRATICULE_PARALLEL) {
        g_assert_cmpfloat(fabs(lat - l->value), <, tol);
      } else if (fabs(lat) < 89.99) {
        /* Longitude is defined away from the poles. */
        g_assert_cmpfloat(fabs(remainder(lon - l->value, 360.0)), <, 10 * tol / cos(lat * DEG));
      }
      if (k > 0) {
        double d = hypot(px - l->xy[2 * k - 2], py - l->xy[2 * k - 1]);
        st.max_step = fmax(st.max_step, d);
      }
      st.points++;
    }
  }
  sph_projector_free(pr);
  return st;
}

static int count_kind(const SphGraticule *g, SphGraticuleKind kind, double value)
{
  int n = 0;
  for (size_t i = 0; i < sph_graticule_line_count(g); i++) {
    const SphGraticuleLine *l = sph_graticule_line(g, i);
    n += l->kind == kind && (isnan(value) || fabs(l->value - value) < 1e-9);
  }
  return n;
}

static const SphGraticuleLabel *find_label(const SphGraticule *g, SphGraticuleKind kind,
                                           double value)
{
  for (size_t i = 0; i < sph_graticule_label_count(g); i++) {
    const SphGraticuleLabel *l = sph_graticule_label(g, i);
    if (l->kind == kind && fabs(l->value - value) < 1e-9)
      return l;
  }
  return NULL;
}

static void test_mollweide(void)
{
  SphProjection proj;
  sph_projection_init(&proj, SPH_PROJ_MOLLWEIDE);
  const int w = 800, h = 400;
  SphError err = SPH_ERROR_INIT;
  SphGraticule *g = sph_graticule_new(&proj, w, h, NULL, &err);
  g_assert_nonnull(g);
  double dlon, dlat;
  sph_graticule_spacing(g, &dlon, &dlat);
  g_assert_cmpfloat(dlon, ==, 30.0); /* healpy's graticule on a full sky */
  g_assert_cmpfloat(dlat, ==, 30.0);
  LineStats st = check_points(g, &proj, w, h, SPH_COORD_UNKNOWN);
  g_assert_cmpfloat(st.max_step, <=, MAX_STEP);
  /* Unrotated, nothing crosses the seam: one piece per circle, 12 meridians and the
   * parallels -60..60. */
  g_assert_cmpint(count_kind(g, SPH_GRATICULE_MERIDIAN, NAN), ==, 12);
  g_assert_cmpint(count_kind(g, SPH_GRATICULE_PARALLEL, NAN), ==, 5);
  g_assert_cmpuint(sph_graticule_label_count(g), ==, 17);
  for (size_t i = 0; i < sph_graticule_line_count(g); i++) {
    const SphGraticuleLine *l = sph_graticule_line(g, i);
    const double *a = l->xy, *b = l->xy + 2 * (l->npoints - 1);
    if (l->kind == SPH_GRATICULE_MERIDIAN) {
      /* From the south pole (bottom centre) to the north pole (top centre). */
      g_assert_cmpfloat(fabs(a[0] - 400) + fabs(a[1] - 400), <, 1e-6);
      g_assert_cmpfloat(fabs(b[0] - 400) + fabs(b[1] - 0), <, 1e-6);
    } else if (l->value == 0.0) {
      /* The equator spans the ellipse, right (lon 0 -> west) round to the left edge. */
      double lo = 1e9, hi = -1e9;
      for (size_t k = 0; k < l->npoints; k++) {
        lo = fmin(lo, l->xy[2 * k]);
        hi = fmax(hi, l->xy[2 * k]);
        g_assert_cmpfloat(fabs(l->xy[2 * k + 1] - 200), <, 1e-9);
      }
      g_assert_cmpfloat(lo, <, 1e-6);
      g_assert_cmpfloat(hi, >, 800 - 1e-6);
    }
  }
  /* Labels: meridians on the equator, l = 90 left of centre (astronomical); parallels
   * at their leftmost point, on the ellipse's edge. */
  const SphGraticuleLabel *l90 = find_label(g, SPH_GRATICULE_MERIDIAN, 90);
  g_assert_nonnull(l90);
  g_assert_cmpfloat(fabs(l90->x - 200), <, 1e-9);
  g_assert_cmpfloat(fabs(l90->y - 200), <, 1e-9);
  g_assert_cmpstr(l90->text, ==, "90\u00b0");
  const SphGraticuleLabel *p30 = find_label(g, SPH_GRATICULE_PARALLEL, -30);
  g_assert_nonnull(p30);
  g_assert_cmpstr(p30->text, ==, "-30\u00b0");
  g_assert_cmpfloat(p30->y, >, 200);
  double x, y;
  sph_projection_image_to_plane(&proj, w, h, p30->x, p30->y, &x, &y);
  g_assert_cmpfloat(fabs(x * x / 8 + y * y / 2 - 1), <, 1e-3);
  sph_graticule_free(g);
}

/* A rotated view: circles cut by the seam come in pieces that end on the ellipse. */
static void test_mollweide_rotated(void)
{
  SphProjection proj;
  sph_projection_init(&proj, SPH_PROJ_MOLLWEIDE);
  proj.rot[0] = 45;
  proj.rot[1] = 30;
  proj.rot[2] = 20;
  const int w = 600, h = 300;
  SphGraticuleOptions opt = {.dlon = 45, .dlat = 20};
  SphGraticule *g = sph_graticule_new(&proj, w, h, &opt, NULL);
  g_assert_nonnull(g);
  LineStats st = check_points(g, &proj, w, h, SPH_COORD_UNKNOWN);
  g_assert_cmpfloat(st.max_step, <=, MAX_STEP);
  g_assert_cmpint(st.pieces, >, 8 + 8);
  for (size_t i = 0; i < sph_graticule_line_count(g); i++) {
    const SphGraticuleLine *l = sph_graticule_line(g, i);
    for (int end = 0; end < 2; end++) {
      const double *p = l->xy + (end ? 2 * (l->npoints - 1) : 0);
      double x, y;
      sph_projection_image_to_plane(&proj, w, h, p[0], p[1], &x, &y);
      double r = x * x / 8 + y * y / 2;
      /* A piece ends on the ellipse, or where its circle ends (a pole, or for a parallel
       * where it closes on itself). */
      bool on_edge = fabs(r - 1) < 1e-4;
      bool circle_end = l->kind == SPH_GRATICULE_MERIDIAN || l->npoints > 2;
      g_assert_true(on_edge || circle_end);
    }
  }
  sph_graticule_free(g);
}

/* A globe: pieces end on the limb; nothing is drawn outside the disc. */
static void test_orthographic(void)
{
  SphProjection proj;
  sph_projection_init(&proj, SPH_PROJ_ORTHOGRAPHIC);
  proj.rot[1] = 30;
  const int w = 300, h = 300;
  SphGraticule *g = sph_graticule_new(&proj, w, h, NULL, NULL);
  g_assert_nonnull(g);
  LineStats st = check_points(g, &proj, w, h, SPH_COORD_UNKNOWN);
  g_assert_cmpfloat(st.max_step, <=, MAX_STEP);
  int on_limb = 0;
  for (size_t i = 0; i < sph_graticule_line_count(g); i++) {
    const SphGraticuleLine *l = sph_graticule_line(g, i);
    for (int end = 0; end < 2; end++) {
      const double *p = l->xy + (end ? 2 * (l->npoints - 1) : 0);
      double r = hypot(p[0] - 150, p[1] - 150);
      g_assert_cmpfloat(r, <=, 150 + 1e-6);
      on_limb += fabs(r - 150) < 1e-4;
    }
  }
  /* Every meridian is cut by the limb (the south pole is hidden at lat 30). */
  g_assert_cmpint(on_limb, >=, 12);
  /* The north pole is in view: all 12 meridians meet there. */
  double px, py, x, y;
  SphProjector *pr = sph_projector_new(&proj, SPH_COORD_UNKNOWN, NULL);
  g_assert_true(sph_projector_ang_to_plane(pr, 0, 0, &x, &y));
  sph_projection_plane_to_image(&proj, w, h, x, y, &px, &py);
  int at_pole = 0;
  for (size_t i = 0; i < sph_graticule_line_count(g); i++) {
    const SphGraticuleLine *l = sph_graticule_line(g, i);
    const double *p = l->xy + 2 * (l->npoints - 1);
    at_pole += l->kind == SPH_GRATICULE_MERIDIAN && hypot(p[0] - px, p[1] - py) < 1e-6;
  }
  g_assert_cmpint(at_pole, ==, 12);
  /* Meridian labels only where the equator is in view: on it, on the near side. */
  int meridian_labels = 0;
  for (size_t i = 0; i < sph_graticule_label_count(g); i++) {
    const SphGraticuleLabel *lab = sph_graticule_label(g, i);
    if (lab->kind != SPH_GRATICULE_MERIDIAN)
      continue;
    double theta, phi;
    sph_projection_image_to_plane(&proj, w, h, lab->x, lab->y, &x, &y);
    g_assert_true(sph_projector_plane_to_ang(pr, x, y, &theta, &phi));
    g_assert_cmpfloat(fabs(theta - M_PI / 2), <, 1e-9);
    meridian_labels++;
  }
  /* 300, 330, 0, 30, 60, and 270 and 90 where the limb meets the equator. */
  g_assert_cmpint(meridian_labels, >=, 5);
  g_assert_cmpint(meridian_labels, <=, 7);
  sph_projector_free(pr);
  sph_graticule_free(g);

  /* Two globes: lines jump between them and are split, never drawn across. */
  proj.half_sky = false;
  g = sph_graticule_new(&proj, 600, 300, NULL, NULL);
  st = check_points(g, &proj, 600, 300, SPH_COORD_UNKNOWN);
  g_assert_cmpfloat(st.max_step, <=, MAX_STEP);
  sph_graticule_free(g);
}

/* A gnomonic field: automatic spacing, lines clipped at the box. */
static void test_gnomonic(void)
{
  SphProjection proj;
  sph_projection_init(&proj, SPH_PROJ_GNOMONIC);
  proj.rot[0] = 0;
  proj.rot[1] = 0;
  proj.reso = 3; /* 200 cells of 3 arcmin: 10 degrees */
  const int w = 400, h = 400;
  SphGraticule *g = sph_graticule_new(&proj, w, h, NULL, NULL);
  g_assert_nonnull(g);
  double dlon, dlat;
  sph_graticule_spacing(g, &dlon, &dlat);
  g_assert_cmpfloat(dlon, ==, 2.0);
  LineStats st = check_points(g, &proj, w, h, SPH_COORD_UNKNOWN);
  g_assert_cmpfloat(st.max_step, <=, MAX_STEP);
  /* Meridians 356, 358, 0, 2, 4 and parallels -4..4 cross the +-5 degree box; each is
   * one piece from edge to edge. */
  g_assert_cmpint(count_kind(g, SPH_GRATICULE_MERIDIAN, NAN), ==, 5);
  g_assert_cmpint(count_kind(g, SPH_GRATICULE_PARALLEL, NAN), ==, 5);
  g_assert_cmpint(count_kind(g, SPH_GRATICULE_MERIDIAN, 358), ==, 1);
  for (size_t i = 0; i < sph_graticule_line_count(g); i++) {
    const SphGraticuleLine *l = sph_graticule_line(g, i);
    for (int end = 0; end < 2; end++) {
      const double *p = l->xy + (end ? 2 * (l->npoints - 1) : 0);
      double edge = fmin(fmin(p[0], w - p[0]), fmin(p[1], h - p[1]));
      g_assert_cmpfloat(edge, <, 1e-4);
    }
  }
  /* The meridian l = 2 lies left of centre; its label sits on the equator. */
  const SphGraticuleLabel *m2 = find_label(g, SPH_GRATICULE_MERIDIAN, 2);
  g_assert_nonnull(m2);
  g_assert_cmpfloat(m2->x, <, 200);
  g_assert_cmpfloat(fabs(m2->y - 200), <, 1e-6);
  sph_graticule_free(g);

  /* A narrow field high up: arcminute spacing, longitudes wrapping through 0. */
  proj.rot[0] = 0.01;
  proj.rot[1] = 60;
  proj.reso = 0.1; /* 20 arcmin */
  g = sph_graticule_new(&proj, w, h, NULL, NULL);
  sph_graticule_spacing(g, &dlon, &dlat);
  g_assert_cmpfloat(fabs(dlon - 5 / 60.0), <, 1e-12);
  st = check_points(g, &proj, w, h, SPH_COORD_UNKNOWN);
  g_assert_cmpfloat(st.max_step, <=, MAX_STEP);
  g_assert_cmpint(count_kind(g, SPH_GRATICULE_PARALLEL, NAN), >=, 3);
  g_assert_cmpint(count_kind(g, SPH_GRATICULE_MERIDIAN, 0), ==, 1);
  sph_graticule_free(g);
}

/* Equatorial lines over a Galactic view: each point is on its circle in Equatorial
 * coordinates. */
static void test_other_frame(void)
{
  SphProjection proj;
  sph_projection_init(&proj, SPH_PROJ_MOLLWEIDE);
  proj.coord = SPH_COORD_GALACTIC;
  SphGraticuleOptions opt = {.frame = SPH_COORD_EQUATORIAL};
  SphGraticule *g = sph_graticule_new(&proj, 500, 250, &opt, NULL);
  g_assert_nonnull(g);
  LineStats st = check_points(g, &proj, 500, 250, SPH_COORD_EQUATORIAL);
  g_assert_cmpfloat(st.max_step, <=, MAX_STEP);
  g_assert_cmpint(st.points, >, 1000);
  /* The celestial equator is not the Galactic one: it reaches far from the middle row. */
  double spread = 0;
  for (size_t i = 0; i < sph_graticule_line_count(g); i++) {
    const SphGraticuleLine *l = sph_graticule_line(g, i);
    if (l->kind == SPH_GRATICULE_PARALLEL && l->value == 0)
      for (size_t k = 0; k < l->npoints; k++)
        spread = fmax(spread, fabs(l->xy[2 * k + 1] - 125));
  }
  g_assert_cmpfloat(spread, >, 50);
  sph_graticule_free(g);
}

static void test_cartesian(void)
{
  SphProjection proj;
  sph_projection_init(&proj, SPH_PROJ_CARTESIAN);
  SphGraticuleOptions opt = {.dlon = 60, .dlat = 45};
  SphGraticule *g = sph_graticule_new(&proj, 720, 360, &opt, NULL);
  LineStats st = check_points(g, &proj, 720, 360, SPH_COORD_UNKNOWN);
  g_assert_cmpfloat(st.max_step, <=, MAX_STEP);
  /* Plate carree: parallels are rows, meridians columns. */
  for (size_t i = 0; i < sph_graticule_line_count(g); i++) {
    const SphGraticuleLine *l = sph_graticule_line(g, i);
    for (size_t k = 0; k < l->npoints; k++) {
      if (l->kind == SPH_GRATICULE_PARALLEL)
        g_assert_cmpfloat(fabs(l->xy[2 * k + 1] - (180 - 2 * l->value)), <, 1e-9);
      else if (l->value != 180)
        g_assert_cmpfloat(fabs(l->xy[2 * k] - (360 - 2 * remainder(l->value, 360))), <, 1e-9);
    }
  }
  sph_graticule_free(g);
}

static void test_errors(void)
{
  SphProjection proj;
  sph_projection_init(&proj, SPH_PROJ_MOLLWEIDE);
  SphError err = SPH_ERROR_INIT;
  SphGraticuleOptions opt = {.dlon = 0.001, .dlat = 0.001};
  g_assert_null(sph_graticule_new(&proj, 100, 50, &opt, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "lines"));
  sph_error_clear(&err);
  g_assert_null(sph_graticule_new(&proj, 0, 50, NULL, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  opt.dlon = NAN;
  g_assert_null(sph_graticule_new(&proj, 100, 50, &opt, NULL));
  proj.rot[1] = 100;
  g_assert_null(sph_graticule_new(&proj, 100, 50, NULL, NULL));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/graticule/mollweide", test_mollweide);
  g_test_add_func("/graticule/mollweide-rotated", test_mollweide_rotated);
  g_test_add_func("/graticule/orthographic", test_orthographic);
  g_test_add_func("/graticule/gnomonic", test_gnomonic);
  g_test_add_func("/graticule/other-frame", test_other_frame);
  g_test_add_func("/graticule/cartesian", test_cartesian);
  g_test_add_func("/graticule/errors", test_errors);
  return g_test_run();
}
