/* SPDX-License-Identifier: GPL-3.0-or-later */
/* L-BFGS with a strong Wolfe or backtracking line search. */
#include "sphaera/lbfgs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/mem.h"

SphLbfgsConfig sph_lbfgs_defaults(void)
{
  return (SphLbfgsConfig){.history = 10, .max_iterations = 500, .gradient_tolerance = 1e-10,
                          .change_tolerance = 1e-15, .line_search = SPH_LINE_SEARCH_STRONG_WOLFE,
                          .c1 = 1e-4, .c2 = 0.9, .max_evaluations = 25};
}

typedef struct {
  SphLossFn fn;
  void *ctx;
  SphVar *const *params;
  size_t nparams, n;
  SphTape *tape;
  size_t evaluations;
} Problem;

static void put_params(const Problem *p, const double *x)
{
  size_t o = 0;
  for (size_t k = 0; k < p->nparams; k++) {
    SphTensor *v = sph_var_value(p->params[k]);
    for (size_t i = 0; i < v->size; i++)
      sph_tensor_set(v, i, x[o++]);
  }
}

/* f and g at x; a non-finite value leaves *f non-finite for the caller to judge. */
static SphStatus evaluate(Problem *p, const double *x, double *f, double *g, SphError *err)
{
  put_params(p, x);
  for (size_t k = 0; k < p->nparams; k++)
    sph_var_zero_grad(p->params[k]);
  sph_tape_reset(p->tape);
  p->evaluations++;
  SphVar *loss = p->fn(p->tape, p->ctx);
  SphStatus st = sph_backward(p->tape, loss, err);
  if (st != SPH_OK)
    return st;
  *f = sph_var_scalar(loss);
  size_t o = 0;
  for (size_t k = 0; k < p->nparams; k++) {
    const SphTensor *gk = sph_var_grad(p->params[k]);
    for (size_t i = 0; i < gk->size; i++) {
      g[o] = sph_tensor_get(gk, i);
      if (!isfinite(g[o]))
        *f = NAN;
      o++;
    }
  }
  return SPH_OK;
}

static double dot(const double *a, const double *b, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}

static double max_abs(const double *a, size_t n)
{
  double m = 0.0;
  for (size_t i = 0; i < n; i++)
    m = fmax(m, fabs(a[i]));
  return m;
}

/* One trial point of a line search: phi(alpha) = f(x0 + alpha d) and phi'(alpha). */
typedef struct {
  Problem *p;
  const double *x0, *d;
  double *x, *g;
} Line;

static SphStatus line_eval(Line *ln, double alpha, double *phi, double *dphi, SphError *err)
{
  size_t n = ln->p->n;
  for (size_t i = 0; i < n; i++)
    ln->x[i] = ln->x0[i] + alpha * ln->d[i];
  SphStatus st = evaluate(ln->p, ln->x, phi, ln->g, err);
  if (st == SPH_OK)
    *dphi = dot(ln->g, ln->d, n);
  return st;
}

/* The minimiser of the cubic through (a, fa, ga) and (b, fb, gb) (N&W eq. 3.59), kept
 * inside the interval away from its ends; bisection where the cubic has none. */
static double cubic_min(double a, double fa, double ga, double b, double fb, double gb)
{
  double d1 = ga + gb - 3.0 * (fa - fb) / (a - b);
  double disc = d1 * d1 - ga * gb;
  double lo = fmin(a, b), hi = fmax(a, b), t;
  if (disc >= 0.0 && isfinite(fb) && isfinite(gb)) {
    double d2 = copysign(sqrt(disc), b - a);
    t = b - (b - a) * (gb + d2 - d1) / (gb - ga + 2.0 * d2);
  } else {
    t = 0.5 * (a + b);
  }
  double margin = 0.1 * (hi - lo);
  if (!isfinite(t) || t < lo + margin || t > hi - margin)
    t = 0.5 * (a + b);
  return t;
}

/* Strong Wolfe line search from phi(0) = f0, phi'(0) = g0 < 0. On success x, g, *f hold
 * the accepted point and *ok is set; *ok false when no acceptable step was found within
 * the evaluation budget (x then holds the best point tried if it lowered f). */
static SphStatus wolfe_search(Line *ln, const SphLbfgsConfig *c, double f0, double g0,
                              double alpha, double *f, bool *ok, SphError *err)
{
  double a_prev = 0.0, f_prev = f0, g_prev = g0;
  double lo = 0, hi = 0, flo = 0, glo = 0, fhi = 0, ghi = 0;
  bool zoom = false;
  size_t evals = 0;
  double phi = 0, dphi = 0;
  SphStatus st;
  *ok = false;
  while (evals < c->max_evaluations) {
    if ((st = line_eval(ln, alpha, &phi, &dphi, err)) != SPH_OK)
      return st;
    evals++;
    if (!isfinite(phi)) { /* too far: into the region where the loss overflows */
      alpha = 0.5 * (a_prev + alpha);
      continue;
    }
    if (phi > f0 + c->c1 * alpha * g0 || (evals > 1 && phi >= f_prev)) {
      lo = a_prev, flo = f_prev, glo = g_prev, hi = alpha, fhi = phi, ghi = dphi;
      zoom = true;
      break;
    }
    if (fabs(dphi) <= -c->c2 * g0) {
      *f = phi;
      *ok = true;
      return SPH_OK;
    }
    if (dphi >= 0.0) {
      lo = alpha, flo = phi, glo = dphi, hi = a_prev, fhi = f_prev, ghi = g_prev;
      zoom = true;
      break;
    }
    a_prev = alpha, f_prev = phi, g_prev = dphi;
    alpha *= 2.0;
  }
  while (zoom && evals < c->max_evaluations) {
    double a = cubic_min(lo, flo, glo, hi, fhi, ghi);
    if ((st = line_eval(ln, a, &phi, &dphi, err)) != SPH_OK)
      return st;
    evals++;
    if (!isfinite(phi) || phi > f0 + c->c1 * a * g0 || phi >= flo) {
      hi = a, fhi = phi, ghi = dphi;
    } else {
      if (fabs(dphi) <= -c->c2 * g0) {
        *f = phi;
        *ok = true;
        return SPH_OK;
      }
      if (dphi * (hi - lo) >= 0.0)
        hi = lo, fhi = flo, ghi = glo;
      lo = a, flo = phi, glo = dphi;
    }
    if (fabs(hi - lo) <= 1e-16 * fmax(1.0, fabs(lo)))
      break;
  }
  /* The budget ran out: settle for the best sufficient decrease found, if any. */
  if (lo > 0.0 && flo < f0) {
    if ((st = line_eval(ln, lo, &phi, &dphi, err)) != SPH_OK)
      return st;
    *f = phi;
    *ok = phi < f0;
  }
  return SPH_OK;
}

static SphStatus backtracking_search(Line *ln, const SphLbfgsConfig *c, double f0, double g0,
                                     double alpha, double *f, bool *ok, SphError *err)
{
  double phi = 0, dphi = 0;
  *ok = false;
  for (size_t e = 0; e < c->max_evaluations; e++, alpha *= 0.5) {
    SphStatus st = line_eval(ln, alpha, &phi, &dphi, err);
    if (st != SPH_OK)
      return st;
    if (isfinite(phi) && phi <= f0 + c->c1 * alpha * g0) {
      *f = phi;
      *ok = true;
      return SPH_OK;
    }
  }
  return SPH_OK;
}

static void publish(SphJob *job, const double *curve, size_t n, size_t planned)
{
  if (job == NULL)
    return;
  SphLossCurve *lc = malloc(sizeof *lc + (n ? n : 1) * sizeof lc->loss[0]);
  if (lc == NULL)
    return; /* a missed snapshot only delays the view */
  lc->n = n;
  lc->planned = planned;
  memcpy(lc->loss, curve, n * sizeof *curve);
  SphSnapshot *snap = sph_snapshot_new(lc, free);
  if (snap != NULL)
    sph_job_publish(job, snap);
  else
    free(lc);
}

SphStatus sph_lbfgs_minimize(const SphLbfgsConfig *config, SphLossFn fn, void *ctx,
                             SphVar *const *params, size_t nparams, SphJob *job,
                             SphLbfgsResult *result, SphError *err)
{
  const SphLbfgsConfig *c = config;
  if (c->history == 0 || c->max_iterations == 0 || c->max_evaluations == 0 ||
      !(c->c1 > 0.0 && c->c1 < c->c2 && c->c2 < 1.0) || !(c->gradient_tolerance >= 0.0) ||
      !(c->change_tolerance >= 0.0))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "L-BFGS: history %zu, %zu iterations, c1 %g and c2 %g (need "
                         "0 < c1 < c2 < 1) or tolerances out of range",
                         c->history, c->max_iterations, c->c1, c->c2);
  Problem p = {.fn = fn, .ctx = ctx, .params = params, .nparams = nparams};
  for (size_t k = 0; k < nparams; k++) {
    if (params[k] == NULL || sph_var_grad(params[k]) == NULL)
      return sph_error_set(err, SPH_ERR_INVALID, "L-BFGS: parameter %zu has no gradient", k);
    p.n += sph_var_value(params[k])->size;
  }
  if (p.n == 0)
    return sph_error_set(err, SPH_ERR_INVALID, "L-BFGS: no parameters");
  size_t n = p.n, m = c->history;
  /* x, g, d, x_new, g_new, then the m pairs s and y */
  double *work = sph_calloc_aligned((5 + 2 * m) * n, sizeof(double), err);
  double *rho = calloc(m, sizeof *rho), *alpha = calloc(m, sizeof *alpha);
  double *curve = malloc(c->max_iterations * sizeof *curve);
  p.tape = sph_tape_new();
  SphStatus st = SPH_OK;
  if (work == NULL || rho == NULL || alpha == NULL || curve == NULL || p.tape == NULL)
    st = sph_error_set(err, SPH_ERR_NOMEM, "L-BFGS: out of memory for %zu parameters", n);
  double *x = work, *g = x + n, *d = g + n, *xn = d + n, *gn = xn + n, *s = gn + n,
         *y = s + m * n;
  double f = NAN;
  SphLbfgsResult res = {0};
  if (st == SPH_OK) {
    size_t o = 0;
    for (size_t k = 0; k < nparams; k++) {
      const SphTensor *v = sph_var_value(params[k]);
      for (size_t i = 0; i < v->size; i++)
        x[o++] = sph_tensor_get(v, i);
    }
    st = evaluate(&p, x, &f, g, err);
    if (st == SPH_OK && !isfinite(f))
      st = sph_error_set(err, SPH_ERR_INVALID,
                         "L-BFGS: the loss or its gradient is not finite at the starting point");
  }
  size_t stored = 0, newest = 0; /* pairs in the ring, index of the newest */
  res.stop = SPH_LBFGS_ITERATIONS;
  while (st == SPH_OK && res.iterations < c->max_iterations) {
    if (max_abs(g, n) <= c->gradient_tolerance) {
      res.stop = SPH_LBFGS_GRADIENT;
      break;
    }
    if (sph_job_is_cancelled(job)) {
      st = sph_error_set(err, SPH_ERR_CANCELLED, "L-BFGS cancelled after %zu iterations",
                         res.iterations);
      break;
    }
    /* Two-loop recursion: d = -H g, H0 = (s.y / y.y) I from the newest pair. */
    for (size_t i = 0; i < n; i++)
      d[i] = -g[i];
    for (size_t j = 0; j < stored; j++) {
      size_t idx = (newest + m - j) % m;
      alpha[idx] = rho[idx] * dot(s + idx * n, d, n);
      for (size_t i = 0; i < n; i++)
        d[i] -= alpha[idx] * y[idx * n + i];
    }
    double gamma = 1.0;
    if (stored > 0) {
      const double *yn = y + newest * n;
      gamma = dot(s + newest * n, yn, n) / dot(yn, yn, n);
    }
    for (size_t i = 0; i < n; i++)
      d[i] *= gamma;
    for (size_t j = stored; j-- > 0;) {
      size_t idx = (newest + m - j) % m;
      double beta = rho[idx] * dot(y + idx * n, d, n);
      for (size_t i = 0; i < n; i++)
        d[i] += (alpha[idx] - beta) * s[idx * n + i];
    }
    double g0 = dot(g, d, n);
    if (!(g0 < 0.0)) { /* not a descent direction (rounding): restart from steepest descent */
      stored = 0;
      for (size_t i = 0; i < n; i++)
        d[i] = -g[i];
      g0 = dot(g, d, n);
    }
    /* The first step has no curvature yet: a step of length at most 1. */
    double step = stored == 0 ? fmin(1.0, 1.0 / fmax(max_abs(g, n) * sqrt((double)n), 1e-300)) : 1.0;
    Line ln = {.p = &p, .x0 = x, .d = d, .x = xn, .g = gn};
    double fn_new = f;
    bool ok = false;
    st = c->line_search == SPH_LINE_SEARCH_BACKTRACKING
             ? backtracking_search(&ln, c, f, g0, step, &fn_new, &ok, err)
             : wolfe_search(&ln, c, f, g0, step, &fn_new, &ok, err);
    if (st != SPH_OK)
      break;
    if (!ok) {
      res.stop = SPH_LBFGS_LINE_SEARCH;
      break;
    }
    size_t slot = stored == 0 ? 0 : (newest + 1) % m;
    double *sk = s + slot * n, *yk = y + slot * n;
    for (size_t i = 0; i < n; i++) {
      sk[i] = xn[i] - x[i];
      yk[i] = gn[i] - g[i];
    }
    double sy = dot(sk, yk, n);
    if (sy > 1e-12 * sqrt(dot(sk, sk, n) * dot(yk, yk, n))) { /* keeps H positive definite */
      rho[slot] = 1.0 / sy;
      newest = slot;
      if (stored < m)
        stored++;
    }
    double change = fabs(f - fn_new);
    memcpy(x, xn, n * sizeof *x);
    memcpy(g, gn, n * sizeof *g);
    f = fn_new;
    curve[res.iterations++] = f;
    sph_job_set_progress(job, (double)res.iterations / (double)c->max_iterations, NULL);
    publish(job, curve, res.iterations, c->max_iterations);
    if (change <= c->change_tolerance * (1.0 + fabs(f))) {
      res.stop = max_abs(g, n) <= c->gradient_tolerance ? SPH_LBFGS_GRADIENT : SPH_LBFGS_CHANGE;
      break;
    }
  }
  if (work != NULL && isfinite(f))
    put_params(&p, x); /* the line search may have left a trial point in the parameters */
  res.loss = f;
  res.gradient_max = work ? max_abs(g, n) : NAN;
  res.evaluations = p.evaluations;
  if (result != NULL)
    *result = res;
  sph_tape_free(p.tape);
  free(curve);
  free(alpha);
  free(rho);
  sph_free_aligned(work);
  return st;
}
