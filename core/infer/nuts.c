/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Multinomial No-U-Turn transitions, after Stan's base_nuts. With an identity mass
 * matrix the "sharp" momenta of the generalised criterion are the momenta themselves. */
#include "nuts.h"

#include <math.h>
#include <string.h>

#define MAX_DELTA_H 1000.0

/* Per recursion level: p_init_end, p_final_beg, rho_init, rho_final, and the final
 * subtree's proposal x and grad. */
#define LEVEL_VECTORS 6
/* The trajectory: edge states forward and backward (x, p, grad each), the proposal
 * (x, grad), rho, rho_fwd, rho_bck and the four edge momenta. */
#define TOP_VECTORS 15

size_t sph_nuts_work_size(size_t dim, size_t max_depth)
{
  return (TOP_VECTORS + LEVEL_VECTORS * (max_depth + 1)) * dim;
}

typedef struct {
  const SphTarget *target;
  SphRng *rng;
  size_t dim;
  double eps, h0;
  /* the edge being extended */
  double *x, *p, *g;
  double lp;
  double *levels;
  size_t leapfrog;
  double sum_metro;
  bool divergent;
  SphError *err;
} Nuts;

typedef struct {
  double *x, *g;
  double lp;
} Point;

static double log_add(double a, double b)
{
  if (a == -INFINITY)
    return b;
  if (b == -INFINITY)
    return a;
  return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

static double dot(const double *a, const double *b, size_t n)
{
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}

/* a . (r + v) > 0 and b . (r + v) > 0, v may be NULL. */
static bool no_u_turn(const double *a, const double *b, const double *r, const double *v,
                      size_t n)
{
  double sa = dot(a, r, n), sb = dot(b, r, n);
  if (v != NULL) {
    sa += dot(a, v, n);
    sb += dot(b, v, n);
  }
  return sa > 0 && sb > 0;
}

static void point_copy(Point *dst, const double *x, const double *g, double lp, size_t dim)
{
  memcpy(dst->x, x, dim * sizeof *x);
  memcpy(dst->g, g, dim * sizeof *g);
  dst->lp = lp;
}

/* Returns 1 for a valid subtree, 0 when it diverged or turned, -1 on a target error. */
static int build_tree(Nuts *n, size_t depth, double sign, Point *propose, double *p_beg,
                      double *p_end, double *rho, double *log_sum_weight)
{
  size_t dim = n->dim;
  if (depth == 0) {
    double h = sign * n->eps;
    for (size_t i = 0; i < dim; i++) {
      n->p[i] += 0.5 * h * n->g[i];
      n->x[i] += h * n->p[i];
    }
    if (sph_target_eval(n->target, n->x, n->g, &n->lp, n->err) != SPH_OK)
      return -1;
    n->leapfrog++;
    double energy = INFINITY;
    if (isfinite(n->lp)) {
      for (size_t i = 0; i < dim; i++)
        n->p[i] += 0.5 * h * n->g[i];
      energy = -n->lp + 0.5 * dot(n->p, n->p, dim);
      if (isnan(energy))
        energy = INFINITY;
    }
    if (energy - n->h0 > MAX_DELTA_H)
      n->divergent = true;
    double w = n->h0 - energy;
    *log_sum_weight = log_add(*log_sum_weight, w);
    n->sum_metro += w > 0 ? 1 : exp(w);
    point_copy(propose, n->x, n->g, n->lp, dim);
    memcpy(p_beg, n->p, dim * sizeof *p_beg);
    memcpy(p_end, n->p, dim * sizeof *p_end);
    for (size_t i = 0; i < dim; i++)
      rho[i] += n->p[i];
    return n->divergent ? 0 : 1;
  }
  double *lv = n->levels + (depth - 1) * LEVEL_VECTORS * dim;
  double *p_init_end = lv, *p_final_beg = lv + dim, *rho_init = lv + 2 * dim,
         *rho_final = lv + 3 * dim;
  Point final = {lv + 4 * dim, lv + 5 * dim, -INFINITY};
  memset(rho_init, 0, dim * sizeof *rho_init);
  memset(rho_final, 0, dim * sizeof *rho_final);
  double lsw_init = -INFINITY, lsw_final = -INFINITY;
  int r = build_tree(n, depth - 1, sign, propose, p_beg, p_init_end, rho_init, &lsw_init);
  if (r != 1)
    return r;
  r = build_tree(n, depth - 1, sign, &final, p_final_beg, p_end, rho_final, &lsw_final);
  if (r != 1)
    return r;
  double lsw_subtree = log_add(lsw_init, lsw_final);
  *log_sum_weight = log_add(*log_sum_weight, lsw_subtree);
  if (lsw_final > lsw_subtree || sph_rng_uniform(n->rng) < exp(lsw_final - lsw_subtree))
    point_copy(propose, final.x, final.g, final.lp, dim);
  /* Across the two halves, then around the whole subtree (rho_init becomes its rho). */
  bool ok = no_u_turn(p_beg, p_final_beg, rho_init, p_final_beg, dim) &&
            no_u_turn(p_init_end, p_end, rho_final, p_init_end, dim);
  for (size_t i = 0; i < dim; i++) {
    rho_init[i] += rho_final[i];
    rho[i] += rho_init[i];
  }
  return ok && no_u_turn(p_beg, p_end, rho_init, NULL, dim) ? 1 : 0;
}

SphStatus sph_nuts_transition(const SphTarget *target, SphRng *rng, double eps,
                              size_t max_depth, double *x, double *grad, double *lp,
                              double *work, SphNutsInfo *info, SphError *err)
{
  size_t dim = sph_target_dim(target);
  double *v = work;
  double *x_fwd = v, *p_fwd = v + dim, *g_fwd = v + 2 * dim;
  double *x_bck = v + 3 * dim, *p_bck = v + 4 * dim, *g_bck = v + 5 * dim;
  Point propose = {v + 6 * dim, v + 7 * dim, -INFINITY};
  double *rho = v + 8 * dim, *rho_fwd = v + 9 * dim, *rho_bck = v + 10 * dim;
  double *p_fwd_bck = v + 11 * dim, *p_fwd_fwd = v + 12 * dim, *p_bck_fwd = v + 13 * dim,
         *p_bck_bck = v + 14 * dim;
  Nuts n = {.target = target, .rng = rng, .dim = dim, .eps = eps,
            .levels = v + TOP_VECTORS * dim, .err = err};
  for (size_t i = 0; i < dim; i++)
    p_fwd[i] = sph_rng_normal(rng);
  n.h0 = -*lp + 0.5 * dot(p_fwd, p_fwd, dim);
  memcpy(x_fwd, x, dim * sizeof *x);
  memcpy(g_fwd, grad, dim * sizeof *grad);
  memcpy(x_bck, x, dim * sizeof *x);
  memcpy(g_bck, grad, dim * sizeof *grad);
  memcpy(p_bck, p_fwd, dim * sizeof *p_bck);
  memcpy(rho, p_fwd, dim * sizeof *rho);
  memcpy(p_fwd_bck, p_fwd, dim * sizeof *rho);
  memcpy(p_fwd_fwd, p_fwd, dim * sizeof *rho);
  memcpy(p_bck_fwd, p_fwd, dim * sizeof *rho);
  memcpy(p_bck_bck, p_fwd, dim * sizeof *rho);
  double lp_fwd = *lp, lp_bck = *lp, log_sum_weight = 0;
  *info = (SphNutsInfo){0};
  size_t depth = 0;
  while (depth < max_depth) {
    memset(rho_fwd, 0, dim * sizeof *rho_fwd);
    memset(rho_bck, 0, dim * sizeof *rho_bck);
    double lsw_subtree = -INFINITY;
    int r;
    if (sph_rng_uniform(rng) > 0.5) {
      n.x = x_fwd, n.p = p_fwd, n.g = g_fwd, n.lp = lp_fwd;
      memcpy(rho_bck, rho, dim * sizeof *rho);
      memcpy(p_bck_fwd, p_fwd_fwd, dim * sizeof *rho);
      r = build_tree(&n, depth, 1, &propose, p_fwd_bck, p_fwd_fwd, rho_fwd, &lsw_subtree);
      lp_fwd = n.lp;
    } else {
      n.x = x_bck, n.p = p_bck, n.g = g_bck, n.lp = lp_bck;
      memcpy(rho_fwd, rho, dim * sizeof *rho);
      memcpy(p_fwd_bck, p_bck_bck, dim * sizeof *rho);
      r = build_tree(&n, depth, -1, &propose, p_bck_fwd, p_bck_bck, rho_bck, &lsw_subtree);
      lp_bck = n.lp;
    }
    if (r < 0)
      return err != NULL ? err->code : SPH_ERR_INVALID;
    if (r == 0)
      break;
    depth++;
    if (lsw_subtree > log_sum_weight ||
        sph_rng_uniform(rng) < exp(lsw_subtree - log_sum_weight)) {
      memcpy(x, propose.x, dim * sizeof *x);
      memcpy(grad, propose.g, dim * sizeof *grad);
      *lp = propose.lp;
      info->moved = true;
    }
    log_sum_weight = log_add(log_sum_weight, lsw_subtree);
    for (size_t i = 0; i < dim; i++)
      rho[i] = rho_bck[i] + rho_fwd[i];
    bool ok = no_u_turn(p_bck_bck, p_fwd_fwd, rho, NULL, dim) &&
              no_u_turn(p_bck_bck, p_fwd_bck, rho_bck, p_fwd_bck, dim) &&
              no_u_turn(p_bck_fwd, p_fwd_fwd, rho_fwd, p_bck_fwd, dim);
    if (!ok)
      break;
  }
  info->accept_stat = n.leapfrog > 0 ? n.sum_metro / (double)n.leapfrog : 0;
  info->leapfrog = n.leapfrog;
  info->depth = depth;
  info->divergent = n.divergent;
  return SPH_OK;
}
