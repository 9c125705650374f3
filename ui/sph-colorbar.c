/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-colorbar.h"

#include <math.h>

struct _SphColorbar {
  GtkDrawingArea parent_instance;
  SphColormap cmap;
  double vmin, vmax;
  char *unit;
  /* Tick values and their positions along the bar, in [0, 1]. */
  double *tick_values, *tick_positions;
  int n_ticks;
};

G_DEFINE_FINAL_TYPE(SphColorbar, sph_colorbar, GTK_TYPE_DRAWING_AREA)

enum { PROP_0, PROP_COLORMAP, PROP_VMIN, PROP_VMAX, PROP_UNIT, N_PROPS };
static GParamSpec *props[N_PROPS];

/* The bar is half the widget wide (mollview's proportion), and BAR_HEIGHT pixels tall. */
#define BAR_FRACTION 0.5
#define BAR_HEIGHT 14.0
#define BAR_TOP 6.0
#define TICK_LENGTH 4.0
#define LABEL_GAP 6.0 /* pixels between tick labels; a label that would come closer is left out */

static void format_value(double v, char *buf, size_t size)
{
  /* Enough digits to tell the ends apart, without the noise of %.17g. */
  g_snprintf(buf, size, "%.4g", v);
}

static void draw_bar(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  (void)data;
  (void)height;
  SphColorbar *self = SPH_COLORBAR(area);
  GtkWidget *widget = GTK_WIDGET(area);

  GdkRGBA fg;
  gtk_style_context_get_color(gtk_widget_get_style_context(widget), &fg);

  double bar_width = floor(width * BAR_FRACTION);
  double x0 = floor((width - bar_width) / 2.0);

  /* One rectangle per colormap entry, as the figure export draws it: no interpolation
   * between entries, so the bar shows exactly the colours the map can take. */
  const uint8_t *table = sph_colormap_table(self->cmap);
  cairo_pattern_t *pattern = cairo_pattern_create_linear(x0, 0, x0 + bar_width, 0);
  for (int i = 0; i < SPH_CMAP_SIZE; i++) {
    double r = table[3 * i] / 255.0, g = table[3 * i + 1] / 255.0, b = table[3 * i + 2] / 255.0;
    cairo_pattern_add_color_stop_rgb(pattern, (double)i / SPH_CMAP_SIZE, r, g, b);
    cairo_pattern_add_color_stop_rgb(pattern, (double)(i + 1) / SPH_CMAP_SIZE, r, g, b);
  }
  cairo_rectangle(cr, x0, BAR_TOP, bar_width, BAR_HEIGHT);
  cairo_set_source(cr, pattern);
  cairo_fill_preserve(cr);
  cairo_pattern_destroy(pattern);
  gdk_cairo_set_source_rgba(cr, &fg);
  cairo_set_line_width(cr, 1.0);
  cairo_stroke(cr);

  char text[64];
  int tw, th;
  format_value(self->vmin, text, sizeof text);
  PangoLayout *layout = gtk_widget_create_pango_layout(widget, text);
  pango_layout_get_pixel_size(layout, &tw, &th);
  cairo_move_to(cr, x0 - tw - 8.0, BAR_TOP + (BAR_HEIGHT - th) / 2.0);
  pango_cairo_show_layout(cr, layout);
  g_object_unref(layout);

  format_value(self->vmax, text, sizeof text);
  layout = gtk_widget_create_pango_layout(widget, text);
  pango_layout_get_pixel_size(layout, &tw, &th);
  cairo_move_to(cr, x0 + bar_width + 8.0, BAR_TOP + (BAR_HEIGHT - th) / 2.0);
  pango_cairo_show_layout(cr, layout);
  g_object_unref(layout);

  /* Ticks under the bar, labelled where a label fits beside the last one drawn. */
  double label_top = BAR_TOP + BAR_HEIGHT + TICK_LENGTH + 1.0;
  double last_right = -G_MAXDOUBLE;
  int label_height = 0;
  for (int i = 0; i < self->n_ticks; i++) {
    double x = floor(x0 + self->tick_positions[i] * bar_width) + 0.5;
    cairo_move_to(cr, x, BAR_TOP + BAR_HEIGHT);
    cairo_line_to(cr, x, BAR_TOP + BAR_HEIGHT + TICK_LENGTH);
    cairo_stroke(cr);
    g_snprintf(text, sizeof text, "%g", self->tick_values[i]);
    layout = gtk_widget_create_pango_layout(widget, text);
    pango_layout_get_pixel_size(layout, &tw, &th);
    if (x - tw / 2.0 > last_right + LABEL_GAP) {
      cairo_move_to(cr, x - tw / 2.0, label_top);
      pango_cairo_show_layout(cr, layout);
      last_right = x + tw / 2.0;
      label_height = MAX(label_height, th);
    }
    g_object_unref(layout);
  }

  if (self->unit != NULL && self->unit[0] != '\0') {
    layout = gtk_widget_create_pango_layout(widget, self->unit);
    pango_layout_get_pixel_size(layout, &tw, &th);
    cairo_move_to(cr, x0 + (bar_width - tw) / 2.0,
                  label_height > 0 ? label_top + label_height + 1.0 : BAR_TOP + BAR_HEIGHT + 4.0);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
  }
}

GtkWidget *sph_colorbar_new(void)
{
  return g_object_new(SPH_TYPE_COLORBAR, NULL);
}

void sph_colorbar_set_colormap(SphColorbar *self, SphColormap cmap)
{
  g_return_if_fail(SPH_IS_COLORBAR(self));
  g_return_if_fail((int)cmap >= 0 && cmap < SPH_CMAP_COUNT);
  if (self->cmap == cmap)
    return;
  self->cmap = cmap;
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_COLORMAP]);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

void sph_colorbar_set_range(SphColorbar *self, double vmin, double vmax)
{
  g_return_if_fail(SPH_IS_COLORBAR(self));
  if (self->vmin != vmin) {
    self->vmin = vmin;
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_VMIN]);
  }
  if (self->vmax != vmax) {
    self->vmax = vmax;
    g_object_notify_by_pspec(G_OBJECT(self), props[PROP_VMAX]);
  }
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

void sph_colorbar_set_ticks(SphColorbar *self, const double *values, const double *positions,
                            int n)
{
  g_return_if_fail(SPH_IS_COLORBAR(self));
  g_return_if_fail(n >= 0 && (n == 0 || (values != NULL && positions != NULL)));
  g_free(self->tick_values);
  g_free(self->tick_positions);
  self->tick_values = g_memdup2(values, (gsize)n * sizeof *values);
  self->tick_positions = g_memdup2(positions, (gsize)n * sizeof *positions);
  self->n_ticks = n;
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

int sph_colorbar_get_ticks(SphColorbar *self, const double **values, const double **positions)
{
  g_return_val_if_fail(SPH_IS_COLORBAR(self), 0);
  if (values != NULL)
    *values = self->tick_values;
  if (positions != NULL)
    *positions = self->tick_positions;
  return self->n_ticks;
}

void sph_colorbar_set_unit(SphColorbar *self, const char *unit)
{
  g_return_if_fail(SPH_IS_COLORBAR(self));
  if (g_strcmp0(self->unit, unit) == 0)
    return;
  g_free(self->unit);
  self->unit = g_strdup(unit);
  g_object_notify_by_pspec(G_OBJECT(self), props[PROP_UNIT]);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

static void sph_colorbar_get_property(GObject *object, guint id, GValue *value,
                                      GParamSpec *pspec)
{
  SphColorbar *self = SPH_COLORBAR(object);
  switch (id) {
  case PROP_COLORMAP:
    g_value_set_int(value, self->cmap);
    break;
  case PROP_VMIN:
    g_value_set_double(value, self->vmin);
    break;
  case PROP_VMAX:
    g_value_set_double(value, self->vmax);
    break;
  case PROP_UNIT:
    g_value_set_string(value, self->unit);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
}

static void sph_colorbar_set_property(GObject *object, guint id, const GValue *value,
                                      GParamSpec *pspec)
{
  SphColorbar *self = SPH_COLORBAR(object);
  switch (id) {
  case PROP_COLORMAP:
    sph_colorbar_set_colormap(self, (SphColormap)g_value_get_int(value));
    break;
  case PROP_VMIN:
    sph_colorbar_set_range(self, g_value_get_double(value), self->vmax);
    break;
  case PROP_VMAX:
    sph_colorbar_set_range(self, self->vmin, g_value_get_double(value));
    break;
  case PROP_UNIT:
    sph_colorbar_set_unit(self, g_value_get_string(value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
  }
}

static void sph_colorbar_finalize(GObject *object)
{
  SphColorbar *self = SPH_COLORBAR(object);
  g_free(self->unit);
  g_free(self->tick_values);
  g_free(self->tick_positions);
  G_OBJECT_CLASS(sph_colorbar_parent_class)->finalize(object);
}

static void sph_colorbar_class_init(SphColorbarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->get_property = sph_colorbar_get_property;
  object_class->set_property = sph_colorbar_set_property;
  object_class->finalize = sph_colorbar_finalize;

  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  props[PROP_COLORMAP] = g_param_spec_int("colormap", NULL, NULL, 0, SPH_CMAP_COUNT - 1,
                                          SPH_CMAP_VIRIDIS, rw);
  props[PROP_VMIN] = g_param_spec_double("vmin", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, rw);
  props[PROP_VMAX] = g_param_spec_double("vmax", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 1, rw);
  props[PROP_UNIT] = g_param_spec_string("unit", NULL, NULL, NULL, rw);
  g_object_class_install_properties(object_class, N_PROPS, props);
  gtk_widget_class_set_css_name(GTK_WIDGET_CLASS(klass), "colorbar");
}

static void sph_colorbar_init(SphColorbar *self)
{
  self->cmap = SPH_CMAP_VIRIDIS;
  self->vmin = 0.0;
  self->vmax = 1.0;
  gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(self), 62);
  gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(self), draw_bar, NULL, NULL);
}
