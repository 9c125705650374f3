/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Little-endian byte buffers, the FNV-1a checksum and atomic files that every model file
 * format shares (model_io.c: MLPs and CNNs; regression_io.c: regressors). Internal to learn. */
#ifndef SPH_LEARN_MODEL_BYTES_H
#define SPH_LEARN_MODEL_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sphaera/error.h"

/* A growing buffer; after a failed allocation every later put is a no-op and failed stays
 * set, so a writer checks once at the end. */
typedef struct {
  unsigned char *data;
  size_t len, cap;
  bool failed;
} SphModelBuf;

void sph_model_put(SphModelBuf *b, const void *src, size_t n);
void sph_model_put_u64(SphModelBuf *b, uint64_t v);
void sph_model_put_u32(SphModelBuf *b, uint32_t v);
void sph_model_put_f64(SphModelBuf *b, double v);
void sph_model_put_f32(SphModelBuf *b, float v);

uint64_t sph_model_fnv1a(const unsigned char *p, size_t n);

/* Writes b to a temporary file beside path (mode 0644), fsyncs it and renames it over path;
 * on failure path is untouched and no temporary file is left. */
SphStatus sph_model_write_atomically(const char *path, const SphModelBuf *b, SphError *err);

/* A bounds-checked cursor over a file's bytes: each get returns false past the end. */
typedef struct {
  const unsigned char *p;
  size_t len, pos;
} SphModelReader;

bool sph_model_get_u64(SphModelReader *r, uint64_t *v);
bool sph_model_get_u32(SphModelReader *r, uint32_t *v);
bool sph_model_get_f64(SphModelReader *r, double *v);

/* The whole file (at most 2 GiB, larger is not a model), to free(); NULL with err set. */
unsigned char *sph_model_read_all(const char *path, size_t *len, SphError *err);

#endif
