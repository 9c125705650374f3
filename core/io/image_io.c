/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/fits_image.h"

#include <fitsio.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>

#include "fits_atomic.h"
#include "fits_input.h"

/* Whether the current HDU is an image with pixels; its sides when it is 2-D. */
static SphStatus image_shape(SphFitsInput *in, int hdu, bool *is_image, int64_t *height,
                             int64_t *width)
{
  int status = 0, type = 0, naxis = 0;
  long naxes[3] = {0, 0, 0};
  *is_image = false;
  fits_get_hdu_type(in->fits, &type, &status);
  if (status != 0 || type != IMAGE_HDU)
    return SPH_OK;
  fits_get_img_dim(in->fits, &naxis, &status);
  if (status != 0 || naxis == 0)
    return SPH_OK;
  if (naxis < 2 || naxis > 3)
    return sph_error_set(in->err, SPH_ERR_UNSUPPORTED,
                         "%s: HDU %d is a %d-dimensional image; a planar image has 2 axes",
                         in->path, hdu, naxis);
  fits_get_img_size(in->fits, naxis, naxes, &status);
  if (status != 0)
    return sph_error_set(in->err, SPH_ERR_FORMAT, "%s: HDU %d: unreadable image size", in->path,
                         hdu);
  if (naxis == 3 && naxes[2] != 1)
    return sph_error_set(in->err, SPH_ERR_UNSUPPORTED,
                         "%s: HDU %d is a cube of %ld planes (colour?); convert it to one "
                         "plane first", in->path, hdu, naxes[2]);
  if (naxes[0] < 1 || naxes[1] < 1)
    return sph_error_set(in->err, SPH_ERR_INVALID, "%s: HDU %d: the image (%ld x %ld) is empty",
                         in->path, hdu, naxes[1], naxes[0]);
  if (naxes[0] > SPH_IMAGE_MAX_SIDE || naxes[1] > SPH_IMAGE_MAX_SIDE)
    return sph_error_set(in->err, SPH_ERR_UNSUPPORTED,
                         "%s: HDU %d: an image of %ld x %ld pixels is too large", in->path, hdu,
                         naxes[1], naxes[0]);
  *is_image = true;
  *height = naxes[1];
  *width = naxes[0];
  return SPH_OK;
}

SphImage *sph_fits_read_image(const char *path, SphError *err)
{
  SphFitsInput in;
  if (sph_fits_input_open(&in, path, err) != SPH_OK)
    return NULL;
  int status = 0, nhdu = 0;
  fits_get_num_hdus(in.fits, &nhdu, &status);
  SphImage *image = NULL;
  for (int hdu = 1; status == 0 && hdu <= nhdu; hdu++) {
    int type = 0;
    bool is_image = false;
    int64_t height = 0, width = 0;
    if (fits_movabs_hdu(in.fits, hdu, &type, &status) != 0)
      break;
    if (image_shape(&in, hdu, &is_image, &height, &width) != SPH_OK) {
      sph_fits_input_close(&in);
      return NULL;
    }
    if (!is_image)
      continue;
    image = sph_image_new(height, width, err);
    if (image == NULL) {
      sph_error_prefix(err, "%s", path);
      sph_fits_input_close(&in);
      return NULL;
    }
    if (sph_fits_input_check_end(&in) != SPH_OK) {
      sph_image_free(image);
      sph_fits_input_close(&in);
      return NULL;
    }
    int anynul = 0;
    double nulval = NAN;
    fits_read_img(in.fits, TDOUBLE, 1, (LONGLONG)(height * width), &nulval, image->data, &anynul,
                  &status);
    SphStatus st = SPH_OK;
    if (status != 0) {
      st = sph_fits_input_read_failed(&in, status);
    } else {
      for (int64_t i = 0; i < height * width && st == SPH_OK; i++)
        if (!isfinite(image->data[i]))
          st = sph_error_set(err, SPH_ERR_FORMAT,
                             "%s: HDU %d has blank or non-finite pixels (the first at row %" PRId64
                             ", column %" PRId64 "); fill them before a transform", path, hdu,
                             i / width, i % width);
    }
    sph_fits_input_close(&in);
    if (st != SPH_OK) {
      sph_image_free(image);
      return NULL;
    }
    return image;
  }
  sph_fits_input_close(&in);
  if (status != 0)
    sph_error_set(err, SPH_ERR_FORMAT, "%s: cannot read its HDUs (CFITSIO status %d)", path, status);
  else
    sph_error_set(err, SPH_ERR_FORMAT,
                  "%s: no 2-D image HDU (its %d HDU%s hold%s no image; a HEALPix map is a table)",
                  path, nhdu, nhdu == 1 ? "" : "s", nhdu == 1 ? "s" : "");
  return NULL;
}

SphStatus sph_fits_write_image(const char *path, const SphImage *image, SphError *err)
{
  if (image == NULL || image->height < 1 || image->width < 1)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: the image is empty", path);
  SphFitsAtomic *out;
  fitsfile *fits;
  SphStatus st = sph_fits_atomic_create(path, &out, &fits, err);
  if (st != SPH_OK)
    return st;
  int status = 0;
  long naxes[2] = {(long)image->width, (long)image->height};
  fits_create_img(fits, DOUBLE_IMG, 2, naxes, &status);
  fits_write_img(fits, TDOUBLE, 1, (LONGLONG)(image->height * image->width), image->data,
                 &status);
  return sph_fits_atomic_commit(out, status, err);
}
