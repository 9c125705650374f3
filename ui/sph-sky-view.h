/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sphaera/colormap.h"
#include "sphaera/colorscale.h"
#include "sphaera/job.h"
#include "sphaera/map.h"
#include "sphaera/projection.h"

G_BEGIN_DECLS

/* A HEALPix map in Mollweide projection, healpy's mollview orientation. The map's values
 * live in a float texture (RING order, row by row) and a fragment shader projects and
 * colours every screen pixel with the arithmetic of sphaera/projection.h, so a change of
 * colormap or range is one uniform or a 256-texel upload. Without OpenGL (or for a map
 * too large for the driver's array texture) it draws the CPU renderer's image instead. */

#define SPH_TYPE_SKY_VIEW (sph_sky_view_get_type())
G_DECLARE_FINAL_TYPE(SphSkyView, sph_sky_view, SPH, SKY_VIEW, GtkGLArea)

typedef enum {
  SPH_SKY_RENDERER_NONE = 0, /* not realized yet */
  SPH_SKY_RENDERER_GL,       /* the GLSL renderer */
  SPH_SKY_RENDERER_CPU,      /* the CPU raster (no GL, or the map exceeds the texture limit) */
} SphSkyRenderer;

GtkWidget *sph_sky_view_new(void);

/* Shows field `field` of map; the view takes ownership of map (NULL clears the view).
 * The range becomes automatic. */
void sph_sky_view_set_map(SphSkyView *view, SphMap *map, int field);
/* The same with a lent map: the caller keeps map alive (and unchanged) until it shows
 * another or the view is gone. */
void sph_sky_view_show_map(SphSkyView *view, const SphMap *map, int field);
const SphMap *sph_sky_view_get_map(SphSkyView *view);

/* An overlay drawn over the map (both renderers): field `field` of a lent map, coloured
 * with its own colormap over [vmin, vmax] (linear) and mixed into the map's colour with
 * the given opacity in [0, 1] wherever the overlay is seen (UNSEEN overlay pixels leave
 * the map as it is): out = round(map (1 - opacity) + overlay opacity) per channel. NULL
 * removes it. Keep map alive until the overlay is replaced or removed. */
void sph_sky_view_set_overlay(SphSkyView *view, const SphMap *map, int field, SphColormap cmap,
                              double vmin, double vmax, double opacity);
void sph_sky_view_set_overlay_opacity(SphSkyView *view, double opacity);
const SphMap *sph_sky_view_get_overlay(SphSkyView *view);
void sph_sky_view_get_overlay_style(SphSkyView *view, int *field, SphColormap *cmap,
                                    double *vmin, double *vmax, double *opacity);
/* The CPU renderer's mix of one colour with the overlay's (the oracle for the shader). */
void sph_sky_view_blend_overlay(const uint8_t base[3], const uint8_t over[3], double opacity,
                                uint8_t out[3]);
void sph_sky_view_set_field(SphSkyView *view, int field);
int sph_sky_view_get_field(SphSkyView *view);
/* The unit of the shown field ("" when none). */
const char *sph_sky_view_get_unit(SphSkyView *view);

void sph_sky_view_set_colormap(SphSkyView *view, SphColormap cmap);
SphColormap sph_sky_view_get_colormap(SphSkyView *view);

/* A fixed range switches the automatic range off; set_auto_range(TRUE) returns to the
 * minimum and maximum of the seen pixels. */
void sph_sky_view_set_range(SphSkyView *view, double vmin, double vmax);
void sph_sky_view_get_range(SphSkyView *view, double *vmin, double *vmax);
void sph_sky_view_set_auto_range(SphSkyView *view, gboolean auto_range);
gboolean sph_sky_view_get_auto_range(SphSkyView *view);
/* With this on, the automatic range spans percentiles 0.5 to 99.5 of the seen values
 * (numpy.percentile's) instead of their extremes ("percentile-range"). On a log scale
 * it spans the positive values. */
void sph_sky_view_set_percentile_range(SphSkyView *view, gboolean percentile);
gboolean sph_sky_view_get_percentile_range(SphSkyView *view);
/* TRUE while the percentile range is computed on a worker thread ("range-pending"); the
 * previous range is shown meanwhile, and vmin/vmax notify when the new one arrives. */
gboolean sph_sky_view_get_range_pending(SphSkyView *view);

/* The colour scale (colorscale.h): linear, log, hist (fitted to the shown field's values
 * over the range) or symlog with healpy's defaults ("norm"). No re-upload of the values:
 * the shader looks the colormap entry up in the scale's 255 steps. */
void sph_sky_view_set_norm(SphSkyView *view, SphNorm norm);
SphNorm sph_sky_view_get_norm(SphSkyView *view);
/* The hist scale's fitted curve (NULL for other scales), owned by the view. */
const SphHistEq *sph_sky_view_get_histeq(SphSkyView *view);
/* For each colormap entry k >= 1, the smallest value whose colour under scale is entry k
 * or later (+inf when none; steps[0] = -inf): what the shader compares values with. */
void sph_sky_view_colour_steps(const SphColorScale *scale, double steps[SPH_CMAP_SIZE]);

/* The text describing the sky under the pointer ("" when the pointer is outside the
 * sphere or no map is shown): theta/phi, the frame's longitude and latitude, the RING
 * and NEST pixel and the value with its unit. Also the "readout" property. */
const char *sph_sky_view_get_readout(SphSkyView *view);
/* The same text for a point in widget coordinates; NULL outside the sphere or without a
 * map. g_free it. */
char *sph_sky_view_describe_point(SphSkyView *view, double x, double y);

/* The projection (projection.h), Mollweide by default. Dragging without Shift turns an
 * orthographic globe and pans gnomonic and Cartesian views (rot); scrolling zooms a
 * gnomonic view (reso). Outside plain Mollweide the GL renderer draws from the CPU
 * renderer's index table. set_projection_kind keeps the rotation and frame; a gnomonic
 * view gets one cell per widget pixel, 60 degrees across. */
void sph_sky_view_set_projection(SphSkyView *view, const SphProjection *proj);
void sph_sky_view_get_projection(SphSkyView *view, SphProjection *proj);
void sph_sky_view_set_projection_kind(SphSkyView *view, SphProjectionKind kind);
SphProjectionKind sph_sky_view_get_projection_kind(SphSkyView *view);

/* The orientation (astronomical, east to the left, by default; geographic mirrors it)
 * and the view's frame (SPH_COORD_UNKNOWN: the map's own; otherwise a map in a known
 * frame is rotated into this one, as healpy's coord=[map, view]). The rotation, the
 * graticule, the read-out's longitude and latitude and a drag follow. Both are part of
 * the "projection" property. */
void sph_sky_view_set_flip(SphSkyView *view, SphFlip flip);
SphFlip sph_sky_view_get_flip(SphSkyView *view);
void sph_sky_view_set_frame(SphSkyView *view, SphCoordSys frame);
SphCoordSys sph_sky_view_get_frame(SphSkyView *view);

/* The core's graticule (meridians and parallels with labels) drawn over the map with
 * Cairo ("graticule"). */
void sph_sky_view_set_graticule(SphSkyView *view, gboolean show);
gboolean sph_sky_view_get_graticule(SphSkyView *view);

/* The direction under widget point (x, y); FALSE outside the sphere. */
gboolean sph_sky_view_point_to_ang(SphSkyView *view, double x, double y, double *theta,
                                   double *phi);

/* What a drag without Shift does, for scripts and benchmarks: begin at widget point
 * (x, y), move by (dx, dy) from it (turning a globe, panning a flat view, drawn coarser
 * while it lasts), end (drawn sharp again). */
void sph_sky_view_drag_begin(SphSkyView *view, double x, double y);
void sph_sky_view_drag_to(SphSkyView *view, double dx, double dy);
void sph_sky_view_drag_end(SphSkyView *view);

/* Annotations drawn over the map, kept as directions. A click (primary button, no drag)
 * pins the point under the pointer ("pin-changed", "has-pin"); a drag with Shift held
 * draws a line along the shorter great circle between its ends ("line-changed",
 * "has-line"). The getters return FALSE when there is none. */
void sph_sky_view_set_pin(SphSkyView *view, double theta, double phi);
void sph_sky_view_clear_pin(SphSkyView *view);
gboolean sph_sky_view_get_pin(SphSkyView *view, double *theta, double *phi);
void sph_sky_view_set_line(SphSkyView *view, double theta1, double phi1, double theta2,
                           double phi2);
void sph_sky_view_clear_line(SphSkyView *view);
gboolean sph_sky_view_get_line(SphSkyView *view, double theta[2], double phi[2]);

SphSkyRenderer sph_sky_view_get_renderer(SphSkyView *view);
/* Why the GL renderer is not in use (NULL when it is, or before realization). */
const GError *sph_sky_view_get_gl_error(SphSkyView *view);

/* Read-back for tests and screenshots: with capture on, every frame drawn is copied
 * (glReadPixels at the end of the render, or the CPU image). read_pixels returns the last
 * such frame as width x height RGBA bytes, top row first (g_free it), or NULL when no
 * frame was drawn since capture was switched on. frame_count counts the frames drawn. */
void sph_sky_view_set_capture(SphSkyView *view, gboolean capture);
guint8 *sph_sky_view_read_pixels(SphSkyView *view, int *width, int *height);
guint64 sph_sky_view_get_frame_count(SphSkyView *view);
/* How many times the values texture was uploaded: once per map or field, never for a
 * change of colormap or range. */
guint sph_sky_view_get_values_uploads(SphSkyView *view);
/* A map larger than one texture is spread over the layers of a 2-D array texture; this
 * caps the texture size below the driver's GL_MAX_TEXTURE_SIZE (0: no cap; also the
 * environment variable SPHAERA_GL_MAX_TEXTURE_SIZE at realization) so a small map takes
 * that path in tests. get_texture_layers: how many layers the shown map takes (0 when
 * the GL renderer holds none). */
void sph_sky_view_set_texture_size_cap(SphSkyView *view, int cap);
int sph_sky_view_get_texture_layers(SphSkyView *view);
/* Bytes of GL texture storage holding the map's and the overlay's values (0 once the
 * view shows no map: the storage is given back, not kept). */
gsize sph_sky_view_get_texture_bytes(SphSkyView *view);
/* A map of at least npix pixels (0: the default, above NSIDE 1024) is first drawn from
 * a preview (its values at the pixel centres of a coarser NSIDE, about one pixel for two
 * on screen) while its values go to the GL texture a frame's worth at a time; the
 * upload counts once it is complete. is_preview: the preview is what is drawn now. */
void sph_sky_view_set_preview_threshold(SphSkyView *view, int64_t npix);
gboolean sph_sky_view_is_preview(SphSkyView *view);

/* Live view: follows job's snapshots, each a SphMap (sph_snapshot_data()), showing field
 * `field` of the newest. A 100 ms timer compares the job's generation with the one shown
 * and, when it changed, shows a copy of the new snapshot's map (the view owns it, so it
 * stays after the job ends), so the view uploads and redraws at most ten times a second
 * however fast the job publishes, and the worker never waits for the main loop. A job
 * already followed is dropped; NULL stops following. get_live_updates counts the
 * snapshots shown. */
void sph_sky_view_follow_job(SphSkyView *view, SphJob *job, int field);
void sph_sky_view_unfollow_job(SphSkyView *view);
SphJob *sph_sky_view_get_followed_job(SphSkyView *view);
guint sph_sky_view_get_live_updates(SphSkyView *view);
/* Shows the newest snapshot now if it is newer than the one shown (what the timer does);
 * TRUE when it showed one. */
gboolean sph_sky_view_poll_job(SphSkyView *view);

G_END_DECLS
