/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sky view's GL renderer: the map's values in a float texture, the colormap, the
 * scale's colour steps and (outside plain Mollweide) the CPU's index tables as small
 * textures, drawn by shaders/sky.frag in one pass. */
#include "sph-sky-view-private.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/healpix.h"
#include "sphaera/mem.h"
#include "sph-gl-program.h"

/* ---- the GL renderer ---- */

/* How much coarser (in each direction) the image is while a drag lasts: at least twice,
 * more while frames come slower than 25 a second (up to six times, a 213 x 133 image at
 * 1280 x 800), less again when they come faster than 50. */
#define MIN_DRAG_DIVISOR 2
#define MAX_DRAG_DIVISOR 6
#define SLOW_FRAME_US (G_USEC_PER_SEC / 25)
#define FAST_FRAME_US (G_USEC_PER_SEC / 50)

/* Adapts the drag divisor to the time since the previous frame of the same drag. */
static void adapt_drag_divisor(SphSkyView *self)
{
  gint64 now = g_get_monotonic_time();
  if (!self->dragging) {
    self->last_drag_frame_us = 0;
    return;
  }
  if (self->drag_div_fixed == 0 && self->last_drag_frame_us > 0) {
    gint64 interval = now - self->last_drag_frame_us;
    if (interval > SLOW_FRAME_US && self->drag_div < MAX_DRAG_DIVISOR)
      self->drag_div++;
    else if (interval < FAST_FRAME_US && self->drag_div > MIN_DRAG_DIVISOR)
      self->drag_div--;
  }
  self->last_drag_frame_us = now;
}

static void set_gl_failure(SphSkyView *self, GError *error)
{
  g_clear_error(&self->gl_error);
  self->gl_error = error;
  sky_view_notify_renderer(self);
}

/* GtkGLArea asks for desktop GL only; the shaders run on OpenGL ES 3.0 as well, so let
 * GDK pick whichever API the system offers. */
GdkGLContext *sky_view_gl_create_context(GtkGLArea *area)
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

void sky_view_gl_realize(GtkWidget *widget)
{
  SphSkyView *self = SPH_SKY_VIEW(widget);
  GtkGLArea *area = GTK_GL_AREA(widget);
  GTK_WIDGET_CLASS(g_type_class_peek(GTK_TYPE_GL_AREA))->realize(widget);

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
                            "precision highp sampler2D;\nprecision highp sampler2DArray;\n#line 1\n"
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
  self->loc_layer_rows = glGetUniformLocation(self->program, "u_layer_rows");
  self->loc_ov_layer_rows = glGetUniformLocation(self->program, "u_ov_layer_rows");
  self->loc_vmin = glGetUniformLocation(self->program, "u_vmin");
  self->loc_vmax = glGetUniformLocation(self->program, "u_vmax");
  self->loc_image_size = glGetUniformLocation(self->program, "u_image_size");
  self->loc_background = glGetUniformLocation(self->program, "u_background");
  self->loc_unseen = glGetUniformLocation(self->program, "u_unseen");
  self->loc_has_map = glGetUniformLocation(self->program, "u_has_map");
  self->loc_ov_values = glGetUniformLocation(self->program, "u_ov_values");
  self->loc_ov_cmap = glGetUniformLocation(self->program, "u_ov_cmap");
  self->loc_has_overlay = glGetUniformLocation(self->program, "u_has_overlay");
  self->loc_ov_nside = glGetUniformLocation(self->program, "u_ov_nside");
  self->loc_ov_tex_width = glGetUniformLocation(self->program, "u_ov_tex_width");
  self->loc_ov_vmin = glGetUniformLocation(self->program, "u_ov_vmin");
  self->loc_ov_vmax = glGetUniformLocation(self->program, "u_ov_vmax");
  self->loc_ov_opacity = glGetUniformLocation(self->program, "u_ov_opacity");
  self->loc_steps = glGetUniformLocation(self->program, "u_steps");
  self->loc_use_index = glGetUniformLocation(self->program, "u_use_index");
  self->loc_index = glGetUniformLocation(self->program, "u_index");
  self->loc_ov_index = glGetUniformLocation(self->program, "u_ov_index");
  self->loc_index_scale = glGetUniformLocation(self->program, "u_index_scale");
  self->loc_bad_nonpositive = glGetUniformLocation(self->program, "u_bad_nonpositive");
  self->loc_linear_steps = glGetUniformLocation(self->program, "u_linear_steps");

  glGenVertexArrays(1, &self->vao);
  glGenTextures(1, &self->values_tex);
  glGenTextures(1, &self->preview_tex);
  glGenTextures(1, &self->cmap_tex);
  glGenTextures(1, &self->ov_values_tex);
  glGenTextures(1, &self->ov_cmap_tex);
  glGenTextures(1, &self->steps_tex);
  glGenTextures(1, &self->index_tex);
  glGenTextures(1, &self->ov_index_tex);
  self->index_uploaded = self->ov_index_uploaded = G_MAXUINT;
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &self->max_texture_size);
  glGetIntegerv(GL_MAX_ARRAY_TEXTURE_LAYERS, &self->max_array_layers);
  const char *div = g_getenv("SPHAERA_DRAG_DIVISOR");
  self->drag_div_fixed = div != NULL ? CLAMP(atoi(div), 1, MAX_DRAG_DIVISOR) : 0;
  self->drag_div = self->drag_div_fixed > 0 ? self->drag_div_fixed : MIN_DRAG_DIVISOR;
  const char *cap = g_getenv("SPHAERA_GL_MAX_TEXTURE_SIZE");
  if (cap != NULL && self->texture_size_cap == 0)
    self->texture_size_cap = MAX(atoi(cap), 0);
  self->gl_ready = TRUE;
  self->values_dirty = TRUE;
  self->cmap_dirty = TRUE;
  self->ov_values_dirty = TRUE;
  self->ov_cmap_dirty = TRUE;
  self->steps_dirty = TRUE;
  sky_view_layout_values_texture(self);
  sky_view_notify_renderer(self);
}

void sky_view_gl_unrealize(GtkWidget *widget)
{
  SphSkyView *self = SPH_SKY_VIEW(widget);
  if (self->gl_ready) {
    gtk_gl_area_make_current(GTK_GL_AREA(widget));
    sky_view_upload_stop(self);
    glDeleteTextures(1, &self->values_tex);
    glDeleteTextures(1, &self->preview_tex);
    self->preview_tex = 0;
    glDeleteTextures(1, &self->cmap_tex);
    glDeleteTextures(1, &self->ov_values_tex);
    glDeleteTextures(1, &self->ov_cmap_tex);
    glDeleteTextures(1, &self->steps_tex);
    glDeleteTextures(1, &self->index_tex);
    glDeleteTextures(1, &self->ov_index_tex);
    glDeleteTextures(1, &self->drag_tex);
    glDeleteFramebuffers(1, &self->drag_fbo);
    self->drag_tex = self->drag_fbo = 0;
    self->drag_fbo_width = self->drag_fbo_height = 0;
    self->index_tex = self->ov_index_tex = 0;
    self->ov_values_tex = self->ov_cmap_tex = self->steps_tex = 0;
    glDeleteVertexArrays(1, &self->vao);
    glDeleteProgram(self->program);
    self->values_tex = self->cmap_tex = self->vao = self->program = 0;
    self->gl_ready = FALSE;
    self->values_texture_bytes = self->ov_values_texture_bytes = 0;
  }
  g_clear_error(&self->gl_error);
  sky_view_invalidate_cpu_image(self);
  GTK_WIDGET_CLASS(g_type_class_peek(GTK_TYPE_GL_AREA))->unrealize(widget);
}

static void upload_colormap_table(GLuint tex, SphColormap cmap)
{
  glBindTexture(GL_TEXTURE_2D, tex);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB8, SPH_CMAP_SIZE, 1, 0, GL_RGB, GL_UNSIGNED_BYTE,
               sph_colormap_table(cmap));
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
}

/* The colour steps as floats, rounded so that a float value v is at or past step k
 * exactly when the double it came from is (up to the float rounding of v itself). */
static void upload_steps(SphSkyView *self)
{
  SphColorScale scale;
  sky_view_current_scale(self, &scale);
  double steps[SPH_CMAP_SIZE];
  sph_sky_view_colour_steps(&scale, steps);
  float texels[SPH_CMAP_SIZE];
  for (int k = 0; k < SPH_CMAP_SIZE; k++)
    texels[k] = steps[k] <= -FLT_MAX ? -FLT_MAX : steps[k] >= FLT_MAX ? FLT_MAX : (float)steps[k];
  glBindTexture(GL_TEXTURE_2D, self->steps_tex);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, SPH_CMAP_SIZE, 1, 0, GL_RED, GL_FLOAT, texels);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  self->steps_dirty = FALSE;
}

/* A raster's index table as an R32I texture of RING indices (-1 outside). */
static void upload_index(GLuint tex, const SphSkyRaster *raster)
{
  int width = sph_sky_raster_width(raster), height = sph_sky_raster_height(raster);
  const int64_t *index = sph_sky_raster_index(raster);
  int64_t nside = sph_sky_raster_nside(raster);
  gboolean nest = sph_sky_raster_ordering(raster) == SPH_ORDER_NEST;
  size_t count = (size_t)width * (size_t)height;
  gint32 *texels = g_new(gint32, count);
  for (size_t i = 0; i < count; i++)
    texels[i] = index[i] < 0 ? -1 : (gint32)(nest ? sph_hp_nest2ring(nside, index[i]) : index[i]);
  glBindTexture(GL_TEXTURE_2D, tex);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_R32I, width, height, 0, GL_RED_INTEGER, GL_INT, texels);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  g_free(texels);
}

/* Outside plain Mollweide the shader reads the pixel of every fragment from the CPU's
 * index table (built once per view geometry): both renderers show the same pixels by
 * construction, and the shader stays one lookup per fragment for every projection. */
static gboolean prepare_index_tables(SphSkyView *self, int width, int height)
{
  if (sky_view_is_plain_mollweide(self) || sky_view_shown_values(self) == NULL)
    return FALSE;
  sky_view_fit_gnomonic_cells(self, gtk_widget_get_width(GTK_WIDGET(self)),
                     gtk_widget_get_height(GTK_WIDGET(self)));
  SphSkyRaster *raster = sky_view_ensure_raster(self, &self->raster, &self->raster_serial,
                                       &self->raster_generation, self->map, width, height);
  if (raster == NULL)
    return FALSE;
  if (self->index_uploaded != self->raster_generation) {
    upload_index(self->index_tex, raster);
    self->index_uploaded = self->raster_generation;
  }
  if (sky_view_overlay_values(self) != NULL) {
    SphSkyRaster *ov = sky_view_ensure_raster(self, &self->ov_raster, &self->ov_raster_serial,
                                     &self->ov_raster_generation, self->overlay, width, height);
    if (ov != NULL && self->ov_index_uploaded != self->ov_raster_generation) {
      upload_index(self->ov_index_tex, ov);
      self->ov_index_uploaded = self->ov_raster_generation;
    }
  }
  return TRUE;
}

/* Binds (creating or resizing it first) the framebuffer a drag draws into, 1/drag_div of
 * the area's size; FALSE when the driver refuses it (then the drag draws at full size). */
static gboolean bind_drag_framebuffer(SphSkyView *self, int width, int height, GLint area_fbo)
{
  int w = MAX((width + self->drag_div - 1) / self->drag_div, 1);
  int h = MAX((height + self->drag_div - 1) / self->drag_div, 1);
  if (self->drag_fbo == 0) {
    glGenFramebuffers(1, &self->drag_fbo);
    glGenTextures(1, &self->drag_tex);
  }
  if (w != self->drag_fbo_width || h != self->drag_fbo_height) {
    glBindTexture(GL_TEXTURE_2D, self->drag_tex);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, NULL);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glBindFramebuffer(GL_FRAMEBUFFER, self->drag_fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, self->drag_tex,
                           0);
    self->drag_fbo_width = w;
    self->drag_fbo_height = h;
  }
  glBindFramebuffer(GL_FRAMEBUFFER, self->drag_fbo);
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
    glBindFramebuffer(GL_FRAMEBUFFER, (GLuint)area_fbo);
    return FALSE;
  }
  return TRUE;
}

gboolean sky_view_gl_render(GtkGLArea *area, GdkGLContext *context)
{
  (void)context;
  SphSkyView *self = SPH_SKY_VIEW(area);
  if (!self->gl_ready)
    return TRUE;
  GLint viewport[4];
  glGetIntegerv(GL_VIEWPORT, viewport);
  int width = viewport[2], height = viewport[3];
  GLint area_fbo = 0;
  glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &area_fbo);

  if (self->values_dirty)
    sky_view_upload_values(self, width, height);
  else if (self->preview_nside > 0 && !sky_view_is_plain_mollweide(self))
    sky_view_continue_upload(self, TRUE); /* the index tables name the full map's pixels */
  if (self->ov_values_dirty)
    sky_view_upload_overlay_values(self);
  if (self->cmap_dirty) {
    upload_colormap_table(self->cmap_tex, self->cmap);
    self->cmap_dirty = FALSE;
  }
  if (self->steps_dirty)
    upload_steps(self);
  if (self->ov_cmap_dirty) {
    upload_colormap_table(self->ov_cmap_tex, self->ov_cmap);
    self->ov_cmap_dirty = FALSE;
  }

  glDisable(GL_BLEND);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_DITHER);
  /* The drawn image: the area's framebuffer, or while dragging a smaller one. */
  adapt_drag_divisor(self);
  int image_width = width, image_height = height;
  gboolean coarse = self->dragging && self->drag_div > 1 && !sky_view_is_plain_mollweide(self) &&
                    bind_drag_framebuffer(self, width, height, area_fbo);
  if (coarse) {
    image_width = self->drag_fbo_width;
    image_height = self->drag_fbo_height;
    glViewport(0, 0, image_width, image_height);
  }
  glClearColor(sky_view_background[0] / 255.0f, sky_view_background[1] / 255.0f,
               sky_view_background[2] / 255.0f, sky_view_background[3] / 255.0f);
  glClear(GL_COLOR_BUFFER_BIT);

  gboolean has_map = sky_view_shown_values(self) != NULL && self->tex_width > 0;
  glUseProgram(self->program);
  glUniform1i(self->loc_values, 0);
  glUniform1i(self->loc_cmap, 1);
  glUniform1i(self->loc_has_map, has_map);
  /* While a large map is on its way the preview stands in for it. */
  gboolean preview = has_map && self->preview_nside > 0;
  glUniform1i(self->loc_nside, preview ? (GLint)self->preview_nside
                               : has_map ? (GLint)self->map->nside : 1);
  glUniform1i(self->loc_tex_width, preview ? VALUES_TEXTURE_WIDTH : MAX(self->tex_width, 1));
  glUniform1i(self->loc_layer_rows, preview ? self->preview_rows : MAX(self->tex_rows, 1));
  glUniform1i(self->loc_ov_layer_rows, MAX(self->ov_tex_rows, 1));
  glUniform1f(self->loc_vmin, (float)self->vmin);
  glUniform1f(self->loc_vmax, (float)self->vmax);
  glUniform2f(self->loc_image_size, (float)image_width, (float)image_height);
  const uint8_t *bg = sky_view_background;
  glUniform4f(self->loc_background, bg[0] / 255.0f, bg[1] / 255.0f, bg[2] / 255.0f,
              bg[3] / 255.0f);
  glUniform1f(self->loc_unseen, (float)SPH_UNSEEN);
  gboolean has_overlay = has_map && sky_view_overlay_values(self) != NULL &&
                         self->ov_tex_width > 0 && self->ov_opacity > 0.0;
  /* One table cell per drawn pixel. */
  gboolean use_index = prepare_index_tables(self, image_width, image_height);
  glUniform2f(self->loc_index_scale, 1.0f, 1.0f);
  glUniform1i(self->loc_use_index, use_index);
  glUniform1i(self->loc_index, 5);
  glUniform1i(self->loc_ov_index, 6);
  glUniform1i(self->loc_steps, 4);
  glUniform1i(self->loc_bad_nonpositive, self->norm == SPH_NORM_LOG);
  glUniform1i(self->loc_linear_steps, self->norm == SPH_NORM_LINEAR);
  glUniform1i(self->loc_ov_values, 2);
  glUniform1i(self->loc_ov_cmap, 3);
  glUniform1i(self->loc_has_overlay, has_overlay);
  glUniform1i(self->loc_ov_nside, has_overlay ? (GLint)self->overlay->nside : 1);
  glUniform1i(self->loc_ov_tex_width, MAX(self->ov_tex_width, 1));
  glUniform1f(self->loc_ov_vmin, (float)self->ov_vmin);
  glUniform1f(self->loc_ov_vmax, (float)self->ov_vmax);
  glUniform1f(self->loc_ov_opacity, (float)self->ov_opacity);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D_ARRAY, preview ? self->preview_tex : self->values_tex);
  glActiveTexture(GL_TEXTURE1);
  glBindTexture(GL_TEXTURE_2D, self->cmap_tex);
  glActiveTexture(GL_TEXTURE2);
  glBindTexture(GL_TEXTURE_2D_ARRAY, self->ov_values_tex);
  glActiveTexture(GL_TEXTURE3);
  glBindTexture(GL_TEXTURE_2D, self->ov_cmap_tex);
  glActiveTexture(GL_TEXTURE4);
  glBindTexture(GL_TEXTURE_2D, self->steps_tex);
  glActiveTexture(GL_TEXTURE5);
  glBindTexture(GL_TEXTURE_2D, self->index_tex);
  glActiveTexture(GL_TEXTURE6);
  glBindTexture(GL_TEXTURE_2D, self->ov_index_tex);
  glBindVertexArray(self->vao);
  glDrawArrays(GL_TRIANGLES, 0, 3);
  glBindVertexArray(0);
  glActiveTexture(GL_TEXTURE0);
  glUseProgram(0);
  if (coarse) {
    glBindFramebuffer(GL_READ_FRAMEBUFFER, self->drag_fbo);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, (GLuint)area_fbo);
    glBlitFramebuffer(0, 0, image_width, image_height, 0, 0, width, height,
                      GL_COLOR_BUFFER_BIT, GL_NEAREST);
    glBindFramebuffer(GL_FRAMEBUFFER, (GLuint)area_fbo);
    glViewport(viewport[0], viewport[1], viewport[2], viewport[3]);
  }

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
    sky_view_store_frame(self, top_down, width, height);
  }
  self->frame_count++;
  return TRUE;
}

