/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "sphaera/colormap.h"
#include "sphaera/colorscale.h"
#include "sphaera/error.h"
#include "sphaera/map.h"
#include "sphaera/projection.h"

/* The CPU renderer: a cached table from image pixel to HEALPix pixel (built once per
 * view geometry, reused while the values, colormap or range change), then a colouring
 * pass. It is the export path, the fallback when GL is missing, and the oracle the GL
 * renderer is tested against. */

typedef struct SphSkyRaster SphSkyRaster;

/* A Mollweide raster of width x height (1..65536 each) for maps of this nside and
 * ordering, laid out as projection.h says: image pixel (i, j) shows the HEALPix pixel
 * that contains the inverse projection of its centre. */
SphSkyRaster *sph_sky_raster_new(int64_t nside, SphOrdering ordering, int width, int height,
                                 SphError *err);
void sph_sky_raster_free(SphSkyRaster *raster);
int sph_sky_raster_width(const SphSkyRaster *raster);
int sph_sky_raster_height(const SphSkyRaster *raster);
int64_t sph_sky_raster_nside(const SphSkyRaster *raster);
SphOrdering sph_sky_raster_ordering(const SphSkyRaster *raster);
/* A raster of any projection (projection.h): image pixel (i, j) shows the pixel that
 * contains the direction its centre shows, laid out by sph_projection_image_to_plane().
 * map_frame is the map's coordinate frame: when it and the view's frame (proj->coord)
 * are both known and differ, directions are rotated from the view's frame into the
 * map's before the pixel lookup. sph_sky_raster_new() is this with a default Mollweide
 * projection. */
SphSkyRaster *sph_sky_raster_new_view(int64_t nside, SphOrdering ordering,
                                      const SphProjection *proj, SphCoordSys map_frame,
                                      int width, int height, SphError *err);
const SphProjection *sph_sky_raster_projection(const SphSkyRaster *raster);
/* The number of image pixels inside the projection. */
int64_t sph_sky_raster_count_inside(const SphSkyRaster *raster);
/* The values the image shows: for every image pixel inside the projection, in row order,
 * the value of its HEALPix pixel, so each map pixel counts as often as it is drawn (how
 * healpy's colour scaling sees a view: its range and histogram come from the image).
 * out holds sph_sky_raster_count_inside() values; returns how many were written. */
int64_t sph_sky_raster_shown_values(const SphSkyRaster *raster, const double *values,
                                    double *out);

/* width * height HEALPix indices (in the raster's ordering), row-major from the top-left;
 * -1 outside the projected sphere. */
const int64_t *sph_sky_raster_index(const SphSkyRaster *raster);

/* SphColorScale and sph_color_scale_rgb() are in colorscale.h: the colour of one value,
 * grey (SPH_BAD_*) for UNSEEN and NaN. */

/* Colours values (npix of them, in the raster's ordering) into rgba: height rows of
 * stride bytes, 4 bytes per pixel in R, G, B, A order: sph_color_scale_rgb() with
 * alpha 255 inside the projected sphere (0 for bad pixels when the scale's
 * transparent_bad is set), the scale's background outside it. */
void sph_sky_raster_paint(const SphSkyRaster *raster, const double *values,
                          const SphColorScale *scale, uint8_t *rgba, int stride);
