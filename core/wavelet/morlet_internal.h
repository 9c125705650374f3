/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <complex.h>
#include <stdint.h>

#include "sphaera/morlet.h"

/* Shared by the Morlet bank (morlet.c) and the planar scattering (scatter_plane.c). */

/* The image index (0..size-1) that padded index t copies: t - before mirrored once
 * about the first and last pixels. */
int64_t sph_morlet_source_index(int64_t t, int64_t before, int64_t size);
/* The image padded to the bank's grid (P x Q, as complex values). */
void sph_morlet_pad(const SphMorletBank *bank, const double *image, double complex *padded);
/* The adjoint of the padding: each padded pixel added back onto the one it copies. */
void sph_morlet_pad_adjoint(const SphMorletBank *bank, const double *padded, double *image);

/* Where a filter spectrum at one resolution is not exactly zero (the alias sum leaves
 * exact zeros where every term is below the cutoff): for each row k1, the column runs
 * spans[row_start[k1] .. row_start[k1 + 1]), each [first, end). Products with the
 * spectrum then skip the zeros. */
typedef struct {
  int64_t *row_start; /* rows + 1 */
  int32_t (*spans)[2];
} SphMorletSupport;

/* The support of psi_{j,l} (l >= 0) or of phi (l = -1) at resolution res. */
const SphMorletSupport *sph_morlet_bank_support(const SphMorletBank *bank, int j, int l, int res);
