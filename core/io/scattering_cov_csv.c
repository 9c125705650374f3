/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/scattering_cov.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "fits_atomic.h"

SphStatus sph_scattering_cov_write_csv(const char *path, const SphScatteringCov *plan,
                                       const double *stats, SphError *err)
{
  SphFitsAtomic *out;
  FILE *stream;
  SphStatus st = sph_atomic_create_stream(path, &out, &stream, err);
  if (st != SPH_OK)
    return st;
  int failed = fprintf(stream, "index,kind,part,j1,l1,j2,l2,j3,l3,value\n") < 0;
  int64_t count = sph_scattering_cov_nstats(plan);
  for (int64_t i = 0; i < count && !failed; i++) {
    SphScatCovLabel l = sph_scattering_cov_label(plan, i);
    failed = fprintf(stream, "%" PRId64 ",%s,%s,%d,%d,%d,%d,%d,%d,%.17g\n", i,
                     sph_scattering_cov_kind_name(l.kind), l.imag ? "im" : "re", l.j1, l.l1,
                     l.j2, l.l2, l.j3, l.l3, stats[i]) < 0;
  }
  return sph_fits_atomic_commit(out, failed ? (errno != 0 ? errno : EIO) : 0, err);
}
