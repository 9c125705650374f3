/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sphaera/error.h"
#include "sphaera/rng.h"
#include "sphaera/tensor.h"

/* Reverse-mode automatic differentiation on a tape.
 *
 * A forward pass records every operation on an SphTape; each recorded variable keeps
 * its value, a gradient buffer (when anything upstream needs one) and the function that
 * pushes its gradient back to its inputs. sph_backward() seeds d(loss)/d(loss) = 1 and
 * runs those functions in reverse order, adding into the gradients of the inputs, so
 * parameter gradients accumulate across backward passes until sph_var_zero_grad().
 *
 * Parameters (sph_var_new_param) outlive tapes and belong to the caller; variables made
 * by operations or sph_tape_input belong to the tape and die at sph_tape_reset/free.
 * Operations never fail loudly: a shape or dtype mismatch records the first error on
 * the tape and returns NULL, and every operation given a NULL operand returns NULL, so
 * a forward pass checks sph_tape_status() once at its end. */

typedef struct SphTape SphTape;
typedef struct SphVar SphVar;

SphTape *sph_tape_new(void);
/* Frees the tape's variables and clears its error; the tape can record again. */
void sph_tape_reset(SphTape *tape);
void sph_tape_free(SphTape *tape);
/* SPH_OK, or the first error an operation recorded (copied into err). */
SphStatus sph_tape_status(const SphTape *tape, SphError *err);

/* A trainable parameter owning value (taken over, freed by sph_var_free), with a
 * zeroed gradient of the same shape. NULL on value == NULL or no memory. */
SphVar *sph_var_new_param(SphTensor *value, SphError *err);
void sph_var_free(SphVar *param);
/* A copy of value recorded on the tape; its gradient exists when requires_grad (the
 * gradient with respect to an input: saliency maps, PINN residuals). */
SphVar *sph_tape_input(SphTape *tape, const SphTensor *value, bool requires_grad);

SphTensor *sph_var_value(const SphVar *v);
/* NULL when the variable needs no gradient. */
SphTensor *sph_var_grad(const SphVar *v);
void sph_var_zero_grad(SphVar *v);
/* The value of a one-element variable. */
double sph_var_scalar(const SphVar *v);

/* Runs the reverse sweep from a one-element loss recorded on tape. Call once per
 * recording. */
SphStatus sph_backward(SphTape *tape, SphVar *loss, SphError *err);

/* ---- operations (all operands of one dtype) ---- */
/* [m,k] x [k,n] -> [m,n] */
SphVar *sph_matmul(SphTape *tape, SphVar *a, SphVar *b);
/* Elementwise sum of equal shapes. */
SphVar *sph_add(SphTape *tape, SphVar *a, SphVar *b);
/* x [m,n] plus a bias of n elements broadcast over the rows. */
SphVar *sph_add_bias(SphTape *tape, SphVar *x, SphVar *bias);
/* c x */
SphVar *sph_scale(SphTape *tape, SphVar *x, double c);
SphVar *sph_relu(SphTape *tape, SphVar *x);
SphVar *sph_tanh(SphTape *tape, SphVar *x);
/* The exact GELU, x Phi(x) with the normal CDF Phi. */
SphVar *sph_gelu(SphTape *tape, SphVar *x);
/* log(1 + e^x), evaluated without overflow. */
SphVar *sph_softplus(SphTape *tape, SphVar *x);
SphVar *sph_sigmoid(SphTape *tape, SphVar *x);
/* Along the last dimension. */
SphVar *sph_softmax(SphTape *tape, SphVar *x);
SphVar *sph_log_softmax(SphTape *tape, SphVar *x);
/* Of all elements, to a one-element variable. */
SphVar *sph_sum(SphTape *tape, SphVar *x);
SphVar *sph_mean(SphTape *tape, SphVar *x);

/* Elementwise product of equal shapes. */
SphVar *sph_mul(SphTape *tape, SphVar *a, SphVar *b);

/* ---- images, laid out [batch, channels, height, width] ---- */
/* Cross-correlation (as torch's conv2d) of x [n, c, h, w] with weight [cout, c, kh, kw]
 * plus bias [cout] (may be NULL), zero padding pad on every side, step stride:
 * [n, cout, (h + 2 pad - kh) / stride + 1, (w + 2 pad - kw) / stride + 1]. Computed as
 * one GEMM over the im2col matrix of the batch. */
SphVar *sph_conv2d(SphTape *tape, SphVar *x, SphVar *weight, SphVar *bias, size_t stride,
                   size_t pad);
/* The maximum (ties: the first) or mean of each size x size window, stride size; rows
 * and columns beyond a whole window are dropped. */
SphVar *sph_max_pool2d(SphTape *tape, SphVar *x, size_t size);
SphVar *sph_avg_pool2d(SphTape *tape, SphVar *x, size_t size);
/* The same elements in row-major order under another shape of the same size. */
SphVar *sph_reshape(SphTape *tape, SphVar *x, int ndim, const size_t *shape);
/* [n, ...] -> [n, the product of the rest] */
SphVar *sph_flatten(SphTape *tape, SphVar *x);

/* ---- losses: means over all elements (rows for cross-entropy) ---- */
/* mean((pred - target)^2) */
SphVar *sph_mse_loss(SphTape *tape, SphVar *pred, SphVar *target);
/* mean over rows of -log softmax(logits)[label]; logits [m,c], labels[m] in 0..c-1. */
SphVar *sph_cross_entropy_logits(SphTape *tape, SphVar *logits, const int32_t *labels,
                                 size_t nlabels);
/* mean(0.5 (log 2 pi + log_var + (target - mean)^2 / exp(log_var))) */
SphVar *sph_gaussian_nll(SphTape *tape, SphVar *mean, SphVar *log_var, SphVar *target);

/* ---- stochastic and normalising operations ---- */
/* Inverted dropout: each element is zeroed with probability p and the survivors scaled
 * by 1/(1-p), drawing from rng. p = 0 is the identity (prediction without dropout); MC
 * dropout simply keeps p at prediction. 0 <= p < 1. */
SphVar *sph_dropout(SphTape *tape, SphVar *x, double p, SphRng *rng);
/* Per row of x [m,n]: (x - mean) / sqrt(var + eps) * gain + bias, gain and bias of n. */
SphVar *sph_layer_norm(SphTape *tape, SphVar *x, SphVar *gain, SphVar *bias, double eps);

/* ---- finite-difference gradient check ---- */
/* Builds a one-element loss on tape from the caller's parameters (NULL on failure). */
typedef SphVar *(*SphLossFn)(SphTape *tape, void *ctx);
/* Compares the tape's gradients of fn with central differences of step eps for every
 * element of every parameter in wrt (float64 parameters). The relative error of one
 * element is |g - fd| / max(|g| + |fd|, floor) with floor = 1e-3, which keeps
 * elements with vanishing gradient from dividing by rounding noise; *max_rel_error
 * receives the largest. fn must be deterministic (reseed any rng inside it). */
SphStatus sph_gradcheck(SphLossFn fn, void *ctx, SphVar *const *wrt, size_t nwrt, double eps,
                        double *max_rel_error, SphError *err);
