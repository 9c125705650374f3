/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Spin-weighted transforms: (E, B) <-> (Q, U) with Q + iU = -sum (E + iB) sY_lm, healpy's
 * conventions; the adjoint of the synthesis, and the analysis (the adjoint with the
 * quadrature weights, or the McEwen-Wiaux resampling). */
#include "sht_internal.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sht_mw.h"
#include "sphaera/mem.h"

/* Per call: the recurrence of every m (f0, f1 and the degree scales w). */
typedef struct {
  int spin;
  int64_t *offset; /* per m: first degree's index in w (coef at twice it) */
  double *coef;
  double *w;
  SphLegSpinM *mm;
} SpinRows;

static void spin_rows_free(SpinRows *r)
{
  free(r->offset);
  sph_free_aligned(r->coef);
  sph_free_aligned(r->w);
  free(r->mm);
  memset(r, 0, sizeof *r);
}

static SphStatus spin_rows_init(SpinRows *r, const SphShtPlan *plan, int spin, SphError *err)
{
  memset(r, 0, sizeof *r);
  r->spin = spin;
  int mmax = plan->mmax;
  r->offset = malloc(((size_t)mmax + 2) * sizeof *r->offset);
  r->mm = malloc(((size_t)mmax + 1) * sizeof *r->mm);
  if (r->offset == NULL || r->mm == NULL) {
    spin_rows_free(r);
    return sph_error_set(err, SPH_ERR_NOMEM, "spin transform: out of memory");
  }
  int64_t total = 0;
  for (int m = 0; m <= mmax; m++) {
    r->offset[m] = total;
    total += sph_leg_spin_nl(plan->lmax, m, spin);
  }
  r->offset[mmax + 1] = total;
  r->coef = sph_alloc_aligned((size_t)(2 * total + 1), sizeof(double), err);
  r->w = sph_alloc_aligned((size_t)(total + 1), sizeof(double), err);
  if (r->coef == NULL || r->w == NULL) {
    spin_rows_free(r);
    return sph_error_prefix(err, "spin transform recurrences");
  }
#pragma omp parallel for num_threads(sph_sht_threads(plan)) schedule(dynamic, 16)
  for (int m = 0; m <= mmax; m++)
    sph_leg_spin_prepare(plan->lmax, m, spin, plan->tables.lambda_mm[m], r->coef + 2 * r->offset[m],
                         r->w + r->offset[m], &r->mm[m]);
  return SPH_OK;
}

static SphStatus check_spin_args(const SphShtPlan *plan, int spin, const SphAlm *e, const SphAlm *b,
                                 const void *q, const void *u, const char *what, SphError *err)
{
  if (spin < 1 || spin > plan->lmax)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: spin must be in [1, lmax=%d], got %d", what,
                         plan->lmax, spin);
  const SphAlm *alms[2] = { e, b };
  for (int i = 0; i < 2; i++) {
    if (alms[i] == NULL || alms[i]->values == NULL)
      return sph_error_set(err, SPH_ERR_INVALID, "%s: no %s alm given", what, i ? "B" : "E");
    if (alms[i]->lmax != plan->lmax || alms[i]->mmax != plan->mmax)
      return sph_error_set(err, SPH_ERR_INVALID,
                           "%s: %s alm has lmax=%d mmax=%d but the plan was made for lmax=%d mmax=%d",
                           what, i ? "B" : "E", alms[i]->lmax, alms[i]->mmax, plan->lmax, plan->mmax);
  }
  if (q == NULL || u == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: the Q and U maps are both needed", what);
  return SPH_OK;
}

/* Per-thread scratch. */
typedef struct {
  double *lanes; /* SPH_SHT_MGROUP x SPH_SPIN_NARRAYS x SPH_LEG_LANES_MAX */
  double *ct;    /* SPH_SHT_MGROUP x 8 per degree */
  double *acc;   /* [nl][4][acc_width] */
  SphRingFftScratch fft;
} SpinScratch;

static void spin_scratch_free(SpinScratch *s)
{
  sph_free_aligned(s->lanes);
  sph_free_aligned(s->ct);
  sph_free_aligned(s->acc);
  sph_ring_fft_scratch_free(&s->fft);
}

static int spin_scratch_init(SpinScratch *s, const SphShtPlan *plan)
{
  memset(s, 0, sizeof *s);
  size_t nl = (size_t)plan->lmax + 2;
  s->lanes = sph_alloc_aligned((size_t)SPH_SHT_MGROUP * SPH_SPIN_NARRAYS * SPH_LEG_LANES_MAX,
                               sizeof(double), NULL);
  s->ct = sph_alloc_aligned((size_t)SPH_SHT_MGROUP * 8 * nl, sizeof(double), NULL);
  s->acc = sph_alloc_aligned(nl * 4 * plan->kernel->acc_width, sizeof(double), NULL);
  if (s->lanes == NULL || s->ct == NULL || s->acc == NULL ||
      sph_ring_fft_scratch_init(&s->fft, &plan->ffts) != 0) {
    spin_scratch_free(s);
    return -1;
  }
  return 0;
}

/* The synthesis coefficients of one m: P, eps M, sigma M, eps sigma P per degree. */
static void spin_ct(const SpinRows *rows, const SphAlm *e, const SphAlm *b, int m, double *ct)
{
  const SphLegSpinM *mm = &rows->mm[m];
  const double *w = rows->w + rows->offset[m];
  const double _Complex *er = e->values + sph_alm_index(e->lmax, 0, m);
  const double _Complex *br = b->values + sph_alm_index(b->lmax, 0, m);
  const double sigma = (rows->spin & 1) ? -1.0 : 1.0;
  for (int i = 0; i < mm->nl; i++) {
    int l = mm->l0 + i;
    double eps = ((l + m + rows->spin) & 1) ? -1.0 : 1.0;
    double e_r = w[i] * creal(er[l]), e_i = w[i] * cimag(er[l]);
    double b_r = w[i] * creal(br[l]), b_i = w[i] * cimag(br[l]);
    if (m == 0) /* a real field's m = 0 coefficients are real */
      e_i = b_i = 0;
    double p_r = e_r - b_i, p_i = e_i + b_r, m_r = e_r + b_i, m_i = e_i - b_r;
    double *c = ct + 8 * i;
    c[0] = p_r;
    c[1] = p_i;
    c[2] = eps * m_r;
    c[3] = eps * m_i;
    c[4] = sigma * m_r;
    c[5] = sigma * m_i;
    c[6] = eps * sigma * p_r;
    c[7] = eps * sigma * p_i;
  }
}

static inline int spin_mlim(const SphPairBlocks *B, int b, int spin, int lmax)
{
  int lim = B->mlim[b] + spin;
  return lim > lmax ? lmax : lim;
}

/* Synthesis of m = m0..m0+nm-1 over blocks [b0, b1) of B: Q and U phase slots as in
 * sph_leg_synthesis_group, each ring's values of the group written together. */
static void spin_synthesis_group(const SphShtPlan *plan, const SphPairBlocks *B,
                                 const SpinRows *rows, const SphAlm *e, const SphAlm *b, int m0,
                                 int nm, int b0, int b1, double _Complex *pq, double _Complex *pu,
                                 size_t stride, SpinScratch *sc)
{
  const int lanes = B->lanes;
  const int p0 = b0 * lanes;
  const size_t nl = (size_t)plan->lmax + 2;
  int have_ct = 0;
  for (int blk = b0; blk < b1; blk++) {
    int first = blk * lanes;
    int n = B->npairs - first < lanes ? B->npairs - first : lanes;
    for (int g = 0; g < nm; g++) {
      int m = m0 + g;
      const SphLegSpinM *mm = &rows->mm[m];
      double *L = sc->lanes + (size_t)g * SPH_SPIN_NARRAYS * SPH_LEG_LANES_MAX;
      if (mm->nl == 0 || m > spin_mlim(B, blk, rows->spin, plan->lmax)) {
        memset(L, 0, (size_t)SPH_SPIN_NARRAYS * SPH_LEG_LANES_MAX * sizeof *L);
        continue;
      }
      if (!(have_ct & (1 << g))) {
        spin_ct(rows, e, b, m, sc->ct + 8 * nl * g);
        have_ct |= 1 << g;
      }
      plan->kernel->spin.synthesis(mm, sc->ct + 8 * nl * g, B->x + first, B->s + first,
                                   B->s2 + first, B->c2 + first, B->form[blk], L);
    }
    size_t base = (size_t)2 * (first - p0) * stride + m0;
    for (int i = 0; i < n; i++) {
      double _Complex *qn = pq + base + (size_t)2 * i * stride, *un = pu + base + (size_t)2 * i * stride;
      double _Complex *qs = qn + stride, *us = un + stride;
      for (int g = 0; g < nm; g++) {
        const double *L = sc->lanes + (size_t)g * SPH_SPIN_NARRAYS * SPH_LEG_LANES_MAX;
#define LANE(k) L[(k) * SPH_LEG_LANES_MAX + i]
        qn[g] = CMPLX(LANE(SPH_SPIN_QNR), LANE(SPH_SPIN_QNI));
        un[g] = CMPLX(LANE(SPH_SPIN_UNR), LANE(SPH_SPIN_UNI));
        qs[g] = CMPLX(LANE(SPH_SPIN_QSR), LANE(SPH_SPIN_QSI));
        us[g] = CMPLX(LANE(SPH_SPIN_USR), LANE(SPH_SPIN_USI));
#undef LANE
      }
    }
  }
}

/* The adjoint of one m over blocks [b0, b1) of B, added to cs (4 doubles per degree). */
static void spin_adjoint_m(const SphShtPlan *plan, const SphPairBlocks *B, const SpinRows *rows,
                           int m, int b0, int b1, const double _Complex *pq,
                           const double _Complex *pu, size_t stride, double *cs, SpinScratch *sc)
{
  const int lanes = B->lanes;
  const SphLegSpinM *mm = &rows->mm[m];
  const SphLegKernel *kernel = plan->kernel;
  const int p0 = b0 * lanes;
  if (mm->nl == 0)
    return;
  int acc_from = mm->nl;
  for (int blk = b0; blk < b1; blk++) {
    if (m > spin_mlim(B, blk, rows->spin, plan->lmax))
      continue;
    int first = blk * lanes;
    int n = B->npairs - first < lanes ? B->npairs - first : lanes;
    size_t base = (size_t)2 * (first - p0) * stride + m;
    double *L = sc->lanes;
    for (int i = 0; i < lanes; i++) {
      double _Complex qn = 0, un = 0, qs = 0, us = 0;
      if (i < n) {
        size_t north = base + (size_t)2 * i * stride, south = north + stride;
        qn = pq[north];
        un = pu[north];
        if (B->pairs[first + i].south >= 0) {
          qs = pq[south];
          us = pu[south];
        }
      }
      L[SPH_SPIN_QNR * SPH_LEG_LANES_MAX + i] = creal(qn);
      L[SPH_SPIN_QNI * SPH_LEG_LANES_MAX + i] = cimag(qn);
      L[SPH_SPIN_UNR * SPH_LEG_LANES_MAX + i] = creal(un);
      L[SPH_SPIN_UNI * SPH_LEG_LANES_MAX + i] = cimag(un);
      L[SPH_SPIN_QSR * SPH_LEG_LANES_MAX + i] = creal(qs);
      L[SPH_SPIN_QSI * SPH_LEG_LANES_MAX + i] = cimag(qs);
      L[SPH_SPIN_USR * SPH_LEG_LANES_MAX + i] = creal(us);
      L[SPH_SPIN_USI * SPH_LEG_LANES_MAX + i] = cimag(us);
    }
    kernel->spin.adjoint(mm, B->x + first, B->s + first, B->s2 + first, B->c2 + first, B->form[blk],
                         L, sc->acc, &acc_from);
  }
  kernel->reduce(acc_from, mm->nl, sc->acc, cs);
}

/* E_l = -w_l/2 (E sum), B_l = i w_l/2 (B sum). */
static void spin_finish(const SphShtPlan *plan, const SpinRows *rows, const double *cs,
                        SphAlm *e, SphAlm *b)
{
#pragma omp parallel for num_threads(sph_sht_threads(plan)) schedule(dynamic, 16)
  for (int m = 0; m <= plan->mmax; m++) {
    const SphLegSpinM *mm = &rows->mm[m];
    const double *w = rows->w + rows->offset[m];
    const double *c = cs + 4 * rows->offset[m];
    double _Complex *er = e->values + sph_alm_index(e->lmax, 0, m);
    double _Complex *br = b->values + sph_alm_index(b->lmax, 0, m);
    for (int l = m; l < mm->l0 && l <= plan->lmax; l++) /* l < spin: no spin-s harmonics */
      er[l] = br[l] = 0;
    for (int i = 0; i < mm->nl; i++) {
      int l = mm->l0 + i;
      double h = 0.5 * w[i];
      er[l] = CMPLX(-h * c[4 * i], -h * c[4 * i + 1]);
      br[l] = CMPLX(-h * c[4 * i + 3], h * c[4 * i + 2]);
      if (m == 0) {
        er[l] = creal(er[l]);
        br[l] = creal(br[l]);
      }
    }
  }
}


SphStatus sph_sht_alm2map_spin(const SphShtPlan *plan, int spin, const SphAlm *alm_e,
                               const SphAlm *alm_b, double *map_q, double *map_u, SphJob *job,
                               SphError *err)
{
  if (check_spin_args(plan, spin, alm_e, alm_b, map_q, map_u, "alm2map_spin", err) != SPH_OK)
    return SPH_ERR_INVALID;
  SpinRows rows;
  if (spin_rows_init(&rows, plan, spin, err) != SPH_OK)
    return err ? err->code : SPH_ERR_NOMEM;
  const SphPairBlocks *B = &plan->blocks;
  const SphRing *rings = sph_ring_geometry_rings(plan->geometry);
  const int mmax = plan->mmax;
  const size_t stride = sph_phase_stride(plan);
  const size_t nphase = (size_t)2 * sph_spin_chunk_blocks(plan) * B->lanes * stride;
  SphShtWork *w = sph_sht_work_take(plan, 0, 2 * nphase, err);
  if (w == NULL) {
    spin_rows_free(&rows);
    return sph_error_prefix(err, "alm2map_spin");
  }
  double _Complex *pq = w->phase, *pu = w->phase + nphase;
  int failed = 0, cancelled = 0;
#pragma omp parallel num_threads(sph_sht_threads(plan))
  {
    SpinScratch sc;
    int ok = spin_scratch_init(&sc, plan) == 0;
    if (!ok) {
#pragma omp atomic write
      failed = 1;
    }
    for (int b0 = 0; b0 < B->nblocks; b0 += sph_spin_chunk_blocks(plan)) {
      SphChunk c = sph_chunk_at(plan, b0, sph_spin_chunk_blocks(plan));
#pragma omp for schedule(dynamic, 1)
      for (int g = 0; g < sph_mgroups(plan); g++) {
        int m0 = g * SPH_SHT_MGROUP, nm = mmax + 1 - m0 < SPH_SHT_MGROUP ? mmax + 1 - m0 : SPH_SHT_MGROUP;
        if (ok)
          spin_synthesis_group(plan, B, &rows, alm_e, alm_b, m0, nm, c.b0, c.b1, pq, pu, stride, &sc);
      }
#pragma omp for schedule(dynamic, 2)
      for (int slot = 0; slot < 2 * (c.p1 - c.p0); slot++) {
        int r = sph_slot_ring(B, &c, slot);
        if (!ok || r < 0)
          continue;
        sph_ring_phase_to_ring(&plan->ffts, &rings[r], r, mmax, pq + (size_t)slot * stride,
                               map_q + rings[r].offset, &sc.fft);
        sph_ring_phase_to_ring(&plan->ffts, &rings[r], r, mmax, pu + (size_t)slot * stride,
                               map_u + rings[r].offset, &sc.fft);
      }
#pragma omp single
      {
        sph_job_set_progress(job, (double)c.b1 / B->nblocks, NULL);
        if (failed || sph_job_is_cancelled(job))
          cancelled = 1;
      }
      if (cancelled)
        break;
    }
    spin_scratch_free(&sc);
  }
  sph_sht_work_give(plan, w);
  spin_rows_free(&rows);
  if (failed)
    return sph_error_set(err, SPH_ERR_NOMEM, "alm2map_spin: out of memory for thread scratch");
  if (cancelled)
    return sph_error_set(err, SPH_ERR_CANCELLED, "alm2map_spin: cancelled");
  return SPH_OK;
}

/* The Legendre adjoint of all m over every block of B, given all phases at once. */
static int spin_adjoint_all(const SphShtPlan *plan, const SphPairBlocks *B, const SpinRows *rows,
                            const double _Complex *pq, const double _Complex *pu, double *cs)
{
  int failed = 0;
#pragma omp parallel num_threads(sph_sht_threads(plan))
  {
    SpinScratch sc;
    int ok = spin_scratch_init(&sc, plan) == 0;
    if (!ok) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(dynamic, 1)
    for (int m = 0; m <= plan->mmax; m++)
      if (ok)
        spin_adjoint_m(plan, B, rows, m, 0, B->nblocks, pq, pu, sph_phase_stride(plan),
                       cs + 4 * rows->offset[m], &sc);
    spin_scratch_free(&sc);
  }
  return failed ? -1 : 0;
}

static SphStatus spin_mw_analysis(const SphShtPlan *plan, const SpinRows *rows, const double *map_q,
                                  const double *map_u, double *cs, SphError *err)
{
  const int L = sph_ring_geometry_band_limit(plan->geometry);
  const size_t stride = sph_phase_stride(plan);
  const SphRing *rings = sph_ring_geometry_rings(plan->geometry);
  double _Complex *mw_phase = sph_alloc_aligned((size_t)2 * L * stride, sizeof(double _Complex), err);
  double _Complex *cc_phase = sph_alloc_aligned((size_t)4 * L * stride, sizeof(double _Complex), err);
  if (mw_phase == NULL || cc_phase == NULL) {
    sph_free_aligned(mw_phase);
    sph_free_aligned(cc_phase);
    return sph_error_prefix(err, "map2alm_spin on a McEwen-Wiaux grid with L=%d", L);
  }
  int failed = 0;
#pragma omp parallel num_threads(sph_sht_threads(plan))
  {
    SphRingFftScratch fs = { 0 };
    int ok = sph_ring_fft_scratch_init(&fs, &plan->ffts) == 0;
    if (!ok) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(dynamic, 2)
    for (int t = 0; t < L; t++) {
      if (!ok)
        continue;
      double wgt = 2.0 * M_PI / (double)rings[t].nphi;
      sph_ring_ring_to_phase(&plan->ffts, &rings[t], t, plan->mmax, map_q + rings[t].offset, wgt,
                             mw_phase + (size_t)t * stride, &fs);
      sph_ring_ring_to_phase(&plan->ffts, &rings[t], t, plan->mmax, map_u + rings[t].offset, wgt,
                             mw_phase + ((size_t)L + t) * stride, &fs);
    }
    sph_ring_fft_scratch_free(&fs);
  }
  if (!failed && sph_mw_resample(plan, mw_phase, cc_phase, 2, rows->spin) != SPH_OK)
    failed = 1;
  if (!failed && spin_adjoint_all(plan, sph_mw_blocks(plan->mw), rows, cc_phase,
                                  cc_phase + (size_t)2 * L * stride, cs) != 0)
    failed = 1;
  sph_free_aligned(mw_phase);
  sph_free_aligned(cc_phase);
  if (failed)
    return sph_error_set(err, SPH_ERR_NOMEM, "map2alm_spin: out of memory for thread scratch");
  return SPH_OK;
}

static SphStatus spin_adjoint(const SphShtPlan *plan, int spin, const double *map_q,
                              const double *map_u, SphAlm *alm_e, SphAlm *alm_b, int use_weights,
                              const char *what, SphJob *job, SphError *err)
{
  if (check_spin_args(plan, spin, alm_e, alm_b, map_q, map_u, what, err) != SPH_OK)
    return SPH_ERR_INVALID;
  SpinRows rows;
  if (spin_rows_init(&rows, plan, spin, err) != SPH_OK)
    return err ? err->code : SPH_ERR_NOMEM;
  const SphPairBlocks *B = &plan->blocks;
  const SphRing *rings = sph_ring_geometry_rings(plan->geometry);
  const int mmax = plan->mmax;
  const size_t stride = sph_phase_stride(plan);
  const size_t ncs = (size_t)4 * rows.offset[mmax + 1];
  const size_t nphase = (size_t)2 * sph_spin_chunk_blocks(plan) * B->lanes * stride;
  SphShtWork *w = sph_sht_work_take(plan, ncs, 2 * nphase, err);
  if (w == NULL) {
    spin_rows_free(&rows);
    return sph_error_prefix(err, "%s", what);
  }
  double *cs = w->ct;
  memset(cs, 0, ncs * sizeof *cs);
  int failed = 0, cancelled = 0;
  SphStatus status = SPH_OK;
  if (use_weights && plan->mw != NULL) {
    status = spin_mw_analysis(plan, &rows, map_q, map_u, cs, err);
  } else {
    double _Complex *pq = w->phase, *pu = w->phase + nphase;
#pragma omp parallel num_threads(sph_sht_threads(plan))
    {
      SpinScratch sc;
      int ok = spin_scratch_init(&sc, plan) == 0;
      if (!ok) {
#pragma omp atomic write
        failed = 1;
      }
      for (int b0 = 0; b0 < B->nblocks; b0 += sph_spin_chunk_blocks(plan)) {
        SphChunk c = sph_chunk_at(plan, b0, sph_spin_chunk_blocks(plan));
#pragma omp for schedule(dynamic, 2)
        for (int slot = 0; slot < 2 * (c.p1 - c.p0); slot++) {
          int r = sph_slot_ring(B, &c, slot);
          if (!ok || r < 0)
            continue;
          double wgt = use_weights ? rings[r].weight : 1.0;
          sph_ring_ring_to_phase(&plan->ffts, &rings[r], r, mmax, map_q + rings[r].offset, wgt,
                                 pq + (size_t)slot * stride, &sc.fft);
          sph_ring_ring_to_phase(&plan->ffts, &rings[r], r, mmax, map_u + rings[r].offset, wgt,
                                 pu + (size_t)slot * stride, &sc.fft);
        }
#pragma omp for schedule(dynamic, 1)
        for (int m = 0; m <= mmax; m++)
          if (ok)
            spin_adjoint_m(plan, B, &rows, m, c.b0, c.b1, pq, pu, stride, cs + 4 * rows.offset[m], &sc);
#pragma omp single
        {
          sph_job_set_progress(job, (double)c.b1 / B->nblocks, NULL);
          if (failed || sph_job_is_cancelled(job))
            cancelled = 1;
        }
        if (cancelled)
          break;
      }
      spin_scratch_free(&sc);
    }
    if (failed)
      status = sph_error_set(err, SPH_ERR_NOMEM, "%s: out of memory for thread scratch", what);
    else if (cancelled)
      status = sph_error_set(err, SPH_ERR_CANCELLED, "%s: cancelled", what);
  }
  if (status == SPH_OK)
    spin_finish(plan, &rows, cs, alm_e, alm_b);
  sph_sht_work_give(plan, w);
  spin_rows_free(&rows);
  return status;
}

SphStatus sph_sht_alm2map_spin_adjoint(const SphShtPlan *plan, int spin, const double *map_q,
                                       const double *map_u, SphAlm *alm_e, SphAlm *alm_b,
                                       SphJob *job, SphError *err)
{
  return spin_adjoint(plan, spin, map_q, map_u, alm_e, alm_b, 0, "alm2map_spin_adjoint", job, err);
}

SphStatus sph_sht_map2alm_spin_unchecked(const SphShtPlan *plan, int spin, const double *map_q,
                                         const double *map_u, SphAlm *alm_e, SphAlm *alm_b,
                                         SphJob *job, SphError *err)
{
  return spin_adjoint(plan, spin, map_q, map_u, alm_e, alm_b, 1, "map2alm_spin", job, err);
}

SphStatus sph_sht_map2alm_spin(const SphShtPlan *plan, int spin, const double *map_q,
                               const double *map_u, SphAlm *alm_e, SphAlm *alm_b, SphJob *job,
                               SphError *err)
{
  if (map_q == NULL || map_u == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "map2alm_spin: the Q and U maps are both needed");
  if (sph_sht_check_map(plan, map_q, "map2alm_spin (Q)", err) != SPH_OK ||
      sph_sht_check_map(plan, map_u, "map2alm_spin (U)", err) != SPH_OK)
    return SPH_ERR_INVALID;
  return sph_sht_map2alm_spin_unchecked(plan, spin, map_q, map_u, alm_e, alm_b, job, err);
}

/* The adjoint of the MW spin analysis: spin synthesis on the Clenshaw-Curtis rings, the
 * transposed resampling, the ring synthesis scaled like the analysis's ring transform. */
static SphStatus spin_mw_analysis_adjoint(const SphShtPlan *plan, const SpinRows *rows,
                                          const SphAlm *e, const SphAlm *b, double *map_q,
                                          double *map_u, SphError *err)
{
  const int L = sph_ring_geometry_band_limit(plan->geometry);
  const size_t stride = sph_phase_stride(plan);
  const SphRing *rings = sph_ring_geometry_rings(plan->geometry);
  const SphPairBlocks *B = sph_mw_blocks(plan->mw);
  double _Complex *mw_phase = sph_alloc_aligned((size_t)2 * L * stride, sizeof(double _Complex), err);
  double _Complex *cc_phase = sph_alloc_aligned((size_t)4 * L * stride, sizeof(double _Complex), err);
  if (mw_phase == NULL || cc_phase == NULL) {
    sph_free_aligned(mw_phase);
    sph_free_aligned(cc_phase);
    return sph_error_prefix(err, "map2alm_spin_adjoint on a McEwen-Wiaux grid with L=%d", L);
  }
  int failed = 0;
#pragma omp parallel num_threads(sph_sht_threads(plan))
  {
    SpinScratch sc;
    int ok = spin_scratch_init(&sc, plan) == 0;
    if (!ok) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(dynamic, 1)
    for (int g = 0; g < sph_mgroups(plan); g++) {
      int m0 = g * SPH_SHT_MGROUP;
      int nm = plan->mmax + 1 - m0 < SPH_SHT_MGROUP ? plan->mmax + 1 - m0 : SPH_SHT_MGROUP;
      if (ok)
        spin_synthesis_group(plan, B, rows, e, b, m0, nm, 0, B->nblocks, cc_phase,
                             cc_phase + (size_t)2 * L * stride, stride, &sc);
    }
    spin_scratch_free(&sc);
  }
  if (!failed && sph_mw_resample_adjoint(plan, cc_phase, mw_phase, 2, rows->spin) != SPH_OK)
    failed = 1;
  if (!failed) {
#pragma omp parallel num_threads(sph_sht_threads(plan))
    {
      SphRingFftScratch fs = { 0 };
      int ok = sph_ring_fft_scratch_init(&fs, &plan->ffts) == 0;
      if (!ok) {
#pragma omp atomic write
        failed = 1;
      }
#pragma omp for schedule(dynamic, 2)
      for (int t = 0; t < L; t++) {
        if (!ok)
          continue;
        double scale = 2.0 * M_PI / (double)rings[t].nphi;
        double *q = map_q + rings[t].offset, *u = map_u + rings[t].offset;
        sph_ring_phase_to_ring(&plan->ffts, &rings[t], t, plan->mmax, mw_phase + (size_t)t * stride, q, &fs);
        sph_ring_phase_to_ring(&plan->ffts, &rings[t], t, plan->mmax,
                               mw_phase + ((size_t)L + t) * stride, u, &fs);
        for (int64_t j = 0; j < rings[t].nphi; j++) {
          q[j] *= scale;
          u[j] *= scale;
        }
      }
      sph_ring_fft_scratch_free(&fs);
    }
  }
  sph_free_aligned(mw_phase);
  sph_free_aligned(cc_phase);
  if (failed)
    return sph_error_set(err, SPH_ERR_NOMEM, "map2alm_spin_adjoint: out of memory for thread scratch");
  return SPH_OK;
}

SphStatus sph_sht_map2alm_spin_adjoint(const SphShtPlan *plan, int spin, const SphAlm *alm_e,
                                       const SphAlm *alm_b, double *map_q, double *map_u,
                                       SphJob *job, SphError *err)
{
  if (check_spin_args(plan, spin, alm_e, alm_b, map_q, map_u, "map2alm_spin_adjoint", err) != SPH_OK)
    return SPH_ERR_INVALID;
  if (plan->mw == NULL) {
    SphStatus st = sph_sht_alm2map_spin(plan, spin, alm_e, alm_b, map_q, map_u, job, err);
    if (st == SPH_OK) {
      sph_sht_apply_weights(plan, map_q);
      sph_sht_apply_weights(plan, map_u);
    }
    return st;
  }
  SpinRows rows;
  if (spin_rows_init(&rows, plan, spin, err) != SPH_OK)
    return err ? err->code : SPH_ERR_NOMEM;
  SphStatus st = spin_mw_analysis_adjoint(plan, &rows, alm_e, alm_b, map_q, map_u, err);
  spin_rows_free(&rows);
  sph_job_set_progress(job, 1.0, NULL);
  return st;
}
