/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli's learning commands: train. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sphaera/dataset.h"
#include "sphaera/model_io.h"
#include "sphaera/train.h"

static const char train_usage[] =
    "Usage: " CLI_NAME " train --task digits --model mlp [OPTIONS]\n"
    "\n"
    "Trains a classifier on the 8x8 digits (a fixed 75/25 split, seed 20260611) and\n"
    "prints one key=value line per epoch, then test_accuracy=A.\n"
    "The mlp is 64-512-10 with ReLU and dropout 0.5, trained by Adam (lr 0.002,\n"
    "cosine annealing) in batches of 32.\n"
    "\n"
    "Options:\n"
    "  --task digits     the data set\n"
    "  --model mlp       the network\n"
    "  --epochs N        epochs (default 30)\n"
    "  --seed S          weights, minibatch order and dropout (default 1)\n"
    "  --data FILE       the digits CSV (.gz) (default: Sphaera's data/digits.csv.gz)\n"
    "  --save FILE       write the trained model (.sphm) to FILE\n"
    "  --hidden N        hidden width (default 512)\n"
    "  --dropout P       dropout after the hidden layer (default 0.5)\n"
    "  --lr R            Adam's learning rate (default 0.002)\n"
    "  --batch N         minibatch size (default 32)\n"
    "  --weight-decay W  L2 weight decay (default 0)\n"
    "  --activation A    relu, tanh, gelu, softplus or sigmoid (default relu)\n"
    "  -h, --help        this text\n";

enum { OPT_TASK = 0x300, OPT_MODEL, OPT_EPOCHS, OPT_SEED, OPT_DATA, OPT_SAVE, OPT_HIDDEN, OPT_DROPOUT,
       OPT_LR, OPT_BATCH, OPT_DECAY, OPT_ACTIVATION };

static void print_epoch(const SphEpochStats *s, void *user)
{
  (void)user;
  printf("epoch=%zu loss=%.6f train_accuracy=%.4f test_accuracy=%.4f seconds=%.3f\n", s->epoch,
         s->train_loss, s->train_accuracy, s->test_accuracy, s->seconds);
  fflush(stdout);
}

static int run_train(int argc, char **argv)
{
  const CliContext ctx = {"train", train_usage};
  static const struct option opts[] = {
      {"help", no_argument, NULL, 'h'},
      {"task", required_argument, NULL, OPT_TASK},
      {"model", required_argument, NULL, OPT_MODEL},
      {"epochs", required_argument, NULL, OPT_EPOCHS},
      {"seed", required_argument, NULL, OPT_SEED},
      {"data", required_argument, NULL, OPT_DATA},
      {"save", required_argument, NULL, OPT_SAVE},
      {"hidden", required_argument, NULL, OPT_HIDDEN},
      {"dropout", required_argument, NULL, OPT_DROPOUT},
      {"lr", required_argument, NULL, OPT_LR},
      {"batch", required_argument, NULL, OPT_BATCH},
      {"weight-decay", required_argument, NULL, OPT_DECAY},
      {"activation", required_argument, NULL, OPT_ACTIVATION},
      {0, 0, 0, 0}};
  const char *task = NULL, *model = NULL, *data = SPH_DATA_DIR "/digits.csv.gz", *save = NULL;
  int64_t epochs = 30, seed = 1, hidden = 512, batch = 32;
  double dropout = 0.5, lr = 2e-3, decay = 0.0;
  SphActivation activation = SPH_ACT_RELU;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
    case 'h': return cli_help(&ctx);
    case OPT_TASK: task = optarg; break;
    case OPT_MODEL: model = optarg; break;
    case OPT_DATA: data = optarg; break;
    case OPT_SAVE: save = optarg; break;
    case OPT_EPOCHS:
      if (!cli_parse_int64(optarg, 1, 100000, &epochs))
        return cli_fail("train: --epochs '%s' is not a whole number in 1..100000", optarg);
      break;
    case OPT_SEED:
      if (!cli_parse_int64(optarg, 0, INT64_MAX, &seed))
        return cli_fail("train: --seed '%s' is not a non-negative whole number", optarg);
      break;
    case OPT_HIDDEN:
      if (!cli_parse_int64(optarg, 1, 100000, &hidden))
        return cli_fail("train: --hidden '%s' is not a whole number in 1..100000", optarg);
      break;
    case OPT_BATCH:
      if (!cli_parse_int64(optarg, 1, 100000, &batch))
        return cli_fail("train: --batch '%s' is not a whole number in 1..100000", optarg);
      break;
    case OPT_DROPOUT:
      if (!cli_parse_double(optarg, &dropout) || dropout < 0.0 || dropout >= 1.0)
        return cli_fail("train: --dropout '%s' is not a probability in [0, 1)", optarg);
      break;
    case OPT_LR:
      if (!cli_parse_double(optarg, &lr) || !(lr > 0.0))
        return cli_fail("train: --lr '%s' is not a positive number", optarg);
      break;
    case OPT_DECAY:
      if (!cli_parse_double(optarg, &decay) || !(decay >= 0.0))
        return cli_fail("train: --weight-decay '%s' is not a non-negative number", optarg);
      break;
    case OPT_ACTIVATION:
      activation = sph_activation_from_name(optarg);
      if (activation == SPH_ACT_COUNT)
        return cli_fail("train: --activation '%s' is none of relu, tanh, gelu, softplus, sigmoid",
                        optarg);
      break;
    default: return cli_option_error(&ctx, c, argv);
    }
  }
  if (optind != argc)
    return cli_usage_error(&ctx, argc - optind, 0);
  if (task == NULL || model == NULL)
    return cli_fail("train: --task and --model are required (see '" CLI_NAME " train --help')");
  if (strcmp(task, "digits") != 0)
    return cli_fail("train: task '%s' is not available (available: digits)", task);
  if (strcmp(model, "mlp") != 0)
    return cli_fail("train: model '%s' is not available for digits (available: mlp)", model);

  SphError err = SPH_ERROR_INIT;
  SphDataset all, train, test;
  if (sph_digits_load(data, &all, &err) != SPH_OK)
    return cli_fail_error(&err);
  SphStatus st = sph_dataset_split(&all, 0.25, SPH_DIGITS_SPLIT_SEED, &train, &test, &err);
  sph_dataset_clear(&all);
  if (st != SPH_OK)
    return cli_fail_error(&err);
  sph_learn_blas_single_thread();
  SphMlpConfig cfg = {.nsizes = 3, .sizes = {64, (size_t)hidden, 10},
                      .activation = activation, .dropout = dropout, .dtype = SPH_F32};
  SphMlp *mlp = sph_mlp_new(&cfg, (uint64_t)seed, &err);
  SphTrainConfig tc = {.epochs = (size_t)epochs, .batch_size = (size_t)batch, .seed = (uint64_t)seed};
  tc.optim = sph_optim_defaults(SPH_OPTIM_ADAM);
  tc.optim.learning_rate = lr;
  tc.optim.weight_decay = decay;
  tc.schedule = SPH_LR_COSINE;
  SphEpochStats last = {0};
  st = mlp != NULL ? sph_train_classifier(mlp, &train, &test, &tc, NULL, print_epoch, NULL, &last,
                                          &err)
                   : err.code;
  int rc = 0;
  if (st != SPH_OK)
    rc = cli_fail_error(&err);
  else if (save != NULL && sph_mlp_save(mlp, save, &err) != SPH_OK)
    rc = cli_fail_error(&err);
  if (rc == 0)
    printf("test_accuracy=%.4f\n", last.test_accuracy);
  sph_mlp_free(mlp);
  sph_dataset_clear(&train);
  sph_dataset_clear(&test);
  return rc;
}

const CliCommand cli_learn_commands[] = {
    {"train", "train a network (digits classifier)", train_usage, run_train},
};
const int cli_learn_command_count = (int)(sizeof cli_learn_commands / sizeof cli_learn_commands[0]);
