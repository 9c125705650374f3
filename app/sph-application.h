/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SPH_APPLICATION_ID "org.sphaera.Sphaera"

#define SPH_TYPE_APPLICATION (sph_application_get_type())
G_DECLARE_FINAL_TYPE(SphApplication, sph_application, SPH, APPLICATION, GtkApplication)

SphApplication *sph_application_new(void);

/* The path of a file shipped in Sphaera's data directory: $SPHAERA_DATA_DIR, then the
 * source tree's data/ (SPH_DATA_DIR, for running from the build tree), then
 * <system data dir>/sphaera. NULL with error set when none has it. */
char *sph_application_find_data_file(const char *name, GError **error);

G_END_DECLS
