/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Spin-0 spherical harmonic transforms: the plan, synthesis, its adjoint, analysis. */
#include "sht_internal.h"

#include <complex.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "sht_mw.h"
#include "sphaera/healpix.h"
#include "sphaera/mem.h"

/* The ring loop runs in chunks so the Fourier coefficients of a chunk's rings (rings x
 * (mmax+1) complex) stay within this many bytes. */
#define SPH_SHT_CHUNK_BYTES ((size_t)64 << 20)

/* Below this many (l, m, ring pair) terms a transform takes well under a millisecond:
 * more threads would only add barriers (and spinning, on a busy machine). */
#define SPH_SHT_SERIAL_WORK 2e6

int sph_sht_threads(const SphShtPlan *plan)
{
#ifdef _OPENMP
  double work = (plan->lmax + 1.0) * (plan->mmax + 1.0) * plan->blocks.npairs;
  if (work < SPH_SHT_SERIAL_WORK)
    return 1;
  return plan->nthreads > 0 ? plan->nthreads : omp_get_max_threads();
#else
  (void)plan;
  return 1;
#endif
}

/* ---------------------------------------------------------------- ring pairs */

/* The largest m whose lambda_lm(theta), l <= lmax, is not negligible (below 2^-60 of
 * unity, what the kernels drop anyway) at sin theta = s. lambda_lm decays
 * exponentially in m beyond the turning point m = (l + 1/2) sin theta; the margin past
 * it covers the Airy-like transition, whose width grows like lmax^(1/3). Skipping
 * beyond it leaves HEALPix transforms at NSIDE 128-1024 (lmax up to 4 NSIDE) identical
 * to the last bit; half this margin would not. */
static int significant_mmax(double s, int lmax, int spin)
{
  double turning = (lmax + 0.5) * s + spin;
  double margin = 12.0 * cbrt((double)lmax + 1.0) + 20.0;
  double lim = turning + margin;
  return lim >= lmax ? lmax : (int)lim;
}

SphStatus sph_pair_blocks_init(SphPairBlocks *b, const SphRingGeometry *geometry, int lanes,
                               int lmax, int spin, SphError *err)
{
  memset(b, 0, sizeof *b);
  const SphRing *rings = sph_ring_geometry_rings(geometry);
  b->lanes = lanes;
  b->npairs = sph_ring_geometry_npairs(geometry);
  b->pairs = sph_ring_geometry_pairs(geometry);
  b->nblocks = (b->npairs + lanes - 1) / lanes;
  size_t n = (size_t)b->nblocks * lanes;
  b->x = sph_alloc_aligned(n, sizeof(double), err);
  b->s = sph_alloc_aligned(n, sizeof(double), err);
  b->s2 = sph_alloc_aligned(n, sizeof(double), err);
  b->c2 = sph_alloc_aligned(n, sizeof(double), err);
  b->mlim = malloc((size_t)b->nblocks * sizeof *b->mlim);
  b->form = malloc((size_t)b->nblocks * sizeof *b->form);
  if (b->x == NULL || b->s == NULL || b->s2 == NULL || b->c2 == NULL || b->mlim == NULL ||
      b->form == NULL) {
    sph_pair_blocks_free(b);
    return sph_error_set(err, SPH_ERR_NOMEM, "SHT plan: out of memory for %d ring pairs", b->npairs);
  }
  for (size_t i = 0; i < n; i++) {
    int p = (int)i < b->npairs ? (int)i : b->npairs - 1;
    double theta = rings[b->pairs[p].north].theta;
    b->x[i] = cos(theta);
    b->s[i] = sin(theta);
    b->s2[i] = sin(0.5 * theta);
    b->c2[i] = cos(0.5 * theta);
  }
  for (int k = 0; k < b->nblocks; k++) {
    int lim = 0;
    for (int i = 0; i < lanes; i++) {
      int l = significant_mmax(b->s[(size_t)k * lanes + i], lmax, spin);
      if (l > lim)
        lim = l;
    }
    b->mlim[k] = lim;
    int north = 1, south = 1;
    for (int i = 0; i < lanes; i++) {
      double x = b->x[(size_t)k * lanes + i];
      north &= x >= M_SQRT1_2;
      south &= x <= -M_SQRT1_2;
    }
    b->form[k] = north ? 1 : (south ? -1 : 0);
  }
  return SPH_OK;
}

void sph_pair_blocks_free(SphPairBlocks *b)
{
  sph_free_aligned(b->x);
  sph_free_aligned(b->s);
  sph_free_aligned(b->s2);
  sph_free_aligned(b->c2);
  free(b->mlim);
  free(b->form);
  memset(b, 0, sizeof *b);
}

/* ---------------------------------------------------------------- plan */

static const char *kernel_name_from_flags(unsigned flags)
{
  if (flags & SPH_SHT_KERNEL_AVX512)
    return "avx512";
  if (flags & SPH_SHT_KERNEL_AVX2)
    return "avx2";
  if (flags & SPH_SHT_KERNEL_GENERIC)
    return "generic";
  return NULL;
}

SphShtPlan *sph_sht_plan_new(const SphRingGeometry *geometry, int lmax, int mmax,
                             unsigned flags, SphError *err)
{
  if (geometry == NULL) {
    sph_error_set(err, SPH_ERR_INVALID, "SHT plan: no geometry");
    return NULL;
  }
  if (mmax < 0)
    mmax = lmax;
  if (lmax < 0 || mmax > lmax) {
    sph_error_set(err, SPH_ERR_INVALID, "SHT plan: need 0 <= mmax <= lmax, got lmax=%d mmax=%d",
                  lmax, mmax);
    return NULL;
  }
  int band = sph_ring_geometry_band_limit(geometry);
  SphGridKind kind = sph_ring_geometry_kind(geometry);
  if (band > 0 && lmax >= band) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "SHT plan: lmax=%d is beyond what this %s grid samples exactly (lmax <= %d)",
                  lmax, sph_grid_kind_name(kind), band - 1);
    return NULL;
  }
  if (kind == SPH_GRID_HEALPIX && lmax > 4 * sph_ring_geometry_nside(geometry)) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "SHT plan: lmax=%d is beyond 4 NSIDE = %lld for this HEALPix grid", lmax,
                  (long long)(4 * sph_ring_geometry_nside(geometry)));
    return NULL;
  }
  if (lmax > (1 << 20)) {
    sph_error_set(err, SPH_ERR_INVALID, "SHT plan: lmax=%d is out of range", lmax);
    return NULL;
  }
  const char *kname = kernel_name_from_flags(flags);
  const SphLegKernel *kernel = sph_leg_kernel_select(kname);
  if (kernel == NULL) {
    sph_error_set(err, SPH_ERR_UNSUPPORTED, "SHT plan: this CPU cannot run the %s kernel",
                  kname != NULL ? kname : "requested");
    return NULL;
  }

  SphShtPlan *plan = calloc(1, sizeof *plan);
  if (plan == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "SHT plan: out of memory");
    return NULL;
  }
  pthread_mutex_init(&plan->work_lock, NULL);
  plan->lmax = lmax;
  plan->mmax = mmax;
  plan->flags = flags;
  plan->kernel = kernel;
  plan->geometry = sph_ring_geometry_copy(geometry, err);
  if (plan->geometry == NULL)
    goto fail;
  if (sph_leg_tables_init(&plan->tables, lmax, mmax) != 0) {
    sph_error_set(err, SPH_ERR_NOMEM, "SHT plan: out of memory for the recurrence tables (lmax=%d)", lmax);
    goto fail;
  }
  if (sph_pair_blocks_init(&plan->blocks, plan->geometry, kernel->lanes, lmax, 0, err) != SPH_OK)
    goto fail;
  unsigned fftw_flags = (flags & SPH_SHT_FFTW_MEASURE) ? FFTW_MEASURE : FFTW_ESTIMATE;
  if (sph_ring_ffts_init(&plan->ffts, plan->geometry, mmax, fftw_flags, err) != SPH_OK)
    goto fail;
  size_t per_block = (size_t)2 * kernel->lanes * ((size_t)mmax + 1) * sizeof(double _Complex);
  size_t cb = SPH_SHT_CHUNK_BYTES / per_block;
  plan->chunk_blocks = cb < 1 ? 1 : (cb > (size_t)plan->blocks.nblocks ? plan->blocks.nblocks : (int)cb);
  if (kind == SPH_GRID_MW) {
    plan->mw = sph_mw_resampler_new(plan, err);
    if (plan->mw == NULL)
      goto fail;
  }
  return plan;

fail:
  sph_error_prefix(err, "SHT plan for lmax=%d on a %s grid", lmax, sph_grid_kind_name(kind));
  sph_sht_plan_free(plan);
  return NULL;
}

void sph_sht_plan_free(SphShtPlan *plan)
{
  if (plan == NULL)
    return;
  sph_sht_work_give(plan, NULL);
  pthread_mutex_destroy(&plan->work_lock);
  sph_mw_resampler_free(plan->mw);
  sph_ring_ffts_free(&plan->ffts);
  sph_pair_blocks_free(&plan->blocks);
  sph_leg_tables_free(&plan->tables);
  sph_ring_geometry_free(plan->geometry);
  free(plan);
}

void sph_sht_plan_set_threads(SphShtPlan *plan, int nthreads)
{
  plan->nthreads = nthreads > 0 ? nthreads : 0;
}

int sph_sht_plan_lmax(const SphShtPlan *plan) { return plan->lmax; }
int sph_sht_plan_mmax(const SphShtPlan *plan) { return plan->mmax; }
int64_t sph_sht_plan_npix(const SphShtPlan *plan) { return sph_ring_geometry_npix(plan->geometry); }
const SphRingGeometry *sph_sht_plan_geometry(const SphShtPlan *plan) { return plan->geometry; }
const char *sph_sht_plan_kernel_name(const SphShtPlan *plan) { return plan->kernel->name; }


/* ---------------------------------------------------------------- workspace */

static void work_free(SphShtWork *w)
{
  if (w == NULL)
    return;
  sph_free_aligned(w->ct);
  sph_free_aligned(w->phase);
  free(w);
}

SphShtWork *sph_sht_work_take(const SphShtPlan *plan, size_t ct_doubles, size_t phase_values,
                              SphError *err)
{
  SphShtPlan *p = (SphShtPlan *)plan; /* the cache is not part of the plan's value */
  pthread_mutex_lock(&p->work_lock);
  SphShtWork *w = p->work;
  p->work = NULL;
  pthread_mutex_unlock(&p->work_lock);
  if (w != NULL && w->ct_doubles >= ct_doubles && w->phase_values >= phase_values)
    return w;
  work_free(w);
  w = calloc(1, sizeof *w);
  if (w == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "SHT: out of memory");
    return NULL;
  }
  w->ct_doubles = ct_doubles;
  w->phase_values = phase_values;
  w->ct = sph_alloc_aligned(ct_doubles, sizeof(double), err);
  w->phase = sph_alloc_aligned(phase_values, sizeof(double _Complex), err);
  if (w->ct == NULL || w->phase == NULL) {
    work_free(w);
    return NULL;
  }
  return w;
}

/* Returns work to the plan's cache (or frees it); NULL empties the cache. */
void sph_sht_work_give(const SphShtPlan *plan, SphShtWork *work)
{
  SphShtPlan *p = (SphShtPlan *)plan;
  pthread_mutex_lock(&p->work_lock);
  SphShtWork *old = p->work;
  p->work = work;
  if (work != NULL && old != NULL && old->ct_doubles + old->phase_values * 2 >
                                         work->ct_doubles + work->phase_values * 2) {
    p->work = old; /* keep the larger */
    old = work;
  }
  pthread_mutex_unlock(&p->work_lock);
  work_free(old);
}

static SphStatus check_alm(const SphShtPlan *plan, const SphAlm *alm, const char *what, SphError *err)
{
  if (alm == NULL || alm->values == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: no alm given", what);
  if (alm->lmax != plan->lmax || alm->mmax != plan->mmax)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "%s: alm has lmax=%d mmax=%d but the plan was made for lmax=%d mmax=%d",
                         what, alm->lmax, alm->mmax, plan->lmax, plan->mmax);
  return SPH_OK;
}

/* ---------------------------------------------------------------- Legendre stage */

int sph_leg_scratch_init(SphLegScratch *s, const SphShtPlan *plan)
{
  memset(s, 0, sizeof *s);
  s->tile = sph_alloc_aligned((size_t)SPH_SHT_MGROUP * 4 * SPH_LEG_LANES_MAX, sizeof(double), NULL);
  size_t kmax = (size_t)(plan->lmax / 2 + 2);
  s->acc = sph_alloc_aligned(kmax * 4 * plan->kernel->acc_width, sizeof(double), NULL);
  if (s->tile == NULL || s->acc == NULL) {
    sph_leg_scratch_free(s);
    return -1;
  }
  return 0;
}

void sph_leg_scratch_free(SphLegScratch *s)
{
  sph_free_aligned(s->tile);
  sph_free_aligned(s->acc);
  memset(s, 0, sizeof *s);
}

#define TILE(ls, g, k) ((ls)->tile + ((size_t)(g) * 4 + (k)) * SPH_LEG_LANES_MAX)

void sph_leg_synthesis_group(const SphShtPlan *plan, const SphPairBlocks *B, int m0, int nm,
                             const double *ct, int b0, int b1, double _Complex *phase,
                             size_t stride, SphLegScratch *ls)
{
  const int lanes = B->lanes;
  const SphLegTables *T = &plan->tables;
  const int p0 = b0 * lanes;
  for (int b = b0; b < b1; b++) {
    int first = b * lanes;
    int n = B->npairs - first < lanes ? B->npairs - first : lanes;
    for (int g = 0; g < nm; g++) {
      int m = m0 + g;
      if (m > B->mlim[b]) {
        for (int k = 0; k < 4; k++)
          memset(TILE(ls, g, k), 0, (size_t)n * sizeof(double));
        continue;
      }
      SphLegM mm;
      sph_leg_tables_get(T, m, &mm);
      plan->kernel->synthesis(&mm, ct + sph_ct_offset(T, m), B->x + first, B->s + first,
                              B->form[b], TILE(ls, g, 0), TILE(ls, g, 1), TILE(ls, g, 2),
                              TILE(ls, g, 3));
    }
    double _Complex *out = phase + (size_t)2 * (first - p0) * stride + m0;
    for (int i = 0; i < n; i++) {
      double _Complex *north = out + (size_t)2 * i * stride, *south = north + stride;
      for (int g = 0; g < nm; g++) {
        north[g] = CMPLX(TILE(ls, g, 0)[i], TILE(ls, g, 1)[i]);
        south[g] = CMPLX(TILE(ls, g, 2)[i], TILE(ls, g, 3)[i]);
      }
    }
  }
}

void sph_leg_adjoint_group(const SphShtPlan *plan, const SphPairBlocks *B, int m0, int nm,
                           const double _Complex *phase, size_t stride, int b0, int b1,
                           double *ct, SphLegScratch *ls)
{
  const int lanes = B->lanes;
  const SphLegKernel *kernel = plan->kernel;
  const SphLegTables *T = &plan->tables;
  const int p0 = b0 * lanes;
  /* One m at a time (its accumulator covers all blocks), the phases of a block for the
   * whole group read together. */
  for (int g = 0; g < nm; g++) {
    int m = m0 + g;
    SphLegM mm;
    sph_leg_tables_get(T, m, &mm);
    int acc_from = mm.nsteps;
    for (int b = b0; b < b1; b++) {
      if (m > B->mlim[b])
        continue;
      int first = b * lanes;
      int n = B->npairs - first < lanes ? B->npairs - first : lanes;
      const double _Complex *in = phase + (size_t)2 * (first - p0) * stride + m;
      double *nr = TILE(ls, 0, 0), *ni = TILE(ls, 0, 1), *sr = TILE(ls, 0, 2), *si = TILE(ls, 0, 3);
      for (int i = 0; i < lanes; i++) {
        double _Complex nv = 0, sv = 0;
        if (i < n) {
          nv = in[(size_t)2 * i * stride];
          if (B->pairs[first + i].south >= 0)
            sv = in[(size_t)(2 * i + 1) * stride];
        }
        nr[i] = creal(nv);
        ni[i] = cimag(nv);
        sr[i] = creal(sv);
        si[i] = cimag(sv);
      }
      kernel->adjoint(&mm, B->x + first, B->s + first, B->form[b], nr, ni, sr, si, ls->acc,
                      &acc_from);
    }
    kernel->reduce(acc_from, mm.nsteps, ls->acc, ct + sph_ct_offset(T, m));
  }
}

/* ---------------------------------------------------------------- spin 0 */


static size_t phase_values(const SphShtPlan *plan)
{
  return (size_t)2 * plan->chunk_blocks * plan->blocks.lanes * sph_phase_stride(plan);
}

SphStatus sph_sht_alm2map(const SphShtPlan *plan, const SphAlm *alm, double *map, SphJob *job,
                          SphError *err)
{
  if (check_alm(plan, alm, "alm2map", err) != SPH_OK)
    return SPH_ERR_INVALID;
  if (map == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "alm2map: no output map given");
  const SphLegTables *T = &plan->tables;
  const SphPairBlocks *B = &plan->blocks;
  const SphRing *rings = sph_ring_geometry_rings(plan->geometry);
  const int lmax = plan->lmax, mmax = plan->mmax;
  const size_t stride = sph_phase_stride(plan);
  SphShtWork *w = sph_sht_work_take(plan, (size_t)sph_ct_offset(T, mmax + 1), phase_values(plan), err);
  if (w == NULL)
    return sph_error_prefix(err, "alm2map at lmax=%d", lmax);
  double *ct = w->ct;
  double _Complex *phase = w->phase;
  int failed = 0, cancelled = 0;

#pragma omp parallel num_threads(sph_sht_threads(plan))
  {
    SphLegScratch ls;
    SphRingFftScratch fs = { 0 };
    int ok = sph_leg_scratch_init(&ls, plan) == 0 && sph_ring_fft_scratch_init(&fs, &plan->ffts) == 0;
    if (!ok) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(dynamic, 8)
    for (int m = 0; m <= mmax; m++) {
      SphLegM mm;
      sph_leg_tables_get(T, m, &mm);
      sph_leg_forward_coefficients(&mm, lmax, (const double *)(alm->values + sph_alm_index(lmax, m, m)),
                                   ct + sph_ct_offset(T, m));
    }
    for (int b0 = 0; b0 < B->nblocks; b0 += plan->chunk_blocks) {
      SphChunk c = sph_chunk_at(plan, b0, plan->chunk_blocks);
#pragma omp for schedule(dynamic, 1)
      for (int g = 0; g < sph_mgroups(plan); g++) {
        int m0 = g * SPH_SHT_MGROUP, nm = mmax + 1 - m0 < SPH_SHT_MGROUP ? mmax + 1 - m0 : SPH_SHT_MGROUP;
        if (ok)
          sph_leg_synthesis_group(plan, B, m0, nm, ct, c.b0, c.b1, phase, stride, &ls);
      }
#pragma omp for schedule(dynamic, 2)
      for (int slot = 0; slot < 2 * (c.p1 - c.p0); slot++) {
        int r = sph_slot_ring(B, &c, slot);
        if (ok && r >= 0)
          sph_ring_phase_to_ring(&plan->ffts, &rings[r], r, mmax, phase + (size_t)slot * stride,
                                 map + rings[r].offset, &fs);
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
    sph_leg_scratch_free(&ls);
    sph_ring_fft_scratch_free(&fs);
  }
  sph_sht_work_give(plan, w);
  if (failed)
    return sph_error_set(err, SPH_ERR_NOMEM, "alm2map: out of memory for thread scratch");
  if (cancelled)
    return sph_error_set(err, SPH_ERR_CANCELLED, "alm2map: cancelled");
  return SPH_OK;
}

/* a_lm from the transformed coefficients c~ of every m; a_l0 made real. */
static void finish_adjoint(const SphShtPlan *plan, const double *ct, SphAlm *alm)
{
  const SphLegTables *T = &plan->tables;
  const int lmax = plan->lmax;
#pragma omp parallel for num_threads(sph_sht_threads(plan)) schedule(dynamic, 8)
  for (int m = 0; m <= plan->mmax; m++) {
    SphLegM mm;
    sph_leg_tables_get(T, m, &mm);
    sph_leg_adjoint_coefficients(&mm, lmax, ct + sph_ct_offset(T, m),
                                 (double *)(alm->values + sph_alm_index(lmax, m, m)));
  }
  for (int l = 0; l <= lmax; l++)
    alm->values[l] = creal(alm->values[l]);
}

/* A^T with per-pixel factors: the ring weights (analysis) or 1 (adjoint). */
static SphStatus adjoint_with_weights(const SphShtPlan *plan, const double *map, SphAlm *alm,
                                      int use_weights, const char *what, SphJob *job, SphError *err)
{
  if (check_alm(plan, alm, what, err) != SPH_OK)
    return SPH_ERR_INVALID;
  if (map == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: no input map given", what);
  const SphLegTables *T = &plan->tables;
  const SphPairBlocks *B = &plan->blocks;
  const SphRing *rings = sph_ring_geometry_rings(plan->geometry);
  const int lmax = plan->lmax, mmax = plan->mmax;
  const size_t stride = sph_phase_stride(plan);
  size_t nct = (size_t)sph_ct_offset(T, mmax + 1);
  SphShtWork *w = sph_sht_work_take(plan, nct, phase_values(plan), err);
  if (w == NULL)
    return sph_error_prefix(err, "%s at lmax=%d", what, lmax);
  double *ct = w->ct;
  double _Complex *phase = w->phase;
  int failed = 0, cancelled = 0;

#pragma omp parallel num_threads(sph_sht_threads(plan))
  {
    SphLegScratch ls;
    SphRingFftScratch fs = { 0 };
    int ok = sph_leg_scratch_init(&ls, plan) == 0 && sph_ring_fft_scratch_init(&fs, &plan->ffts) == 0;
    if (!ok) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(static)
    for (size_t i = 0; i < nct; i++)
      ct[i] = 0;
    for (int b0 = 0; b0 < B->nblocks; b0 += plan->chunk_blocks) {
      SphChunk c = sph_chunk_at(plan, b0, plan->chunk_blocks);
#pragma omp for schedule(dynamic, 2)
      for (int slot = 0; slot < 2 * (c.p1 - c.p0); slot++) {
        int r = sph_slot_ring(B, &c, slot);
        if (ok && r >= 0)
          sph_ring_ring_to_phase(&plan->ffts, &rings[r], r, mmax, map + rings[r].offset,
                                 use_weights ? rings[r].weight : 1.0, phase + (size_t)slot * stride, &fs);
      }
#pragma omp for schedule(dynamic, 1)
      for (int g = 0; g < sph_mgroups(plan); g++) {
        int m0 = g * SPH_SHT_MGROUP, nm = mmax + 1 - m0 < SPH_SHT_MGROUP ? mmax + 1 - m0 : SPH_SHT_MGROUP;
        if (ok)
          sph_leg_adjoint_group(plan, B, m0, nm, phase, stride, c.b0, c.b1, ct, &ls);
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
    sph_leg_scratch_free(&ls);
    sph_ring_fft_scratch_free(&fs);
  }
  if (!failed && !cancelled)
    finish_adjoint(plan, ct, alm);
  sph_sht_work_give(plan, w);
  if (failed)
    return sph_error_set(err, SPH_ERR_NOMEM, "%s: out of memory for thread scratch", what);
  if (cancelled)
    return sph_error_set(err, SPH_ERR_CANCELLED, "%s: cancelled", what);
  return SPH_OK;
}

SphStatus sph_sht_alm2map_adjoint(const SphShtPlan *plan, const double *map, SphAlm *alm,
                                  SphJob *job, SphError *err)
{
  return adjoint_with_weights(plan, map, alm, 0, "alm2map_adjoint", job, err);
}

SphStatus sph_sht_check_map(const SphShtPlan *plan, const double *map, const char *what,
                            SphError *err)
{
  if (map == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: no input map given", what);
  int64_t npix = sph_ring_geometry_npix(plan->geometry), bad = -1;
  /* Only values beyond 1e29 in size (or NaN) can be UNSEEN or infinite: the full test
   * runs on those alone. */
#pragma omp parallel for num_threads(sph_sht_threads(plan)) reduction(max : bad)
  for (int64_t i = 0; i < npix; i++)
    if (!(fabs(map[i]) < 1e29) && (!isfinite(map[i]) || sph_hp_is_unseen(map[i])))
      bad = i > bad ? i : bad;
  if (bad >= 0)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "%s: pixel %lld is %s; analysis needs a full sky (fill or mask the "
                         "missing pixels first)",
                         what, (long long)bad, isnan(map[bad]) ? "NaN" : "UNSEEN or infinite");
  return SPH_OK;
}

int64_t sph_sht_zero_bad_pixels(double *map, int64_t npix)
{
  int64_t n = 0;
  for (int64_t i = 0; map != NULL && i < npix; i++)
    if (!(fabs(map[i]) < 1e29) && (!isfinite(map[i]) || sph_hp_is_unseen(map[i]))) {
      map[i] = 0.0;
      n++;
    }
  return n;
}

SphStatus sph_sht_map2alm_unchecked(const SphShtPlan *plan, const double *map, SphAlm *alm,
                                    SphJob *job, SphError *err)
{
  if (plan->mw != NULL) {
    if (check_alm(plan, alm, "map2alm", err) != SPH_OK)
      return SPH_ERR_INVALID;
    if (map == NULL)
      return sph_error_set(err, SPH_ERR_INVALID, "map2alm: no input map given");
    return sph_mw_map2alm(plan, map, alm, job, err);
  }
  return adjoint_with_weights(plan, map, alm, 1, "map2alm", job, err);
}

SphStatus sph_sht_map2alm(const SphShtPlan *plan, const double *map, SphAlm *alm, SphJob *job,
                          SphError *err)
{
  if (sph_sht_check_map(plan, map, "map2alm", err) != SPH_OK)
    return SPH_ERR_INVALID;
  return sph_sht_map2alm_unchecked(plan, map, alm, job, err);
}

/* Multiplies every pixel by its ring's quadrature weight. */
static void apply_weights(const SphShtPlan *plan, double *map)
{
  const SphRing *rings = sph_ring_geometry_rings(plan->geometry);
  int nrings = sph_ring_geometry_nrings(plan->geometry);
#pragma omp parallel for num_threads(sph_sht_threads(plan)) schedule(dynamic, 8)
  for (int r = 0; r < nrings; r++)
    for (int64_t j = 0; j < rings[r].nphi; j++)
      map[rings[r].offset + j] *= rings[r].weight;
}

SphStatus sph_sht_map2alm_adjoint(const SphShtPlan *plan, const SphAlm *alm, double *map,
                                  SphJob *job, SphError *err)
{
  if (check_alm(plan, alm, "map2alm_adjoint", err) != SPH_OK)
    return SPH_ERR_INVALID;
  if (map == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "map2alm_adjoint: no output map given");
  if (plan->mw != NULL)
    return sph_mw_map2alm_adjoint(plan, alm, map, job, err);
  SphStatus st = sph_sht_alm2map(plan, alm, map, job, err);
  if (st == SPH_OK)
    apply_weights(plan, map);
  return st;
}

void sph_sht_apply_weights(const SphShtPlan *plan, double *map)
{
  apply_weights(plan, map);
}
