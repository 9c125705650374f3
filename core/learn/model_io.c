/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Saving and loading MLPs (format in model_io.h). */
#include "sphaera/model_io.h"

#include "sphaera/cnn.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char model_magic[8] = {'S', 'P', 'H', 'M', 'L', 'P', '\r', '\n'};
enum { MODEL_VERSION = 1 };
#define MODEL_MAX_BYTES ((size_t)1 << 31)

typedef struct {
  unsigned char *data;
  size_t len, cap;
  bool failed;
} Buf;

static void buf_put(Buf *b, const void *src, size_t n)
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

static void put_u64(Buf *b, uint64_t v)
{
  unsigned char le[8];
  for (int i = 0; i < 8; i++)
    le[i] = (unsigned char)(v >> (8 * i));
  buf_put(b, le, 8);
}

static void put_u32(Buf *b, uint32_t v)
{
  unsigned char le[4];
  for (int i = 0; i < 4; i++)
    le[i] = (unsigned char)(v >> (8 * i));
  buf_put(b, le, 4);
}

static void put_f64(Buf *b, double v)
{
  uint64_t u;
  memcpy(&u, &v, 8);
  put_u64(b, u);
}

static void put_f32(Buf *b, float v)
{
  uint32_t u;
  memcpy(&u, &v, 4);
  put_u32(b, u);
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
  uint64_t h = UINT64_C(14695981039346656037);
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= UINT64_C(1099511628211);
  }
  return h;
}

/* Writes b to a temporary file beside path and renames it over path. */
static SphStatus write_atomically(const char *path, const Buf *b, SphError *err)
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

SphStatus sph_mlp_save(const SphMlp *mlp, const char *path, SphError *err)
{
  const SphMlpConfig *c = sph_mlp_config(mlp);
  Buf b = {0};
  buf_put(&b, model_magic, sizeof model_magic);
  put_u32(&b, MODEL_VERSION);
  put_u32(&b, (uint32_t)c->dtype);
  put_u32(&b, (uint32_t)c->activation);
  put_u32(&b, c->layer_norm ? 1 : 0);
  put_f64(&b, c->dropout);
  put_u32(&b, (uint32_t)c->nsizes);
  for (size_t i = 0; i < c->nsizes; i++)
    put_u64(&b, c->sizes[i]);
  for (size_t p = 0; p < sph_mlp_param_count(mlp); p++) {
    const SphTensor *t = sph_var_value(sph_mlp_param(mlp, p));
    put_u64(&b, t->size);
    for (size_t i = 0; i < t->size; i++) {
      if (c->dtype == SPH_F32)
        put_f32(&b, ((const float *)t->data)[i]);
      else
        put_f64(&b, ((const double *)t->data)[i]);
    }
  }
  put_u64(&b, b.failed ? 0 : fnv1a(b.data, b.len));
  if (b.failed) {
    free(b.data);
    return sph_error_set(err, SPH_ERR_NOMEM, "%s: out of memory while saving the model", path);
  }
  SphStatus st = write_atomically(path, &b, err);
  free(b.data);
  return st;
}

typedef struct {
  const unsigned char *p;
  size_t len, pos;
} Reader;

static bool get_u64(Reader *r, uint64_t *v)
{
  if (r->len - r->pos < 8)
    return false;
  *v = 0;
  for (int i = 0; i < 8; i++)
    *v |= (uint64_t)r->p[r->pos + (size_t)i] << (8 * i);
  r->pos += 8;
  return true;
}

static bool get_u32(Reader *r, uint32_t *v)
{
  if (r->len - r->pos < 4)
    return false;
  *v = 0;
  for (int i = 0; i < 4; i++)
    *v |= (uint32_t)r->p[r->pos + (size_t)i] << (8 * i);
  r->pos += 4;
  return true;
}

static bool get_f64(Reader *r, double *v)
{
  uint64_t u;
  if (!get_u64(r, &u))
    return false;
  memcpy(v, &u, 8);
  return true;
}

static unsigned char *read_all(const char *path, size_t *len, SphError *err)
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
      unsigned char *d = cap <= MODEL_MAX_BYTES ? realloc(data, cap) : NULL;
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

SphMlp *sph_mlp_load(const char *path, SphError *err)
{
  size_t len = 0;
  unsigned char *data = read_all(path, &len, err);
  if (data == NULL)
    return NULL;
  SphMlp *mlp = NULL;
  Reader r = {data, len, 0};
  if (len < sizeof model_magic || memcmp(data, model_magic, sizeof model_magic) != 0) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: not a Sphaera model file (no SPHMLP signature)", path);
    goto done;
  }
  r.pos = sizeof model_magic;
  uint32_t version, dtype, act, norm, nsizes;
  double dropout;
  if (!get_u32(&r, &version)) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: truncated model file", path);
    goto done;
  }
  if (version != MODEL_VERSION) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: model format version %u (this Sphaera reads %d)", path,
                  version, MODEL_VERSION);
    goto done;
  }
  uint64_t stored;
  Reader tail = {data, len, len >= 8 ? len - 8 : len};
  if (len < 8 + r.pos || !get_u64(&tail, &stored) || stored != fnv1a(data, len - 8)) {
    sph_error_set(err, SPH_ERR_FORMAT,
                  "%s: the model file is damaged (checksum mismatch: truncated or altered)", path);
    goto done;
  }
  r.len = len - 8;
  SphMlpConfig cfg = {0};
  if (!get_u32(&r, &dtype) || !get_u32(&r, &act) || !get_u32(&r, &norm) ||
      !get_f64(&r, &dropout) || !get_u32(&r, &nsizes) || dtype > SPH_F64 ||
      act >= SPH_ACT_COUNT || norm > 1 || nsizes < 2 || nsizes > SPH_MLP_MAX_LAYERS + 1) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: the model header is inconsistent", path);
    goto done;
  }
  cfg.dtype = (SphDType)dtype;
  cfg.activation = (SphActivation)act;
  cfg.layer_norm = norm == 1;
  cfg.dropout = dropout;
  cfg.nsizes = nsizes;
  for (size_t i = 0; i < nsizes; i++) {
    uint64_t s;
    if (!get_u64(&r, &s) || s == 0 || s > (1u << 24)) {
      sph_error_set(err, SPH_ERR_FORMAT, "%s: layer size %zu is missing or implausible", path, i);
      goto done;
    }
    cfg.sizes[i] = (size_t)s;
  }
  mlp = sph_mlp_new(&cfg, 0, err);
  if (mlp == NULL) {
    sph_error_prefix(err, "%s", path);
    goto done;
  }
  size_t elem = cfg.dtype == SPH_F32 ? 4 : 8;
  for (size_t p = 0; p < sph_mlp_param_count(mlp); p++) {
    SphTensor *t = sph_var_value(sph_mlp_param(mlp, p));
    uint64_t count;
    if (!get_u64(&r, &count) || count != t->size || (r.len - r.pos) / elem < count) {
      sph_error_set(err, SPH_ERR_FORMAT,
                    "%s: parameter %zu should hold %zu numbers; the file disagrees", path, p,
                    t->size);
      sph_mlp_free(mlp);
      mlp = NULL;
      goto done;
    }
    for (size_t i = 0; i < t->size; i++) {
      uint64_t u = 0;
      for (size_t k = 0; k < elem; k++)
        u |= (uint64_t)r.p[r.pos + k] << (8 * k);
      r.pos += elem;
      if (elem == 4) {
        uint32_t u32 = (uint32_t)u;
        memcpy((float *)t->data + i, &u32, 4);
      } else {
        memcpy((double *)t->data + i, &u, 8);
      }
    }
  }
  if (r.pos != r.len) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: %zu unexpected bytes after the parameters", path,
                  r.len - r.pos);
    sph_mlp_free(mlp);
    mlp = NULL;
  }
done:
  free(data);
  return mlp;
}

/* ---- convolutional networks ---- */

static const char cnn_magic[8] = {'S', 'P', 'H', 'C', 'N', 'N', '\r', '\n'};

static void put_params(Buf *b, SphVar *const *params, size_t n, SphDType dtype)
{
  for (size_t p = 0; p < n; p++) {
    const SphTensor *t = sph_var_value(params[p]);
    put_u64(b, t->size);
    for (size_t i = 0; i < t->size; i++) {
      if (dtype == SPH_F32)
        put_f32(b, ((const float *)t->data)[i]);
      else
        put_f64(b, ((const double *)t->data)[i]);
    }
  }
}

SphStatus sph_cnn_save(const SphCnn *cnn, const char *path, SphError *err)
{
  const SphCnnConfig *c = sph_cnn_config(cnn);
  Buf b = {0};
  buf_put(&b, cnn_magic, sizeof cnn_magic);
  put_u32(&b, MODEL_VERSION);
  put_u32(&b, (uint32_t)c->dtype);
  put_u32(&b, (uint32_t)c->channels);
  put_u32(&b, (uint32_t)c->height);
  put_u32(&b, (uint32_t)c->width);
  put_u32(&b, (uint32_t)c->nblocks);
  for (size_t i = 0; i < c->nblocks; i++)
    put_u32(&b, (uint32_t)c->block_channels[i]);
  put_u32(&b, (uint32_t)c->kernel);
  put_u32(&b, (uint32_t)c->pool);
  put_u32(&b, (uint32_t)c->hidden);
  put_u32(&b, (uint32_t)c->nclasses);
  put_f64(&b, c->dropout);
  put_params(&b, sph_cnn_params(cnn), sph_cnn_param_count(cnn), c->dtype);
  put_u64(&b, b.failed ? 0 : fnv1a(b.data, b.len));
  if (b.failed) {
    free(b.data);
    return sph_error_set(err, SPH_ERR_NOMEM, "%s: out of memory while saving the model", path);
  }
  SphStatus st = write_atomically(path, &b, err);
  free(b.data);
  return st;
}

/* Reads the parameters' elements into the network's tensors. */
static SphStatus get_params(Reader *r, SphVar *const *params, size_t n, SphDType dtype,
                            const char *path, SphError *err)
{
  size_t elem = dtype == SPH_F32 ? 4 : 8;
  for (size_t p = 0; p < n; p++) {
    SphTensor *t = sph_var_value(params[p]);
    uint64_t count;
    if (!get_u64(r, &count) || count != t->size || (r->len - r->pos) / elem < count)
      return sph_error_set(err, SPH_ERR_FORMAT,
                           "%s: parameter %zu should hold %zu numbers; the file disagrees", path,
                           p, t->size);
    for (size_t i = 0; i < t->size; i++) {
      uint64_t u = 0;
      for (size_t k = 0; k < elem; k++)
        u |= (uint64_t)r->p[r->pos + k] << (8 * k);
      r->pos += elem;
      if (elem == 4) {
        uint32_t u32 = (uint32_t)u;
        memcpy((float *)t->data + i, &u32, 4);
      } else {
        memcpy((double *)t->data + i, &u, 8);
      }
    }
  }
  if (r->pos != r->len)
    return sph_error_set(err, SPH_ERR_FORMAT, "%s: %zu unexpected bytes after the parameters",
                         path, r->len - r->pos);
  return SPH_OK;
}

SphCnn *sph_cnn_load(const char *path, SphError *err)
{
  size_t len = 0;
  unsigned char *data = read_all(path, &len, err);
  if (data == NULL)
    return NULL;
  SphCnn *cnn = NULL;
  Reader r = {data, len, sizeof cnn_magic};
  uint32_t version = 0, v[4] = {0};
  uint64_t stored = 0;
  Reader tail = {data, len, len >= 8 ? len - 8 : len};
  if (len < sizeof cnn_magic || memcmp(data, cnn_magic, sizeof cnn_magic) != 0) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: not a Sphaera CNN model file (no SPHCNN signature)",
                  path);
  } else if (!get_u32(&r, &version)) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: truncated model file", path);
  } else if (version != MODEL_VERSION) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: model format version %u (this Sphaera reads %d)",
                  path, version, MODEL_VERSION);
  } else if (len < 8 + r.pos || !get_u64(&tail, &stored) || stored != fnv1a(data, len - 8)) {
    sph_error_set(err, SPH_ERR_FORMAT,
                  "%s: the model file is damaged (checksum mismatch: truncated or altered)", path);
  } else {
    r.len = len - 8;
    SphCnnConfig c = {0};
    uint32_t dtype = 0, nblocks = 0;
    bool ok = get_u32(&r, &dtype) && get_u32(&r, &v[0]) && get_u32(&r, &v[1]) &&
              get_u32(&r, &v[2]) && get_u32(&r, &nblocks) && dtype <= SPH_F64 &&
              nblocks >= 1 && nblocks <= SPH_CNN_MAX_BLOCKS;
    c.dtype = (SphDType)dtype;
    c.channels = v[0], c.height = v[1], c.width = v[2], c.nblocks = nblocks;
    for (size_t i = 0; ok && i < nblocks; i++) {
      ok = get_u32(&r, &v[3]);
      c.block_channels[i] = v[3];
    }
    ok = ok && get_u32(&r, &v[0]) && get_u32(&r, &v[1]) && get_u32(&r, &v[2]) &&
         get_u32(&r, &v[3]) && get_f64(&r, &c.dropout);
    c.kernel = v[0], c.pool = v[1], c.hidden = v[2], c.nclasses = v[3];
    if (!ok || c.height > 65536 || c.width > 65536 || c.channels > 4096 || c.hidden > (1u << 20) ||
        c.nclasses > (1u << 20))
      sph_error_set(err, SPH_ERR_FORMAT, "%s: the model header is inconsistent", path);
    else if ((cnn = sph_cnn_new(&c, 0, err)) == NULL)
      sph_error_prefix(err, "%s", path);
    else if (get_params(&r, sph_cnn_params(cnn), sph_cnn_param_count(cnn), c.dtype, path, err) !=
             SPH_OK) {
      sph_cnn_free(cnn);
      cnn = NULL;
    }
  }
  free(data);
  return cnn;
}

SphModelKind sph_model_file_kind(const char *path, SphError *err)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    sph_error_set(err, SPH_ERR_IO, "%s: cannot open (%s)", path, strerror(errno));
    return SPH_MODEL_UNKNOWN;
  }
  char head[8] = {0};
  size_t got = fread(head, 1, sizeof head, f);
  fclose(f);
  if (got == sizeof head && memcmp(head, model_magic, sizeof head) == 0)
    return SPH_MODEL_MLP;
  if (got == sizeof head && memcmp(head, cnn_magic, sizeof head) == 0)
    return SPH_MODEL_CNN;
  sph_error_set(err, SPH_ERR_FORMAT, "%s: not a Sphaera model file (neither SPHMLP nor SPHCNN)",
                path);
  return SPH_MODEL_UNKNOWN;
}
