/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Dropout and layer normalisation. */
#include <math.h>

#include "tape_internal.h"

/* aux holds the mask: 0 or 1/(1-p). */
static void dropout_backward(SphVar *c)
{
  SphVar *x = c->in[0];
  for (size_t i = 0; i < c->value->size; i++)
    sph_tensor_set(x->grad, i,
                   sph_tensor_get(x->grad, i) +
                       sph_tensor_get(c->aux, i) * sph_tensor_get(c->grad, i));
}

SphVar *sph_dropout(SphTape *tape, SphVar *x, double p, SphRng *rng)
{
  if (x == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "dropout: the operand is missing");
  if (!(p >= 0.0 && p < 1.0))
    return tape_fail(tape, SPH_ERR_INVALID, "dropout: probability %g is outside [0, 1)", p);
  if (p > 0.0 && rng == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "dropout: no random generator");
  const SphTensor *xv = x->value;
  SphVar *c = tape_record(tape, xv->dtype, xv->ndim, xv->shape, &x, 1, dropout_backward);
  if (c == NULL || tape_aux(tape, c, 0, xv->ndim, xv->shape) == NULL)
    return NULL;
  double keep = 1.0 / (1.0 - p);
  for (size_t i = 0; i < xv->size; i++) {
    double m = p > 0.0 ? (sph_rng_uniform(rng) >= p ? keep : 0.0) : 1.0;
    sph_tensor_set(c->aux, i, m);
    sph_tensor_set(c->value, i, m * sph_tensor_get(xv, i));
  }
  return c;
}

/* aux holds x-hat (the normalised input), aux2 the reciprocal standard deviation of
 * each row. */
static void layer_norm_backward(SphVar *c)
{
  SphVar *x = c->in[0], *g = c->in[1], *b = c->in[2];
  size_t n = c->value->shape[c->value->ndim - 1], m = c->value->size / n;
  for (size_t r = 0; r < m; r++) {
    size_t o = r * n;
    double mean_d = 0.0, mean_dx = 0.0;
    for (size_t j = 0; j < n; j++) {
      double dy = sph_tensor_get(c->grad, o + j), xh = sph_tensor_get(c->aux, o + j);
      double d = dy * sph_tensor_get(g->value, j); /* d loss / d x-hat */
      mean_d += d;
      mean_dx += d * xh;
      if (g->grad != NULL)
        sph_tensor_set(g->grad, j, sph_tensor_get(g->grad, j) + dy * xh);
      if (b->grad != NULL)
        sph_tensor_set(b->grad, j, sph_tensor_get(b->grad, j) + dy);
    }
    mean_d /= (double)n;
    mean_dx /= (double)n;
    if (x->grad == NULL)
      continue;
    double rstd = sph_tensor_get(c->aux2, r);
    for (size_t j = 0; j < n; j++) {
      double d = sph_tensor_get(c->grad, o + j) * sph_tensor_get(g->value, j);
      double xh = sph_tensor_get(c->aux, o + j);
      sph_tensor_set(x->grad, o + j,
                     sph_tensor_get(x->grad, o + j) + rstd * (d - mean_d - xh * mean_dx));
    }
  }
}

SphVar *sph_layer_norm(SphTape *tape, SphVar *x, SphVar *gain, SphVar *bias, double eps)
{
  if (x == NULL || gain == NULL || bias == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "layer_norm: an operand is missing");
  if (!tape_same_dtype(tape, "layer_norm", x, gain) ||
      !tape_same_dtype(tape, "layer_norm", x, bias))
    return NULL;
  const SphTensor *xv = x->value;
  size_t n = xv->shape[xv->ndim - 1], m = xv->size / n;
  if (gain->value->size != n || bias->value->size != n)
    return tape_fail(tape, SPH_ERR_INVALID,
                     "layer_norm: gain and bias need %zu elements, have %zu and %zu", n,
                     gain->value->size, bias->value->size);
  if (!(eps > 0.0))
    return tape_fail(tape, SPH_ERR_INVALID, "layer_norm: eps %g must be positive", eps);
  SphVar *in[3] = {x, gain, bias};
  SphVar *c = tape_record(tape, xv->dtype, xv->ndim, xv->shape, in, 3, layer_norm_backward);
  if (c == NULL || tape_aux(tape, c, 0, xv->ndim, xv->shape) == NULL ||
      tape_aux(tape, c, 1, 1, &m) == NULL)
    return NULL;
  for (size_t r = 0; r < m; r++) {
    size_t o = r * n;
    double mean = 0.0, var = 0.0;
    for (size_t j = 0; j < n; j++)
      mean += sph_tensor_get(xv, o + j);
    mean /= (double)n;
    for (size_t j = 0; j < n; j++) {
      double d = sph_tensor_get(xv, o + j) - mean;
      var += d * d;
    }
    double rstd = 1.0 / sqrt(var / (double)n + eps);
    sph_tensor_set(c->aux2, r, rstd);
    for (size_t j = 0; j < n; j++) {
      double xh = (sph_tensor_get(xv, o + j) - mean) * rstd;
      sph_tensor_set(c->aux, o + j, xh);
      sph_tensor_set(c->value, o + j,
                     xh * sph_tensor_get(gain->value, j) + sph_tensor_get(bias->value, j));
    }
  }
  return c;
}
