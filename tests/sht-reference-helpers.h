/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the transform tests (test-sht, test-sht-spin) share: array error norms, a plan
 * that must build, and the cases of the file tests/sht_reference.py writes. */
#pragma once

#include <complex.h>
#include <glib.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "sphaera/alm.h"
#include "sphaera/sht.h"

static inline double max_abs(const double *a, int64_t n)
{
  double m = 0;
  for (int64_t i = 0; i < n; i++)
    m = fmax(m, fabs(a[i]));
  return m;
}

static inline double max_abs_diff(const double *a, const double *b, int64_t n)
{
  double m = 0;
  for (int64_t i = 0; i < n; i++)
    m = fmax(m, fabs(a[i] - b[i]));
  return m;
}

static inline SphShtPlan *plan_or_die(const SphRingGeometry *g, int lmax, int mmax,
                                      unsigned flags)
{
  SphError err = SPH_ERROR_INIT;
  SphShtPlan *p = sph_sht_plan_new(g, lmax, mmax, flags, &err);
  if (p == NULL)
    g_error("plan: %s", err.message);
  return p;
}

/* One case of the reference file: a header (nside, lmax, nalm, npix) then the arrays,
 * each of nfields fields (1 for spin 0; T, E, B / I, Q, U for spin 2). */
typedef struct {
  int64_t nside, lmax, nalm, npix;
  const double _Complex *alm, *iter3, *noise0, *noise3;
  const double *map, *noise;
} Case;

/* Cases of the reference file, one after the other. */
static inline int next_case(const char **p, const char *end, int nfields, Case *c)
{
  if (*p + 4 * sizeof(int64_t) > end)
    return 0;
  const int64_t *h = (const int64_t *)*p;
  c->nside = h[0];
  c->lmax = h[1];
  c->nalm = h[2];
  c->npix = h[3];
  const char *q = *p + 4 * sizeof(int64_t);
  c->alm = (const double _Complex *)q;
  q += nfields * c->nalm * 16;
  c->map = (const double *)q;
  q += nfields * c->npix * 8;
  c->iter3 = (const double _Complex *)q;
  q += nfields * c->nalm * 16;
  c->noise = (const double *)q;
  q += nfields * c->npix * 8;
  c->noise0 = (const double _Complex *)q;
  q += nfields * c->nalm * 16;
  c->noise3 = (const double _Complex *)q;
  q += nfields * c->nalm * 16;
  g_assert_true(q <= end);
  *p = q;
  return 1;
}

static inline SphAlm *alm_from(const double _Complex *v, int lmax)
{
  SphAlm *a = sph_alm_new(lmax, lmax, NULL);
  memcpy(a->values, v, (size_t)a->size * sizeof *v);
  return a;
}
