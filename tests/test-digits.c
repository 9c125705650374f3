/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The digits data, the training job and model files. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "sphaera/dataset.h"
#include "sphaera/model_io.h"
#include "sphaera/autodiff.h"
#include "sphaera/train.h"

static char *digits_path(void)
{
  const char *dir = g_getenv("SPHAERA_DATA_DIR");
  return g_build_filename(dir ? dir : "data", "digits.csv.gz", NULL);
}

static gboolean load_digits(SphDataset *all)
{
  char *path = digits_path();
  SphError err = SPH_ERROR_INIT;
  SphStatus st = sph_digits_load(path, all, &err);
  g_free(path);
  if (st != SPH_OK) {
    g_test_skip(err.message);
    return FALSE;
  }
  return TRUE;
}

/* The file as scikit-learn ships it: 1797 images, each class about a tenth, the
 * first image a 0 whose first row of pixels is 0 0 5 13 9 1 0 0. */
static void test_load(void)
{
  SphDataset all;
  if (!load_digits(&all))
    return;
  g_assert_cmpuint(all.n, ==, 1797);
  g_assert_cmpuint(all.nfeatures, ==, 64);
  g_assert_cmpint(all.y[0], ==, 0);
  const float first[8] = {0, 0, 5, 13, 9, 1, 0, 0};
  for (int j = 0; j < 8; j++)
    g_assert_cmpfloat(all.x[j], ==, first[j] / 16.0f);
  size_t counts[10] = {0};
  for (size_t i = 0; i < all.n; i++)
    counts[all.y[i]]++;
  for (int c = 0; c < 10; c++)
    g_assert_cmpuint(counts[c], >=, 174); /* sklearn: 174..183 per class */
  /* The documented split: 449 test and 1348 training rows whose label counts add up
   * to the whole. */
  SphDataset train, test;
  g_assert_cmpint(sph_dataset_split(&all, 0.25, SPH_DIGITS_SPLIT_SEED, &train, &test, NULL), ==, SPH_OK);
  g_assert_cmpuint(test.n, ==, 449);
  g_assert_cmpuint(train.n, ==, 1348);
  size_t split_counts[10] = {0};
  for (size_t i = 0; i < train.n; i++)
    split_counts[train.y[i]]++;
  for (size_t i = 0; i < test.n; i++)
    split_counts[test.y[i]]++;
  for (int c = 0; c < 10; c++)
    g_assert_cmpuint(split_counts[c], ==, counts[c]);
  sph_dataset_clear(&train);
  sph_dataset_clear(&test);
  sph_dataset_clear(&all);
}

static void write_gz(const char *path, const char *text)
{
  gzFile gz = gzopen(path, "wb");
  g_assert_nonnull(gz);
  gzputs(gz, text);
  gzclose(gz);
}

/* Bad files: a missing one, a short line, an out-of-range label, damaged gzip. */
static void test_load_errors(void)
{
  char *dir = g_dir_make_tmp("sph-digits-XXXXXX", NULL);
  char *path = g_build_filename(dir, "d.csv.gz", NULL);
  SphDataset d;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_digits_load(path, &d, &err), ==, SPH_ERR_IO);
  g_assert_nonnull(strstr(err.message, "d.csv.gz"));
  GString *line = g_string_new(NULL);
  for (int j = 0; j < 64; j++)
    g_string_append(line, "3,");
  g_string_append(line, "7\n");
  GString *two = g_string_new(line->str);
  g_string_append(two, "1,2,3\n");
  write_gz(path, two->str);
  g_assert_cmpint(sph_digits_load(path, &d, &err), ==, SPH_ERR_FORMAT);
  g_assert_nonnull(strstr(err.message, "line 2 has fewer than 65 fields"));
  GString *badlabel = g_string_new(line->str);
  badlabel->str[badlabel->len - 2] = '\0';
  g_string_set_size(badlabel, badlabel->len - 2);
  g_string_append(badlabel, "12\n");
  write_gz(path, badlabel->str);
  g_assert_cmpint(sph_digits_load(path, &d, &err), ==, SPH_ERR_FORMAT);
  g_assert_nonnull(strstr(err.message, "line 1, field 65"));
  write_gz(path, line->str);
  g_assert_cmpint(sph_digits_load(path, &d, &err), ==, SPH_OK);
  g_assert_cmpuint(d.n, ==, 1);
  g_assert_cmpint(d.y[0], ==, 7);
  sph_dataset_clear(&d);
  /* Truncated gzip: cut the compressed stream in half. */
  gchar *bytes;
  gsize len;
  g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
  g_assert_true(g_file_set_contents(path, bytes, (gssize)(len / 2), NULL));
  g_assert_cmpint(sph_digits_load(path, &d, &err), !=, SPH_OK);
  g_free(bytes);
  g_string_free(line, TRUE);
  g_string_free(two, TRUE);
  g_string_free(badlabel, TRUE);
  g_unlink(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
}

typedef struct {
  size_t calls;
  SphJob *job;
  size_t cancel_after;
} EpochLog;

static void on_epoch(const SphEpochStats *s, void *user)
{
  EpochLog *log = user;
  log->calls++;
  g_assert_cmpuint(s->epoch, ==, log->calls);
  if (log->cancel_after && log->calls == log->cancel_after)
    sph_job_cancel(log->job);
}

static SphMlp *digits_mlp(uint64_t seed)
{
  /* the CLI's defaults: 64-512-10, ReLU, dropout 0.5 */
  SphMlpConfig cfg = {.nsizes = 3, .sizes = {64, 512, 10}, .activation = SPH_ACT_RELU,
                      .dropout = 0.5, .dtype = SPH_F32};
  return sph_mlp_new(&cfg, seed, NULL);
}

static SphTrainConfig digits_config(void)
{
  SphTrainConfig tc = {.epochs = 30, .batch_size = 32, .seed = 1};
  tc.optim = sph_optim_defaults(SPH_OPTIM_ADAM);
  tc.optim.learning_rate = 2e-3;
  tc.schedule = SPH_LR_COSINE;
  return tc;
}

/* The mean cross-entropy of mlp (dropout off) on data, from its logits for all rows in
 * one pass, with the log-sum-exp in long double: an evaluation independent of the
 * training loop's chunked sph_cross_entropy_logits. */
static double direct_cross_entropy(const SphMlp *mlp, const SphDataset *data, SphDType dtype)
{
  SphTape *tape = sph_tape_new();
  SphTensor *x = sph_tensor_new2(dtype, data->n, data->nfeatures, NULL);
  for (size_t i = 0; i < data->n * data->nfeatures; i++)
    sph_tensor_set(x, i, data->x[i]);
  SphVar *out = sph_mlp_forward(tape, mlp, sph_tape_input(tape, x, false), false, NULL);
  g_assert_cmpint(sph_tape_status(tape, NULL), ==, SPH_OK);
  const SphTensor *o = sph_var_value(out);
  const size_t k = data->nclasses;
  long double total = 0.0L;
  for (size_t i = 0; i < data->n; i++) {
    long double top = sph_tensor_get(o, i * k);
    for (size_t j = 1; j < k; j++)
      top = fmaxl(top, sph_tensor_get(o, i * k + j));
    long double sum = 0.0L;
    for (size_t j = 0; j < k; j++)
      sum += expl(sph_tensor_get(o, i * k + j) - top);
    total += top + logl(sum) - sph_tensor_get(o, i * k + (size_t)data->y[i]);
  }
  sph_tensor_free(x);
  sph_tape_free(tape);
  return (double)(total / (long double)data->n);
}

/* The target: an MLP reaches test accuracy 0.97 on the fixed split; the job's
 * progress reaches one and its last snapshot holds every epoch. */
static void test_train_mlp(void)
{
  SphDataset all, train, test;
  if (!load_digits(&all))
    return;
  sph_dataset_split(&all, 0.25, SPH_DIGITS_SPLIT_SEED, &train, &test, NULL);
  SphMlp *mlp = digits_mlp(1);
  SphTrainConfig tc = digits_config();
  SphJob *job = sph_job_new();
  EpochLog log = {.job = job};
  SphEpochStats last;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_train_classifier(mlp, &train, &test, &tc, job, on_epoch, &log, &last, &err),
                  ==, SPH_OK);
  g_test_message("test accuracy %.4f after %zu epochs, %.2f s", last.test_accuracy, last.epoch,
                 last.seconds);
  g_assert_cmpuint(log.calls, ==, tc.epochs);
  g_assert_cmpfloat(last.test_accuracy, >=, 0.97);
  g_assert_cmpfloat(sph_job_get_progress(job, NULL, 0), ==, 1.0);
  uint64_t gen = 0;
  SphSnapshot *snap = sph_job_acquire_snapshot(job, &gen);
  const SphTrainCurve *curve = sph_snapshot_data(snap);
  g_assert_cmpuint(curve->nepochs, ==, tc.epochs);
  g_assert_cmpuint(gen, ==, tc.epochs);
  g_assert_cmpfloat(curve->epochs[tc.epochs - 1].train_loss, <, curve->epochs[0].train_loss / 4);
  sph_snapshot_release(snap);
  /* The confusion matrix sums to the test set and its diagonal to the accuracy. */
  size_t confusion[100];
  double acc;
  g_assert_cmpint(sph_classifier_accuracy(mlp, &test, &acc, confusion, NULL), ==, SPH_OK);
  size_t total = 0, diag = 0;
  for (int i = 0; i < 100; i++)
    total += confusion[i];
  for (int i = 0; i < 10; i++)
    diag += confusion[i * 11];
  g_assert_cmpuint(total, ==, test.n);
  g_assert_cmpfloat(acc, ==, (double)diag / (double)test.n);
  g_assert_cmpfloat(acc, ==, last.test_accuracy);
  /* In float32 the validation loss matches the direct evaluation to float32 rounding. */
  double direct = direct_cross_entropy(mlp, &test, SPH_F32);
  g_test_message("float32 validation loss %.9g, direct %.9g", last.test_loss, direct);
  g_assert_cmpfloat(fabs(last.test_loss - direct), <=, 1e-5 * direct);

  /* Save, load, and the loaded network predicts the same. */
  char *dir = g_dir_make_tmp("sph-model-XXXXXX", NULL);
  char *path = g_build_filename(dir, "digits.sphm", NULL);
  g_assert_cmpint(sph_mlp_save(mlp, path, &err), ==, SPH_OK);
  SphMlp *back = sph_mlp_load(path, &err);
  g_assert_nonnull(back);
  double acc_back;
  size_t confusion_back[100];
  g_assert_cmpint(sph_classifier_accuracy(back, &test, &acc_back, confusion_back, NULL), ==, SPH_OK);
  g_assert_cmpmem(confusion, sizeof confusion, confusion_back, sizeof confusion_back);
  sph_mlp_free(back);
  /* A flipped byte anywhere, a truncated file, another magic: clear errors. */
  gchar *bytes;
  gsize len;
  g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
  char *bad = g_build_filename(dir, "bad.sphm", NULL);
  bytes[len / 2] ^= 0x10;
  g_assert_true(g_file_set_contents(bad, bytes, (gssize)len, NULL));
  g_assert_null(sph_mlp_load(bad, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_FORMAT);
  g_assert_nonnull(strstr(err.message, "checksum"));
  bytes[len / 2] ^= 0x10;
  g_assert_true(g_file_set_contents(bad, bytes, (gssize)(len - 9), NULL));
  g_assert_null(sph_mlp_load(bad, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_FORMAT);
  g_assert_nonnull(strstr(err.message, "bad.sphm"));
  /* A file of a future format version is named as such, not as damage. */
  bytes[8] = 2;
  g_assert_true(g_file_set_contents(bad, bytes, (gssize)len, NULL));
  g_assert_null(sph_mlp_load(bad, &err));
  g_assert_nonnull(strstr(err.message, "version 2"));
  bytes[8] = 1;
  g_assert_true(g_file_set_contents(bad, "#!/bin/sh\necho hello world\n", -1, NULL));
  g_assert_null(sph_mlp_load(bad, &err));
  g_assert_nonnull(strstr(err.message, "not a Sphaera model"));
  g_free(bytes);
  g_unlink(bad);
  g_unlink(path);
  g_rmdir(dir);
  g_free(bad);
  g_free(path);
  g_free(dir);

  sph_job_unref(job);
  sph_mlp_free(mlp);
  sph_dataset_clear(&train);
  sph_dataset_clear(&test);
  sph_dataset_clear(&all);
}

/* The validation loss in every epoch's numbers and snapshot is the mean cross-entropy
 * of the network on the test rows (dropout off): in float64, to 1e-12 of the direct
 * evaluation after the last epoch; the snapshot carries the same numbers. */
static void test_validation_loss(void)
{
  SphDataset all, train, test;
  if (!load_digits(&all))
    return;
  sph_dataset_split(&all, 0.25, SPH_DIGITS_SPLIT_SEED, &train, &test, NULL);
  SphMlpConfig cfg = {.nsizes = 3, .sizes = {64, 48, 10}, .activation = SPH_ACT_TANH,
                      .dropout = 0.3, .dtype = SPH_F64};
  SphMlp *mlp = sph_mlp_new(&cfg, 5, NULL);
  SphTrainConfig tc = digits_config();
  tc.epochs = 3;
  SphJob *job = sph_job_new();
  SphEpochStats last;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_train_classifier(mlp, &train, &test, &tc, job, NULL, NULL, &last, &err), ==,
                  SPH_OK);
  double direct = direct_cross_entropy(mlp, &test, SPH_F64);
  g_test_message("validation loss %.15g, direct %.15g, training loss %.6g", last.test_loss, direct,
                 last.train_loss);
  g_assert_cmpfloat(fabs(last.test_loss - direct), <=, 1e-12 * direct);
  double acc, loss;
  SphNet net = sph_mlp_net(mlp);
  g_assert_cmpint(sph_net_evaluate(&net, &test, &acc, &loss, &err), ==, SPH_OK);
  g_assert_cmpfloat(fabs(loss - direct), <=, 1e-12 * direct);
  g_assert_cmpfloat(acc, ==, last.test_accuracy);
  SphSnapshot *snap = sph_job_acquire_snapshot(job, NULL);
  const SphTrainCurve *curve = sph_snapshot_data(snap);
  g_assert_cmpuint(curve->nepochs, ==, 3);
  g_assert_cmpfloat(curve->epochs[2].test_loss, ==, last.test_loss);
  /* Training lowers it, and it is a cross-entropy over 10 classes: positive and well
   * below log 10 once the network has learnt something. */
  g_assert_cmpfloat(curve->epochs[2].test_loss, <, curve->epochs[0].test_loss);
  g_assert_cmpfloat(curve->epochs[0].test_loss, >, 0.0);
  g_assert_cmpfloat(curve->epochs[0].test_loss, <, log(10.0));
  sph_snapshot_release(snap);
  /* Without a test set there is no validation loss. */
  tc.epochs = 1;
  g_assert_cmpint(sph_train_classifier(mlp, &train, NULL, &tc, NULL, NULL, NULL, &last, &err), ==,
                  SPH_OK);
  g_assert_true(isnan(last.test_loss));
  sph_job_unref(job);
  sph_mlp_free(mlp);
  sph_dataset_clear(&train);
  sph_dataset_clear(&test);
  sph_dataset_clear(&all);
}

/* Cancel after the second epoch: training stops there with SPH_ERR_CANCELLED; a
 * network of the wrong shape is refused before any step. */
static void test_cancel_and_mismatch(void)
{
  SphDataset all, train, test;
  if (!load_digits(&all))
    return;
  sph_dataset_split(&all, 0.25, SPH_DIGITS_SPLIT_SEED, &train, &test, NULL);
  SphMlp *mlp = digits_mlp(2);
  SphTrainConfig tc = digits_config();
  SphJob *job = sph_job_new();
  EpochLog log = {.job = job, .cancel_after = 2};
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_train_classifier(mlp, &train, &test, &tc, job, on_epoch, &log, NULL, &err),
                  ==, SPH_ERR_CANCELLED);
  g_assert_cmpuint(log.calls, ==, 2);
  g_assert_nonnull(strstr(err.message, "epoch 3"));
  SphMlpConfig cfg = {.nsizes = 2, .sizes = {63, 10}, .activation = SPH_ACT_RELU, .dtype = SPH_F32};
  SphMlp *wrong = sph_mlp_new(&cfg, 1, NULL);
  g_assert_cmpint(sph_train_classifier(wrong, &train, &test, &tc, NULL, NULL, NULL, NULL, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "64 features"));
  /* A NaN in the data makes the loss NaN: training stops with a reason. */
  train.x[5] = NAN;
  tc.epochs = 1;
  SphStatus st = sph_train_classifier(mlp, &train, &test, &tc, NULL, NULL, NULL, NULL, &err);
  g_assert_cmpint(st, ==, SPH_ERR_INVALID);
  /* ReLU maps the NaN input to 0, so the loss stays finite and the weight gradient
   * x^T dy carries the NaN: the optimiser refuses the step. */
  g_assert_nonnull(strstr(err.message, "epoch 1, step"));
  g_assert_nonnull(strstr(err.message, "not finite"));
  sph_mlp_free(wrong);
  sph_job_unref(job);
  sph_mlp_free(mlp);
  sph_dataset_clear(&train);
  sph_dataset_clear(&test);
  sph_dataset_clear(&all);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/digits/load", test_load);
  g_test_add_func("/digits/load-errors", test_load_errors);
  g_test_add_func("/digits/train-mlp", test_train_mlp);
  g_test_add_func("/digits/validation-loss", test_validation_loss);
  g_test_add_func("/digits/cancel-and-mismatch", test_cancel_and_mismatch);
  return g_test_run();
}
