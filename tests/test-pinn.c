/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Input derivatives up to second order: the jets against finite differences of the
 * network (first derivatives) and of the jets' own first derivatives (second), the
 * parameter gradient of a loss made of u, u_t, u_x and u_xx against the gradient
 * checker, and a physics-informed fit of u'' = -pi^2 sin(pi x), u(0) = u(1) = 0, by Adam
 * then L-BFGS, against the solution sin(pi x). */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sphaera/input_derivs.h"
#include "sphaera/lbfgs.h"
#include "sphaera/optim.h"

static SphMlp *small_mlp(SphActivation act, size_t in, size_t width, uint64_t seed)
{
  SphMlpConfig c = {.nsizes = 4, .sizes = {in, width, width, 1}, .activation = act,
                    .dtype = SPH_F64};
  SphMlp *mlp = sph_mlp_new(&c, seed, NULL);
  g_assert_nonnull(mlp);
  /* non-zero biases, so no symmetry hides an error */
  SphRng rng;
  sph_rng_init(&rng, seed, 9);
  for (size_t p = 1; p < sph_mlp_param_count(mlp); p += 2) {
    SphTensor *b = sph_var_value(sph_mlp_param(mlp, p));
    for (size_t i = 0; i < b->size; i++)
      sph_tensor_set(b, i, 0.3 * sph_rng_normal(&rng));
  }
  return mlp;
}

/* The jet's value, d1 and d2 for coordinate k at points x [n, 2], into out[3][n]. */
static void jet_at(const SphMlp *mlp, const SphTensor *x, size_t k, double out[3][8])
{
  SphTape *tape = sph_tape_new();
  const size_t coords[2] = {0, 1};
  SphJet jet = sph_mlp_forward_jet(tape, mlp, sph_tape_input(tape, x, false), coords, 2);
  g_assert_cmpint(sph_tape_status(tape, NULL), ==, SPH_OK);
  for (size_t i = 0; i < x->shape[0]; i++) {
    out[0][i] = sph_tensor_get(sph_var_value(jet.value), i);
    out[1][i] = sph_tensor_get(sph_var_value(jet.d1[k]), i);
    out[2][i] = sph_tensor_get(sph_var_value(jet.d2[k]), i);
  }
  sph_tape_free(tape);
}

static void test_jets_vs_differences(void)
{
  const SphActivation acts[] = {SPH_ACT_TANH, SPH_ACT_SIGMOID, SPH_ACT_SOFTPLUS, SPH_ACT_GELU};
  const size_t n = 8;
  const double h = 1e-4;
  for (size_t a = 0; a < G_N_ELEMENTS(acts); a++) {
    SphMlp *mlp = small_mlp(acts[a], 2, 12, 40 + a);
    SphRng rng;
    sph_rng_init(&rng, 3, a);
    SphTensor *x = sph_tensor_new2(SPH_F64, n, 2, NULL);
    for (size_t i = 0; i < x->size; i++)
      sph_tensor_set(x, i, sph_rng_uniform(&rng) * 2 - 1);
    double worst1 = 0.0, worst2 = 0.0;
    for (size_t k = 0; k < 2; k++) {
      double mid[3][8], plus[3][8], minus[3][8];
      jet_at(mlp, x, k, mid);
      SphTensor *xp = sph_tensor_clone(x, NULL), *xm = sph_tensor_clone(x, NULL);
      for (size_t i = 0; i < n; i++) {
        sph_tensor_set(xp, i * 2 + k, sph_tensor_get(x, i * 2 + k) + h);
        sph_tensor_set(xm, i * 2 + k, sph_tensor_get(x, i * 2 + k) - h);
      }
      jet_at(mlp, xp, k, plus);
      jet_at(mlp, xm, k, minus);
      for (size_t i = 0; i < n; i++) {
        double fd1 = (plus[0][i] - minus[0][i]) / (2 * h);
        double fd2 = (plus[1][i] - minus[1][i]) / (2 * h);
        worst1 = fmax(worst1, fabs(fd1 - mid[1][i]) / fmax(fabs(mid[1][i]), 1e-2));
        worst2 = fmax(worst2, fabs(fd2 - mid[2][i]) / fmax(fabs(mid[2][i]), 1e-2));
      }
      sph_tensor_free(xp);
      sph_tensor_free(xm);
    }
    g_test_message("%s: u_x, u_t vs differences of u: %.2e; u_xx, u_tt vs differences of u_x, "
                   "u_t: %.2e (relative)",
                   sph_activation_name(acts[a]), worst1, worst2);
    g_assert_cmpfloat(worst1, <, 1e-6);
    g_assert_cmpfloat(worst2, <, 1e-6);
    sph_tensor_free(x);
    sph_mlp_free(mlp);
  }
}

typedef struct {
  SphMlp *mlp;
  SphTensor *x;
} BurgersCase;

/* The Burgers residual u_t + u u_x - 0.01 u_xx, squared and averaged, with inputs (x, t). */
static SphVar *burgers_loss(SphTape *tape, void *ctx)
{
  BurgersCase *b = ctx;
  const size_t coords[2] = {0, 1};
  SphJet j = sph_mlp_forward_jet(tape, b->mlp, sph_tape_input(tape, b->x, false), coords, 2);
  SphVar *r = sph_add(tape, sph_add(tape, j.d1[1], sph_mul(tape, j.value, j.d1[0])),
                      sph_scale(tape, j.d2[0], -0.01));
  return sph_mean(tape, sph_mul(tape, r, r));
}

static void test_gradcheck_pinn_loss(void)
{
  const SphActivation acts[] = {SPH_ACT_TANH, SPH_ACT_GELU};
  for (size_t a = 0; a < G_N_ELEMENTS(acts); a++) {
    BurgersCase b = {.mlp = small_mlp(acts[a], 2, 6, 50 + a), .x = sph_tensor_new2(SPH_F64, 5, 2, NULL)};
    SphRng rng;
    sph_rng_init(&rng, 4, a);
    for (size_t i = 0; i < b.x->size; i++)
      sph_tensor_set(b.x, i, sph_rng_uniform(&rng) * 2 - 1);
    double rel = 1.0;
    g_assert_cmpint(sph_gradcheck(burgers_loss, &b, sph_mlp_params(b.mlp),
                                  sph_mlp_param_count(b.mlp), 1e-5, &rel, NULL), ==, SPH_OK);
    g_test_message("%s: Burgers residual loss, parameter gradient relative error %.2e",
                   sph_activation_name(acts[a]), rel);
    g_assert_cmpfloat(rel, <, 1e-6);
    sph_mlp_free(b.mlp);
    sph_tensor_free(b.x);
  }
}

typedef struct {
  SphMlp *mlp;
  SphTensor *x, *source, *edges;
} Poisson;

/* mean((u'' + pi^2 sin(pi x))^2) over the collocation points + u(0)^2 + u(1)^2 */
static SphVar *poisson_loss(SphTape *tape, void *ctx)
{
  Poisson *p = ctx;
  const size_t coord = 0;
  SphJet j = sph_mlp_forward_jet(tape, p->mlp, sph_tape_input(tape, p->x, false), &coord, 1);
  SphVar *r = sph_add(tape, j.d2[0], sph_tape_input(tape, p->source, false));
  SphVar *ub = sph_mlp_forward(tape, p->mlp, sph_tape_input(tape, p->edges, false), false, NULL);
  return sph_add(tape, sph_mean(tape, sph_mul(tape, r, r)), sph_sum(tape, sph_mul(tape, ub, ub)));
}

static void test_poisson_fit(void)
{
  const size_t n = 32;
  Poisson p = {.mlp = small_mlp(SPH_ACT_TANH, 1, 16, 7),
               .x = sph_tensor_new2(SPH_F64, n, 1, NULL),
               .source = sph_tensor_new2(SPH_F64, n, 1, NULL),
               .edges = sph_tensor_new2(SPH_F64, 2, 1, NULL)};
  for (size_t i = 0; i < n; i++) {
    double x = ((double)i + 0.5) / (double)n;
    sph_tensor_set(p.x, i, x);
    sph_tensor_set(p.source, i, M_PI * M_PI * sin(M_PI * x));
  }
  sph_tensor_set(p.edges, 1, 1.0);
  SphVar *const *params = sph_mlp_params(p.mlp);
  size_t np = sph_mlp_param_count(p.mlp);
  SphError err = SPH_ERROR_INIT;
  SphOptimConfig oc = sph_optim_defaults(SPH_OPTIM_ADAM);
  SphLrScheduleConfig sched = {.kind = SPH_SCHEDULE_WARMUP_COSINE, .base = 1e-2, .warmup = 50,
                               .total = 1000, .final = 1e-3};
  SphOptimizer *opt = sph_optim_new(&oc, params, np, &err);
  g_assert_nonnull(opt);
  SphTape *tape = sph_tape_new();
  double adam_loss = 0.0;
  for (size_t step = 0; step < sched.total; step++) {
    sph_tape_reset(tape);
    sph_optim_zero_grad(opt);
    sph_optim_set_learning_rate(opt, sph_lr_schedule_at(&sched, step));
    SphVar *loss = poisson_loss(tape, &p);
    g_assert_cmpint(sph_backward(tape, loss, &err), ==, SPH_OK);
    adam_loss = sph_var_scalar(loss);
    g_assert_cmpint(sph_optim_step(opt, &err), ==, SPH_OK);
  }
  sph_tape_free(tape);
  sph_optim_free(opt);
  SphLbfgsConfig lc = sph_lbfgs_defaults();
  lc.max_iterations = 400;
  SphLbfgsResult res;
  g_assert_cmpint(sph_lbfgs_minimize(&lc, poisson_loss, &p, params, np, NULL, &res, &err), ==, SPH_OK);
  /* the error against sin(pi x) on a fine grid, boundaries included */
  const size_t m = 101;
  SphTensor *grid = sph_tensor_new2(SPH_F64, m, 1, NULL);
  for (size_t i = 0; i < m; i++)
    sph_tensor_set(grid, i, (double)i / (double)(m - 1));
  tape = sph_tape_new();
  SphVar *u = sph_mlp_forward(tape, p.mlp, sph_tape_input(tape, grid, false), false, NULL);
  double worst = 0.0;
  for (size_t i = 0; i < m; i++)
    worst = fmax(worst, fabs(sph_tensor_get(sph_var_value(u), i) - sin(M_PI * (double)i / (double)(m - 1))));
  g_test_message("Poisson PINN: loss %.3e after Adam, %.3e after %zu L-BFGS iterations (stop %d); "
                 "max |u - sin(pi x)| = %.2e",
                 adam_loss, res.loss, res.iterations, res.stop, worst);
  g_assert_cmpfloat(res.loss, <, adam_loss);
  g_assert_cmpfloat(worst, <, 1e-4);
  sph_tape_free(tape);
  sph_tensor_free(grid);
  sph_tensor_free(p.x);
  sph_tensor_free(p.source);
  sph_tensor_free(p.edges);
  sph_mlp_free(p.mlp);
}

static void test_errors(void)
{
  SphMlp *mlp = small_mlp(SPH_ACT_TANH, 2, 4, 1);
  SphTensor *x = sph_tensor_new2(SPH_F64, 3, 2, NULL);
  SphTape *tape = sph_tape_new();
  SphError err = SPH_ERROR_INIT;
  const size_t coords[1] = {2};
  SphJet j = sph_mlp_forward_jet(tape, mlp, sph_tape_input(tape, x, false), coords, 1);
  g_assert_null(j.value);
  g_assert_cmpint(sph_tape_status(tape, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "coordinate 2"));
  sph_tape_reset(tape);
  SphMlpConfig c = {.nsizes = 3, .sizes = {2, 4, 1}, .activation = SPH_ACT_TANH, .layer_norm = true,
                    .dtype = SPH_F64};
  SphMlp *normed = sph_mlp_new(&c, 1, NULL);
  const size_t zero = 0;
  j = sph_mlp_forward_jet(tape, normed, sph_tape_input(tape, x, false), &zero, 1);
  g_assert_cmpint(sph_tape_status(tape, &err), ==, SPH_ERR_UNSUPPORTED);
  g_assert_nonnull(strstr(err.message, "layer norm"));
  sph_mlp_free(normed);
  sph_tape_free(tape);
  sph_tensor_free(x);
  sph_mlp_free(mlp);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pinn/jets-vs-differences", test_jets_vs_differences);
  g_test_add_func("/pinn/gradcheck-residual-loss", test_gradcheck_pinn_loss);
  g_test_add_func("/pinn/poisson-fit", test_poisson_fit);
  g_test_add_func("/pinn/errors", test_errors);
  return g_test_run();
}
