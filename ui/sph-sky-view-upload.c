/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sky view's values in GL textures: a map's field as single-precision texels in RING
 * order, row by row and layer by layer of a 2-D array texture, converted and sent in
 * chunks of rows so no full-size copy of the map is ever made.
 *
 * A large map (NSIDE 2048 and up) would keep the first frame waiting for hundreds of
 * megabytes to be converted and copied, so it is shown at once from a preview: the
 * values at the pixel centres of a coarser NSIDE, about one HEALPix pixel per two
 * framebuffer pixels, in a texture of its own. The full map then follows a chunk per
 * frame, leaving input responsive, and replaces the preview when it is complete. */
#include "sph-sky-view-private.h"

#include "sphaera/healpix.h"
#include "sphaera/mem.h"

/* Maps with more pixels than this (above NSIDE 1024) are previewed first, unless
 * sph_sky_view_set_preview_threshold() says otherwise. */
#define PREVIEW_MIN_NPIX ((int64_t)12 * 1024 * 1024 + 1)
/* Texels converted and sent per step: 16 MiB of floats. */
#define CHUNK_TEXELS ((int64_t)4 * 1024 * 1024)
/* Chunks go on within one frame until this much time is spent (a 25 Hz frame's worth),
 * so a fast machine finishes in a few frames and a slow one stays responsive. */
#define FRAME_BUDGET_US 40000

static void set_array_parameters(void)
{
  glTexParameteri(GL_TEXTURE_2D_ARRAY, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D_ARRAY, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D_ARRAY, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D_ARRAY, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

/* Floats in a chunk buffer for a texture of this layout: no more than it holds. */
static int64_t chunk_texels(int tex_width, int tex_rows, int tex_layers)
{
  return MIN(CHUNK_TEXELS, (int64_t)tex_width * tex_rows * tex_layers);
}

/* Sends the next rows of map's values, from texel *next on, into array texture tex
 * (allocating it on the first chunk), using buffer (chunk_texels() floats); a chunk
 * never crosses a layer. Returns TRUE when the texture is complete. */
static gboolean upload_chunk(GLuint tex, const SphMap *map, const double *values,
                             int tex_width, int tex_rows, int tex_layers, int64_t *next,
                             float *buffer)
{
  glBindTexture(GL_TEXTURE_2D_ARRAY, tex);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  if (*next == 0) {
    glTexImage3D(GL_TEXTURE_2D_ARRAY, 0, GL_R32F, tex_width, tex_rows, tex_layers, 0, GL_RED,
                 GL_FLOAT, NULL);
    set_array_parameters();
  }
  int64_t total_rows = (int64_t)tex_rows * tex_layers;
  int64_t row = *next / tex_width;
  int64_t rows = MIN(MAX(chunk_texels(tex_width, tex_rows, tex_layers) / tex_width, 1),
                     total_rows - row);
  rows = MIN(rows, tex_rows - row % tex_rows);
  int64_t first = row * tex_width, count = rows * tex_width;
  /* Bad pixels become exactly the float UNSEEN, the one value the shader tests for. */
  const float unseen = (float)SPH_UNSEEN;
  gboolean ring_order = map->ordering == SPH_ORDER_RING;
  int64_t seen_end = MIN(first + count, map->npix);
  for (int64_t ring = first; ring < seen_end; ring++) {
    double v = values[ring_order ? ring : sph_hp_ring2nest(map->nside, ring)];
    buffer[ring - first] = sph_hp_is_unseen(v) ? unseen : (float)v;
  }
  for (int64_t i = MAX(seen_end, first); i < first + count; i++)
    buffer[i - first] = unseen;
  glTexSubImage3D(GL_TEXTURE_2D_ARRAY, 0, 0, (GLint)(row % tex_rows), (GLint)(row / tex_rows),
                  tex_width, (GLsizei)rows, 1, GL_RED, GL_FLOAT, buffer);
  *next = first + count;
  return row + rows >= total_rows;
}

/* The whole field at once; FALSE when out of memory. */
static gboolean upload_field(GLuint tex, const SphMap *map, const double *values,
                             int tex_width, int tex_rows, int tex_layers)
{
  float *buffer = sph_alloc_aligned((size_t)chunk_texels(tex_width, tex_rows, tex_layers),
                                    sizeof *buffer, NULL);
  if (buffer == NULL)
    return FALSE;
  int64_t next = 0;
  while (!upload_chunk(tex, map, values, tex_width, tex_rows, tex_layers, &next, buffer))
    ;
  sph_free_aligned(buffer);
  return glGetError() != GL_OUT_OF_MEMORY;
}

/* Gives a texture's storage back (one texel) when it holds no map. */
static void release_values(GLuint tex)
{
  static const float unseen = (float)SPH_UNSEEN;
  glBindTexture(GL_TEXTURE_2D_ARRAY, tex);
  glTexImage3D(GL_TEXTURE_2D_ARRAY, 0, GL_R32F, 1, 1, 1, 0, GL_RED, GL_FLOAT, &unseen);
}

static void upload_failed(SphSkyView *self)
{
  self->map_exceeds_texture = TRUE; /* the CPU renderer needs no copy of the values */
  sky_view_notify_renderer(self);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

static void stop_progressive(SphSkyView *self)
{
  /* Within the tick itself the tick ends by its return value. */
  if (self->upload_tick != 0 && !self->upload_tick_running)
    gtk_widget_remove_tick_callback(GTK_WIDGET(self), self->upload_tick);
  self->upload_tick = 0;
  g_clear_pointer(&self->upload_buffer, sph_free_aligned);
  if (self->preview_nside > 0)
    release_values(self->preview_tex);
  self->preview_nside = 0;
}

static void upload_complete(SphSkyView *self)
{
  stop_progressive(self);
  if (glGetError() == GL_OUT_OF_MEMORY) {
    upload_failed(self);
    return;
  }
  self->values_texture_bytes = (gsize)self->tex_width * (gsize)self->tex_rows *
                               (gsize)self->tex_layers * sizeof(float);
  self->values_uploads++;
}

/* The chunks go in between frames, with the area's context current but nothing drawn
 * (the preview stays on screen as it is); the frame after the last shows the full map. */
static gboolean upload_tick(GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  (void)clock;
  (void)data;
  SphSkyView *self = SPH_SKY_VIEW(widget);
  gtk_gl_area_make_current(GTK_GL_AREA(widget));
  if (gtk_gl_area_get_error(GTK_GL_AREA(widget)) != NULL)
    return G_SOURCE_CONTINUE;
  self->upload_tick_running = TRUE;
  sky_view_continue_upload(self, FALSE);
  self->upload_tick_running = FALSE;
  if (self->preview_nside > 0)
    return G_SOURCE_CONTINUE;
  self->upload_tick = 0; /* removed by returning G_SOURCE_REMOVE */
  gtk_gl_area_queue_render(GTK_GL_AREA(widget));
  return G_SOURCE_REMOVE;
}

/* The preview texture: the value at each pixel centre of NSIDE preview_nside, one
 * layer of VALUES_TEXTURE_WIDTH columns. */
static gboolean upload_preview(SphSkyView *self, const double *values, int64_t preview_nside)
{
  int64_t npix = 12 * preview_nside * preview_nside;
  int width = VALUES_TEXTURE_WIDTH;
  int rows = (int)((npix + width - 1) / width);
  int64_t max = self->max_texture_size;
  if (self->texture_size_cap > 0)
    max = MIN(max, (int64_t)self->texture_size_cap);
  if (width > max || rows > max)
    return FALSE;
  float *texels = sph_alloc_aligned((size_t)width * (size_t)rows, sizeof *texels, NULL);
  if (texels == NULL)
    return FALSE;
  const SphMap *map = self->map;
  const float unseen = (float)SPH_UNSEEN;
  for (int64_t p = 0; p < npix; p++) {
    double theta, phi;
    sph_hp_pix2ang_ring(preview_nside, p, &theta, &phi);
    int64_t src = map->ordering == SPH_ORDER_RING ? sph_hp_ang2pix_ring(map->nside, theta, phi)
                                                  : sph_hp_ang2pix_nest(map->nside, theta, phi);
    double v = values[src];
    texels[p] = sph_hp_is_unseen(v) ? unseen : (float)v;
  }
  for (int64_t i = npix; i < (int64_t)width * rows; i++)
    texels[i] = unseen;
  glBindTexture(GL_TEXTURE_2D_ARRAY, self->preview_tex);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glTexImage3D(GL_TEXTURE_2D_ARRAY, 0, GL_R32F, width, rows, 1, 0, GL_RED, GL_FLOAT, texels);
  set_array_parameters();
  sph_free_aligned(texels);
  self->preview_nside = preview_nside;
  self->preview_rows = rows;
  return TRUE;
}

/* The coarsest NSIDE (a power of two, 64 at least) with a pixel for every two
 * framebuffer pixels. */
static int64_t preview_nside_for(int width, int height)
{
  int64_t nside = 64;
  while (12 * nside * nside < (int64_t)width * height / 2)
    nside *= 2;
  return nside;
}

void sky_view_upload_values(SphSkyView *self, int width, int height)
{
  const double *values = sky_view_shown_values(self);
  self->values_dirty = FALSE;
  stop_progressive(self);
  if (values == NULL || self->tex_width == 0) {
    if (self->values_texture_bytes > 0)
      release_values(self->values_tex);
    self->values_texture_bytes = 0;
    return;
  }
  self->values_texture_bytes = 0;
  self->upload_next = 0;
  int64_t preview_nside = preview_nside_for(width, height);
  int64_t threshold = self->preview_threshold > 0 ? self->preview_threshold : PREVIEW_MIN_NPIX;
  if (self->map->npix >= threshold && preview_nside < self->map->nside &&
      sky_view_is_plain_mollweide(self)) {
    self->upload_buffer = sph_alloc_aligned(
      (size_t)chunk_texels(self->tex_width, self->tex_rows, self->tex_layers), sizeof(float),
      NULL);
    if (self->upload_buffer != NULL && upload_preview(self, values, preview_nside)) {
      self->upload_tick = gtk_widget_add_tick_callback(GTK_WIDGET(self), upload_tick, NULL,
                                                       NULL);
      return;
    }
    stop_progressive(self);
  }
  if (!upload_field(self->values_tex, self->map, values, self->tex_width, self->tex_rows,
                    self->tex_layers)) {
    upload_failed(self);
    return;
  }
  upload_complete(self);
}

void sky_view_continue_upload(SphSkyView *self, gboolean finish)
{
  const double *values = sky_view_shown_values(self);
  if (self->preview_nside == 0 || values == NULL)
    return;
  gint64 start = g_get_monotonic_time();
  gboolean done;
  do {
    done = upload_chunk(self->values_tex, self->map, values, self->tex_width, self->tex_rows,
                        self->tex_layers, &self->upload_next, self->upload_buffer);
  } while (!done && (finish || g_get_monotonic_time() - start < FRAME_BUDGET_US));
  if (done)
    upload_complete(self);
}

void sky_view_upload_overlay_values(SphSkyView *self)
{
  const double *values = sky_view_overlay_values(self);
  self->ov_values_dirty = FALSE;
  if (values == NULL || self->ov_tex_width == 0) {
    if (self->ov_values_texture_bytes > 0)
      release_values(self->ov_values_tex);
    self->ov_values_texture_bytes = 0;
    return;
  }
  if (!upload_field(self->ov_values_tex, self->overlay, values, self->ov_tex_width,
                    self->ov_tex_rows, self->ov_tex_layers)) {
    upload_failed(self);
    return;
  }
  self->ov_values_texture_bytes = (gsize)self->ov_tex_width * (gsize)self->ov_tex_rows *
                                  (gsize)self->ov_tex_layers * sizeof(float);
}

void sph_sky_view_set_preview_threshold(SphSkyView *self, int64_t npix)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  self->preview_threshold = MAX(npix, 0);
}

gboolean sph_sky_view_is_preview(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), FALSE);
  return self->preview_nside > 0;
}

void sky_view_upload_stop(SphSkyView *self)
{
  stop_progressive(self);
}
