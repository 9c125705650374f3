/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The sky view's state, shared by its widget code (sph-sky-view.c), its GL and CPU
 * renderers (sph-sky-view-gl.c, sph-sky-view-cpu.c), its marks (sph-sky-view-marks.c),
 * its projection (sph-sky-view-projection.c), its pointer input (sph-sky-view-input.c)
 * and its colour scale (sph-sky-view-scale.c); nothing outside these files includes it. */

#include <epoxy/gl.h>

#include "sph-sky-view.h"
#include "sphaera/graticule.h"
#include "sphaera/raster.h"

/* Values texture: a 2-D array texture of RING-ordered values row by row, layer after
 * layer. 4096 columns keep an NSIDE 2048 map (50 M pixels) in one layer of 12288 rows,
 * within the 16384 texels every GL 4 driver allows; NSIDE 8192 (805 M pixels) takes 12
 * such layers. */
#define VALUES_TEXTURE_WIDTH 4096
#define SHADER_RESOURCE "/org/sphaera/Sphaera/shaders/"

typedef struct SkyRangeWork SkyRangeWork;

struct _SphSkyView {
  GtkGLArea parent_instance;

  SphMap *map;
  gboolean owns_map; /* set_map gave the map to the view; show_map lends it */
  int field;
  SphColormap cmap;
  gboolean auto_range;
  gboolean percentile_range; /* the automatic range spans percentiles 0.5 .. 99.5 */
  SkyRangeWork *range_work;  /* the percentiles being computed (NULL: none) */
  double vmin, vmax;
  SphNorm norm;
  SphHistEq *histeq; /* the fitted curve of the hist scale (NULL otherwise) */
  const SphMap *histeq_map; /* what histeq was fitted to */
  int histeq_field;
  double histeq_vmin, histeq_vmax;
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
  GLint max_texture_size, max_array_layers;
  int texture_size_cap; /* a smaller limit for tests and debugging (0: the driver's) */
  gboolean values_dirty, cmap_dirty;
  /* Layout of the current map in the values texture: tex_width columns, tex_rows rows
   * per layer, tex_layers layers. */
  int tex_width, tex_rows, tex_layers;
  GLint loc_layer_rows, loc_ov_layer_rows;
  GLuint ov_values_tex, ov_cmap_tex, steps_tex;
  GLint loc_steps, loc_bad_nonpositive, loc_linear_steps;
  gboolean steps_dirty;
  GLint loc_ov_values, loc_ov_cmap, loc_has_overlay, loc_ov_nside, loc_ov_tex_width;
  GLint loc_ov_vmin, loc_ov_vmax, loc_ov_opacity;
  gboolean ov_values_dirty, ov_cmap_dirty;
  int ov_tex_width, ov_tex_rows, ov_tex_layers;

  /* The overlay: a lent map drawn over the shown one with its own colormap and range,
   * mixed with the given opacity where its value is seen. */
  const SphMap *overlay;
  int ov_field;
  SphColormap ov_cmap;
  double ov_vmin, ov_vmax, ov_opacity;
  gboolean map_exceeds_texture; /* the current map is drawn by the CPU renderer */

  /* CPU renderer: the index table for one geometry and the image painted from it. */
  SphSkyRaster *raster;
  guint raster_serial;
  guint ov_raster_serial;
  guint raster_generation, ov_raster_generation; /* counts rebuilt rasters */
  SphSkyRaster *ov_raster;

  /* The projection; serial counts its changes (and those of the maps' frames), so the
   * rasters and the projector know when they are stale. */
  SphProjection proj;
  guint proj_serial;
  gboolean fit_cells; /* a gnomonic view keeps one cell per widget pixel */
  gboolean show_graticule;
  SphGraticule *graticule; /* for the widget size and projection it was built for */
  guint graticule_serial;
  int graticule_width, graticule_height;
  SphProjector *projector; /* for the map's frame, rebuilt when stale */
  guint projector_serial;
  const SphMap *projector_map;
  double press_rot[3];      /* rot when a drag began */
  gboolean dragging;        /* turning or panning: a coarser image until the drag ends */
  double press_reso;

  /* The GL renderer outside plain Mollweide: the CPU's index tables as textures. */
  GLuint index_tex, ov_index_tex;
  GLint loc_use_index, loc_index, loc_ov_index, loc_index_scale;
  guint index_uploaded, ov_index_uploaded; /* raster generations now in the textures */
  /* While a drag lasts the shader draws into a smaller framebuffer, scaled up by a blit:
   * a quarter of the fragments (or less) on a software rasterizer. */
  GLuint drag_fbo, drag_tex;
  int drag_fbo_width, drag_fbo_height;
  int drag_div;       /* the divisor now */
  int drag_div_fixed; /* SPHAERA_DRAG_DIVISOR (0: adapt to the frame rate) */
  gint64 last_drag_frame_us;
  GdkTexture *cpu_texture;
  GBytes *cpu_pixels;

  gboolean capture;
  guint8 *frame;
  int frame_width, frame_height;
  guint64 frame_count;
  guint values_uploads;
  gsize values_texture_bytes, ov_values_texture_bytes; /* storage the values textures hold */
  /* A large map's preview and the progress of its upload (sph-sky-view-upload.c):
   * preview_nside is 0 when none is shown. */
  GLuint preview_tex;
  int64_t preview_nside;
  int preview_rows;
  int64_t upload_next; /* the first texel not yet sent */
  float *upload_buffer;
  guint upload_tick;
  gboolean upload_tick_running;
  int64_t preview_threshold; /* 0: the default */
};

extern const uint8_t sky_view_background[4]; /* RGBA outside the projection */

G_GNUC_INTERNAL const double *sky_view_shown_values(SphSkyView *self);
G_GNUC_INTERNAL const double *sky_view_overlay_values(SphSkyView *self);
G_GNUC_INTERNAL void sky_view_current_scale(SphSkyView *self, SphColorScale *scale);
/* The colour scale (sph-sky-view-scale.c): the automatic range for the shown field (the
 * percentiles start on a worker and any stale computation is cancelled), the
 * abandonment of a pending one (TRUE when there was one; it waits for a worker that is
 * reading the values, briefly), and the hist scale's curve refitted when stale. */
G_GNUC_INTERNAL void sky_view_update_auto_range(SphSkyView *self);
G_GNUC_INTERNAL gboolean sky_view_cancel_range(SphSkyView *self);
G_GNUC_INTERNAL void sky_view_update_histeq(SphSkyView *self);
G_GNUC_INTERNAL void sky_view_layout_values_texture(SphSkyView *self);
G_GNUC_INTERNAL gboolean sky_view_is_plain_mollweide(SphSkyView *self);
G_GNUC_INTERNAL void sky_view_fit_gnomonic_cells(SphSkyView *self, int width, int height);
/* The index table of map for the current projection at width x height, rebuilt when
 * stale; NULL on failure. */
G_GNUC_INTERNAL SphSkyRaster *sky_view_ensure_raster(SphSkyView *self, SphSkyRaster **slot,
                                                     guint *serial, guint *generation,
                                                     const SphMap *map, int width, int height);
G_GNUC_INTERNAL void sky_view_store_frame(SphSkyView *self, guint8 *rgba, int width,
                                          int height);
G_GNUC_INTERNAL void sky_view_notify_renderer(SphSkyView *self);
G_GNUC_INTERNAL void sky_view_invalidate_cpu_image(SphSkyView *self);
/* The projector of the map's frame for the current projection (NULL without a map). */
G_GNUC_INTERNAL const SphProjector *sky_view_current_projector(SphSkyView *self);
/* The graticule, profile line and pin over the map (sph-sky-view-marks.c). */
G_GNUC_INTERNAL void sky_view_snapshot_marks(SphSkyView *self, GtkSnapshot *snapshot);
/* Queues a repaint with the colour steps and CPU image rebuilt. */
G_GNUC_INTERNAL void sky_view_redraw(SphSkyView *self);
/* Recomputes the hover read-out for the pointer's position, notifying when it changes. */
G_GNUC_INTERNAL void sky_view_update_readout(SphSkyView *self);
/* After a change of self->proj: a new projector, read-out and frame. */
G_GNUC_INTERNAL void sky_view_projection_changed(SphSkyView *self);
/* The pointer's controllers: hover, drag, click, Shift+drag and scroll
 * (sph-sky-view-input.c). */
G_GNUC_INTERNAL void sky_view_add_input_controllers(SphSkyView *self);
/* Paints self->cpu_texture for width x height when stale (sph-sky-view-cpu.c); FALSE
 * without a map or raster. */
G_GNUC_INTERNAL gboolean sky_view_ensure_cpu_image(SphSkyView *self, int width, int height);

/* Values into textures (sph-sky-view-upload.c), with the GL context current: the shown
 * field (a large one as a preview first, then in chunks: continue_upload sends the next,
 * or all that are left when finish), the overlay's, and the end of a pending upload. */
G_GNUC_INTERNAL void sky_view_upload_values(SphSkyView *self, int width, int height);
G_GNUC_INTERNAL void sky_view_continue_upload(SphSkyView *self, gboolean finish);
G_GNUC_INTERNAL void sky_view_upload_overlay_values(SphSkyView *self);
G_GNUC_INTERNAL void sky_view_upload_stop(SphSkyView *self);

/* The GL renderer: GtkGLArea's and GtkWidget's vfuncs. */
G_GNUC_INTERNAL GdkGLContext *sky_view_gl_create_context(GtkGLArea *area);
G_GNUC_INTERNAL void sky_view_gl_realize(GtkWidget *widget);
G_GNUC_INTERNAL void sky_view_gl_unrealize(GtkWidget *widget);
G_GNUC_INTERNAL gboolean sky_view_gl_render(GtkGLArea *area, GdkGLContext *context);
