/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every operation's reverse-mode gradient against central finite differences in
 * float64 (relative error below 1e-6), plus analytic gradients and the error paths. */
#include <glib.h>
#include <math.h>

#include "sphaera/autodiff.h"
#include "sphaera/rng.h"

enum {
  OP_MATMUL, OP_ADD, OP_ADD_BIAS, OP_SCALE, OP_RELU, OP_TANH, OP_GELU, OP_SOFTPLUS,
  OP_SIGMOID, OP_SOFTMAX, OP_LOG_SOFTMAX, OP_SUM, OP_MEAN, OP_MSE, OP_CROSS_ENTROPY,
  OP_GAUSSIAN_NLL, OP_DROPOUT, OP_LAYER_NORM, OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
    "matmul", "add", "add_bias", "scale", "relu", "tanh", "gelu", "softplus", "sigmoid",
    "softmax", "log_softmax", "sum", "mean", "mse", "cross_entropy", "gaussian_nll",
    "dropout", "layer_norm"};

typedef struct {
  int op;
  SphVar *a, *b, *c;    /* parameters: the operands */
  SphTensor *target;    /* a fixed random target that turns an output into a loss */
  int32_t labels[4];
} OpCase;

static SphTensor *randn(size_t r, size_t c, SphRng *rng)
{
  SphTensor *t = sph_tensor_new2(SPH_F64, r, c, NULL);
  for (size_t i = 0; i < t->size; i++)
    sph_tensor_set(t, i, sph_rng_normal(rng));
  return t;
}

static SphVar *op_loss(SphTape *tape, void *ctx)
{
  OpCase *k = ctx;
  SphVar *y = NULL;
  SphRng rng;
  switch (k->op) {
  case OP_MATMUL: y = sph_matmul(tape, k->a, k->b); break;
  case OP_ADD: y = sph_add(tape, k->a, k->c); break;
  case OP_ADD_BIAS: y = sph_add_bias(tape, k->a, k->c); break;
  case OP_SCALE: y = sph_scale(tape, k->a, -1.7); break;
  case OP_RELU: y = sph_relu(tape, k->a); break;
  case OP_TANH: y = sph_tanh(tape, k->a); break;
  case OP_GELU: y = sph_gelu(tape, k->a); break;
  case OP_SOFTPLUS: y = sph_softplus(tape, k->a); break;
  case OP_SIGMOID: y = sph_sigmoid(tape, k->a); break;
  case OP_SOFTMAX: y = sph_softmax(tape, k->a); break;
  case OP_LOG_SOFTMAX: y = sph_log_softmax(tape, k->a); break;
  case OP_SUM: return sph_sum(tape, sph_tanh(tape, k->a));
  case OP_MEAN: return sph_mean(tape, sph_tanh(tape, k->a));
  case OP_MSE: return sph_mse_loss(tape, k->a, k->c);
  case OP_CROSS_ENTROPY: return sph_cross_entropy_logits(tape, k->a, k->labels, 4);
  case OP_GAUSSIAN_NLL: return sph_gaussian_nll(tape, k->a, k->c, sph_tape_input(tape, k->target, false));
  case OP_DROPOUT:
    /* the same stream every evaluation, so the mask is fixed */
    sph_rng_init(&rng, 99, 3);
    y = sph_dropout(tape, k->a, 0.3, &rng);
    break;
  case OP_LAYER_NORM: {
    SphVar *g = k->b, *b = k->c;
    y = sph_layer_norm(tape, k->a, g, b, 1e-5);
    break;
  }
  default: break;
  }
  /* An output becomes a loss through a random target, so every element of the
   * upstream gradient differs (a plain sum would make softmax's gradient vanish). */
  return sph_mse_loss(tape, y, sph_tape_input(tape, k->target, false));
}

static void test_gradcheck_op(gconstpointer data)
{
  int op = GPOINTER_TO_INT(data);
  SphRng rng;
  sph_rng_init(&rng, 2026, (uint64_t)op);
  OpCase k = {.op = op};
  size_t m = 4, n = 5;
  k.a = sph_var_new_param(randn(m, n, &rng), NULL);
  k.b = sph_var_new_param(randn(n, 3, &rng), NULL);
  k.c = sph_var_new_param(randn(m, n, &rng), NULL);
  SphVar *wrt[3] = {k.a, NULL, NULL};
  size_t nwrt = 1;
  size_t out_cols = n;
  switch (op) {
  case OP_MATMUL: wrt[1] = k.b; nwrt = 2; out_cols = 3; break;
  case OP_ADD: case OP_MSE: case OP_GAUSSIAN_NLL: wrt[1] = k.c; nwrt = 2; break;
  case OP_ADD_BIAS:
    sph_var_free(k.c);
    k.c = sph_var_new_param(randn(1, n, &rng), NULL);
    wrt[1] = k.c;
    nwrt = 2;
    break;
  case OP_LAYER_NORM:
    sph_var_free(k.b);
    sph_var_free(k.c);
    k.b = sph_var_new_param(randn(1, n, &rng), NULL);
    k.c = sph_var_new_param(randn(1, n, &rng), NULL);
    wrt[1] = k.b;
    wrt[2] = k.c;
    nwrt = 3;
    break;
  default: break;
  }
  for (int i = 0; i < 4; i++)
    k.labels[i] = (int32_t)sph_rng_below(&rng, n);
  k.target = randn(m, out_cols, &rng);
  double worst = -1.0;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_gradcheck(op_loss, &k, wrt, nwrt, 1e-6, &worst, &err), ==, SPH_OK);
  g_test_message("%s: max relative error %.3g", op_names[op], worst);
  g_assert_cmpfloat(worst, >=, 0.0);
  g_assert_cmpfloat(worst, <, 1e-6);
  /* The gradient really is nonzero (a check of zeros against zeros proves nothing). */
  double norm = 0.0;
  for (size_t i = 0; i < sph_var_grad(k.a)->size; i++)
    norm += fabs(sph_tensor_get(sph_var_grad(k.a), i));
  g_assert_cmpfloat(norm, >, 1e-3);
  sph_tensor_free(k.target);
  sph_var_free(k.a);
  sph_var_free(k.b);
  sph_var_free(k.c);
}

/* The checker itself notices a wrong gradient: scale's gradient doubled by hand. */
static SphVar *wrong_loss(SphTape *tape, void *ctx)
{
  SphVar *x = ctx;
  return sph_sum(tape, sph_scale(tape, x, 3.0));
}

static void test_gradcheck_detects(void)
{
  SphRng rng;
  sph_rng_init(&rng, 5, 0);
  SphVar *x = sph_var_new_param(randn(2, 2, &rng), NULL);
  SphTape *tape = sph_tape_new();
  SphVar *loss = wrong_loss(tape, x);
  g_assert_cmpint(sph_backward(tape, loss, NULL), ==, SPH_OK);
  for (size_t i = 0; i < 4; i++)
    g_assert_cmpfloat(sph_tensor_get(sph_var_grad(x), i), ==, 3.0);
  /* Backward twice accumulates: the parameter gradient is a sum until zeroed. */
  sph_tape_reset(tape);
  g_assert_cmpint(sph_backward(tape, wrong_loss(tape, x), NULL), ==, SPH_OK);
  g_assert_cmpfloat(sph_tensor_get(sph_var_grad(x), 0), ==, 6.0);
  sph_tape_free(tape);
  double worst = 0.0;
  g_assert_cmpint(sph_gradcheck(wrong_loss, x, &x, 1, 1e-6, &worst, NULL), ==, SPH_OK);
  g_assert_cmpfloat(worst, <, 1e-9);
  /* A float32 parameter is refused with a reason. */
  SphVar *f = sph_var_new_param(sph_tensor_new2(SPH_F32, 1, 1, NULL), NULL);
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_gradcheck(wrong_loss, f, &f, 1, 1e-6, &worst, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "float64"));
  sph_var_free(f);
  sph_var_free(x);
}

/* The gradient with respect to an input (saliency): d mean(tanh x)/dx = (1 - tanh^2 x)/n. */
static void test_input_gradient(void)
{
  SphRng rng;
  sph_rng_init(&rng, 8, 0);
  SphTensor *x = randn(3, 3, &rng);
  SphTape *tape = sph_tape_new();
  SphVar *in = sph_tape_input(tape, x, true);
  SphVar *loss = sph_mean(tape, sph_tanh(tape, in));
  g_assert_cmpint(sph_backward(tape, loss, NULL), ==, SPH_OK);
  for (size_t i = 0; i < 9; i++) {
    double t = tanh(sph_tensor_get(x, i));
    g_assert_cmpfloat_with_epsilon(sph_tensor_get(sph_var_grad(in), i), (1 - t * t) / 9.0, 1e-15);
  }
  /* A loss of inputs without gradients cannot be differentiated: an error, not a crash. */
  sph_tape_reset(tape);
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_backward(tape, sph_mean(tape, sph_tape_input(tape, x, false)), &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "no parameter"));
  sph_tape_free(tape);
  sph_tensor_free(x);
}

/* float32 and float64 give the same gradients to float32 precision. */
static void test_float32_matches(void)
{
  SphRng rng;
  sph_rng_init(&rng, 21, 0);
  SphTensor *a64 = randn(6, 4, &rng), *b64 = randn(4, 3, &rng);
  SphTensor *a32 = sph_tensor_new2(SPH_F32, 6, 4, NULL), *b32 = sph_tensor_new2(SPH_F32, 4, 3, NULL);
  sph_tensor_copy(a32, a64);
  sph_tensor_copy(b32, b64);
  SphVar *pa[2] = {sph_var_new_param(a64, NULL), sph_var_new_param(a32, NULL)};
  SphVar *pb[2] = {sph_var_new_param(b64, NULL), sph_var_new_param(b32, NULL)};
  int32_t labels[6] = {0, 1, 2, 2, 1, 0};
  double loss[2];
  SphTape *tape = sph_tape_new();
  for (int d = 0; d < 2; d++) {
    sph_tape_reset(tape);
    SphVar *h = sph_gelu(tape, sph_matmul(tape, pa[d], pb[d]));
    SphVar *l = sph_cross_entropy_logits(tape, h, labels, 6);
    g_assert_cmpint(sph_backward(tape, l, NULL), ==, SPH_OK);
    loss[d] = sph_var_scalar(l);
  }
  g_assert_cmpfloat_with_epsilon(loss[0], loss[1], 1e-5);
  for (size_t i = 0; i < 24; i++)
    g_assert_cmpfloat_with_epsilon(sph_tensor_get(sph_var_grad(pa[0]), i),
                                   sph_tensor_get(sph_var_grad(pa[1]), i), 1e-5);
  sph_tape_free(tape);
  for (int d = 0; d < 2; d++) {
    sph_var_free(pa[d]);
    sph_var_free(pb[d]);
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  for (int op = 0; op < OP_COUNT; op++) {
    char *path = g_strdup_printf("/autodiff/gradcheck/%s", op_names[op]);
    g_test_add_data_func(path, GINT_TO_POINTER(op), test_gradcheck_op);
    g_free(path);
  }
  g_test_add_func("/autodiff/gradcheck-detects", test_gradcheck_detects);
  g_test_add_func("/autodiff/input-gradient", test_input_gradient);
  g_test_add_func("/autodiff/float32-matches", test_float32_matches);
  return g_test_run();
}
