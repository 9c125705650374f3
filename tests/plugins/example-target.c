/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An example target plugin: a straight-line fit y = a + b x to five points with unit
 * Gaussian errors, a posterior with an exact answer (the least-squares solution and its
 * covariance), so a test can check what a sampler makes of it. Build it alone with
 *
 *     cc -O2 -shared -fPIC -I core/include tests/plugins/example-target.c -o line.so
 *
 * and sample it with `sphaera-cli sample --target plugin:./line.so`.
 *
 * The test suite also builds broken variants from this file (a wrong ABI version, a
 * likelihood that returns NaN or +infinity, no exported symbol, a prior of zero width)
 * to check that Sphaera refuses them with clear messages. */
#include <math.h>
#include <stddef.h>

#include "sphaera/target_plugin.h"

static const double xs[5] = {-2.0, -1.0, 0.0, 1.0, 2.0};
static const double ys[5] = {-2.9, -1.1, 1.2, 2.8, 5.1};

static double line_log_likelihood(const double *theta, double *grad, void *user)
{
  (void)user;
#ifdef SPH_EXAMPLE_NAN
  if (theta[0] > 0.0)
    return NAN;
  if (theta[0] < -5.0)
    return INFINITY;
#endif
  double a = theta[0], b = theta[1];
  double s = 0.0, ga = 0.0, gb = 0.0;
  for (int i = 0; i < 5; i++) {
    double r = ys[i] - (a + b * xs[i]);
    s += r * r;
    ga += r;
    gb += r * xs[i];
  }
  if (grad != NULL) {
    grad[0] = ga;
    grad[1] = gb;
  }
  return -0.5 * s;
}

static const char *const names[2] = {"intercept", "slope"};
static const char *const labels[2] = {"a", "b"};
static const double lower[2] = {-10.0, -10.0};
#ifdef SPH_EXAMPLE_ZERO_WIDTH
static const double upper[2] = {10.0, -10.0};
#else
static const double upper[2] = {10.0, 10.0};
#endif

static const SphTargetPlugin plugin = {
#ifdef SPH_EXAMPLE_BAD_ABI
  .abi_version = SPH_TARGET_PLUGIN_ABI + 41,
#else
  .abi_version = SPH_TARGET_PLUGIN_ABI,
#endif
  .dim = 2,
  .names = names,
  .labels = labels,
  .lower = lower,
  .upper = upper,
  .log_likelihood = line_log_likelihood,
  .provides_gradient = 1,
  .expensive = 0,
  .user = NULL,
};

#ifdef SPH_EXAMPLE_NO_SYMBOL
/* Exports the description under the wrong name. */
const SphTargetPlugin *line_target(void);
const SphTargetPlugin *line_target(void)
{
  return &plugin;
}
#else
const SphTargetPlugin *sph_target_plugin(void)
{
  return &plugin;
}
#endif
