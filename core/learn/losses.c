/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Losses: mean squared error, cross-entropy from logits, Gaussian negative
 * log-likelihood. Each is a mean, so its size does not depend on the batch size. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tape_internal.h"

static void add_to(SphTensor *g, size_t i, double d)
{
  sph_tensor_set(g, i, sph_tensor_get(g, i) + d);
}

static bool check_pair(SphTape *tape, const char *op, SphVar *a, SphVar *b)
{
  if (a == NULL || b == NULL) {
    tape_fail(tape, SPH_ERR_INVALID, "%s: an operand is missing", op);
    return false;
  }
  if (!tape_same_dtype(tape, op, a, b))
    return false;
  if (a->value->size != b->value->size || !sph_tensor_same_shape(a->value, b->value)) {
    char sa[64], sb[64];
    tape_fail(tape, SPH_ERR_INVALID, "%s: shapes %s and %s differ", op,
              sph_tensor_shape_str(a->value, sa, sizeof sa),
              sph_tensor_shape_str(b->value, sb, sizeof sb));
    return false;
  }
  return true;
}

static void mse_backward(SphVar *c)
{
  SphVar *p = c->in[0], *t = c->in[1];
  size_t n = p->value->size;
  double w = 2.0 * sph_tensor_get(c->grad, 0) / (double)n;
  for (size_t i = 0; i < n; i++) {
    double r = sph_tensor_get(p->value, i) - sph_tensor_get(t->value, i);
    if (p->grad != NULL)
      add_to(p->grad, i, w * r);
    if (t->grad != NULL)
      add_to(t->grad, i, -w * r);
  }
}

SphVar *sph_mse_loss(SphTape *tape, SphVar *pred, SphVar *target)
{
  if (!check_pair(tape, "mse_loss", pred, target))
    return NULL;
  size_t one = 1;
  SphVar *in[2] = {pred, target};
  SphVar *c = tape_record(tape, pred->value->dtype, 1, &one, in, 2, mse_backward);
  if (c != NULL) {
    double s = 0.0;
    for (size_t i = 0; i < pred->value->size; i++) {
      double r = sph_tensor_get(pred->value, i) - sph_tensor_get(target->value, i);
      s += r * r;
    }
    sph_tensor_set(c->value, 0, s / (double)pred->value->size);
  }
  return c;
}

/* aux holds softmax(logits), saved by the forward pass. */
static void cross_entropy_backward(SphVar *c)
{
  SphVar *x = c->in[0];
  size_t k = x->value->shape[1], m = x->value->shape[0];
  double w = sph_tensor_get(c->grad, 0) / (double)m;
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < k; j++) {
      double p = sph_tensor_get(c->aux, i * k + j) - ((size_t)c->labels[i] == j ? 1.0 : 0.0);
      add_to(x->grad, i * k + j, w * p);
    }
}

SphVar *sph_cross_entropy_logits(SphTape *tape, SphVar *logits, const int32_t *labels,
                                 size_t nlabels)
{
  if (logits == NULL || labels == NULL)
    return tape_fail(tape, SPH_ERR_INVALID, "cross_entropy: an operand is missing");
  const SphTensor *x = logits->value;
  if (x->ndim != 2 || x->shape[0] != nlabels) {
    char s[64];
    return tape_fail(tape, SPH_ERR_INVALID,
                     "cross_entropy: logits of shape %s for %zu labels (want [%zu, classes])",
                     sph_tensor_shape_str(x, s, sizeof s), nlabels, nlabels);
  }
  size_t m = x->shape[0], k = x->shape[1];
  for (size_t i = 0; i < m; i++)
    if (labels[i] < 0 || (size_t)labels[i] >= k)
      return tape_fail(tape, SPH_ERR_INVALID,
                       "cross_entropy: label %d of row %zu is outside 0..%zu", (int)labels[i], i,
                       k - 1);
  size_t one = 1;
  SphVar *c = tape_record(tape, x->dtype, 1, &one, &logits, 1, cross_entropy_backward);
  if (c == NULL)
    return NULL;
  c->labels = malloc(m * sizeof *c->labels);
  if (c->labels == NULL || tape_aux(tape, c, 0, x->ndim, x->shape) == NULL)
    return tape_fail(tape, SPH_ERR_NOMEM, "cross_entropy: out of memory");
  memcpy(c->labels, labels, m * sizeof *labels);
  double loss = 0.0;
  for (size_t i = 0; i < m; i++) {
    size_t o = i * k;
    double mx = -INFINITY;
    for (size_t j = 0; j < k; j++)
      mx = fmax(mx, sph_tensor_get(x, o + j));
    double s = 0.0;
    for (size_t j = 0; j < k; j++)
      s += exp(sph_tensor_get(x, o + j) - mx);
    double lse = mx + log(s);
    for (size_t j = 0; j < k; j++)
      sph_tensor_set(c->aux, o + j, exp(sph_tensor_get(x, o + j) - lse));
    loss += lse - sph_tensor_get(x, o + (size_t)labels[i]);
  }
  sph_tensor_set(c->value, 0, loss / (double)m);
  return c;
}

static void gaussian_nll_backward(SphVar *c)
{
  SphVar *mu = c->in[0], *lv = c->in[1], *t = c->in[2];
  size_t n = mu->value->size;
  double w = sph_tensor_get(c->grad, 0) / (double)n;
  for (size_t i = 0; i < n; i++) {
    double r = sph_tensor_get(t->value, i) - sph_tensor_get(mu->value, i);
    double prec = exp(-sph_tensor_get(lv->value, i));
    if (mu->grad != NULL)
      add_to(mu->grad, i, -w * r * prec);
    if (t->grad != NULL)
      add_to(t->grad, i, w * r * prec);
    if (lv->grad != NULL)
      add_to(lv->grad, i, w * 0.5 * (1.0 - r * r * prec));
  }
}

SphVar *sph_gaussian_nll(SphTape *tape, SphVar *mean, SphVar *log_var, SphVar *target)
{
  if (!check_pair(tape, "gaussian_nll", mean, log_var) ||
      !check_pair(tape, "gaussian_nll", mean, target))
    return NULL;
  size_t one = 1;
  SphVar *in[3] = {mean, log_var, target};
  SphVar *c = tape_record(tape, mean->value->dtype, 1, &one, in, 3, gaussian_nll_backward);
  if (c != NULL) {
    size_t n = mean->value->size;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
      double r = sph_tensor_get(target->value, i) - sph_tensor_get(mean->value, i);
      double lvi = sph_tensor_get(log_var->value, i);
      s += 0.5 * (log(2.0 * M_PI) + lvi + r * r * exp(-lvi));
    }
    sph_tensor_set(c->value, 0, s / (double)n);
  }
  return c;
}
