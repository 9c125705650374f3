/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sphaera/coverage.h"

static SphCoverageResult *run_case(SphCoverageCase kind, size_t dim, size_t tests,
                                   uint64_t seed, SphJob *job)
{
  SphError err = SPH_ERROR_INIT;
  SphGaussianCase *gc = NULL;
  g_assert_cmpint(sph_gaussian_case_new(kind, dim, &gc, &err), ==, SPH_OK);
  SphCoverageOptions o;
  sph_coverage_options_init(&o);
  o.tests = tests;
  o.seed = seed;
  SphCoverageResult *r = NULL;
  SphStatus st = sph_coverage_run(sph_gaussian_case_problem(gc), &o, job, &r, &err);
  if (st != SPH_OK)
    g_error("coverage: %s", err.message);
  sph_gaussian_case_free(gc);
  return r;
}

/* Chi-square upper tails against scipy.stats.chi2.sf and the closed form for 2 dof. */
static void test_chi2_sf(void)
{
  g_assert_cmpfloat(fabs(sph_chi2_sf(3.841458820694124, 1) - 0.05), <, 1e-12);
  g_assert_cmpfloat(fabs(sph_chi2_sf(30.14352720564616, 19) - 0.05), <, 1e-12);
  g_assert_cmpfloat(fabs(sph_chi2_sf(10, 10) - 0.4404932850652124), <, 1e-12);
  g_assert_cmpfloat(fabs(sph_chi2_sf(2.0, 20) - 0.9999998885745217), <, 1e-12);
  g_assert_cmpfloat(fabs(sph_chi2_sf(40, 20) - 0.0049954123083075785), <, 1e-14);
  for (double x = 0.1; x < 60; x *= 1.7)
    g_assert_cmpfloat(fabs(sph_chi2_sf(x, 2) - exp(-x / 2)), <, 1e-13);
  g_assert_cmpfloat(sph_chi2_sf(0, 5), ==, 1);
}

/* The expected HPD coverage of the 2-D demo cases in closed form. For a sampler of
 * width s (in posterior sigmas) centred right, r^2 = |theta - mu|^2 / (s sigma)^2 is
 * chi-square(2) / s^2, so coverage(c) = 1 - (1 - c)^(s^2). Shifted by one sigma per
 * coordinate it is the non-central chi-square(2, lambda = 2) CDF at -2 ln(1 - c). */
static double expected_hpd(SphCoverageCase kind, double c)
{
  double t = -2 * log1p(-c);
  switch (kind) {
  case SPH_COVERAGE_CALIBRATED:
    return c;
  case SPH_COVERAGE_OVERCONFIDENT:
    return 1 - pow(1 - c, 0.25);
  case SPH_COVERAGE_UNDERCONFIDENT:
    return 1 - pow(1 - c, 4);
  case SPH_COVERAGE_BIASED: {
    double sum = 0, poisson = exp(-1.0), inner = 0, term = 1;
    for (int k = 0; k < 200; k++) {
      if (k > 0) {
        poisson /= k;
        term *= (t / 2) / k;
      }
      inner += term; /* sum_{j <= k} (t/2)^j / j! */
      sum += poisson * (1 - exp(-t / 2) * inner);
    }
    return sum;
  }
  }
  return NAN;
}

static void check_against_closed_form(const SphCoverageResult *r, SphCoverageCase kind)
{
  /* 1000 tests: the empirical CDF stays within 0.06 of the truth (Kolmogorov-Smirnov
   * 99.9% band 1.95 / sqrt(1000) = 0.062, the draw count adds 1 / 999). */
  double worst = 0;
  for (size_t k = 1; k < r->levels; k++)
    worst = fmax(worst, fabs(r->hpd_coverage[k] - expected_hpd(kind, r->credibility[k])));
  g_test_message("%s: HPD curve vs closed form %.4f", sph_coverage_case_name(kind), worst);
  g_assert_cmpfloat(worst, <, 0.062);
}

/* The target, < 0.05 from the diagonal with 1000 tests, is a statistical one:
 * the sup of 100 points of an empirical CDF of 1000 tests exceeds 0.043 one time in
 * twenty even when calibrated. So: at least 4 of 5 seeds under 0.05, none over 0.065. */
static void test_calibrated(void)
{
  int hpd_good = 0, tarp_good = 0;
  for (uint64_t seed = 1; seed <= 5; seed++) {
    SphCoverageResult *r = run_case(SPH_COVERAGE_CALIBRATED, 2, 1000, seed, NULL);
    g_test_message("calibrated seed %" G_GUINT64_FORMAT ": hpd %.4f tarp %.4f atc %.4f sbc p "
                   "%.3f", seed, r->hpd_max_deviation, r->tarp_max_deviation, r->tarp_atc,
                   r->sbc_pvalue);
    g_assert_cmpuint(r->tests, ==, 1000);
    g_assert_cmpuint(r->levels, ==, 100);
    hpd_good += r->hpd_max_deviation < 0.05;
    tarp_good += r->tarp_max_deviation < 0.05;
    g_assert_cmpfloat(r->hpd_max_deviation, <, 0.065);
    g_assert_cmpfloat(r->tarp_max_deviation, <, 0.065);
    g_assert_cmpfloat(fabs(r->tarp_atc), <, 0.02);
    g_assert_cmpfloat(r->sbc_pvalue, >, 1e-3);
    size_t total = 0;
    for (size_t b = 0; b < r->dim * r->sbc_bins; b++)
      total += r->sbc_histogram[b];
    g_assert_cmpuint(total, ==, 2000);
    g_assert_cmpfloat(r->hpd_coverage[0], ==, 0);
    g_assert_cmpfloat(r->tarp_coverage[r->levels], ==, 1);
    check_against_closed_form(r, SPH_COVERAGE_CALIBRATED);
    sph_coverage_result_free(r);
  }
  g_assert_cmpint(hpd_good, >=, 4);
  g_assert_cmpint(tarp_good, >=, 4);
}

static void check_broken(SphCoverageCase kind, double atc_sign)
{
  SphCoverageResult *r = run_case(kind, 2, 1000, 2, NULL);
  g_test_message("%s: hpd %.4f tarp %.4f atc %.4f sbc p %.3g", sph_coverage_case_name(kind),
                 r->hpd_max_deviation, r->tarp_max_deviation, r->tarp_atc, r->sbc_pvalue);
  /* In 2-D the biased case falls short of the figures: its HPD deviation is
   * 0.2936 in closed form, and TARP (references over the whole [-5, 5]^2 box) sees a
   * one-sigma shift as 0.119 in expectation (see test_biased_expected). They hold in
   * 4-D (see test_biased_dim); here the closed form is checked instead. */
  if (kind != SPH_COVERAGE_BIASED) {
    g_assert_cmpfloat(r->tarp_max_deviation, >, 0.12);
    g_assert_cmpfloat(r->hpd_max_deviation, >, 0.3);
  } else {
    g_assert_cmpfloat(r->tarp_max_deviation, >, 0.08);
    g_assert_cmpfloat(r->hpd_max_deviation, >, 0.2);
  }
  g_assert_cmpfloat(r->sbc_pvalue, <, 1e-6);
  if (atc_sign != 0)
    g_assert_cmpfloat(r->tarp_atc * atc_sign, >, 0.02);
  check_against_closed_form(r, kind);
  sph_coverage_result_free(r);
}

static void test_overconfident(void)
{
  check_broken(SPH_COVERAGE_OVERCONFIDENT, -1);
}

static void test_underconfident(void)
{
  check_broken(SPH_COVERAGE_UNDERCONFIDENT, +1);
}

static void test_biased(void)
{
  check_broken(SPH_COVERAGE_BIASED, 0);
}

/* P(chi'^2_2(lambda) <= x), the non-central chi-square CDF with 2 dof, as the Poisson
 * mixture sum_j Pois(j; lambda/2) P(chi^2_{2j+2} <= x) = P(N > J) for independent
 * N ~ Pois(x/2) and J ~ Pois(lambda/2), summed by recurrence. */
static double ncx2_cdf_2dof(double x, double lambda)
{
  double mu_j = lambda / 2, mu_n = x / 2, big = fmax(mu_j, mu_n);
  int kmax = (int)(big + 12 * sqrt(big) + 40);
  double p_j = exp(-mu_j), p_n = exp(-mu_n), tail_n = -expm1(-mu_n), sum = 0;
  for (int k = 0; k <= kmax && tail_n > 0; k++) {
    sum += p_j * tail_n; /* J = k and N > k */
    p_j *= mu_j / (k + 1);
    p_n *= mu_n / (k + 1);
    tail_n -= p_n;
  }
  return sum;
}

static double rand_normal(GRand *rng)
{
  double u = g_rand_double(rng), v = g_rand_double(rng);
  return sqrt(-2 * log1p(-u)) * cos(2 * M_PI * v);
}

/* The expected TARP curve of the 2-D biased case, without posterior draws: given x, the
 * truth and a reference r, the fraction of sampler draws y ~ N(m_q, s^2 I) nearer r than
 * theta is exactly the non-central chi-square CDF of |theta - r|^2 / s^2 with
 * lambda = |m_q - r|^2 / s^2; the curve is P(f < alpha) over the simulator and the
 * references, here by Monte Carlo over n triples (theta, x, r) (sd <= 0.5 / sqrt(n)). */
static void expected_tarp_biased_2d(size_t levels, size_t n, double *curve)
{
  const double s = sqrt(0.5);
  double *f = g_new(double, n);
  GRand *rng = g_rand_new_with_seed(20230306);
  for (size_t i = 0; i < n; i++) {
    double d_true = 0, lambda = 0;
    for (int k = 0; k < 2; k++) {
      double theta = rand_normal(rng), x = theta + rand_normal(rng);
      double r = g_rand_double_range(rng, -5, 5);
      double mq = 0.5 * x + s; /* shifted by one posterior sigma */
      d_true += (theta - r) * (theta - r);
      lambda += (mq - r) * (mq - r);
    }
    f[i] = ncx2_cdf_2dof(d_true / (s * s), lambda / (s * s));
  }
  for (size_t k = 0; k <= levels; k++) {
    double alpha = (double)k / (double)levels;
    size_t below = 0;
    for (size_t i = 0; i < n; i++)
      below += f[i] < alpha;
    curve[k] = k == levels ? 1 : (double)below / (double)n;
  }
  g_rand_free(rng);
  g_free(f);
}

/* Lemos et al.'s biased case (a one-sigma shift in every coordinate) in 2-D: the issue
 * asks TARP > 0.12 and HPD > 0.3 from the diagonal with 1000 tests, but their exact
 * expectations are 0.120 (TARP, references over the prior box) and 0.2936 (HPD, closed
 * form): a 1000-test run exceeds the TARP figure about half the time and the HPD one
 * only by noise. So the curves are checked against those expectations instead. */
static void test_biased_expected(void)
{
  enum { LEVELS = 100, N_EXPECT = 40000 };
  /* scipy.stats.ncx2.cdf(x, 2, lambda) */
  g_assert_cmpfloat(fabs(ncx2_cdf_2dof(3, 5) - 0.22038180929909026), <, 1e-12);
  g_assert_cmpfloat(fabs(ncx2_cdf_2dof(50, 80) - 0.02642756502655844), <, 1e-12);
  g_assert_cmpfloat(fabs(ncx2_cdf_2dof(0.5, 150) / 9.446552989850595e-32 - 1), <, 1e-3);
  double expect[LEVELS + 1];
  expected_tarp_biased_2d(LEVELS, N_EXPECT, expect);
  double exp_tarp_dev = 0, exp_hpd_dev = 0;
  for (size_t k = 0; k <= LEVELS; k++) {
    double a = (double)k / LEVELS;
    exp_tarp_dev = fmax(exp_tarp_dev, fabs(expect[k] - a));
    if (k > 0 && k < LEVELS)
      exp_hpd_dev = fmax(exp_hpd_dev, fabs(expected_hpd(SPH_COVERAGE_BIASED, a) - a));
  }
  g_test_message("biased 2-D expected max deviations: TARP %.4f (Monte Carlo sd <= 0.0025), "
                 "HPD %.4f (closed form)", exp_tarp_dev, exp_hpd_dev);
  g_assert_cmpfloat(fabs(exp_hpd_dev - 0.2936), <, 5e-4);
  g_assert_cmpfloat(fabs(exp_tarp_dev - 0.12), <, 0.01);
  for (uint64_t seed = 11; seed <= 12; seed++) {
    SphCoverageResult *r = run_case(SPH_COVERAGE_BIASED, 2, 1000, seed, NULL);
    double worst = 0;
    for (size_t k = 0; k <= r->levels; k++)
      worst = fmax(worst, fabs(r->tarp_coverage[k] - expect[k]));
    g_test_message("biased seed %" G_GUINT64_FORMAT ": TARP %.4f HPD %.4f, TARP curve vs "
                   "expectation %.4f", seed, r->tarp_max_deviation, r->hpd_max_deviation,
                   worst);
    /* The Kolmogorov-Smirnov 99.9% band of 1000 tests, plus the expectation's own noise. */
    g_assert_cmpfloat(worst, <, 0.062 + 0.01);
    g_assert_cmpfloat(fabs(r->tarp_max_deviation - exp_tarp_dev), <, 0.05);
    g_assert_cmpfloat(fabs(r->hpd_max_deviation - exp_hpd_dev), <, 0.05);
    check_against_closed_form(r, SPH_COVERAGE_BIASED);
    sph_coverage_result_free(r);
  }
}

/* In 4-D a one-sigma shift per coordinate moves theta by 2 sigma: HPD deviation > 0.3. */
static void test_biased_dim(void)
{
  SphCoverageResult *r = run_case(SPH_COVERAGE_BIASED, 4, 1000, 3, NULL);
  g_test_message("biased 4-D: hpd %.4f tarp %.4f", r->hpd_max_deviation, r->tarp_max_deviation);
  g_assert_cmpfloat(r->hpd_max_deviation, >, 0.3);
  g_assert_cmpfloat(r->tarp_max_deviation, >, 0.12);
  sph_coverage_result_free(r);
}

static void test_snapshots_and_cancel(void)
{
  SphJob *job = sph_job_new();
  SphCoverageResult *r = run_case(SPH_COVERAGE_UNDERCONFIDENT, 2, 200, 4, job);
  uint64_t gen = 0;
  SphSnapshot *snap = sph_job_acquire_snapshot(job, &gen);
  g_assert_nonnull(snap);
  g_assert_cmpuint(gen, ==, 19);
  const SphCoverageResult *s = sph_snapshot_data(snap);
  g_assert_cmpuint(s->tests, ==, 190);
  for (size_t k = 1; k <= s->levels; k++)
    g_assert_cmpfloat(s->tarp_coverage[k], >=, s->tarp_coverage[k - 1]);
  sph_snapshot_release(snap);
  g_assert_cmpfloat(sph_job_get_progress(job, NULL, 0), ==, 1);
  /* The same seed gives the same curves. */
  SphCoverageResult *again = run_case(SPH_COVERAGE_UNDERCONFIDENT, 2, 200, 4, NULL);
  g_assert_cmpmem(r->tarp_coverage, (r->levels + 1) * sizeof(double), again->tarp_coverage,
                  (again->levels + 1) * sizeof(double));
  sph_coverage_result_free(r);
  sph_coverage_result_free(again);
  sph_job_unref(job);

  job = sph_job_new();
  sph_job_cancel(job);
  SphGaussianCase *gc = NULL;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_gaussian_case_new(SPH_COVERAGE_CALIBRATED, 2, &gc, &err), ==, SPH_OK);
  SphCoverageResult *partial = NULL;
  g_assert_cmpint(sph_coverage_run(sph_gaussian_case_problem(gc), NULL, job, &partial, &err), ==,
                  SPH_ERR_CANCELLED);
  g_assert_nonnull(partial);
  g_assert_cmpuint(partial->tests, ==, 0);
  sph_coverage_result_free(partial);
  sph_gaussian_case_free(gc);
  sph_job_unref(job);
}

static void test_bad_input(void)
{
  SphError err = SPH_ERROR_INIT;
  SphCoverageCase kind;
  g_assert_cmpint(sph_coverage_case_parse("wobbly", &kind, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "wobbly"));
  g_assert_cmpint(sph_coverage_case_parse("biased", &kind, &err), ==, SPH_OK);
  g_assert_cmpint(kind, ==, SPH_COVERAGE_BIASED);
  SphGaussianCase *gc = NULL;
  g_assert_cmpint(sph_gaussian_case_new(kind, 0, &gc, &err), ==, SPH_ERR_INVALID);
  g_assert_cmpint(sph_gaussian_case_new(kind, 2, &gc, &err), ==, SPH_OK);
  SphCoverageOptions o;
  sph_coverage_options_init(&o);
  o.tests = 10; /* levels = 1 */
  SphCoverageResult *r = NULL;
  g_assert_cmpint(sph_coverage_run(sph_gaussian_case_problem(gc), &o, NULL, &r, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_null(r);
  g_assert_nonnull(strstr(err.message, "levels"));
  sph_gaussian_case_free(gc);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/coverage/chi2-sf", test_chi2_sf);
  g_test_add_func("/coverage/calibrated", test_calibrated);
  g_test_add_func("/coverage/overconfident", test_overconfident);
  g_test_add_func("/coverage/underconfident", test_underconfident);
  g_test_add_func("/coverage/biased", test_biased);
  g_test_add_func("/coverage/biased-4d", test_biased_dim);
  g_test_add_func("/coverage/biased-expected", test_biased_expected);
  g_test_add_func("/coverage/snapshots-cancel", test_snapshots_and_cancel);
  g_test_add_func("/coverage/bad-input", test_bad_input);
  return g_test_run();
}
