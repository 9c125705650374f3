/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tensors and the forward values of the learning operations against analytic truths. */
#include <cblas.h>
#include <glib.h>
#include <math.h>

#include "sphaera/autodiff.h"
#include "sphaera/rng.h"
#include "sphaera/tensor.h"

static SphTensor *random_tensor(SphDType dt, size_t r, size_t c, SphRng *rng)
{
  SphTensor *t = sph_tensor_new2(dt, r, c, NULL);
  g_assert_nonnull(t);
  for (size_t i = 0; i < t->size; i++)
    sph_tensor_set(t, i, sph_rng_normal(rng));
  return t;
}

static void test_shape_and_errors(void)
{
  size_t shape[3] = {2, 3, 4};
  SphError err = SPH_ERROR_INIT;
  SphTensor *t = sph_tensor_new(SPH_F32, 3, shape, &err);
  g_assert_nonnull(t);
  g_assert_cmpuint(t->size, ==, 24);
  g_assert_cmpuint(t->strides[0], ==, 12);
  g_assert_cmpuint(t->strides[1], ==, 4);
  g_assert_cmpuint(t->strides[2], ==, 1);
  char buf[64];
  g_assert_cmpstr(sph_tensor_shape_str(t, buf, sizeof buf), ==, "[2, 3, 4]");
  for (size_t i = 0; i < t->size; i++)
    g_assert_cmpfloat(sph_tensor_get(t, i), ==, 0.0);
  sph_tensor_free(t);
  g_assert_null(sph_tensor_new(SPH_F64, 0, shape, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  size_t zero[1] = {0};
  g_assert_null(sph_tensor_new(SPH_F64, 1, zero, &err));
  g_assert_nonnull(strstr(err.message, "dimension 0"));
}

/* sgemm and dgemm against a triple loop, with every transpose combination. */
static void test_gemm(void)
{
  SphRng rng;
  sph_rng_init(&rng, 11, 0);
  for (int dt = 0; dt < 2; dt++)
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++) {
        size_t m = 5, k = 7, n = 3;
        SphTensor *a = random_tensor(dt, ta ? k : m, ta ? m : k, &rng);
        SphTensor *b = random_tensor(dt, tb ? n : k, tb ? k : n, &rng);
        SphTensor *c = random_tensor(dt, m, n, &rng);
        SphTensor *c0 = sph_tensor_clone(c, NULL);
        g_assert_cmpint(sph_tensor_gemm(ta, tb, 0.5, a, b, 2.0, c, NULL), ==, SPH_OK);
        for (size_t i = 0; i < m; i++)
          for (size_t j = 0; j < n; j++) {
            double s = 0.0;
            for (size_t l = 0; l < k; l++)
              s += sph_tensor_get(a, ta ? l * m + i : i * k + l) *
                   sph_tensor_get(b, tb ? j * k + l : l * n + j);
            double want = 0.5 * s + 2.0 * sph_tensor_get(c0, i * n + j);
            g_assert_cmpfloat_with_epsilon(sph_tensor_get(c, i * n + j), want,
                                           dt == SPH_F32 ? 1e-5 : 1e-13);
          }
        SphError err = SPH_ERROR_INIT;
        g_assert_cmpint(sph_tensor_gemm(!ta, tb, 1.0, a, b, 0.0, c, &err), ==, SPH_ERR_INVALID);
        g_assert_nonnull(strstr(err.message, "do not match"));
        sph_tensor_free(a);
        sph_tensor_free(b);
        sph_tensor_free(c);
        sph_tensor_free(c0);
      }
}

static SphTensor *row(const double *v, size_t n)
{
  SphTensor *t = sph_tensor_new2(SPH_F64, 1, n, NULL);
  for (size_t i = 0; i < n; i++)
    sph_tensor_set(t, i, v[i]);
  return t;
}

/* Softmax of equal logits is uniform; log-softmax is x - log sum exp x, so
 * exp(log_softmax) sums to one and differences of log-softmax equal differences of
 * logits; a huge logit neither overflows nor loses the others. */
static void test_softmax(void)
{
  SphTape *tape = sph_tape_new();
  double eq[4] = {3.5, 3.5, 3.5, 3.5};
  SphTensor *te = row(eq, 4);
  SphVar *s = sph_softmax(tape, sph_tape_input(tape, te, false));
  for (int j = 0; j < 4; j++)
    g_assert_cmpfloat_with_epsilon(sph_tensor_get(sph_var_value(s), j), 0.25, 1e-15);
  double x[5] = {1000.0, -2.0, 0.5, 3.0, 999.0};
  SphTensor *tx = row(x, 5);
  SphVar *ls = sph_log_softmax(tape, sph_tape_input(tape, tx, false));
  SphVar *sm = sph_softmax(tape, sph_tape_input(tape, tx, false));
  g_assert_cmpint(sph_tape_status(tape, NULL), ==, SPH_OK);
  double total = 0.0, lse = 1000.0 + log1p(exp(-1.0));
  for (int j = 0; j < 5; j++) {
    double l = sph_tensor_get(sph_var_value(ls), j);
    g_assert_true(isfinite(l));
    g_assert_cmpfloat_with_epsilon(l, x[j] - lse, 1e-12);
    g_assert_cmpfloat_with_epsilon(exp(l), sph_tensor_get(sph_var_value(sm), j), 1e-15);
    total += exp(l);
  }
  g_assert_cmpfloat_with_epsilon(total, 1.0, 1e-12); /* lse ~ 1000 carries 1e-13 */
  sph_tensor_free(te);
  sph_tensor_free(tx);
  sph_tape_free(tape);
}

static void test_activation_values(void)
{
  double x[6] = {-3.0, -0.5, 0.0, 0.25, 1.0, 40.0};
  SphTensor *tx = row(x, 6);
  SphTape *tape = sph_tape_new();
  SphVar *in = sph_tape_input(tape, tx, false);
  SphVar *relu = sph_relu(tape, in), *th = sph_tanh(tape, in), *gelu = sph_gelu(tape, in);
  SphVar *sp = sph_softplus(tape, in), *sg = sph_sigmoid(tape, in);
  g_assert_cmpint(sph_tape_status(tape, NULL), ==, SPH_OK);
  for (int j = 0; j < 6; j++) {
    g_assert_cmpfloat(sph_tensor_get(sph_var_value(relu), j), ==, x[j] > 0 ? x[j] : 0.0);
    g_assert_cmpfloat_with_epsilon(sph_tensor_get(sph_var_value(th), j), tanh(x[j]), 1e-15);
    /* GELU(x) = x Phi(x), Phi(x) = erfc(-x/sqrt2)/2 */
    g_assert_cmpfloat_with_epsilon(sph_tensor_get(sph_var_value(gelu), j),
                                   x[j] * 0.5 * erfc(-x[j] / sqrt(2.0)), 1e-14);
    g_assert_cmpfloat_with_epsilon(sph_tensor_get(sph_var_value(sp), j), log(1.0 + exp(x[j])),
                                   1e-13);
    g_assert_cmpfloat_with_epsilon(sph_tensor_get(sph_var_value(sg), j), 1.0 / (1.0 + exp(-x[j])),
                                   1e-15);
  }
  /* softplus(x) - softplus(-x) = x, the identity that fails when exp overflows. */
  double big[2] = {800.0, -800.0};
  SphTensor *tb = row(big, 2);
  SphVar *spb = sph_softplus(tape, sph_tape_input(tape, tb, false));
  g_assert_cmpfloat(sph_tensor_get(sph_var_value(spb), 0) - sph_tensor_get(sph_var_value(spb), 1),
                    ==, 800.0);
  sph_tensor_free(tb);
  sph_tensor_free(tx);
  sph_tape_free(tape);
}

/* Losses against hand-computed values. */
static void test_loss_values(void)
{
  SphTape *tape = sph_tape_new();
  double p[4] = {1.0, 2.0, 3.0, 4.0}, t[4] = {0.0, 2.0, 5.0, 3.0};
  SphTensor *tp = row(p, 4), *tt = row(t, 4);
  SphVar *vp = sph_tape_input(tape, tp, false), *vt = sph_tape_input(tape, tt, false);
  g_assert_cmpfloat_with_epsilon(sph_var_scalar(sph_mse_loss(tape, vp, vt)), 6.0 / 4.0, 1e-15);
  /* log_var = 0: NLL = 0.5 log 2pi + 0.5 r^2 averaged */
  double zero[4] = {0, 0, 0, 0};
  SphTensor *tz = row(zero, 4);
  SphVar *lv = sph_tape_input(tape, tz, false);
  g_assert_cmpfloat_with_epsilon(sph_var_scalar(sph_gaussian_nll(tape, vp, lv, vt)),
                                 0.5 * log(2 * M_PI) + 0.5 * 6.0 / 4.0, 1e-14);
  /* Cross-entropy of uniform logits over k classes is log k, whatever the label. */
  int32_t labels[1] = {2};
  SphVar *ce = sph_cross_entropy_logits(tape, sph_tape_input(tape, tz, false), labels, 1);
  g_assert_cmpfloat_with_epsilon(sph_var_scalar(ce), log(4.0), 1e-15);
  g_assert_cmpint(sph_tape_status(tape, NULL), ==, SPH_OK);
  /* An out-of-range label and a shape mismatch are errors, not crashes. */
  labels[0] = 4;
  g_assert_null(sph_cross_entropy_logits(tape, vp, labels, 1));
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_tape_status(tape, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "label 4"));
  sph_tape_reset(tape);
  SphTensor *col = sph_tensor_new2(SPH_F64, 4, 1, NULL);
  SphVar *a = sph_tape_input(tape, tp, false), *b = sph_tape_input(tape, col, false);
  g_assert_null(sph_mse_loss(tape, a, b));
  g_assert_null(sph_mean(tape, sph_matmul(tape, a, a))); /* NULL flows through */
  g_assert_cmpint(sph_tape_status(tape, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "mse_loss: shapes [1, 4] and [4, 1] differ"));
  sph_tensor_free(col);
  sph_tensor_free(tp);
  sph_tensor_free(tt);
  sph_tensor_free(tz);
  sph_tape_free(tape);
}

/* sph_learn_set_threads(): small products on one OpenBLAS thread, large ones on the
 * budget, the same numbers either way; sph_learn_blas_single_thread() ends it. */
static void test_blas_threads(void)
{
  const size_t small = 64, big = 256; /* 64 x 256 x 64 = 1 M, 256^3 = 16.8 M multiply-adds */
  SphTensor *a = sph_tensor_new2(SPH_F64, big, big, NULL), *b = sph_tensor_new2(SPH_F64, big, big, NULL);
  SphTensor *c1 = sph_tensor_new2(SPH_F64, big, big, NULL), *c2 = sph_tensor_new2(SPH_F64, big, big, NULL);
  SphTensor *s = sph_tensor_new2(SPH_F64, small, small, NULL);
  SphRng rng;
  sph_rng_init(&rng, 21, 0);
  for (size_t i = 0; i < a->size; i++) {
    sph_tensor_set(a, i, sph_rng_normal(&rng));
    sph_tensor_set(b, i, sph_rng_normal(&rng));
  }
  g_assert_cmpfloat((double)small * big * small, <, (double)SPH_LEARN_PARALLEL_MACS);
  g_assert_cmpfloat((double)big * big * big, >=, (double)SPH_LEARN_PARALLEL_MACS);
  sph_learn_blas_single_thread();
  g_assert_cmpint(sph_tensor_gemm(false, false, 1.0, a, b, 0.0, c1, NULL), ==, SPH_OK);
  sph_learn_set_threads(2);
  SphTensor sa = *a; /* a's first 64 rows, times a 256 x 64 matrix */
  sa.shape[0] = small;
  sa.size = small * big;
  SphTensor *bs = sph_tensor_new2(SPH_F64, big, small, NULL);
  g_assert_cmpint(sph_tensor_gemm(false, false, 1.0, &sa, bs, 0.0, s, NULL), ==, SPH_OK);
  g_assert_cmpint(openblas_get_num_threads(), ==, 1);
  g_assert_cmpint(sph_tensor_gemm(false, false, 1.0, a, b, 0.0, c2, NULL), ==, SPH_OK);
  g_assert_cmpint(openblas_get_num_threads(), ==, 2);
  double worst = 0.0;
  for (size_t i = 0; i < c1->size; i++)
    worst = fmax(worst, fabs(sph_tensor_get(c1, i) - sph_tensor_get(c2, i)));
  g_assert_cmpfloat(worst, <, 1e-11);
  sph_learn_blas_single_thread();
  g_assert_cmpint(openblas_get_num_threads(), ==, 1);
  g_assert_cmpint(sph_tensor_gemm(false, false, 1.0, a, b, 0.0, c2, NULL), ==, SPH_OK);
  g_assert_cmpint(openblas_get_num_threads(), ==, 1);
  sph_tensor_free(a);
  sph_tensor_free(b);
  sph_tensor_free(c1);
  sph_tensor_free(c2);
  sph_tensor_free(s);
  sph_tensor_free(bs);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tensor/shape-and-errors", test_shape_and_errors);
  g_test_add_func("/tensor/gemm", test_gemm);
  g_test_add_func("/tensor/softmax", test_softmax);
  g_test_add_func("/tensor/activation-values", test_activation_values);
  g_test_add_func("/tensor/loss-values", test_loss_values);
  g_test_add_func("/tensor/blas-threads", test_blas_threads);
  return g_test_run();
}
