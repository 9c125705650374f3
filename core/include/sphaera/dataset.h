/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "sphaera/error.h"

/* A labelled data set held in memory: n rows of nfeatures float32 features (row-major)
 * and a class label per row. */
typedef struct {
  size_t n, nfeatures, nclasses;
  float *x;
  int32_t *y;
} SphDataset;

/* The seed of the documented fixed digits split: sph_dataset_split(all, 0.25,
 * SPH_DIGITS_SPLIT_SEED, ...) gives 1348 training and 449 test images. */
#define SPH_DIGITS_SPLIT_SEED UINT64_C(20260611)

/* Reads the 8x8 digits (UCI optdigits as scikit-learn ships them): a gzip-compressed
 * (or plain) CSV without header, one image per line, 64 pixel values 0..16 then the
 * label 0..9. Pixels are scaled to [0, 1]. A malformed line is an error naming the file
 * and the line. */
SphStatus sph_digits_load(const char *path, SphDataset *out, SphError *err);

/* Shuffles the row indices with a Philox stream of seed and puts the last
 * round(test_fraction n) of them in test, the rest in train, each in shuffled order. */
SphStatus sph_dataset_split(const SphDataset *all, double test_fraction, uint64_t seed,
                            SphDataset *train, SphDataset *test, SphError *err);
void sph_dataset_clear(SphDataset *d);
