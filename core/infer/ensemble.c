/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ensemble sampler. All random numbers come from one Philox stream drawn in a fixed
 * order on the calling thread (split, proposals, acceptances), and only the density
 * evaluations of one set run in parallel, so a seed gives the same chain on any number
 * of threads. The proposal arithmetic follows emcee 3.1 (moves/red_blue.py,
 * stretch.py, de.py) step for step. */
#include "sphaera/ensemble.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sampler_common.h"
#include "sphaera/mem.h"
#include "sphaera/rng.h"

void sph_ensemble_options_init(SphEnsembleOptions *o)
{
  memset(o, 0, sizeof *o);
  o->walkers = 32;
  o->steps = 1000;
  o->seed = 1;
  o->move = SPH_ENSEMBLE_STRETCH;
  o->stretch_a = 2.0;
  o->de_sigma = 1e-5;
  o->de_gamma0 = 0.0;
  o->init_scale = 0.1;
  o->parallel = -1;
  o->snapshot_interval = 0.25;
}

typedef struct {
  const SphTarget *target;
  const SphEnsembleOptions *opts;
  size_t nw, dim, nsplits;
  bool parallel;
  double g0;
  SphRng rng;
  double *pos;      /* walkers x dim, current */
  double *lp;       /* walkers */
  size_t *split;    /* walkers: the set each walker is in this step */
  size_t *members;  /* walkers: indices grouped by set */
  size_t *set_start;/* nsplits + 1 offsets into members */
  double *q;        /* proposals, walkers x dim */
  double *qlp;      /* their log-densities */
  double *factor;   /* their log Hastings factors */
  SphStatus *qst;   /* per proposal status, for errors found on threads */
} Ensemble;

static SphStatus check_options(const SphTarget *t, const SphEnsembleOptions *o, SphError *err)
{
  size_t dim = sph_target_dim(t);
  size_t min_walkers = 2 * dim;
  if (o->move == SPH_ENSEMBLE_DE && min_walkers < 3)
    min_walkers = 3;
  if (min_walkers < 2)
    min_walkers = 2;
  if (o->walkers < min_walkers)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "ensemble sampler on %s: %zu walkers are too few for %zu parameters; "
                         "use at least %zu (twice the dimension)", sph_target_spec(t),
                         o->walkers, dim, min_walkers);
  if (o->move != SPH_ENSEMBLE_STRETCH && o->move != SPH_ENSEMBLE_DE)
    return sph_error_set(err, SPH_ERR_INVALID, "ensemble sampler: unknown move %d", (int)o->move);
  if (o->move == SPH_ENSEMBLE_STRETCH && !(o->stretch_a > 1.0 && isfinite(o->stretch_a)))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "ensemble sampler: the stretch scale a = %g must be above 1",
                         o->stretch_a);
  if (!(o->de_sigma >= 0.0) || !(o->de_gamma0 >= 0.0) || !isfinite(o->de_gamma0))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "ensemble sampler: DE sigma and gamma0 must be finite and >= 0");
  if (!(o->init_scale > 0.0) && o->initial == NULL)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "ensemble sampler: init_scale must be positive");
  return SPH_OK;
}

static void free_ensemble(Ensemble *e)
{
  sph_free_aligned(e->pos);
  sph_free_aligned(e->lp);
  sph_free_aligned(e->q);
  sph_free_aligned(e->qlp);
  sph_free_aligned(e->factor);
  free(e->split);
  free(e->members);
  free(e->set_start);
  free(e->qst);
}

static SphStatus init_walkers(Ensemble *e, SphError *err)
{
  const SphTarget *t = e->target;
  const SphEnsembleOptions *o = e->opts;
  for (size_t w = 0; w < e->nw; w++) {
    double *x = e->pos + w * e->dim;
    SphStatus st;
    if (o->initial != NULL) {
      memcpy(x, o->initial + w * e->dim, e->dim * sizeof *x);
      st = sph_target_eval(t, x, NULL, &e->lp[w], err);
      if (st == SPH_OK && !isfinite(e->lp[w])) {
        char point[256];
        sph_target_format_point(t, x, point, sizeof point);
        st = sph_error_set(err, SPH_ERR_INVALID,
                           "walker %zu starts where target %s has zero density (%s): start "
                           "every walker inside the prior box and the support", w,
                           sph_target_spec(t), point);
      }
    } else {
      st = sph_infer_draw_start(t, o->init_scale, &e->rng, x, &e->lp[w], err);
    }
    if (st != SPH_OK)
      return st;
  }
  /* Identical walkers span no directions; the stretch move could then never leave
   * their subspace. emcee warns about a degenerate ensemble; refuse it outright when
   * all walkers coincide. */
  bool all_same = true;
  for (size_t w = 1; w < e->nw && all_same; w++)
    all_same = memcmp(e->pos, e->pos + w * e->dim, e->dim * sizeof(double)) == 0;
  if (all_same)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "ensemble sampler: all %zu walkers start at the same point; spread "
                         "them out", e->nw);
  return SPH_OK;
}

/* numpy's RandomState.shuffle is Fisher-Yates from the end; the same here. */
static void random_split(Ensemble *e)
{
  for (size_t w = 0; w < e->nw; w++)
    e->split[w] = w % e->nsplits;
  for (size_t i = e->nw - 1; i > 0; i--) {
    size_t j = (size_t)sph_rng_below(&e->rng, i + 1);
    size_t tmp = e->split[i];
    e->split[i] = e->split[j];
    e->split[j] = tmp;
  }
  size_t k = 0;
  for (size_t s = 0; s < e->nsplits; s++) {
    e->set_start[s] = k;
    for (size_t w = 0; w < e->nw; w++)
      if (e->split[w] == s)
        e->members[k++] = w;
  }
  e->set_start[e->nsplits] = k;
}

static size_t set_size(const Ensemble *e, size_t s)
{
  return e->set_start[s + 1] - e->set_start[s];
}

static const double *set_walker(const Ensemble *e, size_t s, size_t i)
{
  return e->pos + e->members[e->set_start[s] + i] * e->dim;
}

static void propose_stretch(Ensemble *e, size_t s)
{
  size_t other = 1 - s, ns = set_size(e, s), nc = set_size(e, other);
  double a = e->opts->stretch_a;
  for (size_t i = 0; i < ns; i++) {
    double u = sph_rng_uniform(&e->rng);
    double z = ((a - 1.0) * u + 1.0) * ((a - 1.0) * u + 1.0) / a;
    const double *c = set_walker(e, other, (size_t)sph_rng_below(&e->rng, nc));
    const double *x = set_walker(e, s, i);
    double *q = e->q + i * e->dim;
    for (size_t d = 0; d < e->dim; d++)
      q[d] = c[d] - (c[d] - x[d]) * z;
    e->factor[i] = ((double)e->dim - 1.0) * log(z);
  }
}

static void propose_de(Ensemble *e, size_t s)
{
  size_t ns = set_size(e, s);
  size_t others[2], k = 0;
  for (size_t j = 0; j < e->nsplits; j++)
    if (j != s)
      others[k++] = j;
  for (size_t i = 0; i < ns; i++) {
    double f = e->opts->de_sigma * sph_rng_normal(&e->rng);
    const double *w0 = set_walker(e, others[0], (size_t)sph_rng_below(&e->rng, set_size(e, others[0])));
    const double *w1 = set_walker(e, others[1], (size_t)sph_rng_below(&e->rng, set_size(e, others[1])));
    if (sph_rng_below(&e->rng, 2) == 1) {
      const double *tmp = w0;
      w0 = w1;
      w1 = tmp;
    }
    const double *x = set_walker(e, s, i);
    double *q = e->q + i * e->dim;
    for (size_t d = 0; d < e->dim; d++)
      q[d] = x[d] + (w1[d] - w0[d]) * e->g0 + f;
    e->factor[i] = 0.0;
  }
}

static void evaluate(Ensemble *e, size_t ns)
{
  const SphTarget *t = e->target;
  if (e->parallel) {
#pragma omp parallel for schedule(dynamic)
    for (size_t i = 0; i < ns; i++)
      e->qlp[i] = sph_target_log_density(t, e->q + i * e->dim, NULL);
  } else {
    for (size_t i = 0; i < ns; i++)
      e->qlp[i] = sph_target_log_density(t, e->q + i * e->dim, NULL);
  }
}

static SphStatus update_set(Ensemble *e, size_t s, size_t *accepted, SphError *err)
{
  size_t ns = set_size(e, s);
  if (e->opts->move == SPH_ENSEMBLE_STRETCH)
    propose_stretch(e, s);
  else
    propose_de(e, s);
  evaluate(e, ns);
  for (size_t i = 0; i < ns; i++) {
    double v = e->qlp[i];
    if (isnan(v) || v == INFINITY) {
      double lp;
      return sph_target_eval(e->target, e->q + i * e->dim, NULL, &lp, err);
    }
  }
  for (size_t i = 0; i < ns; i++) {
    size_t w = e->members[e->set_start[s] + i];
    double diff = e->factor[i] + e->qlp[i] - e->lp[w];
    if (diff > log(sph_rng_uniform(&e->rng))) {
      memcpy(e->pos + w * e->dim, e->q + i * e->dim, e->dim * sizeof(double));
      e->lp[w] = e->qlp[i];
      accepted[w]++;
    }
  }
  return SPH_OK;
}

/* All the steps at once when they fit in 256 MiB (no copies while running), else
 * that much and grow by doubling. */
static size_t initial_capacity(size_t steps, size_t walkers, size_t dim)
{
  size_t budget = ((size_t)256 << 20) / sizeof(double) / (walkers * dim + walkers);
  if (budget < 1)
    budget = 1;
  return steps < budget ? steps : budget;
}

SphStatus sph_ensemble_run(const SphTarget *target, const SphEnsembleOptions *opts,
                           SphJob *job, SphChain **out, SphError *err)
{
  *out = NULL;
  SphEnsembleOptions defaults;
  if (opts == NULL) {
    sph_ensemble_options_init(&defaults);
    opts = &defaults;
  }
  SphStatus st = check_options(target, opts, err);
  if (st != SPH_OK)
    return st;
  Ensemble e = {0};
  e.target = target;
  e.opts = opts;
  e.nw = opts->walkers;
  e.dim = sph_target_dim(target);
  e.nsplits = opts->move == SPH_ENSEMBLE_DE ? 3 : 2;
  e.parallel = opts->parallel > 0 || (opts->parallel < 0 && sph_target_is_expensive(target));
  e.g0 = opts->de_gamma0 > 0.0 ? opts->de_gamma0 : 2.38 / sqrt(2.0 * (double)e.dim);
  sph_rng_init(&e.rng, opts->seed, 0);
  e.pos = sph_alloc_aligned(e.nw * e.dim, sizeof(double), err);
  e.q = sph_alloc_aligned(e.nw * e.dim, sizeof(double), err);
  e.lp = sph_alloc_aligned(e.nw, sizeof(double), err);
  e.qlp = sph_alloc_aligned(e.nw, sizeof(double), err);
  e.factor = sph_alloc_aligned(e.nw, sizeof(double), err);
  e.split = calloc(e.nw, sizeof *e.split);
  e.members = calloc(e.nw, sizeof *e.members);
  e.set_start = calloc(e.nsplits + 1, sizeof *e.set_start);
  e.qst = calloc(e.nw, sizeof *e.qst);
  if (!e.pos || !e.q || !e.lp || !e.qlp || !e.factor || !e.split || !e.members ||
      !e.set_start || !e.qst) {
    free_ensemble(&e);
    return sph_error_set(err, SPH_ERR_NOMEM, "ensemble sampler: out of memory");
  }
  SphChain *chain;
  /* The chain grows as it runs: a long run that is cancelled early never holds
   * memory for the steps it did not take. */
  st = sph_chain_new(initial_capacity(opts->steps, e.nw, e.dim), e.nw, e.dim, NULL, NULL, &chain, err);
  if (st == SPH_OK) {
    for (size_t i = 0; i < e.dim && st == SPH_OK; i++) {
      free(chain->names[i]);
      free(chain->labels[i]);
      chain->names[i] = sph_strdup(sph_target_name(target, i));
      chain->labels[i] = sph_strdup(sph_target_label(target, i));
      if (chain->names[i] == NULL || chain->labels[i] == NULL)
        st = sph_error_set(err, SPH_ERR_NOMEM, "ensemble sampler: out of memory");
    }
    if (st != SPH_OK)
      sph_chain_free(chain);
  }
  if (st != SPH_OK) {
    free_ensemble(&e);
    return st;
  }
  st = init_walkers(&e, err);
  double last_snapshot = sph_infer_now();
  for (size_t step = 0; step < opts->steps && st == SPH_OK; step++) {
    if (sph_job_is_cancelled(job)) {
      st = sph_error_set(err, SPH_ERR_CANCELLED,
                         "ensemble sampler on %s cancelled after %zu of %zu steps",
                         sph_target_spec(target), step, opts->steps);
      break;
    }
    if (step == chain->capacity) {
      size_t want = chain->capacity * 2 > opts->steps ? opts->steps : chain->capacity * 2;
      if ((st = sph_chain_reserve(chain, want, err)) != SPH_OK)
        break;
    }
    random_split(&e);
    for (size_t s = 0; s < e.nsplits && st == SPH_OK; s++)
      st = update_set(&e, s, chain->accepted, err);
    if (st != SPH_OK)
      break;
    memcpy(sph_chain_sample(chain, step, 0), e.pos, e.nw * e.dim * sizeof(double));
    memcpy(chain->log_prob + step * e.nw, e.lp, e.nw * sizeof(double));
    chain->steps = step + 1;
    if (job != NULL && (step + 1) % 8 == 0) {
      double now = sph_infer_now();
      if (now - last_snapshot >= opts->snapshot_interval) {
        sph_job_set_progress(job, (double)(step + 1) / (double)opts->steps, NULL);
        sph_infer_publish_chain(job, chain);
        last_snapshot = now;
      }
    }
  }
  free_ensemble(&e);
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
