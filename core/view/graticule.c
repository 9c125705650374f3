/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Meridians and parallels of any view as polylines on its image. */
#include "sphaera/graticule.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/coords.h"

#define DEG (M_PI / 180.0)

/* Refinement: consecutive points at most this far apart (image pixels); a gap still
 * open after this many halvings is a discontinuity, a limb crossing is located to
 * about 2^-MAX_DEPTH of the first step. */
#define MAX_SEGMENT 2.5
#define MAX_DEPTH 32
/* Between two hidden samples, how many halvings look for a visible stretch. */
#define HIDDEN_DEPTH 5
/* Beyond this many lines the spacing is a mistake, not a request. */
#define MAX_LINES 4000

struct SphGraticule {
  SphGraticuleLine *lines;
  size_t nlines, lines_cap;
  SphGraticuleLabel *labels;
  size_t nlabels, labels_cap;
  double dlon, dlat;
};

typedef struct {
  const SphProjector *projector;
  const SphProjection *proj;
  int width, height;
  SphGraticuleKind kind;
  double value; /* the fixed coordinate, degrees */
  double *buf;  /* the polyline being traced: n points, cap of room */
  size_t n, cap;
  SphGraticule *g;
  bool failed; /* out of memory */
} Tracer;

/* The image point of the circle's point at parameter s (degrees); false where hidden. */
static bool eval(const Tracer *t, double s, double p[2])
{
  double lat = t->kind == SPH_GRATICULE_MERIDIAN ? s : t->value;
  double lon = t->kind == SPH_GRATICULE_MERIDIAN ? t->value : s;
  double x, y;
  if (!sph_projector_ang_to_plane(t->projector, (90.0 - lat) * DEG, lon * DEG, &x, &y))
    return false;
  sph_projection_plane_to_image(t->proj, t->width, t->height, x, y, &p[0], &p[1]);
  return isfinite(p[0]) && isfinite(p[1]);
}

static void emit(Tracer *t, const double p[2])
{
  if (t->failed)
    return;
  if (t->n == t->cap) {
    size_t cap = t->cap < 64 ? 64 : 2 * t->cap;
    double *buf = realloc(t->buf, 2 * cap * sizeof(double));
    if (buf == NULL) {
      t->failed = true;
      return;
    }
    t->buf = buf;
    t->cap = cap;
  }
  t->buf[2 * t->n] = p[0];
  t->buf[2 * t->n + 1] = p[1];
  t->n++;
}

/* Ends the current piece, keeping it when it has two points or more. */
static void end_line(Tracer *t)
{
  if (t->failed || t->n < 2) {
    t->n = 0;
    return;
  }
  SphGraticule *g = t->g;
  double *xy = malloc(2 * t->n * sizeof(double));
  if (g->nlines == g->lines_cap) {
    size_t cap = g->lines_cap < 32 ? 32 : 2 * g->lines_cap;
    SphGraticuleLine *lines = realloc(g->lines, cap * sizeof *lines);
    if (lines == NULL) {
      free(xy);
      t->failed = true;
      return;
    }
    g->lines = lines;
    g->lines_cap = cap;
  }
  if (xy == NULL) {
    t->failed = true;
    return;
  }
  memcpy(xy, t->buf, 2 * t->n * sizeof(double));
  g->lines[g->nlines++] = (SphGraticuleLine){t->kind, t->value, t->n, xy};
  t->n = 0;
}

/* Traces the circle from s0 (already emitted when visible) to s1, emitting s1's point. */
static void refine(Tracer *t, double s0, const double p0[2], bool v0, double s1,
                   const double p1[2], bool v1, int depth)
{
  if (t->failed)
    return;
  if (v0 && v1 && hypot(p1[0] - p0[0], p1[1] - p0[1]) <= MAX_SEGMENT) {
    emit(t, p1);
    return;
  }
  if (depth >= MAX_DEPTH || (!v0 && !v1 && depth >= HIDDEN_DEPTH)) {
    /* A gap that never closed (a seam), the limb found, or nothing visible here: the
     * piece ends at s0, and a new one starts at s1 if it is shown. */
    end_line(t);
    if (v1)
      emit(t, p1);
    return;
  }
  double sm = 0.5 * (s0 + s1), pm[2];
  bool vm = eval(t, sm, pm);
  refine(t, s0, p0, v0, sm, pm, vm, depth + 1);
  refine(t, sm, pm, vm, s1, p1, v1, depth + 1);
}

/* A closed circle traced from a point inside one piece ends where it began: the last
 * piece joins the first one, in front of it. */
static void join_ends(Tracer *t, size_t first)
{
  SphGraticule *g = t->g;
  size_t last = g->nlines - 1;
  if (t->failed || g->nlines < first + 2)
    return;
  SphGraticuleLine *a = &g->lines[last], *b = &g->lines[first];
  const double *end = a->xy + 2 * (a->npoints - 1);
  if (hypot(end[0] - b->xy[0], end[1] - b->xy[1]) > 1e-9)
    return;
  size_t n = a->npoints + b->npoints - 1;
  double *xy = malloc(2 * n * sizeof(double));
  if (xy == NULL) {
    t->failed = true;
    return;
  }
  memcpy(xy, a->xy, 2 * a->npoints * sizeof(double));
  memcpy(xy + 2 * a->npoints, b->xy + 2, 2 * (b->npoints - 1) * sizeof(double));
  free((void *)a->xy);
  free((void *)b->xy);
  b->xy = xy;
  b->npoints = n;
  g->nlines--;
}

/* Traces one meridian or parallel over [lo, hi] degrees of its parameter. */
static void trace(Tracer *t, double lo, double hi)
{
  size_t first = t->g->nlines;
  int steps = (int)ceil((hi - lo) / 1.0);
  if (steps < 16)
    steps = 16;
  double p0[2], p1[2];
  bool v0 = eval(t, lo, p0);
  if (v0)
    emit(t, p0);
  for (int k = 1; k <= steps; k++) {
    double s1 = k == steps ? hi : lo + (hi - lo) * k / steps;
    double s0 = lo + (hi - lo) * (k - 1) / steps;
    bool v1 = eval(t, s1, p1);
    refine(t, s0, p0, v0, s1, p1, v1, 0);
    p0[0] = p1[0];
    p0[1] = p1[1];
    v0 = v1;
  }
  end_line(t);
  if (t->kind == SPH_GRATICULE_PARALLEL && hi - lo >= 360.0)
    join_ends(t, first);
}

static bool add_label(SphGraticule *g, SphGraticuleKind kind, double value, double x, double y)
{
  if (g->nlabels == g->labels_cap) {
    size_t cap = g->labels_cap < 32 ? 32 : 2 * g->labels_cap;
    SphGraticuleLabel *labels = realloc(g->labels, cap * sizeof *labels);
    if (labels == NULL)
      return false;
    g->labels = labels;
    g->labels_cap = cap;
  }
  SphGraticuleLabel *l = &g->labels[g->nlabels++];
  l->kind = kind;
  l->value = value;
  l->x = x;
  l->y = y;
  /* Round away representation noise (0.1 * 3 -> 0.3) before printing. */
  double shown = round(value * 1e9) / 1e9;
  if (shown == 0.0)
    shown = 0.0; /* no "-0" */
  snprintf(l->text, sizeof l->text, "%g\u00b0", shown);
  return true;
}

/* Labels the lines [first, g->nlines) of one circle: a meridian where it crosses the
 * equator, or else (a gnomonic view) where one of its pieces meets the image's edge, the
 * lowest such end (none when no piece does, so labels do not crowd at a pole);
 * a parallel at its leftmost point. */
static bool label_circle(Tracer *t, size_t first)
{
  SphGraticule *g = t->g;
  if (first == g->nlines)
    return true;
  double p[2];
  if (t->kind == SPH_GRATICULE_MERIDIAN && eval(t, 0.0, p))
    return add_label(g, t->kind, t->value, p[0], p[1]);
  double best[2] = {NAN, NAN};
  for (size_t i = first; i < g->nlines; i++) {
    const SphGraticuleLine *line = &g->lines[i];
    for (size_t k = 0; k < line->npoints; k++) {
      const double *q = line->xy + 2 * k;
      if (t->kind == SPH_GRATICULE_MERIDIAN) {
        /* Only a gnomonic box cuts lines at the image's edge (a globe touches it). */
        bool end = (k == 0 || k == line->npoints - 1) && t->proj->kind == SPH_PROJ_GNOMONIC;
        double edge = fmin(fmin(q[0], t->width - q[0]), fmin(q[1], t->height - q[1]));
        if (end && edge <= 0.5 && (isnan(best[0]) || q[1] > best[1])) {
          best[0] = q[0];
          best[1] = q[1];
        }
      } else if (isnan(best[0]) || q[0] < best[0]) {
        best[0] = q[0];
        best[1] = q[1];
      }
    }
  }
  return isnan(best[0]) || add_label(g, t->kind, t->value, best[0], best[1]);
}

/* The largest nice step (degrees) giving at least four lines across fov degrees. */
static double auto_step(double fov)
{
  static const double steps[] = {30, 15, 10, 5, 2, 1, 30 / 60.0, 20 / 60.0, 15 / 60.0,
                                 10 / 60.0, 5 / 60.0, 2 / 60.0, 1 / 60.0};
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
    if (fov / steps[i] >= 4.0 * (1.0 - 1e-3)) /* atan shaves a hair off small fields */
      return steps[i];
  return steps[sizeof steps / sizeof steps[0] - 1];
}

static int compare_doubles(const void *pa, const void *pb)
{
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

/* The longitudes and latitudes a partial view can show, from a grid of its image:
 * [lon_lo, lon_hi] may start below 0 (it wraps); a pole in view opens the whole circle. */
static void visible_ranges(const SphProjector *pr, const SphProjection *proj, double *lon_lo,
                           double *lon_hi, double *lat_lo, double *lat_hi)
{
  enum { GRID = 41 };
  double xmax, ymax;
  sph_projection_extent(proj, &xmax, &ymax);
  double lons[GRID * GRID];
  int n = 0;
  double la0 = 90.0, la1 = -90.0;
  for (int j = 0; j < GRID; j++)
    for (int i = 0; i < GRID; i++) {
      double x = xmax * (2.0 * i / (GRID - 1) - 1.0), y = ymax * (2.0 * j / (GRID - 1) - 1.0);
      double theta, phi;
      if (!sph_projector_plane_to_ang(pr, x, y, &theta, &phi))
        continue;
      double lat = 90.0 - theta / DEG;
      la0 = fmin(la0, lat);
      la1 = fmax(la1, lat);
      lons[n++] = phi / DEG;
    }
  double cell = 0.0; /* the grid's spacing on the sky, about */
  if (n >= 2)
    cell = 2.0 * (la1 - la0) / (GRID - 1) + 1e-6;
  *lat_lo = fmax(-90.0, la0 - 2.0 * cell);
  *lat_hi = fmin(90.0, la1 + 2.0 * cell);
  double x, y;
  bool north = sph_projector_ang_to_plane(pr, 0.0, 0.0, &x, &y);
  bool south = sph_projector_ang_to_plane(pr, M_PI, 0.0, &x, &y);
  if (north)
    *lat_hi = 90.0;
  if (south)
    *lat_lo = -90.0;
  *lon_lo = 0.0;
  *lon_hi = 360.0;
  if (north || south || n < 2)
    return;
  /* The visible arc is the circle less its largest empty gap. */
  qsort(lons, (size_t)n, sizeof lons[0], compare_doubles);
  double gap = lons[0] + 360.0 - lons[n - 1];
  double start = lons[0], end = lons[n - 1];
  for (int k = 1; k < n; k++) {
    if (lons[k] - lons[k - 1] > gap) {
      gap = lons[k] - lons[k - 1];
      start = lons[k];
      end = lons[k - 1] + 360.0;
    }
  }
  double pad = 2.0 * cell / fmax(cos(fmax(fabs(la0), fabs(la1)) * DEG), 0.05);
  if (gap <= 2.0 * pad)
    return;
  *lon_lo = start - pad;
  *lon_hi = end + pad;
  if (*lon_lo >= 360.0) {
    *lon_lo -= 360.0;
    *lon_hi -= 360.0;
  }
}

SphGraticule *sph_graticule_new(const SphProjection *proj, int width, int height,
                                const SphGraticuleOptions *options, SphError *err)
{
  if (width < 1 || height < 1) {
    sph_error_set(err, SPH_ERR_INVALID, "graticule image %d x %d is empty", width, height);
    return NULL;
  }
  double dlon = options != NULL ? options->dlon : 0.0;
  double dlat = options != NULL ? options->dlat : 0.0;
  if (!isfinite(dlon) || !isfinite(dlat) || dlon > 180.0 || dlat > 90.0) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "graticule spacing %g x %g degrees is not in (0, 180] x (0, 90]", dlon, dlat);
    return NULL;
  }
  SphCoordSys frame = options != NULL && options->frame != SPH_COORD_UNKNOWN ? options->frame
                                                                             : proj->coord;
  SphProjector *pr = sph_projector_new(proj, frame, err);
  if (pr == NULL)
    return NULL;

  double lon_lo = 0.0, lon_hi = 360.0, lat_lo = -90.0, lat_hi = 90.0;
  double fov = 360.0;
  if (proj->kind == SPH_PROJ_GNOMONIC) {
    visible_ranges(pr, proj, &lon_lo, &lon_hi, &lat_lo, &lat_hi);
    double xmax, ymax;
    sph_projection_extent(proj, &xmax, &ymax);
    fov = 2.0 * atan(fmin(xmax, ymax)) / DEG;
  }
  if (!(dlon > 0.0))
    dlon = fov >= 120.0 ? 30.0 : auto_step(fov);
  if (!(dlat > 0.0))
    dlat = fov >= 120.0 ? 30.0 : auto_step(fov);
  double nmer = floor(lon_hi / dlon) - ceil(lon_lo / dlon) + 1;
  double npar = floor(lat_hi / dlat) - ceil(lat_lo / dlat) + 1;
  if (nmer + npar > MAX_LINES) {
    sph_projector_free(pr);
    sph_error_set(err, SPH_ERR_INVALID,
                  "a graticule every %g x %g degrees has over %d lines in this view", dlon,
                  dlat, MAX_LINES);
    return NULL;
  }

  SphGraticule *g = calloc(1, sizeof *g);
  if (g == NULL) {
    sph_projector_free(pr);
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory for a graticule");
    return NULL;
  }
  g->dlon = dlon;
  g->dlat = dlat;
  Tracer t = {.projector = pr, .proj = proj, .width = width, .height = height, .g = g};
  bool ok = true;

  /* Meridians over [lat_lo, lat_hi], each longitude once, reduced to [0, 360). */
  t.kind = SPH_GRATICULE_MERIDIAN;
  for (double k = ceil(lon_lo / dlon); ok && k * dlon <= lon_hi; k++) {
    double lon = fmod(k * dlon, 360.0);
    if (lon < 0.0)
      lon += 360.0;
    if (k * dlon >= lon_lo + 360.0 - 1e-9)
      break; /* wrapped onto the first one */
    t.value = lon;
    size_t first = g->nlines;
    trace(&t, lat_lo, lat_hi);
    ok = !t.failed && label_circle(&t, first);
  }
  /* Parallels, the poles left out (they are points). */
  t.kind = SPH_GRATICULE_PARALLEL;
  for (double k = ceil(lat_lo / dlat); ok && k * dlat <= lat_hi; k++) {
    double lat = k * dlat;
    if (fabs(lat) >= 90.0 - 1e-9)
      continue;
    t.value = lat;
    size_t first = g->nlines;
    trace(&t, lon_lo, lon_hi);
    ok = !t.failed && label_circle(&t, first);
  }
  free(t.buf);
  sph_projector_free(pr);
  if (!ok) {
    sph_graticule_free(g);
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory for a graticule");
    return NULL;
  }
  return g;
}

void sph_graticule_free(SphGraticule *g)
{
  if (g == NULL)
    return;
  for (size_t i = 0; i < g->nlines; i++)
    free((void *)g->lines[i].xy);
  free(g->lines);
  free(g->labels);
  free(g);
}

size_t sph_graticule_line_count(const SphGraticule *g)
{
  return g->nlines;
}

const SphGraticuleLine *sph_graticule_line(const SphGraticule *g, size_t i)
{
  return i < g->nlines ? &g->lines[i] : NULL;
}

size_t sph_graticule_label_count(const SphGraticule *g)
{
  return g->nlabels;
}

const SphGraticuleLabel *sph_graticule_label(const SphGraticule *g, size_t i)
{
  return i < g->nlabels ? &g->labels[i] : NULL;
}

void sph_graticule_spacing(const SphGraticule *g, double *dlon, double *dlat)
{
  *dlon = g->dlon;
  *dlat = g->dlat;
}
