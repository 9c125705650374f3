/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sph-colorbar.h"
#include "sph-histogram.h"
#include "sph-pin-list.h"
#include "sph-profile-plot.h"
#include "sph-sky-view.h"
#include "sph-spectrum-plot.h"
#include "sphaera/error.h"
#include "sphaera/map.h"

G_BEGIN_DECLS

/* The Sky page: a HEALPix map in Mollweide (SphSkyView) with its colour bar, the hover
 * read-out, and controls for the field, colormap and range. */

#define SPH_TYPE_SKY_PAGE (sph_sky_page_get_type())
G_DECLARE_FINAL_TYPE(SphSkyPage, sph_sky_page, SPH, SKY_PAGE, GtkBox)

GtkWidget *sph_sky_page_new(void);

/* Layers: every map opened stays open (the page owns it) and one is shown; keys 1..9 and
 * Ctrl+Page Up/Down switch, F and Shift+F step through the fields, O toggles the
 * overlay, Delete clears the pin and line. */
/* Replaces every layer with map (NULL: none), titled title (a file name). */
void sph_sky_page_set_map(SphSkyPage *page, SphMap *map, const char *title);
/* Adds map (the page takes ownership) as a new layer and shows it. */
void sph_sky_page_add_map(SphSkyPage *page, SphMap *map, const char *title);
/* Closes layer index (0-based; the page frees its map and the view its textures): the
 * next layer is shown in its place, the overlay is dropped if it was that layer, and the
 * page is empty after the last. Ctrl+Shift+W ("sky.close-layer"). */
void sph_sky_page_close_layer(SphSkyPage *page, int index);
int sph_sky_page_get_n_layers(SphSkyPage *page);
int sph_sky_page_get_current_layer(SphSkyPage *page);
/* Shows layer index (0-based) with the field, colormap and range it last had. */
void sph_sky_page_select_layer(SphSkyPage *page, int index);
/* Draws layer index's first field over the shown map (-1: no overlay), with the overlay
 * colormap and opacity chosen in the side panel. */
void sph_sky_page_set_overlay_layer(SphSkyPage *page, int index);
int sph_sky_page_get_overlay_layer(SphSkyPage *page);
void sph_sky_page_set_overlay_opacity(SphSkyPage *page, double opacity);
const char *sph_sky_page_get_title(SphSkyPage *page);
SphSkyView *sph_sky_page_get_view(SphSkyPage *page);
/* The colour bar under the map, with the view's ticks. */
SphColorbar *sph_sky_page_get_colorbar(SphSkyPage *page);

/* The side list of the pinned point and the plot along the view's line. */
SphPinList *sph_sky_page_get_pin_list(SphSkyPage *page);
SphProfilePlot *sph_sky_page_get_profile_plot(SphSkyPage *page);
/* The histogram of the shown field over the view's range, in the view's colours. */
SphHistogram *sph_sky_page_get_histogram(SphSkyPage *page);
/* The power-spectrum panel under the map (filled by whoever computes the spectrum). */
SphSpectrumPlot *sph_sky_page_get_spectrum_plot(SphSkyPage *page);
/* Removes the pinned point and the profile line. */
void sph_sky_page_clear_marks(SphSkyPage *page);

/* Applies the view settings remembered in path (sph-view-settings.h) and from then on
 * writes them there whenever the colormap, scale, projection, graticule or percentile
 * range change. NULL stops remembering. */
void sph_sky_page_set_settings_path(SphSkyPage *page, const char *path);

/* Writes the map as shown (field, colormap, range) as a figure with its colour bar;
 * the format follows path's extension (.png, .svg, .pdf). */
SphStatus sph_sky_page_export(SphSkyPage *page, const char *path, SphError *err);

G_END_DECLS
