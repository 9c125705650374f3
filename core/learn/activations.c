/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Elementwise activations and the row-wise softmax and log-softmax. */
#include <math.h>

#include "tape_internal.h"

enum { ACT_RELU, ACT_TANH, ACT_GELU, ACT_SOFTPLUS, ACT_SIGMOID };

static const char *const act_names[] = {"relu", "tanh", "gelu", "softplus", "sigmoid"};

static double sigmoid(double x)
{
  /* Split by sign so exp never overflows. */
  if (x >= 0.0)
    return 1.0 / (1.0 + exp(-x));
  double e = exp(x);
  return e / (1.0 + e);
}

static double act_value(int kind, double x)
{
  switch (kind) {
  case ACT_RELU:
    return x > 0.0 ? x : 0.0;
  case ACT_TANH:
    return tanh(x);
  case ACT_GELU:
    return 0.5 * x * (1.0 + erf(x * M_SQRT1_2));
  case ACT_SOFTPLUS:
    return fmax(x, 0.0) + log1p(exp(-fabs(x)));
  default:
    return sigmoid(x);
  }
}

/* dy/dx from the input x and the output y. */
static double act_slope(int kind, double x, double y)
{
  switch (kind) {
  case ACT_RELU:
    return x > 0.0 ? 1.0 : 0.0;
  case ACT_TANH:
    return 1.0 - y * y;
  case ACT_GELU:
    return 0.5 * (1.0 + erf(x * M_SQRT1_2)) + x * exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
  case ACT_SOFTPLUS:
    return sigmoid(x);
  default:
    return y * (1.0 - y);
  }
}

static void act_backward(SphVar *c)
{
  SphVar *x = c->in[0];
  for (size_t i = 0; i < c->value->size; i++) {
    double slope = act_slope(c->kind, sph_tensor_get(x->value, i), sph_tensor_get(c->value, i));
    sph_tensor_set(x->grad, i, sph_tensor_get(x->grad, i) + slope * sph_tensor_get(c->grad, i));
  }
}

static SphVar *activation(SphTape *tape, SphVar *x, int kind)
{
  if (x == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "%s: the operand is missing", act_names[kind]);
  SphVar *c = tape_record(tape, x->value->dtype, x->value->ndim, x->value->shape, &x, 1,
                          act_backward);
  if (c != NULL) {
    c->kind = kind;
    for (size_t i = 0; i < x->value->size; i++)
      sph_tensor_set(c->value, i, act_value(kind, sph_tensor_get(x->value, i)));
  }
  return c;
}

SphVar *sph_relu(SphTape *tape, SphVar *x)
{
  return activation(tape, x, ACT_RELU);
}

SphVar *sph_tanh(SphTape *tape, SphVar *x)
{
  return activation(tape, x, ACT_TANH);
}

SphVar *sph_gelu(SphTape *tape, SphVar *x)
{
  return activation(tape, x, ACT_GELU);
}

SphVar *sph_softplus(SphTape *tape, SphVar *x)
{
  return activation(tape, x, ACT_SOFTPLUS);
}

SphVar *sph_sigmoid(SphTape *tape, SphVar *x)
{
  return activation(tape, x, ACT_SIGMOID);
}

/* ---- softmax along the last dimension ---- */

enum { SOFTMAX = 0, LOG_SOFTMAX = 1 };

static void softmax_backward(SphVar *c)
{
  SphVar *x = c->in[0];
  size_t n = c->value->shape[c->value->ndim - 1], rows = c->value->size / n;
  for (size_t r = 0; r < rows; r++) {
    size_t o = r * n;
    double s = 0.0;
    for (size_t j = 0; j < n; j++)
      s += sph_tensor_get(c->grad, o + j) *
           (c->kind == SOFTMAX ? sph_tensor_get(c->value, o + j) : 1.0);
    for (size_t j = 0; j < n; j++) {
      double y = sph_tensor_get(c->value, o + j), dy = sph_tensor_get(c->grad, o + j);
      /* softmax: y_j (dy_j - sum dy y); log-softmax: dy_j - e^{y_j} sum dy */
      double dx = c->kind == SOFTMAX ? y * (dy - s) : dy - exp(y) * s;
      sph_tensor_set(x->grad, o + j, sph_tensor_get(x->grad, o + j) + dx);
    }
  }
}

/* Writes log-sum-exp-shifted values of one row: the max is subtracted first so exp
 * never overflows. */
static void softmax_row(const SphTensor *x, SphTensor *y, size_t o, size_t n, int kind)
{
  double m = -INFINITY;
  for (size_t j = 0; j < n; j++)
    m = fmax(m, sph_tensor_get(x, o + j));
  double s = 0.0;
  for (size_t j = 0; j < n; j++)
    s += exp(sph_tensor_get(x, o + j) - m);
  double lse = m + log(s);
  for (size_t j = 0; j < n; j++) {
    double l = sph_tensor_get(x, o + j) - lse;
    sph_tensor_set(y, o + j, kind == SOFTMAX ? exp(l) : l);
  }
}

static SphVar *softmax_op(SphTape *tape, SphVar *x, int kind)
{
  if (x == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "%s: the operand is missing",
                     kind == SOFTMAX ? "softmax" : "log_softmax");
  const SphTensor *xv = x->value;
  SphVar *c = tape_record(tape, xv->dtype, xv->ndim, xv->shape, &x, 1, softmax_backward);
  if (c != NULL) {
    c->kind = kind;
    size_t n = xv->shape[xv->ndim - 1];
    for (size_t o = 0; o < xv->size; o += n)
      softmax_row(xv, c->value, o, n, kind);
  }
  return c;
}

SphVar *sph_softmax(SphTape *tape, SphVar *x)
{
  return softmax_op(tape, x, SOFTMAX);
}

SphVar *sph_log_softmax(SphTape *tape, SphVar *x)
{
  return softmax_op(tape, x, LOG_SOFTMAX);
}
