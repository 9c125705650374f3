/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Evaluating a classifier from its probabilities: confusion matrix, ranked mistakes. */
#include "sphaera/classify_eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


void sph_argmax_rows(const double *probs, size_t n, size_t k, int32_t *pred)
{
  for (size_t i = 0; i < n; i++) {
    const double *p = probs + i * k;
    size_t best = 0;
    for (size_t j = 1; j < k; j++)
      if (p[j] > p[best])
        best = j;
    pred[i] = (int32_t)best;
  }
}

SphStatus sph_confusion_matrix(const int32_t *truth, const int32_t *pred, size_t n, size_t k,
                               size_t *counts, SphError *err)
{
  memset(counts, 0, k * k * sizeof *counts);
  for (size_t i = 0; i < n; i++) {
    if (truth[i] < 0 || (size_t)truth[i] >= k || pred[i] < 0 || (size_t)pred[i] >= k) {
      memset(counts, 0, k * k * sizeof *counts);
      return sph_error_set(err, SPH_ERR_INVALID,
                           "confusion matrix: row %zu has true class %d and predicted class %d; "
                           "classes run from 0 to %zu",
                           i, (int)truth[i], (int)pred[i], k - 1);
    }
    counts[(size_t)truth[i] * k + (size_t)pred[i]]++;
  }
  return SPH_OK;
}

static int by_confidence(const void *a, const void *b)
{
  const SphMisclassified *x = a, *y = b;
  if (x->p_predicted != y->p_predicted)
    return x->p_predicted > y->p_predicted ? -1 : 1;
  return (x->row > y->row) - (x->row < y->row);
}

size_t sph_misclassified_top(const double *probs, const int32_t *truth, size_t n, size_t k,
                             SphMisclassified *out, size_t max)
{
  /* Keeps the best max in out, sorted, by insertion: max is small (a grid of images). */
  size_t total = 0, kept = 0;
  for (size_t i = 0; i < n; i++) {
    int32_t pred;
    sph_argmax_rows(probs + i * k, 1, k, &pred);
    if (pred == truth[i])
      continue;
    total++;
    SphMisclassified m = {.row = i, .truth = truth[i], .predicted = pred,
                          .p_predicted = probs[i * k + (size_t)pred],
                          .p_truth = truth[i] >= 0 && (size_t)truth[i] < k
                                         ? probs[i * k + (size_t)truth[i]]
                                         : NAN};
    if (max == 0 || (kept == max && by_confidence(&m, &out[kept - 1]) >= 0))
      continue;
    size_t at = kept < max ? kept++ : max - 1;
    while (at > 0 && by_confidence(&m, &out[at - 1]) < 0) {
      out[at] = out[at - 1];
      at--;
    }
    out[at] = m;
  }
  return total;
}

void sph_curve_smooth_ema(const double *values, size_t n, double smoothing, double *out)
{
  double m = 0.0, weight = 1.0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(values[i]) || smoothing <= 0.0) {
      out[i] = values[i];
      continue;
    }
    m = smoothing * m + (1.0 - smoothing) * values[i];
    weight *= smoothing;
    out[i] = m / (1.0 - weight);
  }
}
