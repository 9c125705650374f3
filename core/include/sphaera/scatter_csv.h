/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "sphaera/error.h"
#include "sphaera/scattering.h"

/* Scattering coefficients as CSV, one row per coefficient:
 *     index,order,j1,l1,j2,l2,value
 * labels that do not apply (j1 and l1 at order 0, j2 and l2 below order 2) are -1;
 * values with 17 significant digits, so they read back exactly. Written atomically. */
SphStatus sph_scatter_write_csv(const char *path, int64_t count, const SphScatterLabel *labels,
                                const double *values, SphError *err);
