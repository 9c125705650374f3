/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scattering covariances of planar images: the count and order of the statistics, the
 * wavelet power against the image variance through the bank's Littlewood-Paley sum, white
 * noise against its analytic expectations, a phase-randomised (Gaussian) field against the
 * structured field it came from, S1..S4 against direct spatial convolution sums with
 * kymatio's spatial filters, the gradient against central finite differences, invariance
 * under periodic shifts, and the failures. */
#include <glib.h>
#include <complex.h>
#include <math.h>
#include <string.h>

#include "morlet-test-helpers.h"
#include "sphaera/mem.h"
#include "sphaera/rng.h"
#include "sphaera/scattering_cov.h"

/* The 2-D DFT by its definition, one axis at a time (sign -1 forward, +1 unnormalised
 * inverse); out of place. */
static void naive_dft2(int64_t h, int64_t w, const double complex *in, double complex *out,
                       int sign)
{
  double complex *tmp = g_new(double complex, h * w);
  for (int64_t r = 0; r < h; r++)
    for (int64_t k = 0; k < w; k++) {
      double complex s = 0;
      for (int64_t c = 0; c < w; c++)
        s += in[r * w + c] * cexp(sign * 2 * M_PI * I * (double)((k * c) % w) / (double)w);
      tmp[r * w + k] = s;
    }
  for (int64_t k = 0; k < h; k++)
    for (int64_t c = 0; c < w; c++) {
      double complex s = 0;
      for (int64_t r = 0; r < h; r++)
        s += tmp[r * w + c] * cexp(sign * 2 * M_PI * I * (double)((k * r) % h) / (double)h);
      out[k * w + c] = s;
    }
  g_free(tmp);
}

static SphScatteringCov *plan_or_die(int64_t h, int64_t w, int J, int L, SphScatCovNorm norm)
{
  SphError err = SPH_ERROR_INIT;
  SphScatteringCov *plan = sph_scattering_cov_new(h, w, J, L, norm, &err);
  if (plan == NULL)
    g_error("%s", err.message);
  return plan;
}

static void forward_or_die(const SphScatteringCov *plan, const double *x, double *stats)
{
  SphError err = SPH_ERROR_INIT;
  if (sph_scattering_cov_forward(plan, x, stats, &err) != SPH_OK)
    g_error("%s", err.message);
}

static void white_noise(double *x, int64_t n, uint64_t seed)
{
  SphRng rng;
  sph_rng_init(&rng, seed, 0);
  for (int64_t i = 0; i < n; i++)
    x[i] = sph_rng_normal(&rng);
}

/* A sum of random disks on the periodic grid: a field with structure (edges that line up
 * across scales), zero mean. */
static void random_disks(double *x, int64_t h, int64_t w, int count, uint64_t seed)
{
  SphRng rng;
  sph_rng_init(&rng, seed, 1);
  memset(x, 0, (size_t)(h * w) * sizeof *x);
  for (int d = 0; d < count; d++) {
    double r0 = (double)sph_rng_below(&rng, (uint64_t)h), c0 = (double)sph_rng_below(&rng, (uint64_t)w);
    double radius = 1.5 + 4.5 * sph_rng_uniform(&rng);
    for (int64_t r = 0; r < h; r++)
      for (int64_t c = 0; c < w; c++) {
        double dr = fabs((double)r - r0), dc = fabs((double)c - c0);
        dr = fmin(dr, (double)h - dr);
        dc = fmin(dc, (double)w - dc);
        if (dr * dr + dc * dc <= radius * radius)
          x[r * w + c] += 1.0;
      }
  }
  double mean = 0;
  for (int64_t i = 0; i < h * w; i++)
    mean += x[i];
  mean /= (double)(h * w);
  for (int64_t i = 0; i < h * w; i++)
    x[i] -= mean;
}

static void test_count_and_labels(void)
{
  /* 2 + 2 J L + 2 L^2 J (J + 1) / 2 + 2 L^3 J (J + 1) (J + 2) / 6 */
  g_assert_cmpint(sph_scattering_cov_count(4, 8), ==, 2 + 64 + 2 * 64 * 10 + 2 * 512 * 20);
  g_assert_cmpint(sph_scattering_cov_count(0, 8), ==, -1);
  g_assert_cmpint(sph_scattering_cov_count(3, 0), ==, -1);
  SphScatteringCov *plan = plan_or_die(32, 32, 3, 2, SPH_SCATCOV_NORM_NONE);
  int64_t n = sph_scattering_cov_nstats(plan);
  g_assert_cmpint(n, ==, sph_scattering_cov_count(3, 2));
  int64_t i = 0;
  g_assert_cmpint(sph_scattering_cov_label(plan, i++).kind, ==, SPH_SCATCOV_MEAN);
  g_assert_cmpint(sph_scattering_cov_label(plan, i++).kind, ==, SPH_SCATCOV_POWER);
  for (int kind = SPH_SCATCOV_S1; kind <= SPH_SCATCOV_S2; kind++)
    for (int j = 0; j < 3; j++)
      for (int l = 0; l < 2; l++) {
        SphScatCovLabel lab = sph_scattering_cov_label(plan, i++);
        g_assert_cmpint(lab.kind, ==, kind);
        g_assert_cmpint(lab.j1, ==, j);
        g_assert_cmpint(lab.l1, ==, l);
        g_assert_cmpint(lab.j2, ==, -1);
      }
  for (int j1 = 0; j1 < 3; j1++)
    for (int l1 = 0; l1 < 2; l1++)
      for (int j2 = j1; j2 < 3; j2++)
        for (int l2 = 0; l2 < 2; l2++)
          for (int part = 0; part < 2; part++) {
            SphScatCovLabel lab = sph_scattering_cov_label(plan, i++);
            g_assert_cmpint(lab.kind, ==, SPH_SCATCOV_S3);
            g_assert_cmpint(lab.imag, ==, part);
            g_assert_true(lab.j1 == j1 && lab.l1 == l1 && lab.j2 == j2 && lab.l2 == l2);
            g_assert_cmpint(lab.j3, ==, -1);
          }
  for (int j1 = 0; j1 < 3; j1++)
    for (int l1 = 0; l1 < 2; l1++)
      for (int j2 = j1; j2 < 3; j2++)
        for (int l2 = 0; l2 < 2; l2++)
          for (int j3 = j2; j3 < 3; j3++)
            for (int l3 = 0; l3 < 2; l3++)
              for (int part = 0; part < 2; part++) {
                SphScatCovLabel lab = sph_scattering_cov_label(plan, i++);
                g_assert_cmpint(lab.kind, ==, SPH_SCATCOV_S4);
                g_assert_cmpint(lab.imag, ==, part);
                g_assert_true(lab.j1 == j1 && lab.l1 == l1 && lab.j2 == j2 && lab.l2 == l2 &&
                              lab.j3 == j3 && lab.l3 == l3);
              }
  g_assert_cmpint(i, ==, n);
  g_assert_cmpint(sph_scattering_cov_s2_index(plan, 2, 1), ==, 2 + 6 + 5);
  sph_scattering_cov_free(plan);
}

/* sum_jl S2 plus the variance of x * phi is N^-2 sum_{k != 0} |x^_k|^2 A(k) with the
 * Littlewood-Paley sum A = |phi^|^2 + sum |psi^|^2: between min A and max A times the
 * variance, and equal to that weighted sum, here computed from the image's own DFT. */
static void test_power_littlewood_paley(void)
{
  const int64_t h = 64, w = 64, n = h * w;
  const int J = 4, L = 8;
  SphScatteringCov *plan = plan_or_die(h, w, J, L, SPH_SCATCOV_NORM_NONE);
  const SphMorletBank *bank = sph_scattering_cov_bank(plan);
  double *x = g_new(double, n);
  random_disks(x, h, w, 40, 3);
  for (int64_t i = 0; i < n; i++)
    x[i] += 0.3 * sin(0.2 * (double)i);
  double *stats = g_new(double, sph_scattering_cov_nstats(plan));
  forward_or_die(plan, x, stats);

  double mean = stats[0], variance = stats[1] - stats[0] * stats[0];
  double s2_sum = 0;
  for (int j = 0; j < J; j++)
    for (int l = 0; l < L; l++)
      s2_sum += stats[sph_scattering_cov_s2_index(plan, j, l)];
  SphError err = SPH_ERROR_INIT;
  double complex *low = g_new(double complex, n);
  g_assert_cmpint(sph_morlet_bank_filter(bank, x, 0, -1, low, &err), ==, SPH_OK);
  double complex low_mean = 0;
  double low_power = 0;
  for (int64_t i = 0; i < n; i++) {
    low_mean += low[i];
    low_power += creal(low[i] * conj(low[i]));
  }
  low_mean /= (double)n;
  double low_var = low_power / (double)n - creal(low_mean * conj(low_mean));
  double total = s2_sum + low_var;

  double *lp = g_new0(double, n);
  const double *phi = sph_morlet_bank_phi(bank);
  for (int64_t k = 0; k < n; k++)
    lp[k] = phi[k] * phi[k];
  for (int j = 0; j < J; j++)
    for (int l = 0; l < L; l++) {
      const double *psi = sph_morlet_bank_psi(bank, j, l);
      for (int64_t k = 0; k < n; k++)
        lp[k] += psi[k] * psi[k];
    }
  double a_min = INFINITY, a_max = 0;
  for (int64_t k = 1; k < n; k++) {
    a_min = fmin(a_min, lp[k]);
    a_max = fmax(a_max, lp[k]);
  }
  /* The weighted sum, with |x^_k|^2 by a naive DFT of the rows then of the columns. */
  double complex *spec = g_new(double complex, n), *xc = g_new(double complex, n);
  for (int64_t i = 0; i < n; i++)
    xc[i] = x[i];
  naive_dft2(h, w, xc, spec, -1);
  g_free(xc);
  double weighted = 0;
  for (int64_t k = 1; k < n; k++)
    weighted += creal(spec[k] * conj(spec[k])) * lp[k];
  weighted /= (double)n * (double)n;
  g_test_message("mean %.3g variance %.6g, sum S2 + low-pass %.6g (ratio %.4f), A in "
                 "[%.4f, %.4f], against the weighted spectrum %.3e", mean, variance, total,
                 total / variance, a_min, a_max, fabs(total - weighted) / weighted);
  g_assert_cmpfloat(fabs(total - weighted), <=, 1e-12 * weighted);
  g_assert_cmpfloat(total, >=, a_min * variance * (1 - 1e-12));
  g_assert_cmpfloat(total, <=, a_max * variance * (1 + 1e-12));
  g_free(spec);
  g_free(lp);
  g_free(low);
  g_free(stats);
  g_free(x);
  sph_scattering_cov_free(plan);
}

/* White noise of unit variance: E S2[j,l] = sum_n |psi(n)|^2 = N^-1 sum_k psi^_k^2, with
 * the standard deviation of one realisation N^-1 (sum_k psi^_k^2 (psi^_k^2 + psi^_-k^2) / 2)^1/2
 * (|x^_k|^2 exponential with mean N, x^_-k its conjugate); S3 and the imaginary part of S4
 * have expectation 0 (sign flip and parity symmetry of the noise), checked by the mean
 * square of the t statistics of the realisation means. */
static void test_white_noise(void)
{
  const int64_t h = 32, w = 32, n = h * w;
  const int J = 3, L = 4, R = 24;
  SphScatteringCov *plan = plan_or_die(h, w, J, L, SPH_SCATCOV_NORM_SELF);
  const SphMorletBank *bank = sph_scattering_cov_bank(plan);
  int64_t ns = sph_scattering_cov_nstats(plan);
  double *sum = g_new0(double, ns), *sum2 = g_new0(double, ns), *stats = g_new(double, ns);
  double *x = g_new(double, n);
  for (int r = 0; r < R; r++) {
    white_noise(x, n, 100 + (uint64_t)r);
    forward_or_die(plan, x, stats);
    for (int64_t i = 0; i < ns; i++) {
      sum[i] += stats[i];
      sum2[i] += stats[i] * stats[i];
    }
  }
  double worst_s2 = 0;
  for (int j = 0; j < J; j++)
    for (int l = 0; l < L; l++) {
      const double *psi = sph_morlet_bank_psi(bank, j, l);
      double energy = 0, var = 0;
      for (int64_t k1 = 0; k1 < h; k1++)
        for (int64_t k2 = 0; k2 < w; k2++) {
          double p = psi[k1 * w + k2], q = psi[((h - k1) % h) * w + (w - k2) % w];
          energy += p * p;
          var += p * p * (p * p + q * q) / 2;
        }
      energy /= (double)n;
      double sd = sqrt(var) / (double)n / sqrt((double)R);
      double mean = sum[sph_scattering_cov_s2_index(plan, j, l)] / R;
      double z = fabs(mean - energy) / sd;
      worst_s2 = fmax(worst_s2, z);
      g_assert_cmpfloat(z, <, 5.0);
    }
  double t2_s3 = 0, t2_s4 = 0;
  int n3 = 0, n4 = 0;
  double s4_diag_min = INFINITY;
  for (int64_t i = 0; i < ns; i++) {
    SphScatCovLabel lab = sph_scattering_cov_label(plan, i);
    double mean = sum[i] / R, var = (sum2[i] - R * mean * mean) / (R - 1);
    double t2 = mean * mean / (var / R);
    if (lab.kind == SPH_SCATCOV_S3) {
      t2_s3 += t2;
      n3++;
    } else if (lab.kind == SPH_SCATCOV_S4 && lab.imag) {
      t2_s4 += t2;
      n4++;
    } else if (lab.kind == SPH_SCATCOV_S4 && lab.j1 == lab.j2 && lab.l1 == lab.l2) {
      s4_diag_min = fmin(s4_diag_min, mean);
    }
  }
  t2_s3 /= n3;
  t2_s4 /= n4;
  /* A t statistic with R - 1 degrees of freedom has E t^2 = (R - 1) / (R - 3) = 1.1; a
   * statistic with a non-zero expectation grows it by R (its mean / standard error)^2. */
  g_test_message("white noise, %d realisations: worst S2 deviation %.2f sigma; mean t^2 of "
                 "S3 %.3f (%d), of Im S4 %.3f (%d); smallest diagonal Re S4 %.3g",
                 R, worst_s2, t2_s3, n3, t2_s4, n4, s4_diag_min);
  g_assert_cmpfloat(t2_s3, <, 2.0);
  g_assert_cmpfloat(t2_s4, <, 2.0);
  g_assert_cmpfloat(s4_diag_min, >, 0.0);
  g_free(x);
  g_free(stats);
  g_free(sum2);
  g_free(sum);
  sph_scattering_cov_free(plan);
}

/* The same spectrum with random phases is a Gaussian field with the disks' power: its S2
 * equals theirs to rounding and its S3 is far smaller. */
static void test_gaussian_vs_structure(void)
{
  const int64_t h = 64, w = 64, n = h * w;
  const int J = 4, L = 4;
  SphScatteringCov *plan = plan_or_die(h, w, J, L, SPH_SCATCOV_NORM_SELF);
  int64_t ns = sph_scattering_cov_nstats(plan);
  double *disks = g_new(double, n), *noise = g_new(double, n), *grf = g_new(double, n);
  random_disks(disks, h, w, 12, 11);
  white_noise(noise, n, 12);
  /* grf = IDFT(|D^| N^ / |N^|): the noise's phases are Hermitian, so grf is real. */
  double complex *dh = g_new(double complex, n), *nh = g_new(double complex, n);
  double complex *tmp = g_new(double complex, n);
  for (int64_t i = 0; i < n; i++)
    tmp[i] = disks[i];
  naive_dft2(h, w, tmp, dh, -1);
  for (int64_t i = 0; i < n; i++)
    tmp[i] = noise[i];
  naive_dft2(h, w, tmp, nh, -1);
  for (int64_t k = 0; k < n; k++)
    tmp[k] = cabs(nh[k]) > 0 ? cabs(dh[k]) * nh[k] / cabs(nh[k]) : 0;
  naive_dft2(h, w, tmp, dh, +1);
  for (int64_t i = 0; i < n; i++)
    grf[i] = creal(dh[i]) / (double)n;
  g_free(tmp);
  double *sd = g_new(double, ns), *sg = g_new(double, ns);
  forward_or_die(plan, disks, sd);
  forward_or_die(plan, grf, sg);
  double s2_diff = 0, s2_max = 0;
  for (int a = 0; a < J * L; a++) {
    int64_t k = sph_scattering_cov_s2_index(plan, a / L, a % L);
    s2_diff = fmax(s2_diff, fabs(sd[k] - sg[k]));
    s2_max = fmax(s2_max, fabs(sd[k]));
  }
  double s3_disks = 0, s3_grf = 0;
  int count = 0;
  for (int64_t i = 0; i < ns; i++) {
    SphScatCovLabel lab = sph_scattering_cov_label(plan, i);
    if (lab.kind == SPH_SCATCOV_S3 && lab.j1 < lab.j2) {
      s3_disks += fabs(sd[i]);
      s3_grf += fabs(sg[i]);
      count++;
    }
  }
  g_test_message("S2 of the disks and of their phase-randomised field differ by %.2e "
                 "(relative); mean |normalised S3|, j1 < j2: disks %.4f, Gaussian %.4f",
                 s2_diff / s2_max, s3_disks / count, s3_grf / count);
  g_assert_cmpfloat(s2_diff, <=, 1e-10 * s2_max);
  g_assert_cmpfloat(s3_disks, >, 4.0 * s3_grf);
  g_free(sd);
  g_free(sg);
  g_free(dh);
  g_free(nh);
  g_free(disks);
  g_free(noise);
  g_free(grf);
  sph_scattering_cov_free(plan);
}

/* Circular convolution by its definition: out[n] = sum_m in[m] filter[n - m]. */
static void direct_convolve(int64_t h, int64_t w, const double complex *in,
                            const double complex *filter, double complex *out)
{
  for (int64_t r = 0; r < h; r++)
    for (int64_t c = 0; c < w; c++) {
      double complex s = 0;
      for (int64_t mr = 0; mr < h; mr++)
        for (int64_t mc = 0; mc < w; mc++)
          s += in[mr * w + mc] * filter[((r - mr + h) % h) * w + (c - mc + w) % w];
      out[r * w + c] = s;
    }
}

static double complex direct_cov(int64_t n, const double complex *a, const double complex *b)
{
  double complex ma = 0, mb = 0, s = 0;
  for (int64_t i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
    s += a[i] * conj(b[i]);
  }
  ma /= (double)n;
  mb /= (double)n;
  return s / (double)n - ma * conj(mb);
}

/* Every statistic of a 16 x 16 image against spatial sums with kymatio's spatial filters
 * (summed over 5 x 5 periodic copies), no FFT involved. */
static void test_direct(void)
{
  const int64_t h = 16, w = 16, n = h * w;
  const int J = 2, L = 2, nw = J * L;
  SphScatteringCov *plan = plan_or_die(h, w, J, L, SPH_SCATCOV_NORM_NONE);
  int64_t ns = sph_scattering_cov_nstats(plan);
  double *x = g_new(double, n), *stats = g_new(double, ns);
  random_disks(x, h, w, 6, 21);
  SphRng rng;
  sph_rng_init(&rng, 22, 0);
  for (int64_t i = 0; i < n; i++)
    x[i] += 0.5 * sph_rng_normal(&rng) + 0.7;
  forward_or_die(plan, x, stats);

  double complex *psi = g_new(double complex, n * nw), *wx = g_new(double complex, n * nw);
  double complex *u = g_new(double complex, n * nw), *xc = g_new(double complex, n);
  double complex *v1 = g_new(double complex, n), *v2 = g_new(double complex, n);
  for (int64_t i = 0; i < n; i++)
    xc[i] = x[i];
  for (int a = 0; a < nw; a++) {
    test_morlet_2d(h, w, J, L, a / L, a % L, psi + a * n);
    direct_convolve(h, w, xc, psi + a * n, wx + a * n);
    for (int64_t i = 0; i < n; i++)
      u[a * n + i] = cabs(wx[a * n + i]);
  }
  double scale = 0, worst = 0;
  for (int64_t i = 0; i < ns; i++)
    scale = fmax(scale, fabs(stats[i]));
  for (int64_t i = 0; i < ns; i++) {
    SphScatCovLabel lab = sph_scattering_cov_label(plan, i);
    int a = lab.j1 * L + lab.l1, b = lab.j2 * L + lab.l2, c = lab.j3 * L + lab.l3;
    double complex expect = 0;
    switch (lab.kind) {
    case SPH_SCATCOV_MEAN:
    case SPH_SCATCOV_POWER:
      for (int64_t k = 0; k < n; k++)
        expect += lab.kind == SPH_SCATCOV_MEAN ? x[k] : x[k] * x[k];
      expect /= (double)n;
      break;
    case SPH_SCATCOV_S1:
    case SPH_SCATCOV_S2:
      for (int64_t k = 0; k < n; k++)
        expect += lab.kind == SPH_SCATCOV_S1 ? creal(u[a * n + k]) : pow(creal(u[a * n + k]), 2);
      expect /= (double)n;
      break;
    case SPH_SCATCOV_S3:
      direct_convolve(h, w, u + a * n, psi + b * n, v1);
      expect = direct_cov(n, wx + b * n, v1);
      break;
    case SPH_SCATCOV_S4:
      direct_convolve(h, w, u + a * n, psi + c * n, v1);
      direct_convolve(h, w, u + b * n, psi + c * n, v2);
      expect = direct_cov(n, v1, v2);
      break;
    }
    double e = lab.imag ? cimag(expect) : creal(expect);
    worst = fmax(worst, fabs(stats[i] - e));
  }
  g_test_message("%" G_GINT64_FORMAT " statistics against direct sums: worst difference "
                 "%.2e of the largest %.3g", ns, worst / scale, scale);
  g_assert_cmpfloat(worst, <=, 1e-10 * scale);
  g_free(v1);
  g_free(v2);
  g_free(xc);
  g_free(u);
  g_free(wx);
  g_free(psi);
  g_free(stats);
  g_free(x);
  sph_scattering_cov_free(plan);
}

static double weighted_sum(const SphScatteringCov *plan, const double *x, const double *wts,
                           double *stats)
{
  forward_or_die(plan, x, stats);
  double s = 0;
  for (int64_t i = 0; i < sph_scattering_cov_nstats(plan); i++)
    s += wts[i] * stats[i];
  return s;
}

/* The gradient of a random weighting of every statistic against central differences,
 * raw, self-normalised (the quotient rule through S2) and by a reference. */
static void check_gradient(SphScatCovNorm norm)
{
  const int64_t h = 16, w = 16, n = h * w;
  const int J = 2, L = 3;
  SphScatteringCov *plan = plan_or_die(h, w, J, L, norm);
  int64_t ns = sph_scattering_cov_nstats(plan);
  double *x = g_new(double, n), *wts = g_new(double, ns), *stats = g_new(double, ns);
  double *stats2 = g_new(double, ns), *grad = g_new(double, n);
  random_disks(x, h, w, 5, 31);
  SphRng rng;
  sph_rng_init(&rng, 32, 0);
  for (int64_t i = 0; i < n; i++)
    x[i] += 0.3 * sph_rng_normal(&rng);
  for (int64_t i = 0; i < ns; i++)
    wts[i] = sph_rng_normal(&rng);
  SphError err = SPH_ERROR_INIT;
  if (norm == SPH_SCATCOV_NORM_REFERENCE) {
    double ref[6];
    for (int a = 0; a < J * L; a++)
      ref[a] = 0.5 + sph_rng_uniform(&rng);
    g_assert_cmpint(sph_scattering_cov_set_reference(plan, ref, &err), ==, SPH_OK);
  }
  g_assert_cmpint(sph_scattering_cov_gradient(plan, x, wts, stats, grad, &err), ==, SPH_OK);
  forward_or_die(plan, x, stats2);
  for (int64_t i = 0; i < ns; i++)
    g_assert_cmpfloat(stats[i], ==, stats2[i]);
  double worst = 0, gmax = 0;
  for (int64_t i = 0; i < n; i++)
    gmax = fmax(gmax, fabs(grad[i]));
  const double step = 1e-5;
  for (int64_t i = 0; i < n; i += 7) {
    double keep = x[i];
    x[i] = keep + step;
    double fp = weighted_sum(plan, x, wts, stats2);
    x[i] = keep - step;
    double fm = weighted_sum(plan, x, wts, stats2);
    x[i] = keep;
    double fd = (fp - fm) / (2 * step);
    worst = fmax(worst, fabs(fd - grad[i]) / gmax);
  }
  g_test_message("normalisation %d: gradient against central differences, worst %.2e of "
                 "the largest component %.3g", (int)norm, worst, gmax);
  g_assert_cmpfloat(worst, <=, 1e-6);
  g_free(grad);
  g_free(stats2);
  g_free(stats);
  g_free(wts);
  g_free(x);
  sph_scattering_cov_free(plan);
}

static void test_gradient_raw(void)
{
  check_gradient(SPH_SCATCOV_NORM_NONE);
}

static void test_gradient_self(void)
{
  check_gradient(SPH_SCATCOV_NORM_SELF);
}

static void test_gradient_reference(void)
{
  check_gradient(SPH_SCATCOV_NORM_REFERENCE);
}

static void test_shift_invariance(void)
{
  const int64_t h = 32, w = 64, n = h * w;
  SphScatteringCov *plan = plan_or_die(h, w, 3, 4, SPH_SCATCOV_NORM_SELF);
  int64_t ns = sph_scattering_cov_nstats(plan);
  double *x = g_new(double, n), *y = g_new(double, n);
  double *sx = g_new(double, ns), *sy = g_new(double, ns);
  random_disks(x, h, w, 20, 41);
  for (int64_t r = 0; r < h; r++)
    for (int64_t c = 0; c < w; c++)
      y[((r + 5) % h) * w + (c + 19) % w] = x[r * w + c];
  forward_or_die(plan, x, sx);
  forward_or_die(plan, y, sy);
  double worst = 0, scale = 0;
  for (int64_t i = 0; i < ns; i++) {
    worst = fmax(worst, fabs(sx[i] - sy[i]));
    scale = fmax(scale, fabs(sx[i]));
  }
  g_test_message("periodic shift (5, 19): statistics change by %.2e of the largest", worst / scale);
  g_assert_cmpfloat(worst, <=, 1e-12 * scale);
  g_free(sx);
  g_free(sy);
  g_free(x);
  g_free(y);
  sph_scattering_cov_free(plan);
}

static void expect_new_failure(int64_t h, int64_t w, int J, int L, const char *fragment)
{
  SphError err = SPH_ERROR_INIT;
  SphScatteringCov *plan = sph_scattering_cov_new(h, w, J, L, SPH_SCATCOV_NORM_NONE, &err);
  g_assert_null(plan);
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_test_message("%s", err.message);
  g_assert_nonnull(strstr(err.message, fragment));
}

static void test_failures(void)
{
  expect_new_failure(0, 0, 2, 4, "empty");
  expect_new_failure(16, 16, 5, 4, "J = 5 is too large");
  expect_new_failure(16, 16, 0, 4, "J = 0");
  expect_new_failure(16, 16, 2, 0, "L = 0");
  expect_new_failure(18, 16, 2, 4, "multiples of 2^J");
  SphError err = SPH_ERROR_INIT;
  SphScatteringCov *plan = plan_or_die(16, 16, 2, 2, SPH_SCATCOV_NORM_REFERENCE);
  double x[256] = {0}, stats[4096];
  g_assert_cmpint(sph_scattering_cov_forward(plan, x, stats, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "no reference"));
  double ref[4] = {1, 1, -1, 1};
  g_assert_cmpint(sph_scattering_cov_set_reference(plan, ref, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "S2[j = 1, l = 0]"));
  sph_scattering_cov_free(plan);
  plan = plan_or_die(16, 16, 2, 2, SPH_SCATCOV_NORM_SELF);
  g_assert_cmpint(sph_scattering_cov_forward(plan, x, stats, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "constant image"));
  x[37] = NAN;
  g_assert_cmpint(sph_scattering_cov_forward(plan, x, stats, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "pixel (2, 5)"));
  sph_scattering_cov_free(plan);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/scattering-cov/count-and-labels", test_count_and_labels);
  g_test_add_func("/scattering-cov/power-littlewood-paley", test_power_littlewood_paley);
  g_test_add_func("/scattering-cov/white-noise", test_white_noise);
  g_test_add_func("/scattering-cov/gaussian-vs-structure", test_gaussian_vs_structure);
  g_test_add_func("/scattering-cov/direct", test_direct);
  g_test_add_func("/scattering-cov/gradient-raw", test_gradient_raw);
  g_test_add_func("/scattering-cov/gradient-self", test_gradient_self);
  g_test_add_func("/scattering-cov/gradient-reference", test_gradient_reference);
  g_test_add_func("/scattering-cov/shift-invariance", test_shift_invariance);
  g_test_add_func("/scattering-cov/failures", test_failures);
  return g_test_run();
}
