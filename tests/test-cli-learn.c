/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli train and predict, end to end: the per-epoch lines, the saved model,
 * repetition with a seed, the digits CNN's accuracy, predictions that agree with the
 * training run and with the model evaluated here, and the one-line failures. */
#include "cli-test-helpers.h"
#include "sphaera/cnn.h"
#include "sphaera/dataset.h"
#include "sphaera/model_io.h"
#include "sphaera/train.h"
#include "sphaera/regression.h"

/* The lines of out without their seconds= fields (wall time differs between runs). */
static char *strip_seconds(const char *out)
{
  GString *s = g_string_new(NULL);
  char **lines = g_strsplit(out, "\n", -1);
  for (char **l = lines; *l != NULL; l++) {
    char *sec = strstr(*l, " seconds=");
    g_string_append_len(s, *l, sec ? sec - *l : (gssize)strlen(*l));
    g_string_append_c(s, '\n');
  }
  g_strfreev(lines);
  return g_string_free(s, FALSE);
}

static void test_train_digits(void)
{
  char *dir = make_temp_dir();
  char *model = g_build_filename(dir, "digits.sphm", NULL);
  CliRun run = run_cli("train", "--task", "digits", "--model", "mlp", "--epochs", "3", "--seed",
                       "2", "--save", model, NULL);
  g_assert_cmpint(run.status, ==, 0);
  char **lines = g_strsplit(run.out, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 5); /* 3 epochs, the final line, "" */
  for (int e = 0; e < 3; e++) {
    char *want = g_strdup_printf("epoch=%d loss=", e + 1);
    g_assert_true(g_str_has_prefix(lines[e], want));
    g_assert_nonnull(strstr(lines[e], " test_loss="));
    g_assert_nonnull(strstr(lines[e], " train_accuracy="));
    g_assert_nonnull(strstr(lines[e], " test_accuracy="));
    g_free(want);
  }
  g_strfreev(lines);
  GHashTable *keys = parse_keys(run.out);
  double acc = key_double(keys, "test_accuracy");
  g_test_message("3 epochs: test_accuracy=%.4f", acc);
  g_assert_cmpfloat(acc, >, 0.9);
  g_assert_cmpfloat(acc, <=, 1.0);
  /* The saved model, evaluated here on the same split, gives the printed accuracy. */
  SphError err = SPH_ERROR_INIT;
  SphMlp *mlp = sph_mlp_load(model, &err);
  g_assert_nonnull(mlp);
  char *data = data_path("digits.csv.gz");
  SphDataset all, train, test;
  g_assert_cmpint(sph_digits_load(data, &all, &err), ==, SPH_OK);
  g_assert_cmpint(sph_dataset_split(&all, 0.25, SPH_DIGITS_SPLIT_SEED, &train, &test, &err), ==, SPH_OK);
  double acc_loaded;
  g_assert_cmpint(sph_classifier_accuracy(mlp, &test, &acc_loaded, NULL, &err), ==, SPH_OK);
  g_assert_cmpfloat(fabs(acc_loaded - acc), <, 6e-5);
  /* The same seed repeats every number. */
  CliRun again = run_cli("train", "--task", "digits", "--model", "mlp", "--epochs", "3", "--seed",
                         "2", NULL);
  g_assert_cmpint(again.status, ==, 0);
  char *a = strip_seconds(run.out), *b = strip_seconds(again.out);
  g_assert_cmpstr(a, ==, b);
  g_free(a);
  g_free(b);
  cli_run_clear(&again);
  sph_dataset_clear(&all);
  sph_dataset_clear(&train);
  sph_dataset_clear(&test);
  sph_mlp_free(mlp);
  g_free(data);
  g_hash_table_unref(keys);
  cli_run_clear(&run);
  remove_dir(dir);
  g_free(model);
  g_free(dir);
}

static void test_train_errors(void)
{
  CliRun run = run_cli("train", "--task", "weather", "--model", "mlp", NULL);
  assert_one_line_failure(&run, "task 'weather'", "digits");
  cli_run_clear(&run);
  run = run_cli("train", "--task", "digits", "--model", "mlp", "--epochs", "0", NULL);
  assert_one_line_failure(&run, "--epochs '0'", NULL);
  cli_run_clear(&run);
  run = run_cli("train", "--task", "digits", "--model", "mlp", "--data", "/nonexistent/d.csv.gz", NULL);
  assert_one_line_failure(&run, "/nonexistent/d.csv.gz", "cannot open");
  cli_run_clear(&run);
  run = run_cli("train", "--model", "mlp", NULL);
  assert_one_line_failure(&run, "--task", NULL);
  cli_run_clear(&run);
  run = run_cli("train", "--task", "digits", "--model", "resnet", NULL);
  assert_one_line_failure(&run, "model 'resnet'", "cnn");
  cli_run_clear(&run);
}

/* The documented CNN run (seed 1, the default 20 epochs) reaches 0.98 on the fixed split; predict
 * on the saved model repeats the test accuracy and gives, for rows written to a CSV, the
 * classes and probabilities of the digits-test rows they came from. */
static void test_train_cnn_predict(void)
{
  char *dir = make_temp_dir();
  char *model = g_build_filename(dir, "cnn.sphm", NULL);
  CliRun run = run_cli("train", "--task", "digits", "--model", "cnn", "--seed", "1", "--save",
                       model, NULL);
  g_assert_cmpint(run.status, ==, 0);
  GHashTable *keys = parse_keys(run.out);
  double acc = key_double(keys, "test_accuracy");
  g_test_message("cnn, 20 epochs, seed 1: test_accuracy=%.4f", acc);
  g_assert_cmpfloat(acc, >=, 0.98);
  g_hash_table_unref(keys);
  cli_run_clear(&run);

  CliRun pred = run_cli("predict", model, "digits-test", NULL);
  g_assert_cmpint(pred.status, ==, 0);
  char **lines = g_strsplit(pred.out, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 449 + 2); /* rows, accuracy, "" */
  keys = parse_keys(lines[449]);
  g_assert_cmpfloat(fabs(key_double(keys, "accuracy") - acc), <, 6e-5);
  g_hash_table_unref(keys);

  /* the first three test rows as a CSV of features */
  SphError err = SPH_ERROR_INIT;
  char *data = data_path("digits.csv.gz");
  SphDataset all, train, test;
  g_assert_cmpint(sph_digits_load(data, &all, &err), ==, SPH_OK);
  g_assert_cmpint(sph_dataset_split(&all, 0.25, SPH_DIGITS_SPLIT_SEED, &train, &test, &err), ==, SPH_OK);
  GString *csv = g_string_new(NULL);
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < 64; j++)
      g_string_append_printf(csv, "%.9g%s", test.x[i * 64 + j], j == 63 ? "\n" : ",");
  char *csv_path = g_build_filename(dir, "rows.csv", NULL);
  g_assert_true(g_file_set_contents(csv_path, csv->str, -1, NULL));
  CliRun rows = run_cli("predict", model, csv_path, NULL);
  g_assert_cmpint(rows.status, ==, 0);
  char **row_lines = g_strsplit(rows.out, "\n", -1);
  g_assert_cmpuint(g_strv_length(row_lines), ==, 3 + 1);
  for (int i = 0; i < 3; i++) {
    /* the same line as for digits-test, less the label */
    char *label = strstr(lines[i], " label=");
    g_assert_nonnull(label);
    g_assert_cmpint(strncmp(row_lines[i], lines[i], (size_t)(label - lines[i])), ==, 0);
    g_assert_cmpuint(strlen(row_lines[i]), ==, (size_t)(label - lines[i]));
    /* the probabilities sum to one */
    double sum = 0.0;
    char **p = g_strsplit(strstr(row_lines[i], " p=") + 3, ",", -1);
    g_assert_cmpuint(g_strv_length(p), ==, 10);
    for (char **q = p; *q; q++)
      sum += g_ascii_strtod(*q, NULL);
    g_assert_cmpfloat(fabs(sum - 1.0), <, 1e-5);
    g_strfreev(p);
  }
  /* and the model loaded here agrees with the printed accuracy */
  SphCnn *cnn = sph_cnn_load(model, &err);
  g_assert_nonnull(cnn);
  SphNet net = sph_cnn_net(cnn);
  double acc_loaded;
  g_assert_cmpint(sph_net_accuracy(&net, &test, &acc_loaded, NULL, &err), ==, SPH_OK);
  g_assert_cmpfloat(fabs(acc_loaded - acc), <, 6e-5);
  sph_cnn_free(cnn);

  /* failures: a damaged model, a row of the wrong length, a missing file */
  gchar *bytes;
  gsize len;
  g_assert_true(g_file_get_contents(model, &bytes, &len, NULL));
  bytes[len / 2] ^= 0x40;
  char *damaged = g_build_filename(dir, "damaged.sphm", NULL);
  g_assert_true(g_file_set_contents(damaged, bytes, (gssize)len, NULL));
  CliRun bad = run_cli("predict", damaged, "digits-test", NULL);
  assert_one_line_failure(&bad, "damaged.sphm", "damaged");
  cli_run_clear(&bad);
  g_assert_true(g_file_set_contents(csv_path, "0.5,0.25\n", -1, NULL));
  bad = run_cli("predict", model, csv_path, NULL);
  assert_one_line_failure(&bad, "line 1", "64");
  cli_run_clear(&bad);
  bad = run_cli("predict", "/nonexistent/m.sphm", "digits-test", NULL);
  assert_one_line_failure(&bad, "/nonexistent/m.sphm", "cannot open");
  cli_run_clear(&bad);

  g_free(bytes);
  g_free(damaged);
  g_strfreev(row_lines);
  cli_run_clear(&rows);
  g_free(csv_path);
  g_string_free(csv, TRUE);
  sph_dataset_clear(&all);
  sph_dataset_clear(&train);
  sph_dataset_clear(&test);
  g_free(data);
  g_strfreev(lines);
  cli_run_clear(&pred);
  remove_dir(dir);
  g_free(model);
  g_free(dir);
}

/* Checks predict's output (header, then x,mean,sd,lo95,hi95 rows) against the
 * library's predictions for the same x with the same seed; returns the x read. */
typedef struct {
  double v[5];
} PredictRow;

static GArray *check_regression_rows(const char *out, const SphRegressor *reg, uint64_t seed)
{
  char **lines = g_strsplit(out, "\n", -1);
  g_assert_cmpstr(lines[0], ==, "x,mean,sd,lo95,hi95");
  GArray *xs = g_array_new(FALSE, FALSE, sizeof(double));
  GArray *rows = g_array_new(FALSE, FALSE, sizeof(PredictRow));
  for (char **l = lines + 1; *l != NULL && **l != '\0'; l++) {
    PredictRow r;
    char **f = g_strsplit(*l, ",", -1);
    g_assert_cmpuint(g_strv_length(f), ==, 5);
    for (int j = 0; j < 5; j++)
      r.v[j] = g_ascii_strtod(f[j], NULL);
    g_strfreev(f);
    g_array_append_val(xs, r.v[0]);
    g_array_append_val(rows, r);
  }
  g_strfreev(lines);
  size_t n = xs->len;
  g_assert_cmpuint(n, >, 0);
  double *mean = g_new(double, n), *sd = g_new(double, n);
  g_assert_cmpint(sph_regressor_predict(reg, (double *)xs->data, n, seed, mean, sd, NULL), ==,
                  SPH_OK);
  double worst = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double *r = g_array_index(rows, PredictRow, i).v;
    const double want[4] = {mean[i], sd[i], mean[i] - 1.96 * sd[i], mean[i] + 1.96 * sd[i]};
    for (int j = 0; j < 4; j++)
      worst = fmax(worst, fabs(r[j + 1] - want[j]) / (1.0 + fabs(want[j])));
    g_assert_cmpfloat(sd[i], >, 0.0);
  }
  g_test_message("predict: %zu rows, largest relative difference from the library %.3g", n,
                 worst);
  g_assert_cmpfloat(worst, <=, 1e-14);
  g_free(mean);
  g_free(sd);
  g_array_unref(rows);
  return xs;
}

/* train --task regression: a line per epoch, the final scores in the range,
 * a saved model that scores the same when loaded, and the one-line refusals. */
static void test_train_regression(void)
{
  char *dir = make_temp_dir();
  char *model = g_build_filename(dir, "ensemble.sphm", NULL);
  CliRun run = run_cli("train", "--task", "regression", "--model", "ensemble", "--seed", "1",
                       "--save", model, NULL);
  g_assert_cmpint(run.status, ==, 0);
  char **lines = g_strsplit(run.out, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 203); /* 200 epochs, two scores, "" */
  g_assert_true(g_str_has_prefix(lines[0], "epoch=1 loss="));
  g_assert_true(g_str_has_prefix(lines[199], "epoch=200 loss="));
  g_strfreev(lines);
  GHashTable *keys = parse_keys(run.out);
  double rmse = key_double(keys, "test_rmse"), cov = key_double(keys, "coverage95");
  g_test_message("ensemble, seed 1: test_rmse=%.4f coverage95=%.4f", rmse, cov);
  g_assert_cmpfloat(cov, >=, 0.90);
  g_assert_cmpfloat(cov, <=, 0.98);
  g_assert_cmpfloat(rmse, <, 0.5);
  SphError err = SPH_ERROR_INIT;
  SphRegressor *reg = sph_regressor_load(model, &err);
  g_assert_nonnull(reg);
  SphRegressionData train, test;
  g_assert_cmpint(sph_regression_dataset(&train, &test, &err), ==, SPH_OK);
  double r2, c2;
  g_assert_cmpint(sph_regression_score(reg, &test, SPH_REGRESSION_X_MIN, SPH_REGRESSION_X_MAX, 12,
                                       &r2, &c2, &err), ==, SPH_OK);
  g_assert_cmpfloat(fabs(r2 - rmse), <, 1e-4);
  g_assert_cmpfloat(fabs(c2 - cov), <, 1e-4);
  /* predict MODEL CSV and predict MODEL grid give the library's predictions. */
  char *csv = g_build_filename(dir, "x.csv", NULL);
  g_assert_true(g_file_set_contents(csv, "-4.5\n0\n\n 1.25\n3.75\r\n7\n", -1, NULL));
  CliRun pred = run_cli("predict", "--seed", "7", model, csv, NULL);
  g_assert_cmpint(pred.status, ==, 0);
  GArray *xs = check_regression_rows(pred.out, reg, 7);
  g_assert_cmpuint(xs->len, ==, 5);
  g_assert_cmpfloat(g_array_index(xs, double, 2), ==, 1.25);
  g_array_unref(xs);
  cli_run_clear(&pred);
  pred = run_cli("predict", model, "grid", NULL);
  g_assert_cmpint(pred.status, ==, 0);
  xs = check_regression_rows(pred.out, reg, 1);
  g_assert_cmpuint(xs->len, ==, 201);
  g_assert_cmpfloat(g_array_index(xs, double, 0), ==, SPH_REGRESSION_X_MIN);
  g_assert_cmpfloat(g_array_index(xs, double, 200), ==, SPH_REGRESSION_X_MAX);
  g_assert_cmpfloat(fabs(g_array_index(xs, double, 100)), <, 1e-15);
  g_array_unref(xs);
  cli_run_clear(&pred);
  /* A bad row: one line naming the file and the line. */
  g_assert_true(g_file_set_contents(csv, "0.5\n1.5\n2,3\n", -1, NULL));
  pred = run_cli("predict", model, csv, NULL);
  assert_one_line_failure(&pred, "x.csv, line 3", "'2,3'");
  cli_run_clear(&pred);
  g_assert_true(g_file_set_contents(csv, "0.5\nnan\n", -1, NULL));
  pred = run_cli("predict", model, csv, NULL);
  assert_one_line_failure(&pred, "x.csv, line 2", NULL);
  cli_run_clear(&pred);
  pred = run_cli("predict", model, "/nonexistent/x.csv", NULL);
  assert_one_line_failure(&pred, "/nonexistent/x.csv", "cannot open");
  cli_run_clear(&pred);
  g_free(csv);
  sph_regression_data_clear(&train);
  sph_regression_data_clear(&test);
  sph_regressor_free(reg);
  g_hash_table_unref(keys);
  cli_run_clear(&run);
  run = run_cli("train", "--task", "regression", "--model", "gp", NULL);
  assert_one_line_failure(&run, "model 'gp'", "mcdropout, bbb, ensemble");
  cli_run_clear(&run);
  run = run_cli("train", "--task", "regression", "--model", "bbb", "--epochs", "x", NULL);
  assert_one_line_failure(&run, "--epochs 'x'", NULL);
  cli_run_clear(&run);
  remove_dir(dir);
  g_free(model);
  g_free(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cli-learn/train-digits", test_train_digits);
  g_test_add_func("/cli-learn/train-errors", test_train_errors);
  g_test_add_func("/cli-learn/train-cnn-predict", test_train_cnn_predict);
  g_test_add_func("/cli-learn/train-regression", test_train_regression);
  return g_test_run();
}
