/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HMC transitions. Each chain draws from its own Philox stream, so chains may run on
 * separate threads and still give the same numbers as on one. */
#include "sphaera/hmc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nuts.h"
#include "sampler_common.h"
#include "sphaera/mem.h"
#include "sphaera/rng.h"

void sph_hmc_options_init(SphHmcOptions *o)
{
  memset(o, 0, sizeof *o);
  o->chains = 4;
  o->steps = 1000;
  o->warmup = 500;
  o->step_size = 0.1;
  o->leapfrog_steps = 10;
  o->adapt = true;
  o->target_accept = 0.8;
  o->seed = 1;
  o->init_scale = 0.1;
  o->parallel = -1;
  o->snapshot_interval = 0.25;
  o->algorithm = SPH_HMC_STATIC;
  o->max_tree_depth = 10;
}

/* Dual averaging state (Hoffman & Gelman 2014, section 3.2). */
typedef struct {
  double mu, h_bar, log_eps_bar;
  size_t m;
} DualAverage;

typedef struct {
  SphRng rng;
  double *x, *grad, *x1, *grad1, *p;
  double *nuts_work;
  double lp;
  double eps;
  DualAverage da;
  double accept_sum; /* sum of acceptance probabilities over kept steps */
  size_t accepted;   /* kept steps accepted */
  size_t leapfrog, divergences; /* over the kept steps */
  size_t last_leapfrog;
  bool last_divergent;
  SphStatus status;
  SphError err;
} HmcChain;

static const double DA_GAMMA = 0.05, DA_T0 = 10.0, DA_KAPPA = 0.75;

static void da_update(DualAverage *da, double accept_prob, double target, double *eps)
{
  da->m++;
  double m = (double)da->m;
  double w = 1.0 / (m + DA_T0);
  da->h_bar = (1.0 - w) * da->h_bar + w * (target - accept_prob);
  double log_eps = da->mu - sqrt(m) / DA_GAMMA * da->h_bar;
  double mk = pow(m, -DA_KAPPA);
  da->log_eps_bar = mk * log_eps + (1.0 - mk) * da->log_eps_bar;
  *eps = exp(log_eps);
}

/* One HMC transition; returns the acceptance probability, or -1 with c->status set. */
static double transition(const SphTarget *t, HmcChain *c, size_t leapfrog, size_t dim)
{
  double kinetic0 = 0.0;
  for (size_t i = 0; i < dim; i++) {
    c->p[i] = sph_rng_normal(&c->rng);
    kinetic0 += 0.5 * c->p[i] * c->p[i];
  }
  memcpy(c->x1, c->x, dim * sizeof(double));
  memcpy(c->grad1, c->grad, dim * sizeof(double));
  double eps = c->eps, lp1 = c->lp;
  for (size_t l = 0; l < leapfrog; l++) {
    for (size_t i = 0; i < dim; i++) {
      c->p[i] += 0.5 * eps * c->grad1[i];
      c->x1[i] += eps * c->p[i];
    }
    c->status = sph_target_eval(t, c->x1, c->grad1, &lp1, &c->err);
    if (c->status != SPH_OK)
      return -1.0;
    if (!isfinite(lp1))
      break; /* left the support: the proposal has zero density and is rejected */
    for (size_t i = 0; i < dim; i++)
      c->p[i] += 0.5 * eps * c->grad1[i];
  }
  double accept_prob = 0.0;
  if (isfinite(lp1)) {
    double kinetic1 = 0.0;
    for (size_t i = 0; i < dim; i++)
      kinetic1 += 0.5 * c->p[i] * c->p[i];
    double log_ratio = (lp1 - kinetic1) - (c->lp - kinetic0);
    accept_prob = log_ratio >= 0.0 ? 1.0 : exp(log_ratio);
    if (isnan(accept_prob))
      accept_prob = 0.0;
  }
  double u = sph_rng_uniform(&c->rng);
  if (u < accept_prob) {
    memcpy(c->x, c->x1, dim * sizeof(double));
    memcpy(c->grad, c->grad1, dim * sizeof(double));
    c->lp = lp1;
    c->status = SPH_OK;
    return accept_prob + 2.0; /* flags acceptance for the caller */
  }
  return accept_prob;
}

/* One NUTS transition, with the same return convention as transition(). */
static double nuts(const SphTarget *t, HmcChain *c, size_t max_depth)
{
  SphNutsInfo info;
  c->status = sph_nuts_transition(t, &c->rng, c->eps, max_depth, c->x, c->grad, &c->lp,
                                  c->nuts_work, &info, &c->err);
  if (c->status != SPH_OK)
    return -1.0;
  c->last_leapfrog = info.leapfrog;
  c->last_divergent = info.divergent;
  return info.accept_stat + (info.moved ? 2.0 : 0.0);
}

static void free_chains(HmcChain *cs, size_t n)
{
  if (cs == NULL)
    return;
  for (size_t k = 0; k < n; k++) {
    sph_free_aligned(cs[k].x);
    sph_free_aligned(cs[k].grad);
    sph_free_aligned(cs[k].x1);
    sph_free_aligned(cs[k].grad1);
    sph_free_aligned(cs[k].p);
    sph_free_aligned(cs[k].nuts_work);
  }
  free(cs);
}

static SphStatus check_options(const SphTarget *t, const SphHmcOptions *o, SphError *err)
{
  const char *spec = sph_target_spec(t);
  if (!sph_target_has_gradient(t))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "HMC on %s: the target has no gradient; use the ensemble sampler",
                         spec);
  if (o->chains == 0 || o->leapfrog_steps == 0)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "HMC on %s: needs at least one chain and one leapfrog step", spec);
  if (!(o->step_size > 0.0) || !isfinite(o->step_size))
    return sph_error_set(err, SPH_ERR_INVALID, "HMC on %s: the step size %g must be positive",
                         spec, o->step_size);
  if (o->adapt && !(o->target_accept > 0.0 && o->target_accept < 1.0))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "HMC on %s: the target acceptance %g must lie in (0, 1)", spec,
                         o->target_accept);
  if (o->algorithm != SPH_HMC_STATIC && o->algorithm != SPH_HMC_NUTS)
    return sph_error_set(err, SPH_ERR_INVALID, "HMC on %s: unknown algorithm %d", spec,
                         (int)o->algorithm);
  if (o->algorithm == SPH_HMC_NUTS && (o->max_tree_depth < 1 || o->max_tree_depth > 30))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "HMC on %s: the NUTS tree depth %zu must be from 1 to 30", spec,
                         o->max_tree_depth);
  if (o->initial == NULL && !(o->init_scale > 0.0))
    return sph_error_set(err, SPH_ERR_INVALID, "HMC on %s: init_scale must be positive", spec);
  return SPH_OK;
}

static SphStatus init_chains(const SphTarget *t, const SphHmcOptions *o, HmcChain *cs,
                             size_t dim, SphError *err)
{
  for (size_t k = 0; k < o->chains; k++) {
    HmcChain *c = &cs[k];
    sph_rng_init(&c->rng, o->seed, k);
    c->x = sph_alloc_aligned(dim, sizeof(double), err);
    c->grad = sph_alloc_aligned(dim, sizeof(double), err);
    c->x1 = sph_alloc_aligned(dim, sizeof(double), err);
    c->grad1 = sph_alloc_aligned(dim, sizeof(double), err);
    c->p = sph_alloc_aligned(dim, sizeof(double), err);
    if (o->algorithm == SPH_HMC_NUTS)
      c->nuts_work = sph_alloc_aligned(sph_nuts_work_size(dim, o->max_tree_depth),
                                       sizeof(double), err);
    if (!c->x || !c->grad || !c->x1 || !c->grad1 || !c->p ||
        (o->algorithm == SPH_HMC_NUTS && !c->nuts_work))
      return SPH_ERR_NOMEM;
    SphStatus st;
    if (o->initial != NULL) {
      memcpy(c->x, o->initial + k * dim, dim * sizeof(double));
    } else {
      double lp;
      st = sph_infer_draw_start(t, o->init_scale, &c->rng, c->x, &lp, err);
      if (st != SPH_OK)
        return st;
    }
    st = sph_target_eval(t, c->x, c->grad, &c->lp, err);
    if (st != SPH_OK)
      return st;
    if (!isfinite(c->lp)) {
      char point[256];
      sph_target_format_point(t, c->x, point, sizeof point);
      return sph_error_set(err, SPH_ERR_INVALID,
                           "HMC chain %zu starts where target %s has zero density (%s)", k,
                           sph_target_spec(t), point);
    }
    c->eps = o->step_size;
    c->da.mu = log(10.0 * o->step_size);
    c->da.log_eps_bar = 0.0;
  }
  return SPH_OK;
}

SphStatus sph_hmc_run(const SphTarget *t, const SphHmcOptions *opts, SphJob *job,
                      SphChain **out, SphHmcStats *stats, SphError *err)
{
  *out = NULL;
  SphHmcOptions defaults;
  if (opts == NULL) {
    sph_hmc_options_init(&defaults);
    opts = &defaults;
  }
  SphStatus st = check_options(t, opts, err);
  if (st != SPH_OK)
    return st;
  size_t dim = sph_target_dim(t), nc = opts->chains;
  HmcChain *cs = calloc(nc, sizeof *cs);
  if (cs == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "HMC: out of memory");
  st = init_chains(t, opts, cs, dim, err);
  SphChain *chain = NULL;
  if (st == SPH_OK) {
    const char **names = calloc(dim, sizeof *names), **labels = calloc(dim, sizeof *labels);
    if (names == NULL || labels == NULL) {
      st = sph_error_set(err, SPH_ERR_NOMEM, "HMC: out of memory");
    } else {
      for (size_t i = 0; i < dim; i++) {
        names[i] = sph_target_name(t, i);
        labels[i] = sph_target_label(t, i);
      }
      st = sph_chain_new(opts->steps < 1024 ? opts->steps : 1024, nc, dim, names, labels,
                         &chain, err);
    }
    free(names);
    free(labels);
  }
  if (st != SPH_OK) {
    free_chains(cs, nc);
    if (st == SPH_ERR_NOMEM && err != NULL && err->code != SPH_ERR_NOMEM)
      sph_error_set(err, SPH_ERR_NOMEM, "HMC: out of memory");
    return st;
  }
  bool parallel = opts->parallel > 0 || (opts->parallel < 0 && sph_target_is_expensive(t));
  size_t total = opts->warmup + opts->steps;
  double last_snapshot = sph_infer_now();
  for (size_t it = 0; it < total && st == SPH_OK; it++) {
    if (sph_job_is_cancelled(job)) {
      st = sph_error_set(err, SPH_ERR_CANCELLED, "HMC on %s cancelled after %zu of %zu steps",
                         sph_target_spec(t), it, total);
      break;
    }
    bool warm = it < opts->warmup;
    if (!warm && it == opts->warmup && opts->adapt && opts->warmup > 0)
      for (size_t k = 0; k < nc; k++)
        cs[k].eps = exp(cs[k].da.log_eps_bar);
    size_t kept = it - opts->warmup;
    if (!warm && kept == chain->capacity) {
      size_t want = chain->capacity * 2 > opts->steps ? opts->steps : chain->capacity * 2;
      if ((st = sph_chain_reserve(chain, want, err)) != SPH_OK)
        break;
    }
#pragma omp parallel for schedule(dynamic) if (parallel)
    for (size_t k = 0; k < nc; k++) {
      HmcChain *c = &cs[k];
      double r = opts->algorithm == SPH_HMC_NUTS ? nuts(t, c, opts->max_tree_depth)
                                                 : transition(t, c, opts->leapfrog_steps, dim);
      if (r < 0.0)
        continue;
      bool accepted = r >= 2.0;
      double a = accepted ? r - 2.0 : r;
      if (warm) {
        if (opts->adapt)
          da_update(&c->da, a, opts->target_accept, &c->eps);
      } else {
        c->accept_sum += a;
        c->accepted += accepted;
        c->leapfrog += opts->algorithm == SPH_HMC_NUTS ? c->last_leapfrog : opts->leapfrog_steps;
        c->divergences += c->last_divergent;
        chain->accepted[k] += accepted;
        memcpy(sph_chain_sample(chain, kept, k), c->x, dim * sizeof(double));
        chain->log_prob[kept * nc + k] = c->lp;
      }
    }
    for (size_t k = 0; k < nc; k++)
      if (cs[k].status != SPH_OK) {
        st = cs[k].status;
        if (err != NULL)
          *err = cs[k].err;
        break;
      }
    if (st != SPH_OK)
      break;
    if (!warm)
      chain->steps = kept + 1;
    if (job != NULL && (it + 1) % 8 == 0) {
      double now = sph_infer_now();
      if (now - last_snapshot >= opts->snapshot_interval) {
        sph_job_set_progress(job, (double)(it + 1) / (double)total, NULL);
        sph_infer_publish_chain(job, chain);
        last_snapshot = now;
      }
    }
  }
  if (stats != NULL) {
    double eps = 0.0, acc = 0.0, leapfrog = 0.0;
    size_t divergences = 0;
    for (size_t k = 0; k < nc; k++) {
      eps += cs[k].eps / (double)nc;
      acc += chain->steps > 0 ? cs[k].accept_sum / (double)chain->steps / (double)nc : 0.0;
      leapfrog += chain->steps > 0 ? (double)cs[k].leapfrog / (double)chain->steps / (double)nc
                                   : 0.0;
      divergences += cs[k].divergences;
    }
    stats->step_size = eps;
    stats->mean_accept_prob = acc;
    stats->mean_leapfrog = leapfrog;
    stats->divergences = divergences;
  }
  free_chains(cs, nc);
  if (st == SPH_OK || st == SPH_ERR_CANCELLED) {
    sph_infer_publish_chain(job, chain);
    if (st == SPH_OK)
      sph_job_set_progress(job, 1.0, NULL);
    *out = chain;
    return st;
  }
  sph_chain_free(chain);
  return st;
}
