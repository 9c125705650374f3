/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Iterative analysis on grids without an exact quadrature (HEALPix): healpy's Jacobi
 * refinement, and conjugate gradients on the normal equations. Written once for any
 * number of fields through a small operator interface, so spin 0 and spin 2 share it. */
#include "sht_internal.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/mem.h"

/* The fields of one analysis: nmaps maps of npix pixels, nalm alm sets. */
typedef struct {
  const SphShtPlan *plan;
  int spin;   /* 0: one map, one alm; s > 0: (Q, U) and (E, B) */
  int nfield; /* 1 or 2 */
  int64_t npix;
} Operator;

static SphStatus op_synthesis(const Operator *op, SphAlm *const *alm, double *const *map,
                              SphError *err)
{
  if (op->spin == 0)
    return sph_sht_alm2map(op->plan, alm[0], map[0], NULL, err);
  return sph_sht_alm2map_spin(op->plan, op->spin, alm[0], alm[1], map[0], map[1], NULL, err);
}

/* A^T W: the analysis by quadrature. */
static SphStatus op_analysis(const Operator *op, double *const *map, SphAlm *const *alm,
                             SphError *err)
{
  if (op->spin == 0)
    return sph_sht_map2alm_unchecked(op->plan, map[0], alm[0], NULL, err);
  return sph_sht_map2alm_spin_unchecked(op->plan, op->spin, map[0], map[1], alm[0], alm[1], NULL, err);
}

static double dot_all(const Operator *op, SphAlm *const *a, SphAlm *const *b)
{
  double s = 0;
  for (int f = 0; f < op->nfield; f++)
    s += sph_alm_dot(a[f], b[f]);
  return s;
}

static void axpy_all(const Operator *op, SphAlm *const *y, double s, SphAlm *const *x)
{
  for (int f = 0; f < op->nfield; f++)
    sph_alm_axpy(y[f], s, x[f]);
}

static SphStatus check_map(const Operator *op, const double *const *maps, SphError *err)
{
  static const char *what[2][2] = { { "map2alm", "" }, { "map2alm_spin (Q)", "map2alm_spin (U)" } };
  for (int f = 0; f < op->nfield; f++)
    if (sph_sht_check_map(op->plan, maps[f], what[op->spin > 0][f], err) != SPH_OK)
      return SPH_ERR_INVALID;
  return SPH_OK;
}

/* Work arrays: nfield maps and alm sets of the plan's size. */
typedef struct {
  double *map[2];
  SphAlm *alm[2];
} Fields;

static void fields_free(Fields *f)
{
  for (int i = 0; i < 2; i++) {
    sph_free_aligned(f->map[i]);
    sph_alm_free(f->alm[i]);
  }
  memset(f, 0, sizeof *f);
}

static SphStatus fields_new(const Operator *op, Fields *f, int want_maps, SphError *err)
{
  memset(f, 0, sizeof *f);
  for (int i = 0; i < op->nfield; i++) {
    if (want_maps) {
      f->map[i] = sph_alloc_aligned((size_t)op->npix, sizeof(double), err);
      if (f->map[i] == NULL)
        goto fail;
    }
    f->alm[i] = sph_alm_new(op->plan->lmax, op->plan->mmax, err);
    if (f->alm[i] == NULL)
      goto fail;
  }
  return SPH_OK;
fail:
  fields_free(f);
  return sph_error_prefix(err, "iterative map2alm");
}

/* r = A^T W (f - A a), using the scratch maps of tmp. */
static SphStatus residual(const Operator *op, const double *const *maps, SphAlm *const *a,
                          Fields *tmp, SphAlm *const *r, SphError *err)
{
  SphStatus st = op_synthesis(op, a, tmp->map, err);
  if (st != SPH_OK)
    return st;
  for (int f = 0; f < op->nfield; f++)
    for (int64_t i = 0; i < op->npix; i++)
      tmp->map[f][i] = maps[f][i] - tmp->map[f][i];
  return op_analysis(op, tmp->map, r, err);
}

static SphStatus iterate(const Operator *op, const double *const *maps, SphAlm *const *alm,
                         SphShtIterOptions *opt, SphJob *job, SphError *err)
{
  for (int f = 0; f < op->nfield; f++)
    if (alm[f] == NULL || alm[f]->lmax != op->plan->lmax || alm[f]->mmax != op->plan->mmax)
      return sph_error_set(err, SPH_ERR_INVALID,
                           "map2alm: alm must have the plan's lmax=%d mmax=%d", op->plan->lmax,
                           op->plan->mmax);
  SphStatus st = check_map(op, maps, err);
  if (st != SPH_OK)
    return st;
  SphShtIterOptions defaults = SPH_SHT_ITER_DEFAULT;
  if (opt == NULL)
    opt = &defaults;
  opt->transforms = 0;
  opt->residual = 0;

  /* a = A^T W f */
  st = op_analysis(op, (double *const *)maps, alm, err);
  if (st != SPH_OK)
    return st;
  opt->transforms = 1;
  Fields tmp, r;
  if ((st = fields_new(op, &tmp, 1, err)) != SPH_OK)
    return st;
  if ((st = fields_new(op, &r, 0, err)) != SPH_OK) {
    fields_free(&tmp);
    return st;
  }

  if (opt->tolerance <= 0) {
    /* healpy: a += A^T W (f - A a), iter times. */
    double norm_b = sqrt(dot_all(op, alm, alm));
    for (int it = 0; it < opt->iterations && st == SPH_OK; it++) {
      st = residual(op, maps, alm, &tmp, r.alm, err);
      if (st != SPH_OK)
        break;
      opt->transforms += 2;
      axpy_all(op, alm, 1.0, r.alm);
      opt->residual = norm_b > 0 ? sqrt(dot_all(op, r.alm, r.alm)) / norm_b : 0;
      sph_job_set_progress(job, (it + 1.0) / opt->iterations, NULL);
      if (sph_job_is_cancelled(job))
        st = sph_error_set(err, SPH_ERR_CANCELLED, "map2alm: cancelled");
    }
  } else {
    /* CG on (A^T W A) a = A^T W f = b, from a = b: the operator is close to the
     * identity, so b is already a good first guess. N = A^T W A is self-adjoint under
     * sph_alm_dot because A^T is A's adjoint under it. */
    Fields p, q;
    int max_iter = opt->max_iter > 0 ? opt->max_iter : 100;
    if ((st = fields_new(op, &p, 0, err)) != SPH_OK) {
      fields_free(&tmp);
      fields_free(&r);
      return st;
    }
    if ((st = fields_new(op, &q, 0, err)) != SPH_OK) {
      fields_free(&tmp);
      fields_free(&r);
      fields_free(&p);
      return st;
    }
    double norm_b = sqrt(dot_all(op, alm, alm));
    st = residual(op, maps, alm, &tmp, r.alm, err); /* r = b - N a */
    opt->transforms += 2;
    for (int f = 0; f < op->nfield && st == SPH_OK; f++)
      memcpy(p.alm[f]->values, r.alm[f]->values, (size_t)r.alm[f]->size * sizeof(double _Complex));
    double rr = dot_all(op, r.alm, r.alm);
    opt->residual = norm_b > 0 ? sqrt(rr) / norm_b : 0;
    for (int it = 0; it < max_iter && st == SPH_OK && opt->residual > opt->tolerance; it++) {
      /* q = N p */
      st = op_synthesis(op, p.alm, tmp.map, err);
      if (st == SPH_OK)
        st = op_analysis(op, tmp.map, q.alm, err);
      if (st != SPH_OK)
        break;
      opt->transforms += 2;
      double pq = dot_all(op, p.alm, q.alm);
      if (!(pq > 0))
        break;
      double alpha = rr / pq;
      axpy_all(op, alm, alpha, p.alm);
      axpy_all(op, r.alm, -alpha, q.alm);
      double rr_new = dot_all(op, r.alm, r.alm);
      double beta = rr_new / rr;
      rr = rr_new;
      for (int f = 0; f < op->nfield; f++) {
        double _Complex *pv = p.alm[f]->values;
        const double _Complex *rv = r.alm[f]->values;
        for (int64_t i = 0; i < p.alm[f]->size; i++)
          pv[i] = rv[i] + beta * pv[i];
      }
      opt->residual = norm_b > 0 ? sqrt(rr) / norm_b : 0;
      sph_job_set_progress(job, fmin(1.0, log(opt->residual) / log(opt->tolerance)), NULL);
      if (sph_job_is_cancelled(job))
        st = sph_error_set(err, SPH_ERR_CANCELLED, "map2alm: cancelled");
    }
    fields_free(&p);
    fields_free(&q);
  }
  fields_free(&tmp);
  fields_free(&r);
  return st;
}

SphStatus sph_sht_map2alm_iterative(const SphShtPlan *plan, const double *map, SphAlm *alm,
                                    SphShtIterOptions *options, SphJob *job, SphError *err)
{
  Operator op = { plan, 0, 1, sph_sht_plan_npix(plan) };
  const double *maps[1] = { map };
  SphAlm *alms[1] = { alm };
  return iterate(&op, maps, alms, options, job, err);
}

SphStatus sph_sht_map2alm_spin_iterative(const SphShtPlan *plan, int spin, const double *map_q,
                                         const double *map_u, SphAlm *alm_e, SphAlm *alm_b,
                                         SphShtIterOptions *options, SphJob *job, SphError *err)
{
  if (spin < 1)
    return sph_error_set(err, SPH_ERR_INVALID, "map2alm_spin: spin must be >= 1, got %d", spin);
  Operator op = { plan, spin, 2, sph_sht_plan_npix(plan) };
  const double *maps[2] = { map_q, map_u };
  SphAlm *alms[2] = { alm_e, alm_b };
  return iterate(&op, maps, alms, options, job, err);
}
