/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SGD with momentum and Adam. */
#include "sphaera/optim.h"

#include <math.h>
#include <stdlib.h>

#include "sphaera/mem.h"

struct SphOptimizer {
  SphOptimConfig config;
  size_t nparams;
  SphVar **params;
  double **m, **v; /* first and second moments (v unused by SGD) */
  long step;
};

SphOptimConfig sph_optim_defaults(SphOptimKind kind)
{
  if (kind == SPH_OPTIM_SGD)
    return (SphOptimConfig){.kind = SPH_OPTIM_SGD, .learning_rate = 1e-2, .momentum = 0.9};
  return (SphOptimConfig){.kind = SPH_OPTIM_ADAM, .learning_rate = 1e-3, .beta1 = 0.9,
                          .beta2 = 0.999, .epsilon = 1e-8};
}

void sph_optim_free(SphOptimizer *opt)
{
  if (opt == NULL)
    return;
  for (size_t i = 0; i < opt->nparams; i++) {
    if (opt->m)
      sph_free_aligned(opt->m[i]);
    if (opt->v)
      sph_free_aligned(opt->v[i]);
  }
  free(opt->m);
  free(opt->v);
  free(opt->params);
  free(opt);
}

SphOptimizer *sph_optim_new(const SphOptimConfig *config, SphVar *const *params, size_t nparams,
                            SphError *err)
{
  const SphOptimConfig *c = config;
  bool adam = c->kind == SPH_OPTIM_ADAM;
  if ((c->kind != SPH_OPTIM_SGD && !adam) || !(c->learning_rate > 0.0) ||
      !(c->momentum >= 0.0 && c->momentum < 1.0) || !(c->weight_decay >= 0.0) ||
      (adam && !(c->beta1 >= 0.0 && c->beta1 < 1.0 && c->beta2 >= 0.0 && c->beta2 < 1.0 &&
                 c->epsilon > 0.0))) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "optimiser: learning rate %g, momentum %g, betas %g %g or epsilon %g out of range",
                  c->learning_rate, c->momentum, c->beta1, c->beta2, c->epsilon);
    return NULL;
  }
  SphOptimizer *opt = calloc(1, sizeof *opt);
  if (opt == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "optimiser: out of memory");
    return NULL;
  }
  opt->config = *c;
  opt->params = calloc(nparams ? nparams : 1, sizeof *opt->params);
  opt->m = calloc(nparams ? nparams : 1, sizeof *opt->m);
  opt->v = calloc(nparams ? nparams : 1, sizeof *opt->v);
  if (opt->params == NULL || opt->m == NULL || opt->v == NULL) {
    sph_optim_free(opt);
    sph_error_set(err, SPH_ERR_NOMEM, "optimiser: out of memory");
    return NULL;
  }
  opt->nparams = nparams;
  for (size_t i = 0; i < nparams; i++) {
    if (params[i] == NULL || sph_var_grad(params[i]) == NULL) {
      sph_optim_free(opt);
      sph_error_set(err, SPH_ERR_INVALID, "optimiser: parameter %zu has no gradient", i);
      return NULL;
    }
    opt->params[i] = params[i];
    size_t n = sph_var_value(params[i])->size;
    opt->m[i] = sph_calloc_aligned(n, sizeof(double), err);
    opt->v[i] = adam ? sph_calloc_aligned(n, sizeof(double), err) : NULL;
    if (opt->m[i] == NULL || (adam && opt->v[i] == NULL)) {
      sph_optim_free(opt);
      return NULL;
    }
  }
  return opt;
}

void sph_optim_zero_grad(SphOptimizer *opt)
{
  for (size_t i = 0; i < opt->nparams; i++)
    sph_var_zero_grad(opt->params[i]);
}

void sph_optim_set_learning_rate(SphOptimizer *opt, double lr)
{
  if (lr > 0.0)
    opt->config.learning_rate = lr;
}

/* One parameter's update, written once per dtype so the inner loop has no branch on it
 * (T: the element type). */
#define DEFINE_UPDATE(NAME, T)                                                             \
  static void NAME(const SphOptimConfig *c, double bc1, double bc2, size_t n, T *p,       \
                   const T *g, double *m, double *v)                                       \
  {                                                                                        \
    for (size_t j = 0; j < n; j++) {                                                       \
      double pj = p[j], gj = g[j] + c->weight_decay * pj;                                  \
      if (c->kind == SPH_OPTIM_SGD) {                                                      \
        m[j] = c->momentum * m[j] + gj;                                                    \
        pj -= c->learning_rate * m[j];                                                     \
      } else {                                                                             \
        m[j] = c->beta1 * m[j] + (1.0 - c->beta1) * gj;                                    \
        v[j] = c->beta2 * v[j] + (1.0 - c->beta2) * gj * gj;                               \
        pj -= c->learning_rate * (m[j] / bc1) / (sqrt(v[j] / bc2) + c->epsilon);           \
      }                                                                                    \
      p[j] = (T)pj;                                                                        \
    }                                                                                      \
  }
DEFINE_UPDATE(update_f32, float)
DEFINE_UPDATE(update_f64, double)

SphStatus sph_optim_step(SphOptimizer *opt, SphError *err)
{
  for (size_t i = 0; i < opt->nparams; i++) {
    const SphTensor *g = sph_var_grad(opt->params[i]);
    for (size_t j = 0; j < g->size; j++)
      if (!isfinite(sph_tensor_get(g, j)))
        return sph_error_set(err, SPH_ERR_INVALID,
                             "optimiser: the gradient of parameter %zu is not finite (NaN or "
                             "infinite loss); lower the learning rate or check the data",
                             i);
  }
  const SphOptimConfig *c = &opt->config;
  opt->step++;
  double bc1 = 1.0 - pow(c->beta1, (double)opt->step);
  double bc2 = 1.0 - pow(c->beta2, (double)opt->step);
  for (size_t i = 0; i < opt->nparams; i++) {
    SphTensor *p = sph_var_value(opt->params[i]);
    const SphTensor *g = sph_var_grad(opt->params[i]);
    if (p->dtype == SPH_F32)
      update_f32(c, bc1, bc2, p->size, p->data, g->data, opt->m[i], opt->v[i]);
    else
      update_f64(c, bc1, bc2, p->size, p->data, g->data, opt->m[i], opt->v[i]);
  }
  return SPH_OK;
}

SphStatus sph_lr_schedule_check(const SphLrScheduleConfig *s, SphError *err)
{
  if (!(s->base > 0.0) || !isfinite(s->base))
    return sph_error_set(err, SPH_ERR_INVALID, "learning-rate schedule: base rate %g must be positive",
                         s->base);
  switch (s->kind) {
  case SPH_SCHEDULE_CONSTANT:
    return SPH_OK;
  case SPH_SCHEDULE_STEP:
  case SPH_SCHEDULE_EXPONENTIAL:
    if (s->kind == SPH_SCHEDULE_STEP && s->step_size == 0)
      return sph_error_set(err, SPH_ERR_INVALID, "learning-rate schedule: step size 0");
    if (!(s->gamma > 0.0 && s->gamma <= 1.0))
      return sph_error_set(err, SPH_ERR_INVALID,
                           "learning-rate schedule: factor gamma %g outside (0, 1]", s->gamma);
    return SPH_OK;
  case SPH_SCHEDULE_WARMUP_COSINE:
    if (s->total <= s->warmup)
      return sph_error_set(err, SPH_ERR_INVALID,
                           "learning-rate schedule: %zu steps in all leave none after %zu of "
                           "warm-up",
                           s->total, s->warmup);
    if (!(s->final >= 0.0 && s->final <= s->base))
      return sph_error_set(err, SPH_ERR_INVALID,
                           "learning-rate schedule: final rate %g outside [0, %g]", s->final,
                           s->base);
    return SPH_OK;
  default:
    return sph_error_set(err, SPH_ERR_INVALID, "learning-rate schedule: unknown kind %d",
                         (int)s->kind);
  }
}

double sph_lr_schedule_at(const SphLrScheduleConfig *s, size_t t)
{
  switch (s->kind) {
  case SPH_SCHEDULE_STEP:
    return s->base * pow(s->gamma, (double)(t / s->step_size));
  case SPH_SCHEDULE_EXPONENTIAL:
    return s->base * pow(s->gamma, (double)t);
  case SPH_SCHEDULE_WARMUP_COSINE: {
    if (t < s->warmup)
      return s->base * (double)(t + 1) / (double)s->warmup;
    double u = (double)(t - s->warmup) / (double)(s->total - s->warmup);
    u = u > 1.0 ? 1.0 : u;
    return s->final + (s->base - s->final) * 0.5 * (1.0 + cos(M_PI * u));
  }
  default:
    return s->base;
  }
}
