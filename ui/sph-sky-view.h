/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sphaera/colormap.h"
#include "sphaera/map.h"

G_BEGIN_DECLS

/* A HEALPix map in Mollweide projection, healpy's mollview orientation. The map's values
 * live in a float texture (RING order, row by row) and a fragment shader projects and
 * colours every screen pixel with the arithmetic of sphaera/projection.h, so a change of
 * colormap or range is one uniform or a 256-texel upload. Without OpenGL (or for a map
 * too large for a texture) it draws the CPU renderer's image instead. */

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
const SphMap *sph_sky_view_get_map(SphSkyView *view);
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

/* The text describing the sky under the pointer ("" when the pointer is outside the
 * sphere or no map is shown): theta/phi, the frame's longitude and latitude, the RING
 * and NEST pixel and the value with its unit. Also the "readout" property. */
const char *sph_sky_view_get_readout(SphSkyView *view);
/* The same text for a point in widget coordinates; NULL outside the sphere or without a
 * map. g_free it. */
char *sph_sky_view_describe_point(SphSkyView *view, double x, double y);

/* The direction under widget point (x, y); FALSE outside the sphere. */
gboolean sph_sky_view_point_to_ang(SphSkyView *view, double x, double y, double *theta,
                                   double *phi);

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

G_END_DECLS
