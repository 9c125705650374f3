/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sphaera/job.h"
#include "sphaera/map.h"

G_BEGIN_DECLS

/* The Sky page's map operations, run on a GTask thread through a SphJob (progress and
 * Cancel in the status bar): Gaussian smoothing (healpy's smoothing, iter 3) and a change
 * of frame (rotate_map_alms). The input map is copied first, so the page may drop it
 * meanwhile. */

typedef enum {
  SPH_MAP_PROCESS_SMOOTH, /* parameter: FWHM in degrees */
  SPH_MAP_PROCESS_ROTATE, /* parameter: the target SphCoordSys */
} SphMapProcessKind;

/* The result's layer title ("<title>, smoothed 1°", "<title>, equatorial"). g_free it. */
char *sph_map_process_title(SphMapProcessKind kind, double parameter, const char *title);

void sph_map_process_async(GObject *source, const SphMap *map, SphMapProcessKind kind,
                           double parameter, SphJob *job, GAsyncReadyCallback callback,
                           gpointer data);
/* The new map (NULL with error set on failure or cancel). */
SphMap *sph_map_process_finish(GAsyncResult *result, GError **error);

G_END_DECLS
