/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
#include <stddef.h>

#include "sphaera/autodiff.h"

/* First-order optimisers over a fixed list of parameters. The moment estimates are
 * kept in float64 whatever the parameters' dtype, so the updates of a float32 network
 * do not lose their small steps. */

typedef enum { SPH_OPTIM_SGD = 0, SPH_OPTIM_ADAM } SphOptimKind;

typedef struct {
  SphOptimKind kind;
  double learning_rate;
  double momentum;     /* SGD: v = momentum v + g; p -= lr v (0: plain SGD) */
  double beta1, beta2; /* Adam (Kingma & Ba 2015), with bias correction */
  double epsilon;      /* Adam */
  double weight_decay; /* L2 term added to the gradient (0: none) */
} SphOptimConfig;

/* The usual defaults: Adam lr 1e-3, betas 0.9 and 0.999, eps 1e-8; SGD lr 1e-2, momentum 0.9. */
SphOptimConfig sph_optim_defaults(SphOptimKind kind);

typedef struct SphOptimizer SphOptimizer;

SphOptimizer *sph_optim_new(const SphOptimConfig *config, SphVar *const *params, size_t nparams,
                            SphError *err);
void sph_optim_free(SphOptimizer *opt);
void sph_optim_zero_grad(SphOptimizer *opt);
void sph_optim_set_learning_rate(SphOptimizer *opt, double lr);
/* One update from the accumulated gradients. A non-finite gradient changes nothing and
 * gives SPH_ERR_INVALID naming the parameter, so training stops with a reason. */
SphStatus sph_optim_step(SphOptimizer *opt, SphError *err);

/* Learning rate as a function of the step t = 0, 1, ...:
 *   constant           base
 *   step               base gamma^floor(t / step_size)
 *   exponential        base gamma^t
 *   warm-up + cosine   base (t + 1) / warmup during the first warmup steps, then
 *                      final + (base - final) (1 + cos(pi u)) / 2 with
 *                      u = (t - warmup) / (total - warmup), clamped to [0, 1] */
typedef enum {
  SPH_SCHEDULE_CONSTANT = 0,
  SPH_SCHEDULE_STEP,
  SPH_SCHEDULE_EXPONENTIAL,
  SPH_SCHEDULE_WARMUP_COSINE
} SphScheduleKind;

typedef struct {
  SphScheduleKind kind;
  double base;
  size_t step_size;    /* step */
  double gamma;        /* step, exponential: the factor (0 < gamma <= 1) */
  size_t warmup, total; /* warm-up + cosine: warm-up steps and all steps */
  double final;        /* warm-up + cosine: the rate reached at total */
} SphLrScheduleConfig;

/* SPH_ERR_INVALID naming the field when the schedule makes no sense (base <= 0, gamma
 * outside (0, 1], step_size 0, total <= warmup, final outside [0, base]). */
SphStatus sph_lr_schedule_check(const SphLrScheduleConfig *s, SphError *err);
double sph_lr_schedule_at(const SphLrScheduleConfig *s, size_t t);
