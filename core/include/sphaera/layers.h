/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sphaera/autodiff.h"

/* Layers built from the autodiff operations, and the multilayer perceptron. */

typedef enum {
  SPH_ACT_RELU = 0,
  SPH_ACT_TANH,
  SPH_ACT_GELU,
  SPH_ACT_SOFTPLUS,
  SPH_ACT_SIGMOID,
  SPH_ACT_COUNT
} SphActivation;

const char *sph_activation_name(SphActivation act);
/* SPH_ACT_COUNT when name is none of "relu", "tanh", "gelu", "softplus", "sigmoid". */
SphActivation sph_activation_from_name(const char *name);
SphVar *sph_activate(SphTape *tape, SphActivation act, SphVar *x);

/* The order-th derivative (1 or 2) of the activation, elementwise, as an operation whose
 * own gradient is the next derivative: forward-mode input derivatives (input_derivs.h)
 * are built from it. */
SphVar *sph_activation_derivative(SphTape *tape, SphActivation act, SphVar *x, int order);

/* y = x W + b with W [in, out] and b [out]. */
typedef struct {
  SphVar *weight, *bias;
  size_t in, out;
} SphDense;

/* Weights drawn from N(0, gain / in) (He: gain 2 for ReLU-like activations, else 1),
 * biases zero. */
SphStatus sph_dense_init(SphDense *layer, SphDType dtype, size_t in, size_t out, double gain,
                         SphRng *rng, SphError *err);
void sph_dense_clear(SphDense *layer);
SphVar *sph_dense_forward(SphTape *tape, const SphDense *layer, SphVar *x);

#define SPH_MLP_MAX_LAYERS 16

/* sizes[0] inputs, sizes[1..n-2] hidden widths, sizes[n-1] outputs. Each hidden layer
 * is dense, then layer norm (when layer_norm), the activation, then dropout with
 * probability dropout (0: none); the output layer is dense alone. */
typedef struct {
  size_t nsizes;
  size_t sizes[SPH_MLP_MAX_LAYERS + 1];
  SphActivation activation;
  double dropout;
  bool layer_norm;
  SphDType dtype;
} SphMlpConfig;

typedef struct SphMlp SphMlp;

/* Weights drawn from stream 0 of seed: the same seed gives the same network. */
SphMlp *sph_mlp_new(const SphMlpConfig *config, uint64_t seed, SphError *err);
void sph_mlp_free(SphMlp *mlp);
const SphMlpConfig *sph_mlp_config(const SphMlp *mlp);
/* x [batch, sizes[0]] -> [batch, sizes[n-1]]. Dropout acts when dropout_on (training,
 * or MC dropout at prediction) and then draws from rng. */
SphVar *sph_mlp_forward(SphTape *tape, const SphMlp *mlp, SphVar *x, bool dropout_on,
                        SphRng *rng);
/* The trainable parameters, in a fixed order (the order of the saved file). */
size_t sph_mlp_param_count(const SphMlp *mlp);
SphVar *sph_mlp_param(const SphMlp *mlp, size_t i);
/* All of them, sph_mlp_param_count() long, owned by the network. */
SphVar *const *sph_mlp_params(const SphMlp *mlp);
