/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-sky-page.h"

#include <math.h>

#include "sph-colorbar.h"
#include "sph-figure.h"
#include "sph-pin-list.h"
#include "sph-profile-plot.h"
#include "sphaera/great_circle.h"
#include "sphaera/healpix.h"

#define READOUT_HINT "Point at the map for coordinates, pixel and value"
#define NO_MAP_HINT "No map: Ctrl+O or drop a file"
/* Figure widths: pixels for PNG (twice mollview's 8.5 in at 100 dpi), points otherwise. */
#define EXPORT_PNG_WIDTH 1700
#define EXPORT_VECTOR_WIDTH 850
/* Samples along a profile line: four per map pixel along the arc, within these bounds. */
#define PROFILE_MIN_POINTS 64
#define PROFILE_MAX_POINTS 8192

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
  GtkButton *clear_marks_button;
  char *title;
  gboolean syncing; /* the view is updating the controls: don't feed them back */
};

G_DEFINE_FINAL_TYPE(SphSkyPage, sph_sky_page, GTK_TYPE_BOX)

/* ---- view -> controls ---- */

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

/* ---- the pinned point and the profile line ---- */

static void refresh_pin(SphSkyPage *self)
{
  double theta, phi;
  const SphMap *map = sph_sky_view_get_map(self->view);
  if (map != NULL && sph_sky_view_get_pin(self->view, &theta, &phi))
    sph_pin_list_show(self->pin_list, map, theta, phi);
  else
    sph_pin_list_clear(self->pin_list);
}

static void refresh_profile(SphSkyPage *self)
{
  double theta[2], phi[2];
  const SphMap *map = sph_sky_view_get_map(self->view);
  int field = sph_sky_view_get_field(self->view);
  gboolean shown = map != NULL && sph_sky_view_get_line(self->view, theta, phi);
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
  refresh_pin(data);
  update_clear_button(data);
}

static void on_view_line_changed(SphSkyView *view, gpointer data)
{
  (void)view;
  refresh_profile(data);
  update_clear_button(data);
}

static void on_view_field(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphSkyPage *self = data;
  refresh_profile(self);
  refresh_pin(self);
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

SphProfilePlot *sph_sky_page_get_profile_plot(SphSkyPage *self)
{
  g_return_val_if_fail(SPH_IS_SKY_PAGE(self), NULL);
  return self->profile_plot;
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

/* ---- public API ---- */

GtkWidget *sph_sky_page_new(void)
{
  return g_object_new(SPH_TYPE_SKY_PAGE, NULL);
}

void sph_sky_page_set_map(SphSkyPage *self, SphMap *map, const char *title)
{
  g_return_if_fail(SPH_IS_SKY_PAGE(self));
  g_free(self->title);
  self->title = g_strdup(map != NULL && title != NULL ? title : "");
  gtk_label_set_text(self->title_label, map != NULL ? self->title : NO_MAP_HINT);
  gtk_widget_set_visible(GTK_WIDGET(self->colorbar), map != NULL);
  gtk_widget_set_sensitive(GTK_WIDGET(self->auto_range_check), map != NULL);
  gtk_widget_set_sensitive(GTK_WIDGET(self->vmin_spin), map != NULL);
  gtk_widget_set_sensitive(GTK_WIDGET(self->vmax_spin), map != NULL);

  self->syncing = TRUE;
  guint old = g_list_model_get_n_items(G_LIST_MODEL(self->field_names));
  const char **names = g_new0(const char *, (map != NULL ? map->nfields : 0) + 1);
  for (int f = 0; map != NULL && f < map->nfields; f++)
    names[f] = map->fields[f].name[0] != '\0' ? map->fields[f].name : "(unnamed)";
  gtk_string_list_splice(self->field_names, 0, old, names);
  g_free(names);
  gtk_drop_down_set_selected(self->field_dropdown, 0);
  gtk_widget_set_sensitive(GTK_WIDGET(self->field_dropdown), map != NULL && map->nfields > 1);
  self->syncing = FALSE;

  sph_sky_view_set_map(self->view, map, 0);
  refresh_pin(self);
  refresh_profile(self);
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
  g_free(self->title);
  G_OBJECT_CLASS(sph_sky_page_parent_class)->finalize(object);
}

static void sph_sky_page_class_init(SphSkyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = sph_sky_page_dispose;
  object_class->finalize = sph_sky_page_finalize;

  g_type_ensure(SPH_TYPE_SKY_VIEW);
  g_type_ensure(SPH_TYPE_COLORBAR);
  g_type_ensure(SPH_TYPE_PIN_LIST);
  g_type_ensure(SPH_TYPE_PROFILE_PLOT);
  gtk_widget_class_set_template_from_resource(widget_class,
                                              "/org/sphaera/Sphaera/ui/sph-sky-page.ui");
  gtk_widget_class_bind_template_child(widget_class, SphSkyPage, title_label);
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
}

static void sph_sky_page_init(SphSkyPage *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  self->title = g_strdup("");

  for (int c = 0; c < SPH_CMAP_COUNT; c++)
    gtk_string_list_append(self->cmap_names, sph_colormap_name((SphColormap)c));

  g_signal_connect(self->view, "notify::vmin", G_CALLBACK(on_view_range), self);
  g_signal_connect(self->view, "notify::vmax", G_CALLBACK(on_view_range), self);
  g_signal_connect(self->view, "notify::auto-range", G_CALLBACK(on_view_range), self);
  g_signal_connect(self->view, "notify::colormap", G_CALLBACK(on_view_colormap), self);
  g_signal_connect(self->view, "notify::unit", G_CALLBACK(on_view_unit), self);
  g_signal_connect(self->view, "notify::readout", G_CALLBACK(on_view_readout), self);
  g_signal_connect(self->view, "notify::field", G_CALLBACK(on_view_field), self);
  g_signal_connect(self->view, "pin-changed", G_CALLBACK(on_view_pin_changed), self);
  g_signal_connect(self->view, "line-changed", G_CALLBACK(on_view_line_changed), self);
  g_signal_connect(self->clear_marks_button, "clicked", G_CALLBACK(on_clear_marks_clicked),
                   self);
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
  gtk_label_set_text(self->title_label, NO_MAP_HINT);
  gtk_widget_set_visible(GTK_WIDGET(self->colorbar), FALSE);
  gtk_widget_set_sensitive(GTK_WIDGET(self->field_dropdown), FALSE);
  gtk_widget_set_sensitive(GTK_WIDGET(self->auto_range_check), FALSE);
  gtk_widget_set_sensitive(GTK_WIDGET(self->vmin_spin), FALSE);
  gtk_widget_set_sensitive(GTK_WIDGET(self->vmax_spin), FALSE);
}
