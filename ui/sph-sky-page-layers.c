/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Sky page's layers: the open maps, the one shown with how it was last shown, and
 * the one drawn over it as an overlay. */
#include "sph-sky-page.h"
#include "sph-sky-page-private.h"

/* Widest names in the side panel, in characters. */
#define SIDE_PANEL_CHARS 28

void sky_page_layer_free(gpointer data)
{
  Layer *layer = data;
  sph_map_free(layer->map);
  g_free(layer->title);
  g_free(layer);
}

static Layer *layer_at(SphSkyPage *self, int index)
{
  return index >= 0 && (guint)index < self->layers->len ? g_ptr_array_index(self->layers, index)
                                                          : NULL;
}

static void save_current(SphSkyPage *self)
{
  Layer *layer = layer_at(self, self->current);
  if (layer == NULL)
    return;
  layer->field = sph_sky_view_get_field(self->view);
  layer->cmap = sph_sky_view_get_colormap(self->view);
  layer->auto_range = sph_sky_view_get_auto_range(self->view);
  sph_sky_view_get_range(self->view, &layer->vmin, &layer->vmax);
}

static void apply_overlay(SphSkyPage *self)
{
  Layer *layer = layer_at(self, self->overlay);
  double opacity = gtk_range_get_value(GTK_RANGE(self->overlay_opacity_scale));
  guint cmap = gtk_drop_down_get_selected(self->overlay_cmap_dropdown);
  if (cmap >= SPH_CMAP_COUNT)
    cmap = SPH_CMAP_GREYS;
  if (layer == NULL) {
    sph_sky_view_set_overlay(self->view, NULL, 0, (SphColormap)cmap, 0.0, 1.0, opacity);
    return;
  }
  SphMapStats stats;
  sph_map_field_stats(layer->map, 0, &stats);
  sph_sky_view_set_overlay(self->view, layer->map, 0, (SphColormap)cmap,
                           stats.nseen > 0 ? stats.min : 0.0, stats.nseen > 0 ? stats.max : 1.0,
                           opacity);
}

static void sync_controls_sensitivity(SphSkyPage *self, const SphMap *map)
{
  gtk_widget_set_visible(GTK_WIDGET(self->colorbar), map != NULL);
  gtk_widget_set_sensitive(GTK_WIDGET(self->auto_range_check), map != NULL);
  gtk_widget_set_sensitive(GTK_WIDGET(self->vmin_spin), map != NULL);
  gtk_widget_set_sensitive(GTK_WIDGET(self->vmax_spin), map != NULL);
  gtk_widget_set_sensitive(GTK_WIDGET(self->overlay_dropdown), map != NULL);
}

void sph_sky_page_select_layer(SphSkyPage *self, int index)
{
  g_return_if_fail(SPH_IS_SKY_PAGE(self));
  Layer *layer = layer_at(self, index);
  if (layer == NULL)
    return;
  if (index != self->current)
    save_current(self);
  self->current = index;
  const SphMap *map = layer->map;
  g_free(self->title);
  self->title = g_strdup(layer->title);
  sky_page_notify_title(self);
  gtk_label_set_text(self->title_label, self->title);
  sync_controls_sensitivity(self, map);

  self->syncing = TRUE;
  guint old = g_list_model_get_n_items(G_LIST_MODEL(self->field_names));
  const char **names = g_new0(const char *, map->nfields + 1);
  for (int f = 0; f < map->nfields; f++)
    names[f] = map->fields[f].name[0] != '\0' ? map->fields[f].name : "(unnamed)";
  gtk_string_list_splice(self->field_names, 0, old, names);
  g_free(names);
  gtk_drop_down_set_selected(self->field_dropdown, (guint)layer->field);
  gtk_widget_set_sensitive(GTK_WIDGET(self->field_dropdown), map->nfields > 1);
  gtk_list_box_select_row(self->layer_list, gtk_list_box_get_row_at_index(self->layer_list, index));
  self->syncing = FALSE;

  sph_sky_view_show_map(self->view, map, layer->field);
  sph_sky_view_set_colormap(self->view, layer->cmap);
  if (!layer->auto_range)
    sph_sky_view_set_range(self->view, layer->vmin, layer->vmax);
  sky_page_refresh_pin(self);
  sky_page_refresh_profile(self);
  sky_page_refresh_histogram(self);
}

/* "n  title", shortened in the middle to fit the side panel (a drop-down does not
 * ellipsize). */
static char *short_layer_name(guint number, const char *title)
{
  glong length = g_utf8_strlen(title, -1);
  const glong keep = SIDE_PANEL_CHARS - 4;
  if (length <= keep)
    return g_strdup_printf("%u  %s", number, title);
  char *head = g_utf8_substring(title, 0, keep / 2);
  char *tail = g_utf8_substring(title, length - (keep - keep / 2 - 1), length);
  char *name = g_strdup_printf("%u  %s…%s", number, head, tail);
  g_free(head);
  g_free(tail);
  return name;
}

static void rebuild_overlay_names(SphSkyPage *self)
{
  self->syncing = TRUE;
  guint old = g_list_model_get_n_items(G_LIST_MODEL(self->overlay_names));
  char **names = g_new0(char *, self->layers->len + 2);
  names[0] = g_strdup("None");
  for (guint i = 0; i < self->layers->len; i++)
    names[i + 1] = short_layer_name(i + 1, ((Layer *)g_ptr_array_index(self->layers, i))->title);
  gtk_string_list_splice(self->overlay_names, 0, old, (const char *const *)names);
  g_strfreev(names);
  gtk_drop_down_set_selected(self->overlay_dropdown, (guint)(self->overlay + 1));
  self->syncing = FALSE;
}

void sph_sky_page_add_map(SphSkyPage *self, SphMap *map, const char *title)
{
  g_return_if_fail(SPH_IS_SKY_PAGE(self));
  g_return_if_fail(map != NULL);
  save_current(self);
  Layer *layer = g_new0(Layer, 1);
  layer->map = map;
  layer->title = g_strdup(title != NULL && title[0] != '\0' ? title : "map");
  layer->cmap = sph_sky_view_get_colormap(self->view);
  layer->auto_range = TRUE;
  g_ptr_array_add(self->layers, layer);

  char *text = g_strdup_printf("%u  %s", self->layers->len, layer->title);
  GtkWidget *label = gtk_label_new(text);
  g_free(text);
  gtk_label_set_xalign(GTK_LABEL(label), 0.0f);
  gtk_label_set_ellipsize(GTK_LABEL(label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars(GTK_LABEL(label), SIDE_PANEL_CHARS);
  gtk_widget_set_margin_start(label, 6);
  gtk_widget_set_margin_end(label, 6);
  gtk_widget_set_margin_top(label, 4);
  gtk_widget_set_margin_bottom(label, 4);
  self->syncing = TRUE;
  gtk_list_box_append(self->layer_list, label);
  self->syncing = FALSE;
  rebuild_overlay_names(self);
  sph_sky_page_select_layer(self, (int)self->layers->len - 1);
}

static void show_no_map(SphSkyPage *self);

void sph_sky_page_set_map(SphSkyPage *self, SphMap *map, const char *title)
{
  g_return_if_fail(SPH_IS_SKY_PAGE(self));
  /* The view borrows the layers' maps: let go of them before they are freed. */
  sph_sky_view_set_overlay(self->view, NULL, 0, SPH_CMAP_GREYS, 0.0, 1.0, 0.0);
  sph_sky_view_show_map(self->view, NULL, 0);
  self->overlay = self->last_overlay = -1;
  self->current = -1;
  g_ptr_array_set_size(self->layers, 0);
  self->syncing = TRUE;
  GtkWidget *row;
  while ((row = gtk_widget_get_first_child(GTK_WIDGET(self->layer_list))) != NULL)
    gtk_list_box_remove(self->layer_list, row);
  self->syncing = FALSE;
  rebuild_overlay_names(self);
  if (map != NULL) {
    sph_sky_page_add_map(self, map, title);
    return;
  }
  show_no_map(self);
}

static void show_no_map(SphSkyPage *self)
{
  g_free(self->title);
  self->title = g_strdup("");
  sky_page_notify_title(self);
  gtk_label_set_text(self->title_label, NO_MAP_HINT);
  sync_controls_sensitivity(self, NULL);
  self->syncing = TRUE;
  guint old = g_list_model_get_n_items(G_LIST_MODEL(self->field_names));
  gtk_string_list_splice(self->field_names, 0, old, NULL);
  gtk_widget_set_sensitive(GTK_WIDGET(self->field_dropdown), FALSE);
  self->syncing = FALSE;
  sky_page_refresh_pin(self);
  sky_page_refresh_profile(self);
  sky_page_refresh_histogram(self);
}

/* A layer's index after layer `closed` is gone: the same, one less, or -1 for it. */
static int index_after_close(int index, int closed)
{
  return index == closed ? -1 : index > closed ? index - 1 : index;
}

void sph_sky_page_close_layer(SphSkyPage *self, int index)
{
  g_return_if_fail(SPH_IS_SKY_PAGE(self));
  if (layer_at(self, index) == NULL)
    return;
  /* The view borrows the map: let go of it (and of its textures) before it is freed. */
  if (index == self->overlay)
    sph_sky_view_set_overlay(self->view, NULL, 0, SPH_CMAP_GREYS, 0.0, 1.0, 0.0);
  gboolean was_current = index == self->current;
  if (was_current) {
    sph_sky_view_show_map(self->view, NULL, 0);
    self->current = -1;
  }
  self->syncing = TRUE;
  gtk_list_box_remove(self->layer_list,
                      GTK_WIDGET(gtk_list_box_get_row_at_index(self->layer_list, index)));
  self->syncing = FALSE;
  g_ptr_array_remove_index(self->layers, (guint)index);
  self->overlay = index_after_close(self->overlay, index);
  self->last_overlay = index_after_close(self->last_overlay, index);
  if (!was_current)
    self->current = index_after_close(self->current, index);
  /* The rows are numbered after the keys that show them. */
  for (guint i = (guint)index; i < self->layers->len; i++) {
    GtkListBoxRow *row = gtk_list_box_get_row_at_index(self->layer_list, (int)i);
    char *text = g_strdup_printf("%u  %s", i + 1, ((Layer *)g_ptr_array_index(self->layers, i))->title);
    gtk_label_set_text(GTK_LABEL(gtk_list_box_row_get_child(row)), text);
    g_free(text);
  }
  rebuild_overlay_names(self);
  if (self->layers->len == 0) {
    show_no_map(self);
    return;
  }
  if (was_current)
    sph_sky_page_select_layer(self, MIN(index, (int)self->layers->len - 1));
  else {
    self->syncing = TRUE;
    gtk_list_box_select_row(self->layer_list,
                            gtk_list_box_get_row_at_index(self->layer_list, self->current));
    self->syncing = FALSE;
  }
}

int sph_sky_page_get_n_layers(SphSkyPage *self)
{
  g_return_val_if_fail(SPH_IS_SKY_PAGE(self), 0);
  return (int)self->layers->len;
}

int sph_sky_page_get_current_layer(SphSkyPage *self)
{
  g_return_val_if_fail(SPH_IS_SKY_PAGE(self), -1);
  return self->current;
}

void sph_sky_page_set_overlay_layer(SphSkyPage *self, int index)
{
  g_return_if_fail(SPH_IS_SKY_PAGE(self));
  self->overlay = layer_at(self, index) != NULL ? index : -1;
  if (self->overlay >= 0)
    self->last_overlay = self->overlay;
  self->syncing = TRUE;
  gtk_drop_down_set_selected(self->overlay_dropdown, (guint)(self->overlay + 1));
  self->syncing = FALSE;
  apply_overlay(self);
}

int sph_sky_page_get_overlay_layer(SphSkyPage *self)
{
  g_return_val_if_fail(SPH_IS_SKY_PAGE(self), -1);
  return self->overlay;
}

void sph_sky_page_set_overlay_opacity(SphSkyPage *self, double opacity)
{
  g_return_if_fail(SPH_IS_SKY_PAGE(self));
  gtk_range_set_value(GTK_RANGE(self->overlay_opacity_scale), opacity);
}

static void on_layer_selected(GtkListBox *box, GtkListBoxRow *row, gpointer data)
{
  (void)box;
  SphSkyPage *self = data;
  if (!self->syncing && row != NULL)
    sph_sky_page_select_layer(self, gtk_list_box_row_get_index(row));
}

static void on_overlay_selected(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphSkyPage *self = data;
  guint selected = gtk_drop_down_get_selected(self->overlay_dropdown);
  if (!self->syncing && selected != GTK_INVALID_LIST_POSITION)
    sph_sky_page_set_overlay_layer(self, (int)selected - 1);
}

static void on_overlay_look_changed(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphSkyPage *self = data;
  if (!self->syncing)
    apply_overlay(self);
}

static void on_overlay_opacity_changed(GtkRange *range, gpointer data)
{
  SphSkyPage *self = data;
  sph_sky_view_set_overlay_opacity(self->view, gtk_range_get_value(range));
}

void sky_page_init_layers(SphSkyPage *self)
{
  rebuild_overlay_names(self);
  g_signal_connect(self->layer_list, "row-selected", G_CALLBACK(on_layer_selected), self);
  g_signal_connect(self->overlay_dropdown, "notify::selected", G_CALLBACK(on_overlay_selected),
                   self);
  g_signal_connect(self->overlay_cmap_dropdown, "notify::selected",
                   G_CALLBACK(on_overlay_look_changed), self);
  g_signal_connect(self->overlay_opacity_scale, "value-changed",
                   G_CALLBACK(on_overlay_opacity_changed), self);
}
