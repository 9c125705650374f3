/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The small convolutional classifier. */
#include "sphaera/cnn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tape_internal.h"

#define CNN_MAX_PARAMS (2 * SPH_CNN_MAX_BLOCKS + 4)

struct SphCnn {
  SphCnnConfig config;
  SphVar *kernel[SPH_CNN_MAX_BLOCKS], *bias[SPH_CNN_MAX_BLOCKS];
  SphDense hidden, output;
  SphVar *params[CNN_MAX_PARAMS];
  size_t nparams;
};

SphCnnConfig sph_cnn_digits_config(void)
{
  return (SphCnnConfig){.channels = 1, .height = 8, .width = 8, .nblocks = 2,
                        .block_channels = {16, 32}, .kernel = 3, .pool = 2, .hidden = 64,
                        .dropout = 0.25, .nclasses = 10, .dtype = SPH_F32};
}

/* The spatial size after the blocks, or 0 when pooling leaves nothing (block in *bad). */
static size_t flat_size(const SphCnnConfig *c, size_t *bad)
{
  size_t h = c->height, w = c->width;
  for (size_t b = 0; b < c->nblocks; b++) {
    h /= c->pool;
    w /= c->pool;
    if (h == 0 || w == 0) {
      *bad = b;
      return 0;
    }
  }
  return c->block_channels[c->nblocks ? c->nblocks - 1 : 0] * h * w;
}

SphCnn *sph_cnn_new(const SphCnnConfig *config, uint64_t seed, SphError *err)
{
  const SphCnnConfig *c = config;
  if (c->channels == 0 || c->height == 0 || c->width == 0 || c->nblocks == 0 ||
      c->nblocks > SPH_CNN_MAX_BLOCKS || c->kernel % 2 == 0 || c->kernel > 15 || c->pool == 0 ||
      c->nclasses < 2 || !(c->dropout >= 0.0 && c->dropout < 1.0) ||
      (c->dtype != SPH_F32 && c->dtype != SPH_F64)) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "cnn: %zu x %zu x %zu input, %zu blocks (1 to %d), kernel %zu (odd, up to 15), "
                  "pool %zu, %zu classes or dropout %g is not allowed",
                  c->channels, c->height, c->width, c->nblocks, SPH_CNN_MAX_BLOCKS, c->kernel,
                  c->pool, c->nclasses, c->dropout);
    return NULL;
  }
  for (size_t b = 0; b < c->nblocks; b++)
    if (c->block_channels[b] == 0 || c->block_channels[b] > 4096) {
      sph_error_set(err, SPH_ERR_INVALID, "cnn: block %zu has %zu channels", b + 1,
                    c->block_channels[b]);
      return NULL;
    }
  size_t bad = 0, flat = flat_size(c, &bad);
  if (flat == 0) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "cnn: pooling %zu x %zu in block %zu shrinks the %zu x %zu image to nothing",
                  c->pool, c->pool, bad + 1, c->height, c->width);
    return NULL;
  }
  SphCnn *cnn = calloc(1, sizeof *cnn);
  if (cnn == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "cnn: out of memory");
    return NULL;
  }
  cnn->config = *c;
  SphRng rng;
  sph_rng_init(&rng, seed, 0);
  size_t cin = c->channels;
  for (size_t b = 0; b < c->nblocks; b++) {
    size_t shape[4] = {c->block_channels[b], cin, c->kernel, c->kernel};
    cnn->kernel[b] = sph_var_new_param(sph_tensor_new(c->dtype, 4, shape, err), err);
    cnn->bias[b] = sph_var_new_param(sph_tensor_new(c->dtype, 1, shape, err), err);
    if (cnn->kernel[b] == NULL || cnn->bias[b] == NULL) {
      sph_cnn_free(cnn);
      return NULL;
    }
    SphTensor *k = sph_var_value(cnn->kernel[b]);
    double sd = sqrt(2.0 / (double)(cin * c->kernel * c->kernel));
    for (size_t i = 0; i < k->size; i++)
      sph_tensor_set(k, i, sd * sph_rng_normal(&rng));
    cnn->params[cnn->nparams++] = cnn->kernel[b];
    cnn->params[cnn->nparams++] = cnn->bias[b];
    cin = c->block_channels[b];
  }
  size_t in = flat;
  if (c->hidden > 0) {
    if (sph_dense_init(&cnn->hidden, c->dtype, in, c->hidden, 2.0, &rng, err) != SPH_OK) {
      sph_cnn_free(cnn);
      return NULL;
    }
    cnn->params[cnn->nparams++] = cnn->hidden.weight;
    cnn->params[cnn->nparams++] = cnn->hidden.bias;
    in = c->hidden;
  }
  if (sph_dense_init(&cnn->output, c->dtype, in, c->nclasses, 1.0, &rng, err) != SPH_OK) {
    sph_cnn_free(cnn);
    return NULL;
  }
  cnn->params[cnn->nparams++] = cnn->output.weight;
  cnn->params[cnn->nparams++] = cnn->output.bias;
  return cnn;
}

void sph_cnn_free(SphCnn *cnn)
{
  if (cnn == NULL)
    return;
  for (size_t b = 0; b < SPH_CNN_MAX_BLOCKS; b++) {
    sph_var_free(cnn->kernel[b]);
    sph_var_free(cnn->bias[b]);
  }
  sph_dense_clear(&cnn->hidden);
  sph_dense_clear(&cnn->output);
  free(cnn);
}

const SphCnnConfig *sph_cnn_config(const SphCnn *cnn)
{
  return &cnn->config;
}

size_t sph_cnn_input_size(const SphCnn *cnn)
{
  return cnn->config.channels * cnn->config.height * cnn->config.width;
}

SphVar *sph_cnn_forward(SphTape *tape, const SphCnn *cnn, SphVar *x, bool dropout_on,
                        SphRng *rng)
{
  const SphCnnConfig *c = &cnn->config;
  const SphTensor *xv = sph_var_value(x);
  if (xv != NULL && (xv->ndim != 2 || xv->shape[1] != sph_cnn_input_size(cnn))) {
    char s[64];
    return tape_fail(tape, SPH_ERR_INVALID,
                     "cnn: input of shape %s; the network takes [batch, %zu] (%zu x %zu x %zu "
                     "images)",
                     sph_tensor_shape_str(xv, s, sizeof s), sph_cnn_input_size(cnn), c->channels,
                     c->height, c->width);
  }
  size_t shape[4] = {xv ? xv->shape[0] : 1, c->channels, c->height, c->width};
  SphVar *h = sph_reshape(tape, x, 4, shape);
  for (size_t b = 0; b < c->nblocks; b++) {
    h = sph_relu(tape, sph_conv2d(tape, h, cnn->kernel[b], cnn->bias[b], 1, c->kernel / 2));
    if (c->pool > 1)
      h = sph_max_pool2d(tape, h, c->pool);
  }
  h = sph_flatten(tape, h);
  if (c->hidden > 0)
    h = sph_relu(tape, sph_dense_forward(tape, &cnn->hidden, h));
  if (dropout_on && c->dropout > 0.0)
    h = sph_dropout(tape, h, c->dropout, rng);
  return sph_dense_forward(tape, &cnn->output, h);
}

size_t sph_cnn_param_count(const SphCnn *cnn)
{
  return cnn->nparams;
}

SphVar *sph_cnn_param(const SphCnn *cnn, size_t i)
{
  return i < cnn->nparams ? cnn->params[i] : NULL;
}

SphVar *const *sph_cnn_params(const SphCnn *cnn)
{
  return cnn->params;
}

static SphVar *cnn_forward(SphTape *tape, const void *net, SphVar *x, bool training, SphRng *rng)
{
  return sph_cnn_forward(tape, net, x, training, rng);
}

SphNet sph_cnn_net(const SphCnn *cnn)
{
  return (SphNet){.net = cnn, .forward = cnn_forward, .params = cnn->params,
                  .nparams = cnn->nparams, .ninputs = sph_cnn_input_size(cnn),
                  .noutputs = cnn->config.nclasses, .dtype = cnn->config.dtype};
}
