/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Elementwise activations and the row-wise softmax and log-softmax. */
#include <math.h>
#include <stdbool.h>

#include "sphaera/layers.h"
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

/* tanh in float32 as a rational function (Eigen's generic_fast_tanh_float): within 4 ulp
 * of the true value, and a loop of it vectorises, where libm's tanh is a call per element
 * and was half of a small tanh network's training time. */
static inline float tanh_f32(float x)
{
  const float c = 7.90531110763549805f; /* beyond it the quotient rounds to +-1 */
  float xc = x > c ? c : x < -c ? -c : x;
  float x2 = xc * xc;
  float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return fabsf(x) < 0.0004f ? x : p * xc / q;
}

/* The float32 loops of the two commonest activations, without the per-element dtype
 * branch and the double conversions. */
static bool act_forward_f32(int kind, size_t n, const float *x, float *y)
{
  if (kind == ACT_TANH) {
    for (size_t i = 0; i < n; i++)
      y[i] = tanh_f32(x[i]);
    return true;
  }
  if (kind == ACT_RELU) { /* a select (maxss), not a call to fmaxf nor a branch */
    for (size_t i = 0; i < n; i++) {
      float v = x[i];
      y[i] = v > 0.0f ? v : 0.0f;
    }
    return true;
  }
  return false;
}

static bool act_backward_f32(int kind, size_t n, const float *x, const float *y,
                             const float *gy, float *gx)
{
  if (kind == ACT_TANH) {
    for (size_t i = 0; i < n; i++)
      gx[i] += (1.0f - y[i] * y[i]) * gy[i];
    return true;
  }
  if (kind == ACT_RELU) {
    for (size_t i = 0; i < n; i++)
      gx[i] += (float)(x[i] > 0.0f) * gy[i];
    return true;
  }
  return false;
}

static void act_backward(SphVar *c)
{
  SphVar *x = c->in[0];
  if (c->value->dtype == SPH_F32 &&
      act_backward_f32(c->kind, c->value->size, x->value->data, c->value->data, c->grad->data,
                       x->grad->data))
    return;
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
    if (x->value->dtype == SPH_F32 &&
        act_forward_f32(kind, x->value->size, x->value->data, c->value->data))
      return c;
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

/* ---- derivatives of the activations, for forward-mode input derivatives ---- */

/* The order-th derivative (1..3) of activation kind at x. */
static double act_derivative(int kind, int order, double x)
{
  switch (kind) {
  case ACT_RELU:
    return order == 1 && x > 0.0 ? 1.0 : 0.0;
  case ACT_TANH: {
    double t = tanh(x), s = 1.0 - t * t;
    return order == 1 ? s : order == 2 ? -2.0 * t * s : -2.0 * s * (1.0 - 3.0 * t * t);
  }
  case ACT_GELU: {
    double phi = exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
    if (order == 1)
      return 0.5 * (1.0 + erf(x * M_SQRT1_2)) + x * phi;
    return order == 2 ? phi * (2.0 - x * x) : phi * (x * x * x - 4.0 * x);
  }
  case ACT_SOFTPLUS: /* the derivatives of the sigmoid, one order lower */
    if (order == 1)
      return sigmoid(x);
    return act_derivative(ACT_SIGMOID, order - 1, x);
  default: {
    double s = sigmoid(x), d = s * (1.0 - s);
    return order == 1 ? d : order == 2 ? d * (1.0 - 2.0 * s) : d * (1.0 - 6.0 * s + 6.0 * s * s);
  }
  }
}

static void act_derivative_backward(SphVar *c)
{
  SphVar *x = c->in[0];
  for (size_t i = 0; i < c->value->size; i++) {
    double slope = act_derivative(c->kind, (int)c->scalar + 1, sph_tensor_get(x->value, i));
    sph_tensor_set(x->grad, i, sph_tensor_get(x->grad, i) + slope * sph_tensor_get(c->grad, i));
  }
}

SphVar *sph_activation_derivative(SphTape *tape, SphActivation act, SphVar *x, int order)
{
  if (x == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "activation derivative: the operand is missing");
  if ((unsigned)act >= SPH_ACT_COUNT || order < 1 || order > 2)
    return tape_fail(tape, SPH_ERR_INVALID,
                     "activation derivative: activation %d, order %d (1 or 2 supported)", (int)act,
                     order);
  SphVar *c = tape_record(tape, x->value->dtype, x->value->ndim, x->value->shape, &x, 1,
                          act_derivative_backward);
  if (c != NULL) {
    c->kind = (int)act;
    c->scalar = order;
    for (size_t i = 0; i < x->value->size; i++)
      sph_tensor_set(c->value, i, act_derivative((int)act, order, sph_tensor_get(x->value, i)));
  }
  return c;
}
