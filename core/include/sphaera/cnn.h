/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sphaera/layers.h"
#include "sphaera/train.h"

/* A small convolutional classifier for images given as flat rows of features
 * (channels x height x width, row-major, as the digits are stored):
 *
 *   per convolution block b: conv kernel x kernel, channels[b] filters, zero padding
 *   kernel / 2 (the size is kept), ReLU, max pooling pool x pool
 *   then flatten, optionally dense `hidden` + ReLU + dropout, and a dense layer to
 *   nclasses logits.
 *
 * For the 8 x 8 digits: conv 3x3x16, ReLU, pool 2, conv 3x3x32, ReLU, pool 2 (32 x 2 x 2),
 * dense 128 -> 64, ReLU, dropout 0.25, dense 64 -> 10. */

#define SPH_CNN_MAX_BLOCKS 4

typedef struct {
  size_t channels, height, width; /* the input image */
  size_t nblocks;
  size_t block_channels[SPH_CNN_MAX_BLOCKS];
  size_t kernel; /* odd */
  size_t pool;   /* 1: no pooling */
  size_t hidden; /* 0: no hidden dense layer */
  double dropout; /* before the last dense layer, while training */
  size_t nclasses;
  SphDType dtype;
} SphCnnConfig;

/* The digits network described above. */
SphCnnConfig sph_cnn_digits_config(void);

typedef struct SphCnn SphCnn;

/* He-normal weights drawn from stream 0 of seed, biases zero. A configuration whose
 * pooling shrinks the image below one pixel is an error naming the block. */
SphCnn *sph_cnn_new(const SphCnnConfig *config, uint64_t seed, SphError *err);
void sph_cnn_free(SphCnn *cnn);
const SphCnnConfig *sph_cnn_config(const SphCnn *cnn);
/* Input features per row: channels x height x width. */
size_t sph_cnn_input_size(const SphCnn *cnn);
/* x [batch, input size] -> logits [batch, nclasses]; dropout acts when dropout_on. */
SphVar *sph_cnn_forward(SphTape *tape, const SphCnn *cnn, SphVar *x, bool dropout_on,
                        SphRng *rng);
/* The parameters in a fixed order (the saved file's): per block kernel [c_out, c_in, k, k]
 * and bias [c_out], then weight and bias of each dense layer. */
size_t sph_cnn_param_count(const SphCnn *cnn);
SphVar *sph_cnn_param(const SphCnn *cnn, size_t i);
SphVar *const *sph_cnn_params(const SphCnn *cnn);
/* The network for sph_train_net(), sph_net_accuracy() and sph_net_predict(). */
SphNet sph_cnn_net(const SphCnn *cnn);
