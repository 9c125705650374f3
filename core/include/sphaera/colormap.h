/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Colormaps as 256-entry RGB tables, matplotlib's and healpy's: viridis, magma, greys
 * (matplotlib's 'gray': black to white), RdBu (diverging, red low, blue high) and planck
 * (healpy's planck_cmap.dat). Entry i is matplotlib's colour for lookup index i, each
 * channel rounded to the nearest byte (core/view/colormap_tables.inc says how they were
 * made). The GL view uploads the same table as a texture, so both renderers colour
 * identically. matplotlib itself picks entry floor(t * 256) (clipped to 255); Sphaera's
 * sph_colormap_index() rounds t * 255 instead, which differs by at most one entry. */

typedef enum {
  SPH_CMAP_VIRIDIS = 0,
  SPH_CMAP_PLANCK,
  SPH_CMAP_GREYS,
  SPH_CMAP_MAGMA,
  SPH_CMAP_RDBU,
  SPH_CMAP_COUNT
} SphColormap;

#define SPH_CMAP_SIZE 256

/* healpy's default colours: bad (UNSEEN, NaN) pixels grey, the background white. */
#define SPH_BAD_R 128
#define SPH_BAD_G 128
#define SPH_BAD_B 128

/* SPH_CMAP_SIZE rows of R, G, B bytes. */
const uint8_t *sph_colormap_table(SphColormap cmap);
/* NULL for a value outside the enum. */
const char *sph_colormap_name(SphColormap cmap); /* "viridis", "planck", "greys", "magma", "rdbu" */
/* Case-insensitive; also accepts "gray" and "grey" for greys. */
bool sph_colormap_from_name(const char *name, SphColormap *cmap);

/* The table entry for t in [0, 1] (clamped): index floor(t * 255 + 0.5), as the shader does. */
int sph_colormap_index(double t);
