/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>

#include "sphaera/error.h"

/* Memory aligned for the widest vector unit (64 bytes: AVX-512 and a cache line). */
#define SPH_ALIGNMENT 64

/* n elements of size bytes each, aligned to SPH_ALIGNMENT; NULL (with err filled) when
 * n * size overflows or memory is short. Free with sph_free_aligned(). */
void *sph_alloc_aligned(size_t n, size_t size, SphError *err);
/* As sph_alloc_aligned(), zero-filled. */
void *sph_calloc_aligned(size_t n, size_t size, SphError *err);
void sph_free_aligned(void *ptr);

/* Copies a string into a new heap buffer (free with free()); NULL when s is NULL. */
char *sph_strdup(const char *s);
