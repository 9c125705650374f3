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
