/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-figure.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <fcntl.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sph-figure-draw.h"
#include "sphaera/coords.h"
#include "sphaera/mem.h"
#include "sphaera/raster.h"

/* The largest raster side drawn for the map, whatever the device resolution. */
#define FIGURE_MAX_RASTER 16384

void sph_figure_options_init(SphFigureOptions *options)
{
  memset(options, 0, sizeof *options);
  options->title = NULL;
  options->unit = NULL;
  options->vmin = NAN;
  options->vmax = NAN;
  options->cmap = SPH_CMAP_VIRIDIS;
  options->width = SPH_FIGURE_DEFAULT_WIDTH;
  options->height = 0;
  sph_projection_init(&options->projection, SPH_PROJ_MOLLWEIDE);
  options->norm = SPH_NORM_LINEAR;
  options->percentile_lo = SPH_PERCENTILE_DEFAULT_LO;
  options->percentile_hi = SPH_PERCENTILE_DEFAULT_HI;
  options->graticule_frame = SPH_COORD_UNKNOWN;
  options->graticule_labels = true;
  options->overlay = NULL;
  options->overlay_alpha = 0.5;
  options->overlay_cmap = SPH_CMAP_GREYS;
  options->overlay_vmin = NAN;
  options->overlay_vmax = NAN;
}

int sph_figure_height(int width)
{
  return (int)((width * 54LL * 2 + 85) / (85 * 2));
}

/* Positions measured on healpy 1.16's mollview saved at 800 x 508 pixels, scaled with
 * the width. */
void sph_figure_layout(int width, SphFigureLayout *l)
{
  double s = width / 800.0;
  l->width = width;
  l->height = sph_figure_height(width);

  int mw = (int)lround(762.0 * s);
  if (mw % 2 != 0)
    mw += 1;
  if (mw > width)
    mw -= 2;
  if (mw < 2)
    mw = 2;
  l->map_width = mw;
  l->map_height = mw / 2;
  l->map_x = (width - mw) / 2;
  l->map_y = (int)lround(30.0 * s);

  int bw = (int)lround(386.0 * s);
  if (bw < 1)
    bw = 1;
  l->bar_width = bw;
  l->bar_x = (width - bw) / 2;
  l->bar_y = (int)lround(438.0 * s);
  l->bar_height = (int)lround(14.0 * s) > 0 ? (int)lround(14.0 * s) : 1;

  l->title_size = 16.0 * s;
  l->title_baseline = 20.0 * s;
  l->tick_size = 13.0 * s;
  l->tick_baseline = 472.0 * s;
  l->unit_size = 18.0 * s;
  l->unit_baseline = 472.5 * s;
}

/* mollview's vertical budget, in units of width / 800: the title strip above the map,
 * the gap between map and bar, the bar block below (bar, tick labels, unit), and with
 * intermediate ticks a line more for the unit under their labels. */
#define TITLE_SPACE 30.0
#define BAR_GAP 27.0
#define BAR_BLOCK 70.0
#define TICK_LINE 22.0

/* The aspect (width / height) the map box needs; 0 when it fills what it is given. */
static double box_aspect(const SphProjection *p)
{
  if (p->kind == SPH_PROJ_GNOMONIC && (p->xsize <= 0 || p->ysize <= 0))
    return 0.0;
  double xmax, ymax;
  sph_projection_extent(p, &xmax, &ymax);
  return xmax / ymax;
}

static bool is_mollview(const SphFigureOptions *o)
{
  return box_aspect(&o->projection) == 2.0 && o->height <= 0 && !o->colorbar_ticks;
}

int sph_figure_default_height(const SphFigureOptions *o)
{
  if (is_mollview(o))
    return sph_figure_height(o->width);
  double s = o->width / 800.0, a = box_aspect(&o->projection);
  double box_h = 762.0 / (a > 0.0 ? a : 1.0);
  double h = TITLE_SPACE + box_h + BAR_GAP + BAR_BLOCK + (o->colorbar_ticks ? TICK_LINE : 0.0);
  return (int)lround(h * s);
}

SphStatus sph_figure_layout_for(const SphFigureOptions *o, SphFigureLayout *l, SphError *err)
{
  if (o->width < SPH_FIGURE_MIN_WIDTH || o->width > SPH_FIGURE_MAX_WIDTH)
    return sph_error_set(err, SPH_ERR_INVALID, "figure width %d is not in %d..%d", o->width,
                         SPH_FIGURE_MIN_WIDTH, SPH_FIGURE_MAX_WIDTH);
  if (o->height != 0 && (o->height < SPH_FIGURE_MIN_WIDTH || o->height > SPH_FIGURE_MAX_WIDTH))
    return sph_error_set(err, SPH_ERR_INVALID, "figure height %d is not in %d..%d", o->height,
                         SPH_FIGURE_MIN_WIDTH, SPH_FIGURE_MAX_WIDTH);
  SphProjection proj = o->projection;
  if (proj.kind == SPH_PROJ_GNOMONIC && box_aspect(&proj) == 0.0)
    proj.xsize = proj.ysize = 1; /* filled in from the box later */
  if (sph_projection_check(&proj, err) != SPH_OK)
    return err != NULL ? err->code : SPH_ERR_INVALID;
  sph_figure_layout(o->width, l);
  if (is_mollview(o))
    return SPH_OK;

  double s = o->width / 800.0;
  int height = o->height > 0 ? o->height : sph_figure_default_height(o);
  double ticks = o->colorbar_ticks ? TICK_LINE * s : 0.0;
  l->height = height;
  l->bar_y = (int)lround(height - (BAR_BLOCK * s + ticks));
  l->tick_baseline = height - 36.0 * s - ticks;
  l->unit_baseline = height - 35.5 * s;
  int top = l->map_y, avail_h = l->bar_y - (int)lround(BAR_GAP * s) - top;
  int avail_w = (int)lround(762.0 * s);
  if (avail_w > o->width)
    avail_w = o->width;
  if (avail_h < 1 || avail_w < 1)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "a figure of %d x %d has no room for the map under the title and "
                         "above the colour bar",
                         o->width, height);
  double a = box_aspect(&o->projection);
  int bw = avail_w, bh = avail_h;
  if (a > 0.0) {
    if (avail_w > avail_h * a)
      bw = (int)lround(avail_h * a);
    else
      bh = (int)lround(avail_w / a);
  }
  l->map_width = bw > 0 ? bw : 1;
  l->map_height = bh > 0 ? bh : 1;
  l->map_x = (o->width - l->map_width) / 2;
  l->map_y = top + (avail_h - l->map_height) / 2;
  return SPH_OK;
}

/* ---- the view and its colour scale ---- */

/* The map's frame as the figure uses it, and the view with it filled in: the view's frame
 * defaults to the map's, and a filling gnomonic grid gets the map box's size. */
static SphStatus figure_view(const SphMap *map, const SphFigureOptions *o,
                             const SphFigureLayout *l, SphProjection *view, SphError *err)
{
  *view = o->projection;
  if (view->kind == SPH_PROJ_GNOMONIC && (view->xsize <= 0 || view->ysize <= 0)) {
    view->xsize = l->map_width;
    view->ysize = l->map_height;
  }
  if (view->coord == SPH_COORD_UNKNOWN) {
    view->coord = map->coordsys;
  } else if (map->coordsys == SPH_COORD_UNKNOWN) {
    return sph_error_set(err, SPH_ERR_INVALID,
                         "the map does not say its coordinate frame (no COORDSYS), so it "
                         "cannot be shown in %s coordinates",
                         sph_coordsys_name(view->coord));
  }
  if (o->graticule && o->graticule_frame != SPH_COORD_UNKNOWN &&
      view->coord == SPH_COORD_UNKNOWN)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "a %s graticule needs the map's own frame, which it does not say "
                         "(no COORDSYS)",
                         sph_coordsys_name(o->graticule_frame));
  return sph_projection_check(view, err);
}

/* The values a view of the map shows (image pixels inside the projection, the map box at
 * one raster pixel per user unit): a new array, its length in *n. */
static double *shown_values(const SphMap *map, int field, const SphProjection *view,
                            const SphFigureLayout *l, int64_t *n, SphError *err)
{
  SphSkyRaster *raster = sph_sky_raster_new_view(map->nside, map->ordering, view,
                                                 map->coordsys, l->map_width, l->map_height,
                                                 err);
  if (raster == NULL)
    return NULL;
  int64_t count = sph_sky_raster_count_inside(raster);
  double *values = sph_alloc_aligned(count > 0 ? (size_t)count : 1, sizeof(double), err);
  if (values != NULL)
    *n = sph_sky_raster_shown_values(raster, map->fields[field].values, values);
  sph_sky_raster_free(raster);
  return values;
}

/* The automatic range of values (n of them), as SphFigureOptions says. */
static void automatic_range(const double *values, size_t n, const SphFigureOptions *o,
                            double *lo, double *hi)
{
  bool log_scale = o->norm == SPH_NORM_LOG;
  bool found;
  if (o->percentile) {
    double *positive = NULL;
    size_t m = n;
    if (log_scale) {
      positive = malloc((n > 0 ? n : 1) * sizeof(double));
      m = 0;
      for (size_t i = 0; positive != NULL && i < n; i++)
        if (values[i] > 0.0 && !sph_hp_is_unseen(values[i]))
          positive[m++] = values[i];
    }
    found = (!log_scale || positive != NULL) &&
            sph_percentile_range(log_scale ? positive : values, m, o->percentile_lo,
                                 o->percentile_hi, lo, hi, NULL) == SPH_OK;
    free(positive);
  } else {
    found = sph_data_range(values, n, log_scale, lo, hi);
  }
  if (!found) {
    *lo = log_scale ? 1.0 : 0.0;
    *hi = log_scale ? 10.0 : 1.0;
  }
  if (o->symmetric) {
    double m = fmax(fabs(*lo), fabs(*hi));
    *lo = -m;
    *hi = m;
  }
}

/* The colour scale of the figure, with its histogram when the norm is hist (free with
 * sph_histeq_free()). */
static SphStatus figure_scale(const SphMap *map, int field, const SphFigureOptions *o,
                              const SphProjection *view, const SphFigureLayout *l,
                              SphColorScale *scale, SphHistEq **histeq, SphError *err)
{
  memset(scale, 0, sizeof *scale);
  scale->cmap = o->cmap;
  scale->norm = o->norm;
  scale->linthresh = o->linthresh;
  scale->background[0] = scale->background[1] = scale->background[2] = 255;
  *histeq = NULL;
  bool automatic = isnan(o->vmin) || isnan(o->vmax);
  bool whole = sph_projection_full_sky(view);
  double *shown = NULL;
  int64_t nshown = 0;
  if (o->norm == SPH_NORM_HIST || (automatic && !whole)) {
    shown = shown_values(map, field, view, l, &nshown, err);
    if (shown == NULL)
      return err != NULL ? err->code : SPH_ERR_NOMEM;
  }
  double lo = o->vmin, hi = o->vmax;
  if (automatic) {
    double alo, ahi;
    if (whole)
      automatic_range(map->fields[field].values, (size_t)map->npix, o, &alo, &ahi);
    else
      automatic_range(shown, (size_t)nshown, o, &alo, &ahi);
    if (isnan(lo))
      lo = alo;
    if (isnan(hi))
      hi = ahi;
  }
  scale->vmin = lo;
  scale->vmax = hi;
  SphStatus status = SPH_OK;
  if (!isfinite(lo) || !isfinite(hi))
    status = sph_error_set(err, SPH_ERR_INVALID, "the colour range [%g, %g] is not finite", lo,
                           hi);
  else if (o->norm == SPH_NORM_LOG && !(lo > 0.0))
    status = sph_error_set(err, SPH_ERR_INVALID,
                           "a log scale needs a minimum above 0, not %g (give --min)", lo);
  else if (o->norm == SPH_NORM_HIST && lo < hi) {
    *histeq = sph_histeq_new(shown, (size_t)nshown, lo, hi, err);
    if (*histeq == NULL)
      status = err != NULL ? err->code : SPH_ERR_NOMEM;
    scale->histeq = *histeq;
  }
  sph_free_aligned(shown);
  return status;
}

void sph_figure_resolve_range(const SphMap *map, int field, const SphFigureOptions *options,
                              double *vmin, double *vmax)
{
  *vmin = options->vmin;
  *vmax = options->vmax;
  SphFigureLayout l;
  SphProjection view;
  SphFigureOptions o = *options;
  o.norm = options->norm == SPH_NORM_LOG ? SPH_NORM_LOG : SPH_NORM_LINEAR;
  SphColorScale scale;
  SphHistEq *histeq = NULL;
  if (sph_figure_layout_for(&o, &l, NULL) == SPH_OK &&
      figure_view(map, &o, &l, &view, NULL) == SPH_OK &&
      figure_scale(map, field, &o, &view, &l, &scale, &histeq, NULL) == SPH_OK) {
    *vmin = scale.vmin;
    *vmax = scale.vmax;
    return;
  }
  /* Without a view (a bad projection): the whole map, as mollview. */
  SphMapStats stats;
  sph_map_field_stats(map, field, &stats);
  if (isnan(*vmin))
    *vmin = stats.nseen > 0 ? stats.min : 0.0;
  if (isnan(*vmax))
    *vmax = stats.nseen > 0 ? stats.max : 1.0;
}

/* ---- drawing ---- */

/* A map's field painted in the view at rw x rh (RGBA, rows of 4 rw bytes). */
static uint8_t *paint_view(const SphMap *map, int field, SphCoordSys frame,
                           const SphProjection *view, const SphColorScale *scale, int rw,
                           int rh, SphError *err)
{
  SphSkyRaster *raster =
      sph_sky_raster_new_view(map->nside, map->ordering, view, frame, rw, rh, err);
  if (raster == NULL)
    return NULL;
  uint8_t *rgba = sph_alloc_aligned((size_t)rw * (size_t)rh, 4, err);
  if (rgba != NULL)
    sph_sky_raster_paint(raster, map->fields[field].values, scale, rgba, 4 * rw);
  sph_sky_raster_free(raster);
  return rgba;
}

/* The overlay, over what is drawn, with its own linear scale. */
static SphStatus draw_overlay(cairo_t *cr, const SphMap *map, const SphFigureOptions *o,
                              const SphProjection *view, const SphFigureLayout *l, int rw,
                              int rh, SphError *err)
{
  const SphMap *ov = o->overlay;
  if (o->overlay_field < 0 || o->overlay_field >= ov->nfields)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "overlay field %d does not exist (the overlay has %d, numbered from 0)",
                         o->overlay_field, ov->nfields);
  if (!(o->overlay_alpha >= 0.0 && o->overlay_alpha <= 1.0))
    return sph_error_set(err, SPH_ERR_INVALID, "overlay opacity %g is not in [0, 1]",
                         o->overlay_alpha);
  if (sph_colormap_table(o->overlay_cmap) == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "unknown overlay colormap %d",
                         (int)o->overlay_cmap);
  SphColorScale scale = {.vmin = o->overlay_vmin, .vmax = o->overlay_vmax,
                         .cmap = o->overlay_cmap, .transparent_bad = true};
  double lo = 0.0, hi = 1.0;
  sph_data_range(ov->fields[o->overlay_field].values, (size_t)ov->npix, false, &lo, &hi);
  if (isnan(scale.vmin))
    scale.vmin = lo;
  if (isnan(scale.vmax))
    scale.vmax = hi;
  /* An overlay that does not say its frame is taken to share the map's. */
  SphCoordSys frame = ov->coordsys != SPH_COORD_UNKNOWN ? ov->coordsys : map->coordsys;
  if (frame == SPH_COORD_UNKNOWN && view->coord != SPH_COORD_UNKNOWN)
    frame = view->coord;
  uint8_t *rgba = paint_view(ov, o->overlay_field, frame, view, &scale, rw, rh, err);
  if (rgba == NULL)
    return err != NULL ? err->code : SPH_ERR_NOMEM;
  SphStatus status = figure_draw_rgba(cr, rgba, rw, rh, l, o->overlay_alpha, err);
  sph_free_aligned(rgba);
  return status;
}

/* The raster's size: the device pixels the map box covers, twice that on vector
 * surfaces (whose device unit is a point). */
static void raster_size(cairo_t *cr, const SphFigureLayout *l, int *rw, int *rh)
{
  double dx = l->map_width, dy = 0.0, ex = 0.0, ey = l->map_height;
  cairo_user_to_device_distance(cr, &dx, &dy);
  cairo_user_to_device_distance(cr, &ex, &ey);
  double w = hypot(dx, dy), h = hypot(ex, ey);
  if (cairo_surface_get_type(cairo_get_target(cr)) != CAIRO_SURFACE_TYPE_IMAGE) {
    w *= 2.0;
    h *= 2.0;
  }
  long iw = lround(w), ih = lround(h);
  *rw = (int)(iw < 1 ? 1 : iw > FIGURE_MAX_RASTER ? FIGURE_MAX_RASTER : iw);
  *rh = (int)(ih < 1 ? 1 : ih > FIGURE_MAX_RASTER ? FIGURE_MAX_RASTER : ih);
}

SphStatus sph_figure_render_map(const SphMap *map, int field, const SphFigureOptions *options,
                                cairo_t *cr, SphError *err)
{
  if (map == NULL || options == NULL || cr == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "figure: no map, options or Cairo context");
  if (field < 0 || field >= map->nfields)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "field %d does not exist (the map has %d, numbered from 0)",
                         field, map->nfields);
  if (sph_colormap_table(options->cmap) == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "unknown colormap %d",
                         (int)options->cmap);
  if ((int)options->norm < 0 || options->norm >= SPH_NORM_COUNT)
    return sph_error_set(err, SPH_ERR_INVALID, "unknown colour scale %d", (int)options->norm);

  SphFigureLayout l;
  SphProjection view;
  if (sph_figure_layout_for(options, &l, err) != SPH_OK ||
      figure_view(map, options, &l, &view, err) != SPH_OK)
    return err != NULL ? err->code : SPH_ERR_INVALID;
  SphColorScale scale;
  SphHistEq *histeq = NULL;
  SphStatus status = figure_scale(map, field, options, &view, &l, &scale, &histeq, err);
  if (status != SPH_OK)
    return status;

  cairo_save(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, 0, 0, l.width, l.height);
  cairo_fill(cr);

  int rw, rh;
  raster_size(cr, &l, &rw, &rh);
  uint8_t *rgba = paint_view(map, field, map->coordsys, &view, &scale, rw, rh, err);
  status = rgba != NULL ? figure_draw_rgba(cr, rgba, rw, rh, &l, 1.0, err)
                        : (err != NULL ? err->code : SPH_ERR_NOMEM);
  sph_free_aligned(rgba);
  if (status == SPH_OK && options->overlay != NULL)
    status = draw_overlay(cr, map, options, &view, &l, rw, rh, err);
  if (status == SPH_OK && options->graticule)
    status = figure_draw_graticule(cr, &view, options, &l, err);
  if (status != SPH_OK) {
    cairo_restore(cr);
    sph_histeq_free(histeq);
    return status;
  }
  figure_draw_colorbar(cr, &scale, &l, options->colorbar_ticks);

  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_source_rgb(cr, 0, 0, 0);
  figure_show_text_centred(cr, options->title, l.title_size, 0.5 * l.width, l.title_baseline);
  const char *unit = options->unit != NULL ? options->unit : map->fields[field].unit;
  figure_show_text_centred(cr, unit, l.unit_size, 0.5 * l.width, l.unit_baseline);
  cairo_restore(cr);
  sph_histeq_free(histeq);

  if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
    return sph_error_set(err, SPH_ERR_INVALID, "figure: drawing failed: %s",
                         cairo_status_to_string(cairo_status(cr)));
  return SPH_OK;
}

bool sph_figure_format_from_path(const char *path, SphFigureFormat *format)
{
  const char *dot = path != NULL ? strrchr(path, '.') : NULL;
  if (dot == NULL || strchr(dot, '/') != NULL)
    return false;
  static const struct {
    const char *ext;
    SphFigureFormat format;
  } known[] = {{".png", SPH_FIGURE_PNG}, {".svg", SPH_FIGURE_SVG}, {".pdf", SPH_FIGURE_PDF}};
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    if (strcasecmp(dot, known[i].ext) == 0) {
      if (format != NULL)
        *format = known[i].format;
      return true;
    }
  }
  return false;
}

const char *sph_figure_format_name(SphFigureFormat format)
{
  switch (format) {
  case SPH_FIGURE_PNG:
    return "PNG";
  case SPH_FIGURE_SVG:
    return "SVG";
  case SPH_FIGURE_PDF:
    return "PDF";
  }
  return "unknown";
}

/* Cairo's stream callback: writes to the temporary file, remembering the first error. */
typedef struct {
  int fd;
  int error; /* errno of the first failed write, 0 while all went well */
} FigureSink;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int length)
{
  FigureSink *sink = closure;
  while (length > 0 && sink->error == 0) {
    ssize_t n = write(sink->fd, data, length);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      sink->error = errno;
      break;
    }
    data += n;
    length -= (unsigned int)n;
  }
  return sink->error == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* A new file beside path, named .<name>.<pid>.<n>.tmp; open() applies the umask, so the
 * renamed figure gets the permissions any new file would. */
static int create_temp(const char *path, char **temp_path)
{
  const char *slash = strrchr(path, '/');
  int dir_len = slash != NULL ? (int)(slash - path + 1) : 0;
  const char *base = path + dir_len;
  size_t size = strlen(path) + 64;
  char *temp = malloc(size);
  if (temp == NULL) {
    errno = ENOMEM;
    return -1;
  }
  unsigned long seed = (unsigned long)getpid() ^ (unsigned long)time(NULL) ^ (uintptr_t)temp;
  for (int attempt = 0; attempt < 100; attempt++) {
    seed = seed * 6364136223846793005UL + 1442695040888963407UL;
    snprintf(temp, size, "%.*s.%s.%ld.%lx.tmp", dir_len, path, base, (long)getpid(),
             (seed >> 16) & 0xffffffUL);
    int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      *temp_path = temp;
      return fd;
    }
    if (errno != EEXIST)
      break;
  }
  int saved = errno;
  free(temp);
  errno = saved;
  return -1;
}

static SphStatus directory_error(const char *path, int error, SphError *err)
{
  const char *slash = strrchr(path, '/');
  if (slash == NULL)
    return sph_error_set(err, SPH_ERR_IO, "%s: cannot create a file in the current directory: %s",
                         path, strerror(error));
  int len = slash == path ? 1 : (int)(slash - path);
  return sph_error_set(err, SPH_ERR_IO, "%s: cannot create a file in %.*s: %s", path, len, path,
                       strerror(error));
}

/* The map figure as a drawing callback. */
typedef struct {
  const SphMap *map;
  int field;
  const SphFigureOptions *options;
} MapDrawing;

static SphStatus draw_map(cairo_t *cr, double width, double height, void *user, SphError *err)
{
  (void)width;
  (void)height;
  const MapDrawing *d = user;
  return sph_figure_render_map(d->map, d->field, d->options, cr, err);
}

SphStatus sph_figure_write(const char *path, SphFigureFormat format, const SphMap *map,
                           int field, const SphFigureOptions *options, SphError *err)
{
  if (path == NULL || path[0] == '\0')
    return sph_error_set(err, SPH_ERR_INVALID, "figure: no output path");
  if (options == NULL || options->width < SPH_FIGURE_MIN_WIDTH ||
      options->width > SPH_FIGURE_MAX_WIDTH)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: width %d is not in %d..%d", path,
                         options != NULL ? options->width : 0, SPH_FIGURE_MIN_WIDTH,
                         SPH_FIGURE_MAX_WIDTH);

  SphFigureLayout layout;
  if (sph_figure_layout_for(options, &layout, err) != SPH_OK) {
    sph_error_prefix(err, "%s", path);
    return err != NULL ? err->code : SPH_ERR_INVALID;
  }
  MapDrawing drawing = {.map = map, .field = field, .options = options};
  return sph_figure_write_drawing(path, format, layout.width, layout.height, draw_map, &drawing,
                                  err);
}

SphStatus sph_figure_write_drawing(const char *path, SphFigureFormat format, int width,
                                   int height, SphFigureDrawFunc draw, void *user, SphError *err)
{
  if (path == NULL || path[0] == '\0')
    return sph_error_set(err, SPH_ERR_INVALID, "figure: no output path");
  if (format != SPH_FIGURE_PNG && format != SPH_FIGURE_SVG && format != SPH_FIGURE_PDF)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: unknown figure format %d", path,
                         (int)format);

  char *temp = NULL;
  int fd = create_temp(path, &temp);
  if (fd < 0)
    return directory_error(path, errno, err);

  FigureSink sink = {.fd = fd, .error = 0};
  cairo_surface_t *surface;
  switch (format) {
  case SPH_FIGURE_SVG:
    surface = cairo_svg_surface_create_for_stream(sink_write, &sink, width, height);
    break;
  case SPH_FIGURE_PDF:
    surface = cairo_pdf_surface_create_for_stream(sink_write, &sink, width, height);
    break;
  default:
    surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    break;
  }
  cairo_t *cr = cairo_create(surface);
  SphStatus status = draw(cr, width, height, user, err);
  cairo_destroy(cr);
  if (status == SPH_OK) {
    cairo_status_t cs;
    if (format == SPH_FIGURE_PNG) {
      cs = cairo_surface_write_to_png_stream(surface, sink_write, &sink);
    } else {
      cairo_surface_finish(surface);
      cs = cairo_surface_status(surface);
    }
    if (sink.error != 0)
      status = sph_error_set(err, SPH_ERR_IO, "%s: writing failed: %s", path,
                             strerror(sink.error));
    else if (cs != CAIRO_STATUS_SUCCESS)
      status = sph_error_set(err, SPH_ERR_IO, "%s: writing the %s failed: %s", path,
                             sph_figure_format_name(format), cairo_status_to_string(cs));
  } else {
    sph_error_prefix(err, "%s", path);
  }
  cairo_surface_destroy(surface);

  if (status == SPH_OK && fsync(fd) != 0 && errno != EINVAL)
    status = sph_error_set(err, SPH_ERR_IO, "%s: writing failed: %s", path, strerror(errno));
  if (close(fd) != 0 && status == SPH_OK)
    status = sph_error_set(err, SPH_ERR_IO, "%s: writing failed: %s", path, strerror(errno));
  if (status == SPH_OK && rename(temp, path) != 0)
    status = sph_error_set(err, SPH_ERR_IO, "%s: cannot replace it: %s", path, strerror(errno));
  if (status != SPH_OK)
    unlink(temp);
  free(temp);
  return status;
}

void sph_figure_shutdown(void)
{
  cairo_debug_reset_static_data();
  FcFini();
}
