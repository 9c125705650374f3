/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Classifier evaluation: the probabilities it starts from (sph_net_predict) against a
 * numpy forward pass of the same weights,
 * the confusion matrix against scikit-learn (or numpy), ranked mistakes against a brute
 * force sort, and the curve smoothing against its recurrence worked by hand. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sph-test-python.h"
#include "sphaera/classify_eval.h"
#include "sphaera/dataset.h"
#include "sphaera/layers.h"
#include "sphaera/tensor.h"
#include "sphaera/train.h"

#define K 10

static char *digits_path(void)
{
  const char *dir = g_getenv("SPHAERA_DATA_DIR");
  return g_build_filename(dir ? dir : "data", "digits.csv.gz", NULL);
}

static void load_split(SphDataset *train, SphDataset *test)
{
  SphError err = SPH_ERROR_INIT;
  SphDataset all;
  char *path = digits_path();
  g_assert_cmpint(sph_digits_load(path, &all, &err), ==, SPH_OK);
  g_free(path);
  g_assert_cmpint(sph_dataset_split(&all, 0.25, SPH_DIGITS_SPLIT_SEED, train, test, &err), ==,
                  SPH_OK);
  sph_dataset_clear(&all);
}

static SphMlp *small_mlp(uint64_t seed)
{
  SphError err = SPH_ERROR_INIT;
  SphMlpConfig cfg = {.nsizes = 3, .sizes = {64, 24, K}, .activation = SPH_ACT_TANH,
                      .dtype = SPH_F64};
  SphMlp *mlp = sph_mlp_new(&cfg, seed, &err);
  g_assert_nonnull(mlp);
  return mlp;
}

static void write_doubles(FILE *f, const double *v, size_t n)
{
  g_assert_cmpuint(fwrite(v, sizeof *v, n, f), ==, n);
}

/* softmax(tanh(x W1 + b1) W2 + b2) by numpy from the network's own weights. */
static void test_probabilities_numpy(void)
{
  SphDataset train, test;
  load_split(&train, &test);
  SphMlp *mlp = small_mlp(7);
  double *probs = g_new(double, test.n * K);
  SphError err = SPH_ERROR_INIT;
  SphNet net = sph_mlp_net(mlp);
  g_assert_cmpint(sph_net_predict(&net, test.x, test.n, probs, &err), ==, SPH_OK);

  for (size_t i = 0; i < test.n; i++) {
    double sum = 0.0;
    for (size_t j = 0; j < K; j++) {
      g_assert_cmpfloat(probs[i * K + j], >, 0.0);
      sum += probs[i * K + j];
    }
    g_assert_cmpfloat_with_epsilon(sum, 1.0, 1e-12);
  }

  /* The argmax agrees with the training code's own accuracy and confusion matrix. */
  int32_t *pred = g_new(int32_t, test.n);
  sph_argmax_rows(probs, test.n, K, pred);
  size_t counts[K * K], reference[K * K];
  double accuracy = 0.0;
  g_assert_cmpint(sph_confusion_matrix(test.y, pred, test.n, K, counts, &err), ==, SPH_OK);
  g_assert_cmpint(sph_classifier_accuracy(mlp, &test, &accuracy, reference, &err), ==, SPH_OK);
  size_t diag = 0;
  for (size_t i = 0; i < K * K; i++)
    g_assert_cmpuint(counts[i], ==, reference[i]);
  for (size_t c = 0; c < K; c++)
    diag += counts[c * K + c];
  g_assert_cmpfloat_with_epsilon((double)diag / (double)test.n, accuracy, 1e-15);

  const char *python = sph_test_python_env();
  if (python == NULL) {
    g_test_skip("SPHAERA_PYTHON is not set: no numpy reference");
  } else {
    char *dir = g_dir_make_tmp("sph-classify-XXXXXX", NULL);
    char *path = g_build_filename(dir, "mlp.bin", NULL);
    FILE *f = fopen(path, "wb");
    g_assert_nonnull(f);
    size_t nrows = 40;
    double header[3] = {(double)nrows, 64.0, 24.0};
    write_doubles(f, header, 3);
    for (size_t i = 0; i < nrows * 64; i++) {
      double v = test.x[i];
      write_doubles(f, &v, 1);
    }
    for (size_t p = 0; p < sph_mlp_param_count(mlp); p++) {
      const SphTensor *t = sph_var_value(sph_mlp_param(mlp, p));
      for (size_t i = 0; i < t->size; i++) {
        double v = sph_tensor_get(t, i);
        write_doubles(f, &v, 1);
      }
    }
    fclose(f);
    static const char script[] =
        "import sys\n"
        "try:\n"
        "    import numpy as np\n"
        "except ImportError:\n"
        "    sys.exit(77)\n"
        "a = np.fromfile(sys.argv[1], dtype='<f8')\n"
        "n, d, h = (int(v) for v in a[:3]); a = a[3:]\n"
        "def take(m):\n"
        "    global a\n"
        "    r = a[:m]; a = a[m:]; return r\n"
        "x = take(n * d).reshape(n, d)\n"
        "w1 = take(d * h).reshape(d, h); b1 = take(h)\n"
        "w2 = take(h * 10).reshape(h, 10); b2 = take(10)\n"
        "assert a.size == 0\n"
        "z = np.tanh(x @ w1 + b1) @ w2 + b2\n"
        "z -= z.max(axis=1, keepdims=True)\n"
        "p = np.exp(z); p /= p.sum(axis=1, keepdims=True)\n"
        "print(' '.join(repr(float(v)) for v in p.ravel()))\n";
    const char *args[] = {path, NULL};
    char *out = sph_test_spawn_python_or_77(python, script, args);
    if (out == NULL) {
      g_test_skip("numpy is not installed");
    } else {
      char **words = g_strsplit_set(g_strstrip(out), " ", -1);
      g_assert_cmpuint(g_strv_length(words), ==, nrows * K);
      double worst = 0.0;
      for (size_t i = 0; i < nrows * K; i++)
        worst = fmax(worst, fabs(g_ascii_strtod(words[i], NULL) - probs[i]));
      g_test_message("largest |p - p_numpy| = %.3g", worst);
      g_assert_cmpfloat(worst, <, 1e-12);
      g_strfreev(words);
      g_free(out);
    }
    g_remove(path);
    g_rmdir(dir);
    g_free(path);
    g_free(dir);
  }
  g_free(pred);
  g_free(probs);
  sph_mlp_free(mlp);
  sph_dataset_clear(&train);
  sph_dataset_clear(&test);
}

static void test_confusion_reference(void)
{
  const char *python = sph_test_python_env();
  if (python == NULL) {
    g_test_skip("SPHAERA_PYTHON is not set");
    return;
  }
  enum { N = 500 };
  int32_t truth[N], pred[N];
  GRand *rand = g_rand_new_with_seed(11);
  GString *t_arg = g_string_new(NULL), *p_arg = g_string_new(NULL);
  for (int i = 0; i < N; i++) {
    truth[i] = g_rand_int_range(rand, 0, K);
    /* Mostly right, as a classifier is, so the diagonal and the rest both matter. */
    pred[i] = g_rand_double(rand) < 0.7 ? truth[i] : g_rand_int_range(rand, 0, K);
    g_string_append_printf(t_arg, "%s%d", i ? "," : "", truth[i]);
    g_string_append_printf(p_arg, "%s%d", i ? "," : "", pred[i]);
  }
  g_rand_free(rand);
  size_t counts[K * K];
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_confusion_matrix(truth, pred, N, K, counts, &err), ==, SPH_OK);

  static const char script[] =
      "import sys\n"
      "t = [int(v) for v in sys.argv[1].split(',')]\n"
      "p = [int(v) for v in sys.argv[2].split(',')]\n"
      "try:\n"
      "    from sklearn.metrics import confusion_matrix\n"
      "    m = confusion_matrix(t, p, labels=list(range(10)))\n"
      "    print('sklearn')\n"
      "except ImportError:\n"
      "    try:\n"
      "        import numpy as np\n"
      "    except ImportError:\n"
      "        sys.exit(77)\n"
      "    m = np.zeros((10, 10), dtype=int)\n"
      "    np.add.at(m, (np.array(t), np.array(p)), 1)\n"
      "    print('numpy')\n"
      "print(' '.join(str(int(v)) for v in m.ravel()))\n";
  const char *args[] = {t_arg->str, p_arg->str, NULL};
  char *out = sph_test_spawn_python_or_77(python, script, args);
  g_string_free(t_arg, TRUE);
  g_string_free(p_arg, TRUE);
  if (out == NULL) {
    g_test_skip("neither scikit-learn nor numpy is installed");
    return;
  }
  char **lines = g_strsplit(g_strstrip(out), "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 2);
  g_test_message("reference: %s", lines[0]);
  char **words = g_strsplit(lines[1], " ", -1);
  g_assert_cmpuint(g_strv_length(words), ==, K * K);
  size_t total = 0;
  for (size_t i = 0; i < K * K; i++) {
    g_assert_cmpuint(counts[i], ==, g_ascii_strtoull(words[i], NULL, 10));
    total += counts[i];
  }
  g_assert_cmpuint(total, ==, N);
  g_strfreev(words);
  g_strfreev(lines);
  g_free(out);
}

static void test_confusion_bad_label(void)
{
  int32_t truth[3] = {0, 4, 2}, pred[3] = {0, 10, 2};
  size_t counts[K * K];
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_confusion_matrix(truth, pred, 3, K, counts, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "row 1"));
  g_assert_nonnull(strstr(err.message, "0 to 9"));
}

static int cmp_brute(const void *a, const void *b)
{
  const SphMisclassified *x = a, *y = b;
  if (x->p_predicted != y->p_predicted)
    return x->p_predicted > y->p_predicted ? -1 : 1;
  return x->row < y->row ? -1 : x->row > y->row;
}

static void test_misclassified_ranking(void)
{
  enum { N = 300 };
  double *probs = g_new(double, N * K);
  int32_t truth[N];
  GRand *rand = g_rand_new_with_seed(5);
  for (int i = 0; i < N; i++) {
    double sum = 0.0;
    for (int j = 0; j < K; j++)
      sum += probs[i * K + j] = (double)g_rand_int_range(rand, 1, 6); /* ties on purpose */
    for (int j = 0; j < K; j++)
      probs[i * K + j] /= sum;
    truth[i] = g_rand_int_range(rand, 0, K);
  }
  g_rand_free(rand);

  /* Brute force: every mistake, sorted. */
  SphMisclassified all[N];
  size_t nall = 0;
  for (int i = 0; i < N; i++) {
    int best = 0;
    for (int j = 1; j < K; j++)
      if (probs[i * K + j] > probs[i * K + best])
        best = j;
    if (best != truth[i])
      all[nall++] = (SphMisclassified){(size_t)i, truth[i], best, probs[i * K + best],
                                       probs[i * K + truth[i]]};
  }
  qsort(all, nall, sizeof all[0], cmp_brute);
  g_assert_cmpuint(nall, >, 30);

  const size_t maxes[] = {0, 1, 7, 30, N};
  for (size_t m = 0; m < G_N_ELEMENTS(maxes); m++) {
    SphMisclassified top[N];
    size_t total = sph_misclassified_top(probs, truth, N, K, top, maxes[m]);
    g_assert_cmpuint(total, ==, nall);
    for (size_t i = 0; i < MIN(maxes[m], nall); i++) {
      g_assert_cmpuint(top[i].row, ==, all[i].row);
      g_assert_cmpint(top[i].truth, ==, all[i].truth);
      g_assert_cmpint(top[i].predicted, ==, all[i].predicted);
      g_assert_cmpfloat(top[i].p_predicted, ==, all[i].p_predicted);
      g_assert_cmpfloat(top[i].p_truth, ==, all[i].p_truth);
      g_assert_cmpfloat(top[i].p_truth, <=, top[i].p_predicted);
    }
  }
  g_free(probs);
}

static void test_smooth_ema(void)
{
  /* Worked by hand: s = 0.5 on (1, 3, NaN, 2):
   * m0 = 0.5, /0.5 = 1; m1 = 0.25 + 1.5 = 1.75, /0.75 = 7/3; NaN copied;
   * m2 = 0.875 + 1 = 1.875, /0.875 = 15/7. */
  const double v[4] = {1.0, 3.0, NAN, 2.0};
  double out[4];
  sph_curve_smooth_ema(v, 4, 0.5, out);
  g_assert_cmpfloat_with_epsilon(out[0], 1.0, 1e-15);
  g_assert_cmpfloat_with_epsilon(out[1], 7.0 / 3.0, 1e-15);
  g_assert_true(isnan(out[2]));
  g_assert_cmpfloat_with_epsilon(out[3], 15.0 / 7.0, 1e-15);

  /* Debiasing: a constant stays that constant for any weight; weight 0 copies. */
  double c[50], oc[50];
  for (int i = 0; i < 50; i++)
    c[i] = 0.37;
  sph_curve_smooth_ema(c, 50, 0.99, oc);
  for (int i = 0; i < 50; i++)
    g_assert_cmpfloat_with_epsilon(oc[i], 0.37, 1e-13);
  sph_curve_smooth_ema(v, 2, 0.0, out);
  g_assert_cmpfloat(out[0], ==, 1.0);
  g_assert_cmpfloat(out[1], ==, 3.0);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/classify-eval/probabilities-numpy", test_probabilities_numpy);
  g_test_add_func("/classify-eval/confusion-reference", test_confusion_reference);
  g_test_add_func("/classify-eval/confusion-bad-label", test_confusion_bad_label);
  g_test_add_func("/classify-eval/misclassified-ranking", test_misclassified_ranking);
  g_test_add_func("/classify-eval/smooth-ema", test_smooth_ema);
  return g_test_run();
}
