/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-sky-page.h"
#include "sph-sky-page-private.h"

#include <math.h>

#include "sph-colorbar.h"
#include "sph-histogram.h"
#include "sph-view-settings.h"
#include "sphaera/raster.h"
#include "sph-figure.h"
#include "sph-pin-list.h"
#include "sph-profile-plot.h"
#include "sphaera/great_circle.h"
#include "sphaera/healpix.h"

/* Figure widths: pixels for PNG (twice mollview's 8.5 in at 100 dpi), points otherwise. */
#define EXPORT_PNG_WIDTH 1700
#define EXPORT_VECTOR_WIDTH 850
/* Samples along a profile line: four per map pixel along the arc, within these bounds. */
#define PROFILE_MIN_POINTS 64
#define PROFILE_MAX_POINTS 8192
/* The histogram counts the pixels of a Mollweide image this size (each map pixel as often
 * as it is drawn, as healpy's scaling sees a view), in this many bins. */
#define HISTOGRAM_IMAGE_WIDTH 720
#define HISTOGRAM_IMAGE_HEIGHT 360
#define HISTOGRAM_BINS 64

G_DEFINE_FINAL_TYPE(SphSkyPage, sph_sky_page, GTK_TYPE_BOX)

enum { PROP_0, PROP_TITLE, N_PROPS };
static GParamSpec *props[N_PROPS];

void sky_page_notify_title(SphSkyPage *self)
{
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_TITLE]);
}

/* ---- the histogram ---- */

void sky_page_refresh_histogram(SphSkyPage *self)
{
  const SphMap *map = sph_sky_view_get_map(self->view);
  if (map == NULL) {
    sph_histogram_set_values(self->histogram, NULL, 0, 0, NULL);
    return;
  }
  if (self->histogram_raster != NULL &&
      (sph_sky_raster_nside(self->histogram_raster) != map->nside ||
       sph_sky_raster_ordering(self->histogram_raster) != map->ordering))
    g_clear_pointer(&self->histogram_raster, sph_sky_raster_free);
  if (self->histogram_raster == NULL) {
    SphError err = SPH_ERROR_INIT;
    self->histogram_raster = sph_sky_raster_new(map->nside, map->ordering, HISTOGRAM_IMAGE_WIDTH,
                                                HISTOGRAM_IMAGE_HEIGHT, &err);
    if (self->histogram_raster == NULL) {
      g_warning("histogram: %s", err.message);
      return;
    }
  }
  int64_t n = sph_sky_raster_count_inside(self->histogram_raster);
  double *shown = g_new(double, n);
  int field = sph_sky_view_get_field(self->view);
  n = sph_sky_raster_shown_values(self->histogram_raster, map->fields[field].values, shown);
  SphColorScale scale = { .cmap = sph_sky_view_get_colormap(self->view),
                          .norm = sph_sky_view_get_norm(self->view),
                          .histeq = sph_sky_view_get_histeq(self->view) };
  sph_sky_view_get_range(self->view, &scale.vmin, &scale.vmax);
  sph_histogram_set_values(self->histogram, shown, (size_t)n, HISTOGRAM_BINS, &scale);
  g_free(shown);
}

/* ---- remembered view settings ---- */

static void save_settings(SphSkyPage *self)
{
  if (self->settings_path == NULL)
    return;
  SphViewSettings settings = {
    .cmap = sph_sky_view_get_colormap(self->view),
    .norm = sph_sky_view_get_norm(self->view),
    .projection = sph_sky_view_get_projection_kind(self->view),
    .graticule = sph_sky_view_get_graticule(self->view),
    .percentile_range = sph_sky_view_get_percentile_range(self->view),
    .flip = sph_sky_view_get_flip(self->view),
    .frame = sph_sky_view_get_frame(self->view),
  };
  if (settings.cmap == self->saved.cmap && settings.norm == self->saved.norm &&
      settings.projection == self->saved.projection &&
      settings.graticule == self->saved.graticule &&
      settings.percentile_range == self->saved.percentile_range &&
      settings.flip == self->saved.flip && settings.frame == self->saved.frame)
    return;
  self->saved = settings;
  GError *error = NULL;
  if (!sph_view_settings_save(self->settings_path, &settings, &error)) {
    g_warning("view settings: %s", error->message);
    g_error_free(error);
  }
}

static void on_view_setting_changed(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  save_settings(data);
}

void sph_sky_page_set_settings_path(SphSkyPage *self, const char *path)
{
  g_return_if_fail(SPH_IS_SKY_PAGE(self));
  g_free(self->settings_path);
  self->settings_path = NULL; /* applying them must not write them back */
  if (path == NULL)
    return;
  SphViewSettings settings;
  GError *error = NULL;
  if (!sph_view_settings_load(path, &settings, &error)) {
    g_warning("view settings: %s", error->message);
    g_error_free(error);
  }
  sph_sky_view_set_colormap(self->view, settings.cmap);
  sph_sky_view_set_norm(self->view, settings.norm);
  sph_sky_view_set_percentile_range(self->view, settings.percentile_range);
  if (settings.projection != sph_sky_view_get_projection_kind(self->view))
    sph_sky_view_set_projection_kind(self->view, settings.projection);
  sph_sky_view_set_graticule(self->view, settings.graticule);
  sph_sky_view_set_flip(self->view, settings.flip);
  sph_sky_view_set_frame(self->view, settings.frame);
  self->saved = settings;
  self->settings_path = g_strdup(path);
}

SphColorbar *sph_sky_page_get_colorbar(SphSkyPage *self)
{
  g_return_val_if_fail(SPH_IS_SKY_PAGE(self), NULL);
  return self->colorbar;
}

SphHistogram *sph_sky_page_get_histogram(SphSkyPage *self)
{
  g_return_val_if_fail(SPH_IS_SKY_PAGE(self), NULL);
  return self->histogram;
}

/* ---- the pinned point and the profile line ---- */

void sky_page_refresh_pin(SphSkyPage *self)
{
  double theta, phi;
  const SphMap *map = sph_sky_view_get_map(self->view);
  if (map != NULL && sph_sky_view_get_pin(self->view, &theta, &phi))
    sph_pin_list_show(self->pin_list, map, theta, phi);
  else
    sph_pin_list_clear(self->pin_list);
}

void sky_page_refresh_profile(SphSkyPage *self)
{
  double theta[2], phi[2];
  const SphMap *map = sph_sky_view_get_map(self->view);
  int field = sph_sky_view_get_field(self->view);
  gboolean shown = map != NULL && sph_sky_view_get_line(self->view, theta, phi);
  /* The plot takes room from the map, so it is there only while a line is drawn. */
  gtk_widget_set_visible(GTK_WIDGET(self->profile_plot), shown);
  if (!shown) {
    sph_profile_plot_set_data(self->profile_plot, NULL, NULL, 0, NULL);
    return;
  }
  double arc = sph_great_circle_distance(theta[0], phi[0], theta[1], phi[1]);
  double pixel_size = sqrt(sph_hp_pixel_area(map->nside));
  size_t n = (size_t)CLAMP(4.0 * arc / pixel_size, PROFILE_MIN_POINTS, PROFILE_MAX_POINTS);
  double *ts = g_new(double, n), *ps = g_new(double, n), *dist = g_new(double, n);
  double *values = g_new(double, n);
  sph_great_circle_sample(theta[0], phi[0], theta[1], phi[1], n, ts, ps, dist);
  const SphMapField *f = &map->fields[field];
  for (size_t k = 0; k < n; k++) {
    int64_t pix = map->ordering == SPH_ORDER_RING ? sph_hp_ang2pix_ring(map->nside, ts[k], ps[k])
                                                  : sph_hp_ang2pix_nest(map->nside, ts[k], ps[k]);
    values[k] = sph_hp_is_unseen(f->values[pix]) ? NAN : f->values[pix];
    dist[k] *= 180.0 / G_PI;
  }
  const char *name = f->name[0] != '\0' ? f->name : "value";
  char *label = f->unit[0] != '\0' ? g_strdup_printf("%s [%s]", name, f->unit) : g_strdup(name);
  sph_profile_plot_set_data(self->profile_plot, dist, values, n, label);
  g_free(label);
  g_free(ts);
  g_free(ps);
  g_free(dist);
  g_free(values);
}

static void update_clear_button(SphSkyPage *self)
{
  double t, p, tt[2], pp[2];
  gtk_widget_set_sensitive(GTK_WIDGET(self->clear_marks_button),
                           sph_sky_view_get_pin(self->view, &t, &p) ||
                             sph_sky_view_get_line(self->view, tt, pp));
}

static void on_view_pin_changed(SphSkyView *view, gpointer data)
{
  (void)view;
  sky_page_refresh_pin(data);
  update_clear_button(data);
}

static void on_view_line_changed(SphSkyView *view, gpointer data)
{
  (void)view;
  sky_page_refresh_profile(data);
  update_clear_button(data);
}

static void on_view_field(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphSkyPage *self = data;
  sky_page_refresh_profile(self);
  sky_page_refresh_pin(self);
  sky_page_refresh_histogram(self);
}

void sph_sky_page_clear_marks(SphSkyPage *self)
{
  g_return_if_fail(SPH_IS_SKY_PAGE(self));
  sph_sky_view_clear_pin(self->view);
  sph_sky_view_clear_line(self->view);
}

static void on_clear_marks_clicked(GtkButton *button, gpointer data)
{
  (void)button;
  sph_sky_page_clear_marks(data);
}

SphPinList *sph_sky_page_get_pin_list(SphSkyPage *self)
{
  g_return_val_if_fail(SPH_IS_SKY_PAGE(self), NULL);
  return self->pin_list;
}

SphSpectrumPlot *sph_sky_page_get_spectrum_plot(SphSkyPage *self)
{
  g_return_val_if_fail(SPH_IS_SKY_PAGE(self), NULL);
  return self->spectrum_plot;
}

SphProfilePlot *sph_sky_page_get_profile_plot(SphSkyPage *self)
{
  g_return_val_if_fail(SPH_IS_SKY_PAGE(self), NULL);
  return self->profile_plot;
}

/* ---- public API ---- */

GtkWidget *sph_sky_page_new(void)
{
  return g_object_new(SPH_TYPE_SKY_PAGE, NULL);
}

/* ---- keys ---- */

static void action_select_layer(GtkWidget *widget, const char *name, GVariant *parameter)
{
  (void)name;
  sph_sky_page_select_layer(SPH_SKY_PAGE(widget), g_variant_get_int32(parameter));
}

static void action_step_layer(GtkWidget *widget, const char *name, GVariant *parameter)
{
  (void)name;
  SphSkyPage *self = SPH_SKY_PAGE(widget);
  int n = (int)self->layers->len;
  if (n == 0)
    return;
  int step = g_variant_get_int32(parameter);
  sph_sky_page_select_layer(self, ((self->current + step) % n + n) % n);
}

static void action_close_layer(GtkWidget *widget, const char *name, GVariant *parameter)
{
  (void)name;
  (void)parameter;
  SphSkyPage *self = SPH_SKY_PAGE(widget);
  sph_sky_page_close_layer(self, self->current);
}

static void action_step_field(GtkWidget *widget, const char *name, GVariant *parameter)
{
  (void)name;
  SphSkyPage *self = SPH_SKY_PAGE(widget);
  const SphMap *map = sph_sky_view_get_map(self->view);
  if (map == NULL)
    return;
  int n = map->nfields;
  int field = sph_sky_view_get_field(self->view) + g_variant_get_int32(parameter);
  field = (field % n + n) % n;
  sph_sky_view_set_field(self->view, field);
  self->syncing = TRUE;
  gtk_drop_down_set_selected(self->field_dropdown, (guint)field);
  self->syncing = FALSE;
}

static void action_toggle_overlay(GtkWidget *widget, const char *name, GVariant *parameter)
{
  (void)name;
  (void)parameter;
  SphSkyPage *self = SPH_SKY_PAGE(widget);
  if (self->overlay >= 0)
    sph_sky_page_set_overlay_layer(self, -1);
  else if (self->last_overlay >= 0)
    sph_sky_page_set_overlay_layer(self, self->last_overlay);
  else if (self->layers->len > 1)
    sph_sky_page_set_overlay_layer(self, (int)self->layers->len - 1);
}

static void action_toggle_graticule(GtkWidget *widget, const char *name, GVariant *parameter)
{
  (void)name;
  (void)parameter;
  SphSkyView *view = SPH_SKY_PAGE(widget)->view;
  sph_sky_view_set_graticule(view, !sph_sky_view_get_graticule(view));
}

static void action_projection(GtkWidget *widget, const char *name, GVariant *parameter)
{
  (void)name;
  int kind = g_variant_get_int32(parameter);
  if (kind >= 0 && kind < SPH_PROJ_COUNT)
    sph_sky_view_set_projection_kind(SPH_SKY_PAGE(widget)->view, (SphProjectionKind)kind);
}

static void action_frame(GtkWidget *widget, const char *name, GVariant *parameter)
{
  (void)name;
  int frame = g_variant_get_int32(parameter);
  if (frame >= SPH_COORD_UNKNOWN && frame <= SPH_COORD_ECLIPTIC)
    sph_sky_view_set_frame(SPH_SKY_PAGE(widget)->view, (SphCoordSys)frame);
}

static void action_toggle_flip(GtkWidget *widget, const char *name, GVariant *parameter)
{
  (void)name;
  (void)parameter;
  SphSkyView *view = SPH_SKY_PAGE(widget)->view;
  sph_sky_view_set_flip(view, sph_sky_view_get_flip(view) == SPH_FLIP_GEO ? SPH_FLIP_ASTRO
                                                                           : SPH_FLIP_GEO);
}

static void action_clear_marks(GtkWidget *widget, const char *name, GVariant *parameter)
{
  (void)name;
  (void)parameter;
  sph_sky_page_clear_marks(SPH_SKY_PAGE(widget));
}

const char *sph_sky_page_get_title(SphSkyPage *self)
{
  g_return_val_if_fail(SPH_IS_SKY_PAGE(self), "");
  return self->title;
}

SphSkyView *sph_sky_page_get_view(SphSkyPage *self)
{
  g_return_val_if_fail(SPH_IS_SKY_PAGE(self), NULL);
  return self->view;
}

SphStatus sph_sky_page_export(SphSkyPage *self, const char *path, SphError *err)
{
  g_return_val_if_fail(SPH_IS_SKY_PAGE(self), SPH_ERR_INVALID);
  const SphMap *map = sph_sky_view_get_map(self->view);
  if (map == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: there is no map to export", path);
  SphFigureFormat format;
  if (!sph_figure_format_from_path(path, &format))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "%s: name the file .png, .svg or .pdf to choose the format", path);

  SphFigureOptions options;
  sph_figure_options_init(&options);
  int field = sph_sky_view_get_field(self->view);
  char *title = g_strdup_printf("%s %s", self->title, map->fields[field].name);
  options.title = title;
  sph_sky_view_get_range(self->view, &options.vmin, &options.vmax);
  options.cmap = sph_sky_view_get_colormap(self->view);
  /* What the view shows: its projection, scale, graticule and overlay. */
  sph_sky_view_get_projection(self->view, &options.projection);
  options.norm = sph_sky_view_get_norm(self->view);
  options.graticule = sph_sky_view_get_graticule(self->view);
  options.overlay = sph_sky_view_get_overlay(self->view);
  if (options.overlay != NULL)
    sph_sky_view_get_overlay_style(self->view, &options.overlay_field, &options.overlay_cmap,
                                   &options.overlay_vmin, &options.overlay_vmax,
                                   &options.overlay_alpha);
  options.width = format == SPH_FIGURE_PNG ? EXPORT_PNG_WIDTH : EXPORT_VECTOR_WIDTH;
  SphStatus status = sph_figure_write(path, format, map, field, &options, err);
  g_free(title);
  return status;
}

/* ---- GObject ---- */

static void sph_sky_page_dispose(GObject *object)
{
  gtk_widget_dispose_template(GTK_WIDGET(object), SPH_TYPE_SKY_PAGE);
  G_OBJECT_CLASS(sph_sky_page_parent_class)->dispose(object);
}

static void sph_sky_page_finalize(GObject *object)
{
  SphSkyPage *self = SPH_SKY_PAGE(object);
  g_ptr_array_unref(self->layers); /* the view went in dispose */
  g_clear_pointer(&self->histogram_raster, sph_sky_raster_free);
  g_free(self->settings_path);
  g_free(self->title);
  G_OBJECT_CLASS(sph_sky_page_parent_class)->finalize(object);
}

static void sph_sky_page_get_property(GObject *object, guint id, GValue *value,
                                      GParamSpec *pspec)
{
  if (id == PROP_TITLE)
    g_value_set_string(value, SPH_SKY_PAGE(object)->title);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
}

static void sph_sky_page_class_init(SphSkyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = sph_sky_page_dispose;
  object_class->finalize = sph_sky_page_finalize;
  object_class->get_property = sph_sky_page_get_property;
  /* The shown layer's title (a file name; "" without a map). */
  props[PROP_TITLE] = g_param_spec_string("title", NULL, NULL, "",
                                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(object_class, N_PROPS, props);

  g_type_ensure(SPH_TYPE_SKY_VIEW);
  g_type_ensure(SPH_TYPE_COLORBAR);
  g_type_ensure(SPH_TYPE_PIN_LIST);
  g_type_ensure(SPH_TYPE_PROFILE_PLOT);
  g_type_ensure(SPH_TYPE_HISTOGRAM);
  g_type_ensure(SPH_TYPE_SPECTRUM_PLOT);
  gtk_widget_class_set_template_from_resource(widget_class,
                                              "/org/sphaera/Sphaera/ui/sph-sky-page.ui");
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, title_label);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, spectrum_plot);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, spectrum_log_l);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, field_dropdown);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, field_names);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, cmap_dropdown);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, cmap_names);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, auto_range_check);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, vmin_spin);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, vmax_spin);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, view);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, colorbar);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, readout_label);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, pin_list);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, profile_plot);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, clear_marks_button);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, layer_list);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, norm_dropdown);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, projection_dropdown);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, projection_names);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, graticule_toggle);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, frame_dropdown);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, flip_toggle);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, norm_names);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, percentile_check);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, histogram);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, overlay_dropdown);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, overlay_names);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, overlay_cmap_dropdown);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, overlay_cmap_names);
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, overlay_opacity_scale);

  gtk_widget_class_install_action(widget_class, "sky.select-layer", "i", action_select_layer);
  gtk_widget_class_install_action(widget_class, "sky.step-layer", "i", action_step_layer);
  gtk_widget_class_install_action(widget_class, "sky.step-field", "i", action_step_field);
  gtk_widget_class_install_action(widget_class, "sky.close-layer", NULL, action_close_layer);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_W, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                      "sky.close-layer", NULL);
  gtk_widget_class_install_action(widget_class, "sky.toggle-overlay", NULL,
                                  action_toggle_overlay);
  gtk_widget_class_install_action(widget_class, "sky.clear-marks", NULL, action_clear_marks);
  for (int k = 0; k < 9; k++)
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_1 + k, 0, "sky.select-layer",
                                        "i", k);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Page_Down, GDK_CONTROL_MASK,
                                      "sky.step-layer", "i", 1);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Page_Up, GDK_CONTROL_MASK,
                                      "sky.step-layer", "i", -1);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_f, 0, "sky.step-field", "i", 1);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_F, GDK_SHIFT_MASK, "sky.step-field",
                                      "i", -1);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_o, 0, "sky.toggle-overlay", NULL);
  gtk_widget_class_install_action(widget_class, "sky.toggle-graticule", NULL,
                                  action_toggle_graticule);
  gtk_widget_class_install_action(widget_class, "sky.projection", "i", action_projection);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_g, 0, "sky.toggle-graticule", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_m, 0, "sky.projection", "i",
                                      SPH_PROJ_MOLLWEIDE);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_t, 0, "sky.projection", "i",
                                      SPH_PROJ_ORTHOGRAPHIC);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_n, 0, "sky.projection", "i",
                                      SPH_PROJ_GNOMONIC);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_c, 0, "sky.projection", "i",
                                      SPH_PROJ_CARTESIAN);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Delete, 0, "sky.clear-marks", NULL);
  gtk_widget_class_install_action(widget_class, "sky.frame", "i", action_frame);
  gtk_widget_class_install_action(widget_class, "sky.toggle-flip", NULL, action_toggle_flip);
  /* healpy's letters: G, C (celestial) and E; M for the map's own frame. */
  static const struct {
    guint key;
    SphCoordSys frame;
  } frame_keys[] = { { GDK_KEY_M, SPH_COORD_UNKNOWN },
                     { GDK_KEY_G, SPH_COORD_GALACTIC },
                     { GDK_KEY_C, SPH_COORD_EQUATORIAL },
                     { GDK_KEY_E, SPH_COORD_ECLIPTIC } };
  for (gsize i = 0; i < G_N_ELEMENTS(frame_keys); i++)
    gtk_widget_class_add_binding_action(widget_class, frame_keys[i].key, GDK_SHIFT_MASK,
                                        "sky.frame", "i", (int)frame_keys[i].frame);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_x, 0, "sky.toggle-flip", NULL);
}

static void sph_sky_page_init(SphSkyPage *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  g_object_bind_property(self->spectrum_log_l, "active", self->spectrum_plot, "log-l",
                         G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  self->title = g_strdup("");
  self->layers = g_ptr_array_new_with_free_func(sky_page_layer_free);
  self->current = self->overlay = self->last_overlay = -1;

  for (int c = 0; c < SPH_CMAP_COUNT; c++) {
    gtk_string_list_append(self->cmap_names, sph_colormap_name((SphColormap)c));
    gtk_string_list_append(self->overlay_cmap_names, sph_colormap_name((SphColormap)c));
  }
  gtk_drop_down_set_selected(self->overlay_cmap_dropdown, SPH_CMAP_RDBU);
  sky_page_init_controls(self);
  static const char *const remembered[] = { "notify::colormap", "notify::norm",
                                            "notify::projection", "notify::graticule",
                                            "notify::percentile-range" };
  for (gsize i = 0; i < G_N_ELEMENTS(remembered); i++)
    g_signal_connect(self->view, remembered[i], G_CALLBACK(on_view_setting_changed), self);
  sky_page_init_layers(self);

  g_signal_connect(self->view, "notify::field", G_CALLBACK(on_view_field), self);
  g_signal_connect(self->view, "pin-changed", G_CALLBACK(on_view_pin_changed), self);
  g_signal_connect(self->view, "line-changed", G_CALLBACK(on_view_line_changed), self);
  g_signal_connect(self->clear_marks_button, "clicked", G_CALLBACK(on_clear_marks_clicked),
                   self);

  gtk_label_set_text(self->title_label, NO_MAP_HINT);
  gtk_widget_set_visible(GTK_WIDGET(self->colorbar), FALSE);
  gtk_widget_set_sensitive(GTK_WIDGET(self->field_dropdown), FALSE);
  gtk_widget_set_sensitive(GTK_WIDGET(self->auto_range_check), FALSE);
  gtk_widget_set_sensitive(GTK_WIDGET(self->vmin_spin), FALSE);
  gtk_widget_set_sensitive(GTK_WIDGET(self->vmax_spin), FALSE);
  gtk_widget_set_sensitive(GTK_WIDGET(self->overlay_dropdown), FALSE);
  /* Keys reach the page's bindings from the map once a click has focused it. */
  gtk_widget_set_focusable(GTK_WIDGET(self->view), TRUE);
  gtk_widget_set_focus_on_click(GTK_WIDGET(self->view), TRUE);
}
