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
  PROP_RANGE_PENDING,
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
  sky_view_update_histeq(self);
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
  /* A worker may be reading the old map's values. */
  if (sky_view_cancel_range(self))
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_RANGE_PENDING]);
  self->proj_serial++; /* the new map's frame may differ */
  if (self->map != map && self->owns_map)
    sph_map_free(self->map);
  self->map = map;
  self->owns_map = owns;
  self->field = map != NULL ? CLAMP(field, 0, map->nfields - 1) : 0;
  self->auto_range = TRUE;
  self->values_dirty = TRUE;
  sky_view_layout_values_texture(self);
  sky_view_update_auto_range(self);
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
  sky_view_update_auto_range(self);
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
  sky_view_update_auto_range(self);
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
  sky_view_update_histeq(self);
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
  sky_view_update_auto_range(self);
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
  if (sky_view_cancel_range(self)) /* the typed range wins */
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_RANGE_PENDING]);
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
  sky_view_update_auto_range(self);
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
  case PROP_RANGE_PENDING:
    g_value_set_boolean(value, self->range_work != NULL);
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
  sky_view_cancel_range(self); /* before the values it reads go */
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
  props[PROP_RANGE_PENDING] = g_param_spec_boolean("range-pending", NULL, NULL, FALSE, ro);
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
