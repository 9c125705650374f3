/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "sphaera/error.h"

/* healpy-data's HEALPix ring weight files (weight_ring_n%05d.fits, what healpy's
 * map2alm(use_weights=True) reads): 2 NSIDE corrections dweight[r] for rings 1..2 NSIDE,
 * the layout sph_healpix_ring_weights computes (ring_geometry.h). */

/* Reads the first column (the temperature weights) of the file's first table, which
 * must be for this NSIDE (its NSIDE keyword, when present, and 2 NSIDE values). */
SphStatus sph_read_healpix_ring_weights(const char *path, int64_t nside, double *dweight,
                                        SphError *err);

/* dir/weight_ring_nNNNNN.fits, healpy-data's name for nside's file (g_free-less: free()). */
char *sph_healpix_ring_weights_filename(const char *dir, int64_t nside);
