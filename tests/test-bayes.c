/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Bayes by backprop and deep ensembles: gradient checks of every new operation and of
 * whole layers (the noise fixed by reseeding), the Monte Carlo KL against the closed
 * form for a Gaussian prior, the scale-mixture density against its definition, the
 * mixture moments against a direct sum, and the refusals of bad input. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sphaera/bayes.h"
#include "sphaera/deep_ensemble.h"

static SphTensor *random_tensor(int ndim, const size_t *shape, double scale, SphRng *rng)
{
  SphTensor *t = sph_tensor_new(SPH_F64, ndim, shape, NULL);
  for (size_t i = 0; i < t->size; i++)
    sph_tensor_set(t, i, scale * sph_rng_normal(rng));
  return t;
}

typedef struct {
  SphVar *mu, *rho, *w;
  SphTensor *eps, *target;
  SphScaleMixturePrior prior;
} OpCase;

/* sum((reparam(mu, rho, eps) - target)^2 weighted), so every element's gradient differs */
static SphVar *reparam_loss(SphTape *tape, void *ctx)
{
  OpCase *k = ctx;
  SphVar *w = sph_reparam_sample(tape, k->mu, k->rho, k->eps);
  return sph_mse_loss(tape, sph_tanh(tape, w), sph_tape_input(tape, k->target, false));
}

static SphVar *kl_loss(SphTape *tape, void *ctx)
{
  OpCase *k = ctx;
  return sph_bayes_kl_mc(tape, k->w, k->mu, k->rho, &k->prior);
}

/* The draw and the KL of that draw together, as the layer uses them. */
static SphVar *reparam_kl_loss(SphTape *tape, void *ctx)
{
  OpCase *k = ctx;
  SphVar *w = sph_reparam_sample(tape, k->mu, k->rho, k->eps);
  return sph_bayes_kl_mc(tape, w, k->mu, k->rho, &k->prior);
}

static void test_ops_gradcheck(void)
{
  SphRng rng;
  sph_rng_init(&rng, 11, 0);
  size_t shape[2] = {3, 4};
  OpCase k = {.prior = {.pi = 0.3, .sigma1 = 1.5, .sigma2 = 0.1}};
  k.mu = sph_var_new_param(random_tensor(2, shape, 0.5, &rng), NULL);
  k.rho = sph_var_new_param(random_tensor(2, shape, 1.0, &rng), NULL);
  k.w = sph_var_new_param(random_tensor(2, shape, 0.4, &rng), NULL);
  k.eps = random_tensor(2, shape, 1.0, &rng);
  k.target = random_tensor(2, shape, 0.5, &rng);
  SphVar *wrt[3] = {k.mu, k.rho, k.w};
  double worst;
  g_assert_cmpint(sph_gradcheck(reparam_loss, &k, wrt, 2, 1e-6, &worst, NULL), ==, SPH_OK);
  g_test_message("reparam_sample: max relative error %.3g", worst);
  g_assert_cmpfloat(worst, <, 1e-6);
  g_assert_cmpint(sph_gradcheck(kl_loss, &k, wrt, 3, 1e-6, &worst, NULL), ==, SPH_OK);
  g_test_message("bayes_kl (w, mu, rho): max relative error %.3g", worst);
  g_assert_cmpfloat(worst, <, 1e-6);
  g_assert_cmpint(sph_gradcheck(reparam_kl_loss, &k, wrt, 2, 1e-6, &worst, NULL), ==, SPH_OK);
  g_test_message("bayes_kl through the draw: max relative error %.3g", worst);
  g_assert_cmpfloat(worst, <, 1e-6);
  /* the single-Gaussian prior (pi = 1) takes the other branch */
  k.prior = (SphScaleMixturePrior){.pi = 1.0, .sigma1 = 0.7, .sigma2 = 1.0};
  g_assert_cmpint(sph_gradcheck(kl_loss, &k, wrt, 3, 1e-6, &worst, NULL), ==, SPH_OK);
  g_assert_cmpfloat(worst, <, 1e-6);
  sph_var_free(k.mu);
  sph_var_free(k.rho);
  sph_var_free(k.w);
  sph_tensor_free(k.eps);
  sph_tensor_free(k.target);
}

typedef struct {
  SphBayesDense layer[2];
  SphTensor *x, *y;
} LayerCase;

/* A two-layer Bayesian network with the mean-variance likelihood plus KL / 10, the
 * weight noise fixed by reseeding its generator at every evaluation. */
static SphVar *bayes_net_loss(SphTape *tape, void *ctx)
{
  LayerCase *k = ctx;
  SphRng rng;
  sph_rng_init(&rng, 5, 2);
  SphVar *kl0, *kl1;
  SphVar *h = sph_bayes_dense_forward(tape, &k->layer[0], sph_tape_input(tape, k->x, false), &rng, &kl0);
  SphVar *out = sph_bayes_dense_forward(tape, &k->layer[1], sph_tanh(tape, h), &rng, &kl1);
  SphVar *nll = sph_mean_var_nll(tape, out, sph_tape_input(tape, k->y, false));
  return sph_add(tape, nll, sph_scale(tape, sph_add(tape, kl0, kl1), 0.1));
}

static void test_layer_gradcheck(void)
{
  SphRng rng;
  sph_rng_init(&rng, 3, 0);
  SphScaleMixturePrior prior = sph_scale_mixture_default();
  LayerCase k;
  g_assert_cmpint(sph_bayes_dense_init(&k.layer[0], SPH_F64, 3, 5, 1.0, -2.0, &prior, &rng, NULL), ==, SPH_OK);
  g_assert_cmpint(sph_bayes_dense_init(&k.layer[1], SPH_F64, 5, 2, 1.0, -2.0, &prior, &rng, NULL), ==, SPH_OK);
  size_t xs[2] = {4, 3}, ys[1] = {4};
  k.x = random_tensor(2, xs, 1.0, &rng);
  k.y = random_tensor(1, ys, 1.0, &rng);
  /* non-zero bias means so their gradients are generic */
  for (int l = 0; l < 2; l++) {
    SphTensor *b = sph_var_value(k.layer[l].bias_mu);
    for (size_t i = 0; i < b->size; i++)
      sph_tensor_set(b, i, 0.3 * sph_rng_normal(&rng));
  }
  SphVar *wrt[8];
  for (int l = 0; l < 2; l++)
    for (size_t i = 0; i < SPH_BAYES_DENSE_PARAMS; i++)
      wrt[l * 4 + i] = sph_bayes_dense_param(&k.layer[l], i);
  double worst;
  g_assert_cmpint(sph_gradcheck(bayes_net_loss, &k, wrt, 8, 1e-6, &worst, NULL), ==, SPH_OK);
  g_test_message("Bayesian dense network + NLL + KL: max relative error %.3g", worst);
  g_assert_cmpfloat(worst, <, 1e-6);
  /* the same generator state gives the same draw; the posterior mean pass is x mu + b */
  SphTape *tape = sph_tape_new();
  SphVar *det = sph_bayes_dense_forward(tape, &k.layer[0], sph_tape_input(tape, k.x, false), NULL, NULL);
  g_assert_cmpint(sph_tape_status(tape, NULL), ==, SPH_OK);
  for (size_t i = 0; i < 4; i++)
    for (size_t j = 0; j < 5; j++) {
      double want = sph_tensor_get(sph_var_value(k.layer[0].bias_mu), j);
      for (size_t q = 0; q < 3; q++)
        want += sph_tensor_get(k.x, i * 3 + q) * sph_tensor_get(sph_var_value(k.layer[0].weight_mu), q * 5 + j);
      g_assert_cmpfloat_with_epsilon(sph_tensor_get(sph_var_value(det), i * 5 + j), want, 1e-12);
    }
  sph_tape_free(tape);
  for (int l = 0; l < 2; l++)
    sph_bayes_dense_clear(&k.layer[l]);
  sph_tensor_free(k.x);
  sph_tensor_free(k.y);
}

/* The Monte Carlo KL averages to the closed form for a Gaussian prior:
 * KL(N(m, s^2) || N(0, S^2)) = log(S / s) + (s^2 + m^2) / (2 S^2) - 1/2. */
static void test_kl_unbiased(void)
{
  SphScaleMixturePrior prior = {.pi = 1.0, .sigma1 = 0.8, .sigma2 = 1.0};
  const size_t n = 20000;
  SphTensor *mu = sph_tensor_new(SPH_F64, 1, &n, NULL), *rho = sph_tensor_new(SPH_F64, 1, &n, NULL);
  sph_tensor_fill(mu, 0.3);
  sph_tensor_fill(rho, -1.0);
  SphVar *m = sph_var_new_param(mu, NULL), *r = sph_var_new_param(rho, NULL);
  SphRng rng;
  sph_rng_init(&rng, 9, 0);
  SphTensor *eps = random_tensor(1, &n, 1.0, &rng);
  SphTape *tape = sph_tape_new();
  SphVar *kl = sph_bayes_kl_mc(tape, sph_reparam_sample(tape, m, r, eps), m, r, &prior);
  g_assert_cmpint(sph_tape_status(tape, NULL), ==, SPH_OK);
  double s = log1p(exp(-1.0)), S = 0.8;
  double exact = log(S / s) + (s * s + 0.09) / (2 * S * S) - 0.5;
  double mc = sph_var_scalar(kl) / (double)n;
  /* per-draw KL has standard deviation below 1 here: 5 sigma of the mean of 20000 */
  g_test_message("KL per weight: Monte Carlo %.5f, closed form %.5f", mc, exact);
  g_assert_cmpfloat(fabs(mc - exact), <, 5.0 / sqrt((double)n));
  sph_tape_free(tape);
  sph_tensor_free(eps);
  sph_var_free(m);
  sph_var_free(r);
}

static void test_scale_mixture(void)
{
  SphScaleMixturePrior p = sph_scale_mixture_default();
  g_assert_cmpfloat(p.pi, ==, 0.5);
  g_assert_cmpfloat_with_epsilon(p.sigma2, exp(-6.0), 1e-15);
  for (double w = -3.0; w <= 3.0; w += 0.37) {
    double direct = p.pi * exp(-0.5 * w * w / (p.sigma1 * p.sigma1)) / (sqrt(2 * M_PI) * p.sigma1) +
                    (1 - p.pi) * exp(-0.5 * w * w / (p.sigma2 * p.sigma2)) / (sqrt(2 * M_PI) * p.sigma2);
    g_assert_cmpfloat_with_epsilon(sph_scale_mixture_log_prob(&p, w), log(direct), 1e-12);
  }
  /* far out both densities underflow separately; the log stays the wide component's */
  double w = 60.0;
  double wide = log(0.5) - 0.5 * log(2 * M_PI) - 0.5 * w * w;
  g_assert_cmpfloat_with_epsilon(sph_scale_mixture_log_prob(&p, w), wide, 1e-9);
}

typedef struct {
  SphVar *out;
  SphTensor *y;
} NllCase;

static SphVar *nll_loss(SphTape *tape, void *ctx)
{
  NllCase *k = ctx;
  return sph_mean_var_nll(tape, k->out, sph_tape_input(tape, k->y, false));
}

static void test_nll(void)
{
  SphRng rng;
  sph_rng_init(&rng, 2, 0);
  size_t os[2] = {7, 2}, ys[2] = {7, 1};
  NllCase k = {.out = sph_var_new_param(random_tensor(2, os, 1.0, &rng), NULL),
               .y = random_tensor(2, ys, 1.0, &rng)};
  double worst;
  g_assert_cmpint(sph_gradcheck(nll_loss, &k, &k.out, 1, 1e-6, &worst, NULL), ==, SPH_OK);
  g_test_message("mean_var_nll: max relative error %.3g", worst);
  g_assert_cmpfloat(worst, <, 1e-6);
  /* the value against the formula */
  SphTape *tape = sph_tape_new();
  SphVar *l = nll_loss(tape, &k);
  double want = 0.0;
  for (size_t i = 0; i < 7; i++) {
    double mu = sph_tensor_get(sph_var_value(k.out), 2 * i), s = sph_tensor_get(sph_var_value(k.out), 2 * i + 1);
    double v = log1p(exp(s)) + SPH_MIN_VARIANCE, r = sph_tensor_get(k.y, i) - mu;
    want += 0.5 * (log(2 * M_PI) + log(v) + r * r / v) / 7.0;
  }
  g_assert_cmpfloat_with_epsilon(sph_var_scalar(l), want, 1e-12);
  /* a mismatch is named, not a crash */
  sph_tape_reset(tape);
  size_t bad[2] = {6, 1};
  SphTensor *yb = sph_tensor_new(SPH_F64, 2, bad, NULL);
  g_assert_null(sph_mean_var_nll(tape, k.out, sph_tape_input(tape, yb, false)));
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_tape_status(tape, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "[7, 2]"));
  g_assert_nonnull(strstr(err.message, "[6, 1]"));
  sph_tensor_free(yb);
  sph_tape_free(tape);
  sph_var_free(k.out);
  sph_tensor_free(k.y);
}

typedef struct {
  SphMlp *mlp;
  SphTensor *x, *y;
} MemberCase;

static SphVar *member_loss(SphTape *tape, void *ctx)
{
  MemberCase *k = ctx;
  SphVar *out = sph_mlp_forward(tape, k->mlp, sph_tape_input(tape, k->x, false), false, NULL);
  return sph_mean_var_nll(tape, out, sph_tape_input(tape, k->y, false));
}

/* An ensemble member's whole network under its NLL, and the ensemble's mixture against
 * the members' own outputs. */
static void test_ensemble(void)
{
  SphMlpConfig cfg = {.nsizes = 4, .sizes = {2, 6, 5, 2}, .activation = SPH_ACT_TANH, .dtype = SPH_F64};
  SphDeepEnsemble *ens = sph_deep_ensemble_new(&cfg, 3, 40, NULL);
  g_assert_nonnull(ens);
  g_assert_cmpuint(sph_deep_ensemble_size(ens), ==, 3);
  SphRng rng;
  sph_rng_init(&rng, 8, 0);
  size_t xs[2] = {5, 2}, ys[1] = {5};
  MemberCase k = {.mlp = sph_deep_ensemble_member(ens, 1), .x = random_tensor(2, xs, 1.0, &rng),
                  .y = random_tensor(1, ys, 1.0, &rng)};
  SphVar *wrt[6];
  for (size_t i = 0; i < 6; i++)
    wrt[i] = sph_mlp_param(k.mlp, i);
  double worst;
  g_assert_cmpint(sph_gradcheck(member_loss, &k, wrt, 6, 1e-6, &worst, NULL), ==, SPH_OK);
  g_test_message("ensemble member + NLL: max relative error %.3g", worst);
  g_assert_cmpfloat(worst, <, 1e-6);
  /* members differ (independent seeds) */
  g_assert_true(memcmp(sph_var_value(sph_mlp_param(sph_deep_ensemble_member(ens, 0), 0))->data,
                       sph_var_value(sph_mlp_param(sph_deep_ensemble_member(ens, 1), 0))->data,
                       12 * sizeof(double)) != 0);
  double mean[5], var[5], mm[15], mv[15];
  g_assert_cmpint(sph_deep_ensemble_predict(ens, k.x, mean, var, mm, mv, NULL), ==, SPH_OK);
  for (size_t i = 0; i < 5; i++) {
    double s1 = 0, s2 = 0;
    for (size_t m = 0; m < 3; m++) {
      s1 += mm[m * 5 + i];
      s2 += mv[m * 5 + i] + mm[m * 5 + i] * mm[m * 5 + i];
    }
    g_assert_cmpfloat_with_epsilon(mean[i], s1 / 3, 1e-12);
    g_assert_cmpfloat_with_epsilon(var[i], s2 / 3 - (s1 / 3) * (s1 / 3), 1e-10);
  }
  /* the members' outputs are their own networks' */
  SphTape *tape = sph_tape_new();
  SphVar *out = sph_mlp_forward(tape, sph_deep_ensemble_member(ens, 2), sph_tape_input(tape, k.x, false), false, NULL);
  for (size_t i = 0; i < 5; i++) {
    g_assert_cmpfloat_with_epsilon(mm[2 * 5 + i], sph_tensor_get(sph_var_value(out), 2 * i), 1e-14);
    g_assert_cmpfloat_with_epsilon(mv[2 * 5 + i], sph_head_variance(sph_tensor_get(sph_var_value(out), 2 * i + 1)), 1e-14);
  }
  sph_tape_free(tape);
  /* mixture of two: means -1 and 1, variances 1 and 3 -> mean 0, variance 2 + 1 */
  double ms[2] = {-1, 1}, vs[2] = {1, 3}, m, v;
  sph_mixture_moments(2, ms, vs, &m, &v);
  g_assert_cmpfloat(m, ==, 0.0);
  g_assert_cmpfloat_with_epsilon(v, 3.0, 1e-15);
  /* refusals */
  SphError err = SPH_ERROR_INIT;
  cfg.sizes[3] = 3;
  g_assert_null(sph_deep_ensemble_new(&cfg, 3, 1, &err));
  g_assert_nonnull(strstr(err.message, "3 outputs"));
  size_t bs[2] = {5, 3};
  SphTensor *bad = sph_tensor_new(SPH_F64, 2, bs, NULL);
  g_assert_cmpint(sph_deep_ensemble_predict(ens, bad, mean, var, NULL, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "[5, 3]"));
  sph_tensor_free(bad);
  sph_tensor_free(k.x);
  sph_tensor_free(k.y);
  sph_deep_ensemble_free(ens);
}

static void test_bad_prior(void)
{
  SphRng rng;
  sph_rng_init(&rng, 1, 0);
  SphBayesDense layer;
  SphError err = SPH_ERROR_INIT;
  SphScaleMixturePrior p = {.pi = 0.0, .sigma1 = 1.0, .sigma2 = 0.1};
  g_assert_cmpint(sph_bayes_dense_init(&layer, SPH_F64, 2, 2, 1.0, -5.0, &p, &rng, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "pi 0"));
  p.pi = 0.5;
  p.sigma2 = -1;
  g_assert_cmpint(sph_bayes_dense_init(&layer, SPH_F64, 2, 2, 1.0, -5.0, &p, &rng, &err), ==, SPH_ERR_INVALID);
  g_assert_cmpint(sph_bayes_dense_init(&layer, SPH_F64, 0, 2, 1.0, -5.0, &p, &rng, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "0 inputs"));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/bayes/ops-gradcheck", test_ops_gradcheck);
  g_test_add_func("/bayes/layer-gradcheck", test_layer_gradcheck);
  g_test_add_func("/bayes/kl-unbiased", test_kl_unbiased);
  g_test_add_func("/bayes/scale-mixture", test_scale_mixture);
  g_test_add_func("/bayes/nll", test_nll);
  g_test_add_func("/bayes/ensemble", test_ensemble);
  g_test_add_func("/bayes/bad-prior", test_bad_prior);
  return g_test_run();
}
