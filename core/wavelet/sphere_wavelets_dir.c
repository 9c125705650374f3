/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/wavelet_sphere_dir.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/mem.h"
#include "wavelet_internal.h"

/* The inverse Wigner transform per n. In ssht's convention D^l*_mn(a, b, 0) =
 * (-1)^n sqrt(4 pi/(2l+1)) _{-n}Y_lm(b, a); the harmonic engine's spin harmonics are
 * healpy's, which differ from ssht's by (-1)^s, so with them D^l*_mn(a, b, 0) =
 * sqrt(4 pi/(2l+1)) _{-n}Y_lm(b, a) and W^j(gamma) = sum_n e^{i n gamma} w_n with
 *     w_n = sum_lm Psi^j_l conj(s_ln) f_lm / sqrt(2 pi) _{-n}Y_lm.
 * (tests/test-wavelet-dir.c checks every sample against <f, R psi^j> by rotate.h.)
 * Because the factor multiplying f_lm depends on l only, the healpy pair (E, B) of
 * w_n = Q - iU is E = -Re(g_l) f_lm / sqrt(2 pi), B = -Im(g_l) f_lm / sqrt(2 pi) with
 * g_l = Psi^j_l s_ln: two real filters of f, so every transform below is filters, the
 * engine's (spin) transforms, and a real DFT over gamma:
 *     W(gamma_k) = w_0 + 2 sum_{n>0} (cos(n gamma_k) Q_n + sin(n gamma_k) U_n). */

struct SphWaveletDirPlan {
  SphWaveletPlan *axisym;
  int L;
  int N;
  int ndir;
  double _Complex *s_lm; /* the directional profile at l^2 + l + m */
  int nbands;
  int64_t *offsets; /* band b starts here */
  int64_t size;
};

static const double SQRT_2PI = 2.5066282746310005024157652848110453;

void sph_wavelet_dir_plan_free(SphWaveletDirPlan *plan)
{
  if (!plan)
    return;
  sph_wavelet_plan_free(plan->axisym);
  free(plan->s_lm);
  free(plan->offsets);
  free(plan);
}

SphWaveletDirPlan *sph_wavelet_dir_plan_new(const SphRingGeometry *geometry, double B, int L,
                                            int j_min, int N, unsigned flags, SphError *err)
{
  if (N < 1 || N > L || N > SPH_WAVELET_MAX_DIRECTIONS) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "directional wavelets: N = %d directions is out of range; it must be "
                  "1..%d for band limit L = %d",
                  N, L < SPH_WAVELET_MAX_DIRECTIONS ? L : SPH_WAVELET_MAX_DIRECTIONS, L);
    return NULL;
  }
  SphWaveletDirPlan *plan = calloc(1, sizeof *plan);
  if (!plan) {
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory for a directional wavelet plan");
    return NULL;
  }
  plan->axisym = sph_wavelet_plan_new(geometry, B, L, j_min, flags, err);
  if (!plan->axisym) {
    sph_error_prefix(err, "directional wavelets");
    goto fail;
  }
  plan->L = L;
  plan->N = N;
  plan->ndir = 2 * N - 1;
  plan->s_lm = malloc((size_t)L * (size_t)L * sizeof *plan->s_lm);
  plan->nbands = sph_wavelet_plan_nbands(plan->axisym);
  plan->offsets = calloc((size_t)plan->nbands, sizeof *plan->offsets);
  if (!plan->s_lm || !plan->offsets) {
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory for a directional wavelet plan");
    goto fail;
  }
  if (sph_wavelet_directional_profile(L, N, plan->s_lm, err) != SPH_OK)
    goto fail;
  int64_t offset = 0;
  for (int b = 0; b < plan->nbands; b++) {
    plan->offsets[b] = offset;
    offset += sph_wavelet_dir_plan_band_nmaps(plan, b) * sph_wavelet_plan_band_npix(plan->axisym, b);
  }
  plan->size = offset;
  return plan;
fail:
  sph_wavelet_dir_plan_free(plan);
  return NULL;
}

const SphWaveletPlan *sph_wavelet_dir_plan_axisym(const SphWaveletDirPlan *plan)
{
  return plan->axisym;
}

int sph_wavelet_dir_plan_N(const SphWaveletDirPlan *plan)
{
  return plan->N;
}

int sph_wavelet_dir_plan_ndirections(const SphWaveletDirPlan *plan)
{
  return plan->ndir;
}

double sph_wavelet_dir_plan_gamma(const SphWaveletDirPlan *plan, int k)
{
  return 2.0 * M_PI * k / plan->ndir;
}

int sph_wavelet_dir_plan_nbands(const SphWaveletDirPlan *plan)
{
  return plan->nbands;
}

int sph_wavelet_dir_plan_band_nmaps(const SphWaveletDirPlan *plan, int band)
{
  return band == 0 ? 1 : plan->ndir;
}

int64_t sph_wavelet_dir_plan_map_offset(const SphWaveletDirPlan *plan, int band, int k)
{
  return plan->offsets[band] + k * sph_wavelet_plan_band_npix(plan->axisym, band);
}

int64_t sph_wavelet_dir_plan_size(const SphWaveletDirPlan *plan)
{
  return plan->size;
}

SphStatus sph_wavelet_dir_wavelet_alm(const SphWaveletDirPlan *plan, int j, SphAlm *alm,
                                      SphError *err)
{
  const SphWaveletKernels *k = sph_wavelet_plan_kernels(plan->axisym);
  if (j < k->j_min || j > k->j_max)
    return sph_error_set(err, SPH_ERR_INVALID, "directional wavelet: scale j = %d is not in %d..%d",
                         j, k->j_min, k->j_max);
  if (!alm || alm->lmax != plan->L - 1 || alm->mmax != plan->L - 1)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "directional wavelet: the alm must have lmax = mmax = %d", plan->L - 1);
  const double *kappa = sph_wavelet_kernels_scale(k, j);
  sph_alm_zero(alm);
  for (int m = 0; m <= alm->mmax; m++)
    for (int l = m; l <= alm->lmax; l++)
      alm->values[sph_alm_index(alm->lmax, l, m)] =
        sqrt((2.0 * l + 1) / (8 * M_PI * M_PI)) * kappa[l] * plan->s_lm[(int64_t)l * l + l + m];
  return SPH_OK;
}

/* Whether direction n (n >= 0) of the profile can be non-zero. */
static int direction_used(const SphWaveletDirPlan *plan, int n, int lmax)
{
  return n <= lmax && (plan->N + n) % 2 == 1;
}

/* re[l] = scale Re g_l, im[l] = scale Im g_l, g_l = Psi_l s_ln (0 for l < n). */
static void direction_filters(const SphWaveletDirPlan *plan, int band, int n, double scale,
                              double *re, double *im)
{
  const double *kappa = sph_wavelet_plan_band_kernel(plan->axisym, band);
  for (int l = 0; l < plan->L; l++) {
    double _Complex g = l < n ? 0 : scale * kappa[l] * plan->s_lm[(int64_t)l * l + l + n];
    re[l] = creal(g);
    im[l] = cimag(g);
  }
}

static SphStatus check_alm(const SphWaveletDirPlan *plan, const SphAlm *alm, SphError *err)
{
  int lmax = plan->L - 1;
  if (!alm || alm->lmax != lmax || alm->mmax != lmax)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "directional wavelet transform: the alm must have lmax = mmax = %d "
                         "(L - 1)",
                         lmax);
  return SPH_OK;
}

/* Buffers of one band: (E, B) at its band limit, (Q, U) on its grid, filters over l. */
typedef struct {
  SphAlm *e;
  SphAlm *b;
  double *q;
  double *u;
  double *re;
  double *im;
} BandWork;

static void band_work_clear(BandWork *w)
{
  sph_alm_free(w->e);
  sph_alm_free(w->b);
  sph_free_aligned(w->q);
  sph_free_aligned(w->u);
  free(w->re);
  free(w->im);
  memset(w, 0, sizeof *w);
}

static SphStatus band_work_init(const SphWaveletDirPlan *plan, int band, BandWork *w,
                                SphError *err)
{
  memset(w, 0, sizeof *w);
  int lmax = sph_wavelet_plan_band_lmax(plan->axisym, band);
  int64_t npix = sph_wavelet_plan_band_npix(plan->axisym, band);
  w->e = sph_alm_new(lmax, lmax, err);
  w->b = sph_alm_new(lmax, lmax, err);
  w->q = sph_alloc_aligned((size_t)npix, sizeof(double), err);
  w->u = sph_alloc_aligned((size_t)npix, sizeof(double), err);
  w->re = malloc((size_t)plan->L * sizeof(double));
  w->im = malloc((size_t)plan->L * sizeof(double));
  if (!w->e || !w->b || !w->q || !w->u || !w->re || !w->im) {
    band_work_clear(w);
    return sph_error_set(err, SPH_ERR_NOMEM,
                         "directional wavelets: out of memory for band %d's buffers", band);
  }
  return SPH_OK;
}

static SphStatus cancelled(SphJob *job, SphError *err)
{
  if (sph_job_is_cancelled(job))
    return sph_error_set(err, SPH_ERR_CANCELLED, "directional wavelet transform: cancelled");
  return SPH_OK;
}

/* Scaling band: S = A_0 (Phi f). */
static SphStatus scaling_analysis(const SphWaveletDirPlan *plan, const SphAlm *alm,
                                  double *coeffs, SphJob *job, SphError *err)
{
  int lmax = sph_wavelet_plan_band_lmax(plan->axisym, 0);
  SphAlm *band_alm = sph_alm_new(lmax, lmax, err);
  if (!band_alm)
    return SPH_ERR_NOMEM;
  sph_wavelet_filter_truncate(alm, sph_wavelet_plan_band_kernel(plan->axisym, 0), band_alm);
  SphStatus st = sph_sht_alm2map(sph_wavelet_plan_sht(plan->axisym, 0), band_alm,
                                 coeffs + plan->offsets[0], job, err);
  sph_alm_free(band_alm);
  return st;
}

static SphStatus wavelet_band_analysis(const SphWaveletDirPlan *plan, int band, const SphAlm *alm,
                                       double *coeffs, SphJob *job, SphError *err)
{
  BandWork w;
  SphStatus st = band_work_init(plan, band, &w, err);
  if (st != SPH_OK)
    return st;
  const SphShtPlan *sht = sph_wavelet_plan_sht(plan->axisym, band);
  int64_t npix = sph_wavelet_plan_band_npix(plan->axisym, band);
  double *out = coeffs + plan->offsets[band];
  memset(out, 0, (size_t)plan->ndir * (size_t)npix * sizeof *out);
  for (int n = 0; n < plan->N && st == SPH_OK; n++) {
    if (!direction_used(plan, n, w.e->lmax))
      continue;
    if (n == 0) {
      direction_filters(plan, band, 0, 1.0 / SQRT_2PI, w.re, w.im);
      sph_wavelet_filter_truncate(alm, w.re, w.e);
      st = sph_sht_alm2map(sht, w.e, w.q, job, err);
      for (int k = 0; k < plan->ndir && st == SPH_OK; k++)
        for (int64_t p = 0; p < npix; p++)
          out[k * npix + p] += w.q[p];
      continue;
    }
    direction_filters(plan, band, n, -1.0 / SQRT_2PI, w.re, w.im);
    sph_wavelet_filter_truncate(alm, w.re, w.e);
    sph_wavelet_filter_truncate(alm, w.im, w.b);
    st = sph_sht_alm2map_spin(sht, n, w.e, w.b, w.q, w.u, job, err);
    for (int k = 0; k < plan->ndir && st == SPH_OK; k++) {
      double c = 2 * cos(n * sph_wavelet_dir_plan_gamma(plan, k));
      double s = 2 * sin(n * sph_wavelet_dir_plan_gamma(plan, k));
      double *wk = out + k * npix;
      for (int64_t p = 0; p < npix; p++)
        wk[p] += c * w.q[p] + s * w.u[p];
    }
  }
  band_work_clear(&w);
  return st;
}

SphStatus sph_wavelet_dir_analysis_alm(const SphWaveletDirPlan *plan, const SphAlm *alm,
                                       double *coeffs, SphJob *job, SphError *err)
{
  SphStatus st = check_alm(plan, alm, err);
  if (st == SPH_OK)
    st = scaling_analysis(plan, alm, coeffs, job, err);
  for (int b = 1; b < plan->nbands && st == SPH_OK; b++) {
    st = cancelled(job, err);
    if (st == SPH_OK)
      st = wavelet_band_analysis(plan, b, alm, coeffs, job, err);
  }
  return st;
}

static SphStatus analyse(const SphShtPlan *sht, const double *map, SphAlm *alm,
                         const SphShtIterOptions *options, SphJob *job, SphError *err)
{
  if (!options)
    return sph_sht_map2alm(sht, map, alm, job, err);
  SphShtIterOptions copy = *options;
  return sph_sht_map2alm_iterative(sht, map, alm, &copy, job, err);
}

static SphStatus analyse_spin(const SphShtPlan *sht, int spin, const double *q, const double *u,
                              SphAlm *e, SphAlm *b, const SphShtIterOptions *options,
                              SphJob *job, SphError *err)
{
  if (!options)
    return sph_sht_map2alm_spin(sht, spin, q, u, e, b, job, err);
  SphShtIterOptions copy = *options;
  return sph_sht_map2alm_spin_iterative(sht, spin, q, u, e, b, &copy, job, err);
}

/* Band b's contribution sum_n W_lmn psi_ln to alm: per n the forward Wigner transform is
 * the DFT over gamma then a spin -n analysis of w_n = Q - iU, and the n and -n terms
 * together add -2 sqrt(2 pi) (Re g_l E_lm + Im g_l B_lm). */
static SphStatus wavelet_band_synthesis(const SphWaveletDirPlan *plan, int band,
                                        const double *coeffs, SphAlm *alm,
                                        const SphShtIterOptions *options, SphJob *job,
                                        SphError *err)
{
  BandWork w;
  SphStatus st = band_work_init(plan, band, &w, err);
  if (st != SPH_OK)
    return st;
  const SphShtPlan *sht = sph_wavelet_plan_sht(plan->axisym, band);
  int64_t npix = sph_wavelet_plan_band_npix(plan->axisym, band);
  const double *in = coeffs + plan->offsets[band];
  double inv = 1.0 / plan->ndir;
  for (int n = 0; n < plan->N && st == SPH_OK; n++) {
    if (!direction_used(plan, n, w.e->lmax))
      continue;
    memset(w.q, 0, (size_t)npix * sizeof *w.q);
    memset(w.u, 0, (size_t)npix * sizeof *w.u);
    for (int k = 0; k < plan->ndir; k++) {
      double c = inv * cos(n * sph_wavelet_dir_plan_gamma(plan, k));
      double s = inv * sin(n * sph_wavelet_dir_plan_gamma(plan, k));
      const double *wk = in + k * npix;
      for (int64_t p = 0; p < npix; p++) {
        w.q[p] += c * wk[p];
        w.u[p] += s * wk[p];
      }
    }
    if (n == 0) {
      st = analyse(sht, w.q, w.e, options, job, err);
      if (st != SPH_OK)
        break;
      direction_filters(plan, band, 0, SQRT_2PI, w.re, w.im);
      sph_wavelet_filter_accumulate(w.e, w.re, alm);
      continue;
    }
    st = analyse_spin(sht, n, w.q, w.u, w.e, w.b, options, job, err);
    if (st != SPH_OK)
      break;
    direction_filters(plan, band, n, -2 * SQRT_2PI, w.re, w.im);
    sph_wavelet_filter_accumulate(w.e, w.re, alm);
    sph_wavelet_filter_accumulate(w.b, w.im, alm);
  }
  band_work_clear(&w);
  return st;
}

SphStatus sph_wavelet_dir_synthesis_alm(const SphWaveletDirPlan *plan, const double *coeffs,
                                        SphAlm *alm, const SphShtIterOptions *options,
                                        SphJob *job, SphError *err)
{
  SphStatus st = check_alm(plan, alm, err);
  if (st != SPH_OK)
    return st;
  sph_alm_zero(alm);
  int lmax0 = sph_wavelet_plan_band_lmax(plan->axisym, 0);
  SphAlm *band_alm = sph_alm_new(lmax0, lmax0, err);
  if (!band_alm)
    return SPH_ERR_NOMEM;
  st = analyse(sph_wavelet_plan_sht(plan->axisym, 0), coeffs + plan->offsets[0], band_alm,
               options, job, err);
  if (st == SPH_OK)
    sph_wavelet_filter_accumulate(band_alm, sph_wavelet_plan_band_kernel(plan->axisym, 0), alm);
  sph_alm_free(band_alm);
  for (int b = 1; b < plan->nbands && st == SPH_OK; b++) {
    st = cancelled(job, err);
    if (st == SPH_OK)
      st = wavelet_band_synthesis(plan, b, coeffs, alm, options, job, err);
  }
  return st;
}

SphStatus sph_wavelet_dir_analysis(const SphWaveletDirPlan *plan, const double *map,
                                   double *coeffs, const SphShtIterOptions *options, SphJob *job,
                                   SphError *err)
{
  SphAlm *alm = sph_alm_new(plan->L - 1, plan->L - 1, err);
  if (!alm)
    return SPH_ERR_NOMEM;
  SphStatus st = analyse(sph_wavelet_plan_sht(plan->axisym, -1), map, alm, options, job, err);
  if (st == SPH_OK)
    st = sph_wavelet_dir_analysis_alm(plan, alm, coeffs, job, err);
  sph_alm_free(alm);
  return st;
}

SphStatus sph_wavelet_dir_synthesis(const SphWaveletDirPlan *plan, const double *coeffs,
                                    double *map, const SphShtIterOptions *options, SphJob *job,
                                    SphError *err)
{
  SphAlm *alm = sph_alm_new(plan->L - 1, plan->L - 1, err);
  if (!alm)
    return SPH_ERR_NOMEM;
  SphStatus st = sph_wavelet_dir_synthesis_alm(plan, coeffs, alm, options, job, err);
  if (st == SPH_OK)
    st = sph_sht_alm2map(sph_wavelet_plan_sht(plan->axisym, -1), alm, map, job, err);
  sph_alm_free(alm);
  return st;
}

/* Transpose of wavelet_band_analysis, accumulated into alm. */
static SphStatus wavelet_band_analysis_adjoint(const SphWaveletDirPlan *plan, int band,
                                               const double *coeffs, SphAlm *alm, SphJob *job,
                                               SphError *err)
{
  BandWork w;
  SphStatus st = band_work_init(plan, band, &w, err);
  if (st != SPH_OK)
    return st;
  const SphShtPlan *sht = sph_wavelet_plan_sht(plan->axisym, band);
  int64_t npix = sph_wavelet_plan_band_npix(plan->axisym, band);
  const double *in = coeffs + plan->offsets[band];
  for (int n = 0; n < plan->N && st == SPH_OK; n++) {
    if (!direction_used(plan, n, w.e->lmax))
      continue;
    memset(w.q, 0, (size_t)npix * sizeof *w.q);
    memset(w.u, 0, (size_t)npix * sizeof *w.u);
    double weight = n == 0 ? 1 : 2;
    for (int k = 0; k < plan->ndir; k++) {
      double c = weight * cos(n * sph_wavelet_dir_plan_gamma(plan, k));
      double s = weight * sin(n * sph_wavelet_dir_plan_gamma(plan, k));
      const double *gk = in + k * npix;
      for (int64_t p = 0; p < npix; p++) {
        w.q[p] += c * gk[p];
        w.u[p] += s * gk[p];
      }
    }
    if (n == 0) {
      st = sph_sht_alm2map_adjoint(sht, w.q, w.e, job, err);
      if (st != SPH_OK)
        break;
      direction_filters(plan, band, 0, 1.0 / SQRT_2PI, w.re, w.im);
      sph_wavelet_filter_accumulate(w.e, w.re, alm);
      continue;
    }
    st = sph_sht_alm2map_spin_adjoint(sht, n, w.q, w.u, w.e, w.b, job, err);
    if (st != SPH_OK)
      break;
    direction_filters(plan, band, n, -1.0 / SQRT_2PI, w.re, w.im);
    sph_wavelet_filter_accumulate(w.e, w.re, alm);
    sph_wavelet_filter_accumulate(w.b, w.im, alm);
  }
  band_work_clear(&w);
  return st;
}

SphStatus sph_wavelet_dir_analysis_adjoint(const SphWaveletDirPlan *plan, const double *coeffs,
                                           double *map, SphJob *job, SphError *err)
{
  SphAlm *alm = sph_alm_new(plan->L - 1, plan->L - 1, err);
  if (!alm)
    return SPH_ERR_NOMEM;
  int lmax0 = sph_wavelet_plan_band_lmax(plan->axisym, 0);
  SphAlm *band_alm = sph_alm_new(lmax0, lmax0, err);
  SphStatus st = band_alm ? SPH_OK : SPH_ERR_NOMEM;
  if (st == SPH_OK)
    st = sph_sht_alm2map_adjoint(sph_wavelet_plan_sht(plan->axisym, 0), coeffs + plan->offsets[0],
                                 band_alm, job, err);
  if (st == SPH_OK)
    sph_wavelet_filter_accumulate(band_alm, sph_wavelet_plan_band_kernel(plan->axisym, 0), alm);
  sph_alm_free(band_alm);
  for (int b = 1; b < plan->nbands && st == SPH_OK; b++) {
    st = cancelled(job, err);
    if (st == SPH_OK)
      st = wavelet_band_analysis_adjoint(plan, b, coeffs, alm, job, err);
  }
  if (st == SPH_OK)
    st = sph_sht_map2alm_adjoint(sph_wavelet_plan_sht(plan->axisym, -1), alm, map, job, err);
  sph_alm_free(alm);
  return st;
}

/* Transpose of wavelet_band_synthesis: from the map's A^T alm to band b's samples. */
static SphStatus wavelet_band_synthesis_adjoint(const SphWaveletDirPlan *plan, int band,
                                                const SphAlm *alm, double *coeffs, SphJob *job,
                                                SphError *err)
{
  BandWork w;
  SphStatus st = band_work_init(plan, band, &w, err);
  if (st != SPH_OK)
    return st;
  const SphShtPlan *sht = sph_wavelet_plan_sht(plan->axisym, band);
  int64_t npix = sph_wavelet_plan_band_npix(plan->axisym, band);
  double *out = coeffs + plan->offsets[band];
  double inv = 1.0 / plan->ndir;
  memset(out, 0, (size_t)plan->ndir * (size_t)npix * sizeof *out);
  for (int n = 0; n < plan->N && st == SPH_OK; n++) {
    if (!direction_used(plan, n, w.e->lmax))
      continue;
    if (n == 0) {
      direction_filters(plan, band, 0, SQRT_2PI, w.re, w.im);
      sph_wavelet_filter_truncate(alm, w.re, w.e);
      st = sph_sht_map2alm_adjoint(sht, w.e, w.q, job, err);
      memset(w.u, 0, (size_t)npix * sizeof *w.u);
    } else {
      direction_filters(plan, band, n, -2 * SQRT_2PI, w.re, w.im);
      sph_wavelet_filter_truncate(alm, w.re, w.e);
      sph_wavelet_filter_truncate(alm, w.im, w.b);
      st = sph_sht_map2alm_spin_adjoint(sht, n, w.e, w.b, w.q, w.u, job, err);
    }
    for (int k = 0; k < plan->ndir && st == SPH_OK; k++) {
      double c = inv * cos(n * sph_wavelet_dir_plan_gamma(plan, k));
      double s = inv * sin(n * sph_wavelet_dir_plan_gamma(plan, k));
      double *gk = out + k * npix;
      for (int64_t p = 0; p < npix; p++)
        gk[p] += c * w.q[p] + s * w.u[p];
    }
  }
  band_work_clear(&w);
  return st;
}

SphStatus sph_wavelet_dir_synthesis_adjoint(const SphWaveletDirPlan *plan, const double *map,
                                            double *coeffs, SphJob *job, SphError *err)
{
  SphAlm *alm = sph_alm_new(plan->L - 1, plan->L - 1, err);
  if (!alm)
    return SPH_ERR_NOMEM;
  SphStatus st = sph_sht_alm2map_adjoint(sph_wavelet_plan_sht(plan->axisym, -1), map, alm, job, err);
  if (st == SPH_OK) {
    int lmax0 = sph_wavelet_plan_band_lmax(plan->axisym, 0);
    SphAlm *band_alm = sph_alm_new(lmax0, lmax0, err);
    st = band_alm ? SPH_OK : SPH_ERR_NOMEM;
    if (st == SPH_OK) {
      sph_wavelet_filter_truncate(alm, sph_wavelet_plan_band_kernel(plan->axisym, 0), band_alm);
      st = sph_sht_map2alm_adjoint(sph_wavelet_plan_sht(plan->axisym, 0), band_alm,
                                   coeffs + plan->offsets[0], job, err);
    }
    sph_alm_free(band_alm);
  }
  for (int b = 1; b < plan->nbands && st == SPH_OK; b++) {
    st = cancelled(job, err);
    if (st == SPH_OK)
      st = wavelet_band_synthesis_adjoint(plan, b, alm, coeffs, job, err);
  }
  sph_alm_free(alm);
  return st;
}

SphStatus sph_wavelet_dir_steer(const SphWaveletDirPlan *plan, const double *coeffs, int band,
                                double gamma, double *out, SphError *err)
{
  if (band < 1 || band >= plan->nbands)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "directional wavelets: band %d has no directions (wavelet bands are "
                         "1..%d)",
                         band, plan->nbands - 1);
  int64_t npix = sph_wavelet_plan_band_npix(plan->axisym, band);
  memset(out, 0, (size_t)npix * sizeof *out);
  for (int k = 0; k < plan->ndir; k++) {
    /* Dirichlet kernel (1/(2N-1)) sum_{|n|<N} e^{in x}, x = gamma - gamma_k. */
    double x = gamma - sph_wavelet_dir_plan_gamma(plan, k);
    double weight = 1;
    for (int n = 1; n < plan->N; n++)
      weight += 2 * cos(n * x);
    weight /= plan->ndir;
    const double *wk = coeffs + sph_wavelet_dir_plan_map_offset(plan, band, k);
    for (int64_t p = 0; p < npix; p++)
      out[p] += weight * wk[p];
  }
  return SPH_OK;
}
