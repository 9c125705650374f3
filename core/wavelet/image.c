/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/image.h"

#include <inttypes.h>
#include <stdlib.h>

#include "sphaera/mem.h"

SphImage *sph_image_new(int64_t height, int64_t width, SphError *err)
{
  if (height < 1 || width < 1) {
    sph_error_set(err, SPH_ERR_INVALID, "image of %" PRId64 " x %" PRId64 " pixels is empty",
                  height, width);
    return NULL;
  }
  if (height > SPH_IMAGE_MAX_SIDE || width > SPH_IMAGE_MAX_SIDE) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "image of %" PRId64 " x %" PRId64 " pixels: a side exceeds %" PRId64,
                  height, width, SPH_IMAGE_MAX_SIDE);
    return NULL;
  }
  SphImage *image = calloc(1, sizeof *image);
  if (image == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory for an image");
    return NULL;
  }
  image->height = height;
  image->width = width;
  image->data = sph_calloc_aligned((size_t)(height * width), sizeof(double), err);
  if (image->data == NULL) {
    free(image);
    sph_error_prefix(err, "image of %" PRId64 " x %" PRId64 " pixels", height, width);
    return NULL;
  }
  return image;
}

void sph_image_free(SphImage *image)
{
  if (image == NULL)
    return;
  sph_free_aligned(image->data);
  free(image);
}
