/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Sky page's controls: the colour (colormap, scale, range, percentiles), projection,
 * frame and orientation widgets kept in step with the view both ways, and the colour bar
 * and read-out label that follow it. */
#include "sph-sky-page.h"
#include "sph-sky-page-private.h"

#include <math.h>

#define READOUT_HINT "Point at the map for coordinates, pixel and value"

/* ---- view -> controls ---- */

#define COLORBAR_MAX_TICKS 24

/* The colour bar's ticks for the view's scale: the core's round values, placed by the
 * scale itself. */
static void sync_ticks(SphSkyPage *self)
{
  SphColorScale scale = { .cmap = sph_sky_view_get_colormap(self->view),
                          .norm = sph_sky_view_get_norm(self->view) };
  sph_sky_view_get_range(self->view, &scale.vmin, &scale.vmax);
  scale.histeq = sph_sky_view_get_histeq(self->view);
  double values[COLORBAR_MAX_TICKS], positions[COLORBAR_MAX_TICKS];
  int n = sph_color_scale_ticks(&scale, values, COLORBAR_MAX_TICKS);
  for (int i = 0; i < n; i++)
    positions[i] = sph_color_scale_position(&scale, values[i]);
  sph_colorbar_set_ticks(self->colorbar, values, positions, n);
}

/* A hist scale's curve follows the shown field. */
static void on_view_field_ticks(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  sync_ticks(data);
}

static void sync_range(SphSkyPage *self)
{
  double vmin, vmax;
  sph_sky_view_get_range(self->view, &vmin, &vmax);
  self->syncing = TRUE;
  double step = vmax > vmin ? (vmax - vmin) / 100.0 : 0.01;
  gtk_spin_button_set_increments(self->vmin_spin, step, 10.0 * step);
  gtk_spin_button_set_increments(self->vmax_spin, step, 10.0 * step);
  gtk_spin_button_set_value(self->vmin_spin, vmin);
  gtk_spin_button_set_value(self->vmax_spin, vmax);
  gtk_check_button_set_active(self->auto_range_check, sph_sky_view_get_auto_range(self->view));
  self->syncing = FALSE;
  sph_colorbar_set_range(self->colorbar, vmin, vmax);
  sync_ticks(self);
}

static void on_view_range(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  sync_range(data);
}

static void on_view_colormap(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphSkyPage *self = data;
  SphColormap cmap = sph_sky_view_get_colormap(self->view);
  sph_colorbar_set_colormap(self->colorbar, cmap);
  self->syncing = TRUE;
  gtk_drop_down_set_selected(self->cmap_dropdown, (guint)cmap);
  self->syncing = FALSE;
}

static void on_view_unit(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphSkyPage *self = data;
  sph_colorbar_set_unit(self->colorbar, sph_sky_view_get_unit(self->view));
}

static void on_view_readout(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphSkyPage *self = data;
  const char *readout = sph_sky_view_get_readout(self->view);
  gtk_label_set_text(self->readout_label, readout[0] != '\0' ? readout : READOUT_HINT);
}

static void on_view_scale_changed(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphSkyPage *self = data;
  self->syncing = TRUE;
  gtk_drop_down_set_selected(self->norm_dropdown, (guint)sph_sky_view_get_norm(self->view));
  gtk_check_button_set_active(self->percentile_check,
                              sph_sky_view_get_percentile_range(self->view));
  self->syncing = FALSE;
  sync_ticks(self);
  sky_page_refresh_histogram(self);
}

static void on_norm_selected(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphSkyPage *self = data;
  guint selected = gtk_drop_down_get_selected(self->norm_dropdown);
  if (!self->syncing && selected < SPH_NORM_COUNT)
    sph_sky_view_set_norm(self->view, (SphNorm)selected);
}

static void on_percentile_toggled(GtkCheckButton *check, gpointer data)
{
  SphSkyPage *self = data;
  if (!self->syncing)
    sph_sky_view_set_percentile_range(self->view, gtk_check_button_get_active(check));
}

static void on_view_projection(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphSkyPage *self = data;
  self->syncing = TRUE;
  gtk_drop_down_set_selected(self->projection_dropdown,
                             (guint)sph_sky_view_get_projection_kind(self->view));
  gtk_toggle_button_set_active(self->graticule_toggle, sph_sky_view_get_graticule(self->view));
  gtk_drop_down_set_selected(self->frame_dropdown, (guint)sph_sky_view_get_frame(self->view));
  gtk_toggle_button_set_active(self->flip_toggle,
                               sph_sky_view_get_flip(self->view) == SPH_FLIP_GEO);
  self->syncing = FALSE;
}

static void on_frame_selected(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphSkyPage *self = data;
  guint selected = gtk_drop_down_get_selected(self->frame_dropdown);
  if (!self->syncing && selected <= SPH_COORD_ECLIPTIC)
    sph_sky_view_set_frame(self->view, (SphCoordSys)selected);
}

static void on_flip_toggled(GtkToggleButton *toggle, gpointer data)
{
  SphSkyPage *self = data;
  if (!self->syncing)
    sph_sky_view_set_flip(self->view,
                          gtk_toggle_button_get_active(toggle) ? SPH_FLIP_GEO : SPH_FLIP_ASTRO);
}

static void on_projection_selected(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphSkyPage *self = data;
  guint selected = gtk_drop_down_get_selected(self->projection_dropdown);
  if (!self->syncing && selected < SPH_PROJ_COUNT &&
      selected != (guint)sph_sky_view_get_projection_kind(self->view))
    sph_sky_view_set_projection_kind(self->view, (SphProjectionKind)selected);
}

static void on_graticule_toggled(GtkToggleButton *toggle, gpointer data)
{
  SphSkyPage *self = data;
  if (!self->syncing)
    sph_sky_view_set_graticule(self->view, gtk_toggle_button_get_active(toggle));
}

/* ---- controls -> view ---- */

static void on_cmap_selected(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphSkyPage *self = data;
  guint selected = gtk_drop_down_get_selected(self->cmap_dropdown);
  if (!self->syncing && selected < SPH_CMAP_COUNT)
    sph_sky_view_set_colormap(self->view, (SphColormap)selected);
}

static void on_field_selected(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphSkyPage *self = data;
  guint selected = gtk_drop_down_get_selected(self->field_dropdown);
  if (!self->syncing && selected != GTK_INVALID_LIST_POSITION)
    sph_sky_view_set_field(self->view, (int)selected);
}

static void on_auto_range_toggled(GtkCheckButton *check, gpointer data)
{
  SphSkyPage *self = data;
  if (!self->syncing)
    sph_sky_view_set_auto_range(self->view, gtk_check_button_get_active(check));
}

static void on_range_spin_changed(GtkSpinButton *spin, gpointer data)
{
  (void)spin;
  SphSkyPage *self = data;
  if (self->syncing)
    return;
  sph_sky_view_set_range(self->view, gtk_spin_button_get_value(self->vmin_spin),
                         gtk_spin_button_get_value(self->vmax_spin));
}

/* Values of any magnitude (K_CMB maps hold 1e-4), so %g rather than fixed digits. */
static gboolean on_spin_output(GtkSpinButton *spin, gpointer data)
{
  (void)data;
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd(text, sizeof text, "%.5g", gtk_spin_button_get_value(spin));
  gtk_editable_set_text(GTK_EDITABLE(spin), text);
  return TRUE;
}

static int on_spin_input(GtkSpinButton *spin, double *new_value, gpointer data)
{
  (void)data;
  const char *text = gtk_editable_get_text(GTK_EDITABLE(spin));
  char *end = NULL;
  double v = g_ascii_strtod(text, &end);
  if (end == text || !isfinite(v))
    return GTK_INPUT_ERROR;
  *new_value = v;
  return TRUE;
}

/* ---- wiring ---- */

void sky_page_init_controls(SphSkyPage *self)
{
  for (int k = 0; k < SPH_PROJ_COUNT; k++)
    gtk_string_list_append(self->projection_names, sph_projection_kind_name((SphProjectionKind)k));
  g_signal_connect(self->projection_dropdown, "notify::selected",
                   G_CALLBACK(on_projection_selected), self);
  g_signal_connect(self->graticule_toggle, "toggled", G_CALLBACK(on_graticule_toggled), self);
  g_signal_connect(self->frame_dropdown, "notify::selected", G_CALLBACK(on_frame_selected), self);
  g_signal_connect(self->flip_toggle, "toggled", G_CALLBACK(on_flip_toggled), self);
  g_signal_connect(self->view, "notify::projection", G_CALLBACK(on_view_projection), self);
  g_signal_connect(self->view, "notify::graticule", G_CALLBACK(on_view_projection), self);
  for (int n = 0; n < SPH_NORM_COUNT; n++)
    gtk_string_list_append(self->norm_names, sph_norm_name((SphNorm)n));
  g_signal_connect(self->norm_dropdown, "notify::selected", G_CALLBACK(on_norm_selected), self);
  g_signal_connect(self->percentile_check, "toggled", G_CALLBACK(on_percentile_toggled), self);
  g_signal_connect(self->view, "notify::norm", G_CALLBACK(on_view_scale_changed), self);
  g_signal_connect(self->view, "notify::percentile-range", G_CALLBACK(on_view_scale_changed),
                   self);
  g_signal_connect(self->view, "notify::vmin", G_CALLBACK(on_view_scale_changed), self);
  g_signal_connect(self->view, "notify::vmax", G_CALLBACK(on_view_scale_changed), self);
  g_signal_connect(self->view, "notify::colormap", G_CALLBACK(on_view_scale_changed), self);
  g_signal_connect(self->view, "notify::field", G_CALLBACK(on_view_field_ticks), self);

  g_signal_connect(self->view, "notify::vmin", G_CALLBACK(on_view_range), self);
  g_signal_connect(self->view, "notify::vmax", G_CALLBACK(on_view_range), self);
  g_signal_connect(self->view, "notify::auto-range", G_CALLBACK(on_view_range), self);
  g_signal_connect(self->view, "notify::colormap", G_CALLBACK(on_view_colormap), self);
  g_signal_connect(self->view, "notify::unit", G_CALLBACK(on_view_unit), self);
  g_signal_connect(self->view, "notify::readout", G_CALLBACK(on_view_readout), self);
  g_signal_connect(self->cmap_dropdown, "notify::selected", G_CALLBACK(on_cmap_selected), self);
  g_signal_connect(self->field_dropdown, "notify::selected", G_CALLBACK(on_field_selected),
                   self);
  g_signal_connect(self->auto_range_check, "toggled", G_CALLBACK(on_auto_range_toggled), self);
  g_signal_connect(self->vmin_spin, "value-changed", G_CALLBACK(on_range_spin_changed), self);
  g_signal_connect(self->vmax_spin, "value-changed", G_CALLBACK(on_range_spin_changed), self);
  g_signal_connect(self->vmin_spin, "output", G_CALLBACK(on_spin_output), NULL);
  g_signal_connect(self->vmax_spin, "output", G_CALLBACK(on_spin_output), NULL);
  g_signal_connect(self->vmin_spin, "input", G_CALLBACK(on_spin_input), NULL);
  g_signal_connect(self->vmax_spin, "input", G_CALLBACK(on_spin_input), NULL);

  on_view_colormap(NULL, NULL, self);
  sync_range(self);
}
