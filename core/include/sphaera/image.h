/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "sphaera/error.h"

/* A planar image of real pixels: `height` rows of `width` pixels, row-major, so pixel
 * (row, col) is data[row * width + col]. Rows run in FITS order (NAXIS2), columns along
 * NAXIS1. The pixel array comes from sph_alloc_aligned(). */
typedef struct {
  int64_t height;
  int64_t width;
  double *data;
} SphImage;

/* The largest side accepted, so that height * width * sizeof(double) cannot overflow. */
#define SPH_IMAGE_MAX_SIDE (INT64_C(1) << 24)

/* A zero-filled image; SPH_ERR_INVALID for a side below 1 or above SPH_IMAGE_MAX_SIDE,
 * SPH_ERR_NOMEM when memory is short. */
SphImage *sph_image_new(int64_t height, int64_t width, SphError *err);
void sph_image_free(SphImage *image);

static inline int64_t sph_image_npix(const SphImage *image)
{
  return image->height * image->width;
}
