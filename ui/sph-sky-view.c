/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-sky-view.h"
#include "sph-sky-view-private.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "sphaera/graticule.h"
#include "sphaera/healpix.h"
#include "sphaera/mem.h"
#include "sphaera/projection.h"
#include "sphaera/raster.h"
#include "sph-resources.h"
#include "sph-sky-readout.h"

G_DEFINE_FINAL_TYPE(SphSkyView, sph_sky_view, GTK_TYPE_GL_AREA)

enum {
  PROP_0,
  PROP_FIELD,
  PROP_COLORMAP,
  PROP_VMIN,
  PROP_VMAX,
  PROP_AUTO_RANGE,
  PROP_UNIT,
  PROP_READOUT,
  PROP_RENDERER,
  PROP_HAS_PIN,
  PROP_HAS_LINE,
  PROP_NORM,
  PROP_PERCENTILE_RANGE,
  PROP_PROJECTION,
  PROP_GRATICULE,
  N_PROPS
};
static GParamSpec *props[N_PROPS];

enum { SIGNAL_PIN_CHANGED, SIGNAL_LINE_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

const uint8_t sky_view_background[4] = { 255, 255, 255, 255 };

void sky_view_notify_renderer(SphSkyView *self)
{
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_RENDERER]);
}

/* ---- state shared by both renderers ---- */

const double *sky_view_shown_values(SphSkyView *self)
{
  if (self->map == NULL || self->field < 0 || self->field >= self->map->nfields)
    return NULL;
  return self->map->fields[self->field].values;
}

const double *sky_view_overlay_values(SphSkyView *self)
{
  if (self->overlay == NULL || self->ov_field < 0 || self->ov_field >= self->overlay->nfields)
    return NULL;
  return self->overlay->fields[self->ov_field].values;
}

/* The scale both renderers draw with. */
void sky_view_current_scale(SphSkyView *self, SphColorScale *scale)
{
  memset(scale, 0, sizeof *scale);
  scale->vmin = self->vmin;
  scale->vmax = self->vmax;
  scale->cmap = self->cmap;
  scale->norm = self->norm;
  scale->histeq = self->histeq;
}

/* The hist scale's curve, fitted to the shown field's seen values over the range. */
static void refit_histeq(SphSkyView *self)
{
  g_clear_pointer(&self->histeq, sph_histeq_free);
  self->histeq_map = NULL;
  const double *values = sky_view_shown_values(self);
  if (self->norm != SPH_NORM_HIST || values == NULL || !(self->vmin < self->vmax) ||
      !isfinite(self->vmin) || !isfinite(self->vmax))
    return;
  SphError err = SPH_ERROR_INIT;
  self->histeq = sph_histeq_new(values, (size_t)self->map->npix, self->vmin, self->vmax, &err);
  if (self->histeq == NULL) {
    g_warning("sky view: %s", err.message);
    return;
  }
  self->histeq_map = self->map;
  self->histeq_field = self->field;
  self->histeq_vmin = self->vmin;
  self->histeq_vmax = self->vmax;
}

static void update_histeq(SphSkyView *self)
{
  if (self->norm != SPH_NORM_HIST) {
    g_clear_pointer(&self->histeq, sph_histeq_free);
    self->histeq_map = NULL;
    return;
  }
  if (self->histeq == NULL || self->histeq_map != self->map || self->histeq_field != self->field ||
      self->histeq_vmin != self->vmin || self->histeq_vmax != self->vmax)
    refit_histeq(self);
}

void sph_sky_view_colour_steps(const SphColorScale *scale, double steps[SPH_CMAP_SIZE])
{
  /* Every scale is non-decreasing in the value, so the colormap entry is a step function
   * of it: entry k from the first value whose entry is k or more. Bisection on the core's
   * own sph_color_scale_position finds these edges to the last bit. */
  double lo = scale->vmin, hi = scale->vmax;
  steps[0] = -INFINITY;
  for (int k = 1; k < SPH_CMAP_SIZE; k++) {
    double t_hi = sph_color_scale_position(scale, hi);
    if (!(lo < hi) || isnan(t_hi) || sph_colormap_index(t_hi) < k) {
      steps[k] = INFINITY;
      continue;
    }
    double a = k > 1 && isfinite(steps[k - 1]) ? steps[k - 1] : lo, b = hi;
    double t_a = sph_color_scale_position(scale, a);
    if (!isnan(t_a) && sph_colormap_index(t_a) >= k) {
      steps[k] = a;
      continue;
    }
    for (int iter = 0; iter < 200; iter++) {
      double mid = a + 0.5 * (b - a);
      if (mid <= a || mid >= b)
        break;
      double t = sph_color_scale_position(scale, mid);
      if (!isnan(t) && sph_colormap_index(t) >= k)
        b = mid;
      else
        a = mid;
    }
    steps[k] = b;
  }
}

static gboolean use_gl(SphSkyView *self)
{
  return self->gl_ready && self->gl_error == NULL && !self->map_exceeds_texture;
}

void sky_view_invalidate_cpu_image(SphSkyView *self)
{
  g_clear_object(&self->cpu_texture);
  g_clear_pointer(&self->cpu_pixels, g_bytes_unref);
}

void sky_view_redraw(SphSkyView *self)
{
  update_histeq(self);
  self->steps_dirty = TRUE;
  sky_view_invalidate_cpu_image(self);
  gtk_gl_area_queue_render(GTK_GL_AREA(self));
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

/* Chooses the texture layout for the current map: 4096 columns (or the driver's limit
 * when smaller) and as many rows per layer as the map needs up to the limit, in as many
 * layers as it takes; a map that fits in neither goes to the CPU renderer. */
static gboolean layout_texture(SphSkyView *self, const SphMap *map, int *tex_width,
                               int *tex_rows, int *tex_layers)
{
  *tex_width = 0;
  *tex_rows = 0;
  *tex_layers = 0;
  if (map == NULL || !self->gl_ready)
    return TRUE;
  int64_t max = self->max_texture_size;
  if (self->texture_size_cap > 0)
    max = MIN(max, (int64_t)self->texture_size_cap);
  int64_t width = MIN((int64_t)VALUES_TEXTURE_WIDTH, max);
  int64_t rows = MIN((map->npix + width - 1) / width, max);
  int64_t layers = (map->npix + width * rows - 1) / (width * rows);
  if (layers > self->max_array_layers)
    return FALSE;
  *tex_width = (int)width;
  *tex_rows = (int)rows;
  *tex_layers = (int)layers;
  return TRUE;
}

void sky_view_layout_values_texture(SphSkyView *self)
{
  gboolean exceeded =
    !layout_texture(self, self->map, &self->tex_width, &self->tex_rows, &self->tex_layers);
  exceeded |= !layout_texture(self, self->overlay, &self->ov_tex_width, &self->ov_tex_rows,
                              &self->ov_tex_layers);
  if (exceeded != self->map_exceeds_texture) {
    self->map_exceeds_texture = exceeded;
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_RENDERER]);
  }
}

static void update_auto_range(SphSkyView *self)
{
  if (!self->auto_range || sky_view_shown_values(self) == NULL)
    return;
  const double *values = sky_view_shown_values(self);
  size_t n = (size_t)self->map->npix;
  double vmin = 0.0, vmax = 0.0;
  SphError err = SPH_ERROR_INIT;
  if (self->norm == SPH_NORM_LOG) {
    /* A log scale spans the positive values only. */
    if (!sph_data_range(values, n, true, &vmin, &vmax))
      vmin = vmax = 0.0;
  } else if (self->percentile_range) {
    if (sph_percentile_range(values, n, SPH_PERCENTILE_DEFAULT_LO, SPH_PERCENTILE_DEFAULT_HI,
                             &vmin, &vmax, &err) != SPH_OK)
      vmin = vmax = 0.0;
  } else {
    SphMapStats stats;
    sph_map_field_stats(self->map, self->field, &stats);
    vmin = stats.nseen > 0 ? stats.min : 0.0;
    vmax = stats.nseen > 0 ? stats.max : 0.0;
  }
  if (vmin != self->vmin) {
    self->vmin = vmin;
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_VMIN]);
  }
  if (vmax != self->vmax) {
    self->vmax = vmax;
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_VMAX]);
  }
}

/* ---- the hover read-out ---- */

char *sph_sky_view_describe_point(SphSkyView *self, double x, double y)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), NULL);
  const double *values = sky_view_shown_values(self);
  int width = gtk_widget_get_width(GTK_WIDGET(self));
  int height = gtk_widget_get_height(GTK_WIDGET(self));
  if (values == NULL || width <= 0 || height <= 0)
    return NULL;
  double theta, phi;
  if (!sph_sky_view_point_to_ang(self, x, y, &theta, &phi))
    return NULL;
  return sph_sky_readout_text_in_frame(self->map, self->field, theta, phi, self->proj.coord);
}

void sky_view_update_readout(SphSkyView *self)
{
  char *text = NULL;
  if (self->pointer_inside)
    text = sph_sky_view_describe_point(self, self->pointer_x, self->pointer_y);
  if (g_strcmp0(text != NULL ? text : "", self->readout) == 0) {
    g_free(text);
    return;
  }
  g_free(self->readout);
  self->readout = text != NULL ? text : g_strdup("");
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_READOUT]);
}

/* ---- a change of projection (its state: sph-sky-view-projection.c) ---- */

void sky_view_projection_changed(SphSkyView *self)
{
  self->proj_serial++;
  sky_view_update_readout(self);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_PROJECTION]);
  sky_view_redraw(self);
}

/* ---- annotations: the pinned point and the profile line ---- */

void sph_sky_view_set_pin(SphSkyView *self, double theta, double phi)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  gboolean had = self->has_pin;
  self->has_pin = TRUE;
  self->pin_theta = theta;
  self->pin_phi = phi;
  if (!had)
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_HAS_PIN]);
  g_signal_emit(self, signals[SIGNAL_PIN_CHANGED], 0);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

void sph_sky_view_clear_pin(SphSkyView *self)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  if (!self->has_pin)
    return;
  self->has_pin = FALSE;
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_HAS_PIN]);
  g_signal_emit(self, signals[SIGNAL_PIN_CHANGED], 0);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

gboolean sph_sky_view_get_pin(SphSkyView *self, double *theta, double *phi)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), FALSE);
  if (self->has_pin) {
    *theta = self->pin_theta;
    *phi = self->pin_phi;
  }
  return self->has_pin;
}

void sph_sky_view_set_line(SphSkyView *self, double theta1, double phi1, double theta2,
                           double phi2)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  gboolean had = self->has_line;
  self->has_line = TRUE;
  self->line_theta[0] = theta1;
  self->line_phi[0] = phi1;
  self->line_theta[1] = theta2;
  self->line_phi[1] = phi2;
  if (!had)
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_HAS_LINE]);
  g_signal_emit(self, signals[SIGNAL_LINE_CHANGED], 0);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

void sph_sky_view_clear_line(SphSkyView *self)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  if (!self->has_line)
    return;
  self->has_line = FALSE;
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_HAS_LINE]);
  g_signal_emit(self, signals[SIGNAL_LINE_CHANGED], 0);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

gboolean sph_sky_view_get_line(SphSkyView *self, double theta[2], double phi[2])
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), FALSE);
  if (self->has_line) {
    memcpy(theta, self->line_theta, sizeof self->line_theta);
    memcpy(phi, self->line_phi, sizeof self->line_phi);
  }
  return self->has_line;
}

void sph_sky_view_set_graticule(SphSkyView *self, gboolean show)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  show = !!show;
  if (show == self->show_graticule)
    return;
  self->show_graticule = show;
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_GRATICULE]);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

gboolean sph_sky_view_get_graticule(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), FALSE);
  return self->show_graticule;
}

/* ---- frame capture ---- */

void sky_view_store_frame(SphSkyView *self, guint8 *rgba, int width, int height)
{
  g_free(self->frame);
  self->frame = rgba;
  self->frame_width = width;
  self->frame_height = height;
}

/* ---- the widget's snapshot: the GL area, or the CPU image ---- */

static void sph_sky_view_snapshot(GtkWidget *widget, GtkSnapshot *snapshot)
{
  SphSkyView *self = SPH_SKY_VIEW(widget);
  sky_view_fit_gnomonic_cells(self, gtk_widget_get_width(widget), gtk_widget_get_height(widget));
  if (use_gl(self)) {
    GTK_WIDGET_CLASS(sph_sky_view_parent_class)->snapshot(widget, snapshot);
    sky_view_snapshot_marks(self, snapshot);
    return;
  }
  int width = gtk_widget_get_width(widget), height = gtk_widget_get_height(widget);
  int scale = gtk_widget_get_scale_factor(widget);
  if (width <= 0 || height <= 0)
    return;
  graphene_rect_t bounds = GRAPHENE_RECT_INIT(0, 0, (float)width, (float)height);
  int div = self->dragging ? 2 : 1; /* coarser while a drag turns or pans the view */
  if (!sky_view_ensure_cpu_image(self, MAX(width * scale / div, 1),
                                 MAX(height * scale / div, 1))) {
    GdkRGBA white = { sky_view_background[0] / 255.0f, sky_view_background[1] / 255.0f,
                      sky_view_background[2] / 255.0f, sky_view_background[3] / 255.0f };
    gtk_snapshot_append_color(snapshot, &white, &bounds);
    return;
  }
  gtk_snapshot_append_texture(snapshot, self->cpu_texture, &bounds);
  sky_view_snapshot_marks(self, snapshot);
  if (self->capture)
    sky_view_store_frame(self, g_bytes_get_data(self->cpu_pixels, NULL) != NULL
                          ? g_memdup2(g_bytes_get_data(self->cpu_pixels, NULL),
                                      g_bytes_get_size(self->cpu_pixels))
                          : NULL,
                gdk_texture_get_width(self->cpu_texture),
                gdk_texture_get_height(self->cpu_texture));
  self->frame_count++;
}

/* ---- public API ---- */

GtkWidget *sph_sky_view_new(void)
{
  return g_object_new(SPH_TYPE_SKY_VIEW, NULL);
}

static void replace_map(SphSkyView *self, SphMap *map, gboolean owns, int field)
{
  self->proj_serial++; /* the new map's frame may differ */
  if (self->map != map && self->owns_map)
    sph_map_free(self->map);
  self->map = map;
  self->owns_map = owns;
  self->field = map != NULL ? CLAMP(field, 0, map->nfields - 1) : 0;
  self->auto_range = TRUE;
  self->values_dirty = TRUE;
  sky_view_layout_values_texture(self);
  update_auto_range(self);
  sky_view_update_readout(self);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_FIELD]);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_AUTO_RANGE]);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_UNIT]);
  sky_view_redraw(self);
}

void sph_sky_view_set_map(SphSkyView *self, SphMap *map, int field)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  replace_map(self, map, TRUE, field);
}

void sph_sky_view_show_map(SphSkyView *self, const SphMap *map, int field)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  replace_map(self, (SphMap *)map, FALSE, field);
}

void sph_sky_view_set_overlay(SphSkyView *self, const SphMap *map, int field, SphColormap cmap,
                              double vmin, double vmax, double opacity)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  g_return_if_fail((int)cmap >= 0 && cmap < SPH_CMAP_COUNT);
  if (map != self->overlay || field != self->ov_field)
    self->ov_values_dirty = TRUE;
  if (cmap != self->ov_cmap)
    self->ov_cmap_dirty = TRUE;
  if (map != self->overlay)
    self->proj_serial++;
  self->overlay = map;
  self->ov_field = map != NULL ? CLAMP(field, 0, map->nfields - 1) : 0;
  self->ov_cmap = cmap;
  self->ov_vmin = vmin;
  self->ov_vmax = vmax;
  self->ov_opacity = CLAMP(opacity, 0.0, 1.0);
  if (map == NULL)
    g_clear_pointer(&self->ov_raster, sph_sky_raster_free);
  sky_view_layout_values_texture(self);
  sky_view_redraw(self);
}

void sph_sky_view_set_overlay_opacity(SphSkyView *self, double opacity)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  self->ov_opacity = CLAMP(opacity, 0.0, 1.0);
  sky_view_redraw(self);
}

void sph_sky_view_set_norm(SphSkyView *self, SphNorm norm)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  g_return_if_fail((int)norm >= 0 && norm < SPH_NORM_COUNT);
  if (norm == self->norm)
    return;
  self->norm = norm;
  g_object_freeze_notify(G_OBJECT(self));
  update_auto_range(self);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_NORM]);
  g_object_thaw_notify(G_OBJECT(self));
  sky_view_redraw(self);
}

SphNorm sph_sky_view_get_norm(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), SPH_NORM_LINEAR);
  return self->norm;
}

void sph_sky_view_set_percentile_range(SphSkyView *self, gboolean percentile)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  percentile = !!percentile;
  if (percentile == self->percentile_range)
    return;
  self->percentile_range = percentile;
  g_object_freeze_notify(G_OBJECT(self));
  update_auto_range(self);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_PERCENTILE_RANGE]);
  g_object_thaw_notify(G_OBJECT(self));
  sky_view_redraw(self);
}

gboolean sph_sky_view_get_percentile_range(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), FALSE);
  return self->percentile_range;
}

const SphHistEq *sph_sky_view_get_histeq(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), NULL);
  update_histeq(self);
  return self->histeq;
}

void sph_sky_view_get_overlay_style(SphSkyView *self, int *field, SphColormap *cmap,
                                    double *vmin, double *vmax, double *opacity)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  *field = self->ov_field;
  *cmap = self->ov_cmap;
  *vmin = self->ov_vmin;
  *vmax = self->ov_vmax;
  *opacity = self->ov_opacity;
}

const SphMap *sph_sky_view_get_overlay(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), NULL);
  return self->overlay;
}

const SphMap *sph_sky_view_get_map(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), NULL);
  return self->map;
}

void sph_sky_view_set_field(SphSkyView *self, int field)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  if (self->map == NULL || field < 0 || field >= self->map->nfields || field == self->field)
    return;
  self->field = field;
  self->values_dirty = TRUE;
  update_auto_range(self);
  sky_view_update_readout(self);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_FIELD]);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_UNIT]);
  sky_view_redraw(self);
}

int sph_sky_view_get_field(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), 0);
  return self->field;
}

const char *sph_sky_view_get_unit(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), "");
  return sky_view_shown_values(self) != NULL ? self->map->fields[self->field].unit : "";
}

void sph_sky_view_set_colormap(SphSkyView *self, SphColormap cmap)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  g_return_if_fail((int)cmap >= 0 && cmap < SPH_CMAP_COUNT);
  if (cmap == self->cmap)
    return;
  self->cmap = cmap;
  self->cmap_dirty = TRUE;
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_COLORMAP]);
  sky_view_redraw(self);
}

SphColormap sph_sky_view_get_colormap(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), SPH_CMAP_VIRIDIS);
  return self->cmap;
}

void sph_sky_view_set_range(SphSkyView *self, double vmin, double vmax)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  g_object_freeze_notify(G_OBJECT(self));
  if (self->auto_range) {
    self->auto_range = FALSE;
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_AUTO_RANGE]);
  }
  if (vmin != self->vmin) {
    self->vmin = vmin;
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_VMIN]);
  }
  if (vmax != self->vmax) {
    self->vmax = vmax;
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_VMAX]);
  }
  g_object_thaw_notify(G_OBJECT(self));
  sky_view_redraw(self);
}

void sph_sky_view_get_range(SphSkyView *self, double *vmin, double *vmax)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  if (vmin != NULL)
    *vmin = self->vmin;
  if (vmax != NULL)
    *vmax = self->vmax;
}

void sph_sky_view_set_auto_range(SphSkyView *self, gboolean auto_range)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  auto_range = !!auto_range;
  if (auto_range == self->auto_range)
    return;
  g_object_freeze_notify(G_OBJECT(self));
  self->auto_range = auto_range;
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_AUTO_RANGE]);
  update_auto_range(self);
  g_object_thaw_notify(G_OBJECT(self));
  sky_view_redraw(self);
}

gboolean sph_sky_view_get_auto_range(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), TRUE);
  return self->auto_range;
}

const char *sph_sky_view_get_readout(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), "");
  return self->readout;
}

SphSkyRenderer sph_sky_view_get_renderer(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), SPH_SKY_RENDERER_NONE);
  if (use_gl(self))
    return SPH_SKY_RENDERER_GL;
  if (self->gl_error != NULL || self->map_exceeds_texture)
    return SPH_SKY_RENDERER_CPU;
  return SPH_SKY_RENDERER_NONE;
}

const GError *sph_sky_view_get_gl_error(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), NULL);
  return self->gl_error;
}

void sph_sky_view_set_capture(SphSkyView *self, gboolean capture)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  self->capture = !!capture;
  g_clear_pointer(&self->frame, g_free);
  self->frame_width = self->frame_height = 0;
  if (capture)
    sky_view_redraw(self);
}

guint8 *sph_sky_view_read_pixels(SphSkyView *self, int *width, int *height)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), NULL);
  if (self->frame == NULL)
    return NULL;
  if (width != NULL)
    *width = self->frame_width;
  if (height != NULL)
    *height = self->frame_height;
  return g_memdup2(self->frame, (gsize)self->frame_width * (gsize)self->frame_height * 4);
}

guint64 sph_sky_view_get_frame_count(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), 0);
  return self->frame_count;
}

void sph_sky_view_set_texture_size_cap(SphSkyView *self, int cap)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  g_return_if_fail(cap >= 0);
  if (cap == self->texture_size_cap)
    return;
  self->texture_size_cap = cap;
  sky_view_layout_values_texture(self);
  self->values_dirty = TRUE;
  self->ov_values_dirty = TRUE;
  sky_view_redraw(self);
}

gsize sph_sky_view_get_texture_bytes(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), 0);
  return self->values_texture_bytes + self->ov_values_texture_bytes;
}

int sph_sky_view_get_texture_layers(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), 0);
  return self->tex_layers;
}

guint sph_sky_view_get_values_uploads(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), 0);
  return self->values_uploads;
}

/* ---- GObject ---- */

static void sph_sky_view_get_property(GObject *object, guint id, GValue *value,
                                      GParamSpec *pspec)
{
  SphSkyView *self = SPH_SKY_VIEW(object);
  switch (id) {
  case PROP_FIELD:
    g_value_set_int(value, self->field);
    break;
  case PROP_COLORMAP:
    g_value_set_int(value, self->cmap);
    break;
  case PROP_VMIN:
    g_value_set_double(value, self->vmin);
    break;
  case PROP_VMAX:
    g_value_set_double(value, self->vmax);
    break;
  case PROP_AUTO_RANGE:
    g_value_set_boolean(value, self->auto_range);
    break;
  case PROP_UNIT:
    g_value_set_string(value, sph_sky_view_get_unit(self));
    break;
  case PROP_READOUT:
    g_value_set_string(value, self->readout);
    break;
  case PROP_RENDERER:
    g_value_set_int(value, sph_sky_view_get_renderer(self));
    break;
  case PROP_HAS_PIN:
    g_value_set_boolean(value, self->has_pin);
    break;
  case PROP_HAS_LINE:
    g_value_set_boolean(value, self->has_line);
    break;
  case PROP_NORM:
    g_value_set_int(value, self->norm);
    break;
  case PROP_PERCENTILE_RANGE:
    g_value_set_boolean(value, self->percentile_range);
    break;
  case PROP_PROJECTION:
    g_value_set_int(value, self->proj.kind);
    break;
  case PROP_GRATICULE:
    g_value_set_boolean(value, self->show_graticule);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
}

static void sph_sky_view_set_property(GObject *object, guint id, const GValue *value,
                                      GParamSpec *pspec)
{
  SphSkyView *self = SPH_SKY_VIEW(object);
  switch (id) {
  case PROP_FIELD:
    sph_sky_view_set_field(self, g_value_get_int(value));
    break;
  case PROP_COLORMAP:
    sph_sky_view_set_colormap(self, (SphColormap)g_value_get_int(value));
    break;
  case PROP_VMIN:
    sph_sky_view_set_range(self, g_value_get_double(value), self->vmax);
    break;
  case PROP_VMAX:
    sph_sky_view_set_range(self, self->vmin, g_value_get_double(value));
    break;
  case PROP_AUTO_RANGE:
    sph_sky_view_set_auto_range(self, g_value_get_boolean(value));
    break;
  case PROP_NORM:
    sph_sky_view_set_norm(self, (SphNorm)g_value_get_int(value));
    break;
  case PROP_PERCENTILE_RANGE:
    sph_sky_view_set_percentile_range(self, g_value_get_boolean(value));
    break;
  case PROP_PROJECTION:
    sph_sky_view_set_projection_kind(self, (SphProjectionKind)g_value_get_int(value));
    break;
  case PROP_GRATICULE:
    sph_sky_view_set_graticule(self, g_value_get_boolean(value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
}

static void sph_sky_view_finalize(GObject *object)
{
  SphSkyView *self = SPH_SKY_VIEW(object);
  if (self->owns_map)
    g_clear_pointer(&self->map, sph_map_free);
  g_clear_pointer(&self->raster, sph_sky_raster_free);
  g_clear_pointer(&self->ov_raster, sph_sky_raster_free);
  g_clear_pointer(&self->projector, sph_projector_free);
  g_clear_pointer(&self->graticule, sph_graticule_free);
  g_clear_pointer(&self->histeq, sph_histeq_free);
  sky_view_invalidate_cpu_image(self);
  g_clear_error(&self->gl_error);
  g_free(self->readout);
  g_free(self->frame);
  G_OBJECT_CLASS(sph_sky_view_parent_class)->finalize(object);
}

static void sph_sky_view_class_init(SphSkyViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  GtkGLAreaClass *area_class = GTK_GL_AREA_CLASS(klass);

  /* The shaders and templates live in the static ui library's GResource, registered by a
   * constructor in its object file: referencing it keeps the linker from dropping it. */
  (void)sph_get_resource();

  object_class->get_property = sph_sky_view_get_property;
  object_class->set_property = sph_sky_view_set_property;
  object_class->finalize = sph_sky_view_finalize;
  widget_class->realize = sky_view_gl_realize;
  widget_class->unrealize = sky_view_gl_unrealize;
  widget_class->snapshot = sph_sky_view_snapshot;
  area_class->render = sky_view_gl_render;
  area_class->create_context = sky_view_gl_create_context;

  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  props[PROP_FIELD] = g_param_spec_int("field", NULL, NULL, 0, G_MAXINT, 0, rw);
  props[PROP_COLORMAP] = g_param_spec_int("colormap", NULL, NULL, 0, SPH_CMAP_COUNT - 1,
                                          SPH_CMAP_VIRIDIS, rw);
  props[PROP_VMIN] = g_param_spec_double("vmin", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, rw);
  props[PROP_VMAX] = g_param_spec_double("vmax", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, rw);
  props[PROP_AUTO_RANGE] = g_param_spec_boolean("auto-range", NULL, NULL, TRUE, rw);
  props[PROP_UNIT] = g_param_spec_string("unit", NULL, NULL, "", ro);
  props[PROP_READOUT] = g_param_spec_string("readout", NULL, NULL, "", ro);
  props[PROP_RENDERER] = g_param_spec_int("renderer", NULL, NULL, SPH_SKY_RENDERER_NONE,
                                          SPH_SKY_RENDERER_CPU, SPH_SKY_RENDERER_NONE, ro);
  props[PROP_HAS_PIN] = g_param_spec_boolean("has-pin", NULL, NULL, FALSE, ro);
  props[PROP_HAS_LINE] = g_param_spec_boolean("has-line", NULL, NULL, FALSE, ro);
  props[PROP_NORM] = g_param_spec_int("norm", NULL, NULL, 0, SPH_NORM_COUNT - 1,
                                      SPH_NORM_LINEAR, rw);
  props[PROP_PERCENTILE_RANGE] = g_param_spec_boolean("percentile-range", NULL, NULL, FALSE, rw);
  /* The kind; every change of the projection (rotation, zoom) notifies it. */
  props[PROP_PROJECTION] = g_param_spec_int("projection", NULL, NULL, 0, SPH_PROJ_COUNT - 1,
                                            SPH_PROJ_MOLLWEIDE, rw);
  props[PROP_GRATICULE] = g_param_spec_boolean("graticule", NULL, NULL, FALSE, rw);
  g_object_class_install_properties(object_class, N_PROPS, props);
  /* Every change of the pinned point (also a move) and of the line. */
  signals[SIGNAL_PIN_CHANGED] = g_signal_new("pin-changed", G_TYPE_FROM_CLASS(klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 0);
  signals[SIGNAL_LINE_CHANGED] = g_signal_new("line-changed", G_TYPE_FROM_CLASS(klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 0);
  gtk_widget_class_set_css_name(widget_class, "skyview");
}

static void sph_sky_view_init(SphSkyView *self)
{
  self->cmap = SPH_CMAP_VIRIDIS;
  self->ov_cmap = SPH_CMAP_GREYS;
  self->auto_range = TRUE;
  self->readout = g_strdup("");
  gtk_gl_area_set_has_depth_buffer(GTK_GL_AREA(self), FALSE);
  gtk_gl_area_set_has_stencil_buffer(GTK_GL_AREA(self), FALSE);
  gtk_widget_set_hexpand(GTK_WIDGET(self), TRUE);
  gtk_widget_set_vexpand(GTK_WIDGET(self), TRUE);

  sky_view_add_input_controllers(self);
  sph_projection_init(&self->proj, SPH_PROJ_MOLLWEIDE);
}
