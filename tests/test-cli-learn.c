/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli train, end to end: the per-epoch lines, the saved model, repetition with
 * a seed, and the one-line failures. */
#include "cli-test-helpers.h"
#include "sphaera/dataset.h"
#include "sphaera/model_io.h"
#include "sphaera/train.h"

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
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cli-learn/train-digits", test_train_digits);
  g_test_add_func("/cli-learn/train-errors", test_train_errors);
  return g_test_run();
}
