/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sphaera/map.h"

G_BEGIN_DECLS

/* What the sky shows at one direction, as one line for a hover read-out:
 *
 *   θ  60.306°  φ  73.649°   l  73.649°  b +29.694°   pixel 3034 (RING) 278 (NEST)   I_STOKES -0.0645 mK
 *
 * theta/phi in degrees, then the map frame's longitude and latitude (l/b for galactic,
 * RA/Dec for equatorial, λ/β for ecliptic, lon/lat when the frame is unknown), the
 * pixel's RING and NEST indices and the field's value with its unit ("UNSEEN" for a
 * missing pixel). g_free the result. */
char *sph_sky_readout_text(const SphMap *map, int field, double theta, double phi);

/* The same with the longitude and latitude in frame view_frame (named after it) when the
 * map's frame and view_frame are both known and differ: theta/phi stay the map's own
 * (they name its pixel), the longitude and latitude are those a view in view_frame
 * shows. */
char *sph_sky_readout_text_in_frame(const SphMap *map, int field, double theta, double phi,
                                    SphCoordSys view_frame);

/* The names of a frame's longitude and latitude: l/b, RA/Dec, λ/β, or lon/lat. */
void sph_sky_readout_lonlat_names(SphCoordSys coordsys, const char **lon, const char **lat);

G_END_DECLS
