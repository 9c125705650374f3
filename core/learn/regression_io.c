/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Saving and loading the regressors (the format is in regression.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/regression.h"

#include "model_bytes.h"

static const char magic[8] = {'S', 'P', 'H', 'R', 'E', 'G', '\r', '\n'};







SphStatus sph_regressor_save(const SphRegressor *reg, const char *path, SphError *err)
{
  const SphRegressionConfig *c = sph_regressor_config(reg);
  SphModelBuf b = {0};
  sph_model_put(&b, magic, 8);
  sph_model_put_u32(&b, 1);
  uint32_t fields[7] = {(uint32_t)c->model, (uint32_t)c->hidden, (uint32_t)c->depth,
                        (uint32_t)c->activation, (uint32_t)c->members, (uint32_t)c->samples, 0};
  for (int i = 0; i < 6; i++)
    sph_model_put_u32(&b, fields[i]);
  double reals[5] = {c->dropout, c->prior.pi, c->prior.sigma1, c->prior.sigma2,
                     sph_regressor_aleatoric_scale(reg)};
  for (int i = 0; i < 5; i++)
    sph_model_put_f64(&b, reals[i]);
  sph_model_put_u64(&b, c->seed);
  for (size_t p = 0; p < sph_regressor_param_count(reg); p++) {
    const SphTensor *t = sph_var_value(sph_regressor_param(reg, p));
    sph_model_put_u64(&b, t->size);
    for (size_t i = 0; i < t->size; i++)
      sph_model_put_f64(&b, sph_tensor_get(t, i));
  }
  if (!b.failed)
    sph_model_put_u64(&b, sph_model_fnv1a(b.data, b.len));
  if (b.failed) {
    free(b.data);
    return sph_error_set(err, SPH_ERR_NOMEM, "%s: out of memory", path);
  }
  SphStatus st = sph_model_write_atomically(path, &b, err);
  free(b.data);
  return st;
}





static SphRegressor *load_fail(SphError *err, const char *path, const char *what)
{
  sph_error_set(err, SPH_ERR_FORMAT, "%s: not a usable regression model (%s)", path, what);
  return NULL;
}

SphRegressor *sph_regressor_load(const char *path, SphError *err)
{
  size_t len = 0;
  unsigned char *data = sph_model_read_all(path, &len, err);
  if (data == NULL)
    return NULL;
  SphRegressor *reg = NULL;
  SphModelReader r = {data, len, 0};
  uint32_t version, u[6];
  double d[5];
  uint64_t seed, hash;
  if (len < 8 + 8 || memcmp(data, magic, 8) != 0) {
    load_fail(err, path, "no SPHREG signature");
    goto done;
  }
  if (sph_model_fnv1a(data, len - 8) != (r.pos = len - 8, sph_model_get_u64(&r, &hash), hash)) {
    load_fail(err, path, "checksum mismatch: the file is damaged or truncated");
    goto done;
  }
  r.len = len - 8;
  r.pos = 8;
  bool ok = sph_model_get_u32(&r, &version);
  for (int i = 0; i < 6 && ok; i++)
    ok = sph_model_get_u32(&r, &u[i]);
  for (int i = 0; i < 5 && ok; i++)
    ok = sph_model_get_f64(&r, &d[i]);
  ok = ok && sph_model_get_u64(&r, &seed);
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
    if (!sph_model_get_u64(&r, &count) || count != t->size) {
      load_fail(err, path, "parameter sizes do not match the network");
      sph_regressor_free(reg);
      reg = NULL;
      break;
    }
    for (size_t i = 0; i < t->size && reg != NULL; i++) {
      double v;
      if (!sph_model_get_f64(&r, &v)) {
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
