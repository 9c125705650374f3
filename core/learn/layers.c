/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Dense layers and the multilayer perceptron. */
#include "sphaera/layers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tape_internal.h"

static const char *const activation_names[SPH_ACT_COUNT] = {"relu", "tanh", "gelu", "softplus",
                                                            "sigmoid"};

const char *sph_activation_name(SphActivation act)
{
  return (unsigned)act < SPH_ACT_COUNT ? activation_names[act] : "unknown";
}

SphActivation sph_activation_from_name(const char *name)
{
  for (int a = 0; a < SPH_ACT_COUNT; a++)
    if (name != NULL && strcmp(name, activation_names[a]) == 0)
      return (SphActivation)a;
  return SPH_ACT_COUNT;
}

SphVar *sph_activate(SphTape *tape, SphActivation act, SphVar *x)
{
  switch (act) {
  case SPH_ACT_RELU: return sph_relu(tape, x);
  case SPH_ACT_TANH: return sph_tanh(tape, x);
  case SPH_ACT_GELU: return sph_gelu(tape, x);
  case SPH_ACT_SOFTPLUS: return sph_softplus(tape, x);
  case SPH_ACT_SIGMOID: return sph_sigmoid(tape, x);
  default: return tape_fail(tape, SPH_ERR_INVALID, "activation %d is unknown", (int)act);
  }
}

SphStatus sph_dense_init(SphDense *layer, SphDType dtype, size_t in, size_t out, double gain,
                         SphRng *rng, SphError *err)
{
  memset(layer, 0, sizeof *layer);
  if (in == 0 || out == 0)
    return sph_error_set(err, SPH_ERR_INVALID, "dense layer: %zu inputs and %zu outputs", in, out);
  layer->weight = sph_var_new_param(sph_tensor_new2(dtype, in, out, err), err);
  size_t n = out;
  layer->bias = layer->weight ? sph_var_new_param(sph_tensor_new(dtype, 1, &n, err), err) : NULL;
  if (layer->bias == NULL) {
    sph_dense_clear(layer);
    return err ? err->code : SPH_ERR_NOMEM;
  }
  layer->in = in;
  layer->out = out;
  SphTensor *w = sph_var_value(layer->weight);
  double sd = sqrt(gain / (double)in);
  for (size_t i = 0; i < w->size; i++)
    sph_tensor_set(w, i, sd * sph_rng_normal(rng));
  return SPH_OK;
}

void sph_dense_clear(SphDense *layer)
{
  sph_var_free(layer->weight);
  sph_var_free(layer->bias);
  memset(layer, 0, sizeof *layer);
}

SphVar *sph_dense_forward(SphTape *tape, const SphDense *layer, SphVar *x)
{
  return sph_add_bias(tape, sph_matmul(tape, x, layer->weight), layer->bias);
}

struct SphMlp {
  SphMlpConfig config;
  size_t nlayers;
  SphDense dense[SPH_MLP_MAX_LAYERS];
  SphVar *norm_gain[SPH_MLP_MAX_LAYERS], *norm_bias[SPH_MLP_MAX_LAYERS];
  SphVar *params[4 * SPH_MLP_MAX_LAYERS];
  size_t nparams;
};

SphMlp *sph_mlp_new(const SphMlpConfig *config, uint64_t seed, SphError *err)
{
  if (config->nsizes < 2 || config->nsizes > SPH_MLP_MAX_LAYERS + 1) {
    sph_error_set(err, SPH_ERR_INVALID, "mlp: %zu layer sizes (2 to %d allowed)", config->nsizes,
                  SPH_MLP_MAX_LAYERS + 1);
    return NULL;
  }
  if ((unsigned)config->activation >= SPH_ACT_COUNT ||
      !(config->dropout >= 0.0 && config->dropout < 1.0)) {
    sph_error_set(err, SPH_ERR_INVALID, "mlp: unknown activation or dropout %g outside [0, 1)",
                  config->dropout);
    return NULL;
  }
  SphMlp *mlp = calloc(1, sizeof *mlp);
  if (mlp == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "mlp: out of memory");
    return NULL;
  }
  mlp->config = *config;
  mlp->nlayers = config->nsizes - 1;
  SphRng rng;
  sph_rng_init(&rng, seed, 0);
  double gain = (config->activation == SPH_ACT_RELU || config->activation == SPH_ACT_GELU) ? 2.0 : 1.0;
  for (size_t l = 0; l < mlp->nlayers; l++) {
    bool hidden = l + 1 < mlp->nlayers;
    if (sph_dense_init(&mlp->dense[l], config->dtype, config->sizes[l], config->sizes[l + 1],
                       hidden ? gain : 1.0, &rng, err) != SPH_OK) {
      sph_mlp_free(mlp);
      return NULL;
    }
    mlp->params[mlp->nparams++] = mlp->dense[l].weight;
    mlp->params[mlp->nparams++] = mlp->dense[l].bias;
    if (hidden && config->layer_norm) {
      size_t n = config->sizes[l + 1];
      mlp->norm_gain[l] = sph_var_new_param(sph_tensor_new(config->dtype, 1, &n, err), err);
      mlp->norm_bias[l] = sph_var_new_param(sph_tensor_new(config->dtype, 1, &n, err), err);
      if (mlp->norm_gain[l] == NULL || mlp->norm_bias[l] == NULL) {
        sph_mlp_free(mlp);
        return NULL;
      }
      sph_tensor_fill(sph_var_value(mlp->norm_gain[l]), 1.0);
      mlp->params[mlp->nparams++] = mlp->norm_gain[l];
      mlp->params[mlp->nparams++] = mlp->norm_bias[l];
    }
  }
  return mlp;
}

void sph_mlp_free(SphMlp *mlp)
{
  if (mlp == NULL)
    return;
  for (size_t l = 0; l < SPH_MLP_MAX_LAYERS; l++) {
    sph_dense_clear(&mlp->dense[l]);
    sph_var_free(mlp->norm_gain[l]);
    sph_var_free(mlp->norm_bias[l]);
  }
  free(mlp);
}

const SphMlpConfig *sph_mlp_config(const SphMlp *mlp)
{
  return &mlp->config;
}

SphVar *sph_mlp_forward(SphTape *tape, const SphMlp *mlp, SphVar *x, bool dropout_on,
                        SphRng *rng)
{
  SphVar *h = x;
  for (size_t l = 0; l < mlp->nlayers; l++) {
    h = sph_dense_forward(tape, &mlp->dense[l], h);
    if (l + 1 == mlp->nlayers)
      break;
    if (mlp->config.layer_norm)
      h = sph_layer_norm(tape, h, mlp->norm_gain[l], mlp->norm_bias[l], 1e-5);
    h = sph_activate(tape, mlp->config.activation, h);
    if (dropout_on && mlp->config.dropout > 0.0)
      h = sph_dropout(tape, h, mlp->config.dropout, rng);
  }
  return h;
}

size_t sph_mlp_param_count(const SphMlp *mlp)
{
  return mlp->nparams;
}

SphVar *sph_mlp_param(const SphMlp *mlp, size_t i)
{
  return i < mlp->nparams ? mlp->params[i] : NULL;
}

SphVar *const *sph_mlp_params(const SphMlp *mlp)
{
  return mlp->params;
}
