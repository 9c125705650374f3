/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sphaera/alm.h"
#include "sphaera/error.h"
#include "sphaera/fits_map.h" /* SphFitsType */

/* Spherical harmonic coefficients in FITS as healpy's read_alm/write_alm (and HEALPix's
 * Fortran and C++ libraries) keep them: one binary-table extension per set (T, E, B of a
 * polarised field in extensions 1, 2, 3), columns INDEX = l*l + l + m + 1 (an integer),
 * REAL and IMAG (float32 or float64), one coefficient per row in any order. Only
 * m >= 0 is stored. Column names are matched without regard to case (healpy writes
 * "index", "real", "imag"; HEALPix's Fortran library "INDEX", "REAL", "IMAG").
 *
 * Reading takes lmax and mmax from the largest l and m present and places each row by
 * its index, so coefficients the file leaves out read as zero. Every failure names the
 * file and what is wrong with it: not a FITS file, a missing column, an index that is
 * not l*l + l + m + 1 for some 0 <= m <= l, the same (l, m) twice, sets of different
 * lmax, a truncated file. gzip-compressed files read as plain ones. */

/* The set in extension number `extension`, counted as healpy's hdu argument counts it:
 * 1 is the first extension (FITS HDU 2). stored_type (may be NULL) receives the type of
 * the REAL and IMAG columns, so a converter can keep it. */
SphAlm *sph_fits_read_alm(const char *path, int extension, SphFitsType *stored_type,
                          SphError *err);

/* Every extension's set (T, E, B), which must share lmax and mmax, as healpy's
 * read_alm(path, hdu=(1, 2, ...)) requires: *alms receives an array of *nsets sets, to
 * be freed with sph_fits_alm_sets_free(). */
SphStatus sph_fits_read_alm_all(const char *path, SphAlm ***alms, int *nsets,
                                SphFitsType *stored_type, SphError *err);
void sph_fits_alm_sets_free(SphAlm **alms, int nsets);

typedef struct {
  SphFitsType type; /* of the REAL and IMAG columns */
  /* As healpy's write_alm: lmax = -1 writes every l of the sets; a smaller lmax leaves
   * out l > lmax (a larger one is refused). mmax = -1 means lmax; m beyond mmax or the
   * sets' own mmax is left out. */
  int lmax;
  int mmax;
} SphFitsAlmWriteOptions;

/* Writes nsets sets (sharing lmax and mmax) to extensions 1..nsets, rows in healpy's
 * order (m-major), atomically: a failure leaves any existing file untouched. A name
 * ending in ".gz" is written gzip-compressed. options may be NULL (float64, all l
 * and m). INDEX is int32 as healpy writes it, or int64 beyond l = 46339, where int32
 * cannot hold it. */
SphStatus sph_fits_write_alm(const char *path, const SphAlm *const *alms, int nsets,
                             const SphFitsAlmWriteOptions *options, SphError *err);
