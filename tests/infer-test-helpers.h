/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the inference tests: running Debian's python (SPHAERA_PYTHON) on a
 * chain written as raw little-endian float64, and AR(1) draws. */

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/rng.h"

/* Runs `python -c code ARGS` and returns its stdout (g_free it), or NULL with the test
 * skipped when python or emcee is missing. */
static inline char *infer_run_python(const char *code, const char *arg1, const char *arg2)
{
  const char *py = g_getenv("SPHAERA_PYTHON");
  if (py == NULL) {
    g_test_skip("SPHAERA_PYTHON not set");
    return NULL;
  }
  const char *argv[] = {py, "-c", code, arg1, arg2, NULL};
  char *out = NULL, *errs = NULL;
  int status = 0;
  GError *gerr = NULL;
  if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &errs,
                    &status, &gerr))
    g_error("cannot run %s: %s", py, gerr->message);
  if (!g_spawn_check_wait_status(status, NULL)) {
    if (errs != NULL && strstr(errs, "No module named") != NULL) {
      g_test_skip("python module missing (install python3-emcee)");
      g_free(out);
      g_free(errs);
      return NULL;
    }
    g_error("python failed: %s", errs);
  }
  g_free(errs);
  return out;
}

/* Writes n doubles to a new temporary file; returns its name (g_free, g_unlink). */
static inline char *infer_write_raw(const double *x, size_t n)
{
  char *name = NULL;
  int fd = g_file_open_tmp("sphaera-chain-XXXXXX.f64", &name, NULL);
  g_assert_cmpint(fd, >=, 0);
  FILE *f = fdopen(fd, "wb");
  g_assert_nonnull(f);
  g_assert_cmpuint(fwrite(x, sizeof(double), n, f), ==, n);
  g_assert_cmpint(fclose(f), ==, 0);
  return name;
}

/* x[steps][walkers][dim] with each parameter an independent AR(1) series
 * x_t = phi x_{t-1} + sqrt(1 - phi^2) e_t, stationary from the start. */
static inline double *infer_ar1_chain(size_t steps, size_t walkers, size_t dim,
                                      const double *phi, uint64_t seed)
{
  double *x = g_new(double, steps * walkers * dim);
  SphRng rng;
  sph_rng_init(&rng, seed, 7);
  for (size_t w = 0; w < walkers; w++)
    for (size_t d = 0; d < dim; d++) {
      double v = sph_rng_normal(&rng), s = sqrt(1 - phi[d] * phi[d]);
      for (size_t t = 0; t < steps; t++) {
        if (t > 0)
          v = phi[d] * v + s * sph_rng_normal(&rng);
        x[(t * walkers + w) * dim + d] = v;
      }
    }
  return x;
}

/* Python code printing emcee.autocorr.integrated_time(chain, quiet=True) for a raw chain
 * file argv[1] of shape argv[2] ("S,W,D"), one value per line at full precision. */
#define INFER_EMCEE_TAU_PY                                                                 \
  "import sys, warnings, logging\n"                                                        \
  "logging.disable(logging.CRITICAL)\n"                                                    \
  "import numpy as np, emcee\n"                                                            \
  "shape = tuple(int(s) for s in sys.argv[2].split(','))\n"                                \
  "x = np.fromfile(sys.argv[1], dtype='<f8').reshape(shape)\n"                             \
  "for t in emcee.autocorr.integrated_time(x, quiet=True): print(repr(float(t)))\n"

/* Asserts that tau[0..dim) are emcee's integrated times, one a line of out (as printed by
 * INFER_EMCEE_TAU_PY; stripped in place), to 1e-9 relative. */
static inline void infer_assert_emcee_tau(const double *tau, size_t dim, char *out)
{
  char **lines = g_strsplit(g_strstrip(out), "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, dim);
  for (size_t d = 0; d < dim; d++) {
    double ref = g_ascii_strtod(lines[d], NULL);
    if (fabs(tau[d] - ref) > 1e-9 * ref)
      g_error("tau[%zu] = %.17g, emcee %.17g", d, tau[d], ref);
  }
  g_strfreev(lines);
}
