/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *sph_alloc_aligned(size_t n, size_t size, SphError *err)
{
  if (size != 0 && n > SIZE_MAX / size) {
    sph_error_set(err, SPH_ERR_NOMEM, "cannot allocate %zu x %zu bytes: the size overflows", n, size);
    return NULL;
  }
  size_t bytes = n * size;
  if (bytes == 0)
    bytes = 1; /* a valid, freeable pointer for empty arrays */
  /* aligned_alloc wants a multiple of the alignment. */
  size_t rounded = (bytes + SPH_ALIGNMENT - 1) / SPH_ALIGNMENT * SPH_ALIGNMENT;
  if (rounded < bytes) {
    sph_error_set(err, SPH_ERR_NOMEM, "cannot allocate %zu bytes: the size overflows", bytes);
    return NULL;
  }
  void *ptr = aligned_alloc(SPH_ALIGNMENT, rounded);
  if (ptr == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory allocating %.1f MiB",
                  (double)rounded / (1024.0 * 1024.0));
    return NULL;
  }
  return ptr;
}

void *sph_calloc_aligned(size_t n, size_t size, SphError *err)
{
  void *ptr = sph_alloc_aligned(n, size, err);
  if (ptr != NULL)
    memset(ptr, 0, n * size);
  return ptr;
}

void sph_free_aligned(void *ptr)
{
  free(ptr);
}

char *sph_strdup(const char *s)
{
  if (s == NULL)
    return NULL;
  size_t n = strlen(s) + 1;
  char *copy = malloc(n);
  if (copy != NULL)
    memcpy(copy, s, n);
  return copy;
}
