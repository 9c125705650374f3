/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <complex.h>
#include <stdint.h>

#include "sphaera/error.h"

/* A planar Morlet filter bank, kymatio's construction (Bruna and Mallat 2013; kymatio's
 * scattering2d/filter_bank.py): J scales j = 0..J-1 and L orientations l = 0..L-1 of
 *     psi_{j,l}(u) = g(u; sigma_j, theta_l, xi_j) - K g(u; sigma_j, theta_l, 0)
 * with the Gabor function of pixel offset u = (row, column)
 *     g(u; sigma, theta, xi) = exp(-u^T R D R^T u / (2 sigma^2) + i xi (cos theta, sin theta).u)
 *                              / (2 pi sigma^2 / s),   D = diag(1, s^2),
 * sigma_j = 0.8 2^j, xi_j = (3 pi / 4) 2^-j, slant s = 4 / L, theta_l = (L/2 - 1 - l) pi / L
 * (kymatio's int(L - L/2 - 1) - l), and K chosen so that psi has zero mean on the grid.
 * The low-pass is the Gaussian phi(u) = g(u; 0.8 2^(J-1), 0, 0) with s = 1.
 *
 * The filters are periodic on the (padded) grid of P rows and Q columns. kymatio sums
 * 5 x 5 periodic copies in space and takes the DFT; here the DFT is built directly: the
 * continuous transform of g is exp(-sigma^2/2 (w - xi)^T R D^-1 R^T (w - xi)), and the
 * DFT of the periodised, sampled filter is its sum over the 2 pi aliases of each DFT
 * frequency (Poisson summation), taken until the terms fall below e^-40 of the peak.
 * The spectra are real (the Gaussian envelope is even). kymatio normalises by
 * 2 * 3.1415 sigma^2 / s; the exact pi is used here, so kymatio's filters are ours
 * times pi / 3.1415.
 *
 * Spectra use FFTW's unnormalised forward DFT, X[k] = sum_n x[n] exp(-2 pi i k.n / N),
 * row-major P x Q with frequency index k in 0..P-1 (k >= P/2 stands for k - P). */

typedef enum {
  SPH_BOUNDARY_PERIODIC, /* the image is one period: no padding */
  SPH_BOUNDARY_REFLECT,  /* kymatio's padding: mirrored about the edge pixels (numpy's
                          * 'reflect', the edge pixel not repeated) to a multiple of 2^J */
} SphBoundary;

#define SPH_MORLET_MAX_SCALES 16
#define SPH_MORLET_MAX_ORIENTATIONS 64
#define SPH_MORLET_MAX_SIDE 65536

/* theta_l of kymatio's orientation l for L orientations. */
double sph_morlet_angle(int L, int l);

/* The padded grid kymatio uses for an image of `size` pixels along one axis and J scales
 * under `boundary`: PERIODIC keeps size (which must then be a multiple of 2^J); REFLECT
 * pads to ((size + 2^J) / 2^J + 1) 2^J with (padded - size) / 2 pixels before. */
void sph_morlet_padding(int64_t size, int J, SphBoundary boundary, int64_t *padded,
                        int64_t *before);

typedef struct SphMorletBank SphMorletBank;

/* The filter bank for images of height x width pixels. Fails with SPH_ERR_INVALID for
 * an empty image, a side above SPH_MORLET_MAX_SIDE, J outside 1..SPH_MORLET_MAX_SCALES, L outside
 * 1..SPH_MORLET_MAX_ORIENTATIONS, periodic sides that are not multiples of 2^J, or a
 * reflecting pad wider than the image (which one reflection cannot fill). */
SphMorletBank *sph_morlet_bank_new(int64_t height, int64_t width, int J, int L,
                                   SphBoundary boundary, SphError *err);
void sph_morlet_bank_free(SphMorletBank *bank);

int sph_morlet_bank_J(const SphMorletBank *bank);
int sph_morlet_bank_L(const SphMorletBank *bank);
SphBoundary sph_morlet_bank_boundary(const SphMorletBank *bank);
/* The image size the bank was made for, and its padded grid. */
void sph_morlet_bank_image_size(const SphMorletBank *bank, int64_t *height, int64_t *width);
void sph_morlet_bank_grid(const SphMorletBank *bank, int64_t *rows, int64_t *cols,
                          int64_t *pad_top, int64_t *pad_left);

/* The spectrum (P x Q real values) of psi_{j,l} at full resolution, or of phi. */
const double *sph_morlet_bank_psi(const SphMorletBank *bank, int j, int l);
const double *sph_morlet_bank_phi(const SphMorletBank *bank);

/* The same spectrum on the grid subsampled by 2^res (P/2^res x Q/2^res): the sum of its
 * aliases, which is the DFT of 4^res psi(2^res n), the filter sampled on the coarse grid
 * times the coarse pixel's area. (kymatio crops the spectrum to the coarse band instead;
 * the alias sum keeps the bank exactly covariant under 90-degree rotations.)
 * res = 0..J - 1; NULL out of range. */
const double *sph_morlet_bank_psi_at(const SphMorletBank *bank, int j, int l, int res);
const double *sph_morlet_bank_phi_at(const SphMorletBank *bank, int res);

/* (image * psi_{j,l}) at every pixel of the image (height x width complex values),
 * computed on the padded grid with FFTW; l = -1 gives the low-pass (image * phi).
 * Convolution, not correlation: out[n] = sum_m image[m] psi(n - m). Thread-safe. */
SphStatus sph_morlet_bank_filter(const SphMorletBank *bank, const double *image, int j, int l,
                                 double complex *out, SphError *err);
