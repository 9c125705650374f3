/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <epoxy/gl.h>

#include "sph-sky-view.h"

#include <math.h>
#include <string.h>

#include "sphaera/great_circle.h"
#include "sphaera/healpix.h"
#include "sphaera/mem.h"
#include "sphaera/projection.h"
#include "sphaera/raster.h"
#include "sph-gl-program.h"
#include "sph-resources.h"
#include "sph-sky-readout.h"

/* Values texture: RING-ordered values row by row. 4096 columns keep an NSIDE 2048 map
 * (50 M pixels) at 12288 rows, within the 16384 texels every GL 4 driver allows. */
#define VALUES_TEXTURE_WIDTH 4096
#define SHADER_RESOURCE "/org/sphaera/Sphaera/shaders/"
/* A press that moves less than this (widget pixels) is a click, not a drag. */
#define CLICK_SLOP 3.0
/* Points per drawn great-circle line: smooth at any window size. */
#define LINE_POINTS 512

struct _SphSkyView {
  GtkGLArea parent_instance;

  SphMap *map;
  int field;
  SphColormap cmap;
  gboolean auto_range;
  double vmin, vmax;
  char *readout;
  gboolean pointer_inside;
  double pointer_x, pointer_y;

  /* Annotations, as directions (so they survive a resize): the pinned point and the
   * profile line, and the press that may become either. */
  gboolean has_pin;
  double pin_theta, pin_phi;
  gboolean has_line;
  double line_theta[2], line_phi[2];
  gboolean press_shift;
  double press_x, press_y;

  /* GL objects, alive between realize and unrealize. */
  gboolean gl_ready;
  GError *gl_error;
  GLuint program, vao, values_tex, cmap_tex;
  GLint loc_values, loc_cmap, loc_nside, loc_tex_width, loc_vmin, loc_vmax;
  GLint loc_image_size, loc_background, loc_unseen, loc_has_map;
  GLint max_texture_size;
  gboolean values_dirty, cmap_dirty;
  int tex_width, tex_rows;      /* layout of the current map in the values texture */
  gboolean map_exceeds_texture; /* the current map is drawn by the CPU renderer */

  /* CPU renderer: the index table for one geometry and the image painted from it. */
  SphSkyRaster *raster;
  int64_t raster_nside;
  SphOrdering raster_ordering;
  GdkTexture *cpu_texture;
  GBytes *cpu_pixels;

  gboolean capture;
  guint8 *frame;
  int frame_width, frame_height;
  guint64 frame_count;
  guint values_uploads;
};

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
  N_PROPS
};
static GParamSpec *props[N_PROPS];

enum { SIGNAL_PIN_CHANGED, SIGNAL_LINE_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const uint8_t background_rgba[4] = { 255, 255, 255, 255 };

/* ---- state shared by both renderers ---- */

static const double *shown_values(SphSkyView *self)
{
  if (self->map == NULL || self->field < 0 || self->field >= self->map->nfields)
    return NULL;
  return self->map->fields[self->field].values;
}

static gboolean use_gl(SphSkyView *self)
{
  return self->gl_ready && self->gl_error == NULL && !self->map_exceeds_texture;
}

static void invalidate_cpu_image(SphSkyView *self)
{
  g_clear_object(&self->cpu_texture);
  g_clear_pointer(&self->cpu_pixels, g_bytes_unref);
}

static void redraw(SphSkyView *self)
{
  invalidate_cpu_image(self);
  gtk_gl_area_queue_render(GTK_GL_AREA(self));
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

/* Chooses the texture layout for the current map: 4096 columns, or as many as the driver
 * allows when the rows would exceed its limit; a map that fits in neither goes to the CPU
 * renderer. */
static void layout_values_texture(SphSkyView *self)
{
  gboolean exceeded = FALSE;
  self->tex_width = 0;
  self->tex_rows = 0;
  if (self->map != NULL && self->gl_ready) {
    int64_t max = self->max_texture_size;
    int64_t width = MIN((int64_t)VALUES_TEXTURE_WIDTH, max);
    int64_t rows = (self->map->npix + width - 1) / width;
    if (rows > max) {
      width = max;
      rows = (self->map->npix + width - 1) / width;
    }
    if (rows > max) {
      exceeded = TRUE;
    } else {
      self->tex_width = (int)width;
      self->tex_rows = (int)rows;
    }
  }
  if (exceeded != self->map_exceeds_texture) {
    self->map_exceeds_texture = exceeded;
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_RENDERER]);
  }
}

static void update_auto_range(SphSkyView *self)
{
  if (!self->auto_range || shown_values(self) == NULL)
    return;
  SphMapStats stats;
  sph_map_field_stats(self->map, self->field, &stats);
  double vmin = stats.nseen > 0 ? stats.min : 0.0;
  double vmax = stats.nseen > 0 ? stats.max : 0.0;
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
  const double *values = shown_values(self);
  int width = gtk_widget_get_width(GTK_WIDGET(self));
  int height = gtk_widget_get_height(GTK_WIDGET(self));
  if (values == NULL || width <= 0 || height <= 0)
    return NULL;
  double px, py, theta, phi;
  sph_mollweide_image_to_plane(width, height, x, y, &px, &py);
  if (!sph_mollweide_inverse(px, py, &theta, &phi))
    return NULL;
  return sph_sky_readout_text(self->map, self->field, theta, phi);
}

static void update_readout(SphSkyView *self)
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

static void on_motion(GtkEventControllerMotion *controller, double x, double y, gpointer data)
{
  (void)controller;
  SphSkyView *self = data;
  self->pointer_inside = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;
  update_readout(self);
}

static void on_leave(GtkEventControllerMotion *controller, gpointer data)
{
  (void)controller;
  SphSkyView *self = data;
  self->pointer_inside = FALSE;
  update_readout(self);
}

/* ---- annotations: the pinned point and the profile line ---- */

gboolean sph_sky_view_point_to_ang(SphSkyView *self, double x, double y, double *theta,
                                   double *phi)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), FALSE);
  int width = gtk_widget_get_width(GTK_WIDGET(self));
  int height = gtk_widget_get_height(GTK_WIDGET(self));
  if (width <= 0 || height <= 0)
    return FALSE;
  double px, py;
  sph_mollweide_image_to_plane(width, height, x, y, &px, &py);
  return sph_mollweide_inverse(px, py, theta, phi);
}

static void ang_to_point(SphSkyView *self, double theta, double phi, double *x, double *y)
{
  double px, py;
  sph_mollweide_forward(theta, phi, &px, &py);
  sph_mollweide_plane_to_image(gtk_widget_get_width(GTK_WIDGET(self)),
                               gtk_widget_get_height(GTK_WIDGET(self)), px, py, x, y);
}

static void on_drag_begin(GtkGestureDrag *gesture, double x, double y, gpointer data)
{
  SphSkyView *self = data;
  GdkModifierType state =
    gtk_event_controller_get_current_event_state(GTK_EVENT_CONTROLLER(gesture));
  self->press_shift = (state & GDK_SHIFT_MASK) != 0;
  self->press_x = x;
  self->press_y = y;
}

static void on_drag_update(GtkGestureDrag *gesture, double dx, double dy, gpointer data)
{
  (void)gesture;
  SphSkyView *self = data;
  if (!self->press_shift || hypot(dx, dy) < CLICK_SLOP)
    return;
  double t1, p1, t2, p2;
  if (sph_sky_view_point_to_ang(self, self->press_x, self->press_y, &t1, &p1) &&
      sph_sky_view_point_to_ang(self, self->press_x + dx, self->press_y + dy, &t2, &p2))
    sph_sky_view_set_line(self, t1, p1, t2, p2);
}

static void on_drag_end(GtkGestureDrag *gesture, double dx, double dy, gpointer data)
{
  (void)gesture;
  SphSkyView *self = data;
  double theta, phi;
  if (hypot(dx, dy) < CLICK_SLOP) {
    if (sph_sky_view_point_to_ang(self, self->press_x, self->press_y, &theta, &phi))
      sph_sky_view_set_pin(self, theta, phi);
    else
      sph_sky_view_clear_pin(self);
  }
}

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

/* The line as a polyline on screen, broken where it crosses the map's edge at phi = pi
 * (consecutive points more than half the width apart). */
static void draw_line(SphSkyView *self, cairo_t *cr)
{
  double theta[LINE_POINTS], phi[LINE_POINTS];
  sph_great_circle_sample(self->line_theta[0], self->line_phi[0], self->line_theta[1],
                          self->line_phi[1], LINE_POINTS, theta, phi, NULL);
  double half = gtk_widget_get_width(GTK_WIDGET(self)) / 2.0;
  double last_x = 0.0;
  for (int k = 0; k < LINE_POINTS; k++) {
    double x, y;
    ang_to_point(self, theta[k], phi[k], &x, &y);
    if (k == 0 || fabs(x - last_x) > half)
      cairo_move_to(cr, x, y);
    else
      cairo_line_to(cr, x, y);
    last_x = x;
  }
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  /* A dark casing under a light line reads on every colormap. */
  cairo_set_source_rgba(cr, 0.0, 0.0, 0.0, 0.8);
  cairo_set_line_width(cr, 4.0);
  cairo_stroke_preserve(cr);
  cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
  cairo_set_line_width(cr, 2.0);
  cairo_stroke(cr);
  for (int end = 0; end < 2; end++) {
    double x, y;
    ang_to_point(self, self->line_theta[end], self->line_phi[end], &x, &y);
    cairo_arc(cr, x, y, 4.0, 0.0, 2.0 * G_PI);
    cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.0, 0.0, 0.0);
    cairo_set_line_width(cr, 1.5);
    cairo_stroke(cr);
  }
}

/* A pin: a ring with a cross hair, black under white. */
static void draw_pin(SphSkyView *self, cairo_t *cr)
{
  double x, y;
  ang_to_point(self, self->pin_theta, self->pin_phi, &x, &y);
  for (int pass = 0; pass < 2; pass++) {
    cairo_set_line_width(cr, pass == 0 ? 4.0 : 2.0);
    if (pass == 0)
      cairo_set_source_rgba(cr, 0.0, 0.0, 0.0, 0.85);
    else
      cairo_set_source_rgb(cr, 1.0, 0.85, 0.2);
    cairo_new_path(cr);
    cairo_arc(cr, x, y, 7.0, 0.0, 2.0 * G_PI);
    cairo_move_to(cr, x - 12.0, y);
    cairo_line_to(cr, x - 3.0, y);
    cairo_move_to(cr, x + 3.0, y);
    cairo_line_to(cr, x + 12.0, y);
    cairo_move_to(cr, x, y - 12.0);
    cairo_line_to(cr, x, y - 3.0);
    cairo_move_to(cr, x, y + 3.0);
    cairo_line_to(cr, x, y + 12.0);
    cairo_stroke(cr);
  }
}

static void snapshot_annotations(SphSkyView *self, GtkSnapshot *snapshot)
{
  if (!self->has_pin && !self->has_line)
    return;
  int width = gtk_widget_get_width(GTK_WIDGET(self));
  int height = gtk_widget_get_height(GTK_WIDGET(self));
  graphene_rect_t bounds = GRAPHENE_RECT_INIT(0, 0, (float)width, (float)height);
  cairo_t *cr = gtk_snapshot_append_cairo(snapshot, &bounds);
  if (self->has_line)
    draw_line(self, cr);
  if (self->has_pin)
    draw_pin(self, cr);
  cairo_destroy(cr);
}

/* ---- frame capture ---- */

static void store_frame(SphSkyView *self, guint8 *rgba, int width, int height)
{
  g_free(self->frame);
  self->frame = rgba;
  self->frame_width = width;
  self->frame_height = height;
}

/* ---- the GL renderer ---- */

static void set_gl_failure(SphSkyView *self, GError *error)
{
  g_clear_error(&self->gl_error);
  self->gl_error = error;
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_RENDERER]);
}

/* GtkGLArea asks for desktop GL only; the shaders run on OpenGL ES 3.0 as well, so let
 * GDK pick whichever API the system offers. */
static GdkGLContext *sph_sky_view_create_context(GtkGLArea *area)
{
  GError *error = NULL;
  GdkSurface *surface = gtk_native_get_surface(gtk_widget_get_native(GTK_WIDGET(area)));
  GdkGLContext *context = gdk_surface_create_gl_context(surface, &error);
  if (context != NULL) {
    gdk_gl_context_set_allowed_apis(context, GDK_GL_API_GL | GDK_GL_API_GLES);
    if (!gdk_gl_context_realize(context, &error))
      g_clear_object(&context);
  }
  if (context == NULL) {
    gtk_gl_area_set_error(area, error);
    g_clear_error(&error);
  }
  return context;
}

static void sph_sky_view_realize(GtkWidget *widget)
{
  SphSkyView *self = SPH_SKY_VIEW(widget);
  GtkGLArea *area = GTK_GL_AREA(widget);
  GTK_WIDGET_CLASS(sph_sky_view_parent_class)->realize(widget);

  gtk_gl_area_make_current(area);
  const GError *area_error = gtk_gl_area_get_error(area);
  if (area_error != NULL) {
    set_gl_failure(self, g_error_copy(area_error));
    return;
  }

  GdkGLContext *context = gtk_gl_area_get_context(area);
  int major = 0, minor = 0;
  gdk_gl_context_get_version(context, &major, &minor);
  gboolean es = gdk_gl_context_get_api(context) == GDK_GL_API_GLES;
  if (es ? major < 3 : major * 10 + minor < 32) {
    GError *error = g_error_new(GDK_GL_ERROR, GDK_GL_ERROR_NOT_AVAILABLE,
                                "the sky view needs OpenGL 3.2 or OpenGL ES 3.0; "
                                "this context is %s %d.%d", es ? "OpenGL ES" : "OpenGL",
                                major, minor);
    gtk_gl_area_set_error(area, error);
    set_gl_failure(self, error);
    return;
  }

  const char *header = es ? "#version 300 es\nprecision highp float;\nprecision highp int;\n"
                            "precision highp sampler2D;\n#line 1\n"
                          : "#version 150\n#line 1\n";
  GError *error = NULL;
  self->program = sph_gl_program_from_resources(header, SHADER_RESOURCE "sky.vert",
                                                SHADER_RESOURCE "sky.frag", &error);
  if (self->program == 0) {
    gtk_gl_area_set_error(area, error);
    set_gl_failure(self, error);
    return;
  }
  self->loc_values = glGetUniformLocation(self->program, "u_values");
  self->loc_cmap = glGetUniformLocation(self->program, "u_cmap");
  self->loc_nside = glGetUniformLocation(self->program, "u_nside");
  self->loc_tex_width = glGetUniformLocation(self->program, "u_tex_width");
  self->loc_vmin = glGetUniformLocation(self->program, "u_vmin");
  self->loc_vmax = glGetUniformLocation(self->program, "u_vmax");
  self->loc_image_size = glGetUniformLocation(self->program, "u_image_size");
  self->loc_background = glGetUniformLocation(self->program, "u_background");
  self->loc_unseen = glGetUniformLocation(self->program, "u_unseen");
  self->loc_has_map = glGetUniformLocation(self->program, "u_has_map");

  glGenVertexArrays(1, &self->vao);
  glGenTextures(1, &self->values_tex);
  glGenTextures(1, &self->cmap_tex);
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &self->max_texture_size);
  self->gl_ready = TRUE;
  self->values_dirty = TRUE;
  self->cmap_dirty = TRUE;
  layout_values_texture(self);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_RENDERER]);
}

static void sph_sky_view_unrealize(GtkWidget *widget)
{
  SphSkyView *self = SPH_SKY_VIEW(widget);
  if (self->gl_ready) {
    gtk_gl_area_make_current(GTK_GL_AREA(widget));
    glDeleteTextures(1, &self->values_tex);
    glDeleteTextures(1, &self->cmap_tex);
    glDeleteVertexArrays(1, &self->vao);
    glDeleteProgram(self->program);
    self->values_tex = self->cmap_tex = self->vao = self->program = 0;
    self->gl_ready = FALSE;
  }
  g_clear_error(&self->gl_error);
  invalidate_cpu_image(self);
  GTK_WIDGET_CLASS(sph_sky_view_parent_class)->unrealize(widget);
}

static void upload_values(SphSkyView *self)
{
  const double *values = shown_values(self);
  self->values_dirty = FALSE;
  if (values == NULL || self->tex_width == 0)
    return;
  const SphMap *map = self->map;
  size_t count = (size_t)self->tex_width * (size_t)self->tex_rows;
  float *texels = sph_alloc_aligned(count, sizeof *texels, NULL);
  if (texels == NULL) {
    self->map_exceeds_texture = TRUE; /* the CPU renderer needs no copy of the values */
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_RENDERER]);
    gtk_widget_queue_draw(GTK_WIDGET(self));
    return;
  }
  /* Bad pixels become exactly the float UNSEEN, the one value the shader tests for. */
  const float unseen = (float)SPH_UNSEEN;
  for (int64_t ring = 0; ring < map->npix; ring++) {
    int64_t src = map->ordering == SPH_ORDER_RING ? ring : sph_hp_ring2nest(map->nside, ring);
    double v = values[src];
    texels[ring] = sph_hp_is_unseen(v) ? unseen : (float)v;
  }
  for (size_t i = (size_t)map->npix; i < count; i++)
    texels[i] = unseen;

  glBindTexture(GL_TEXTURE_2D, self->values_tex);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, self->tex_width, self->tex_rows, 0, GL_RED, GL_FLOAT,
               texels);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  sph_free_aligned(texels);
  self->values_uploads++;
}

static void upload_colormap(SphSkyView *self)
{
  glBindTexture(GL_TEXTURE_2D, self->cmap_tex);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB8, SPH_CMAP_SIZE, 1, 0, GL_RGB, GL_UNSIGNED_BYTE,
               sph_colormap_table(self->cmap));
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  self->cmap_dirty = FALSE;
}

static gboolean sph_sky_view_render(GtkGLArea *area, GdkGLContext *context)
{
  (void)context;
  SphSkyView *self = SPH_SKY_VIEW(area);
  if (!self->gl_ready)
    return TRUE;
  GLint viewport[4];
  glGetIntegerv(GL_VIEWPORT, viewport);
  int width = viewport[2], height = viewport[3];

  if (self->values_dirty)
    upload_values(self);
  if (self->cmap_dirty)
    upload_colormap(self);

  glDisable(GL_BLEND);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_DITHER);
  glClearColor(background_rgba[0] / 255.0f, background_rgba[1] / 255.0f,
               background_rgba[2] / 255.0f, background_rgba[3] / 255.0f);
  glClear(GL_COLOR_BUFFER_BIT);

  gboolean has_map = shown_values(self) != NULL && self->tex_width > 0;
  glUseProgram(self->program);
  glUniform1i(self->loc_values, 0);
  glUniform1i(self->loc_cmap, 1);
  glUniform1i(self->loc_has_map, has_map);
  glUniform1i(self->loc_nside, has_map ? (GLint)self->map->nside : 1);
  glUniform1i(self->loc_tex_width, MAX(self->tex_width, 1));
  glUniform1f(self->loc_vmin, (float)self->vmin);
  glUniform1f(self->loc_vmax, (float)self->vmax);
  glUniform2f(self->loc_image_size, (float)width, (float)height);
  glUniform4f(self->loc_background, background_rgba[0] / 255.0f, background_rgba[1] / 255.0f,
              background_rgba[2] / 255.0f, background_rgba[3] / 255.0f);
  glUniform1f(self->loc_unseen, (float)SPH_UNSEEN);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, self->values_tex);
  glActiveTexture(GL_TEXTURE1);
  glBindTexture(GL_TEXTURE_2D, self->cmap_tex);
  glBindVertexArray(self->vao);
  glDrawArrays(GL_TRIANGLES, 0, 3);
  glBindVertexArray(0);
  glActiveTexture(GL_TEXTURE0);
  glUseProgram(0);

  if (self->capture && width > 0 && height > 0) {
    size_t row = (size_t)width * 4;
    guint8 *bottom_up = g_malloc(row * (size_t)height);
    guint8 *top_down = g_malloc(row * (size_t)height);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, bottom_up);
    glPixelStorei(GL_PACK_ALIGNMENT, 4);
    for (int j = 0; j < height; j++)
      memcpy(top_down + row * (size_t)j, bottom_up + row * (size_t)(height - 1 - j), row);
    g_free(bottom_up);
    store_frame(self, top_down, width, height);
  }
  self->frame_count++;
  return TRUE;
}

/* ---- the CPU renderer ---- */

static gboolean ensure_cpu_image(SphSkyView *self, int width, int height)
{
  const double *values = shown_values(self);
  if (values == NULL)
    return FALSE;
  const SphMap *map = self->map;
  if (self->raster != NULL &&
      (sph_sky_raster_width(self->raster) != width || sph_sky_raster_height(self->raster) != height ||
       self->raster_nside != map->nside || self->raster_ordering != map->ordering)) {
    g_clear_pointer(&self->raster, sph_sky_raster_free);
    invalidate_cpu_image(self);
  }
  if (self->raster == NULL) {
    SphError err = SPH_ERROR_INIT;
    self->raster = sph_sky_raster_new(map->nside, map->ordering, width, height, &err);
    if (self->raster == NULL) {
      g_warning("sky view: %s", err.message);
      return FALSE;
    }
    self->raster_nside = map->nside;
    self->raster_ordering = map->ordering;
    invalidate_cpu_image(self);
  }
  if (self->cpu_texture != NULL)
    return TRUE;

  size_t stride = (size_t)width * 4;
  guint8 *rgba = g_malloc(stride * (size_t)height);
  SphColorScale scale = { .vmin = self->vmin, .vmax = self->vmax, .cmap = self->cmap };
  memcpy(scale.background, background_rgba, sizeof scale.background);
  sph_sky_raster_paint(self->raster, values, &scale, rgba, (int)stride);
  self->cpu_pixels = g_bytes_new_take(rgba, stride * (size_t)height);
  self->cpu_texture = gdk_memory_texture_new(width, height, GDK_MEMORY_R8G8B8A8,
                                             self->cpu_pixels, stride);
  return TRUE;
}

static void sph_sky_view_snapshot(GtkWidget *widget, GtkSnapshot *snapshot)
{
  SphSkyView *self = SPH_SKY_VIEW(widget);
  if (use_gl(self)) {
    GTK_WIDGET_CLASS(sph_sky_view_parent_class)->snapshot(widget, snapshot);
    snapshot_annotations(self, snapshot);
    return;
  }
  int width = gtk_widget_get_width(widget), height = gtk_widget_get_height(widget);
  int scale = gtk_widget_get_scale_factor(widget);
  if (width <= 0 || height <= 0)
    return;
  graphene_rect_t bounds = GRAPHENE_RECT_INIT(0, 0, (float)width, (float)height);
  if (!ensure_cpu_image(self, width * scale, height * scale)) {
    GdkRGBA white = { background_rgba[0] / 255.0f, background_rgba[1] / 255.0f,
                      background_rgba[2] / 255.0f, background_rgba[3] / 255.0f };
    gtk_snapshot_append_color(snapshot, &white, &bounds);
    return;
  }
  gtk_snapshot_append_texture(snapshot, self->cpu_texture, &bounds);
  snapshot_annotations(self, snapshot);
  if (self->capture)
    store_frame(self, g_bytes_get_data(self->cpu_pixels, NULL) != NULL
                          ? g_memdup2(g_bytes_get_data(self->cpu_pixels, NULL),
                                      g_bytes_get_size(self->cpu_pixels))
                          : NULL,
                width * scale, height * scale);
  self->frame_count++;
}

/* ---- public API ---- */

GtkWidget *sph_sky_view_new(void)
{
  return g_object_new(SPH_TYPE_SKY_VIEW, NULL);
}

void sph_sky_view_set_map(SphSkyView *self, SphMap *map, int field)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  if (self->map != map)
    g_clear_pointer(&self->map, sph_map_free);
  self->map = map;
  self->field = map != NULL ? CLAMP(field, 0, map->nfields - 1) : 0;
  self->auto_range = TRUE;
  self->values_dirty = TRUE;
  layout_values_texture(self);
  update_auto_range(self);
  update_readout(self);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_FIELD]);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_AUTO_RANGE]);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_UNIT]);
  redraw(self);
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
  update_readout(self);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_FIELD]);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_UNIT]);
  redraw(self);
}

int sph_sky_view_get_field(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), 0);
  return self->field;
}

const char *sph_sky_view_get_unit(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), "");
  return shown_values(self) != NULL ? self->map->fields[self->field].unit : "";
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
  redraw(self);
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
  redraw(self);
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
  redraw(self);
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
    redraw(self);
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
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
}

static void sph_sky_view_finalize(GObject *object)
{
  SphSkyView *self = SPH_SKY_VIEW(object);
  g_clear_pointer(&self->map, sph_map_free);
  g_clear_pointer(&self->raster, sph_sky_raster_free);
  invalidate_cpu_image(self);
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
  widget_class->realize = sph_sky_view_realize;
  widget_class->unrealize = sph_sky_view_unrealize;
  widget_class->snapshot = sph_sky_view_snapshot;
  area_class->render = sph_sky_view_render;
  area_class->create_context = sph_sky_view_create_context;

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
  self->auto_range = TRUE;
  self->readout = g_strdup("");
  gtk_gl_area_set_has_depth_buffer(GTK_GL_AREA(self), FALSE);
  gtk_gl_area_set_has_stencil_buffer(GTK_GL_AREA(self), FALSE);
  gtk_widget_set_hexpand(GTK_WIDGET(self), TRUE);
  gtk_widget_set_vexpand(GTK_WIDGET(self), TRUE);

  GtkEventController *motion = gtk_event_controller_motion_new();
  g_signal_connect(motion, "motion", G_CALLBACK(on_motion), self);
  g_signal_connect(motion, "enter", G_CALLBACK(on_motion), self);
  g_signal_connect(motion, "leave", G_CALLBACK(on_leave), self);
  gtk_widget_add_controller(GTK_WIDGET(self), motion);

  GtkGesture *drag = gtk_gesture_drag_new();
  gtk_gesture_single_set_button(GTK_GESTURE_SINGLE(drag), GDK_BUTTON_PRIMARY);
  g_signal_connect(drag, "drag-begin", G_CALLBACK(on_drag_begin), self);
  g_signal_connect(drag, "drag-update", G_CALLBACK(on_drag_update), self);
  g_signal_connect(drag, "drag-end", G_CALLBACK(on_drag_end), self);
  gtk_widget_add_controller(GTK_WIDGET(self), GTK_EVENT_CONTROLLER(drag));
}
