/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The 1-D regression task: its data set, the three uncertainty-aware regressors, their
 * predictive distributions and the training job that publishes live bands. */
#include "sphaera/regression.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sphaera/optim.h"

static const char *const model_names[SPH_REG_MODEL_COUNT] = {"mcdropout", "bbb", "ensemble"};

const char *sph_reg_model_name(SphRegModel model)
{
  return (unsigned)model < SPH_REG_MODEL_COUNT ? model_names[model] : "unknown";
}

SphRegModel sph_reg_model_from_name(const char *name)
{
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++)
    if (name != NULL && strcmp(name, model_names[m]) == 0)
      return (SphRegModel)m;
  return SPH_REG_MODEL_COUNT;
}

double sph_regression_truth(double x)
{
  return x * sin(x);
}

void sph_regression_data_clear(SphRegressionData *data)
{
  if (data == NULL)
    return;
  free(data->x);
  free(data->y);
  memset(data, 0, sizeof *data);
}

static bool data_alloc(SphRegressionData *d, size_t n)
{
  d->n = n;
  d->x = malloc(n * sizeof *d->x);
  d->y = malloc(n * sizeof *d->y);
  return d->x != NULL && d->y != NULL;
}

SphStatus sph_regression_dataset(SphRegressionData *train, SphRegressionData *test, SphError *err)
{
  memset(train, 0, sizeof *train);
  memset(test, 0, sizeof *test);
  const size_t n = SPH_REGRESSION_POINTS, nt = SPH_REGRESSION_HELD_OUT;
  double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
  size_t *order = malloc(n * sizeof *order);
  if (x == NULL || y == NULL || order == NULL || !data_alloc(train, n - nt) || !data_alloc(test, nt)) {
    free(x);
    free(y);
    free(order);
    sph_regression_data_clear(train);
    sph_regression_data_clear(test);
    return sph_error_set(err, SPH_ERR_NOMEM, "regression data: out of memory");
  }
  SphRng rng, split;
  sph_rng_init(&rng, SPH_REGRESSION_DATA_SEED, 0);
  sph_rng_init(&split, SPH_REGRESSION_DATA_SEED, 1);
  const double span = SPH_REGRESSION_X_MAX - SPH_REGRESSION_X_MIN;
  for (size_t i = 0; i < n; i++) {
    double xi;
    do
      xi = SPH_REGRESSION_X_MIN + span * sph_rng_uniform(&rng);
    while (xi > SPH_REGRESSION_GAP_MIN && xi < SPH_REGRESSION_GAP_MAX);
    x[i] = xi;
  }
  for (size_t i = 0; i < n; i++)
    y[i] = sph_regression_truth(x[i]) + SPH_REGRESSION_NOISE * sph_rng_normal(&rng);
  for (size_t i = 0; i < n; i++)
    order[i] = i;
  for (size_t i = n - 1; i > 0; i--) {
    size_t j = (size_t)sph_rng_below(&split, i + 1), t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (size_t i = 0; i < n; i++) {
    SphRegressionData *d = i < nt ? test : train;
    size_t k = i < nt ? i : i - nt;
    d->x[k] = x[order[i]];
    d->y[k] = y[order[i]];
  }
  free(x);
  free(y);
  free(order);
  return SPH_OK;
}

SphRegressionConfig sph_regression_defaults(SphRegModel model)
{
  SphRegressionConfig c = {
      .model = model,
      .hidden = 50,
      .depth = 2,
      .activation = SPH_ACT_RELU,
      .dropout = 0.05,
      .weight_decay = 1e-4,
      .members = 5,
      .prior = sph_scale_mixture_default(),
      .rho_init = -5.0,
      .kl_weight = 1.0,
      .epochs = 300,
      .batch_size = 32,
      .learning_rate = 3e-3,
      .samples = 64,
      .seed = 1,
      .grid_points = 241,
      .grid_min = -8.0,
      .grid_max = 8.0,
      .snapshots = 30,
  };
  /* The smooth GELU for the two Monte Carlo models: with ReLU the spread of their passes
   * grows with |x| from a minimum near the origin, so it stays smallest in a gap there
   * ("in-between" uncertainty, Foong et al. 2019); with GELU their bands widen in the gap. */
  if (model == SPH_REG_MCDROPOUT || model == SPH_REG_BBB)
    c.activation = SPH_ACT_GELU;
  if (model == SPH_REG_MCDROPOUT) {
    c.hidden = 100; /* dropout thins each layer; the wider one keeps seeds from stalling */
  } else if (model == SPH_REG_BBB) {
    /* Every weight pays its KL in the loss: a narrower network fits with less of it,
     * and the posterior scales need the larger steps to move from their start. */
    c.hidden = 32;
    c.learning_rate = 1e-2;
  } else if (model == SPH_REG_ENSEMBLE) {
    c.epochs = 200; /* per member */
  }
  return c;
}

/* ---- the regressors ---- */

#define MAX_DEPTH 4

struct SphRegressor {
  SphRegressionConfig config;
  SphMlp *mlp;                           /* MC dropout */
  SphBayesDense bayes[MAX_DEPTH + 1];    /* BBB */
  size_t nbayes;
  SphDeepEnsemble *ensemble;
  double aleatoric_scale; /* see calibrate() */
};

static SphStatus check_config(const SphRegressionConfig *c, SphError *err)
{
  if ((unsigned)c->model >= SPH_REG_MODEL_COUNT)
    return sph_error_set(err, SPH_ERR_INVALID, "regression: unknown model %d", (int)c->model);
  if (c->hidden == 0 || c->depth == 0 || c->depth > MAX_DEPTH)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "regression: %zu hidden layers of width %zu (want 1..%d, width >= 1)",
                         c->depth, c->hidden, MAX_DEPTH);
  if (c->epochs == 0 || c->batch_size == 0 || c->samples == 0 || c->grid_points < 2 ||
      !(c->grid_max > c->grid_min) || !(c->learning_rate > 0.0))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "regression: epochs, batch size, samples, learning rate must be positive "
                         "and the grid needs two points on a proper interval");
  if (c->model == SPH_REG_ENSEMBLE && c->members == 0)
    return sph_error_set(err, SPH_ERR_INVALID, "regression: an ensemble needs members");
  if (c->model == SPH_REG_MCDROPOUT && !(c->dropout > 0.0 && c->dropout < 1.0))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "regression: MC dropout needs a probability in (0, 1), not %g", c->dropout);
  return SPH_OK;
}

static SphMlpConfig mlp_config(const SphRegressionConfig *c, double dropout)
{
  SphMlpConfig m = {.nsizes = c->depth + 2, .activation = c->activation, .dropout = dropout,
                    .dtype = SPH_F64};
  m.sizes[0] = 1;
  for (size_t l = 1; l <= c->depth; l++)
    m.sizes[l] = c->hidden;
  m.sizes[c->depth + 1] = 2;
  return m;
}

SphRegressor *sph_regressor_new(const SphRegressionConfig *config, SphError *err)
{
  if (check_config(config, err) != SPH_OK)
    return NULL;
  SphRegressor *reg = calloc(1, sizeof *reg);
  if (reg == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "regression: out of memory");
    return NULL;
  }
  reg->config = *config;
  reg->aleatoric_scale = 1.0;
  SphStatus st = SPH_OK;
  if (config->model == SPH_REG_MCDROPOUT) {
    SphMlpConfig m = mlp_config(config, config->dropout);
    if ((reg->mlp = sph_mlp_new(&m, config->seed, err)) == NULL)
      st = err ? err->code : SPH_ERR_NOMEM;
  } else if (config->model == SPH_REG_ENSEMBLE) {
    SphMlpConfig m = mlp_config(config, 0.0);
    /* members seeded seed*1000 + k, so runs of neighbouring seeds share no member */
    reg->ensemble = sph_deep_ensemble_new(&m, config->members, config->seed * 1000u, err);
    if (reg->ensemble == NULL)
      st = err ? err->code : SPH_ERR_NOMEM;
  } else {
    SphRng rng;
    sph_rng_init(&rng, config->seed, 0);
    double gain = (config->activation == SPH_ACT_RELU || config->activation == SPH_ACT_GELU) ? 2.0 : 1.0;
    reg->nbayes = config->depth + 1;
    for (size_t l = 0; l < reg->nbayes && st == SPH_OK; l++) {
      size_t in = l == 0 ? 1 : config->hidden, out = l + 1 == reg->nbayes ? 2 : config->hidden;
      st = sph_bayes_dense_init(&reg->bayes[l], SPH_F64, in, out, l + 1 == reg->nbayes ? 1.0 : gain,
                                config->rho_init, &config->prior, &rng, err);
    }
  }
  if (st != SPH_OK) {
    sph_regressor_free(reg);
    return NULL;
  }
  return reg;
}

void sph_regressor_free(SphRegressor *reg)
{
  if (reg == NULL)
    return;
  sph_mlp_free(reg->mlp);
  for (size_t l = 0; l < reg->nbayes; l++)
    sph_bayes_dense_clear(&reg->bayes[l]);
  sph_deep_ensemble_free(reg->ensemble);
  free(reg);
}

const SphRegressionConfig *sph_regressor_config(const SphRegressor *reg)
{
  return &reg->config;
}

/* One stochastic pass of the BBB network; *kl gets the sum of the layers' KL terms
 * when kl != NULL. */
static SphVar *bayes_forward(SphTape *tape, const SphRegressor *reg, SphVar *x, SphRng *rng,
                             SphVar **kl)
{
  SphVar *h = x, *total = NULL;
  for (size_t l = 0; l < reg->nbayes; l++) {
    SphVar *layer_kl = NULL;
    h = sph_bayes_dense_forward(tape, &reg->bayes[l], h, rng, kl ? &layer_kl : NULL);
    if (kl != NULL)
      total = total == NULL ? layer_kl : sph_add(tape, total, layer_kl);
    if (l + 1 < reg->nbayes)
      h = sph_activate(tape, reg->config.activation, h);
  }
  if (kl != NULL)
    *kl = total;
  return h;
}

/* x / X_SCALE as an [n, 1] tensor. */
static SphTensor *scaled_inputs(const double *x, size_t n, SphError *err)
{
  SphTensor *t = sph_tensor_new2(SPH_F64, n, 1, err);
  if (t != NULL)
    for (size_t i = 0; i < n; i++)
      sph_tensor_set(t, i, x[i] / SPH_REGRESSION_X_SCALE);
  return t;
}

/* The predictive mean at x[0..n) with its two variances: aleatoric, the mean of the
 * passes' (or members') variances, and epistemic, the spread of their means. */
static SphStatus predict_parts(const SphRegressor *reg, const double *x, size_t n, uint64_t seed,
                               size_t samples, double *mean, double *aleatoric, double *epistemic,
                               SphError *err)
{
  SphTensor *xt = scaled_inputs(x, n, err);
  if (xt == NULL)
    return err ? err->code : SPH_ERR_NOMEM;
  SphStatus st = SPH_OK;
  bool ensemble = reg->ensemble != NULL;
  size_t S = ensemble ? sph_deep_ensemble_size(reg->ensemble) : samples;
  SphTape *tape = sph_tape_new();
  if (tape == NULL)
    st = sph_error_set(err, SPH_ERR_NOMEM, "regression: out of memory");
  for (size_t i = 0; i < n; i++)
    mean[i] = aleatoric[i] = epistemic[i] = 0.0;
  SphRng rng;
  sph_rng_init(&rng, seed, 3);
  /* Welford's running mean and spread of the means, and the running mean of the
   * variances, over the passes */
  for (size_t s = 0; s < S && st == SPH_OK; s++) {
    sph_tape_reset(tape);
    SphVar *in = sph_tape_input(tape, xt, false), *out;
    if (ensemble)
      out = sph_mlp_forward(tape, sph_deep_ensemble_member(reg->ensemble, s), in, false, NULL);
    else if (reg->mlp != NULL)
      out = sph_mlp_forward(tape, reg->mlp, in, true, &rng);
    else
      out = bayes_forward(tape, reg, in, &rng, NULL);
    if ((st = sph_tape_status(tape, err)) != SPH_OK)
      break;
    const SphTensor *o = sph_var_value(out);
    for (size_t i = 0; i < n; i++) {
      double mu = sph_tensor_get(o, 2 * i), d = mu - mean[i];
      mean[i] += d / (double)(s + 1);
      epistemic[i] += d * (mu - mean[i]);
      aleatoric[i] += (sph_head_variance(sph_tensor_get(o, 2 * i + 1)) - aleatoric[i]) / (double)(s + 1);
    }
  }
  for (size_t i = 0; st == SPH_OK && i < n; i++)
    epistemic[i] /= (double)S;
  sph_tape_free(tape);
  sph_tensor_free(xt);
  return st;
}

static SphStatus predict_sd(const SphRegressor *reg, const double *x, size_t n, uint64_t seed,
                           size_t samples, double *mean, double *sd, SphError *err)
{
  if (n == 0)
    return SPH_OK;
  double *ale = malloc(n * sizeof *ale), *epi = malloc(n * sizeof *epi);
  SphStatus st = ale != NULL && epi != NULL
                     ? predict_parts(reg, x, n, seed, samples, mean, ale, epi, err)
                     : sph_error_set(err, SPH_ERR_NOMEM, "regression: out of memory");
  for (size_t i = 0; st == SPH_OK && i < n; i++)
    sd[i] = sqrt(reg->aleatoric_scale * ale[i] + epi[i]);
  free(ale);
  free(epi);
  return st;
}

SphStatus sph_regressor_predict(const SphRegressor *reg, const double *x, size_t n, uint64_t seed,
                                double *mean, double *sd, SphError *err)
{
  return predict_sd(reg, x, n, seed, reg->config.samples, mean, sd, err);
}

double sph_regressor_aleatoric_scale(const SphRegressor *reg)
{
  return reg->aleatoric_scale;
}

void sph_regressor_set_aleatoric_scale(SphRegressor *reg, double scale)
{
  reg->aleatoric_scale = scale;
}

size_t sph_regressor_param_count(const SphRegressor *reg)
{
  if (reg->mlp != NULL)
    return sph_mlp_param_count(reg->mlp);
  if (reg->ensemble != NULL)
    return sph_deep_ensemble_size(reg->ensemble) *
           sph_mlp_param_count(sph_deep_ensemble_member(reg->ensemble, 0));
  return reg->nbayes * SPH_BAYES_DENSE_PARAMS;
}

SphVar *sph_regressor_param(const SphRegressor *reg, size_t i)
{
  if (i >= sph_regressor_param_count(reg))
    return NULL;
  if (reg->mlp != NULL)
    return sph_mlp_param(reg->mlp, i);
  if (reg->ensemble != NULL) {
    size_t per = sph_mlp_param_count(sph_deep_ensemble_member(reg->ensemble, 0));
    return sph_mlp_param(sph_deep_ensemble_member(reg->ensemble, i / per), i % per);
  }
  return sph_bayes_dense_param(&reg->bayes[i / SPH_BAYES_DENSE_PARAMS], i % SPH_BAYES_DENSE_PARAMS);
}

/* The training-data log-likelihood of the predictive N(mean, a ale + epi), up to a
 * constant, as a function of a. */
static double calib_loglik(double a, const double *r, const double *ale, const double *epi, size_t n)
{
  double l = 0.0;
  for (size_t i = 0; i < n; i++) {
    double v = a * ale[i] + epi[i];
    l -= 0.5 * (log(v) + r[i] * r[i] / v);
  }
  return l;
}

/* Sets the aleatoric scale of a Monte Carlo regressor by maximum likelihood on the
 * training data (golden-section search over log a in [log 0.05, log 2]): the variance
 * head was trained on outputs with dropout on (or weights drawn), so it learned the
 * noise plus the spread of the passes, which the predictive adds once more as the
 * epistemic part. The fitted scale removes that double count (recalibration as
 * Kuleshov, Fenner & Ermon 2018, on training points only: no held-out data leaks). */
static SphStatus calibrate(SphRegressor *reg, const SphRegressionData *train, size_t samples,
                           SphError *err)
{
  reg->aleatoric_scale = 1.0;
  if (reg->ensemble != NULL)
    return SPH_OK; /* the members were trained deterministically: nothing absorbed */
  size_t n = train->n;
  double *mu = malloc(n * sizeof *mu), *ale = malloc(n * sizeof *ale), *epi = malloc(n * sizeof *epi);
  SphStatus st = mu && ale && epi ? predict_parts(reg, train->x, n, reg->config.seed + 5, samples, mu, ale, epi, err)
                                  : sph_error_set(err, SPH_ERR_NOMEM, "regression: out of memory");
  if (st == SPH_OK) {
    for (size_t i = 0; i < n; i++)
      mu[i] = train->y[i] - mu[i]; /* residuals */
    const double g = 0.5 * (sqrt(5.0) - 1.0);
    double lo = log(0.05), hi = log(2.0);
    double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
    double f1 = calib_loglik(exp(x1), mu, ale, epi, n), f2 = calib_loglik(exp(x2), mu, ale, epi, n);
    for (int it = 0; it < 40; it++) {
      if (f1 > f2) {
        hi = x2;
        x2 = x1;
        f2 = f1;
        x1 = hi - g * (hi - lo);
        f1 = calib_loglik(exp(x1), mu, ale, epi, n);
      } else {
        lo = x1;
        x1 = x2;
        f1 = f2;
        x2 = lo + g * (hi - lo);
        f2 = calib_loglik(exp(x2), mu, ale, epi, n);
      }
    }
    reg->aleatoric_scale = exp(0.5 * (lo + hi));
  }
  free(mu);
  free(ale);
  free(epi);
  return st;
}

static SphStatus score(const SphRegressor *reg, const SphRegressionData *data, double x_lo,
                       double x_hi, uint64_t seed, size_t samples, double *rmse, double *coverage95,
                       SphError *err)
{
  double *x = malloc((data->n + 1) * sizeof *x), *y = malloc((data->n + 1) * sizeof *y);
  double *mu = malloc((data->n + 1) * sizeof *mu), *sd = malloc((data->n + 1) * sizeof *sd);
  SphStatus st = SPH_OK;
  size_t n = 0;
  if (x == NULL || y == NULL || mu == NULL || sd == NULL)
    st = sph_error_set(err, SPH_ERR_NOMEM, "regression: out of memory");
  for (size_t i = 0; st == SPH_OK && i < data->n; i++)
    if (data->x[i] >= x_lo && data->x[i] <= x_hi) {
      x[n] = data->x[i];
      y[n++] = data->y[i];
    }
  if (st == SPH_OK && n == 0)
    st = sph_error_set(err, SPH_ERR_INVALID,
                       "regression score: no held-out point lies in the data range [%g, %g]", x_lo,
                       x_hi);
  if (st == SPH_OK)
    st = predict_sd(reg, x, n, seed, samples, mu, sd, err);
  if (st == SPH_OK) {
    double se = 0.0;
    size_t inside = 0;
    for (size_t i = 0; i < n; i++) {
      double r = y[i] - mu[i];
      se += r * r;
      inside += fabs(r) <= 1.959963984540054 * sd[i];
    }
    *rmse = sqrt(se / (double)n);
    *coverage95 = (double)inside / (double)n;
  }
  free(x);
  free(y);
  free(mu);
  free(sd);
  return st;
}

SphStatus sph_regression_score(const SphRegressor *reg, const SphRegressionData *data, double x_lo,
                               double x_hi, uint64_t seed, double *rmse, double *coverage95,
                               SphError *err)
{
  return score(reg, data, x_lo, x_hi, seed, reg->config.samples, rmse, coverage95, err);
}

/* ---- training ---- */

static double now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void shuffle(size_t *order, size_t n, SphRng *rng)
{
  for (size_t i = n - 1; i > 0; i--) {
    size_t j = (size_t)sph_rng_below(rng, i + 1), t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

static void data_range(const SphRegressionData *d, double *lo, double *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (size_t i = 0; i < d->n; i++) {
    *lo = fmin(*lo, d->x[i]);
    *hi = fmax(*hi, d->x[i]);
  }
}

static SphStatus publish_band(SphRegressor *reg, const SphRegressionData *train,
                              const SphRegressionData *test, SphJob *job, size_t epoch, double loss,
                              SphError *err)
{
  const SphRegressionConfig *c = &reg->config;
  /* the bands while training are drawn from fewer passes: they cost as much as the
   * training between them otherwise; the last uses all */
  size_t samples = epoch == c->epochs ? c->samples : (c->samples + 3) / 4;
  size_t g = c->grid_points;
  SphRegressionSnapshot *s = malloc(sizeof *s + 3 * g * sizeof(double));
  if (s == NULL)
    return SPH_OK; /* a missed snapshot only delays the view */
  *s = (SphRegressionSnapshot){.model = c->model, .epoch = epoch, .epochs_planned = c->epochs,
                               .loss = loss, .test_rmse = NAN, .coverage95 = NAN, .ngrid = g};
  s->x = (double *)(s + 1);
  s->mean = s->x + g;
  s->sd = s->mean + g;
  for (size_t i = 0; i < g; i++)
    s->x[i] = c->grid_min + (c->grid_max - c->grid_min) * (double)i / (double)(g - 1);
  /* the same seed at every snapshot, so the band moves only as the model learns */
  SphStatus st = calibrate(reg, train, samples, err);
  if (st == SPH_OK)
    st = predict_sd(reg, s->x, g, c->seed + 7, samples, s->mean, s->sd, err);
  if (st == SPH_OK && test != NULL) {
    double lo, hi;
    data_range(train, &lo, &hi);
    st = score(reg, test, lo, hi, c->seed + 11, samples, &s->test_rmse, &s->coverage95, err);
  }
  if (st != SPH_OK) {
    free(s);
    return st;
  }
  SphSnapshot *snap = sph_snapshot_new(s, free);
  if (snap != NULL)
    sph_job_publish(job, snap);
  else
    free(s);
  return SPH_OK;
}

/* One network's optimiser and its own minibatch order. */
typedef struct {
  SphOptimizer *opt;
  SphRng order_rng;
  size_t *order;
} Learner;

static SphStatus learner_init(Learner *l, SphVar *const *params, size_t np,
                              const SphRegressionConfig *c, uint64_t stream, size_t n, SphError *err)
{
  SphOptimConfig oc = sph_optim_defaults(SPH_OPTIM_ADAM);
  oc.learning_rate = c->learning_rate;
  oc.weight_decay = c->model == SPH_REG_BBB ? 0.0 : c->weight_decay;
  l->opt = sph_optim_new(&oc, params, np, err);
  l->order = malloc(n * sizeof *l->order);
  if (l->opt == NULL || l->order == NULL)
    return err && err->code ? err->code : sph_error_set(err, SPH_ERR_NOMEM, "regression: out of memory");
  sph_rng_init(&l->order_rng, c->seed, stream);
  for (size_t i = 0; i < n; i++)
    l->order[i] = i;
  return SPH_OK;
}

static void learner_clear(Learner *l)
{
  sph_optim_free(l->opt);
  free(l->order);
}

/* The loss of one minibatch of network k (k: ensemble member, else 0). */
static SphVar *batch_loss(SphTape *tape, const SphRegressor *reg, size_t k, const SphTensor *xb,
                          const SphTensor *yb, SphRng *noise, double kl_weight)
{
  SphVar *x = sph_tape_input(tape, xb, false), *y = sph_tape_input(tape, yb, false);
  if (reg->mlp != NULL)
    return sph_mean_var_nll(tape, sph_mlp_forward(tape, reg->mlp, x, true, noise), y);
  if (reg->ensemble != NULL)
    return sph_mean_var_nll(
        tape, sph_mlp_forward(tape, sph_deep_ensemble_member(reg->ensemble, k), x, false, NULL), y);
  SphVar *kl = NULL;
  SphVar *nll = sph_mean_var_nll(tape, bayes_forward(tape, reg, x, noise, &kl), y);
  return sph_add(tape, nll, sph_scale(tape, kl, kl_weight));
}

SphStatus sph_regression_train(SphRegressor *reg, const SphRegressionData *train,
                               const SphRegressionData *test, SphJob *job,
                               SphRegressionEpochFn on_epoch, void *user, SphError *err)
{
  const SphRegressionConfig *c = &reg->config;
  size_t n = train->n;
  if (n == 0)
    return sph_error_set(err, SPH_ERR_INVALID, "regression: the training data is empty");
  size_t bs = c->batch_size < n ? c->batch_size : n, steps = n / bs;
  size_t nnets = reg->ensemble != NULL ? sph_deep_ensemble_size(reg->ensemble) : 1;
  Learner *learners = calloc(nnets, sizeof *learners);
  SphTape *tape = sph_tape_new();
  SphTensor *xb = sph_tensor_new2(SPH_F64, bs, 1, err), *yb = sph_tensor_new2(SPH_F64, bs, 1, err);
  SphStatus st = SPH_OK;
  if (learners == NULL || tape == NULL || xb == NULL || yb == NULL)
    st = sph_error_set(err, SPH_ERR_NOMEM, "regression: out of memory");
  for (size_t k = 0; k < nnets && st == SPH_OK; k++) {
    SphVar *params[4 * (MAX_DEPTH + 1) + 4];
    size_t np = 0;
    if (reg->mlp != NULL || reg->ensemble != NULL) {
      SphMlp *m = reg->mlp != NULL ? reg->mlp : sph_deep_ensemble_member(reg->ensemble, k);
      np = sph_mlp_param_count(m);
      for (size_t i = 0; i < np; i++)
        params[i] = sph_mlp_param(m, i);
    } else {
      for (size_t l = 0; l < reg->nbayes; l++)
        for (size_t i = 0; i < SPH_BAYES_DENSE_PARAMS; i++)
          params[np++] = sph_bayes_dense_param(&reg->bayes[l], i);
    }
    st = learner_init(&learners[k], params, np, c, 1 + k, n, err);
  }
  SphRng noise;
  sph_rng_init(&noise, c->seed, 2);
  size_t every = c->snapshots > 0 && c->snapshots < c->epochs ? c->epochs / c->snapshots : 1;
  double t0 = now_seconds(), kl_weight = c->kl_weight / (double)n;
  for (size_t epoch = 0; st == SPH_OK && epoch < c->epochs; epoch++) {
    double lr = c->learning_rate * 0.5 * (1.0 + cos(M_PI * (double)epoch / (double)c->epochs));
    double loss_sum = 0.0;
    for (size_t k = 0; k < nnets && st == SPH_OK; k++) {
      Learner *l = &learners[k];
      sph_optim_set_learning_rate(l->opt, lr);
      shuffle(l->order, n, &l->order_rng);
      for (size_t step = 0; step < steps; step++) {
        if (sph_job_is_cancelled(job)) {
          st = sph_error_set(err, SPH_ERR_CANCELLED, "regression training cancelled in epoch %zu",
                             epoch + 1);
          break;
        }
        for (size_t i = 0; i < bs; i++) {
          size_t r = l->order[step * bs + i];
          sph_tensor_set(xb, i, train->x[r] / SPH_REGRESSION_X_SCALE);
          sph_tensor_set(yb, i, train->y[r]);
        }
        sph_tape_reset(tape);
        sph_optim_zero_grad(l->opt);
        SphVar *loss = batch_loss(tape, reg, k, xb, yb, &noise, kl_weight);
        if ((st = sph_tape_status(tape, err)) != SPH_OK)
          break;
        double v = sph_var_scalar(loss);
        if (!isfinite(v)) {
          st = sph_error_set(err, SPH_ERR_INVALID,
                             "regression (%s): the loss became %g in epoch %zu, step %zu; lower "
                             "the learning rate",
                             sph_reg_model_name(c->model), v, epoch + 1, step + 1);
          break;
        }
        loss_sum += v;
        if ((st = sph_backward(tape, loss, err)) != SPH_OK ||
            (st = sph_optim_step(l->opt, err)) != SPH_OK) {
          sph_error_prefix(err, "regression, epoch %zu, step %zu", epoch + 1, step + 1);
          break;
        }
        sph_job_set_progress(job,
                             ((double)epoch + ((double)k + (double)(step + 1) / (double)steps) /
                                                  (double)nnets) /
                                 (double)c->epochs,
                             NULL);
      }
    }
    if (st != SPH_OK)
      break;
    SphRegressionEpoch e = {.epoch = epoch + 1,
                            .loss = loss_sum / (double)(steps * nnets),
                            .seconds = now_seconds() - t0};
    if (job != NULL && ((epoch + 1) % every == 0 || epoch + 1 == c->epochs))
      st = publish_band(reg, train, test, job, epoch + 1, e.loss, err);
    else if (epoch + 1 == c->epochs)
      st = calibrate(reg, train, c->samples, err);
    if (st == SPH_OK && on_epoch != NULL)
      on_epoch(&e, user);
  }
  for (size_t k = 0; learners != NULL && k < nnets; k++)
    learner_clear(&learners[k]);
  free(learners);
  sph_tensor_free(xb);
  sph_tensor_free(yb);
  sph_tape_free(tape);
  return st;
}
