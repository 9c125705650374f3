/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Saving and loading MLPs (format in model_io.h). */
#include "sphaera/model_io.h"

#include "sphaera/cnn.h"

#include "model_bytes.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char model_magic[8] = {'S', 'P', 'H', 'M', 'L', 'P', '\r', '\n'};
enum { MODEL_VERSION = 1 };
#define MODEL_MAX_BYTES ((size_t)1 << 31)








/* Writes b to a temporary file beside path and renames it over path. */

SphStatus sph_mlp_save(const SphMlp *mlp, const char *path, SphError *err)
{
  const SphMlpConfig *c = sph_mlp_config(mlp);
  SphModelBuf b = {0};
  sph_model_put(&b, model_magic, sizeof model_magic);
  sph_model_put_u32(&b, MODEL_VERSION);
  sph_model_put_u32(&b, (uint32_t)c->dtype);
  sph_model_put_u32(&b, (uint32_t)c->activation);
  sph_model_put_u32(&b, c->layer_norm ? 1 : 0);
  sph_model_put_f64(&b, c->dropout);
  sph_model_put_u32(&b, (uint32_t)c->nsizes);
  for (size_t i = 0; i < c->nsizes; i++)
    sph_model_put_u64(&b, c->sizes[i]);
  for (size_t p = 0; p < sph_mlp_param_count(mlp); p++) {
    const SphTensor *t = sph_var_value(sph_mlp_param(mlp, p));
    sph_model_put_u64(&b, t->size);
    for (size_t i = 0; i < t->size; i++) {
      if (c->dtype == SPH_F32)
        sph_model_put_f32(&b, ((const float *)t->data)[i]);
      else
        sph_model_put_f64(&b, ((const double *)t->data)[i]);
    }
  }
  sph_model_put_u64(&b, b.failed ? 0 : sph_model_fnv1a(b.data, b.len));
  if (b.failed) {
    free(b.data);
    return sph_error_set(err, SPH_ERR_NOMEM, "%s: out of memory while saving the model", path);
  }
  SphStatus st = sph_model_write_atomically(path, &b, err);
  free(b.data);
  return st;
}






SphMlp *sph_mlp_load(const char *path, SphError *err)
{
  size_t len = 0;
  unsigned char *data = sph_model_read_all(path, &len, err);
  if (data == NULL)
    return NULL;
  SphMlp *mlp = NULL;
  SphModelReader r = {data, len, 0};
  if (len < sizeof model_magic || memcmp(data, model_magic, sizeof model_magic) != 0) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: not a Sphaera model file (no SPHMLP signature)", path);
    goto done;
  }
  r.pos = sizeof model_magic;
  uint32_t version, dtype, act, norm, nsizes;
  double dropout;
  if (!sph_model_get_u32(&r, &version)) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: truncated model file", path);
    goto done;
  }
  if (version != MODEL_VERSION) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: model format version %u (this Sphaera reads %d)", path,
                  version, MODEL_VERSION);
    goto done;
  }
  uint64_t stored;
  SphModelReader tail = {data, len, len >= 8 ? len - 8 : len};
  if (len < 8 + r.pos || !sph_model_get_u64(&tail, &stored) || stored != sph_model_fnv1a(data, len - 8)) {
    sph_error_set(err, SPH_ERR_FORMAT,
                  "%s: the model file is damaged (checksum mismatch: truncated or altered)", path);
    goto done;
  }
  r.len = len - 8;
  SphMlpConfig cfg = {0};
  if (!sph_model_get_u32(&r, &dtype) || !sph_model_get_u32(&r, &act) || !sph_model_get_u32(&r, &norm) ||
      !sph_model_get_f64(&r, &dropout) || !sph_model_get_u32(&r, &nsizes) || dtype > SPH_F64 ||
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
    if (!sph_model_get_u64(&r, &s) || s == 0 || s > (1u << 24)) {
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
    if (!sph_model_get_u64(&r, &count) || count != t->size || (r.len - r.pos) / elem < count) {
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

static void put_params(SphModelBuf *b, SphVar *const *params, size_t n, SphDType dtype)
{
  for (size_t p = 0; p < n; p++) {
    const SphTensor *t = sph_var_value(params[p]);
    sph_model_put_u64(b, t->size);
    for (size_t i = 0; i < t->size; i++) {
      if (dtype == SPH_F32)
        sph_model_put_f32(b, ((const float *)t->data)[i]);
      else
        sph_model_put_f64(b, ((const double *)t->data)[i]);
    }
  }
}

SphStatus sph_cnn_save(const SphCnn *cnn, const char *path, SphError *err)
{
  const SphCnnConfig *c = sph_cnn_config(cnn);
  SphModelBuf b = {0};
  sph_model_put(&b, cnn_magic, sizeof cnn_magic);
  sph_model_put_u32(&b, MODEL_VERSION);
  sph_model_put_u32(&b, (uint32_t)c->dtype);
  sph_model_put_u32(&b, (uint32_t)c->channels);
  sph_model_put_u32(&b, (uint32_t)c->height);
  sph_model_put_u32(&b, (uint32_t)c->width);
  sph_model_put_u32(&b, (uint32_t)c->nblocks);
  for (size_t i = 0; i < c->nblocks; i++)
    sph_model_put_u32(&b, (uint32_t)c->block_channels[i]);
  sph_model_put_u32(&b, (uint32_t)c->kernel);
  sph_model_put_u32(&b, (uint32_t)c->pool);
  sph_model_put_u32(&b, (uint32_t)c->hidden);
  sph_model_put_u32(&b, (uint32_t)c->nclasses);
  sph_model_put_f64(&b, c->dropout);
  put_params(&b, sph_cnn_params(cnn), sph_cnn_param_count(cnn), c->dtype);
  sph_model_put_u64(&b, b.failed ? 0 : sph_model_fnv1a(b.data, b.len));
  if (b.failed) {
    free(b.data);
    return sph_error_set(err, SPH_ERR_NOMEM, "%s: out of memory while saving the model", path);
  }
  SphStatus st = sph_model_write_atomically(path, &b, err);
  free(b.data);
  return st;
}

/* Reads the parameters' elements into the network's tensors. */
static SphStatus get_params(SphModelReader *r, SphVar *const *params, size_t n, SphDType dtype,
                            const char *path, SphError *err)
{
  size_t elem = dtype == SPH_F32 ? 4 : 8;
  for (size_t p = 0; p < n; p++) {
    SphTensor *t = sph_var_value(params[p]);
    uint64_t count;
    if (!sph_model_get_u64(r, &count) || count != t->size || (r->len - r->pos) / elem < count)
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
  unsigned char *data = sph_model_read_all(path, &len, err);
  if (data == NULL)
    return NULL;
  SphCnn *cnn = NULL;
  SphModelReader r = {data, len, sizeof cnn_magic};
  uint32_t version = 0, v[4] = {0};
  uint64_t stored = 0;
  SphModelReader tail = {data, len, len >= 8 ? len - 8 : len};
  if (len < sizeof cnn_magic || memcmp(data, cnn_magic, sizeof cnn_magic) != 0) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: not a Sphaera CNN model file (no SPHCNN signature)",
                  path);
  } else if (!sph_model_get_u32(&r, &version)) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: truncated model file", path);
  } else if (version != MODEL_VERSION) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: model format version %u (this Sphaera reads %d)",
                  path, version, MODEL_VERSION);
  } else if (len < 8 + r.pos || !sph_model_get_u64(&tail, &stored) || stored != sph_model_fnv1a(data, len - 8)) {
    sph_error_set(err, SPH_ERR_FORMAT,
                  "%s: the model file is damaged (checksum mismatch: truncated or altered)", path);
  } else {
    r.len = len - 8;
    SphCnnConfig c = {0};
    uint32_t dtype = 0, nblocks = 0;
    bool ok = sph_model_get_u32(&r, &dtype) && sph_model_get_u32(&r, &v[0]) && sph_model_get_u32(&r, &v[1]) &&
              sph_model_get_u32(&r, &v[2]) && sph_model_get_u32(&r, &nblocks) && dtype <= SPH_F64 &&
              nblocks >= 1 && nblocks <= SPH_CNN_MAX_BLOCKS;
    c.dtype = (SphDType)dtype;
    c.channels = v[0], c.height = v[1], c.width = v[2], c.nblocks = nblocks;
    for (size_t i = 0; ok && i < nblocks; i++) {
      ok = sph_model_get_u32(&r, &v[3]);
      c.block_channels[i] = v[3];
    }
    ok = ok && sph_model_get_u32(&r, &v[0]) && sph_model_get_u32(&r, &v[1]) && sph_model_get_u32(&r, &v[2]) &&
         sph_model_get_u32(&r, &v[3]) && sph_model_get_f64(&r, &c.dropout);
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
