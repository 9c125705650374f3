/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sphaera/wavelet_kernels.h"

G_BEGIN_DECLS

/* The scale-discretised kernels against the multipole l: Phi_l^2 of the scaling
 * function, Psi^j_l^2 of every wavelet scale, and their sum, which the s2let
 * construction makes exactly 1 for every l < L (the tiling that lets synthesis invert
 * analysis). The values are the core's kernels, squared and summed here only to draw
 * them. */

#define SPH_TYPE_KERNEL_PLOT (sph_kernel_plot_get_type())
G_DECLARE_FINAL_TYPE(SphKernelPlot, sph_kernel_plot, SPH, KERNEL_PLOT, GtkWidget)

GtkWidget *sph_kernel_plot_new(void);

/* Copies the kernels' values (NULL clears the plot). */
void sph_kernel_plot_set_kernels(SphKernelPlot *plot, const SphWaveletKernels *kernels);
/* The number of multipoles drawn (L), 0 when empty. */
int sph_kernel_plot_get_L(SphKernelPlot *plot);
int sph_kernel_plot_get_n_scales(SphKernelPlot *plot);
/* The sum line's value at l (0 <= l < L). */
double sph_kernel_plot_get_sum(SphKernelPlot *plot, int l);
/* max_l |sum_l - 1|; 0 when empty. */
double sph_kernel_plot_get_max_sum_error(SphKernelPlot *plot);

G_END_DECLS
