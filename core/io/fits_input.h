/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Opening a FITS file for reading with messages a user can act on, shared by the map,
 * alm and spectrum readers; private to core/io. CFITSIO alone reports a missing file, a text file, a cut file or a damaged
 * header with the same few vague codes, and sizes its buffers from untrusted headers;
 * these checks look at the file first and name what is wrong. */

#include <fitsio.h>
#include <stdbool.h>
#include <stdint.h>

#include "sphaera/error.h"

typedef struct {
  const char *path;
  SphError *err;
  fitsfile *fits;    /* open after sph_fits_input_open() succeeds */
  bool compressed;   /* gzip and the other formats CFITSIO decompresses on the fly */
  bool regular;      /* a regular file: its size is known before decompression */
  int64_t file_size;
  bool marked;       /* a CFITSIO error mark is set, to be cleared on closing */
} SphFitsInput;

/* Sets path and err, checks the file (missing, unreadable, a directory, empty, not FITS,
 * cut inside the primary header, a gzip file cut short) and opens it read-only. The
 * name is taken literally (no CFITSIO "[ext]" syntax). */
SphStatus sph_fits_input_open(SphFitsInput *in, const char *path, SphError *err);

/* Moves to HDU number hdu (1 is the primary HDU), which must be a binary table whose
 * data the file holds in full. hdu_name is how messages call it ("HDU 2",
 * "extension 3") and kind what the file should hold ("a HEALPix map"). */
SphStatus sph_fits_input_table(SphFitsInput *in, int hdu, const char *hdu_name,
                               const char *kind);

/* Refuses a plain file that does not end on a FITS block boundary: a file cut inside a
 * header, which CFITSIO would take for the end of the file. For readers of every HDU. */
SphStatus sph_fits_input_check_end(SphFitsInput *in);

/* The message for a table read (fits_read_tblbytes, fits_read_col) that failed with
 * CFITSIO status: a truncation when the data ran out, an I/O error otherwise. */
SphStatus sph_fits_input_read_failed(SphFitsInput *in, int status);

/* Closes the file, if open; safe to call more than once. */
void sph_fits_input_close(SphFitsInput *in);
