/* SPDX-License-Identifier: GPL-3.0-or-later */
/* L-BFGS on Rosenbrock's function (minimum at (1, 1)) and on a quadratic whose
 * minimiser is solved for directly, with both line searches; its job behaviour; and
 * the learning-rate schedules against their formulas. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sphaera/lbfgs.h"
#include "sphaera/optim.h"
#include "sphaera/rng.h"

static SphVar *scalar_param(double v)
{
  size_t one = 1;
  SphTensor *t = sph_tensor_new(SPH_F64, 1, &one, NULL);
  sph_tensor_set(t, 0, v);
  return sph_var_new_param(t, NULL);
}

typedef struct {
  SphVar *x, *y;
  SphTensor *one;
  double poison; /* multiplies the loss: NAN makes it non-finite */
} Rosenbrock;

/* (1 - x)^2 + 100 (y - x^2)^2 */
static SphVar *rosenbrock(SphTape *tape, void *ctx)
{
  Rosenbrock *r = ctx;
  SphVar *a = sph_add(tape, sph_tape_input(tape, r->one, false), sph_scale(tape, r->x, -1.0));
  SphVar *b = sph_add(tape, r->y, sph_scale(tape, sph_mul(tape, r->x, r->x), -1.0));
  SphVar *f = sph_add(tape, sph_mul(tape, a, a), sph_scale(tape, sph_mul(tape, b, b), 100.0));
  return r->poison == 1.0 ? f : sph_scale(tape, f, r->poison);
}

static void rosenbrock_init(Rosenbrock *r)
{
  size_t one = 1;
  r->x = scalar_param(-1.2);
  r->y = scalar_param(1.0);
  r->one = sph_tensor_new(SPH_F64, 1, &one, NULL);
  sph_tensor_set(r->one, 0, 1.0);
  r->poison = 1.0;
}

static void rosenbrock_clear(Rosenbrock *r)
{
  sph_var_free(r->x);
  sph_var_free(r->y);
  sph_tensor_free(r->one);
}

static void test_rosenbrock(gconstpointer data)
{
  SphLineSearch ls = (SphLineSearch)GPOINTER_TO_INT(data);
  Rosenbrock r;
  rosenbrock_init(&r);
  SphLbfgsConfig cfg = sph_lbfgs_defaults();
  cfg.line_search = ls;
  cfg.max_iterations = ls == SPH_LINE_SEARCH_BACKTRACKING ? 2000 : 500;
  SphVar *params[2] = {r.x, r.y};
  SphLbfgsResult res;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_lbfgs_minimize(&cfg, rosenbrock, &r, params, 2, NULL, &res, &err), ==, SPH_OK);
  double x = sph_var_scalar(r.x), y = sph_var_scalar(r.y);
  g_test_message("%s: %zu iterations, %zu evaluations, f %.3e, |x - 1| %.2e, |y - 1| %.2e, stop %d",
                 ls == SPH_LINE_SEARCH_BACKTRACKING ? "backtracking" : "strong Wolfe",
                 res.iterations, res.evaluations, res.loss, fabs(x - 1), fabs(y - 1), res.stop);
  g_assert_cmpfloat(fabs(x - 1.0), <, 1e-8);
  g_assert_cmpfloat(fabs(y - 1.0), <, 1e-8);
  g_assert_cmpfloat(res.loss, <, 1e-16);
  if (ls == SPH_LINE_SEARCH_STRONG_WOLFE)
    g_assert_cmpuint(res.iterations, <, 100); /* quasi-Newton, not gradient descent */
  rosenbrock_clear(&r);
}

typedef struct {
  SphTensor *a, *b;
  SphVar *x;
} Quadratic;

/* x^T A x / 2 - b^T x, minimised by A x = b */
static SphVar *quadratic(SphTape *tape, void *ctx)
{
  Quadratic *q = ctx;
  SphVar *ax = sph_matmul(tape, sph_tape_input(tape, q->a, false), q->x);
  SphVar *xax = sph_sum(tape, sph_mul(tape, q->x, ax));
  SphVar *bx = sph_sum(tape, sph_mul(tape, sph_tape_input(tape, q->b, false), q->x));
  return sph_add(tape, sph_scale(tape, xax, 0.5), sph_scale(tape, bx, -1.0));
}

/* Solves A z = b by Gaussian elimination with partial pivoting (A is copied). */
static void solve(const SphTensor *a, const SphTensor *b, size_t n, double *z)
{
  double m[16][17];
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < n; j++)
      m[i][j] = sph_tensor_get(a, i * n + j);
    m[i][n] = sph_tensor_get(b, i);
  }
  for (size_t c = 0; c < n; c++) {
    size_t p = c;
    for (size_t i = c + 1; i < n; i++)
      if (fabs(m[i][c]) > fabs(m[p][c]))
        p = i;
    for (size_t j = 0; j <= n; j++) {
      double t = m[c][j];
      m[c][j] = m[p][j];
      m[p][j] = t;
    }
    for (size_t i = c + 1; i < n; i++) {
      double f = m[i][c] / m[c][c];
      for (size_t j = c; j <= n; j++)
        m[i][j] -= f * m[c][j];
    }
  }
  for (size_t i = n; i-- > 0;) {
    double s = m[i][n];
    for (size_t j = i + 1; j < n; j++)
      s -= m[i][j] * z[j];
    z[i] = s / m[i][i];
  }
}

static void test_quadratic(void)
{
  const size_t n = 12;
  SphRng rng;
  sph_rng_init(&rng, 5, 0);
  /* A = M^T M + I: symmetric positive definite, condition number about 50 */
  SphTensor *m = sph_tensor_new2(SPH_F64, n, n, NULL);
  for (size_t i = 0; i < m->size; i++)
    sph_tensor_set(m, i, sph_rng_normal(&rng));
  Quadratic q = {.a = sph_tensor_new2(SPH_F64, n, n, NULL), .b = sph_tensor_new2(SPH_F64, n, 1, NULL)};
  sph_tensor_gemm(true, false, 1.0, m, m, 0.0, q.a, NULL);
  for (size_t i = 0; i < n; i++) {
    sph_tensor_set(q.a, i * n + i, sph_tensor_get(q.a, i * n + i) + 1.0);
    sph_tensor_set(q.b, i, sph_rng_normal(&rng));
  }
  q.x = sph_var_new_param(sph_tensor_new2(SPH_F64, n, 1, NULL), NULL);
  double z[16];
  solve(q.a, q.b, n, z);
  SphLbfgsConfig cfg = sph_lbfgs_defaults();
  cfg.history = 5;
  cfg.change_tolerance = 0.0; /* stop on the gradient alone */
  SphJob *job = sph_job_new();
  SphLbfgsResult res;
  g_assert_cmpint(sph_lbfgs_minimize(&cfg, quadratic, &q, &q.x, 1, job, &res, NULL), ==, SPH_OK);
  double worst = 0.0;
  for (size_t i = 0; i < n; i++)
    worst = fmax(worst, fabs(sph_tensor_get(sph_var_value(q.x), i) - z[i]) / fmax(1.0, fabs(z[i])));
  g_test_message("quadratic, n %zu: %zu iterations, max error vs the direct solution %.2e, stop %d",
                 n, res.iterations, worst, res.stop);
  /* A line search sees decreases down to the rounding of f (|f| ~ 10), which limits the
   * error to about sqrt(1e-16 |f| / lambda_min) ~ 3e-8. */
  g_assert_cmpfloat(worst, <, 1e-7);
  /* the job's snapshot holds every iteration's loss, never rising (sufficient decrease) */
  SphSnapshot *snap = sph_job_acquire_snapshot(job, NULL);
  g_assert_nonnull(snap);
  const SphLossCurve *curve = sph_snapshot_data(snap);
  g_assert_cmpuint(curve->n, ==, res.iterations);
  for (size_t i = 1; i < curve->n; i++)
    g_assert_cmpfloat(curve->loss[i], <=, curve->loss[i - 1]);
  g_assert_cmpfloat(fabs(curve->loss[curve->n - 1] - res.loss), <=, 0.0);
  g_assert_cmpfloat(sph_job_get_progress(job, NULL, 0), >, 0.0);
  sph_snapshot_release(snap);
  sph_job_unref(job);
  sph_var_free(q.x);
  sph_tensor_free(q.a);
  sph_tensor_free(q.b);
  sph_tensor_free(m);
}

static void test_cancel_and_errors(void)
{
  Rosenbrock r;
  rosenbrock_init(&r);
  SphVar *params[2] = {r.x, r.y};
  SphLbfgsConfig cfg = sph_lbfgs_defaults();
  SphError err = SPH_ERROR_INIT;
  SphJob *job = sph_job_new();
  sph_job_cancel(job);
  g_assert_cmpint(sph_lbfgs_minimize(&cfg, rosenbrock, &r, params, 2, job, NULL, &err), ==,
                  SPH_ERR_CANCELLED);
  g_assert_cmpfloat(sph_var_scalar(r.x), ==, -1.2); /* untouched */
  sph_job_unref(job);
  r.poison = NAN;
  g_assert_cmpint(sph_lbfgs_minimize(&cfg, rosenbrock, &r, params, 2, NULL, NULL, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "not finite"));
  cfg.c2 = 1e-5; /* c2 < c1 */
  g_assert_cmpint(sph_lbfgs_minimize(&cfg, rosenbrock, &r, params, 2, NULL, NULL, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "c1"));
  rosenbrock_clear(&r);
}

static void test_schedules(void)
{
  SphLrScheduleConfig step = {.kind = SPH_SCHEDULE_STEP, .base = 0.1, .step_size = 30, .gamma = 0.5};
  g_assert_cmpint(sph_lr_schedule_check(&step, NULL), ==, SPH_OK);
  g_assert_cmpfloat(sph_lr_schedule_at(&step, 0), ==, 0.1);
  g_assert_cmpfloat(sph_lr_schedule_at(&step, 29), ==, 0.1);
  g_assert_cmpfloat(fabs(sph_lr_schedule_at(&step, 30) - 0.05), <, 1e-17);
  g_assert_cmpfloat(fabs(sph_lr_schedule_at(&step, 95) - 0.0125), <, 1e-17);
  SphLrScheduleConfig ex = {.kind = SPH_SCHEDULE_EXPONENTIAL, .base = 2.0, .gamma = 0.9};
  g_assert_cmpfloat(fabs(sph_lr_schedule_at(&ex, 10) - 2.0 * pow(0.9, 10)), <, 1e-15);
  SphLrScheduleConfig wc = {.kind = SPH_SCHEDULE_WARMUP_COSINE, .base = 1e-3, .warmup = 10,
                            .total = 110, .final = 1e-5};
  g_assert_cmpint(sph_lr_schedule_check(&wc, NULL), ==, SPH_OK);
  g_assert_cmpfloat(fabs(sph_lr_schedule_at(&wc, 0) - 1e-4), <, 1e-18); /* 1/10 of base */
  g_assert_cmpfloat(fabs(sph_lr_schedule_at(&wc, 9) - 1e-3), <, 1e-18);
  g_assert_cmpfloat(fabs(sph_lr_schedule_at(&wc, 10) - 1e-3), <, 1e-18);
  /* half way through the cosine: the mean of base and final */
  g_assert_cmpfloat(fabs(sph_lr_schedule_at(&wc, 60) - 0.5 * (1e-3 + 1e-5)), <, 1e-17);
  g_assert_cmpfloat(fabs(sph_lr_schedule_at(&wc, 110) - 1e-5), <, 1e-18);
  g_assert_cmpfloat(fabs(sph_lr_schedule_at(&wc, 500) - 1e-5), <, 1e-18);
  for (size_t t = 11; t < 110; t++) /* decreasing after the warm-up */
    g_assert_cmpfloat(sph_lr_schedule_at(&wc, t), <, sph_lr_schedule_at(&wc, t - 1));
  SphError err = SPH_ERROR_INIT;
  SphLrScheduleConfig bad = {.kind = SPH_SCHEDULE_EXPONENTIAL, .base = 1e-3, .gamma = 1.5};
  g_assert_cmpint(sph_lr_schedule_check(&bad, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "gamma 1.5"));
  wc.total = 5;
  g_assert_cmpint(sph_lr_schedule_check(&wc, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "warm-up"));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_data_func("/lbfgs/rosenbrock-wolfe", GINT_TO_POINTER(SPH_LINE_SEARCH_STRONG_WOLFE),
                       test_rosenbrock);
  g_test_add_data_func("/lbfgs/rosenbrock-backtracking",
                       GINT_TO_POINTER(SPH_LINE_SEARCH_BACKTRACKING), test_rosenbrock);
  g_test_add_func("/lbfgs/quadratic", test_quadratic);
  g_test_add_func("/lbfgs/cancel-errors", test_cancel_and_errors);
  g_test_add_func("/optim/schedules", test_schedules);
  return g_test_run();
}
