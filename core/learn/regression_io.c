/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Saving and loading the regressors (the format is in regression.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sphaera/regression.h"

static const char magic[8] = {'S', 'P', 'H', 'R', 'E', 'G', '\r', '\n'};

typedef struct {
  unsigned char *data;
  size_t len, cap;
  bool failed;
} Buf;

static void put(Buf *b, const void *src, size_t n)
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

/* Little-endian whatever the host. */
static void put_u64(Buf *b, uint64_t v)
{
  unsigned char c[8];
  for (int i = 0; i < 8; i++)
    c[i] = (unsigned char)(v >> (8 * i));
  put(b, c, 8);
}

static void put_u32(Buf *b, uint32_t v)
{
  unsigned char c[4];
  for (int i = 0; i < 4; i++)
    c[i] = (unsigned char)(v >> (8 * i));
  put(b, c, 4);
}

static void put_f64(Buf *b, double v)
{
  uint64_t u;
  memcpy(&u, &v, 8);
  put_u64(b, u);
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

SphStatus sph_regressor_save(const SphRegressor *reg, const char *path, SphError *err)
{
  const SphRegressionConfig *c = sph_regressor_config(reg);
  Buf b = {0};
  put(&b, magic, 8);
  put_u32(&b, 1);
  uint32_t fields[7] = {(uint32_t)c->model, (uint32_t)c->hidden, (uint32_t)c->depth,
                        (uint32_t)c->activation, (uint32_t)c->members, (uint32_t)c->samples, 0};
  for (int i = 0; i < 6; i++)
    put_u32(&b, fields[i]);
  double reals[5] = {c->dropout, c->prior.pi, c->prior.sigma1, c->prior.sigma2,
                     sph_regressor_aleatoric_scale(reg)};
  for (int i = 0; i < 5; i++)
    put_f64(&b, reals[i]);
  put_u64(&b, c->seed);
  for (size_t p = 0; p < sph_regressor_param_count(reg); p++) {
    const SphTensor *t = sph_var_value(sph_regressor_param(reg, p));
    put_u64(&b, t->size);
    for (size_t i = 0; i < t->size; i++)
      put_f64(&b, sph_tensor_get(t, i));
  }
  if (!b.failed)
    put_u64(&b, fnv1a(b.data, b.len));
  if (b.failed) {
    free(b.data);
    return sph_error_set(err, SPH_ERR_NOMEM, "%s: out of memory", path);
  }
  size_t plen = strlen(path);
  char *tmp = malloc(plen + 16);
  SphStatus st = SPH_OK;
  int fd = -1;
  if (tmp == NULL)
    st = sph_error_set(err, SPH_ERR_NOMEM, "%s: out of memory", path);
  else {
    snprintf(tmp, plen + 16, "%s.tmp-XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0)
      st = sph_error_set(err, SPH_ERR_IO, "%s: cannot create a temporary file beside it (%s)",
                         path, strerror(errno));
  }
  if (fd >= 0) {
    fchmod(fd, 0644);
    FILE *f = fdopen(fd, "wb");
    bool ok = f != NULL && fwrite(b.data, 1, b.len, f) == b.len && fflush(f) == 0 &&
              fsync(fileno(f)) == 0;
    int saved = errno;
    if (f != NULL)
      ok = fclose(f) == 0 && ok;
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

static SphRegressor *load_fail(SphError *err, const char *path, const char *what)
{
  sph_error_set(err, SPH_ERR_FORMAT, "%s: not a usable regression model (%s)", path, what);
  return NULL;
}

SphRegressor *sph_regressor_load(const char *path, SphError *err)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    sph_error_set(err, SPH_ERR_IO, "%s: cannot open (%s)", path, strerror(errno));
    return NULL;
  }
  unsigned char *data = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len == cap) {
      cap = cap ? 2 * cap : 65536;
      unsigned char *d = realloc(data, cap);
      if (d == NULL) {
        free(data);
        fclose(f);
        sph_error_set(err, SPH_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
      }
      data = d;
    }
    size_t got = fread(data + len, 1, cap - len, f);
    len += got;
    if (got == 0)
      break;
  }
  bool read_error = ferror(f) != 0;
  fclose(f);
  if (read_error) {
    free(data);
    sph_error_set(err, SPH_ERR_IO, "%s: read error", path);
    return NULL;
  }
  SphRegressor *reg = NULL;
  Reader r = {data, len, 0};
  uint32_t version, u[6];
  double d[5];
  uint64_t seed, hash;
  if (len < 8 + 8 || memcmp(data, magic, 8) != 0) {
    load_fail(err, path, "no SPHREG signature");
    goto done;
  }
  if (fnv1a(data, len - 8) != (r.pos = len - 8, get_u64(&r, &hash), hash)) {
    load_fail(err, path, "checksum mismatch: the file is damaged or truncated");
    goto done;
  }
  r.len = len - 8;
  r.pos = 8;
  bool ok = get_u32(&r, &version);
  for (int i = 0; i < 6 && ok; i++)
    ok = get_u32(&r, &u[i]);
  for (int i = 0; i < 5 && ok; i++)
    ok = get_f64(&r, &d[i]);
  ok = ok && get_u64(&r, &seed);
  if (!ok) {
    load_fail(err, path, "truncated header");
    goto done;
  }
  if (version != 1) {
    sph_error_set(err, SPH_ERR_FORMAT, "%s: regression model format version %u (this build reads 1)",
                  path, version);
    goto done;
  }
  SphRegressionConfig c = sph_regression_defaults(u[0] < SPH_REG_MODEL_COUNT ? (SphRegModel)u[0] : SPH_REG_MCDROPOUT);
  c.model = (SphRegModel)u[0];
  c.hidden = u[1];
  c.depth = u[2];
  c.activation = (SphActivation)u[3];
  c.members = u[4];
  c.samples = u[5];
  c.dropout = d[0];
  c.prior = (SphScaleMixturePrior){.pi = d[1], .sigma1 = d[2], .sigma2 = d[3]};
  c.seed = seed;
  if ((unsigned)c.activation >= SPH_ACT_COUNT || c.hidden > 100000 || c.members > 1000) {
    load_fail(err, path, "inconsistent settings");
    goto done;
  }
  reg = sph_regressor_new(&c, err);
  if (reg == NULL) {
    sph_error_prefix(err, "%s", path);
    goto done;
  }
  sph_regressor_set_aleatoric_scale(reg, d[4]);
  for (size_t p = 0; p < sph_regressor_param_count(reg) && reg != NULL; p++) {
    SphTensor *t = sph_var_value(sph_regressor_param(reg, p));
    uint64_t count;
    if (!get_u64(&r, &count) || count != t->size) {
      load_fail(err, path, "parameter sizes do not match the network");
      sph_regressor_free(reg);
      reg = NULL;
      break;
    }
    for (size_t i = 0; i < t->size && reg != NULL; i++) {
      double v;
      if (!get_f64(&r, &v)) {
        load_fail(err, path, "truncated parameters");
        sph_regressor_free(reg);
        reg = NULL;
      } else {
        sph_tensor_set(t, i, v);
      }
    }
  }
  if (reg != NULL && r.pos != r.len) {
    load_fail(err, path, "bytes left after the parameters");
    sph_regressor_free(reg);
    reg = NULL;
  }
done:
  free(data);
  return reg;
}

bool sph_regressor_file_signature(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return false;
  char head[sizeof magic];
  bool match = fread(head, 1, sizeof head, f) == sizeof head &&
               memcmp(head, magic, sizeof magic) == 0;
  fclose(f);
  return match;
}
