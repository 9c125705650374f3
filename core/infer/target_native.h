/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Targets whose likelihood is a model built inside the library (cl-fit): the target
 * owns the model and frees it with model_free. */

#include "sphaera/target.h"

/* ln L at theta (inside the box), its gradient into grad when grad is not NULL. */
typedef double (*SphTargetLogLikeFn)(void *model, const double *theta, double *grad);

/* Copies names, labels, the box and the start point; takes model (freed on failure
 * too). The model provides a gradient. */
SphStatus sph_target_new_native(const char *spec, size_t dim, const char *const *names,
                                const char *const *labels, const double *lower,
                                const double *upper, const double *start,
                                SphTargetLogLikeFn loglike, void *model,
                                void (*model_free)(void *), SphTarget **out, SphError *err);

/* The model of a native target whose likelihood is loglike; NULL for any other target. */
void *sph_target_native_model(const SphTarget *target, SphTargetLogLikeFn loglike);
