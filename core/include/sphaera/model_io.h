/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
#include "sphaera/layers.h"

/* Model files (.sphm). All numbers little-endian:
 *
 *   bytes 0-7   magic "SPHMLP\r\n" (the CR LF catches text-mode transfers)
 *   u32         format version, 1
 *   u32         dtype: 0 float32, 1 float64
 *   u32         activation (SphActivation)
 *   u32         layer norm: 0 or 1
 *   f64         dropout probability
 *   u32         number of layer sizes n (2..17), then n u64 sizes
 *   per parameter, in sph_mlp_param() order (per layer: weight [in, out] row-major,
 *   bias [out], then layer-norm gain and bias for hidden layers when present):
 *     u64 element count, then the elements in the dtype
 *   u64         FNV-1a 64-bit hash of every byte before it
 *
 * Saving writes a temporary file beside the target and renames it over the target,
 * so a crash never leaves half a model under the name. */

SphStatus sph_mlp_save(const SphMlp *mlp, const char *path, SphError *err);
/* NULL with SPH_ERR_IO (unreadable) or SPH_ERR_FORMAT (not a model, another version,
 * damaged: truncated, checksum mismatch, inconsistent sizes), the message naming path. */
SphMlp *sph_mlp_load(const char *path, SphError *err);

/* Convolutional networks (sphaera/cnn.h) in the same manner, magic "SPHCNN\r\n":
 *   u32 version 1, u32 dtype, u32 channels, height, width, u32 number of blocks b (1..4),
 *   b u32 block channels, u32 kernel, pool, hidden, classes, f64 dropout, then the
 *   parameters in sph_cnn_param() order as above (u64 count, elements), and the u64
 *   FNV-1a hash of every byte before it. */
typedef struct SphCnn SphCnn;
SphStatus sph_cnn_save(const SphCnn *cnn, const char *path, SphError *err);
SphCnn *sph_cnn_load(const char *path, SphError *err);

typedef enum { SPH_MODEL_UNKNOWN = 0, SPH_MODEL_MLP, SPH_MODEL_CNN } SphModelKind;
/* Which kind of model a file holds, from its signature; SPH_MODEL_UNKNOWN with err
 * filled when it cannot be read or is none. */
SphModelKind sph_model_file_kind(const char *path, SphError *err);
