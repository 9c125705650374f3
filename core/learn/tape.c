/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tape, parameters, the reverse sweep and the linear operations. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tape_internal.h"

/* Tensors of reset variables are kept in a pool and handed out again to variables of
 * the same dtype and size: a training loop records the same shapes every step, and
 * reusing their memory spares the allocator and the page faults of fresh memory. */
struct SphTape {
  SphVar **vars;
  size_t count, capacity;
  SphTensor **pool;
  size_t pool_count, pool_capacity;
  SphError error;
};

SphTape *sph_tape_new(void)
{
  return calloc(1, sizeof(SphTape));
}

/* Keeps t for reuse, or frees it when the pool cannot grow. */
static void pool_put(SphTape *tape, SphTensor *t)
{
  if (t == NULL)
    return;
  if (tape->pool_count == tape->pool_capacity) {
    size_t cap = tape->pool_capacity ? 2 * tape->pool_capacity : 64;
    SphTensor **pool = realloc(tape->pool, cap * sizeof *pool);
    if (pool == NULL) {
      sph_tensor_free(t);
      return;
    }
    tape->pool = pool;
    tape->pool_capacity = cap;
  }
  tape->pool[tape->pool_count++] = t;
}

/* A tensor of this dtype and shape, from the pool when one of the same size is there
 * (its contents undefined), else newly allocated. */
static SphTensor *pool_get(SphTape *tape, SphDType dtype, int ndim, const size_t *shape,
                           SphError *err)
{
  size_t size = 1;
  bool valid = ndim >= 1 && ndim <= SPH_TENSOR_MAX_DIM;
  for (int d = 0; valid && d < ndim; d++) {
    valid = shape[d] != 0 && size <= SIZE_MAX / shape[d];
    size *= valid ? shape[d] : 1;
  }
  for (size_t i = tape->pool_count; valid && i-- > 0;) {
    SphTensor *t = tape->pool[i];
    if (t->dtype != dtype || t->size != size)
      continue;
    tape->pool[i] = tape->pool[--tape->pool_count];
    t->ndim = ndim;
    size_t stride = 1;
    for (int d = ndim - 1; d >= 0; d--) {
      t->shape[d] = shape[d];
      t->strides[d] = stride;
      stride *= shape[d];
    }
    return t;
  }
  return sph_tensor_new_uninit(dtype, ndim, shape, err); /* reports an invalid shape */
}

static void var_recycle(SphTape *tape, SphVar *v)
{
  pool_put(tape, v->value);
  pool_put(tape, v->grad);
  pool_put(tape, v->aux);
  pool_put(tape, v->aux2);
  free(v->labels);
  free(v);
}

static void var_destroy(SphVar *v)
{
  sph_tensor_free(v->value);
  sph_tensor_free(v->grad);
  sph_tensor_free(v->aux);
  sph_tensor_free(v->aux2);
  free(v->labels);
  free(v);
}

void sph_tape_reset(SphTape *tape)
{
  if (tape == NULL)
    return;
  for (size_t i = 0; i < tape->count; i++)
    var_recycle(tape, tape->vars[i]);
  tape->count = 0;
  sph_error_clear(&tape->error);
}

void sph_tape_free(SphTape *tape)
{
  if (tape == NULL)
    return;
  sph_tape_reset(tape);
  for (size_t i = 0; i < tape->pool_count; i++)
    sph_tensor_free(tape->pool[i]);
  free(tape->pool);
  free(tape->vars);
  free(tape);
}

SphStatus sph_tape_status(const SphTape *tape, SphError *err)
{
  if (tape == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "autodiff: no tape (out of memory)");
  if (tape->error.code != SPH_OK)
    return sph_error_set(err, tape->error.code, "%s", tape->error.message);
  return SPH_OK;
}

SphVar *tape_fail(SphTape *tape, SphStatus code, const char *fmt, ...)
{
  if (tape != NULL && tape->error.code == SPH_OK) {
    va_list ap;
    va_start(ap, fmt);
    sph_error_setv(&tape->error, code, fmt, ap);
    va_end(ap);
  }
  return NULL;
}

bool tape_same_dtype(SphTape *tape, const char *op, const SphVar *a, const SphVar *b)
{
  if (a->value->dtype == b->value->dtype)
    return true;
  tape_fail(tape, SPH_ERR_INVALID, "%s: operands differ in dtype (float32 and float64)", op);
  return false;
}

static bool tape_push(SphTape *tape, SphVar *v)
{
  if (tape->count == tape->capacity) {
    size_t cap = tape->capacity ? 2 * tape->capacity : 64;
    SphVar **vars = realloc(tape->vars, cap * sizeof *vars);
    if (vars == NULL)
      return false;
    tape->vars = vars;
    tape->capacity = cap;
  }
  tape->vars[tape->count++] = v;
  return true;
}

SphVar *tape_record(SphTape *tape, SphDType dtype, int ndim, const size_t *shape,
                    SphVar *const *in, int nin, void (*backward)(SphVar *self))
{
  if (tape == NULL)
    return NULL;
  bool needs_grad = false;
  for (int i = 0; i < nin; i++) {
    if (in[i] == NULL)
      return tape_fail(tape, SPH_ERR_INVALID, "autodiff: an operand is missing");
    needs_grad = needs_grad || in[i]->grad != NULL;
  }
  SphError err = SPH_ERROR_INIT;
  SphVar *v = calloc(1, sizeof *v);
  if (v == NULL)
    return tape_fail(tape, SPH_ERR_NOMEM, "autodiff: out of memory");
  /* Every operation writes all of its output, so only gradients start at zero. */
  v->value = pool_get(tape, dtype, ndim, shape, &err);
  if (v->value != NULL && needs_grad) {
    v->grad = pool_get(tape, dtype, ndim, shape, &err);
    if (v->grad != NULL)
      memset(v->grad->data, 0, v->grad->size * (dtype == SPH_F32 ? sizeof(float) : sizeof(double)));
  }
  if (v->value == NULL || (needs_grad && v->grad == NULL) || !tape_push(tape, v)) {
    var_destroy(v);
    return tape_fail(tape, err.code ? err.code : SPH_ERR_NOMEM, "autodiff: %s",
                     err.code ? err.message : "out of memory");
  }
  v->on_tape = true;
  v->backward = needs_grad ? backward : NULL;
  for (int i = 0; i < nin; i++)
    v->in[i] = in[i];
  return v;
}

SphTensor *tape_aux(SphTape *tape, SphVar *v, int slot, int ndim, const size_t *shape)
{
  SphError err = SPH_ERROR_INIT;
  SphTensor *t = pool_get(tape, v->value->dtype, ndim, shape, &err);
  if (t == NULL) {
    tape_fail(tape, err.code, "autodiff: %s", err.message);
    return NULL;
  }
  if (slot == 0)
    v->aux = t;
  else
    v->aux2 = t;
  return t;
}

SphVar *sph_var_new_param(SphTensor *value, SphError *err)
{
  if (value == NULL) {
    sph_error_set(err, SPH_ERR_INVALID, "parameter: no value");
    return NULL;
  }
  SphVar *v = calloc(1, sizeof *v);
  if (v == NULL) {
    sph_tensor_free(value);
    sph_error_set(err, SPH_ERR_NOMEM, "parameter: out of memory");
    return NULL;
  }
  v->value = value;
  v->grad = sph_tensor_zeros_like(value, err);
  if (v->grad == NULL) {
    var_destroy(v);
    return NULL;
  }
  return v;
}

void sph_var_free(SphVar *param)
{
  if (param != NULL && !param->on_tape)
    var_destroy(param);
}

SphVar *sph_tape_input(SphTape *tape, const SphTensor *value, bool requires_grad)
{
  if (value == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "autodiff: no input value");
  SphVar *v = tape_record(tape, value->dtype, value->ndim, value->shape, NULL, 0, NULL);
  if (v == NULL)
    return NULL;
  sph_tensor_copy(v->value, value);
  if (requires_grad) {
    SphError err = SPH_ERROR_INIT;
    v->grad = sph_tensor_zeros_like(value, &err);
    if (v->grad == NULL)
      return tape_fail(tape, err.code, "autodiff: %s", err.message);
  }
  return v;
}

SphTensor *sph_var_value(const SphVar *v)
{
  return v ? v->value : NULL;
}

SphTensor *sph_var_grad(const SphVar *v)
{
  return v ? v->grad : NULL;
}

void sph_var_zero_grad(SphVar *v)
{
  if (v != NULL && v->grad != NULL)
    sph_tensor_fill(v->grad, 0.0);
}

double sph_var_scalar(const SphVar *v)
{
  return sph_tensor_get(v->value, 0);
}

SphStatus sph_backward(SphTape *tape, SphVar *loss, SphError *err)
{
  SphStatus st = sph_tape_status(tape, err);
  if (st != SPH_OK)
    return st;
  if (loss == NULL || loss->value->size != 1)
    return sph_error_set(err, SPH_ERR_INVALID, "backward: the loss must be one number");
  if (loss->grad == NULL)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "backward: the loss depends on no parameter or input with a gradient");
  sph_tensor_fill(loss->grad, 1.0);
  for (size_t i = tape->count; i-- > 0;) {
    SphVar *v = tape->vars[i];
    if (v->backward != NULL)
      v->backward(v);
  }
  return SPH_OK;
}

/* ---- linear operations ---- */

static void matmul_backward(SphVar *c)
{
  SphVar *a = c->in[0], *b = c->in[1];
  if (a->grad != NULL)
    sph_tensor_gemm(false, true, 1.0, c->grad, b->value, 1.0, a->grad, NULL);
  if (b->grad != NULL)
    sph_tensor_gemm(true, false, 1.0, a->value, c->grad, 1.0, b->grad, NULL);
}

SphVar *sph_matmul(SphTape *tape, SphVar *a, SphVar *b)
{
  if (a == NULL || b == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "matmul: an operand is missing");
  if (!tape_same_dtype(tape, "matmul", a, b))
    return NULL;
  const SphTensor *x = a->value, *y = b->value;
  if (x->ndim != 2 || y->ndim != 2 || x->shape[1] != y->shape[0]) {
    char sa[64], sb[64];
    return tape_fail(tape, SPH_ERR_INVALID, "matmul: shapes %s and %s do not multiply",
                     sph_tensor_shape_str(x, sa, sizeof sa), sph_tensor_shape_str(y, sb, sizeof sb));
  }
  size_t shape[2] = {x->shape[0], y->shape[1]};
  SphVar *in[2] = {a, b};
  SphVar *c = tape_record(tape, x->dtype, 2, shape, in, 2, matmul_backward);
  if (c != NULL)
    sph_tensor_gemm(false, false, 1.0, x, y, 0.0, c->value, NULL);
  return c;
}

static void add_backward(SphVar *c)
{
  for (int k = 0; k < 2; k++)
    if (c->in[k]->grad != NULL)
      sph_tensor_axpy(c->in[k]->grad, 1.0, c->grad);
}

SphVar *sph_add(SphTape *tape, SphVar *a, SphVar *b)
{
  if (a == NULL || b == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "add: an operand is missing");
  if (!tape_same_dtype(tape, "add", a, b))
    return NULL;
  if (!sph_tensor_same_shape(a->value, b->value)) {
    char sa[64], sb[64];
    return tape_fail(tape, SPH_ERR_INVALID, "add: shapes %s and %s differ",
                     sph_tensor_shape_str(a->value, sa, sizeof sa),
                     sph_tensor_shape_str(b->value, sb, sizeof sb));
  }
  SphVar *in[2] = {a, b};
  SphVar *c = tape_record(tape, a->value->dtype, a->value->ndim, a->value->shape, in, 2,
                          add_backward);
  if (c != NULL) {
    sph_tensor_copy(c->value, a->value);
    sph_tensor_axpy(c->value, 1.0, b->value);
  }
  return c;
}

static void add_bias_backward(SphVar *c)
{
  SphVar *x = c->in[0], *b = c->in[1];
  if (x->grad != NULL)
    sph_tensor_axpy(x->grad, 1.0, c->grad);
  if (b->grad != NULL && c->grad->dtype == SPH_F32) {
    /* row by row, so the inner loop runs along memory */
    size_t n = b->value->size, m = c->value->size / n;
    const float *g = c->grad->data;
    float *gb = b->grad->data;
    for (size_t i = 0; i < m; i++)
      for (size_t j = 0; j < n; j++)
        gb[j] += g[i * n + j];
  } else if (b->grad != NULL) {
    size_t n = b->value->size, m = c->value->size / n;
    for (size_t j = 0; j < n; j++) {
      double s = 0.0;
      for (size_t i = 0; i < m; i++)
        s += sph_tensor_get(c->grad, i * n + j);
      sph_tensor_set(b->grad, j, sph_tensor_get(b->grad, j) + s);
    }
  }
}

SphVar *sph_add_bias(SphTape *tape, SphVar *x, SphVar *bias)
{
  if (x == NULL || bias == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "add_bias: an operand is missing");
  if (!tape_same_dtype(tape, "add_bias", x, bias))
    return NULL;
  const SphTensor *xv = x->value;
  size_t n = xv->shape[xv->ndim - 1];
  if (bias->value->size != n) {
    char sa[64], sb[64];
    return tape_fail(tape, SPH_ERR_INVALID, "add_bias: a bias of shape %s does not fit %s",
                     sph_tensor_shape_str(bias->value, sb, sizeof sb),
                     sph_tensor_shape_str(xv, sa, sizeof sa));
  }
  SphVar *in[2] = {x, bias};
  SphVar *c = tape_record(tape, xv->dtype, xv->ndim, xv->shape, in, 2, add_bias_backward);
  if (c != NULL && xv->dtype == SPH_F32) {
    const float *xs = xv->data, *bs = bias->value->data;
    float *ys = c->value->data;
    for (size_t i = 0; i < xv->size; i += n)
      for (size_t j = 0; j < n; j++)
        ys[i + j] = xs[i + j] + bs[j];
  } else if (c != NULL)
    for (size_t i = 0; i < xv->size; i++)
      sph_tensor_set(c->value, i, sph_tensor_get(xv, i) + sph_tensor_get(bias->value, i % n));
  return c;
}

static void scale_backward(SphVar *c)
{
  sph_tensor_axpy(c->in[0]->grad, c->scalar, c->grad);
}

SphVar *sph_scale(SphTape *tape, SphVar *x, double s)
{
  if (x == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "scale: the operand is missing");
  SphVar *c = tape_record(tape, x->value->dtype, x->value->ndim, x->value->shape, &x, 1,
                          scale_backward);
  if (c != NULL) {
    c->scalar = s;
    for (size_t i = 0; i < x->value->size; i++)
      sph_tensor_set(c->value, i, s * sph_tensor_get(x->value, i));
  }
  return c;
}

/* sum and mean: scalar = w * sum(x), w = 1 or 1/n */
static void reduce_backward(SphVar *c)
{
  SphTensor *g = c->in[0]->grad;
  double d = c->scalar * sph_tensor_get(c->grad, 0);
  for (size_t i = 0; i < g->size; i++)
    sph_tensor_set(g, i, sph_tensor_get(g, i) + d);
}

static SphVar *reduce(SphTape *tape, SphVar *x, bool mean)
{
  if (x == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "%s: the operand is missing", mean ? "mean" : "sum");
  size_t one = 1;
  SphVar *c = tape_record(tape, x->value->dtype, 1, &one, &x, 1, reduce_backward);
  if (c != NULL) {
    double s = 0.0;
    for (size_t i = 0; i < x->value->size; i++)
      s += sph_tensor_get(x->value, i);
    c->scalar = mean ? 1.0 / (double)x->value->size : 1.0;
    sph_tensor_set(c->value, 0, c->scalar * s);
  }
  return c;
}

SphVar *sph_sum(SphTape *tape, SphVar *x)
{
  return reduce(tape, x, false);
}

SphVar *sph_mean(SphTape *tape, SphVar *x)
{
  return reduce(tape, x, true);
}

static void mul_backward(SphVar *c)
{
  SphVar *a = c->in[0], *b = c->in[1];
  for (size_t i = 0; i < c->value->size; i++) {
    double g = sph_tensor_get(c->grad, i);
    if (a->grad != NULL)
      sph_tensor_set(a->grad, i, sph_tensor_get(a->grad, i) + g * sph_tensor_get(b->value, i));
    if (b->grad != NULL)
      sph_tensor_set(b->grad, i, sph_tensor_get(b->grad, i) + g * sph_tensor_get(a->value, i));
  }
}

SphVar *sph_mul(SphTape *tape, SphVar *a, SphVar *b)
{
  if (a == NULL || b == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "mul: an operand is missing");
  if (!tape_same_dtype(tape, "mul", a, b))
    return NULL;
  if (!sph_tensor_same_shape(a->value, b->value)) {
    char sa[64], sb[64];
    return tape_fail(tape, SPH_ERR_INVALID, "mul: shapes %s and %s differ",
                     sph_tensor_shape_str(a->value, sa, sizeof sa),
                     sph_tensor_shape_str(b->value, sb, sizeof sb));
  }
  SphVar *in[2] = {a, b};
  SphVar *c = tape_record(tape, a->value->dtype, a->value->ndim, a->value->shape, in, 2,
                          mul_backward);
  if (c != NULL)
    for (size_t i = 0; i < c->value->size; i++)
      sph_tensor_set(c->value, i, sph_tensor_get(a->value, i) * sph_tensor_get(b->value, i));
  return c;
}
