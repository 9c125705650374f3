/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Files that appear atomically, private to core/io. A writer creates the file under a
 * temporary name beside the target, writes it, and commits: the file is synced and
 * renamed over the target, so a reader sees the old file or the whole new one, never a
 * part, and a failure anywhere (a full disk, a cancelled job) leaves any previous file
 * as it was and no temporary file behind.
 *
 *     SphFitsAtomic *out;
 *     fitsfile *fits;
 *     SphStatus st = sph_fits_atomic_create(path, &out, &fits, err);
 *     if (st != SPH_OK)
 *       return st;
 *     int status = 0;
 *     ... CFITSIO calls on fits, accumulating status ...
 *     return sph_fits_atomic_commit(out, status, err);
 *
 * Every message names the target path and says what went wrong. */

#include <fitsio.h>
#include <stdio.h>

#include "sphaera/error.h"

typedef struct SphFitsAtomic SphFitsAtomic;

/* Creates the temporary file and opens it with CFITSIO, empty (no HDU yet). A target
 * name ending in ".gz" makes a gzip-compressed file, as astropy does for healpy. Fails
 * (*out and *fits NULL, err filled) when the name is empty or a directory, the
 * directory is missing or not writable, or CFITSIO fails. */
SphStatus sph_fits_atomic_create(const char *path, SphFitsAtomic **out, fitsfile **fits,
                                 SphError *err);

/* The same for a plain byte stream (text formats): *stream is open for writing. The
 * name is taken literally, ".gz" included. */
SphStatus sph_atomic_create_stream(const char *path, SphFitsAtomic **out, FILE **stream,
                                   SphError *err);

/* Closes the file and, when status is 0, syncs it and renames it over the target.
 * status is what the writing ended with: the CFITSIO status for a FITS file, an errno
 * value for a stream (whose flush and close are checked here too). On any failure the
 * temporary file is removed and err says why. Frees out in every case. */
SphStatus sph_fits_atomic_commit(SphFitsAtomic *out, int status, SphError *err);

/* Closes and removes the temporary file, leaving the target as it was; frees out.
 * For a writer that stops for its own reason (a bad argument found late, a
 * cancellation) and has already filled err. NULL is ignored. */
void sph_fits_atomic_abort(SphFitsAtomic *out);
