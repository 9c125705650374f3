/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-pin-list.h"

#include "sphaera/healpix.h"
#include "sph-sky-readout.h"

#define PIN_HINT "Click the map to pin a point and list every field there."

struct _SphPinList {
  GtkBox parent_instance;
  GtkLabel *coords_label;
  GtkGrid *values_grid;
  GPtrArray *rows; /* char *: the text of every row, for tests and copying */
};

G_DEFINE_FINAL_TYPE(SphPinList, sph_pin_list, GTK_TYPE_BOX)

static void clear_grid(SphPinList *self)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child(GTK_WIDGET(self->values_grid))) != NULL)
    gtk_grid_remove(self->values_grid, child);
  g_ptr_array_set_size(self->rows, 0);
}

static GtkWidget *cell(const char *text, float xalign, gboolean dim)
{
  GtkWidget *label = gtk_label_new(text);
  gtk_label_set_xalign(GTK_LABEL(label), xalign);
  gtk_label_set_selectable(GTK_LABEL(label), TRUE);
  if (dim)
    gtk_widget_add_css_class(label, "dim-label");
  return label;
}

void sph_pin_list_show(SphPinList *self, const SphMap *map, double theta, double phi)
{
  g_return_if_fail(SPH_IS_PIN_LIST(self));
  if (map == NULL) {
    sph_pin_list_clear(self);
    return;
  }
  clear_grid(self);
  double theta_deg = theta * (180.0 / G_PI), phi_deg = phi * (180.0 / G_PI);
  double lat_deg = 90.0 - theta_deg;
  const char *lon_name, *lat_name;
  sph_sky_readout_lonlat_names(map->coordsys, &lon_name, &lat_name);
  int64_t ring = sph_hp_ang2pix_ring(map->nside, theta, phi);
  int64_t nest = sph_hp_ring2nest(map->nside, ring);
  char *coords = g_strdup_printf("θ %.3f°  φ %.3f°\n%s %.3f°  %s %+.3f°\n"
                                 "pixel %" G_GINT64_FORMAT " (RING)\n"
                                 "pixel %" G_GINT64_FORMAT " (NEST)  NSIDE %" G_GINT64_FORMAT,
                                 theta_deg, phi_deg, lon_name, phi_deg, lat_name, lat_deg, ring,
                                 nest, map->nside);
  gtk_label_set_text(self->coords_label, coords);
  g_ptr_array_add(self->rows, coords);

  int64_t at = map->ordering == SPH_ORDER_RING ? ring : nest;
  for (int f = 0; f < map->nfields; f++) {
    const SphMapField *field = &map->fields[f];
    double value = field->values[at];
    char *shown = sph_hp_is_unseen(value) ? g_strdup("UNSEEN") : g_strdup_printf("%.6g", value);
    const char *name = field->name[0] != '\0' ? field->name : "(unnamed)";
    gtk_grid_attach(self->values_grid, cell(name, 0.0f, FALSE), 0, f, 1, 1);
    gtk_grid_attach(self->values_grid, cell(shown, 1.0f, FALSE), 1, f, 1, 1);
    gtk_grid_attach(self->values_grid, cell(field->unit, 0.0f, TRUE), 2, f, 1, 1);
    g_ptr_array_add(self->rows, g_strdup_printf("%s %s%s%s", name, shown,
                                                field->unit[0] != '\0' ? " " : "", field->unit));
    g_free(shown);
  }
}

void sph_pin_list_clear(SphPinList *self)
{
  g_return_if_fail(SPH_IS_PIN_LIST(self));
  clear_grid(self);
  gtk_label_set_text(self->coords_label, PIN_HINT);
}

char *sph_pin_list_row_text(SphPinList *self, int row)
{
  g_return_val_if_fail(SPH_IS_PIN_LIST(self), NULL);
  if (row < 0 || (guint)row >= self->rows->len)
    return NULL;
  return g_strdup(g_ptr_array_index(self->rows, row));
}

static void sph_pin_list_finalize(GObject *object)
{
  SphPinList *self = SPH_PIN_LIST(object);
  g_ptr_array_unref(self->rows);
  G_OBJECT_CLASS(sph_pin_list_parent_class)->finalize(object);
}

static void sph_pin_list_class_init(SphPinListClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = sph_pin_list_finalize;
  gtk_widget_class_set_css_name(GTK_WIDGET_CLASS(klass), "pinlist");
}

static void sph_pin_list_init(SphPinList *self)
{
  gtk_orientable_set_orientation(GTK_ORIENTABLE(self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing(GTK_BOX(self), 6);
  self->rows = g_ptr_array_new_with_free_func(g_free);

  GtkWidget *heading = gtk_label_new("Pinned point");
  gtk_label_set_xalign(GTK_LABEL(heading), 0.0f);
  gtk_widget_add_css_class(heading, "heading");
  gtk_box_append(GTK_BOX(self), heading);

  self->coords_label = GTK_LABEL(gtk_label_new(PIN_HINT));
  gtk_label_set_xalign(self->coords_label, 0.0f);
  gtk_label_set_wrap(self->coords_label, TRUE);
  gtk_label_set_selectable(self->coords_label, TRUE);
  gtk_widget_add_css_class(GTK_WIDGET(self->coords_label), "monospace");
  gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->coords_label));

  self->values_grid = GTK_GRID(gtk_grid_new());
  gtk_grid_set_column_spacing(self->values_grid, 8);
  gtk_grid_set_row_spacing(self->values_grid, 2);
  gtk_widget_add_css_class(GTK_WIDGET(self->values_grid), "monospace");
  gtk_box_append(GTK_BOX(self), GTK_WIDGET(self->values_grid));
}
