/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Built-in targets and plugin loading. The AR(1) Gaussian is evaluated through its
 * precision matrix, which is tridiagonal, so one density costs O(D) and no matrix is
 * ever stored. */
#include "sphaera/target.h"

#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/mem.h"
#include "sphaera/target_plugin.h"
#include "sampler_common.h"
#include "target_native.h"

#define AR1_RHO 0.9
#define BIMODAL_OFFSET 3.0
#define BUILTIN_HALF_WIDTH 10.0
#define MAX_BUILTIN_DIM 10000
#define ROSENBROCK_UPPER 110.0

typedef enum { KIND_GAUSS, KIND_ROSENBROCK, KIND_BIMODAL, KIND_PLUGIN, KIND_NATIVE } TargetKind;

struct SphTarget {
  TargetKind kind;
  char *spec;
  size_t dim;
  char **names;
  char **labels;
  double *lower;
  double *upper;
  double *start;
  double log_prior; /* -sum ln(upper - lower) */
  bool has_gradient;
  bool expensive;
  /* gauss: the tridiagonal precision matrix, diagonal and off-diagonal */
  double prec_edge, prec_inner, prec_off;
  /* plugin */
  void *dl;
  const SphTargetPlugin *plugin;
  /* native: a model built in the library (cl-fit) */
  SphTargetLogLikeFn native_loglike;
  void *native_model;
  void (*native_free)(void *model);
};

void sph_target_free(SphTarget *t)
{
  if (t == NULL)
    return;
  for (size_t i = 0; t->names != NULL && i < t->dim; i++)
    free(t->names[i]);
  for (size_t i = 0; t->labels != NULL && i < t->dim; i++)
    free(t->labels[i]);
  free(t->names);
  free(t->labels);
  free(t->lower);
  free(t->upper);
  free(t->start);
  free(t->spec);
  if (t->dl != NULL)
    dlclose(t->dl);
  if (t->native_free != NULL)
    t->native_free(t->native_model);
  free(t);
}

static SphStatus alloc_target(TargetKind kind, const char *spec, size_t dim, SphTarget **out,
                              SphError *err)
{
  SphTarget *t = calloc(1, sizeof *t);
  if (t == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "target %s: out of memory", spec);
  t->kind = kind;
  t->dim = dim;
  t->spec = sph_strdup(spec);
  t->names = calloc(dim, sizeof *t->names);
  t->labels = calloc(dim, sizeof *t->labels);
  t->lower = calloc(dim, sizeof *t->lower);
  t->upper = calloc(dim, sizeof *t->upper);
  t->start = calloc(dim, sizeof *t->start);
  if (t->spec == NULL || t->names == NULL || t->labels == NULL || t->lower == NULL ||
      t->upper == NULL || t->start == NULL) {
    sph_target_free(t);
    return sph_error_set(err, SPH_ERR_NOMEM, "target %s: out of memory", spec);
  }
  *out = t;
  return SPH_OK;
}

static SphStatus set_names(SphTarget *t, const char *name_fmt, const char *label_fmt,
                           SphError *err)
{
  for (size_t i = 0; i < t->dim; i++) {
    char buf[64];
    snprintf(buf, sizeof buf, name_fmt, i);
    t->names[i] = sph_strdup(buf);
    snprintf(buf, sizeof buf, label_fmt, i);
    t->labels[i] = sph_strdup(buf);
    if (t->names[i] == NULL || t->labels[i] == NULL)
      return sph_error_set(err, SPH_ERR_NOMEM, "target %s: out of memory", t->spec);
  }
  return SPH_OK;
}

static void finish_box(SphTarget *t)
{
  double lp = 0.0;
  for (size_t i = 0; i < t->dim; i++)
    lp -= log(t->upper[i] - t->lower[i]);
  t->log_prior = lp;
}

static void symmetric_box(SphTarget *t, double half_width)
{
  for (size_t i = 0; i < t->dim; i++) {
    t->lower[i] = -half_width;
    t->upper[i] = half_width;
  }
  finish_box(t);
}

/* Parses the ":D" after a built-in name; an absent suffix gives def. */
static SphStatus parse_dim(const char *spec, const char *rest, size_t def, size_t min_dim,
                           size_t *dim, SphError *err)
{
  if (*rest == '\0') {
    if (def == 0)
      return sph_error_set(err, SPH_ERR_INVALID,
                           "target %s: give the dimension, as in gauss:10", spec);
    *dim = def;
    return SPH_OK;
  }
  if (*rest != ':')
    return sph_error_set(err, SPH_ERR_INVALID,
                         "target %s: unknown target (try gauss:D, rosenbrock, bimodal or "
                         "plugin:PATH.so)", spec);
  char *end;
  errno = 0;
  long long d = strtoll(rest + 1, &end, 10);
  if (errno != 0 || end == rest + 1 || *end != '\0' || d < (long long)min_dim ||
      d > MAX_BUILTIN_DIM)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "target %s: the dimension must be an integer from %zu to %d", spec,
                         min_dim, MAX_BUILTIN_DIM);
  *dim = (size_t)d;
  return SPH_OK;
}

static SphStatus new_builtin(TargetKind kind, const char *spec, size_t dim, SphTarget **out,
                             SphError *err)
{
  SphTarget *t;
  SphStatus st = alloc_target(kind, spec, dim, &t, err);
  if (st != SPH_OK)
    return st;
  t->has_gradient = true;
  symmetric_box(t, BUILTIN_HALF_WIDTH);
  st = set_names(t, "x%zu", "x_{%zu}", err);
  if (st != SPH_OK) {
    sph_target_free(t);
    return st;
  }
  if (kind == KIND_GAUSS) {
    double r2 = AR1_RHO * AR1_RHO;
    t->prec_edge = dim == 1 ? 1.0 : 1.0 / (1.0 - r2);
    t->prec_inner = (1.0 + r2) / (1.0 - r2);
    t->prec_off = -AR1_RHO / (1.0 - r2);
  } else if (kind == KIND_ROSENBROCK) {
    /* x_{i+1} sits near x_i^2, so a box of [-10, 10] on it would cut the banana's arms
     * (and the first coordinate's N(1, 10) marginal) at |x_i| = 3.2. */
    for (size_t i = 0; i < dim; i++) {
      t->start[i] = 1.0;
      if (i > 0)
        t->upper[i] = ROSENBROCK_UPPER;
    }
    finish_box(t);
  }
  *out = t;
  return SPH_OK;
}

SphStatus sph_target_new(const char *spec, SphTarget **out, SphError *err)
{
  *out = NULL;
  if (spec == NULL || *spec == '\0')
    return sph_error_set(err, SPH_ERR_INVALID,
                         "empty target: give gauss:D, rosenbrock, bimodal or plugin:PATH.so");
  size_t dim;
  SphStatus st;
  if (strncmp(spec, "plugin:", 7) == 0)
    return sph_target_new_plugin(spec + 7, out, err);
  if (strncmp(spec, "gauss", 5) == 0) {
    if ((st = parse_dim(spec, spec + 5, 0, 1, &dim, err)) != SPH_OK)
      return st;
    return new_builtin(KIND_GAUSS, spec, dim, out, err);
  }
  if (strncmp(spec, "rosenbrock", 10) == 0) {
    if ((st = parse_dim(spec, spec + 10, 2, 2, &dim, err)) != SPH_OK)
      return st;
    return new_builtin(KIND_ROSENBROCK, spec, dim, out, err);
  }
  if (strncmp(spec, "bimodal", 7) == 0) {
    if ((st = parse_dim(spec, spec + 7, 2, 1, &dim, err)) != SPH_OK)
      return st;
    return new_builtin(KIND_BIMODAL, spec, dim, out, err);
  }
  if (strncmp(spec, "cl-fit", 6) == 0)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "target %s: the spectrum fit is made from a map, its mask and a "
                         "theory spectrum with sph_target_cl_fit_new (sphaera-cli reads the "
                         "files for --target cl-fit[:MAP.fits[,MASK.fits]])", spec);
  return sph_error_set(err, SPH_ERR_INVALID,
                       "target %s: unknown target (try gauss:D, rosenbrock, bimodal, cl-fit "
                       "or plugin:PATH.so)", spec);
}

static char *copy_plugin_string(const char *s)
{
  return s == NULL ? NULL : sph_strdup(s);
}

SphStatus sph_target_new_plugin(const char *path, SphTarget **out, SphError *err)
{
  *out = NULL;
  if (path == NULL || *path == '\0')
    return sph_error_set(err, SPH_ERR_INVALID, "plugin target: no library path given");
  /* dlopen searches the library path for a bare name; a plugin is a file the user
   * names, so make a bare name relative to the working directory. */
  char local[4096];
  const char *open_name = path;
  if (strchr(path, '/') == NULL) {
    snprintf(local, sizeof local, "./%s", path);
    open_name = local;
  }
  void *dl = dlopen(open_name, RTLD_NOW | RTLD_LOCAL);
  if (dl == NULL) {
    const char *why = dlerror();
    return sph_error_set(err, SPH_ERR_IO, "plugin %s: cannot load it: %s", path,
                         why != NULL ? why : "unknown dlopen error");
  }
  dlerror();
  void *sym = dlsym(dl, SPH_TARGET_PLUGIN_SYMBOL);
  if (sym == NULL) {
    dlclose(dl);
    return sph_error_set(err, SPH_ERR_FORMAT,
                         "plugin %s: it does not export %s() (see sphaera/target_plugin.h)",
                         path, SPH_TARGET_PLUGIN_SYMBOL);
  }
  const SphTargetPlugin *(*get)(void);
  memcpy(&get, &sym, sizeof get); /* object to function pointer, as POSIX allows */
  const SphTargetPlugin *p = get();
  const char *problem = NULL;
  char buf[160];
  if (p == NULL)
    problem = "sph_target_plugin() returned NULL";
  else if (p->abi_version != SPH_TARGET_PLUGIN_ABI) {
    snprintf(buf, sizeof buf,
             "it was built for plugin ABI version %u, this Sphaera needs version %u; "
             "rebuild it against this sphaera/target_plugin.h",
             p->abi_version, SPH_TARGET_PLUGIN_ABI);
    problem = buf;
  } else if (p->dim < 1 || p->dim > 1000000)
    problem = "its dimension must be at least 1";
  else if (p->names == NULL)
    problem = "it gives no parameter names";
  else if (p->lower == NULL || p->upper == NULL)
    problem = "it gives no prior box (lower and upper)";
  else if (p->log_likelihood == NULL)
    problem = "it gives no log_likelihood function";
  if (problem == NULL) {
    for (uint32_t i = 0; i < p->dim && problem == NULL; i++) {
      if (p->names[i] == NULL || p->names[i][0] == '\0') {
        snprintf(buf, sizeof buf, "parameter %u has no name", i);
        problem = buf;
      } else if (!isfinite(p->lower[i]) || !isfinite(p->upper[i]) ||
                 !(p->lower[i] < p->upper[i])) {
        snprintf(buf, sizeof buf,
                 "the prior box of %s is [%g, %g]: it must be finite with lower < upper "
                 "(zero width is not a prior)", p->names[i], p->lower[i], p->upper[i]);
        problem = buf;
      }
    }
  }
  if (problem != NULL) {
    SphStatus st = sph_error_set(err, SPH_ERR_FORMAT, "plugin %s: %s", path, problem);
    dlclose(dl);
    return st;
  }
  char spec[4200];
  snprintf(spec, sizeof spec, "plugin:%s", path);
  SphTarget *t;
  SphStatus st = alloc_target(KIND_PLUGIN, spec, p->dim, &t, err);
  if (st != SPH_OK) {
    dlclose(dl);
    return st;
  }
  t->dl = dl;
  t->plugin = p;
  t->has_gradient = p->provides_gradient != 0;
  t->expensive = p->expensive != 0;
  for (size_t i = 0; i < t->dim; i++) {
    t->names[i] = copy_plugin_string(p->names[i]);
    t->labels[i] = copy_plugin_string(p->labels != NULL && p->labels[i] != NULL
                                          ? p->labels[i] : p->names[i]);
    if (t->names[i] == NULL || t->labels[i] == NULL) {
      sph_target_free(t);
      return sph_error_set(err, SPH_ERR_NOMEM, "plugin %s: out of memory", path);
    }
    t->lower[i] = p->lower[i];
    t->upper[i] = p->upper[i];
    t->start[i] = 0.5 * (p->lower[i] + p->upper[i]);
  }
  finish_box(t);
  *out = t;
  return SPH_OK;
}

SphStatus sph_target_new_native(const char *spec, size_t dim, const char *const *names,
                                const char *const *labels, const double *lower,
                                const double *upper, const double *start,
                                SphTargetLogLikeFn loglike, void *model,
                                void (*model_free)(void *), SphTarget **out, SphError *err)
{
  *out = NULL;
  SphTarget *t;
  SphStatus st = alloc_target(KIND_NATIVE, spec, dim, &t, err);
  if (st != SPH_OK) {
    model_free(model);
    return st;
  }
  t->native_loglike = loglike;
  t->native_model = model;
  t->native_free = model_free;
  t->has_gradient = true;
  for (size_t i = 0; i < dim; i++) {
    t->names[i] = sph_strdup(names[i]);
    t->labels[i] = sph_strdup(labels[i]);
    if (t->names[i] == NULL || t->labels[i] == NULL) {
      sph_target_free(t);
      return sph_error_set(err, SPH_ERR_NOMEM, "target %s: out of memory", spec);
    }
    t->lower[i] = lower[i];
    t->upper[i] = upper[i];
    t->start[i] = start[i];
  }
  finish_box(t);
  *out = t;
  return SPH_OK;
}

void *sph_target_native_model(const SphTarget *t, SphTargetLogLikeFn loglike)
{
  return t->kind == KIND_NATIVE && t->native_loglike == loglike ? t->native_model : NULL;
}

const char *sph_target_spec(const SphTarget *t) { return t->spec; }
size_t sph_target_dim(const SphTarget *t) { return t->dim; }
const char *sph_target_name(const SphTarget *t, size_t i) { return i < t->dim ? t->names[i] : NULL; }
const char *sph_target_label(const SphTarget *t, size_t i) { return i < t->dim ? t->labels[i] : NULL; }
const double *sph_target_lower(const SphTarget *t) { return t->lower; }
const double *sph_target_upper(const SphTarget *t) { return t->upper; }
bool sph_target_has_gradient(const SphTarget *t) { return t->has_gradient; }
bool sph_target_is_expensive(const SphTarget *t) { return t->expensive; }
const double *sph_target_start(const SphTarget *t) { return t->start; }

/* -theta^T Q theta / 2 with Q the tridiagonal AR(1) precision. */
static double gauss_loglike(const SphTarget *t, const double *x, double *grad)
{
  size_t d = t->dim;
  if (d == 1) {
    if (grad != NULL)
      grad[0] = -x[0];
    return -0.5 * x[0] * x[0];
  }
  double diag = t->prec_edge * (x[0] * x[0] + x[d - 1] * x[d - 1]);
  double off = 0.0;
  for (size_t i = 1; i + 1 < d; i++)
    diag += t->prec_inner * x[i] * x[i];
  for (size_t i = 0; i + 1 < d; i++)
    off += x[i] * x[i + 1];
  if (grad != NULL) {
    for (size_t i = 0; i < d; i++) {
      double qx = (i == 0 || i == d - 1 ? t->prec_edge : t->prec_inner) * x[i];
      if (i > 0)
        qx += t->prec_off * x[i - 1];
      if (i + 1 < d)
        qx += t->prec_off * x[i + 1];
      grad[i] = -qx;
    }
  }
  return -0.5 * (diag + 2.0 * t->prec_off * off);
}

static double rosenbrock_loglike(const SphTarget *t, const double *x, double *grad)
{
  size_t d = t->dim;
  double s = 0.0;
  if (grad != NULL)
    memset(grad, 0, d * sizeof *grad);
  for (size_t i = 0; i + 1 < d; i++) {
    double a = 1.0 - x[i], b = x[i + 1] - x[i] * x[i];
    s += a * a + 100.0 * b * b;
    if (grad != NULL) {
      grad[i] += (2.0 * a + 400.0 * b * x[i]) / 20.0;
      grad[i + 1] -= 200.0 * b / 20.0;
    }
  }
  return -s / 20.0;
}

static double bimodal_loglike(const SphTarget *t, const double *x, double *grad)
{
  size_t d = t->dim;
  double qm = 0.0, qp = 0.0;
  for (size_t i = 0; i < d; i++) {
    double um = x[i] + BIMODAL_OFFSET, up = x[i] - BIMODAL_OFFSET;
    qm += um * um;
    qp += up * up;
  }
  double lm = -0.5 * qm, lp = -0.5 * qp;
  double hi = lm > lp ? lm : lp;
  double wm = exp(lm - hi), wp = exp(lp - hi);
  double norm = wm + wp;
  if (grad != NULL) {
    wm /= norm;
    wp /= norm;
    for (size_t i = 0; i < d; i++)
      grad[i] = -wm * (x[i] + BIMODAL_OFFSET) - wp * (x[i] - BIMODAL_OFFSET);
  }
  return hi + log(norm) + log(0.5) - 0.5 * (double)d * log(2.0 * M_PI);
}

double sph_target_log_density(const SphTarget *t, const double *theta, double *grad)
{
  size_t d = t->dim;
  for (size_t i = 0; i < d; i++) {
    if (!(theta[i] >= t->lower[i] && theta[i] <= t->upper[i])) {
      if (grad != NULL && t->has_gradient)
        memset(grad, 0, d * sizeof *grad);
      return -INFINITY;
    }
  }
  double *g = t->has_gradient ? grad : NULL;
  double ll;
  switch (t->kind) {
  case KIND_GAUSS: ll = gauss_loglike(t, theta, g); break;
  case KIND_ROSENBROCK: ll = rosenbrock_loglike(t, theta, g); break;
  case KIND_BIMODAL: ll = bimodal_loglike(t, theta, g); break;
  case KIND_NATIVE: ll = t->native_loglike(t->native_model, theta, g); break;
  default: ll = t->plugin->log_likelihood(theta, g, t->plugin->user); break;
  }
  return ll + t->log_prior;
}

void sph_target_format_point(const SphTarget *t, const double *theta, char *buf, size_t size)
{
  size_t used = 0;
  if (size == 0)
    return;
  buf[0] = '\0';
  for (size_t i = 0; i < t->dim && used + 1 < size; i++) {
    if (i == 6 && t->dim > 7) {
      snprintf(buf + used, size - used, ", ...");
      return;
    }
    int n = snprintf(buf + used, size - used, "%s%s = %.6g", i ? ", " : "", t->names[i],
                     theta[i]);
    if (n < 0)
      return;
    used += (size_t)n;
  }
}

SphStatus sph_target_eval(const SphTarget *t, const double *theta, double *grad,
                          double *log_density, SphError *err)
{
  double lp = sph_target_log_density(t, theta, grad);
  *log_density = lp;
  const char *what = NULL;
  if (isnan(lp))
    what = "NaN";
  else if (lp == INFINITY)
    what = "+infinity";
  else if (grad != NULL && t->has_gradient && isfinite(lp)) {
    for (size_t i = 0; i < t->dim && what == NULL; i++)
      if (!isfinite(grad[i]))
        what = "a non-finite gradient";
  }
  if (what == NULL)
    return SPH_OK;
  char point[256];
  sph_target_format_point(t, theta, point, sizeof point);
  return sph_error_set(err, SPH_ERR_INVALID,
                       "target %s returned %s at (%s): a log-density must be finite or "
                       "-infinity", t->spec, what, point);
}

SphStatus sph_infer_draw_start(const SphTarget *t, double scale, SphRng *rng, double *theta,
                               double *log_density, SphError *err)
{
  for (int attempt = 0; attempt < 10000; attempt++) {
    for (size_t i = 0; i < t->dim; i++)
      theta[i] = t->start[i] + scale * sph_rng_normal(rng);
    double lp;
    SphStatus st = sph_target_eval(t, theta, NULL, &lp, err);
    if (st != SPH_OK)
      return st;
    if (isfinite(lp)) {
      *log_density = lp;
      return SPH_OK;
    }
  }
  return sph_error_set(err, SPH_ERR_INVALID,
                       "target %s: no starting point with a finite log-density within %g "
                       "of its start point; give starting positions", t->spec, scale);
}
