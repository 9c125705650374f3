/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A deliberately slow target plugin for the UI tests: a 2-D unit Gaussian whose every
 * evaluation first runs a fixed amount of arithmetic, as an expensive simulator would,
 * so a sampler run lasts long enough on any machine to be watched and stopped. */
#include <math.h>
#include <stddef.h>

#include "sphaera/target_plugin.h"

#define BUSY_ITERATIONS 20000

static double slow_log_likelihood(const double *theta, double *grad, void *user)
{
  (void)user;
  /* a recurrence the compiler cannot drop: its result enters the density as 0 */
  volatile double acc = 0.0;
  for (int i = 0; i < BUSY_ITERATIONS; i++)
    acc = acc * 0.5 + 1e-300;
  double zero = acc < 1.0 ? 0.0 : acc;
  if (grad != NULL) {
    grad[0] = -theta[0];
    grad[1] = -theta[1];
  }
  return -0.5 * (theta[0] * theta[0] + theta[1] * theta[1]) + zero;
}

static const char *const names[2] = {"u", "v"};
static const double lower[2] = {-10.0, -10.0};
static const double upper[2] = {10.0, 10.0};

static const SphTargetPlugin plugin = {
  .abi_version = SPH_TARGET_PLUGIN_ABI,
  .dim = 2,
  .names = names,
  .labels = NULL,
  .lower = lower,
  .upper = upper,
  .log_likelihood = slow_log_likelihood,
  .provides_gradient = 1,
  .expensive = 0,
  .user = NULL,
};

const SphTargetPlugin *sph_target_plugin(void)
{
  return &plugin;
}
