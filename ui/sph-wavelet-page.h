/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sph-coefficient-grid.h"
#include "sph-kernel-plot.h"
#include "sph-scattering-plot.h"
#include "sph-sky-page.h"
#include "sph-wavelet-work.h"

G_BEGIN_DECLS

/* The Wavelets page: for the Sky page's current map, the scale-discretised kernels
 * against l (their squares summing to one), the wavelet coefficient maps per scale (and,
 * with N >= 2 directions, per direction) as Mollweide thumbnails (a click opens one as a Sky page layer and shows it), and the
 * spherical scattering coefficients; for a planar image, its Morlet-filtered moduli per
 * scale and orientation and its planar scattering coefficients. The work runs in a
 * GTask with a SphJob: progress and Cancel in the status line. */

#define SPH_TYPE_WAVELET_PAGE (sph_wavelet_page_get_type())
G_DECLARE_FINAL_TYPE(SphWaveletPage, sph_wavelet_page, SPH, WAVELET_PAGE, GtkBox)

GtkWidget *sph_wavelet_page_new(void);

/* The Sky page whose map is analysed and which receives opened bands. Unset (NULL), the
 * page looks for the sibling named "sky" in its GtkStack (the window's). */
void sph_wavelet_page_set_sky_page(SphWaveletPage *page, SphSkyPage *sky);

/* Sets the sphere controls: dilation B, J_min, band limit L, oversample (1 or 2). */
void sph_wavelet_page_configure(SphWaveletPage *page, double B, int j_min, int L,
                                int oversample);
/* Sets the sphere's directions N (1..8): 1 axisymmetric, N >= 2 directional wavelets with
 * 2N - 1 coefficient maps per scale (the scattering stays axisymmetric). */
void sph_wavelet_page_set_directions(SphWaveletPage *page, int N);
/* Sets the planar controls: scales J and orientations. */
void sph_wavelet_page_configure_plane(SphWaveletPage *page, int J, int orientations);

/* Starts the sphere computation on the Sky page's current map and field (Ctrl+Return);
 * FALSE when one is running or there is no map (the status line says which). */
gboolean sph_wavelet_page_compute(SphWaveletPage *page);
/* Loads a PNG or JPEG (scaled to fit 256 x 256) as its luminance and starts the planar
 * computation; FALSE with error when it cannot be read or a job runs. */
gboolean sph_wavelet_page_open_image(SphWaveletPage *page, const char *path, GError **error);
void sph_wavelet_page_cancel(SphWaveletPage *page);
gboolean sph_wavelet_page_is_running(SphWaveletPage *page);
/* How the last run ended (SPH_OK, SPH_ERR_CANCELLED, ...). */
SphStatus sph_wavelet_page_get_last_status(SphWaveletPage *page);
/* The last finished run's results (NULL before one). */
const SphWaveletWork *sph_wavelet_page_get_result(SphWaveletPage *page);

SphKernelPlot *sph_wavelet_page_get_kernel_plot(SphWaveletPage *page);
SphCoefficientGrid *sph_wavelet_page_get_grid(SphWaveletPage *page);
SphScatteringPlot *sph_wavelet_page_get_scattering_plot(SphWaveletPage *page);

G_END_DECLS
