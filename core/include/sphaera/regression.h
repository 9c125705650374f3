/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sphaera/bayes.h"
#include "sphaera/deep_ensemble.h"
#include "sphaera/job.h"

/* Regression with uncertainty on a fixed noisy 1-D data set with a gap: MC dropout
 * (Gal & Ghahramani 2016), Bayes by backprop (Blundell et al. 2015) and a deep ensemble
 * (Lakshminarayanan et al. 2017), each predicting a Gaussian mean and variance per x.
 *
 * The data set (sph_regression_dataset): y = x sin x + e, e ~ N(0, 0.3^2), with x
 * uniform on [-5, 5] outside the gap (-0.5, 2): 800 points from stream 0 of seed
 * SPH_REGRESSION_DATA_SEED (x by rejection, then e), split by a shuffle from stream 1
 * into 400 training and 400 held-out points. All three networks see x / 5.
 *
 * The predictive distribution at x is the mixture of the Gaussians of S Monte Carlo
 * passes (dropout masks, or weight draws) or of the M members, summarised by its mean
 * mu and variance sigma^2 (sph_mixture_moments); its 95% interval is mu +- 1.96 sigma,
 * the bands the view draws are mu +- 2 sigma. For MC dropout and BBB the mean of the
 * passes' variances enters scaled (sph_regressor_aleatoric_scale).
 *
 * All three widen beyond the data and in the gap. MC dropout and BBB use GELU: with
 * ReLU the spread of MC-dropout passes and of mean-field weight draws grows with |x|
 * from a minimum near the origin and stays smallest between two data clusters (Foong,
 * Li, Hernandez-Lobato & Turner 2019, "'In-between' uncertainty in Bayesian neural
 * networks"). */

#define SPH_REGRESSION_DATA_SEED 20260612u
#define SPH_REGRESSION_NOISE 0.25
#define SPH_REGRESSION_X_MIN (-5.0)
#define SPH_REGRESSION_X_MAX 5.0
#define SPH_REGRESSION_GAP_MIN (-1.0)
#define SPH_REGRESSION_GAP_MAX 2.5
#define SPH_REGRESSION_POINTS 800
#define SPH_REGRESSION_HELD_OUT 400
#define SPH_REGRESSION_X_SCALE 2.0

typedef enum {
  SPH_REG_MCDROPOUT = 0,
  SPH_REG_BBB,
  SPH_REG_ENSEMBLE,
  SPH_REG_MODEL_COUNT
} SphRegModel;

/* "mcdropout", "bbb", "ensemble". */
const char *sph_reg_model_name(SphRegModel model);
/* SPH_REG_MODEL_COUNT for an unknown name. */
SphRegModel sph_reg_model_from_name(const char *name);

typedef struct {
  size_t n;
  double *x, *y;
} SphRegressionData;

/* The noise-free curve x sin x. */
double sph_regression_truth(double x);
SphStatus sph_regression_dataset(SphRegressionData *train, SphRegressionData *test, SphError *err);
void sph_regression_data_clear(SphRegressionData *data);

typedef struct {
  SphRegModel model;
  size_t hidden;        /* width of each hidden layer */
  size_t depth;         /* hidden layers (1..4) */
  SphActivation activation;
  double dropout;       /* MC dropout probability */
  double weight_decay;  /* MC dropout and ensemble members */
  size_t members;       /* ensemble */
  SphScaleMixturePrior prior; /* BBB */
  double rho_init;      /* BBB */
  double kl_weight;     /* BBB: the KL term enters the loss as kl_weight KL / n */
  size_t epochs, batch_size;
  double learning_rate; /* Adam, annealed by a cosine over the epochs */
  size_t samples;       /* Monte Carlo passes per prediction (dropout, BBB) */
  uint64_t seed;        /* weights: stream 0; minibatch order: 1 (+ member); noise: 2 */
  size_t grid_points;   /* the snapshot's band, on grid_min..grid_max */
  double grid_min, grid_max;
  size_t snapshots;     /* band snapshots over the run (job given), spread evenly; all
                         * but the last from a quarter of the samples */
} SphRegressionConfig;

/* The settings sphaera-cli train and the Learn page use for each model. */
SphRegressionConfig sph_regression_defaults(SphRegModel model);

typedef struct SphRegressor SphRegressor;

SphRegressor *sph_regressor_new(const SphRegressionConfig *config, SphError *err);
void sph_regressor_free(SphRegressor *reg);
const SphRegressionConfig *sph_regressor_config(const SphRegressor *reg);
/* The factor on the mean of the passes' variances in the predictive variance of the
 * Monte Carlo regressors (1 for the ensemble): fitted at the end of training by
 * maximum likelihood on the training points, because the variance head, trained on
 * outputs with dropout on or weights drawn, has absorbed the spread of the passes that
 * the predictive adds again. */
double sph_regressor_aleatoric_scale(const SphRegressor *reg);
void sph_regressor_set_aleatoric_scale(SphRegressor *reg, double scale);
/* The trainable parameters in a fixed order (the model file's): the MLP's, the
 * ensemble members' one after another, or each Bayesian layer's four. */
size_t sph_regressor_param_count(const SphRegressor *reg);
SphVar *sph_regressor_param(const SphRegressor *reg, size_t i);

/* Regression model files (.sphm), magic "SPHREG\r\n", little-endian:
 *   u32 version 1, u32 model, u32 hidden, u32 depth, u32 activation, u32 members,
 *   u32 samples, f64 dropout, f64 prior pi, sigma1, sigma2, f64 aleatoric scale,
 *   u64 seed, then per parameter (sph_regressor_param order, float64) u64 element
 *   count and the elements, then the u64 FNV-1a hash of every byte before it.
 * Written to a temporary file and renamed over path. */
SphStatus sph_regressor_save(const SphRegressor *reg, const char *path, SphError *err);
/* NULL with SPH_ERR_IO or SPH_ERR_FORMAT (another kind of file, another version,
 * truncated, checksum or sizes wrong), the message naming path. */
SphRegressor *sph_regressor_load(const char *path, SphError *err);
/* Whether path starts with the SPHREG signature (false when it cannot be read), so
 * that a caller holding some model file can tell which loader it wants. */
bool sph_regressor_file_signature(const char *path);

/* Predictive mean and standard deviation at x[0..n) (config->samples passes drawn
 * from seed, which fixes the dropout masks and weight draws). */
SphStatus sph_regressor_predict(const SphRegressor *reg, const double *x, size_t n, uint64_t seed,
                                double *mean, double *sd, SphError *err);
/* Root-mean-square error of the predictive mean and the fraction of points inside the
 * 95% interval, over the points of data inside the training data range [x_lo, x_hi]. */
SphStatus sph_regression_score(const SphRegressor *reg, const SphRegressionData *data, double x_lo,
                               double x_hi, uint64_t seed, double *rmse, double *coverage95,
                               SphError *err);

typedef struct {
  size_t epoch; /* 1-based */
  double loss;  /* mean minibatch loss (NLL, plus KL / n for BBB) */
  double seconds;
} SphRegressionEpoch;

/* A training job's snapshot: the band on the grid as it stands, and the scores. */
typedef struct {
  SphRegModel model;
  size_t epoch, epochs_planned;
  double loss, test_rmse, coverage95;
  size_t ngrid;
  double *x, *mean, *sd; /* ngrid each, inside this allocation */
} SphRegressionSnapshot;

typedef void (*SphRegressionEpochFn)(const SphRegressionEpoch *epoch, void *user);

/* Trains reg on train; with a job: progress, Cancel between steps (SPH_ERR_CANCELLED),
 * and config->snapshots snapshots (the last after the last epoch) scored on test (may
 * be NULL). A non-finite loss stops with SPH_ERR_INVALID. */
SphStatus sph_regression_train(SphRegressor *reg, const SphRegressionData *train,
                               const SphRegressionData *test, SphJob *job,
                               SphRegressionEpochFn on_epoch, void *user, SphError *err);
