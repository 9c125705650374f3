/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Autocorrelation times as emcee computes them, down to the choice of FFT length and
 * window, so that its numbers and Sphaera's agree to rounding. */
#include "sphaera/diagnostics.h"
#include "sphaera/fftw_lock.h"

#include <fftw3.h>
#include <math.h>
#include <string.h>

#include "sphaera/mem.h"

typedef struct {
  size_t n, len; /* series length, FFT length 2 next_pow_two(n) */
  double *buf;
  fftw_complex *spec;
  fftw_plan fwd, inv;
} AcfPlan;

static size_t next_pow_two(size_t n)
{
  size_t i = 1;
  while (i < n)
    i <<= 1;
  return i;
}

static void acf_plan_free(AcfPlan *p)
{
  sph_fftw_planner_lock();
  if (p->fwd != NULL)
    fftw_destroy_plan(p->fwd);
  if (p->inv != NULL)
    fftw_destroy_plan(p->inv);
  sph_fftw_planner_unlock();
  fftw_free(p->buf);
  fftw_free(p->spec);
}

static SphStatus acf_plan_init(AcfPlan *p, size_t n, SphError *err)
{
  memset(p, 0, sizeof *p);
  p->n = n;
  p->len = 2 * next_pow_two(n);
  if (p->len > (size_t)1 << 30)
    return sph_error_set(err, SPH_ERR_INVALID, "autocorrelation: series of %zu steps is too long", n);
  p->buf = fftw_alloc_real(p->len);
  p->spec = fftw_alloc_complex(p->len / 2 + 1);
  if (p->buf == NULL || p->spec == NULL) {
    acf_plan_free(p);
    return sph_error_set(err, SPH_ERR_NOMEM, "autocorrelation of %zu steps: out of memory", n);
  }
  sph_fftw_planner_lock();
  p->fwd = fftw_plan_dft_r2c_1d((int)p->len, p->buf, p->spec, FFTW_ESTIMATE);
  p->inv = fftw_plan_dft_c2r_1d((int)p->len, p->spec, p->buf, FFTW_ESTIMATE);
  sph_fftw_planner_unlock();
  if (p->fwd == NULL || p->inv == NULL) {
    acf_plan_free(p);
    return sph_error_set(err, SPH_ERR_NOMEM, "autocorrelation: FFTW could not plan length %zu",
                         p->len);
  }
  return SPH_OK;
}

/* acf[0..n-1] of x with stride; returns 0 when the series is constant. */
static int acf_run(AcfPlan *p, const double *x, size_t stride, double *acf)
{
  size_t n = p->n;
  double mean = 0.0;
  for (size_t i = 0; i < n; i++)
    mean += x[i * stride];
  mean /= (double)n;
  for (size_t i = 0; i < n; i++)
    p->buf[i] = x[i * stride] - mean;
  memset(p->buf + n, 0, (p->len - n) * sizeof(double));
  fftw_execute(p->fwd);
  for (size_t k = 0; k <= p->len / 2; k++) {
    double re = p->spec[k][0], im = p->spec[k][1];
    p->spec[k][0] = re * re + im * im;
    p->spec[k][1] = 0.0;
  }
  fftw_execute(p->inv);
  double a0 = p->buf[0];
  if (!(a0 > 0.0))
    return 0;
  for (size_t i = 0; i < n; i++)
    acf[i] = p->buf[i] / a0;
  return 1;
}

SphStatus sph_autocorr_function(const double *x, size_t n, size_t stride, double *acf,
                                SphError *err)
{
  if (n == 0)
    return sph_error_set(err, SPH_ERR_INVALID, "autocorrelation of an empty series");
  AcfPlan p;
  SphStatus st = acf_plan_init(&p, n, err);
  if (st != SPH_OK)
    return st;
  int ok = acf_run(&p, x, stride == 0 ? 1 : stride, acf);
  acf_plan_free(&p);
  if (!ok)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "autocorrelation: the series of %zu values is constant", n);
  return SPH_OK;
}

/* emcee.autocorr.auto_window: the first M with M >= c tau(M); numpy's argmin of an
 * all-true mask is 0, and an all-false mask gives the last index. */
static size_t auto_window(const double *taus, size_t n, double c)
{
  size_t first_false = n;
  int any_true = 0;
  for (size_t i = 0; i < n && !(any_true && first_false < n); i++) {
    if ((double)i < c * taus[i])
      any_true = 1;
    else if (first_false == n)
      first_false = i;
  }
  if (!any_true)
    return n - 1;
  return first_false < n ? first_false : 0;
}

SphStatus sph_integrated_time(const double *x, size_t steps, size_t walkers, size_t dim,
                              double c, double tol, double *tau, size_t *n_short,
                              SphError *err)
{
  if (steps == 0 || walkers == 0 || dim == 0)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "autocorrelation time of an empty chain (%zu steps, %zu walkers, %zu "
                         "parameters)", steps, walkers, dim);
  AcfPlan p;
  SphStatus st = acf_plan_init(&p, steps, err);
  if (st != SPH_OK)
    return st;
  double *f = sph_alloc_aligned(steps, sizeof(double), err);
  double *acf = f ? sph_alloc_aligned(steps, sizeof(double), err) : NULL;
  if (acf == NULL) {
    sph_free_aligned(f);
    acf_plan_free(&p);
    return SPH_ERR_NOMEM;
  }
  size_t row = walkers * dim;
  for (size_t d = 0; d < dim && st == SPH_OK; d++) {
    memset(f, 0, steps * sizeof(double));
    for (size_t w = 0; w < walkers; w++) {
      if (!acf_run(&p, x + w * dim + d, row, acf)) {
        st = sph_error_set(err, SPH_ERR_INVALID,
                           "autocorrelation time: parameter %zu of walker %zu never moves in "
                           "%zu steps (a stuck walker or a fixed parameter)", d, w, steps);
        break;
      }
      for (size_t i = 0; i < steps; i++)
        f[i] += acf[i];
    }
    if (st != SPH_OK)
      break;
    /* taus = 2 cumsum(f / W) - 1, reusing acf for it */
    double cum = 0.0;
    for (size_t i = 0; i < steps; i++) {
      cum += f[i] / (double)walkers;
      acf[i] = 2.0 * cum - 1.0;
    }
    tau[d] = acf[auto_window(acf, steps, c)];
  }
  sph_free_aligned(f);
  sph_free_aligned(acf);
  acf_plan_free(&p);
  if (st != SPH_OK)
    return st;
  size_t short_count = 0;
  double tau_max = 0.0;
  for (size_t d = 0; d < dim; d++) {
    if (tol * tau[d] > (double)steps)
      short_count++;
    if (tau[d] > tau_max)
      tau_max = tau[d];
  }
  if (n_short != NULL) {
    *n_short = short_count;
    return SPH_OK;
  }
  if (short_count > 0)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "the chain of %zu steps is shorter than %g tau for %zu parameter(s) "
                         "(largest tau %.4g; it needs at least %.0f steps): use this estimate "
                         "with caution and run a longer chain", steps, tol, short_count,
                         tau_max, ceil(tol * tau_max));
  return SPH_OK;
}

void sph_effective_sample_size(const double *tau, size_t steps, size_t walkers, size_t dim,
                               double *ess)
{
  for (size_t d = 0; d < dim; d++)
    ess[d] = (double)steps * (double)walkers / tau[d];
}

SphStatus sph_split_rhat(const double *x, size_t steps, size_t walkers, size_t dim,
                         double *rhat, SphError *err)
{
  if (steps < 4 || walkers == 0)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "split R-hat needs at least 4 steps and 1 walker (got %zu steps, %zu "
                         "walkers)", steps, walkers);
  size_t n = steps / 2, m = 2 * walkers;
  size_t second = steps - n; /* the second half starts here; an odd middle step is dropped */
  size_t row = walkers * dim;
  double *means = sph_alloc_aligned(m, sizeof(double), err);
  if (means == NULL)
    return SPH_ERR_NOMEM;
  SphStatus st = SPH_OK;
  for (size_t d = 0; d < dim && st == SPH_OK; d++) {
    double sum_means = 0.0, sum_var = 0.0;
    for (size_t w = 0; w < walkers; w++) {
      for (int half = 0; half < 2; half++) {
        const double *s = x + (half ? second : 0) * row + w * dim + d;
        double mean = 0.0;
        for (size_t i = 0; i < n; i++)
          mean += s[i * row];
        mean /= (double)n;
        double var = 0.0;
        for (size_t i = 0; i < n; i++) {
          double u = s[i * row] - mean;
          var += u * u;
        }
        var /= (double)(n - 1);
        means[2 * w + (size_t)half] = mean;
        sum_means += mean;
        sum_var += var;
      }
    }
    double grand = sum_means / (double)m;
    double spread = 0.0;
    for (size_t j = 0; j < m; j++)
      spread += (means[j] - grand) * (means[j] - grand);
    double between = (double)n / (double)(m - 1) * spread;
    double within = sum_var / (double)m;
    if (!(within > 0.0)) {
      st = sph_error_set(err, SPH_ERR_INVALID,
                         "split R-hat: parameter %zu is constant within every half-chain", d);
      break;
    }
    double var_plus = (double)(n - 1) / (double)n * within + between / (double)n;
    rhat[d] = sqrt(var_plus / within);
  }
  sph_free_aligned(means);
  return st;
}
