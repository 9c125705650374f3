/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-coefficient-grid.h"

#include <math.h>

struct _SphCoefficientGrid {
  GtkWidget parent_instance;
  GtkWidget *scroller;
  GtkFlowBox *flow;
  GPtrArray *textures; /* GdkTexture, one per item */
};

G_DEFINE_FINAL_TYPE(SphCoefficientGrid, sph_coefficient_grid, GTK_TYPE_WIDGET)

enum { SIGNAL_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

GtkWidget *sph_coefficient_grid_new(void)
{
  return g_object_new(SPH_TYPE_COEFFICIENT_GRID, NULL);
}

void sph_coefficient_grid_clear(SphCoefficientGrid *self)
{
  g_return_if_fail(SPH_IS_COEFFICIENT_GRID(self));
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child(GTK_WIDGET(self->flow))) != NULL)
    gtk_flow_box_remove(self->flow, child);
  g_ptr_array_set_size(self->textures, 0);
}

/* GDK's default download format is Cairo's ARGB32 (premultiplied, native endian). */
static cairo_surface_t *thumbnail_surface(GdkTexture *texture)
{
  int w = gdk_texture_get_width(texture), h = gdk_texture_get_height(texture);
  cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
  cairo_surface_flush(surface);
  gdk_texture_download(texture, cairo_image_surface_get_data(surface),
                       (gsize)cairo_image_surface_get_stride(surface));
  cairo_surface_mark_dirty(surface);
  return surface;
}

static void draw_thumbnail(GtkDrawingArea *area, cairo_t *cr, int width, int height,
                           gpointer data)
{
  (void)area;
  cairo_surface_t *surface = data;
  int w = cairo_image_surface_get_width(surface), h = cairo_image_surface_get_height(surface);
  double scale = fmin((double)width / w, (double)height / h);
  cairo_translate(cr, (width - scale * w) / 2, (height - scale * h) / 2);
  cairo_scale(cr, scale, scale);
  cairo_set_source_surface(cr, surface, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
  cairo_paint(cr);
}

void sph_coefficient_grid_append(SphCoefficientGrid *self, GdkTexture *texture, const char *label,
                                 const char *tooltip)
{
  g_return_if_fail(SPH_IS_COEFFICIENT_GRID(self));
  g_return_if_fail(GDK_IS_TEXTURE(texture));
  GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
  int w = gdk_texture_get_width(texture), h = gdk_texture_get_height(texture);
  /* Thumbnails keep their aspect at about the area of a 180 x 90 Mollweide view, whatever
   * the texture's size. */
  int shown_w = w > 0 && h > w / 2 ? 130 : 180;
  int shown_h = w > 0 ? (int)((double)shown_w * h / w + 0.5) : 90;
  /* A drawing area, not a GtkPicture: its natural size is the thumbnail's, not the
   * texture's, so the flow box fits as many per line as the width allows. */
  GtkWidget *picture = gtk_drawing_area_new();
  gtk_drawing_area_set_content_width(GTK_DRAWING_AREA(picture), shown_w);
  gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(picture), shown_h);
  gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(picture), draw_thumbnail,
                                 thumbnail_surface(texture),
                                 (GDestroyNotify)cairo_surface_destroy);
  gtk_box_append(GTK_BOX(box), picture);
  GtkWidget *caption = gtk_label_new(label);
  gtk_widget_add_css_class(caption, "caption");
  gtk_box_append(GTK_BOX(box), caption);
  if (tooltip != NULL)
    gtk_widget_set_tooltip_text(box, tooltip);
  gtk_flow_box_append(self->flow, box);
  g_ptr_array_add(self->textures, g_object_ref(texture));
}

guint sph_coefficient_grid_get_n_items(SphCoefficientGrid *self)
{
  g_return_val_if_fail(SPH_IS_COEFFICIENT_GRID(self), 0);
  return self->textures->len;
}

GdkTexture *sph_coefficient_grid_get_texture(SphCoefficientGrid *self, guint index)
{
  g_return_val_if_fail(SPH_IS_COEFFICIENT_GRID(self), NULL);
  g_return_val_if_fail(index < self->textures->len, NULL);
  return g_ptr_array_index(self->textures, index);
}

void sph_coefficient_grid_activate(SphCoefficientGrid *self, guint index)
{
  g_return_if_fail(SPH_IS_COEFFICIENT_GRID(self));
  g_return_if_fail(index < self->textures->len);
  g_signal_emit(self, signals[SIGNAL_ACTIVATED], 0, index);
}

static void on_child_activated(GtkFlowBox *flow, GtkFlowBoxChild *child, gpointer data)
{
  (void)flow;
  int index = gtk_flow_box_child_get_index(child);
  if (index >= 0)
    sph_coefficient_grid_activate(SPH_COEFFICIENT_GRID(data), (guint)index);
}

static void sph_coefficient_grid_dispose(GObject *object)
{
  SphCoefficientGrid *self = SPH_COEFFICIENT_GRID(object);
  g_clear_pointer(&self->scroller, gtk_widget_unparent);
  G_OBJECT_CLASS(sph_coefficient_grid_parent_class)->dispose(object);
}

static void sph_coefficient_grid_finalize(GObject *object)
{
  SphCoefficientGrid *self = SPH_COEFFICIENT_GRID(object);
  g_ptr_array_unref(self->textures);
  G_OBJECT_CLASS(sph_coefficient_grid_parent_class)->finalize(object);
}

static void sph_coefficient_grid_class_init(SphCoefficientGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->dispose = sph_coefficient_grid_dispose;
  object_class->finalize = sph_coefficient_grid_finalize;
  gtk_widget_class_set_layout_manager_type(GTK_WIDGET_CLASS(klass), GTK_TYPE_BIN_LAYOUT);
  signals[SIGNAL_ACTIVATED] =
      g_signal_new("activated", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                   G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void sph_coefficient_grid_init(SphCoefficientGrid *self)
{
  self->textures = g_ptr_array_new_with_free_func(g_object_unref);
  self->scroller = gtk_scrolled_window_new();
  gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(self->scroller), GTK_POLICY_NEVER,
                                 GTK_POLICY_AUTOMATIC);
  gtk_widget_set_hexpand(self->scroller, TRUE);
  gtk_widget_set_vexpand(self->scroller, TRUE);
  self->flow = GTK_FLOW_BOX(gtk_flow_box_new());
  gtk_flow_box_set_selection_mode(self->flow, GTK_SELECTION_NONE);
  gtk_flow_box_set_activate_on_single_click(self->flow, TRUE);
  gtk_flow_box_set_homogeneous(self->flow, TRUE);
  gtk_flow_box_set_max_children_per_line(self->flow, 16);
  gtk_flow_box_set_row_spacing(self->flow, 6);
  gtk_flow_box_set_column_spacing(self->flow, 6);
  gtk_widget_set_valign(GTK_WIDGET(self->flow), GTK_ALIGN_START);
  g_signal_connect(self->flow, "child-activated", G_CALLBACK(on_child_activated), self);
  gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(self->scroller), GTK_WIDGET(self->flow));
  gtk_widget_set_parent(self->scroller, GTK_WIDGET(self));
}
