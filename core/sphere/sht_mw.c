/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sht_mw.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/mem.h"
#include "sphaera/fftw_lock.h"

struct SphMwResampler {
  int L;
  SphRingGeometry *cc;   /* 2L Clenshaw-Curtis rings */
  SphPairBlocks blocks;
  int *slot;             /* per CC ring v: its slot in the blocks' pair layout */
  double *weight;        /* Clenshaw-Curtis weights of the 2L nodes (sum 2) */
  double _Complex *unshift; /* e^{-i pi k/(2L-1)} / (2L-1), k = 0..2L-2 as signed k */
  fftw_plan forward;     /* length 2L-1 */
  fftw_plan backward;    /* length 4L-2 */
  fftw_plan forward_long;   /* the adjoints: length 4L-2 */
  fftw_plan backward_short; /* length 2L-1 */
};


SphMwResampler *sph_mw_resampler_new(const SphShtPlan *plan, SphError *err)
{
  int L = sph_ring_geometry_band_limit(plan->geometry);
  int N = 2 * L - 1;
  SphMwResampler *mw = calloc(1, sizeof *mw);
  if (mw == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "McEwen-Wiaux analysis: out of memory");
    return NULL;
  }
  mw->L = L;
  mw->cc = sph_ring_geometry_clenshaw_curtis(2 * L, 1, err);
  if (mw->cc == NULL)
    goto fail;
  if (sph_pair_blocks_init(&mw->blocks, mw->cc, plan->kernel->lanes, plan->lmax, 0, err) != SPH_OK)
    goto fail;
  mw->slot = malloc((size_t)2 * L * sizeof *mw->slot);
  mw->weight = malloc((size_t)2 * L * sizeof *mw->weight);
  mw->unshift = sph_alloc_aligned((size_t)N, sizeof *mw->unshift, err);
  if (mw->slot == NULL || mw->weight == NULL || mw->unshift == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "McEwen-Wiaux analysis: out of memory");
    goto fail;
  }
  for (int p = 0; p < mw->blocks.npairs; p++) {
    mw->slot[mw->blocks.pairs[p].north] = 2 * p;
    if (mw->blocks.pairs[p].south >= 0)
      mw->slot[mw->blocks.pairs[p].south] = 2 * p + 1;
  }
  if (sph_clenshaw_curtis_weights(2 * L, mw->weight, err) != SPH_OK)
    goto fail;
  for (int i = 0; i < N; i++) {
    int k = i < L ? i : i - N;
    mw->unshift[i] = CMPLX(cos(M_PI * k / N), -sin(M_PI * k / N)) / N;
  }
  double _Complex *a = sph_alloc_aligned((size_t)2 * N, sizeof *a, err);
  if (a == NULL)
    goto fail;
  sph_fftw_planner_lock();
  mw->forward = fftw_plan_dft_1d(N, (fftw_complex *)a, (fftw_complex *)a, FFTW_FORWARD, FFTW_ESTIMATE);
  mw->backward = fftw_plan_dft_1d(2 * N, (fftw_complex *)a, (fftw_complex *)a, FFTW_BACKWARD, FFTW_ESTIMATE);
  mw->forward_long = fftw_plan_dft_1d(2 * N, (fftw_complex *)a, (fftw_complex *)a, FFTW_FORWARD, FFTW_ESTIMATE);
  mw->backward_short = fftw_plan_dft_1d(N, (fftw_complex *)a, (fftw_complex *)a, FFTW_BACKWARD, FFTW_ESTIMATE);
  sph_fftw_planner_unlock();
  sph_free_aligned(a);
  if (mw->forward == NULL || mw->backward == NULL || mw->forward_long == NULL ||
      mw->backward_short == NULL) {
    sph_error_set(err, SPH_ERR_UNSUPPORTED, "McEwen-Wiaux analysis: FFTW cannot plan length %d", N);
    goto fail;
  }
  return mw;

fail:
  sph_mw_resampler_free(mw);
  return NULL;
}

void sph_mw_resampler_free(SphMwResampler *mw)
{
  if (mw == NULL)
    return;
  sph_fftw_planner_lock();
  if (mw->forward != NULL)
    fftw_destroy_plan(mw->forward);
  if (mw->backward != NULL)
    fftw_destroy_plan(mw->backward);
  if (mw->forward_long != NULL)
    fftw_destroy_plan(mw->forward_long);
  if (mw->backward_short != NULL)
    fftw_destroy_plan(mw->backward_short);
  sph_fftw_planner_unlock();
  sph_pair_blocks_free(&mw->blocks);
  sph_ring_geometry_free(mw->cc);
  free(mw->slot);
  free(mw->weight);
  sph_free_aligned(mw->unshift);
  free(mw);
}

const SphPairBlocks *sph_mw_blocks(const SphMwResampler *mw)
{
  return &mw->blocks;
}

SphStatus sph_mw_resample(const SphShtPlan *plan, const double _Complex *mw_phase,
                          double _Complex *cc_phase, int ncomp, int spin)
{
  const SphMwResampler *mw = plan->mw;
  const int L = mw->L, N = 2 * L - 1, mmax = plan->mmax;
  const size_t stride = sph_phase_stride(plan);
  int failed = 0;
#pragma omp parallel num_threads(sph_sht_threads(plan))
  {
    double _Complex *a = sph_alloc_aligned((size_t)2 * N, sizeof *a, NULL);
    if (a == NULL) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(dynamic, 4) collapse(2)
    for (int c = 0; c < ncomp; c++)
      for (int m = 0; m <= mmax; m++) {
        if (a == NULL)
          continue;
        const double _Complex *in = mw_phase + (size_t)c * L * stride + m;
        double sign = ((m + spin) & 1) ? -1.0 : 1.0;
        for (int t = 0; t < L; t++)
          a[t] = in[(size_t)t * stride];
        for (int t = L; t < N; t++)
          a[t] = sign * a[N - 1 - t];
        fftw_execute_dft(mw->forward, (fftw_complex *)a, (fftw_complex *)a);
        /* d_k = A_k e^{-i pi k/N}/N at k mod 2N of the longer transform. */
        for (int i = 0; i < L; i++)
          a[i] *= mw->unshift[i];
        for (int i = N - 1; i >= L; i--)
          a[i + N] = a[i] * mw->unshift[i];
        for (int i = L; i < N + L; i++)
          a[i] = 0;
        fftw_execute_dft(mw->backward, (fftw_complex *)a, (fftw_complex *)a);
        double _Complex *out = cc_phase + (size_t)c * 2 * L * stride + m;
        for (int v = 0; v < 2 * L; v++)
          out[(size_t)mw->slot[v] * stride] = mw->weight[v] * a[v];
      }
    sph_free_aligned(a);
  }
  return failed ? SPH_ERR_NOMEM : SPH_OK;
}

/* The conjugate transpose of sph_mw_resample, step by step in reverse: weights, the
 * pick of the 2L nodes, the long inverse FFT, the padding, the phase shift, the short
 * FFT, the extension. */
SphStatus sph_mw_resample_adjoint(const SphShtPlan *plan, const double _Complex *cc_phase,
                                  double _Complex *mw_phase, int ncomp, int spin)
{
  const SphMwResampler *mw = plan->mw;
  const int L = mw->L, N = 2 * L - 1, mmax = plan->mmax;
  const size_t stride = sph_phase_stride(plan);
  int failed = 0;
#pragma omp parallel num_threads(sph_sht_threads(plan))
  {
    double _Complex *a = sph_alloc_aligned((size_t)2 * N, sizeof *a, NULL);
    if (a == NULL) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(dynamic, 4) collapse(2)
    for (int c = 0; c < ncomp; c++)
      for (int m = 0; m <= mmax; m++) {
        if (a == NULL)
          continue;
        const double _Complex *in = cc_phase + (size_t)c * 2 * L * stride + m;
        for (int v = 0; v < 2 * L; v++)
          a[v] = mw->weight[v] * in[(size_t)mw->slot[v] * stride];
        for (int v = 2 * L; v < 2 * N; v++)
          a[v] = 0;
        fftw_execute_dft(mw->forward_long, (fftw_complex *)a, (fftw_complex *)a);
        for (int i = 0; i < L; i++)
          a[i] *= conj(mw->unshift[i]);
        for (int i = L; i < N; i++)
          a[i] = a[i + N] * conj(mw->unshift[i]);
        fftw_execute_dft(mw->backward_short, (fftw_complex *)a, (fftw_complex *)a);
        double sign = ((m + spin) & 1) ? -1.0 : 1.0;
        double _Complex *out = mw_phase + (size_t)c * L * stride + m;
        for (int t = 0; t < L - 1; t++)
          out[(size_t)t * stride] = a[t] + sign * a[N - 1 - t];
        out[(size_t)(L - 1) * stride] = a[L - 1];
      }
    sph_free_aligned(a);
  }
  return failed ? SPH_ERR_NOMEM : SPH_OK;
}

SphStatus sph_mw_map2alm(const SphShtPlan *plan, const double *map, SphAlm *alm, SphJob *job,
                         SphError *err)
{
  const SphMwResampler *mw = plan->mw;
  const int L = mw->L, lmax = plan->lmax, mmax = plan->mmax;
  const size_t stride = sph_phase_stride(plan);
  const SphRing *rings = sph_ring_geometry_rings(plan->geometry);
  const SphLegTables *T = &plan->tables;
  double _Complex *mw_phase = sph_alloc_aligned((size_t)L * stride, sizeof *mw_phase, err);
  double _Complex *cc_phase = sph_alloc_aligned((size_t)2 * L * stride, sizeof *cc_phase, err);
  double *ct = sph_calloc_aligned((size_t)2 * T->offset[mmax + 1], sizeof(double), err);
  if (mw_phase == NULL || cc_phase == NULL || ct == NULL) {
    sph_free_aligned(mw_phase);
    sph_free_aligned(cc_phase);
    sph_free_aligned(ct);
    return sph_error_prefix(err, "map2alm on a McEwen-Wiaux grid with L=%d", L);
  }
  int failed = 0;
  int nt = sph_sht_threads(plan);
#pragma omp parallel num_threads(nt)
  {
    SphRingFftScratch fs = { 0 };
    int ok = sph_ring_fft_scratch_init(&fs, &plan->ffts) == 0;
    if (!ok) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(dynamic, 2)
    for (int t = 0; t < L; t++)
      if (ok)
        sph_ring_ring_to_phase(&plan->ffts, &rings[t], t, mmax, map + rings[t].offset,
                               2.0 * M_PI / (double)rings[t].nphi, mw_phase + (size_t)t * stride, &fs);
    sph_ring_fft_scratch_free(&fs);
  }
  sph_job_set_progress(job, 0.1, NULL);
  if (!failed && sph_mw_resample(plan, mw_phase, cc_phase, 1, 0) != SPH_OK)
    failed = 1;
  sph_job_set_progress(job, 0.2, NULL);
  if (!failed) {
#pragma omp parallel num_threads(nt)
    {
      SphLegScratch ls;
      int ok = sph_leg_scratch_init(&ls, plan) == 0;
      if (!ok) {
#pragma omp atomic write
        failed = 1;
      }
#pragma omp for schedule(dynamic, 1)
      for (int g = 0; g < sph_mgroups(plan); g++) {
        int m0 = g * SPH_SHT_MGROUP, nm = mmax + 1 - m0 < SPH_SHT_MGROUP ? mmax + 1 - m0 : SPH_SHT_MGROUP;
        if (ok)
          sph_leg_adjoint_group(plan, &mw->blocks, m0, nm, cc_phase, stride, 0, mw->blocks.nblocks,
                                ct, &ls);
      }
      sph_leg_scratch_free(&ls);
    }
  }
  SphStatus status = SPH_OK;
  if (failed) {
    status = sph_error_set(err, SPH_ERR_NOMEM, "map2alm: out of memory for thread scratch");
  } else if (sph_job_is_cancelled(job)) {
    status = sph_error_set(err, SPH_ERR_CANCELLED, "map2alm: cancelled");
  } else {
#pragma omp parallel for num_threads(nt) schedule(dynamic, 8)
    for (int m = 0; m <= mmax; m++) {
      SphLegM mm;
      sph_leg_tables_get(T, m, &mm);
      sph_leg_adjoint_coefficients(&mm, lmax, ct + 2 * T->offset[m],
                                   (double *)(alm->values + sph_alm_index(lmax, m, m)));
    }
    for (int l = 0; l <= lmax; l++)
      alm->values[l] = creal(alm->values[l]);
    sph_job_set_progress(job, 1.0, NULL);
  }
  sph_free_aligned(mw_phase);
  sph_free_aligned(cc_phase);
  sph_free_aligned(ct);
  return status;
}

SphStatus sph_mw_map2alm_adjoint(const SphShtPlan *plan, const SphAlm *alm, double *map,
                                 SphJob *job, SphError *err)
{
  const SphMwResampler *mw = plan->mw;
  const int L = mw->L, lmax = plan->lmax, mmax = plan->mmax;
  const size_t stride = sph_phase_stride(plan);
  const SphRing *rings = sph_ring_geometry_rings(plan->geometry);
  const SphLegTables *T = &plan->tables;
  double _Complex *mw_phase = sph_alloc_aligned((size_t)L * stride, sizeof *mw_phase, err);
  double _Complex *cc_phase = sph_alloc_aligned((size_t)2 * L * stride, sizeof *cc_phase, err);
  double *ct = sph_alloc_aligned((size_t)2 * T->offset[mmax + 1], sizeof(double), err);
  if (mw_phase == NULL || cc_phase == NULL || ct == NULL) {
    sph_free_aligned(mw_phase);
    sph_free_aligned(cc_phase);
    sph_free_aligned(ct);
    return sph_error_prefix(err, "map2alm_adjoint on a McEwen-Wiaux grid with L=%d", L);
  }
  int failed = 0;
  int nt = sph_sht_threads(plan);
#pragma omp parallel num_threads(nt)
  {
    SphLegScratch ls;
    int ok = sph_leg_scratch_init(&ls, plan) == 0;
    if (!ok) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(dynamic, 1)
    for (int g = 0; g < sph_mgroups(plan); g++) {
      int m0 = g * SPH_SHT_MGROUP, nm = mmax + 1 - m0 < SPH_SHT_MGROUP ? mmax + 1 - m0 : SPH_SHT_MGROUP;
      if (!ok)
        continue;
      for (int m = m0; m < m0 + nm; m++) {
        SphLegM mm;
        sph_leg_tables_get(T, m, &mm);
        sph_leg_forward_coefficients(&mm, lmax, (const double *)(alm->values + sph_alm_index(lmax, m, m)),
                                     ct + sph_ct_offset(T, m));
      }
      sph_leg_synthesis_group(plan, &mw->blocks, m0, nm, ct, 0, mw->blocks.nblocks, cc_phase, stride, &ls);
    }
    sph_leg_scratch_free(&ls);
  }
  sph_job_set_progress(job, 0.7, NULL);
  if (!failed && sph_mw_resample_adjoint(plan, cc_phase, mw_phase, 1, 0) != SPH_OK)
    failed = 1;
  if (!failed) {
#pragma omp parallel num_threads(nt)
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
        double *out = map + rings[t].offset;
        sph_ring_phase_to_ring(&plan->ffts, &rings[t], t, mmax, mw_phase + (size_t)t * stride, out, &fs);
        double scale = 2.0 * M_PI / (double)rings[t].nphi;
        for (int64_t j = 0; j < rings[t].nphi; j++)
          out[j] *= scale;
      }
      sph_ring_fft_scratch_free(&fs);
    }
  }
  sph_free_aligned(mw_phase);
  sph_free_aligned(cc_phase);
  sph_free_aligned(ct);
  if (failed)
    return sph_error_set(err, SPH_ERR_NOMEM, "map2alm_adjoint: out of memory for thread scratch");
  sph_job_set_progress(job, 1.0, NULL);
  return SPH_OK;
}
