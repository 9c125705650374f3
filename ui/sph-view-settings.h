/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sphaera/colormap.h"
#include "sphaera/colorscale.h"
#include "sphaera/projection.h"

G_BEGIN_DECLS

/* What the app remembers between runs, in a GKeyFile (by default
 * g_get_user_config_dir()/sphaera/settings.ini, no GSettings schema needed):
 *
 *   [view]   colormap=planck  scale=hist  projection=orthographic  graticule=true
 *            percentile-range=false  flip=astro  frame=galactic
 *   [recent] files=/a/b.fits;/c/d.fits   (newest first)
 *
 * Unknown or malformed entries fall back to the defaults; names are the core's
 * (sph_colormap_name, sph_norm_name, sph_projection_kind_name); flip is astro or geo,
 * frame map (the map's own), galactic, equatorial or ecliptic. */

#define SPH_RECENT_FILES_MAX 10

typedef struct {
  SphColormap cmap;
  SphNorm norm;
  SphProjectionKind projection;
  gboolean graticule;
  gboolean percentile_range;
  SphFlip flip;
  SphCoordSys frame; /* SPH_COORD_UNKNOWN: the map's own */
} SphViewSettings;

/* viridis, linear, Mollweide, astro, the map's frame */
void sph_view_settings_init(SphViewSettings *settings);
/* "map", "galactic", "equatorial", "ecliptic" (NULL for no frame). */
const char *sph_view_frame_name(SphCoordSys frame);
/* The default file: g_get_user_config_dir()/sphaera/settings.ini. g_free it. */
char *sph_settings_default_path(void);

/* Reads the [view] group of path; a missing file gives the defaults and TRUE, an
 * unreadable one the defaults and FALSE with error set. */
gboolean sph_view_settings_load(const char *path, SphViewSettings *settings, GError **error);
/* Writes the [view] group (keeping the file's other groups), creating the folder. */
gboolean sph_view_settings_save(const char *path, const SphViewSettings *settings,
                                GError **error);

/* The recent files, newest first (NULL-terminated; g_strfreev it; empty when none). */
char **sph_recent_files_load(const char *path);
/* Puts file first (once), keeps SPH_RECENT_FILES_MAX, writes the file. */
gboolean sph_recent_files_add(const char *path, const char *file, GError **error);

G_END_DECLS
