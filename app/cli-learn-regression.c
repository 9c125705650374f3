/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli train --task regression: MC dropout, Bayes by backprop or a deep
 * ensemble on the 1-D data set with a gap. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sphaera/regression.h"

static const char regression_usage[] =
    "Usage: " CLI_NAME " train --task regression --model mcdropout|bbb|ensemble [OPTIONS]\n"
    "\n"
    "Fits y = x sin x + noise (sd 0.25; x in [-5, 5] without the gap (-1, 2.5); 400\n"
    "training and 400 held-out points, data seed 20260612) with a network that predicts\n"
    "a mean and a variance, and prints one key=value line per epoch, then test_rmse=R\n"
    "and coverage95=C: the error of the predictive mean and the fraction of held-out\n"
    "points inside the 95% predictive interval.\n"
    "  mcdropout  1-100-100-2 GELU, dropout 0.05 kept on at prediction (64 passes)\n"
    "  bbb        1-32-32-2 GELU, Bayes by backprop, scale-mixture prior\n"
    "             (pi 0.5, sigma1 1, sigma2 e^-6), 64 weight draws at prediction\n"
    "  ensemble   5 independently seeded 1-50-50-2 ReLU networks\n"
    "\n"
    "Options:\n"
    "  --task regression  the data set\n"
    "  --model M          mcdropout, bbb or ensemble\n"
    "  --epochs N         epochs (default 300; ensemble 200 per member)\n"
    "  --seed S           weights, minibatch order, dropout and weight draws (default 1)\n"
    "  --save FILE        write the trained model (.sphm) to FILE\n"
    "  -h, --help         this text\n";

/* predict MODEL grid: the data range in this many points. */
#define CLI_REGRESSION_GRID_POINTS 201

enum { OPT_TASK = 0x400, OPT_MODEL, OPT_EPOCHS, OPT_SEED, OPT_SAVE };

bool cli_train_task_is_regression(int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--task=regression") == 0)
      return true;
    if (strcmp(argv[i], "--task") == 0 && i + 1 < argc)
      return strcmp(argv[i + 1], "regression") == 0;
  }
  return false;
}

static void print_epoch(const SphRegressionEpoch *e, void *user)
{
  (void)user;
  printf("epoch=%zu loss=%.6f seconds=%.3f\n", e->epoch, e->loss, e->seconds);
  fflush(stdout);
}

int cli_train_regression(int argc, char **argv)
{
  const CliContext ctx = {"train", regression_usage};
  static const struct option opts[] = {
      {"help", no_argument, NULL, 'h'},
      {"task", required_argument, NULL, OPT_TASK},
      {"model", required_argument, NULL, OPT_MODEL},
      {"epochs", required_argument, NULL, OPT_EPOCHS},
      {"seed", required_argument, NULL, OPT_SEED},
      {"save", required_argument, NULL, OPT_SAVE},
      {0, 0, 0, 0}};
  const char *model_name = NULL, *save = NULL;
  int64_t epochs = 0, seed = 1;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': return cli_help(&ctx);
    case OPT_TASK: break;
    case OPT_MODEL: model_name = optarg; break;
    case OPT_SAVE: save = optarg; break;
    case OPT_EPOCHS:
      if (!cli_parse_int64(optarg, 1, 100000, &epochs))
        return cli_fail("train: --epochs '%s' is not a whole number in 1..100000", optarg);
      break;
    case OPT_SEED:
      if (!cli_parse_int64(optarg, 0, INT64_MAX / 2000, &seed))
        return cli_fail("train: --seed '%s' is not a non-negative whole number", optarg);
      break;
    default: return cli_option_error(&ctx, c, argv);
    }
  }
  if (optind != argc)
    return cli_usage_error(&ctx, argc - optind, 0);
  if (model_name == NULL)
    return cli_fail("train: --model is required (see '" CLI_NAME " train --task regression --help')");
  SphRegModel model = sph_reg_model_from_name(model_name);
  if (model == SPH_REG_MODEL_COUNT)
    return cli_fail("train: model '%s' is not available for regression (available: mcdropout, bbb, "
                    "ensemble)",
                    model_name);
  SphError err = SPH_ERROR_INIT;
  SphRegressionData train, test;
  if (sph_regression_dataset(&train, &test, &err) != SPH_OK)
    return cli_fail_error(&err);
  sph_learn_blas_single_thread();
  SphRegressionConfig cfg = sph_regression_defaults(model);
  cfg.seed = (uint64_t)seed;
  if (epochs > 0)
    cfg.epochs = (size_t)epochs;
  SphRegressor *reg = sph_regressor_new(&cfg, &err);
  SphStatus st = reg != NULL ? sph_regression_train(reg, &train, &test, NULL, print_epoch, NULL, &err)
                             : err.code;
  double rmse = 0.0, coverage = 0.0;
  if (st == SPH_OK)
    st = sph_regression_score(reg, &test, SPH_REGRESSION_X_MIN, SPH_REGRESSION_X_MAX, cfg.seed + 11,
                              &rmse, &coverage, &err);
  int rc = 0;
  if (st != SPH_OK)
    rc = cli_fail_error(&err);
  else if (save != NULL && sph_regressor_save(reg, save, &err) != SPH_OK)
    rc = cli_fail_error(&err);
  if (rc == 0)
    printf("test_rmse=%.4f\ncoverage95=%.4f\n", rmse, coverage);
  sph_regressor_free(reg);
  sph_regression_data_clear(&train);
  sph_regression_data_clear(&test);
  return rc;
}

/* x values, one number per line; blank lines are skipped. */
static double *read_x_csv(const char *path, size_t *nrows, SphError *err)
{
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    sph_error_set(err, SPH_ERR_IO, "%s: cannot open (%s)", path, strerror(errno));
    return NULL;
  }
  double *x = NULL;
  size_t n = 0, cap = 0, lineno = 0, len = 0;
  char *line = NULL;
  bool ok = true;
  while (ok && getline(&line, &len, f) != -1) {
    lineno++;
    char *p = line;
    while (*p == ' ' || *p == '\t')
      p++;
    if (*p == '\n' || *p == '\r' || *p == '\0')
      continue;
    char *end;
    double v = strtod(p, &end);
    char *rest = end;
    while (*rest == ' ' || *rest == '\t' || *rest == '\r' || *rest == '\n')
      rest++;
    if (end == p || *rest != '\0' || !isfinite(v)) {
      p[strcspn(p, "\r\n")] = '\0';
      ok = false;
      sph_error_set(err, SPH_ERR_FORMAT,
                    "%s, line %zu: '%.40s' is not one finite number (the x of a row)", path,
                    lineno, p);
      break;
    }
    if (n == cap) {
      cap = cap ? 2 * cap : 64;
      double *grown = realloc(x, cap * sizeof *x);
      if (grown == NULL) {
        ok = false;
        sph_error_set(err, SPH_ERR_NOMEM, "%s: out of memory at line %zu", path, lineno);
        break;
      }
      x = grown;
    }
    x[n++] = v;
  }
  bool read_error = ok && ferror(f) != 0;
  free(line);
  fclose(f);
  if (read_error) {
    ok = false;
    sph_error_set(err, SPH_ERR_IO, "%s: read error", path);
  }
  if (ok && n == 0) {
    ok = false;
    sph_error_set(err, SPH_ERR_FORMAT, "%s: no x values", path);
  }
  if (!ok) {
    free(x);
    return NULL;
  }
  *nrows = n;
  return x;
}

int cli_predict_regression(const char *model_path, const char *input, uint64_t seed)
{
  SphError err = SPH_ERROR_INIT;
  SphRegressor *reg = sph_regressor_load(model_path, &err);
  if (reg == NULL)
    return cli_fail_error(&err);
  size_t n = 0;
  double *x = NULL;
  if (strcmp(input, "grid") == 0) {
    n = CLI_REGRESSION_GRID_POINTS;
    x = malloc(n * sizeof *x);
    for (size_t i = 0; x != NULL && i < n; i++)
      x[i] = SPH_REGRESSION_X_MIN +
             (SPH_REGRESSION_X_MAX - SPH_REGRESSION_X_MIN) * (double)i / (double)(n - 1);
    if (x == NULL)
      sph_error_set(&err, SPH_ERR_NOMEM, "predict: out of memory for the grid");
  } else {
    x = read_x_csv(input, &n, &err);
  }
  double *mean = x ? malloc(n * sizeof *mean) : NULL, *sd = x ? malloc(n * sizeof *sd) : NULL;
  int rc = 0;
  if (x == NULL)
    rc = cli_fail_error(&err);
  else if (mean == NULL || sd == NULL)
    rc = cli_fail("predict: out of memory for %zu rows", n);
  else {
    sph_learn_blas_single_thread();
    if (sph_regressor_predict(reg, x, n, seed, mean, sd, &err) != SPH_OK)
      rc = cli_fail_error(&err);
  }
  if (rc == 0) {
    puts("x,mean,sd,lo95,hi95");
    for (size_t i = 0; i < n; i++)
      printf("%.17g,%.17g,%.17g,%.17g,%.17g\n", x[i], mean[i], sd[i], mean[i] - 1.96 * sd[i],
             mean[i] + 1.96 * sd[i]);
  }
  free(mean);
  free(sd);
  free(x);
  sph_regressor_free(reg);
  return rc;
}
