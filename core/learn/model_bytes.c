/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The byte-level parts of the model file formats (see model_bytes.h). */
#include "model_bytes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void sph_model_put(SphModelBuf *b, const void *src, size_t n)
{
  if (b->failed)
    return;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? 2 * b->cap : 4096;
    while (cap < b->len + n)
      cap *= 2;
    unsigned char *d = realloc(b->data, cap);
    if (d == NULL) {
      b->failed = true;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, src, n);
  b->len += n;
}

void sph_model_put_u64(SphModelBuf *b, uint64_t v)
{
  unsigned char le[8];
  for (int i = 0; i < 8; i++)
    le[i] = (unsigned char)(v >> (8 * i));
  sph_model_put(b, le, 8);
}

void sph_model_put_u32(SphModelBuf *b, uint32_t v)
{
  unsigned char le[4];
  for (int i = 0; i < 4; i++)
    le[i] = (unsigned char)(v >> (8 * i));
  sph_model_put(b, le, 4);
}

void sph_model_put_f64(SphModelBuf *b, double v)
{
  uint64_t u;
  memcpy(&u, &v, 8);
  sph_model_put_u64(b, u);
}

void sph_model_put_f32(SphModelBuf *b, float v)
{
  uint32_t u;
  memcpy(&u, &v, 4);
  sph_model_put_u32(b, u);
}

uint64_t sph_model_fnv1a(const unsigned char *p, size_t n)
{
  uint64_t h = UINT64_C(14695981039346656037);
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= UINT64_C(1099511628211);
  }
  return h;
}

SphStatus sph_model_write_atomically(const char *path, const SphModelBuf *b, SphError *err)
{
  size_t plen = strlen(path);
  char *tmp = malloc(plen + 16);
  if (tmp == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "%s: out of memory", path);
  snprintf(tmp, plen + 16, "%s.tmp-XXXXXX", path);
  SphStatus st = SPH_OK;
  int fd = mkstemp(tmp);
  if (fd < 0) {
    st = sph_error_set(err, SPH_ERR_IO, "%s: cannot create a temporary file beside it (%s)", path,
                       strerror(errno));
  } else {
    fchmod(fd, 0644); /* mkstemp's 0600 would hide the model from other users */
    FILE *f = fdopen(fd, "wb");
    bool ok = f != NULL && fwrite(b->data, 1, b->len, f) == b->len && fflush(f) == 0 &&
              fsync(fileno(f)) == 0;
    int saved = errno;
    if (f != NULL)
      ok = (fclose(f) == 0) && ok;
    else
      close(fd);
    if (!ok)
      st = sph_error_set(err, SPH_ERR_IO, "%s: cannot write the model (%s)", path, strerror(saved));
    else if (rename(tmp, path) != 0)
      st = sph_error_set(err, SPH_ERR_IO, "%s: cannot rename the temporary file into place (%s)",
                         path, strerror(errno));
    if (st != SPH_OK)
      unlink(tmp);
  }
  free(tmp);
  return st;
}

bool sph_model_get_u64(SphModelReader *r, uint64_t *v)
{
  if (r->len - r->pos < 8)
    return false;
  *v = 0;
  for (int i = 0; i < 8; i++)
    *v |= (uint64_t)r->p[r->pos + (size_t)i] << (8 * i);
  r->pos += 8;
  return true;
}

bool sph_model_get_u32(SphModelReader *r, uint32_t *v)
{
  if (r->len - r->pos < 4)
    return false;
  *v = 0;
  for (int i = 0; i < 4; i++)
    *v |= (uint32_t)r->p[r->pos + (size_t)i] << (8 * i);
  r->pos += 4;
  return true;
}

bool sph_model_get_f64(SphModelReader *r, double *v)
{
  uint64_t u;
  if (!sph_model_get_u64(r, &u))
    return false;
  memcpy(v, &u, 8);
  return true;
}

unsigned char *sph_model_read_all(const char *path, size_t *len, SphError *err)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    sph_error_set(err, SPH_ERR_IO, "%s: cannot open (%s)", path, strerror(errno));
    return NULL;
  }
  unsigned char *data = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n == cap) {
      cap = cap ? 2 * cap : 65536;
      unsigned char *d = cap <= ((size_t)1 << 31) ? realloc(data, cap) : NULL;
      if (d == NULL) {
        free(data);
        fclose(f);
        sph_error_set(err, SPH_ERR_FORMAT, "%s: too large for a model", path);
        return NULL;
      }
      data = d;
    }
    size_t got = fread(data + n, 1, cap - n, f);
    n += got;
    if (got == 0)
      break;
  }
  bool failed = ferror(f);
  fclose(f);
  if (failed) {
    free(data);
    sph_error_set(err, SPH_ERR_IO, "%s: read error", path);
    return NULL;
  }
  *len = n;
  return data;
}
