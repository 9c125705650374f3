/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-kernel-plot.h"

#include <math.h>

#include "sph-plot-axes.h"
#include "sphaera/colormap.h"

struct _SphKernelPlot {
  GtkWidget parent_instance;
  int L, nscales, j_min;
  double B;
  double *scaling2; /* Phi_l^2 */
  double *wavelet2; /* Psi^j_l^2 at [(j - j_min) L + l] */
  double *sum;      /* their sum per l */
};

G_DEFINE_FINAL_TYPE(SphKernelPlot, sph_kernel_plot, GTK_TYPE_WIDGET)

GtkWidget *sph_kernel_plot_new(void)
{
  return g_object_new(SPH_TYPE_KERNEL_PLOT, NULL);
}

static void clear_values(SphKernelPlot *self)
{
  g_clear_pointer(&self->scaling2, g_free);
  g_clear_pointer(&self->wavelet2, g_free);
  g_clear_pointer(&self->sum, g_free);
  self->L = 0;
  self->nscales = 0;
}

void sph_kernel_plot_set_kernels(SphKernelPlot *self, const SphWaveletKernels *kernels)
{
  g_return_if_fail(SPH_IS_KERNEL_PLOT(self));
  clear_values(self);
  if (kernels != NULL) {
    int L = kernels->L, n = sph_wavelet_kernels_nscales(kernels);
    self->L = L;
    self->nscales = n;
    self->j_min = kernels->j_min;
    self->B = kernels->B;
    self->scaling2 = g_new(double, L);
    self->wavelet2 = g_new(double, (gsize)n * L);
    self->sum = g_new(double, L);
    for (int l = 0; l < L; l++) {
      self->scaling2[l] = kernels->scaling[l] * kernels->scaling[l];
      self->sum[l] = self->scaling2[l];
    }
    for (int b = 0; b < n; b++) {
      for (int l = 0; l < L; l++) {
        double w = kernels->wavelet[(gsize)b * L + l];
        self->wavelet2[(gsize)b * L + l] = w * w;
        self->sum[l] += w * w;
      }
    }
  }
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

int sph_kernel_plot_get_L(SphKernelPlot *self)
{
  g_return_val_if_fail(SPH_IS_KERNEL_PLOT(self), 0);
  return self->L;
}

int sph_kernel_plot_get_n_scales(SphKernelPlot *self)
{
  g_return_val_if_fail(SPH_IS_KERNEL_PLOT(self), 0);
  return self->nscales;
}

double sph_kernel_plot_get_sum(SphKernelPlot *self, int l)
{
  g_return_val_if_fail(SPH_IS_KERNEL_PLOT(self), NAN);
  g_return_val_if_fail(l >= 0 && l < self->L, NAN);
  return self->sum[l];
}

double sph_kernel_plot_get_max_sum_error(SphKernelPlot *self)
{
  g_return_val_if_fail(SPH_IS_KERNEL_PLOT(self), NAN);
  double worst = 0.0;
  for (int l = 0; l < self->L; l++)
    worst = fmax(worst, fabs(self->sum[l] - 1.0));
  return worst;
}

static void set_colour(cairo_t *cr, int index, int count)
{
  const uint8_t *table = sph_colormap_table(SPH_CMAP_VIRIDIS);
  int k = count > 1 ? (int)lround(0.85 * (SPH_CMAP_SIZE - 1) * index / (count - 1)) : 0;
  cairo_set_source_rgb(cr, table[3 * k] / 255.0, table[3 * k + 1] / 255.0,
                       table[3 * k + 2] / 255.0);
}

static void draw_curve(cairo_t *cr, const SphPlotBox *box, const double *y, int L)
{
  for (int l = 0; l < L; l++) {
    double px = sph_plot_box_x(box, l), py = sph_plot_box_y(box, y[l]);
    if (l == 0)
      cairo_move_to(cr, px, py);
    else
      cairo_line_to(cr, px, py);
  }
  cairo_stroke(cr);
}

static void draw_plot(SphKernelPlot *self, cairo_t *cr, double width, double height)
{
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, 11);
  if (self->L < 2) {
    sph_plot_text(cr, width / 2, height / 2, "No kernels", 0.5, 0.5);
    return;
  }
  SphPlotBox box = {.x = 44, .y = 22, .w = width - 60, .h = height - 58,
                    .xmin = 0, .xmax = self->L - 1, .ymin = 0, .ymax = 1.1};
  if (box.w < 20 || box.h < 20)
    return;
  sph_plot_axes(cr, &box, 6, true, true, 10);
  sph_plot_text(cr, box.x + box.w / 2, height - 4, "multipole l", 0.5, 1);
  char title[96];
  g_snprintf(title, sizeof title, "Kernels² (B = %g, J_min = %d, L = %d)", self->B, self->j_min,
             self->L);
  sph_plot_text(cr, box.x, 4, title, 0, 0);

  cairo_save(cr);
  cairo_rectangle(cr, box.x, box.y, box.w, box.h);
  cairo_clip(cr);
  cairo_set_line_width(cr, 1.5);
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  double dash[] = {4, 3};
  cairo_set_dash(cr, dash, 2, 0);
  draw_curve(cr, &box, self->scaling2, self->L);
  cairo_set_dash(cr, NULL, 0, 0);
  for (int b = 0; b < self->nscales; b++) {
    set_colour(cr, b, self->nscales);
    draw_curve(cr, &box, self->wavelet2 + (gsize)b * self->L, self->L);
  }
  cairo_set_source_rgb(cr, 0.85, 0.1, 0.1);
  cairo_set_line_width(cr, 2.0);
  draw_curve(cr, &box, self->sum, self->L);
  cairo_restore(cr);

  char legend[96];
  g_snprintf(legend, sizeof legend, "sum (max |sum − 1| = %.1e)",
             sph_kernel_plot_get_max_sum_error(self));
  cairo_set_source_rgb(cr, 0.85, 0.1, 0.1);
  sph_plot_text(cr, box.x + box.w, 4, legend, 1, 0);
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  sph_plot_text(cr, box.x + box.w, height - 4, "Φ² dashed, Ψʲ² coloured by j", 1, 1);
}

static void sph_kernel_plot_snapshot(GtkWidget *widget, GtkSnapshot *snapshot)
{
  SphKernelPlot *self = SPH_KERNEL_PLOT(widget);
  int w = gtk_widget_get_width(widget), h = gtk_widget_get_height(widget);
  if (w <= 0 || h <= 0)
    return;
  cairo_t *cr = gtk_snapshot_append_cairo(snapshot, &GRAPHENE_RECT_INIT(0, 0, w, h));
  draw_plot(self, cr, w, h);
  cairo_destroy(cr);
}

static void sph_kernel_plot_measure(GtkWidget *widget, GtkOrientation orientation, int for_size,
                                    int *minimum, int *natural, int *minimum_baseline,
                                    int *natural_baseline)
{
  (void)widget;
  (void)for_size;
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 160;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 220;
  *minimum_baseline = *natural_baseline = -1;
}

static void sph_kernel_plot_finalize(GObject *object)
{
  clear_values(SPH_KERNEL_PLOT(object));
  G_OBJECT_CLASS(sph_kernel_plot_parent_class)->finalize(object);
}

static void sph_kernel_plot_class_init(SphKernelPlotClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = sph_kernel_plot_finalize;
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  widget_class->snapshot = sph_kernel_plot_snapshot;
  widget_class->measure = sph_kernel_plot_measure;
}

static void sph_kernel_plot_init(SphKernelPlot *self)
{
  gtk_widget_set_hexpand(GTK_WIDGET(self), TRUE);
}
