/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#include "sphaera/error.h"
#include "sphaera/fits_map.h" /* SphFitsType, for the files */
#include "sphaera/mem.h"

/* Angular power spectra C_l, l = 0..lmax, of up to six components in healpy's order
 * (what anafast returns and synfast takes): TT, EE, BB, TE, EB, TB. Fewer components are
 * the first ones of that list: 1 is TT alone, 4 is TT, EE, BB, TE. A plain struct, so
 * every module can fill one; new and free are inline for the same reason (the files are
 * read and written by the io module, below). */

#define SPH_SPECTRA_MAX 6
#define SPH_SPECTRUM_NAME_MAX 72

typedef struct {
  int lmax;
  int ncomp;                                          /* 1..SPH_SPECTRA_MAX */
  char names[SPH_SPECTRA_MAX][SPH_SPECTRUM_NAME_MAX]; /* "TT", "EE", ... */
  double *cl[SPH_SPECTRA_MAX]; /* ncomp arrays of lmax + 1 values, SPH_ALIGNMENT-aligned */
} SphSpectra;

/* The name of component k (0..5) in healpy's order. */
static inline const char *sph_spectrum_name(int k)
{
  static const char *const names[SPH_SPECTRA_MAX] = { "TT", "EE", "BB", "TE", "EB", "TB" };
  return k >= 0 && k < SPH_SPECTRA_MAX ? names[k] : "";
}

static inline void sph_spectra_free(SphSpectra *s)
{
  if (s == NULL)
    return;
  for (int k = 0; k < SPH_SPECTRA_MAX; k++)
    sph_free_aligned(s->cl[k]);
  free(s);
}

/* Zero spectra with the names of healpy's order. */
static inline SphSpectra *sph_spectra_new(int lmax, int ncomp, SphError *err)
{
  if (lmax < 0 || ncomp < 1 || ncomp > SPH_SPECTRA_MAX) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "power spectra: need lmax >= 0 and 1 to %d components, got lmax=%d and %d",
                  SPH_SPECTRA_MAX, lmax, ncomp);
    return NULL;
  }
  SphSpectra *s = (SphSpectra *)calloc(1, sizeof *s);
  if (s == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "power spectra: out of memory");
    return NULL;
  }
  s->lmax = lmax;
  s->ncomp = ncomp;
  for (int k = 0; k < ncomp; k++) {
    snprintf(s->names[k], SPH_SPECTRUM_NAME_MAX, "%s", sph_spectrum_name(k));
    s->cl[k] = (double *)sph_calloc_aligned((size_t)lmax + 1, sizeof(double), err);
    if (s->cl[k] == NULL) {
      sph_error_prefix(err, "power spectra up to lmax=%d", lmax);
      sph_spectra_free(s);
      return NULL;
    }
  }
  return s;
}

/* ---- files (the io module) ---------------------------------------------------------
 * Every failure names the file and what is wrong with it. Writers are atomic: a failed
 * write leaves any existing file untouched. */

/* FITS as healpy's read_cl/write_cl: a binary table in the first extension, one column
 * per component, one row per l from 0. Reading is by position, as healpy's: the column
 * names (healpy's write_cl calls them TEMPERATURE, GRADIENT, CURL, G-T, C-T, C-G; other
 * writers differ) are not interpreted, and the names read are healpy's order. */
SphSpectra *sph_cl_read_fits(const char *path, SphError *err);
/* Writes healpy's column names and CREATOR keyword; a name ending in ".gz" is written
 * gzip-compressed. */
SphStatus sph_cl_write_fits(const char *path, const SphSpectra *spectra, SphFitsType type,
                            SphError *err);

/* The text layout of CAMB and HEALPix's totcls.dat: one row per l, columns l and then
 * D_l = l(l+1) C_l / 2 pi of each component (TT, EE, BB, TE, ... in healpy's order) in
 * the file's unit (uK^2 for totcls.dat). Rows start at any l >= 0 and go up by one;
 * lines starting with '#' and blank lines are skipped; Fortran's D exponent (1.0D+03)
 * reads as E. Reading converts to C_l = D_l / (l(l+1)/2 pi), as healpy's
 * load_sample_spectra does; C_l below the first row's l are 0, and so is C_0, which
 * D_0 = 0 cannot give back (a nonzero D_0 is refused: such a column is not D_l). */
SphSpectra *sph_cl_read_text(const char *path, SphError *err);
/* Rows from l = 0 (D_0 = 0, whatever C_0 is), values with 17 significant digits so that
 * reading back gives the same D_l. */
SphStatus sph_cl_write_text(const char *path, const SphSpectra *spectra, SphError *err);
