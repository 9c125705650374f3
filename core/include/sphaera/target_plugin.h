/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The C interface of a target plugin: a shared library that brings its own posterior
 * to Sphaera's samplers (`sphaera-cli sample --target plugin:PATH.so`).
 *
 * The library exports one function, sph_target_plugin(), which returns a description
 * that stays valid until the library is unloaded (a static const struct is usual):
 *
 *     #include <sphaera/target_plugin.h>
 *
 *     static double loglike(const double *theta, double *grad, void *user) { ... }
 *     static const char *const names[] = {"a", "b"};
 *     static const double lower[] = {-5, -5}, upper[] = {5, 5};
 *     static const SphTargetPlugin plugin = {
 *       .abi_version = SPH_TARGET_PLUGIN_ABI, .dim = 2, .names = names,
 *       .lower = lower, .upper = upper, .log_likelihood = loglike,
 *     };
 *     const SphTargetPlugin *sph_target_plugin(void) { return &plugin; }
 *
 * built with `cc -O2 -shared -fPIC -I core/include mytarget.c -o mytarget.so`.
 *
 * The log-density the samplers see is log_likelihood plus the log of the uniform prior
 * density on the box [lower, upper]: -sum ln(upper - lower) inside, -inf outside (the
 * likelihood is never called outside the box). log_likelihood must be a pure function
 * of theta (it may be called from several threads at once when `expensive` is set);
 * it returns -INFINITY for an impossible point, never NaN or +INFINITY (Sphaera stops
 * with an error naming the point when it does). */

#include <stdint.h>

/* Bumped whenever this struct changes; a plugin built against another version is
 * refused with a message saying which version it was built for. */
#define SPH_TARGET_PLUGIN_ABI 1u

/* The name of the exported function, for dlsym. */
#define SPH_TARGET_PLUGIN_SYMBOL "sph_target_plugin"

typedef struct SphTargetPlugin {
  uint32_t abi_version; /* SPH_TARGET_PLUGIN_ABI */
  uint32_t dim;         /* number of parameters, at least 1 */
  /* dim parameter names (plain identifiers, used as column names in CSV); required. */
  const char *const *names;
  /* dim labels for plots, LaTeX-ish ("\\Omega_m"); NULL uses the names. */
  const char *const *labels;
  /* The prior box: dim lower and dim upper bounds, lower[i] < upper[i], both finite. */
  const double *lower;
  const double *upper;
  /* ln L(theta); when grad is not NULL and provides_gradient is set, also writes
   * d ln L / d theta into grad[0..dim-1]. user is the user field below. */
  double (*log_likelihood)(const double *theta, double *grad, void *user);
  int provides_gradient; /* nonzero when log_likelihood fills grad */
  int expensive;         /* nonzero: worth evaluating walkers on several threads */
  void *user;            /* passed to log_likelihood unchanged */
} SphTargetPlugin;

/* The one symbol a plugin exports. */
const SphTargetPlugin *sph_target_plugin(void);
