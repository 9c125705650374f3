/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sph-pin-list.h"
#include "sph-profile-plot.h"
#include "sph-sky-view.h"
#include "sphaera/error.h"
#include "sphaera/map.h"

G_BEGIN_DECLS

/* The Sky page: a HEALPix map in Mollweide (SphSkyView) with its colour bar, the hover
 * read-out, and controls for the field, colormap and range. */

#define SPH_TYPE_SKY_PAGE (sph_sky_page_get_type())
G_DECLARE_FINAL_TYPE(SphSkyPage, sph_sky_page, SPH, SKY_PAGE, GtkBox)

GtkWidget *sph_sky_page_new(void);

/* Shows map (the page takes ownership), its first field, titled title (a file name). */
void sph_sky_page_set_map(SphSkyPage *page, SphMap *map, const char *title);
const char *sph_sky_page_get_title(SphSkyPage *page);
SphSkyView *sph_sky_page_get_view(SphSkyPage *page);

/* The side list of the pinned point and the plot along the view's line. */
SphPinList *sph_sky_page_get_pin_list(SphSkyPage *page);
SphProfilePlot *sph_sky_page_get_profile_plot(SphSkyPage *page);
/* Removes the pinned point and the profile line. */
void sph_sky_page_clear_marks(SphSkyPage *page);

/* Writes the map as shown (field, colormap, range) as a figure with its colour bar;
 * the format follows path's extension (.png, .svg, .pdf). */
SphStatus sph_sky_page_export(SphSkyPage *page, const char *path, SphError *err);

G_END_DECLS
