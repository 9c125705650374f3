/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading healpy-data's ring weight tables. The files of NSIDE <= 256 hold one value
 * per row, the larger ones 1024 values per row: CFITSIO's column reader walks across
 * rows, so both read the same way. */
#include "sphaera/ring_weights_io.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "fits_input.h"

char *sph_healpix_ring_weights_filename(const char *dir, int64_t nside)
{
  const char *d = dir != NULL && dir[0] != '\0' ? dir : ".";
  int n = snprintf(NULL, 0, "%s/weight_ring_n%05" PRId64 ".fits", d, nside);
  char *path = n > 0 ? malloc((size_t)n + 1) : NULL;
  if (path != NULL)
    snprintf(path, (size_t)n + 1, "%s/weight_ring_n%05" PRId64 ".fits", d, nside);
  return path;
}

SphStatus sph_read_healpix_ring_weights(const char *path, int64_t nside, double *dweight,
                                        SphError *err)
{
  if (path == NULL || dweight == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "ring weights: no file or output array given");
  if (nside < 1 || nside > (1 << 28))
    return sph_error_set(err, SPH_ERR_INVALID, "%s: NSIDE=%lld is out of range", path,
                         (long long)nside);
  SphFitsInput in;
  SphStatus st = sph_fits_input_open(&in, path, err);
  if (st != SPH_OK)
    return st;
  st = sph_fits_input_table(&in, 2, "HDU 2", "HEALPix ring weights");
  if (st != SPH_OK) {
    sph_fits_input_close(&in);
    return st;
  }
  int status = 0;
  long file_nside = 0;
  fits_read_key(in.fits, TLONG, "NSIDE", &file_nside, NULL, &status);
  if (status == 0 && file_nside != nside) {
    sph_fits_input_close(&in);
    return sph_error_set(err, SPH_ERR_FORMAT,
                         "%s: the ring weights are for NSIDE=%ld, the map has NSIDE=%lld", path,
                         file_nside, (long long)nside);
  }
  status = 0;
  long long nrows = 0;
  int typecode = 0;
  long repeat = 0, width = 0;
  int ncols = 0;
  fits_get_num_cols(in.fits, &ncols, &status);
  fits_get_num_rowsll(in.fits, &nrows, &status);
  if (status == 0 && ncols >= 1)
    fits_get_coltype(in.fits, 1, &typecode, &repeat, &width, &status);
  if (status != 0 || ncols < 1 || (long long)repeat * nrows != 2 * nside) {
    sph_fits_input_close(&in);
    return sph_error_set(err, SPH_ERR_FORMAT,
                         "%s: expected a column of 2 NSIDE = %lld ring weights, found %lld", path,
                         (long long)(2 * nside), status != 0 ? 0LL : (long long)repeat * nrows);
  }
  int anynul = 0;
  fits_read_col(in.fits, TDOUBLE, 1, 1, 1, (LONGLONG)(2 * nside), NULL, dweight, &anynul, &status);
  if (status != 0) {
    st = sph_fits_input_read_failed(&in, status);
    sph_fits_input_close(&in);
    return st;
  }
  sph_fits_input_close(&in);
  for (int64_t r = 0; r < 2 * nside; r++)
    if (!(dweight[r] > -1.0 && dweight[r] < 1e6))
      return sph_error_set(err, SPH_ERR_FORMAT,
                           "%s: ring %lld's weight correction %g leaves no positive weight", path,
                           (long long)(r + 1), dweight[r]);
  return SPH_OK;
}
