/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Layers, the MLP and the optimisers: gradient checks through whole networks, analytic
 * optimiser steps, dropout statistics and exact repetition of seeded runs. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sphaera/layers.h"
#include "sphaera/optim.h"

typedef struct {
  SphMlp *mlp;
  SphTensor *x;
  int32_t labels[6];
} MlpCase;

static SphVar *mlp_loss(SphTape *tape, void *ctx)
{
  MlpCase *k = ctx;
  SphRng rng;
  sph_rng_init(&rng, 4, 1); /* a fixed dropout mask for every evaluation */
  SphVar *x = sph_tape_input(tape, k->x, false);
  return sph_cross_entropy_logits(tape, sph_mlp_forward(tape, k->mlp, x, true, &rng), k->labels, 6);
}

/* The whole network (dense, layer norm, each activation, dropout, cross-entropy) against
 * finite differences, every parameter at once. */
static void test_mlp_gradcheck(void)
{
  for (int act = 0; act < SPH_ACT_COUNT; act++) {
    SphMlpConfig cfg = {.nsizes = 4, .sizes = {5, 7, 6, 3}, .activation = act, .dropout = 0.25,
                        .layer_norm = act % 2 == 0, .dtype = SPH_F64};
    MlpCase k = {.mlp = sph_mlp_new(&cfg, 17, NULL)};
    g_assert_nonnull(k.mlp);
    SphRng rng;
    sph_rng_init(&rng, 3, 0);
    k.x = sph_tensor_new2(SPH_F64, 6, 5, NULL);
    for (size_t i = 0; i < k.x->size; i++)
      sph_tensor_set(k.x, i, sph_rng_normal(&rng));
    for (int i = 0; i < 6; i++)
      k.labels[i] = i % 3;
    size_t np = sph_mlp_param_count(k.mlp);
    g_assert_cmpuint(np, ==, cfg.layer_norm ? 10 : 6);
    SphVar *params[16];
    for (size_t i = 0; i < np; i++)
      params[i] = sph_mlp_param(k.mlp, i);
    double worst = -1;
    g_assert_cmpint(sph_gradcheck(mlp_loss, &k, params, np, 1e-6, &worst, NULL), ==, SPH_OK);
    g_test_message("mlp %s%s: max relative error %.3g", sph_activation_name(act),
                   cfg.layer_norm ? " + layer norm" : "", worst);
    g_assert_cmpfloat(worst, >=, 0.0);
    g_assert_cmpfloat(worst, <, 1e-6);
    sph_tensor_free(k.x);
    sph_mlp_free(k.mlp);
  }
}

/* The same seed gives the same weights; another seed others; a bad configuration is
 * refused with a reason. */
static void test_mlp_seeded(void)
{
  SphMlpConfig cfg = {.nsizes = 3, .sizes = {4, 8, 2}, .activation = SPH_ACT_RELU, .dtype = SPH_F32};
  SphMlp *a = sph_mlp_new(&cfg, 7, NULL), *b = sph_mlp_new(&cfg, 7, NULL), *c = sph_mlp_new(&cfg, 8, NULL);
  SphTensor *wa = sph_var_value(sph_mlp_param(a, 0)), *wb = sph_var_value(sph_mlp_param(b, 0));
  SphTensor *wc = sph_var_value(sph_mlp_param(c, 0));
  g_assert_cmpmem(wa->data, wa->size * 4, wb->data, wb->size * 4);
  g_assert_true(memcmp(wa->data, wc->data, wa->size * 4) != 0);
  /* He initialisation: variance 2/in over the 32 weights, loosely */
  double s2 = 0;
  for (size_t i = 0; i < wa->size; i++)
    s2 += sph_tensor_get(wa, i) * sph_tensor_get(wa, i);
  g_assert_cmpfloat(s2 / (double)wa->size, >, 0.1);
  g_assert_cmpfloat(s2 / (double)wa->size, <, 1.5);
  sph_mlp_free(a);
  sph_mlp_free(b);
  sph_mlp_free(c);
  SphError err = SPH_ERROR_INIT;
  cfg.dropout = 1.0;
  g_assert_null(sph_mlp_new(&cfg, 1, &err));
  g_assert_nonnull(strstr(err.message, "dropout 1"));
}

/* Dropout zeroes about p of the elements and keeps the mean (inverted scaling); with
 * dropout on at prediction (MC dropout) two passes differ, with it off they agree. */
static void test_dropout_statistics(void)
{
  size_t n = 20000;
  SphTensor *ones = sph_tensor_new2(SPH_F64, 1, n, NULL);
  sph_tensor_fill(ones, 1.0);
  SphTape *tape = sph_tape_new();
  SphRng rng;
  sph_rng_init(&rng, 1, 0);
  SphVar *y = sph_dropout(tape, sph_tape_input(tape, ones, false), 0.3, &rng);
  size_t zeros = 0;
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    double v = sph_tensor_get(sph_var_value(y), i);
    zeros += v == 0.0;
    sum += v;
    g_assert_true(v == 0.0 || fabs(v - 1.0 / 0.7) < 1e-12);
  }
  /* binomial: sd of the fraction is sqrt(0.21/n) = 0.0032; allow 5 sd */
  g_assert_cmpfloat(fabs((double)zeros / (double)n - 0.3), <, 0.016);
  g_assert_cmpfloat(fabs(sum / (double)n - 1.0), <, 0.025);
  sph_tensor_free(ones);

  SphMlpConfig cfg = {.nsizes = 3, .sizes = {2, 32, 1}, .activation = SPH_ACT_TANH,
                      .dropout = 0.2, .dtype = SPH_F64};
  SphMlp *mlp = sph_mlp_new(&cfg, 3, NULL);
  SphTensor *x = sph_tensor_new2(SPH_F64, 1, 2, NULL);
  sph_tensor_fill(x, 0.5);
  double out[4];
  for (int pass = 0; pass < 4; pass++) {
    sph_tape_reset(tape);
    SphVar *o = sph_mlp_forward(tape, mlp, sph_tape_input(tape, x, false), pass < 2, &rng);
    out[pass] = sph_var_scalar(o);
  }
  g_assert_cmpfloat(out[0], !=, out[1]);
  g_assert_cmpfloat(out[2], ==, out[3]);
  sph_tensor_free(x);
  sph_mlp_free(mlp);
  sph_tape_free(tape);
}

/* On f(p) = sum(p^2)/2 the gradient is p: SGD with momentum and Adam's first step
 * follow by hand. */
static void test_optimiser_steps(void)
{
  SphVar *p = sph_var_new_param(sph_tensor_new2(SPH_F64, 1, 2, NULL), NULL);
  double p0[2] = {1.0, -2.0};
  for (int kind = 0; kind < 2; kind++) {
    for (int i = 0; i < 2; i++)
      sph_tensor_set(sph_var_value(p), i, p0[i]);
    SphOptimConfig cfg = sph_optim_defaults(kind);
    cfg.learning_rate = 0.1;
    SphOptimizer *opt = sph_optim_new(&cfg, &p, 1, NULL);
    g_assert_nonnull(opt);
    double want[2] = {p0[0], p0[1]}, vel[2] = {0, 0};
    for (int step = 0; step < 2; step++) {
      sph_optim_zero_grad(opt);
      for (int i = 0; i < 2; i++) /* the gradient of sum(p^2)/2 */
        sph_tensor_set(sph_var_grad(p), i, sph_tensor_get(sph_var_value(p), i));
      g_assert_cmpint(sph_optim_step(opt, NULL), ==, SPH_OK);
      for (int i = 0; i < 2; i++) {
        if (kind == SPH_OPTIM_SGD) {
          vel[i] = 0.9 * vel[i] + want[i];
          want[i] -= 0.1 * vel[i];
        } else if (step == 0) {
          want[i] -= 0.1 * want[i] / (fabs(want[i]) + 1e-8); /* lr sign(g) */
        }
        if (kind == SPH_OPTIM_SGD || step == 0)
          g_assert_cmpfloat_with_epsilon(sph_tensor_get(sph_var_value(p), i), want[i], 1e-12);
      }
    }
    /* Many steps reach the minimum at zero. */
    for (int step = 0; step < 400; step++) {
      for (int i = 0; i < 2; i++)
        sph_tensor_set(sph_var_grad(p), i, sph_tensor_get(sph_var_value(p), i));
      sph_optim_step(opt, NULL);
    }
    for (int i = 0; i < 2; i++)
      g_assert_cmpfloat(fabs(sph_tensor_get(sph_var_value(p), i)), <, 0.05);
    /* A NaN gradient stops the step with a reason and leaves the parameter alone. */
    double before = sph_tensor_get(sph_var_value(p), 0);
    sph_tensor_set(sph_var_grad(p), 1, NAN);
    SphError err = SPH_ERROR_INIT;
    g_assert_cmpint(sph_optim_step(opt, &err), ==, SPH_ERR_INVALID);
    g_assert_nonnull(strstr(err.message, "not finite"));
    g_assert_cmpfloat(sph_tensor_get(sph_var_value(p), 0), ==, before);
    sph_optim_free(opt);
  }
  SphOptimConfig bad = sph_optim_defaults(SPH_OPTIM_ADAM);
  bad.learning_rate = -1;
  g_assert_null(sph_optim_new(&bad, &p, 1, NULL));
  sph_var_free(p);
}

/* Fits y = sin(3x) with a small float32 tanh MLP and Adam: the loss falls tenfold, and
 * a second run with the same seed repeats the first bit for bit. */
static double fit_sine(uint64_t seed, float *weights_out, size_t nweights)
{
  SphMlpConfig cfg = {.nsizes = 3, .sizes = {1, 32, 1}, .activation = SPH_ACT_TANH,
                      .dropout = 0.02, .dtype = SPH_F32};
  SphMlp *mlp = sph_mlp_new(&cfg, seed, NULL);
  SphVar *params[4];
  for (size_t i = 0; i < 4; i++)
    params[i] = sph_mlp_param(mlp, i);
  SphOptimConfig oc = sph_optim_defaults(SPH_OPTIM_ADAM);
  oc.learning_rate = 0.01;
  SphOptimizer *opt = sph_optim_new(&oc, params, 4, NULL);
  SphTensor *x = sph_tensor_new2(SPH_F32, 64, 1, NULL), *y = sph_tensor_new2(SPH_F32, 64, 1, NULL);
  for (size_t i = 0; i < 64; i++) {
    double xi = -1.0 + 2.0 * (double)i / 63.0;
    sph_tensor_set(x, i, xi);
    sph_tensor_set(y, i, sin(3 * xi));
  }
  SphRng rng;
  sph_rng_init(&rng, seed, 1);
  SphTape *tape = sph_tape_new();
  double first = 0, last = 0;
  for (int step = 0; step < 500; step++) {
    sph_tape_reset(tape);
    sph_optim_zero_grad(opt);
    SphVar *pred = sph_mlp_forward(tape, mlp, sph_tape_input(tape, x, false), true, &rng);
    SphVar *loss = sph_mse_loss(tape, pred, sph_tape_input(tape, y, false));
    g_assert_cmpint(sph_backward(tape, loss, NULL), ==, SPH_OK);
    g_assert_cmpint(sph_optim_step(opt, NULL), ==, SPH_OK);
    if (step == 0)
      first = sph_var_scalar(loss);
    last = sph_var_scalar(loss);
  }
  SphTensor *w = sph_var_value(params[0]);
  g_assert_cmpuint(w->size, ==, nweights);
  memcpy(weights_out, w->data, nweights * sizeof(float));
  sph_tape_free(tape);
  sph_tensor_free(x);
  sph_tensor_free(y);
  sph_optim_free(opt);
  sph_mlp_free(mlp);
  g_assert_cmpfloat(last, <, first / 10);
  return last;
}

static void test_seeded_training_repeats(void)
{
  float w1[32], w2[32], w3[32];
  double l1 = fit_sine(42, w1, 32), l2 = fit_sine(42, w2, 32), l3 = fit_sine(43, w3, 32);
  g_assert_cmpfloat(l1, ==, l2);
  g_assert_cmpmem(w1, sizeof w1, w2, sizeof w2);
  g_assert_cmpfloat(l1, !=, l3);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/layers/mlp-gradcheck", test_mlp_gradcheck);
  g_test_add_func("/layers/mlp-seeded", test_mlp_seeded);
  g_test_add_func("/layers/dropout-statistics", test_dropout_statistics);
  g_test_add_func("/layers/optimiser-steps", test_optimiser_steps);
  g_test_add_func("/layers/seeded-training-repeats", test_seeded_training_repeats);
  return g_test_run();
}
