/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The Sky page's state, shared by the page (sph-sky-page.c), its controls
 * (sph-sky-page-controls.c) and its layers (sph-sky-page-layers.c); nothing outside these
 * files includes it. */

#include "sph-sky-page.h"
#include "sph-colorbar.h"
#include "sph-histogram.h"
#include "sph-pin-list.h"
#include "sph-profile-plot.h"
#include "sph-view-settings.h"
#include "sphaera/raster.h"

#define NO_MAP_HINT "No map: Ctrl+O or drop a file"

/* One open map and how it was last shown. */
typedef struct {
  SphMap *map;
  char *title;
  int field;
  SphColormap cmap;
  gboolean auto_range;
  double vmin, vmax;
} Layer;

struct _SphSkyPage {
  GtkBox parent_instance;
  GtkLabel *title_label;
  GtkDropDown *field_dropdown;
  GtkStringList *field_names;
  GtkDropDown *cmap_dropdown;
  GtkStringList *cmap_names;
  GtkCheckButton *auto_range_check;
  GtkSpinButton *vmin_spin;
  GtkSpinButton *vmax_spin;
  SphSkyView *view;
  SphColorbar *colorbar;
  GtkLabel *readout_label;
  SphPinList *pin_list;
  SphProfilePlot *profile_plot;
  SphSpectrumPlot *spectrum_plot;
  GtkCheckButton *spectrum_log_l;
  GtkButton *clear_marks_button;
  GtkListBox *layer_list;
  GtkDropDown *overlay_dropdown;
  GtkStringList *overlay_names;
  GtkDropDown *overlay_cmap_dropdown;
  GtkStringList *overlay_cmap_names;
  GtkScale *overlay_opacity_scale;
  GtkDropDown *projection_dropdown;
  GtkStringList *projection_names;
  GtkToggleButton *graticule_toggle;
  GtkDropDown *frame_dropdown;
  GtkToggleButton *flip_toggle;
  GtkDropDown *norm_dropdown;
  GtkStringList *norm_names;
  GtkCheckButton *percentile_check;
  SphHistogram *histogram;
  SphSkyRaster *histogram_raster;
  GPtrArray *layers; /* Layer *, in the order opened */
  int current;       /* the shown layer, -1 when none */
  int overlay;       /* the overlay layer, -1 when none */
  int last_overlay;  /* what O brings back */
  char *settings_path; /* where the view settings are remembered; NULL: nowhere */
  SphViewSettings saved; /* what the file holds, so a drag does not rewrite it */
  char *title;
  gboolean syncing; /* the view is updating the controls: don't feed them back */
};

G_GNUC_INTERNAL void sky_page_layer_free(gpointer data);
G_GNUC_INTERNAL void sky_page_notify_title(SphSkyPage *self);
/* The pin list, profile plot and histogram for the shown layer and field. */
G_GNUC_INTERNAL void sky_page_refresh_pin(SphSkyPage *self);
G_GNUC_INTERNAL void sky_page_refresh_profile(SphSkyPage *self);
G_GNUC_INTERNAL void sky_page_refresh_histogram(SphSkyPage *self);
/* Fills the projection and scale lists and connects the colour, range, projection and
 * frame controls to the view both ways (sph-sky-page-controls.c). */
G_GNUC_INTERNAL void sky_page_init_controls(SphSkyPage *self);
/* Fills the overlay list and connects the layer list and overlay controls. */
G_GNUC_INTERNAL void sky_page_init_layers(SphSkyPage *self);
