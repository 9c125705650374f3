/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Two-dimensional convolution (im2col + GEMM), max and average pooling, and reshaping,
 * on images laid out [batch, channels, height, width] as torch lays them out. */
#include <stdlib.h>
#include <string.h>

#include "tape_internal.h"

/* A 2-D view of rows x cols elements of t's storage starting at data. */
static SphTensor view2(const SphTensor *t, void *data, size_t rows, size_t cols)
{
  SphTensor v = *t;
  v.ndim = 2;
  v.shape[0] = rows;
  v.shape[1] = cols;
  v.strides[0] = cols;
  v.strides[1] = 1;
  v.size = rows * cols;
  v.data = data;
  return v;
}

static size_t elem_size(const SphTensor *t)
{
  return t->dtype == SPH_F32 ? sizeof(float) : sizeof(double);
}

typedef struct {
  size_t n, c, h, w, cout, kh, kw, oh, ow, stride, pad;
} ConvGeom;

static ConvGeom conv_geom(const SphVar *out)
{
  const SphTensor *x = out->in[0]->value, *wt = out->in[1]->value;
  ConvGeom g = {.n = x->shape[0], .c = x->shape[1], .h = x->shape[2], .w = x->shape[3],
                .cout = wt->shape[0], .kh = wt->shape[2], .kw = wt->shape[3],
                .oh = out->value->shape[2], .ow = out->value->shape[3],
                .stride = (size_t)out->kind, .pad = (size_t)out->scalar};
  return g;
}

/* col[p, k] with p = (n, oy, ox) and k = (c, ky, kx): the input pixel under kernel tap k
 * at output position p, or 0 in the padding. With add, col2im instead: x += col
 * scattered back, the adjoint of the gather. Written once per element type (T) so the
 * inner loop has no dtype branch. */
#define DEFINE_IM2COL(NAME, T)                                                             \
  static void NAME(const ConvGeom *g, T *x, T *col, bool add)                              \
  {                                                                                        \
    size_t kk = g->c * g->kh * g->kw;                                                      \
    for (size_t n = 0; n < g->n; n++)                                                      \
      for (size_t oy = 0; oy < g->oh; oy++)                                                \
        for (size_t ox = 0; ox < g->ow; ox++) {                                            \
          T *row = col + ((n * g->oh + oy) * g->ow + ox) * kk;                             \
          for (size_t c = 0; c < g->c; c++)                                                \
            for (size_t ky = 0; ky < g->kh; ky++) {                                        \
              long iy = (long)(oy * g->stride + ky) - (long)g->pad;                        \
              T *r = row + (c * g->kh + ky) * g->kw;                                       \
              T *plane = x + ((n * g->c + c) * g->h) * g->w;                               \
              bool row_in = iy >= 0 && iy < (long)g->h;                                    \
              for (size_t kx = 0; kx < g->kw; kx++) {                                      \
                long ix = (long)(ox * g->stride + kx) - (long)g->pad;                      \
                bool inside = row_in && ix >= 0 && ix < (long)g->w;                        \
                T *px = inside ? plane + (size_t)iy * g->w + (size_t)ix : NULL;            \
                if (add) {                                                                 \
                  if (inside)                                                              \
                    *px += r[kx];                                                          \
                } else {                                                                   \
                  r[kx] = inside ? *px : (T)0;                                             \
                }                                                                          \
              }                                                                            \
            }                                                                              \
        }                                                                                  \
  }
DEFINE_IM2COL(im2col_f32, float)
DEFINE_IM2COL(im2col_f64, double)

static void im2col(const ConvGeom *g, SphTensor *x, SphTensor *col, bool add)
{
  if (x->dtype == SPH_F32)
    im2col_f32(g, x->data, col->data, add);
  else
    im2col_f64(g, x->data, col->data, add);
}

/* aux: the column matrix [P, K]; aux2: P x (cout + K) scratch, its first P x cout the
 * output in position-major order, reused by the reverse sweep for the gradient of that
 * matrix and of the columns, so the reverse sweep allocates nothing. */
static void conv_backward(SphVar *out)
{
  ConvGeom g = conv_geom(out);
  SphVar *x = out->in[0], *wt = out->in[1], *b = out->in[2];
  size_t p = g.n * g.oh * g.ow, kk = g.c * g.kh * g.kw, hw = g.oh * g.ow;
  SphTensor dout = view2(out->aux2, out->aux2->data, p, g.cout);
  for (size_t n = 0; n < g.n; n++)
    for (size_t co = 0; co < g.cout; co++)
      for (size_t q = 0; q < hw; q++)
        sph_tensor_set(&dout, (n * hw + q) * g.cout + co,
                       sph_tensor_get(out->grad, (n * g.cout + co) * hw + q));
  if (wt->grad != NULL) {
    SphTensor dw = view2(wt->grad, wt->grad->data, g.cout, kk);
    sph_tensor_gemm(true, false, 1.0, &dout, out->aux, 1.0, &dw, NULL);
  }
  if (b != NULL && b->grad != NULL)
    for (size_t co = 0; co < g.cout; co++) {
      double s = 0.0;
      for (size_t r = 0; r < p; r++)
        s += sph_tensor_get(&dout, r * g.cout + co);
      sph_tensor_set(b->grad, co, sph_tensor_get(b->grad, co) + s);
    }
  if (x->grad != NULL) {
    SphTensor wv = view2(wt->value, wt->value->data, g.cout, kk);
    SphTensor dcol = view2(out->aux2, (char *)out->aux2->data + p * g.cout * elem_size(out->aux2),
                           p, kk);
    sph_tensor_gemm(false, false, 1.0, &dout, &wv, 0.0, &dcol, NULL);
    im2col(&g, x->grad, &dcol, true);
  }
}

SphVar *sph_conv2d(SphTape *tape, SphVar *x, SphVar *weight, SphVar *bias, size_t stride,
                   size_t pad)
{
  if (x == NULL || weight == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "conv2d: an operand is missing");
  if (!tape_same_dtype(tape, "conv2d", x, weight) ||
      (bias != NULL && !tape_same_dtype(tape, "conv2d", x, bias)))
    return NULL;
  const SphTensor *xv = x->value, *wv = weight->value;
  char sx[64], sw[64];
  if (xv->ndim != 4 || wv->ndim != 4 || xv->shape[1] != wv->shape[1])
    return tape_fail(tape, SPH_ERR_INVALID,
                     "conv2d: input %s and kernel %s do not fit ([batch, channels, height, "
                     "width] and [out channels, channels, height, width])",
                     sph_tensor_shape_str(xv, sx, sizeof sx), sph_tensor_shape_str(wv, sw, sizeof sw));
  if (bias != NULL && bias->value->size != wv->shape[0])
    return tape_fail(tape, SPH_ERR_INVALID, "conv2d: a bias of %zu elements for %zu output channels",
                     bias->value->size, wv->shape[0]);
  if (stride == 0 || stride > 64 || pad > 64 || xv->shape[2] + 2 * pad < wv->shape[2] ||
      xv->shape[3] + 2 * pad < wv->shape[3])
    return tape_fail(tape, SPH_ERR_INVALID,
                     "conv2d: kernel %s with stride %zu and padding %zu does not fit input %s",
                     sph_tensor_shape_str(wv, sw, sizeof sw), stride, pad,
                     sph_tensor_shape_str(xv, sx, sizeof sx));
  size_t oh = (xv->shape[2] + 2 * pad - wv->shape[2]) / stride + 1;
  size_t ow = (xv->shape[3] + 2 * pad - wv->shape[3]) / stride + 1;
  size_t shape[4] = {xv->shape[0], wv->shape[0], oh, ow};
  SphVar *in[3] = {x, weight, bias};
  SphVar *out = tape_record(tape, xv->dtype, 4, shape, in, bias ? 3 : 2, conv_backward);
  if (out == NULL)
    return NULL;
  out->kind = (int)stride; /* the variable's spare fields carry the geometry to the */
  out->scalar = (double)pad; /* reverse sweep (conv_geom) */
  ConvGeom g = conv_geom(out);
  size_t p = g.n * oh * ow, kk = g.c * g.kh * g.kw, hw = oh * ow;
  size_t col_shape[2] = {p, kk}, scratch = p * (g.cout + kk);
  SphTensor *col = tape_aux(tape, out, 0, 2, col_shape);
  SphTensor *work = col ? tape_aux(tape, out, 1, 1, &scratch) : NULL;
  if (work == NULL)
    return NULL;
  im2col(&g, x->value, col, false);
  SphTensor outm = view2(work, work->data, p, g.cout);
  SphTensor wm = view2(wv, wv->data, g.cout, kk);
  sph_tensor_gemm(false, true, 1.0, col, &wm, 0.0, &outm, NULL);
  for (size_t n = 0; n < g.n; n++)
    for (size_t co = 0; co < g.cout; co++) {
      double b = bias ? sph_tensor_get(bias->value, co) : 0.0;
      for (size_t q = 0; q < hw; q++)
        sph_tensor_set(out->value, (n * g.cout + co) * hw + q,
                       sph_tensor_get(&outm, (n * hw + q) * g.cout + co) + b);
    }
  return out;
}

/* ---- pooling over non-overlapping size x size windows (a remainder is dropped) ---- */

static void max_pool_backward(SphVar *out)
{
  SphVar *x = out->in[0];
  for (size_t i = 0; i < out->value->size; i++) {
    size_t src = (size_t)out->labels[i];
    sph_tensor_set(x->grad, src, sph_tensor_get(x->grad, src) + sph_tensor_get(out->grad, i));
  }
}

static void avg_pool_backward(SphVar *out)
{
  SphVar *x = out->in[0];
  const SphTensor *xv = x->value;
  size_t k = (size_t)out->kind, oh = out->value->shape[2], ow = out->value->shape[3];
  size_t planes = xv->shape[0] * xv->shape[1], h = xv->shape[2], w = xv->shape[3];
  double inv = 1.0 / (double)(k * k);
  for (size_t pl = 0; pl < planes; pl++)
    for (size_t oy = 0; oy < oh; oy++)
      for (size_t ox = 0; ox < ow; ox++) {
        double d = inv * sph_tensor_get(out->grad, (pl * oh + oy) * ow + ox);
        for (size_t dy = 0; dy < k; dy++)
          for (size_t dx = 0; dx < k; dx++) {
            size_t xi = (pl * h + oy * k + dy) * w + ox * k + dx;
            sph_tensor_set(x->grad, xi, sph_tensor_get(x->grad, xi) + d);
          }
      }
}

static SphVar *pool(SphTape *tape, SphVar *x, size_t k, bool max)
{
  const char *op = max ? "max_pool2d" : "avg_pool2d";
  if (x == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "%s: the operand is missing", op);
  const SphTensor *xv = x->value;
  char sx[64];
  if (xv->ndim != 4 || k == 0 || xv->shape[2] < k || xv->shape[3] < k)
    return tape_fail(tape, SPH_ERR_INVALID, "%s: a %zu x %zu window does not fit input %s", op, k,
                     k, sph_tensor_shape_str(xv, sx, sizeof sx));
  if (xv->size > INT32_MAX)
    return tape_fail(tape, SPH_ERR_UNSUPPORTED, "%s: input of %zu elements is too large", op,
                     xv->size);
  size_t h = xv->shape[2], w = xv->shape[3], oh = h / k, ow = w / k;
  size_t shape[4] = {xv->shape[0], xv->shape[1], oh, ow};
  SphVar *out = tape_record(tape, xv->dtype, 4, shape, &x, 1,
                            max ? max_pool_backward : avg_pool_backward);
  if (out == NULL)
    return NULL;
  out->kind = (int)k;
  if (max) {
    out->labels = malloc(out->value->size * sizeof *out->labels);
    if (out->labels == NULL)
      return tape_fail(tape, SPH_ERR_NOMEM, "%s: out of memory", op);
  }
  size_t planes = xv->shape[0] * xv->shape[1];
  for (size_t pl = 0; pl < planes; pl++)
    for (size_t oy = 0; oy < oh; oy++)
      for (size_t ox = 0; ox < ow; ox++) {
        size_t o = (pl * oh + oy) * ow + ox, best = (pl * h + oy * k) * w + ox * k;
        double acc = 0.0, top = sph_tensor_get(xv, best);
        for (size_t dy = 0; dy < k; dy++)
          for (size_t dx = 0; dx < k; dx++) {
            size_t xi = (pl * h + oy * k + dy) * w + ox * k + dx;
            double v = sph_tensor_get(xv, xi);
            acc += v;
            if (v > top) {
              top = v;
              best = xi;
            }
          }
        if (max)
          out->labels[o] = (int32_t)best;
        sph_tensor_set(out->value, o, max ? top : acc / (double)(k * k));
      }
  return out;
}

SphVar *sph_max_pool2d(SphTape *tape, SphVar *x, size_t size)
{
  return pool(tape, x, size, true);
}

SphVar *sph_avg_pool2d(SphTape *tape, SphVar *x, size_t size)
{
  return pool(tape, x, size, false);
}

/* ---- reshaping: the same elements in the same order ---- */

static void reshape_backward(SphVar *out)
{
  sph_tensor_axpy(out->in[0]->grad, 1.0, out->grad); /* same elements, same order */
}

SphVar *sph_reshape(SphTape *tape, SphVar *x, int ndim, const size_t *shape)
{
  if (x == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "reshape: the operand is missing");
  size_t size = 1;
  for (int d = 0; d >= 0 && d < ndim && d < SPH_TENSOR_MAX_DIM; d++)
    size *= shape[d];
  char sx[64];
  if (ndim < 1 || ndim > SPH_TENSOR_MAX_DIM || size != x->value->size)
    return tape_fail(tape, SPH_ERR_INVALID, "reshape: %s cannot become %d dimensions of %zu elements",
                     sph_tensor_shape_str(x->value, sx, sizeof sx), ndim, size);
  SphVar *out = tape_record(tape, x->value->dtype, ndim, shape, &x, 1, reshape_backward);
  if (out != NULL)
    sph_tensor_copy(out->value, x->value);
  return out;
}

SphVar *sph_flatten(SphTape *tape, SphVar *x)
{
  if (x == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "flatten: the operand is missing");
  size_t shape[2] = {x->value->shape[0], x->value->size / x->value->shape[0]};
  return sph_reshape(tape, x, 2, shape);
}
