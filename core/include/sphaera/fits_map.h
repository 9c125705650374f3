/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>

#include "sphaera/error.h"
#include "sphaera/map.h"

/* HEALPix maps in FITS as healpy's read_map/write_map: a binary table in the first
 * extension, one column per field, any number of values per row (WMAP files hold 1024),
 * float32 or float64 (integer columns are read as doubles), full sky (INDXSCHM IMPLICIT)
 * or partial sky (INDXSCHM EXPLICIT, with a PIXEL column; absent pixels read UNSEEN).
 * gzip-compressed files (.fits.gz) read as plain ones. Every failure names the file and
 * what is wrong with it. */

typedef enum { SPH_FITS_FLOAT32 = 0, SPH_FITS_FLOAT64 = 1 } SphFitsType;

/* The on-disk type a map was read from, so `convert` can keep it by default. */
SphMap *sph_fits_read_map(const char *path, SphFitsType *stored_type, SphError *err);

typedef struct {
  SphFitsType type;  /* column type */
  bool partial;      /* write only seen pixels, with a PIXEL column (INDXSCHM EXPLICIT) */
} SphFitsWriteOptions;

/* Writes atomically: to a temporary file beside path, then renamed over it, so a failed
 * write (a full disk, say) leaves any existing file untouched. options may be NULL
 * (float64, full sky). */
SphStatus sph_fits_write_map(const char *path, const SphMap *map,
                             const SphFitsWriteOptions *options, SphError *err);
