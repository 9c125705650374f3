/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/scattering.h"
#include "morlet_internal.h"

#include <fftw3.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/fftw_lock.h"
#include "sphaera/mem.h"

struct SphScattering2D {
  SphMorletBank *bank;
  int J, L, max_order;
  int64_t rows[SPH_MORLET_MAX_SCALES + 1], cols[SPH_MORLET_MAX_SCALES + 1]; /* grid at 2^res */
  fftw_plan forward[SPH_MORLET_MAX_SCALES + 1], backward[SPH_MORLET_MAX_SCALES + 1];
  int64_t ncoeffs;
  int64_t out_rows, out_cols, border; /* border: kymatio's unpadding, 1 under REFLECT */
  int64_t *second_start;              /* index of the first S2 of each first-order path */
};

int64_t sph_scattering2d_count(int J, int L, int max_order)
{
  if (J < 1 || J > SPH_MORLET_MAX_SCALES || L < 1 || L > SPH_MORLET_MAX_ORIENTATIONS ||
      max_order < 1 || max_order > 2)
    return -1;
  int64_t n = 1 + (int64_t)J * L;
  if (max_order == 2)
    n += (int64_t)L * L * J * (J - 1) / 2;
  return n;
}

void sph_scattering2d_free(SphScattering2D *plan)
{
  if (plan == NULL)
    return;
  sph_fftw_planner_lock();
  for (int r = 0; r <= SPH_MORLET_MAX_SCALES; r++) {
    if (plan->forward[r] != NULL)
      fftw_destroy_plan(plan->forward[r]);
    if (plan->backward[r] != NULL)
      fftw_destroy_plan(plan->backward[r]);
  }
  sph_fftw_planner_unlock();
  sph_morlet_bank_free(plan->bank);
  free(plan->second_start);
  free(plan);
}

SphScattering2D *sph_scattering2d_new(int64_t height, int64_t width, int J, int L,
                                      int max_order, SphBoundary boundary, SphError *err)
{
  if (max_order < 1 || max_order > 2) {
    sph_error_set(err, SPH_ERR_INVALID, "scattering: order %d is not 1 or 2", max_order);
    return NULL;
  }
  SphMorletBank *bank = sph_morlet_bank_new(height, width, J, L, boundary, err);
  if (bank == NULL) {
    sph_error_prefix(err, "scattering");
    return NULL;
  }
  SphScattering2D *plan = calloc(1, sizeof *plan);
  int64_t *starts = calloc((size_t)(J * L), sizeof *starts);
  if (plan == NULL || starts == NULL) {
    free(plan);
    free(starts);
    sph_morlet_bank_free(bank);
    sph_error_set(err, SPH_ERR_NOMEM, "scattering: out of memory");
    return NULL;
  }
  plan->bank = bank;
  plan->second_start = starts;
  plan->J = J;
  plan->L = L;
  plan->max_order = max_order;
  plan->ncoeffs = sph_scattering2d_count(J, L, max_order);
  sph_morlet_bank_grid(bank, &plan->rows[0], &plan->cols[0], NULL, NULL);
  for (int r = 1; r <= J && r <= SPH_MORLET_MAX_SCALES; r++) {
    plan->rows[r] = plan->rows[0] >> r;
    plan->cols[r] = plan->cols[0] >> r;
  }
  plan->border = boundary == SPH_BOUNDARY_REFLECT ? 1 : 0;
  plan->out_rows = plan->rows[J] - 2 * plan->border;
  plan->out_cols = plan->cols[J] - 2 * plan->border;
  int64_t next = 1 + (int64_t)J * L;
  for (int n1 = 0; n1 < J * L; n1++) {
    starts[n1] = next;
    next += (int64_t)L * (J - 1 - n1 / L);
  }

  double complex *scratch = sph_alloc_aligned((size_t)(plan->rows[0] * plan->cols[0]),
                                              sizeof(double complex), err);
  if (scratch == NULL) {
    sph_scattering2d_free(plan);
    sph_error_prefix(err, "scattering");
    return NULL;
  }
  bool planned = true;
  sph_fftw_planner_lock();
  for (int r = 0; r <= J; r++) {
    int n[2] = {(int)plan->rows[r], (int)plan->cols[r]};
    plan->forward[r] = fftw_plan_dft(2, n, (fftw_complex *)scratch, (fftw_complex *)scratch,
                                     FFTW_FORWARD, FFTW_ESTIMATE);
    plan->backward[r] = fftw_plan_dft(2, n, (fftw_complex *)scratch, (fftw_complex *)scratch,
                                      FFTW_BACKWARD, FFTW_ESTIMATE);
    planned = planned && plan->forward[r] != NULL && plan->backward[r] != NULL;
  }
  sph_fftw_planner_unlock();
  sph_free_aligned(scratch);
  if (!planned) {
    sph_scattering2d_free(plan);
    sph_error_set(err, SPH_ERR_UNSUPPORTED, "scattering: FFTW cannot plan the transforms");
    return NULL;
  }
  return plan;
}

const SphMorletBank *sph_scattering2d_bank(const SphScattering2D *plan)
{
  return plan->bank;
}

int64_t sph_scattering2d_ncoeffs(const SphScattering2D *plan)
{
  return plan->ncoeffs;
}

void sph_scattering2d_out_size(const SphScattering2D *plan, int64_t *height, int64_t *width)
{
  *height = plan->out_rows;
  *width = plan->out_cols;
}

SphScatterLabel sph_scattering2d_label(const SphScattering2D *plan, int64_t index)
{
  SphScatterLabel label = {0, -1, -1, -1, -1};
  if (index <= 0 || index >= plan->ncoeffs)
    return label;
  int JL = plan->J * plan->L;
  if (index <= JL) {
    label.order = 1;
    label.j1 = (int)(index - 1) / plan->L;
    label.l1 = (int)(index - 1) % plan->L;
    return label;
  }
  int n1 = JL - 1;
  while (plan->second_start[n1] > index || plan->L * (plan->J - 1 - n1 / plan->L) == 0)
    n1--;
  int64_t k = index - plan->second_start[n1];
  int j1 = n1 / plan->L;
  label.order = 2;
  label.j1 = j1;
  label.l1 = n1 % plan->L;
  label.j2 = j1 + 1 + (int)(k / plan->L);
  label.l2 = (int)(k % plan->L);
  return label;
}

/* ---- the steps, each on a spectrum at resolution r (rows[r] x cols[r]) ---- */

/* The spectrum at resolution r of psi_{j,l}, or of phi when l = -1, and its support. */
static const double *filter_at(const SphScattering2D *plan, int j, int l, int r,
                               const SphMorletSupport **support)
{
  *support = sph_morlet_bank_support(plan->bank, j, l, r);
  return l < 0 ? sph_morlet_bank_phi_at(plan->bank, r) : sph_morlet_bank_psi_at(plan->bank, j, l, r);
}

/* dst (at resolution r + shift) = the k x k block mean of src * filter (psi_{j,l}, or
 * phi for l = -1), k = 2^shift: filtering then keeping every k-th pixel, in Fourier
 * space, visiting only the filter's nonzero runs. */
static void filter_subsample(const SphScattering2D *plan, int r, int shift,
                             const double complex *src, int j, int l, double complex *dst)
{
  const SphMorletSupport *sup;
  const double *filter = filter_at(plan, j, l, r, &sup);
  const int64_t P = plan->rows[r], Q = plan->cols[r];
  const int64_t p = plan->rows[r + shift], q = plan->cols[r + shift];
  const double scale = 1.0 / (double)((int64_t)1 << (2 * shift));
  memset(dst, 0, (size_t)(p * q) * sizeof(double complex));
  for (int64_t k1 = 0; k1 < P; k1++) {
    double complex *restrict row = dst + (k1 - (k1 / p) * p) * q;
    const double complex *restrict s = src + k1 * Q;
    const double *restrict f = filter + k1 * Q;
    for (int64_t n = sup->row_start[k1]; n < sup->row_start[k1 + 1]; n++) {
      int64_t c = sup->spans[n][0], end = sup->spans[n][1];
      while (c < end) {
        int64_t stop = (c / q + 1) * q;
        if (stop > end)
          stop = end;
        /* As interleaved doubles, so that the loop vectorises. */
        double *restrict d = (double *)(row - (c / q) * q);
        const double *restrict sd = (const double *)s;
#pragma omp simd
        for (int64_t k2 = c; k2 < stop; k2++) {
          d[2 * k2] += sd[2 * k2] * f[k2];
          d[2 * k2 + 1] += sd[2 * k2 + 1] * f[k2];
        }
        c = stop;
      }
    }
  }
  for (int64_t i = 0; i < p * q; i++)
    dst[i] *= scale;
}

/* The adjoint of filter_subsample followed by the normalised inverse DFT, up to that
 * inverse: acc (resolution r) += filter * (src's spectrum at r + shift, tiled). */
static void tile_filter_accumulate(const SphScattering2D *plan, int r, int shift,
                                   const double complex *src, int j, int l, double complex *acc)
{
  const SphMorletSupport *sup;
  const double *filter = filter_at(plan, j, l, r, &sup);
  const int64_t P = plan->rows[r], Q = plan->cols[r];
  const int64_t p = plan->rows[r + shift], q = plan->cols[r + shift];
  for (int64_t k1 = 0; k1 < P; k1++) {
    const double complex *restrict row = src + (k1 - (k1 / p) * p) * q;
    double complex *restrict a = acc + k1 * Q;
    const double *restrict f = filter + k1 * Q;
    for (int64_t n = sup->row_start[k1]; n < sup->row_start[k1 + 1]; n++) {
      int64_t c = sup->spans[n][0], end = sup->spans[n][1];
      while (c < end) {
        int64_t stop = (c / q + 1) * q;
        if (stop > end)
          stop = end;
        const double *restrict t = (const double *)(row - (c / q) * q);
        double *restrict ad = (double *)a;
#pragma omp simd
        for (int64_t k2 = c; k2 < stop; k2++) {
          ad[2 * k2] += f[k2] * t[2 * k2];
          ad[2 * k2 + 1] += f[k2] * t[2 * k2 + 1];
        }
        c = stop;
      }
    }
  }
}

/* In place: the normalised inverse DFT at resolution r. */
static void inverse(const SphScattering2D *plan, int r, double complex *x)
{
  fftw_execute_dft(plan->backward[r], (fftw_complex *)x, (fftw_complex *)x);
  const int64_t n = 2 * plan->rows[r] * plan->cols[r]; /* doubles */
  const double scale = 1.0 / (double)(plan->rows[r] * plan->cols[r]);
  double *restrict v = (double *)x;
#pragma omp simd
  for (int64_t i = 0; i < n; i++)
    v[i] *= scale;
}

static void forward(const SphScattering2D *plan, int r, double complex *x)
{
  fftw_execute_dft(plan->forward[r], (fftw_complex *)x, (fftw_complex *)x);
}

/* The real (or imaginary) part of a map at resolution J, without kymatio's border. */
static void unpad(const SphScattering2D *plan, const double complex *small, bool imaginary,
                  double *out)
{
  const int64_t q = plan->cols[plan->J], b = plan->border;
  for (int64_t i = 0; i < plan->out_rows; i++)
    for (int64_t k = 0; k < plan->out_cols; k++)
      out[i * plan->out_cols + k] = imaginary ? cimag(small[(i + b) * q + k + b])
                                              : creal(small[(i + b) * q + k + b]);
}

/* The adjoint of unpad: weights on the full resolution-J grid, zero on the border. */
static void unpad_adjoint(const SphScattering2D *plan, const double *weights, double complex *small)
{
  const int64_t q = plan->cols[plan->J], b = plan->border;
  memset(small, 0, (size_t)(plan->rows[plan->J] * q) * sizeof(double complex));
  for (int64_t i = 0; i < plan->out_rows; i++)
    for (int64_t k = 0; k < plan->out_cols; k++)
      small[(i + b) * q + k + b] = weights[i * plan->out_cols + k];
}

/* The modulus, in place, keeping z in saved when saved is not NULL. */
static void modulus(int64_t n, double complex *x, double complex *saved)
{
  if (saved != NULL)
    memcpy(saved, x, (size_t)n * sizeof *x);
  /* Not cabs(): hypot's care for overflow costs a tenth of the transform. */
  double *restrict v = (double *)x;
#pragma omp simd
  for (int64_t i = 0; i < n; i++) {
    double re = v[2 * i], im = v[2 * i + 1];
    v[2 * i] = sqrt(re * re + im * im);
    v[2 * i + 1] = 0;
  }
}

/* The adjoint of the modulus at z: real gradient g times z / |z|, in place on g. */
static void modulus_adjoint(int64_t n, const double complex *z, double complex *g)
{
  for (int64_t i = 0; i < n; i++) {
    double re = creal(z[i]), im = cimag(z[i]);
    double a = sqrt(re * re + im * im);
    g[i] = a > 0 ? creal(g[i]) * z[i] / a : 0;
  }
}

/* Scratch for one thread: spectra at resolution 0 (first layer), and below. */
typedef struct {
  double complex *u1, *z1, *u2, *z2, *small, *back1, *back2;
} Scratch;

static void scratch_free(Scratch *s)
{
  sph_free_aligned(s->u1);
  sph_free_aligned(s->z1);
  sph_free_aligned(s->u2);
  sph_free_aligned(s->z2);
  sph_free_aligned(s->small);
  sph_free_aligned(s->back1);
  sph_free_aligned(s->back2);
}

static bool scratch_alloc(const SphScattering2D *plan, bool backward_pass, Scratch *s)
{
  size_t n0 = (size_t)(plan->rows[0] * plan->cols[0]);
  size_t n1 = (size_t)(plan->rows[1] * plan->cols[1]);
  size_t nJ = (size_t)(plan->rows[plan->J] * plan->cols[plan->J]);
  size_t c = sizeof(double complex);
  *s = (Scratch){0};
  s->u1 = sph_alloc_aligned(n0, c, NULL);
  s->u2 = sph_alloc_aligned(n1, c, NULL);
  s->small = sph_alloc_aligned(nJ, c, NULL);
  s->z2 = sph_alloc_aligned(n1, c, NULL);
  bool ok = s->u1 != NULL && s->u2 != NULL && s->small != NULL && s->z2 != NULL;
  if (backward_pass) {
    s->z1 = sph_alloc_aligned(n0, c, NULL);
    s->back1 = sph_alloc_aligned(n0, c, NULL);
    s->back2 = sph_alloc_aligned(n1, c, NULL);
    ok = ok && s->z1 != NULL && s->back1 != NULL && s->back2 != NULL;
  }
  return ok;
}

/* S = unpad(U * phi at resolution r, subsampled to J) from U's spectrum. */
static void lowpass_out(const SphScattering2D *plan, int r, const double complex *spectrum,
                        double complex *small, double *out)
{
  filter_subsample(plan, r, plan->J - r, spectrum, 0, -1, small);
  inverse(plan, plan->J, small);
  unpad(plan, small, false, out);
}

/* The spectrum (resolution 0) of the padded image. */
static double complex *image_spectrum(const SphScattering2D *plan, const double *image, SphError *err)
{
  double complex *x = sph_alloc_aligned((size_t)(plan->rows[0] * plan->cols[0]),
                                        sizeof(double complex), err);
  if (x == NULL)
    return NULL;
  sph_morlet_pad(plan->bank, image, x);
  forward(plan, 0, x);
  return x;
}

SphStatus sph_scattering2d_forward(const SphScattering2D *plan, const double *image,
                                   double *coeffs, SphError *err)
{
  const int J = plan->J, L = plan->L;
  const int64_t npix_out = plan->out_rows * plan->out_cols;
  double complex *x = image_spectrum(plan, image, err);
  if (x == NULL)
    return sph_error_prefix(err, "scattering");
  bool failed = false;
#pragma omp parallel
  {
    Scratch s;
    bool ok = scratch_alloc(plan, false, &s);
    if (!ok) {
#pragma omp atomic write
      failed = true;
    }
#pragma omp single
    if (ok)
      lowpass_out(plan, 0, x, s.small, coeffs);
#pragma omp for schedule(dynamic)
    for (int n1 = 0; n1 < J * L; n1++) {
      if (!ok)
        continue;
      int j1 = n1 / L, l1 = n1 % L;
      filter_subsample(plan, 0, j1, x, j1, l1, s.u1);
      inverse(plan, j1, s.u1);
      modulus(plan->rows[j1] * plan->cols[j1], s.u1, NULL);
      forward(plan, j1, s.u1);
      lowpass_out(plan, j1, s.u1, s.small, coeffs + (1 + n1) * npix_out);
      if (plan->max_order < 2)
        continue;
      int64_t index = plan->second_start[n1];
      for (int j2 = j1 + 1; j2 < J; j2++) {
        /* Two real moduli travel as one complex map, a + i b: the low-pass keeps real
         * maps real, so its output is S(a) + i S(b), for half the transforms. */
        const int64_t m2 = plan->rows[j2] * plan->cols[j2];
        for (int l2 = 0; l2 < L; l2 += 2, index += 2) {
          filter_subsample(plan, j1, j2 - j1, s.u1, j2, l2, s.u2);
          inverse(plan, j2, s.u2);
          modulus(m2, s.u2, NULL);
          bool pair = l2 + 1 < L;
          if (pair) {
            filter_subsample(plan, j1, j2 - j1, s.u1, j2, l2 + 1, s.z2);
            inverse(plan, j2, s.z2);
            modulus(m2, s.z2, NULL);
            for (int64_t i = 0; i < m2; i++)
              s.u2[i] += I * creal(s.z2[i]);
          }
          forward(plan, j2, s.u2);
          filter_subsample(plan, j2, J - j2, s.u2, 0, -1, s.small);
          inverse(plan, J, s.small);
          unpad(plan, s.small, false, coeffs + index * npix_out);
          if (pair)
            unpad(plan, s.small, true, coeffs + (index + 1) * npix_out);
        }
        index -= (L % 2); /* an odd L's last step counted a partner it lacks */
      }
    }
    scratch_free(&s);
  }
  sph_free_aligned(x);
  if (failed)
    return sph_error_set(err, SPH_ERR_NOMEM, "scattering: out of memory for scratch");
  return SPH_OK;
}

/* The adjoint of lowpass_out up to the last inverse DFT: acc (resolution r) +=
 * phi * tiled spectrum of the unpadded weights. */
static void lowpass_adjoint(const SphScattering2D *plan, int r, const double *weights,
                            double complex *small, double complex *acc)
{
  unpad_adjoint(plan, weights, small);
  forward(plan, plan->J, small);
  tile_filter_accumulate(plan, r, plan->J - r, small, 0, -1, acc);
}

SphStatus sph_scattering2d_gradient(const SphScattering2D *plan, const double *image,
                                    const double *coeff_weights, double *image_grad,
                                    SphError *err)
{
  const int J = plan->J, L = plan->L;
  const int64_t npix_out = plan->out_rows * plan->out_cols;
  const int64_t n0 = plan->rows[0] * plan->cols[0];
  double complex *x = image_spectrum(plan, image, err);
  double complex *acc = sph_calloc_aligned((size_t)n0, sizeof(double complex), err);
  double *padded = sph_alloc_aligned((size_t)n0, sizeof(double), err);
  if (x == NULL || acc == NULL || padded == NULL) {
    sph_free_aligned(x);
    sph_free_aligned(acc);
    sph_free_aligned(padded);
    return sph_error_prefix(err, "scattering gradient");
  }
  bool failed = false;
#pragma omp parallel
  {
    Scratch s;
    bool ok = scratch_alloc(plan, true, &s);
    double complex *mine = sph_calloc_aligned((size_t)n0, sizeof(double complex), NULL);
    if (!ok || mine == NULL) {
      ok = false;
#pragma omp atomic write
      failed = true;
    }
#pragma omp single
    if (ok)
      lowpass_adjoint(plan, 0, coeff_weights, s.small, mine);
#pragma omp for schedule(dynamic)
    for (int n1 = 0; n1 < J * L; n1++) {
      if (!ok)
        continue;
      int j1 = n1 / L, l1 = n1 % L;
      const int64_t m1 = plan->rows[j1] * plan->cols[j1];
      filter_subsample(plan, 0, j1, x, j1, l1, s.u1);
      inverse(plan, j1, s.u1);
      modulus(m1, s.u1, s.z1);
      forward(plan, j1, s.u1);
      memset(s.back1, 0, (size_t)m1 * sizeof(double complex));
      lowpass_adjoint(plan, j1, coeff_weights + (1 + n1) * npix_out, s.small, s.back1);
      if (plan->max_order == 2) {
        int64_t index = plan->second_start[n1];
        for (int j2 = j1 + 1; j2 < J; j2++) {
          const int64_t m2 = plan->rows[j2] * plan->cols[j2];
          for (int l2 = 0; l2 < L; l2++, index++) {
            filter_subsample(plan, j1, j2 - j1, s.u1, j2, l2, s.z2);
            inverse(plan, j2, s.z2);
            memset(s.back2, 0, (size_t)m2 * sizeof(double complex));
            lowpass_adjoint(plan, j2, coeff_weights + index * npix_out, s.small, s.back2);
            inverse(plan, j2, s.back2);
            modulus_adjoint(m2, s.z2, s.back2);
            forward(plan, j2, s.back2);
            tile_filter_accumulate(plan, j1, j2 - j1, s.back2, j2, l2, s.back1);
          }
        }
      }
      inverse(plan, j1, s.back1);
      modulus_adjoint(m1, s.z1, s.back1);
      forward(plan, j1, s.back1);
      tile_filter_accumulate(plan, 0, j1, s.back1, j1, l1, mine);
    }
    if (ok) {
#pragma omp critical(sph_scatter_gradient)
      for (int64_t i = 0; i < n0; i++)
        acc[i] += mine[i];
    }
    sph_free_aligned(mine);
    scratch_free(&s);
  }
  if (!failed) {
    inverse(plan, 0, acc);
    for (int64_t i = 0; i < n0; i++)
      padded[i] = creal(acc[i]);
    sph_morlet_pad_adjoint(plan->bank, padded, image_grad);
  }
  sph_free_aligned(x);
  sph_free_aligned(acc);
  sph_free_aligned(padded);
  if (failed)
    return sph_error_set(err, SPH_ERR_NOMEM, "scattering gradient: out of memory for scratch");
  return SPH_OK;
}

SphStatus sph_scattering2d_means(const SphScattering2D *plan, const double *image,
                                 double *means, SphError *err)
{
  const int64_t npix_out = plan->out_rows * plan->out_cols;
  double *coeffs = sph_alloc_aligned((size_t)(plan->ncoeffs * npix_out), sizeof(double), err);
  if (coeffs == NULL)
    return sph_error_prefix(err, "scattering");
  SphStatus st = sph_scattering2d_forward(plan, image, coeffs, err);
  if (st == SPH_OK) {
    for (int64_t c = 0; c < plan->ncoeffs; c++) {
      double sum = 0;
      for (int64_t i = 0; i < npix_out; i++)
        sum += coeffs[c * npix_out + i];
      means[c] = sum / (double)npix_out;
    }
  }
  sph_free_aligned(coeffs);
  return st;
}
