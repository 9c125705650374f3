/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sphaera/error.h"
#include "sphaera/image.h"

/* Planar images in FITS image HDUs: NAXIS1 is the width (columns), NAXIS2 the height
 * (rows), any BITPIX, with BSCALE/BZERO applied by CFITSIO. */

/* The first image HDU holding a 2-D image (NAXIS = 2, or NAXIS = 3 with one plane): the
 * primary HDU or an extension, so a table-only file (a HEALPix map) is refused with a
 * message that says so. Blank (NaN or BLANK) pixels, cubes of several planes and empty
 * images are refused too. Returns NULL with err filled (the path in every message). */
SphImage *sph_fits_read_image(const char *path, SphError *err);

/* Writes image as a 64-bit float primary HDU, atomically (see core/io/fits_atomic.h). */
SphStatus sph_fits_write_image(const char *path, const SphImage *image, SphError *err);
