/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/scattering_cov.h"

#include <complex.h>
#include <fftw3.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/fftw_lock.h"
#include "sphaera/mem.h"

/* Below this many pixels a parallel region costs more than the work it shares out. */
#define PARALLEL_PIXELS 8192

typedef struct {
  int32_t a, b;    /* the wavelets (j L + l) of the first and second modulus */
} Pair;

typedef struct {
  int32_t a, b, c; /* the two moduli and the wavelet both are filtered by */
} Triple;

/* The frequencies k != 0 where psi^_k^2 exceeds BAND_FLOOR times its peak, and psi^_k^2
 * there: the terms left out change a covariance by less than 1e-20 of its Cauchy-Schwarz
 * bound, and the small scales' Gaussians, which the bank keeps to e^-40 over the whole
 * grid, shrink to the band that matters. */
typedef struct {
  int64_t count;
  int32_t *index;
  double *psi2;
} Band;

#define BAND_FLOOR 1e-20

struct SphScatteringCov {
  SphMorletBank *bank;
  int64_t height, width, npix;
  int J, L, nw; /* nw = J L wavelets */
  SphScatCovNorm norm;
  double *reference; /* nw values once set */
  int64_t nstats, off_s1, off_s2, off_s3, off_s4;
  int64_t npairs, ntriples;
  Pair *pairs;
  Triple *triples;
  Band *bands;       /* nw */
  fftw_plan forward, backward; /* height x width, in place */
};

/* The intermediate fields of one evaluation. */
typedef struct {
  double complex *xhat;  /* FFT of the image */
  double complex *w;     /* nw spatial fields x * psi */
  double complex *uhat;  /* nw spectra of |x * psi| */
} Fields;

static int64_t count_pairs(int J, int L)
{
  return (int64_t)L * L * J * (J + 1) / 2;
}

static int64_t count_triples(int J, int L)
{
  return (int64_t)L * L * L * J * (J + 1) * (J + 2) / 6;
}

int64_t sph_scattering_cov_count(int J, int L)
{
  if (J < 1 || J > SPH_MORLET_MAX_SCALES || L < 1 || L > SPH_MORLET_MAX_ORIENTATIONS)
    return -1;
  return 2 + 2 * (int64_t)J * L + 2 * count_pairs(J, L) + 2 * count_triples(J, L);
}

void sph_scattering_cov_free(SphScatteringCov *plan)
{
  if (plan == NULL)
    return;
  sph_fftw_planner_lock();
  if (plan->forward != NULL)
    fftw_destroy_plan(plan->forward);
  if (plan->backward != NULL)
    fftw_destroy_plan(plan->backward);
  sph_fftw_planner_unlock();
  sph_morlet_bank_free(plan->bank);
  for (int a = 0; plan->bands != NULL && a < plan->nw; a++) {
    free(plan->bands[a].index);
    free(plan->bands[a].psi2);
  }
  free(plan->bands);
  free(plan->reference);
  free(plan->pairs);
  free(plan->triples);
  free(plan);
}

static SphStatus make_bands(SphScatteringCov *plan)
{
  plan->bands = calloc(plan->nw > 0 ? (size_t)plan->nw : 1, sizeof *plan->bands);
  if (plan->bands == NULL)
    return SPH_ERR_NOMEM;
  for (int a = 0; a < plan->nw; a++) {
    const double *psi = sph_morlet_bank_psi(plan->bank, a / plan->L, a % plan->L);
    double peak = 0;
    for (int64_t k = 0; k < plan->npix; k++)
      peak = fmax(peak, psi[k] * psi[k]);
    Band *band = &plan->bands[a];
    for (int pass = 0; pass < 2; pass++) {
      int64_t count = 0;
      for (int64_t k = 1; k < plan->npix; k++)
        if (psi[k] * psi[k] > BAND_FLOOR * peak) {
          if (pass == 1) {
            band->index[count] = (int32_t)k;
            band->psi2[count] = psi[k] * psi[k];
          }
          count++;
        }
      if (pass == 0) {
        band->count = count;
        band->index = malloc((size_t)(count > 0 ? count : 1) * sizeof *band->index);
        band->psi2 = malloc((size_t)(count > 0 ? count : 1) * sizeof *band->psi2);
        if (band->index == NULL || band->psi2 == NULL)
          return SPH_ERR_NOMEM;
      }
    }
  }
  return SPH_OK;
}

SphScatteringCov *sph_scattering_cov_new(int64_t height, int64_t width, int J, int L,
                                         SphScatCovNorm norm, SphError *err)
{
  if (norm != SPH_SCATCOV_NORM_NONE && norm != SPH_SCATCOV_NORM_SELF &&
      norm != SPH_SCATCOV_NORM_REFERENCE) {
    sph_error_set(err, SPH_ERR_INVALID, "scattering covariances: unknown normalisation %d",
                  (int)norm);
    return NULL;
  }
  if (height >= 1 && width >= 1 && J >= 1 && J <= SPH_MORLET_MAX_SCALES &&
      ((INT64_C(1) << J) > height || (INT64_C(1) << J) > width)) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "scattering covariances: J = %d is too large for an image of %" PRId64
                  " x %" PRId64 " pixels (2^J must not exceed a side); lower J",
                  J, height, width);
    return NULL;
  }
  if (height >= 1 && width >= 1 && J >= 1 && J <= SPH_MORLET_MAX_SCALES &&
      (height % (INT64_C(1) << J) != 0 || width % (INT64_C(1) << J) != 0)) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "scattering covariances: the image sides (%" PRId64 " x %" PRId64
                  ") must be multiples of 2^J = %" PRId64 " for the periodic wavelets; crop "
                  "the image or lower J", height, width, INT64_C(1) << J);
    return NULL;
  }
  if (height > 0 && width > 0 && height * width > INT32_MAX) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "scattering covariances: an image of %" PRId64 " x %" PRId64
                  " pixels is above the 2^31 pixels handled; crop or rebin it", height, width);
    return NULL;
  }
  SphMorletBank *bank = sph_morlet_bank_new(height, width, J, L, SPH_BOUNDARY_PERIODIC, err);
  if (bank == NULL) {
    sph_error_prefix(err, "scattering covariances");
    return NULL;
  }
  SphScatteringCov *plan = calloc(1, sizeof *plan);
  if (plan == NULL) {
    sph_morlet_bank_free(bank);
    sph_error_set(err, SPH_ERR_NOMEM, "scattering covariances: out of memory");
    return NULL;
  }
  plan->bank = bank;
  plan->height = height;
  plan->width = width;
  plan->npix = height * width;
  plan->J = J;
  plan->L = L;
  plan->nw = J * L;
  plan->norm = norm;
  plan->npairs = count_pairs(J, L);
  plan->ntriples = count_triples(J, L);
  plan->off_s1 = 2;
  plan->off_s2 = plan->off_s1 + plan->nw;
  plan->off_s3 = plan->off_s2 + plan->nw;
  plan->off_s4 = plan->off_s3 + 2 * plan->npairs;
  plan->nstats = plan->off_s4 + 2 * plan->ntriples;
  plan->pairs = malloc((size_t)plan->npairs * sizeof *plan->pairs);
  plan->triples = malloc((size_t)plan->ntriples * sizeof *plan->triples);
  double complex *scratch = sph_alloc_aligned((size_t)plan->npix, sizeof(double complex), err);
  if (plan->pairs == NULL || plan->triples == NULL || scratch == NULL) {
    if (scratch != NULL)
      sph_error_set(err, SPH_ERR_NOMEM, "scattering covariances: out of memory");
    else
      sph_error_prefix(err, "scattering covariances");
    sph_free_aligned(scratch);
    sph_scattering_cov_free(plan);
    return NULL;
  }
  int64_t p = 0, t = 0;
  for (int a = 0; a < plan->nw; a++)
    for (int b = 0; b < plan->nw; b++)
      if (b / L >= a / L)
        plan->pairs[p++] = (Pair){a, b};
  for (int a = 0; a < plan->nw; a++)
    for (int b = 0; b < plan->nw; b++)
      for (int c = 0; c < plan->nw; c++)
        if (b / L >= a / L && c / L >= b / L)
          plan->triples[t++] = (Triple){a, b, c};
  if (make_bands(plan) != SPH_OK) {
    sph_error_set(err, SPH_ERR_NOMEM, "scattering covariances: out of memory");
    sph_free_aligned(scratch);
    sph_scattering_cov_free(plan);
    return NULL;
  }
  int n[2] = {(int)height, (int)width};
  sph_fftw_planner_lock();
  plan->forward = fftw_plan_dft(2, n, (fftw_complex *)scratch, (fftw_complex *)scratch,
                                FFTW_FORWARD, FFTW_ESTIMATE);
  plan->backward = fftw_plan_dft(2, n, (fftw_complex *)scratch, (fftw_complex *)scratch,
                                 FFTW_BACKWARD, FFTW_ESTIMATE);
  sph_fftw_planner_unlock();
  sph_free_aligned(scratch);
  if (plan->forward == NULL || plan->backward == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "scattering covariances: FFTW could not plan a %" PRId64
                  " x %" PRId64 " transform", height, width);
    sph_scattering_cov_free(plan);
    return NULL;
  }
  return plan;
}

SphStatus sph_scattering_cov_set_reference(SphScatteringCov *plan, const double *s2,
                                           SphError *err)
{
  for (int a = 0; a < plan->nw; a++)
    if (!(s2[a] > 0) || !isfinite(s2[a]))
      return sph_error_set(err, SPH_ERR_INVALID,
                           "scattering covariances: reference S2[j = %d, l = %d] = %g is not a "
                           "positive number", a / plan->L, a % plan->L, s2[a]);
  if (plan->reference == NULL) {
    plan->reference = malloc((size_t)plan->nw * sizeof *plan->reference);
    if (plan->reference == NULL)
      return sph_error_set(err, SPH_ERR_NOMEM, "scattering covariances: out of memory");
  }
  memcpy(plan->reference, s2, (size_t)plan->nw * sizeof *s2);
  return SPH_OK;
}

const SphMorletBank *sph_scattering_cov_bank(const SphScatteringCov *plan)
{
  return plan->bank;
}

int64_t sph_scattering_cov_nstats(const SphScatteringCov *plan)
{
  return plan->nstats;
}

SphScatCovNorm sph_scattering_cov_norm(const SphScatteringCov *plan)
{
  return plan->norm;
}

int64_t sph_scattering_cov_s2_index(const SphScatteringCov *plan, int j, int l)
{
  return plan->off_s2 + (int64_t)j * plan->L + l;
}

const char *sph_scattering_cov_kind_name(SphScatCovKind kind)
{
  static const char *const names[] = {"S0", "P", "S1", "S2", "S3", "S4"};
  return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

SphScatCovLabel sph_scattering_cov_label(const SphScatteringCov *plan, int64_t index)
{
  SphScatCovLabel lab = {SPH_SCATCOV_MEAN, 0, -1, -1, -1, -1, -1, -1};
  int L = plan->L;
  if (index == 1) {
    lab.kind = SPH_SCATCOV_POWER;
  } else if (index >= plan->off_s1 && index < plan->off_s3) {
    bool s2 = index >= plan->off_s2;
    int64_t a = index - (s2 ? plan->off_s2 : plan->off_s1);
    lab.kind = s2 ? SPH_SCATCOV_S2 : SPH_SCATCOV_S1;
    lab.j1 = (int)(a / L);
    lab.l1 = (int)(a % L);
  } else if (index >= plan->off_s3 && index < plan->off_s4) {
    const Pair *p = &plan->pairs[(index - plan->off_s3) / 2];
    lab.kind = SPH_SCATCOV_S3;
    lab.imag = (int)((index - plan->off_s3) % 2);
    lab.j1 = p->a / L, lab.l1 = p->a % L;
    lab.j2 = p->b / L, lab.l2 = p->b % L;
  } else if (index >= plan->off_s4 && index < plan->nstats) {
    const Triple *t = &plan->triples[(index - plan->off_s4) / 2];
    lab.kind = SPH_SCATCOV_S4;
    lab.imag = (int)((index - plan->off_s4) % 2);
    lab.j1 = t->a / L, lab.l1 = t->a % L;
    lab.j2 = t->b / L, lab.l2 = t->b % L;
    lab.j3 = t->c / L, lab.l3 = t->c % L;
  }
  return lab;
}

/* sum over the band of psi, frequency 0 left out, of psi^2 a conj(b): the covariance
 * of a * psi and b * psi times N^2. */
static double complex psi2_cross(const Band *band, const double complex *a,
                                 const double complex *b)
{
  double complex sum = 0;
  for (int64_t i = 0; i < band->count; i++) {
    int64_t k = band->index[i];
    sum += band->psi2[i] * a[k] * conj(b[k]);
  }
  return sum;
}

/* dst += coef psi^2 src over the same frequencies. */
static void psi2_accumulate(const Band *band, double complex coef, const double complex *src,
                            double complex *dst)
{
  for (int64_t i = 0; i < band->count; i++) {
    int64_t k = band->index[i];
    dst[k] += coef * band->psi2[i] * src[k];
  }
}

static const double *psi_of(const SphScatteringCov *plan, int a)
{
  return sph_morlet_bank_psi(plan->bank, a / plan->L, a % plan->L);
}

static void fields_free(Fields *f)
{
  sph_free_aligned(f->xhat);
  sph_free_aligned(f->w);
  sph_free_aligned(f->uhat);
}

/* The raw (unnormalised) statistics and the fields they came from. */
static SphStatus evaluate(const SphScatteringCov *plan, const double *image, double *raw,
                          Fields *f, SphError *err)
{
  const int64_t n = plan->npix, nw = plan->nw;
  for (int64_t i = 0; i < n; i++)
    if (!isfinite(image[i]))
      return sph_error_set(err, SPH_ERR_INVALID,
                           "scattering covariances: pixel (%" PRId64 ", %" PRId64
                           ") is not a finite number", i / plan->width, i % plan->width);
  f->xhat = sph_alloc_aligned((size_t)n, sizeof(double complex), err);
  f->w = f->xhat == NULL ? NULL : sph_alloc_aligned((size_t)(n * nw), sizeof(double complex), err);
  f->uhat = f->w == NULL ? NULL : sph_alloc_aligned((size_t)(n * nw), sizeof(double complex), err);
  if (f->uhat == NULL) {
    fields_free(f);
    return sph_error_prefix(err, "scattering covariances of a %" PRId64 " x %" PRId64 " image",
                            plan->height, plan->width);
  }
  double sum = 0, sum2 = 0;
  for (int64_t i = 0; i < n; i++) {
    f->xhat[i] = image[i];
    sum += image[i];
    sum2 += image[i] * image[i];
  }
  raw[0] = sum / (double)n;
  raw[1] = sum2 / (double)n;
  fftw_execute_dft(plan->forward, (fftw_complex *)f->xhat, (fftw_complex *)f->xhat);
  const double inv_n = 1.0 / (double)n;
#pragma omp parallel for schedule(dynamic) if (n >= PARALLEL_PIXELS)
  for (int64_t a = 0; a < nw; a++) {
    const double *psi = psi_of(plan, (int)a);
    double complex *w = f->w + a * n, *u = f->uhat + a * n;
    for (int64_t i = 0; i < n; i++)
      w[i] = f->xhat[i] * (psi[i] * inv_n);
    fftw_execute_dft(plan->backward, (fftw_complex *)w, (fftw_complex *)w);
    double s1 = 0, s2 = 0;
    for (int64_t i = 0; i < n; i++) {
      double m = cabs(w[i]);
      s1 += m;
      s2 += m * m;
      u[i] = m;
    }
    raw[plan->off_s1 + a] = s1 * inv_n;
    raw[plan->off_s2 + a] = s2 * inv_n;
    fftw_execute_dft(plan->forward, (fftw_complex *)u, (fftw_complex *)u);
  }
  const double inv_n2 = inv_n * inv_n;
#pragma omp parallel for schedule(dynamic, 4) if (n >= PARALLEL_PIXELS)
  for (int64_t p = 0; p < plan->npairs; p++) {
    const Pair *q = &plan->pairs[p];
    double complex c = psi2_cross(&plan->bands[q->b], f->xhat, f->uhat + q->a * n) * inv_n2;
    raw[plan->off_s3 + 2 * p] = creal(c);
    raw[plan->off_s3 + 2 * p + 1] = cimag(c);
  }
#pragma omp parallel for schedule(dynamic, 16) if (n >= PARALLEL_PIXELS)
  for (int64_t t = 0; t < plan->ntriples; t++) {
    const Triple *q = &plan->triples[t];
    double complex c = psi2_cross(&plan->bands[q->c], f->uhat + q->a * n, f->uhat + q->b * n) * inv_n2;
    raw[plan->off_s4 + 2 * t] = creal(c);
    raw[plan->off_s4 + 2 * t + 1] = cimag(c);
  }
  return SPH_OK;
}

static SphStatus norm_variances(const SphScatteringCov *plan, const double *raw,
                                const double **s2, SphError *err)
{
  *s2 = NULL;
  if (plan->norm == SPH_SCATCOV_NORM_SELF) {
    *s2 = raw + plan->off_s2;
    for (int a = 0; a < plan->nw; a++)
      if (!(raw[plan->off_s2 + a] > 0))
        return sph_error_set(err, SPH_ERR_INVALID,
                             "scattering covariances: the image has no power at scale j = %d, "
                             "orientation l = %d, so it cannot be normalised by it (a constant "
                             "image?); use no normalisation", a / plan->L, a % plan->L);
  } else if (plan->norm == SPH_SCATCOV_NORM_REFERENCE) {
    if (plan->reference == NULL)
      return sph_error_set(err, SPH_ERR_INVALID,
                           "scattering covariances: normalisation by a reference S2, but no "
                           "reference was set");
    *s2 = plan->reference;
  }
  return SPH_OK;
}

/* The statistics from the raw ones: S1, S3, S4 divided as the header says. */
static void normalise(const SphScatteringCov *plan, const double *raw, const double *s2,
                      double *stats)
{
  memcpy(stats, raw, (size_t)plan->nstats * sizeof *stats);
  if (s2 == NULL)
    return;
  for (int a = 0; a < plan->nw; a++)
    stats[plan->off_s1 + a] /= sqrt(s2[a]);
  for (int64_t p = 0; p < plan->npairs; p++) {
    double d = sqrt(s2[plan->pairs[p].a] * s2[plan->pairs[p].b]);
    stats[plan->off_s3 + 2 * p] /= d;
    stats[plan->off_s3 + 2 * p + 1] /= d;
  }
  for (int64_t t = 0; t < plan->ntriples; t++) {
    double d = sqrt(s2[plan->triples[t].a] * s2[plan->triples[t].b]);
    stats[plan->off_s4 + 2 * t] /= d;
    stats[plan->off_s4 + 2 * t + 1] /= d;
  }
}

SphStatus sph_scattering_cov_forward(const SphScatteringCov *plan, const double *image,
                                     double *stats, SphError *err)
{
  Fields f = {0};
  double *raw = malloc((size_t)plan->nstats * sizeof *raw);
  if (raw == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "scattering covariances: out of memory");
  SphStatus st = evaluate(plan, image, raw, &f, err);
  const double *s2 = NULL;
  if (st == SPH_OK)
    st = norm_variances(plan, raw, &s2, err);
  if (st == SPH_OK)
    normalise(plan, raw, s2, stats);
  if (f.xhat != NULL)
    fields_free(&f);
  free(raw);
  return st;
}

SphStatus sph_scattering_cov_wavelet_power(const SphScatteringCov *plan, const double *image,
                                           double *s2, SphError *err)
{
  const int64_t n = plan->npix;
  for (int64_t i = 0; i < n; i++)
    if (!isfinite(image[i]))
      return sph_error_set(err, SPH_ERR_INVALID,
                           "scattering covariances: pixel (%" PRId64 ", %" PRId64
                           ") is not a finite number", i / plan->width, i % plan->width);
  double complex *xhat = sph_alloc_aligned((size_t)n, sizeof(double complex), err);
  if (xhat == NULL)
    return sph_error_prefix(err, "wavelet power");
  for (int64_t i = 0; i < n; i++)
    xhat[i] = image[i];
  fftw_execute_dft(plan->forward, (fftw_complex *)xhat, (fftw_complex *)xhat);
  const double inv_n2 = 1.0 / ((double)n * (double)n);
  for (int a = 0; a < plan->nw; a++) {
    const double *psi = psi_of(plan, a);
    double sum = 0;
    for (int64_t k = 0; k < n; k++)
      sum += psi[k] * psi[k] * (creal(xhat[k]) * creal(xhat[k]) + cimag(xhat[k]) * cimag(xhat[k]));
    s2[a] = sum * inv_n2;
  }
  sph_free_aligned(xhat);
  return SPH_OK;
}

/* The weights on the raw statistics that give the same first-order change of
 * sum weights . stats: the quotient rule, through S2 too when it normalises (SELF). */
static void raw_weights(const SphScatteringCov *plan, const double *raw, const double *s2,
                        const double *weights, double *wr)
{
  memcpy(wr, weights, (size_t)plan->nstats * sizeof *wr);
  if (s2 == NULL)
    return;
  bool self = plan->norm == SPH_SCATCOV_NORM_SELF;
  double *ws2 = wr + plan->off_s2;
  for (int a = 0; a < plan->nw; a++) {
    double w = weights[plan->off_s1 + a];
    wr[plan->off_s1 + a] = w / sqrt(s2[a]);
    if (self)
      ws2[a] -= 0.5 * w * raw[plan->off_s1 + a] / (sqrt(s2[a]) * s2[a]);
  }
  for (int64_t i = 0; i < 2 * (plan->npairs + plan->ntriples); i++) {
    int64_t k = plan->off_s3 + i;
    int a, b;
    if (i < 2 * plan->npairs) {
      a = plan->pairs[i / 2].a;
      b = plan->pairs[i / 2].b;
    } else {
      a = plan->triples[(i - 2 * plan->npairs) / 2].a;
      b = plan->triples[(i - 2 * plan->npairs) / 2].b;
    }
    double d = sqrt(s2[a] * s2[b]);
    wr[k] = weights[k] / d;
    if (self) {
      double g = -0.5 * weights[k] * raw[k] / d;
      ws2[a] += g / s2[a];
      ws2[b] += g / s2[b];
    }
  }
}

SphStatus sph_scattering_cov_gradient(const SphScatteringCov *plan, const double *image,
                                      const double *weights, double *stats, double *image_grad,
                                      SphError *err)
{
  const int64_t n = plan->npix, nw = plan->nw;
  Fields f = {0};
  double *raw = malloc((size_t)plan->nstats * 2 * sizeof *raw);
  if (raw == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "scattering covariances: out of memory");
  double *wr = raw + plan->nstats;
  SphStatus st = evaluate(plan, image, raw, &f, err);
  const double *s2 = NULL;
  if (st == SPH_OK)
    st = norm_variances(plan, raw, &s2, err);
  double complex *gx = NULL, *gu = NULL;
  if (st == SPH_OK) {
    gx = sph_calloc_aligned((size_t)n, sizeof(double complex), err);
    gu = gx == NULL ? NULL : sph_calloc_aligned((size_t)(n * nw), sizeof(double complex), err);
    if (gu == NULL)
      st = sph_error_prefix(err, "scattering covariance gradient");
  }
  if (st != SPH_OK) {
    sph_free_aligned(gx);
    if (f.xhat != NULL)
      fields_free(&f);
    free(raw);
    return st;
  }
  if (stats != NULL)
    normalise(plan, raw, s2, stats);
  raw_weights(plan, raw, s2, weights, wr);
  const double inv_n = 1.0 / (double)n, inv_n2 = inv_n * inv_n;

  /* S3 onto the image's spectrum: N^-2 omega psi_b^2 U_a^. */
  for (int64_t p = 0; p < plan->npairs; p++) {
    const Pair *q = &plan->pairs[p];
    double complex omega = (wr[plan->off_s3 + 2 * p] + I * wr[plan->off_s3 + 2 * p + 1]) * inv_n2;
    if (omega != 0)
      psi2_accumulate(&plan->bands[q->b], omega,
                      f.uhat + q->a * n, gx);
  }
  /* Everything onto each modulus's spectrum, one wavelet per thread; then back through
   * the modulus and the wavelet. */
#pragma omp parallel for schedule(dynamic) if (n >= PARALLEL_PIXELS)
  for (int64_t a = 0; a < nw; a++) {
    double complex *g = gu + a * n;
    g[0] += wr[plan->off_s1 + a] * inv_n;
    for (int64_t p = 0; p < plan->npairs; p++) {
      const Pair *q = &plan->pairs[p];
      if (q->a != a)
        continue;
      double complex omega = (wr[plan->off_s3 + 2 * p] + I * wr[plan->off_s3 + 2 * p + 1]) * inv_n2;
      if (omega != 0)
        psi2_accumulate(&plan->bands[q->b], conj(omega),
                        f.xhat, g);
    }
    for (int64_t t = 0; t < plan->ntriples; t++) {
      const Triple *q = &plan->triples[t];
      if (q->a != a && q->b != a)
        continue;
      double complex omega = (wr[plan->off_s4 + 2 * t] + I * wr[plan->off_s4 + 2 * t + 1]) * inv_n2;
      if (omega == 0)
        continue;
      if (q->a == a)
        psi2_accumulate(&plan->bands[q->c], omega,
                        f.uhat + q->b * n, g);
      if (q->b == a)
        psi2_accumulate(&plan->bands[q->c], conj(omega),
                        f.uhat + q->a * n, g);
    }
    fftw_execute_dft(plan->backward, (fftw_complex *)g, (fftw_complex *)g);
    const double complex *w = f.w + a * n;
    const double two_s2 = 2.0 * wr[plan->off_s2 + a] * inv_n;
    for (int64_t i = 0; i < n; i++) {
      double m = cabs(w[i]);
      double gm = creal(g[i]);
      g[i] = (m > 0 ? gm / m : 0.0) * w[i] + two_s2 * w[i];
    }
    fftw_execute_dft(plan->forward, (fftw_complex *)g, (fftw_complex *)g);
    const double *psi = psi_of(plan, (int)a);
    for (int64_t i = 0; i < n; i++)
      g[i] *= psi[i] * inv_n;
  }
  for (int64_t a = 0; a < nw; a++) {
    const double complex *g = gu + a * n;
    for (int64_t i = 0; i < n; i++)
      gx[i] += g[i];
  }
  fftw_execute_dft(plan->backward, (fftw_complex *)gx, (fftw_complex *)gx);
  for (int64_t i = 0; i < n; i++)
    image_grad[i] = creal(gx[i]) + wr[0] * inv_n + 2.0 * wr[1] * image[i] * inv_n;
  sph_free_aligned(gx);
  sph_free_aligned(gu);
  fields_free(&f);
  free(raw);
  return SPH_OK;
}
