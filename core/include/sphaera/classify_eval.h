/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "sphaera/error.h"

/* Evaluating a trained classifier from its class probabilities per row (n x k,
 * row-major, e.g. from sph_net_predict() in train.h): the predicted classes, the
 * confusion matrix, and the misclassified rows ranked by how sure the network was of its
 * wrong answer (what a person looks at first). Also the smoothing of a training
 * curve that the Learn page's slider applies (TensorBoard's debiased moving average). */

/* pred[i] = the first index of the largest of probs[i*k .. i*k+k). */
void sph_argmax_rows(const double *probs, size_t n, size_t k, int32_t *pred);

/* counts (k x k, row = true class, column = predicted) of n pairs; a label outside
 * 0..k-1 is an error naming the row. */
SphStatus sph_confusion_matrix(const int32_t *truth, const int32_t *pred, size_t n, size_t k,
                               size_t *counts, SphError *err);

typedef struct {
  size_t row;             /* index into the evaluated set */
  int32_t truth, predicted;
  double p_predicted;     /* the probability given to the wrong answer */
  double p_truth;         /* the probability given to the right one */
} SphMisclassified;

/* The misclassified rows (argmax != truth), most confident mistakes first (ties: lower
 * row first); writes at most max of them to out and returns how many rows were
 * misclassified in all (which may exceed max). */
size_t sph_misclassified_top(const double *probs, const int32_t *truth, size_t n, size_t k,
                             SphMisclassified *out, size_t max);

/* out[i] = the debiased exponential moving average of values[0..i] with weight
 * smoothing in [0, 1): m_i = smoothing m_{i-1} + (1 - smoothing) v_i, m_{-1} = 0,
 * out[i] = m_i / (1 - smoothing^(i+1)). Non-finite values are skipped (copied as they
 * are, leaving the average unchanged). smoothing 0 copies values. */
void sph_curve_smooth_ema(const double *values, size_t n, double smoothing, double *out);
