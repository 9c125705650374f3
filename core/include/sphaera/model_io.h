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
