/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/scatter_csv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "fits_atomic.h"

SphStatus sph_scatter_write_csv(const char *path, int64_t count, const SphScatterLabel *labels,
                                const double *values, SphError *err)
{
  if (count < 1)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: no coefficients to write", path);
  SphFitsAtomic *out;
  FILE *stream;
  SphStatus st = sph_atomic_create_stream(path, &out, &stream, err);
  if (st != SPH_OK)
    return st;
  int failed = fprintf(stream, "index,order,j1,l1,j2,l2,value\n") < 0;
  for (int64_t i = 0; i < count && !failed; i++) {
    const SphScatterLabel *l = &labels[i];
    failed = fprintf(stream, "%" PRId64 ",%d,%d,%d,%d,%d,%.17g\n", i, l->order, l->j1, l->l1,
                     l->j2, l->l2, values[i]) < 0;
  }
  return sph_fits_atomic_commit(out, failed ? (errno != 0 ? errno : EIO) : 0, err);
}
