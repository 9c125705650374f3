/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Deep ensembles: the mean-variance Gaussian likelihood, the mixture of Gaussians, and
 * a set of independently seeded networks. */
#include "sphaera/deep_ensemble.h"

#include <math.h>
#include <stdlib.h>

#include "tape_internal.h"

static double softplus(double x)
{
  return fmax(x, 0.0) + log1p(exp(-fabs(x)));
}

static double sigmoid(double x)
{
  if (x >= 0.0)
    return 1.0 / (1.0 + exp(-x));
  double e = exp(x);
  return e / (1.0 + e);
}

double sph_head_variance(double s)
{
  return softplus(s) + SPH_MIN_VARIANCE;
}

static void mean_var_nll_backward(SphVar *c)
{
  SphVar *o = c->in[0], *t = c->in[1];
  size_t n = t->value->size;
  double w = sph_tensor_get(c->grad, 0) / (double)n;
  for (size_t i = 0; i < n; i++) {
    double mu = sph_tensor_get(o->value, 2 * i), s = sph_tensor_get(o->value, 2 * i + 1);
    double v = sph_head_variance(s), r = sph_tensor_get(t->value, i) - mu;
    if (o->grad != NULL) {
      sph_tensor_set(o->grad, 2 * i, sph_tensor_get(o->grad, 2 * i) - w * r / v);
      /* d/dv of 0.5 (log v + r^2 / v), times dv/ds = sigmoid(s) */
      double dv = 0.5 * (1.0 / v - r * r / (v * v));
      sph_tensor_set(o->grad, 2 * i + 1, sph_tensor_get(o->grad, 2 * i + 1) + w * dv * sigmoid(s));
    }
    if (t->grad != NULL)
      sph_tensor_set(t->grad, i, sph_tensor_get(t->grad, i) + w * r / v);
  }
}

SphVar *sph_mean_var_nll(SphTape *tape, SphVar *out, SphVar *target)
{
  if (out == NULL || target == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "mean_var_nll: an operand is missing");
  if (!tape_same_dtype(tape, "mean_var_nll", out, target))
    return NULL;
  const SphTensor *o = out->value;
  if (o->ndim != 2 || o->shape[1] != 2 || o->shape[0] != target->value->size) {
    char so[64], st[64];
    return tape_fail(tape, SPH_ERR_INVALID,
                     "mean_var_nll: outputs %s and targets %s (want [n, 2] and n targets)",
                     sph_tensor_shape_str(o, so, sizeof so),
                     sph_tensor_shape_str(target->value, st, sizeof st));
  }
  size_t one = 1, n = o->shape[0];
  SphVar *in[2] = {out, target};
  SphVar *c = tape_record(tape, o->dtype, 1, &one, in, 2, mean_var_nll_backward);
  if (c == NULL)
    return NULL;
  double s = 0.0;
  for (size_t i = 0; i < n; i++) {
    double v = sph_head_variance(sph_tensor_get(o, 2 * i + 1));
    double r = sph_tensor_get(target->value, i) - sph_tensor_get(o, 2 * i);
    s += 0.5 * (log(2.0 * M_PI) + log(v) + r * r / v);
  }
  sph_tensor_set(c->value, 0, s / (double)n);
  return c;
}

void sph_mixture_moments(size_t m, const double *means, const double *vars, double *mean,
                         double *var)
{
  double s1 = 0.0;
  for (size_t k = 0; k < m; k++)
    s1 += means[k];
  double mu = s1 / (double)m, s2 = 0.0;
  /* mean(sigma^2 + mu_k^2) - mu^2, summed as deviations to avoid cancellation */
  for (size_t k = 0; k < m; k++)
    s2 += vars[k] + (means[k] - mu) * (means[k] - mu);
  *mean = mu;
  *var = s2 / (double)m;
}

struct SphDeepEnsemble {
  size_t members;
  SphMlp **mlps;
};

SphDeepEnsemble *sph_deep_ensemble_adopt(SphMlp **mlps, size_t members, SphError *err)
{
  if (members == 0) {
    sph_error_set(err, SPH_ERR_INVALID, "deep ensemble: no members");
    return NULL;
  }
  const SphMlpConfig *c0 = sph_mlp_config(mlps[0]);
  for (size_t k = 0; k < members; k++) {
    const SphMlpConfig *c = sph_mlp_config(mlps[k]);
    if (c->sizes[c->nsizes - 1] != 2 || c->sizes[0] != c0->sizes[0] || c->dtype != c0->dtype) {
      sph_error_set(err, SPH_ERR_INVALID,
                    "deep ensemble: member %zu has %zu inputs and %zu outputs (want %zu and 2, "
                    "all of one dtype)",
                    k + 1, c->sizes[0], c->sizes[c->nsizes - 1], c0->sizes[0]);
      return NULL;
    }
  }
  SphDeepEnsemble *ens = calloc(1, sizeof *ens);
  if (ens == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "deep ensemble: out of memory");
    return NULL;
  }
  ens->members = members;
  ens->mlps = mlps;
  return ens;
}

SphDeepEnsemble *sph_deep_ensemble_new(const SphMlpConfig *config, size_t members, uint64_t seed,
                                       SphError *err)
{
  if (members == 0 || config->nsizes < 2 || config->sizes[config->nsizes - 1] != 2) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "deep ensemble: %zu members of networks with %zu outputs (want >= 1 and 2)",
                  members, config->nsizes >= 2 ? config->sizes[config->nsizes - 1] : (size_t)0);
    return NULL;
  }
  SphMlp **mlps = calloc(members, sizeof *mlps);
  if (mlps == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "deep ensemble: out of memory");
    return NULL;
  }
  for (size_t k = 0; k < members; k++)
    if ((mlps[k] = sph_mlp_new(config, seed + k, err)) == NULL) {
      for (size_t j = 0; j < k; j++)
        sph_mlp_free(mlps[j]);
      free(mlps);
      return NULL;
    }
  SphDeepEnsemble *ens = sph_deep_ensemble_adopt(mlps, members, err);
  if (ens == NULL) {
    for (size_t k = 0; k < members; k++)
      sph_mlp_free(mlps[k]);
    free(mlps);
  }
  return ens;
}

void sph_deep_ensemble_free(SphDeepEnsemble *ens)
{
  if (ens == NULL)
    return;
  for (size_t k = 0; k < ens->members; k++)
    sph_mlp_free(ens->mlps[k]);
  free(ens->mlps);
  free(ens);
}

size_t sph_deep_ensemble_size(const SphDeepEnsemble *ens)
{
  return ens->members;
}

SphMlp *sph_deep_ensemble_member(const SphDeepEnsemble *ens, size_t k)
{
  return k < ens->members ? ens->mlps[k] : NULL;
}

SphStatus sph_deep_ensemble_predict(const SphDeepEnsemble *ens, const SphTensor *x, double *mean,
                                    double *var, double *member_means, double *member_vars,
                                    SphError *err)
{
  size_t m = ens->members, n = x->ndim == 2 ? x->shape[0] : 0;
  if (n == 0 || x->shape[1] != sph_mlp_config(ens->mlps[0])->sizes[0]) {
    char s[64];
    return sph_error_set(err, SPH_ERR_INVALID,
                         "deep ensemble: inputs of shape %s (want [rows, %zu])",
                         sph_tensor_shape_str(x, s, sizeof s), sph_mlp_config(ens->mlps[0])->sizes[0]);
  }
  double *mu = malloc(m * n * sizeof *mu), *v = malloc(m * n * sizeof *v);
  SphTape *tape = sph_tape_new();
  SphStatus st = SPH_OK;
  if (mu == NULL || v == NULL || tape == NULL)
    st = sph_error_set(err, SPH_ERR_NOMEM, "deep ensemble: out of memory");
  for (size_t k = 0; k < m && st == SPH_OK; k++) {
    sph_tape_reset(tape);
    SphVar *out = sph_mlp_forward(tape, ens->mlps[k], sph_tape_input(tape, x, false), false, NULL);
    if ((st = sph_tape_status(tape, err)) != SPH_OK)
      break;
    const SphTensor *o = sph_var_value(out);
    for (size_t i = 0; i < n; i++) {
      mu[k * n + i] = sph_tensor_get(o, 2 * i);
      v[k * n + i] = sph_head_variance(sph_tensor_get(o, 2 * i + 1));
    }
  }
  if (st == SPH_OK) {
    for (size_t i = 0; i < n; i++) {
      double s1 = 0.0, s2 = 0.0;
      for (size_t k = 0; k < m; k++)
        s1 += mu[k * n + i];
      mean[i] = s1 / (double)m;
      for (size_t k = 0; k < m; k++)
        s2 += v[k * n + i] + (mu[k * n + i] - mean[i]) * (mu[k * n + i] - mean[i]);
      var[i] = s2 / (double)m;
    }
    if (member_means != NULL)
      for (size_t j = 0; j < m * n; j++)
        member_means[j] = mu[j];
    if (member_vars != NULL)
      for (size_t j = 0; j < m * n; j++)
        member_vars[j] = v[j];
  }
  sph_tape_free(tape);
  free(mu);
  free(v);
  return st;
}
