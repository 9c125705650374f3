/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The classifier training loop as a job. */
#include "sphaera/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Copies rows[0..n) of data into the batch tensor's first n rows (and labels). */
static void gather(const SphDataset *data, const size_t *rows, size_t n, SphTensor *x,
                   int32_t *labels)
{
  for (size_t i = 0; i < n; i++) {
    const float *src = data->x + rows[i] * data->nfeatures;
    for (size_t j = 0; j < data->nfeatures; j++)
      sph_tensor_set(x, i * data->nfeatures + j, src[j]);
    labels[i] = data->y[rows[i]];
  }
}

static SphStatus check_shapes(const SphNet *net, const SphDataset *data, const char *what,
                              SphError *err)
{
  if (data->nfeatures != net->ninputs || data->nclasses != net->noutputs)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "%s data has %zu features and %zu classes; the network takes %zu inputs "
                         "and gives %zu outputs",
                         what, data->nfeatures, data->nclasses, net->ninputs, net->noutputs);
  if (data->n == 0)
    return sph_error_set(err, SPH_ERR_INVALID, "%s data is empty", what);
  return SPH_OK;
}

static SphVar *mlp_forward(SphTape *tape, const void *net, SphVar *x, bool training, SphRng *rng)
{
  return sph_mlp_forward(tape, net, x, training, rng);
}

SphNet sph_mlp_net(const SphMlp *mlp)
{
  const SphMlpConfig *c = sph_mlp_config(mlp);
  return (SphNet){.net = mlp, .forward = mlp_forward, .params = sph_mlp_params(mlp),
                  .nparams = sph_mlp_param_count(mlp), .ninputs = c->sizes[0],
                  .noutputs = c->sizes[c->nsizes - 1], .dtype = c->dtype};
}

SphStatus sph_classifier_accuracy(const SphMlp *mlp, const SphDataset *data, double *accuracy,
                                  size_t *confusion, SphError *err)
{
  SphNet net = sph_mlp_net(mlp);
  return sph_net_accuracy(&net, data, accuracy, confusion, err);
}

/* With the caller's tape (reset here), whose pooled buffers then serve every epoch's
 * evaluation: fresh buffers cost page faults comparable to the evaluation itself. */
static SphStatus net_accuracy_on(const SphNet *net, const SphDataset *data, SphTape *tape,
                                 double *accuracy, double *loss, size_t *confusion, SphError *err);

SphStatus sph_net_accuracy(const SphNet *net, const SphDataset *data, double *accuracy,
                           size_t *confusion, SphError *err)
{
  SphTape *tape = sph_tape_new();
  SphStatus st = tape ? net_accuracy_on(net, data, tape, accuracy, NULL, confusion, err)
                      : sph_error_set(err, SPH_ERR_NOMEM, "accuracy: out of memory");
  sph_tape_free(tape);
  return st;
}

SphStatus sph_net_evaluate(const SphNet *net, const SphDataset *data, double *accuracy,
                           double *loss, SphError *err)
{
  SphTape *tape = sph_tape_new();
  SphStatus st = tape ? net_accuracy_on(net, data, tape, accuracy, loss, NULL, err)
                      : sph_error_set(err, SPH_ERR_NOMEM, "evaluation: out of memory");
  sph_tape_free(tape);
  return st;
}

/* loss (may be NULL) receives the mean cross-entropy over all rows: each chunk's mean
 * weighted by its rows, so the last, shorter chunk counts for what it holds. */
static SphStatus net_accuracy_on(const SphNet *net, const SphDataset *data, SphTape *tape,
                                 double *accuracy, double *loss, size_t *confusion, SphError *err)
{
  if (check_shapes(net, data, "evaluation", err) != SPH_OK)
    return err ? err->code : SPH_ERR_INVALID;
  const size_t chunk = 256, k = data->nclasses;
  size_t *rows = malloc(chunk * sizeof *rows);
  int32_t *labels = malloc(chunk * sizeof *labels);
  SphStatus st = SPH_OK;
  if (tape == NULL || rows == NULL || labels == NULL)
    st = sph_error_set(err, SPH_ERR_NOMEM, "accuracy: out of memory");
  if (confusion != NULL)
    memset(confusion, 0, k * k * sizeof *confusion);
  size_t correct = 0;
  double loss_sum = 0.0;
  for (size_t start = 0; start < data->n && st == SPH_OK; start += chunk) {
    size_t n = data->n - start < chunk ? data->n - start : chunk;
    SphTensor *x = sph_tensor_new2(net->dtype, n, data->nfeatures, err);
    if (x == NULL) {
      st = err ? err->code : SPH_ERR_NOMEM;
      break;
    }
    for (size_t i = 0; i < n; i++)
      rows[i] = start + i;
    gather(data, rows, n, x, labels);
    sph_tape_reset(tape);
    SphVar *out = net->forward(tape, net->net, sph_tape_input(tape, x, false), false, NULL);
    SphVar *ce = loss != NULL ? sph_cross_entropy_logits(tape, out, labels, n) : NULL;
    sph_tensor_free(x);
    if ((st = sph_tape_status(tape, err)) != SPH_OK)
      break;
    if (ce != NULL)
      loss_sum += sph_var_scalar(ce) * (double)n;
    const SphTensor *o = sph_var_value(out);
    for (size_t i = 0; i < n; i++) {
      size_t best = 0;
      for (size_t j = 1; j < k; j++)
        if (sph_tensor_get(o, i * k + j) > sph_tensor_get(o, i * k + best))
          best = j;
      correct += best == (size_t)labels[i];
      if (confusion != NULL)
        confusion[(size_t)labels[i] * k + best]++;
    }
  }
  free(rows);
  free(labels);
  if (st == SPH_OK) {
    *accuracy = (double)correct / (double)data->n;
    if (loss != NULL)
      *loss = loss_sum / (double)data->n;
  }
  return st;
}

static void publish_curve(SphJob *job, const SphEpochStats *epochs, size_t n, size_t planned)
{
  if (job == NULL)
    return;
  SphTrainCurve *curve = malloc(sizeof *curve + n * sizeof curve->epochs[0]);
  if (curve == NULL)
    return; /* a missed snapshot only delays the view */
  curve->nepochs = n;
  curve->epochs_planned = planned;
  memcpy(curve->epochs, epochs, n * sizeof *epochs);
  SphSnapshot *snap = sph_snapshot_new(curve, free);
  if (snap != NULL)
    sph_job_publish(job, snap);
  else
    free(curve);
}

SphStatus sph_train_classifier(SphMlp *mlp, const SphDataset *train, const SphDataset *test,
                               const SphTrainConfig *config, SphJob *job, SphEpochFn on_epoch,
                               void *user, SphEpochStats *last, SphError *err)
{
  SphNet net = sph_mlp_net(mlp);
  return sph_train_net(&net, train, test, config, job, on_epoch, user, last, err);
}

SphStatus sph_train_net(const SphNet *net, const SphDataset *train, const SphDataset *test,
                        const SphTrainConfig *config, SphJob *job, SphEpochFn on_epoch,
                        void *user, SphEpochStats *last, SphError *err)
{
  if (check_shapes(net, train, "training", err) != SPH_OK ||
      (test != NULL && check_shapes(net, test, "test", err) != SPH_OK))
    return err ? err->code : SPH_ERR_INVALID;
  if (config->epochs == 0 || config->batch_size == 0)
    return sph_error_set(err, SPH_ERR_INVALID, "training: %zu epochs of batch size %zu",
                         config->epochs, config->batch_size);
  if (config->step_schedule != NULL && sph_lr_schedule_check(config->step_schedule, err) != SPH_OK)
    return err ? err->code : SPH_ERR_INVALID;
  size_t bs = config->batch_size, n = train->n;
  if (bs > n)
    bs = n;
  SphOptimizer *opt = sph_optim_new(&config->optim, net->params, net->nparams, err);
  if (opt == NULL)
    return err ? err->code : SPH_ERR_INVALID;
  SphTape *tape = sph_tape_new(), *eval_tape = sph_tape_new();
  size_t *order = malloc(n * sizeof *order);
  int32_t *labels = malloc(bs * sizeof *labels);
  SphEpochStats *history = malloc(config->epochs * sizeof *history);
  SphTensor *xb = sph_tensor_new2(net->dtype, bs, train->nfeatures, err);
  SphStatus st = SPH_OK;
  if (tape == NULL || eval_tape == NULL || order == NULL || labels == NULL || history == NULL ||
      xb == NULL)
    st = sph_error_set(err, SPH_ERR_NOMEM, "training: out of memory");
  SphRng order_rng, dropout_rng;
  sph_rng_init(&order_rng, config->seed, 1);
  sph_rng_init(&dropout_rng, config->seed, 2);
  for (size_t i = 0; st == SPH_OK && i < n; i++)
    order[i] = i;
  size_t steps_per_epoch = n / bs; /* the incomplete last batch is dropped */
  double t0 = now_seconds();
  for (size_t epoch = 0; st == SPH_OK && epoch < config->epochs; epoch++) {
    for (size_t i = n - 1; i > 0; i--) {
      size_t j = (size_t)sph_rng_below(&order_rng, i + 1);
      size_t t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    if (config->schedule == SPH_LR_COSINE)
      sph_optim_set_learning_rate(
          opt, config->optim.learning_rate * 0.5 *
                   (1.0 + cos(M_PI * (double)epoch / (double)config->epochs)));
    double loss_sum = 0.0;
    for (size_t step = 0; step < steps_per_epoch; step++) {
      if (sph_job_is_cancelled(job)) {
        st = sph_error_set(err, SPH_ERR_CANCELLED, "training cancelled in epoch %zu", epoch + 1);
        break;
      }
      gather(train, order + step * bs, bs, xb, labels);
      sph_tape_reset(tape);
      sph_optim_zero_grad(opt);
      if (config->step_schedule != NULL)
        sph_optim_set_learning_rate(
            opt, sph_lr_schedule_at(config->step_schedule, epoch * steps_per_epoch + step));
      SphVar *logits = net->forward(tape, net->net, sph_tape_input(tape, xb, false), true,
                                    &dropout_rng);
      SphVar *loss = sph_cross_entropy_logits(tape, logits, labels, bs);
      if ((st = sph_tape_status(tape, err)) != SPH_OK)
        break;
      double l = sph_var_scalar(loss);
      if (!isfinite(l)) {
        st = sph_error_set(err, SPH_ERR_INVALID,
                           "training: the loss became %g in epoch %zu, step %zu; lower the "
                           "learning rate",
                           l, epoch + 1, step + 1);
        break;
      }
      loss_sum += l;
      if ((st = sph_backward(tape, loss, err)) != SPH_OK ||
          (st = sph_optim_step(opt, err)) != SPH_OK) {
        sph_error_prefix(err, "training, epoch %zu, step %zu", epoch + 1, step + 1);
        break;
      }
      sph_job_set_progress(job,
                           ((double)epoch + (double)(step + 1) / (double)steps_per_epoch) /
                               (double)config->epochs,
                           NULL);
    }
    if (st != SPH_OK)
      break;
    SphEpochStats *s = &history[epoch];
    *s = (SphEpochStats){.epoch = epoch + 1, .train_loss = loss_sum / (double)steps_per_epoch,
                         .test_accuracy = NAN, .test_loss = NAN};
    st = net_accuracy_on(net, train, eval_tape, &s->train_accuracy, NULL, NULL, err);
    if (st == SPH_OK && test != NULL)
      st = net_accuracy_on(net, test, eval_tape, &s->test_accuracy, &s->test_loss, NULL, err);
    if (st != SPH_OK)
      break;
    s->seconds = now_seconds() - t0;
    publish_curve(job, history, epoch + 1, config->epochs);
    if (last != NULL)
      *last = *s;
    if (on_epoch != NULL)
      on_epoch(s, user);
  }
  sph_tensor_free(xb);
  free(history);
  free(labels);
  free(order);
  sph_tape_free(tape);
  sph_tape_free(eval_tape);
  sph_optim_free(opt);
  return st;
}

SphStatus sph_net_predict(const SphNet *net, const float *x, size_t n, double *probs,
                          SphError *err)
{
  const size_t chunk = 256, k = net->noutputs, d = net->ninputs;
  SphTape *tape = sph_tape_new();
  if (tape == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "prediction: out of memory");
  SphStatus st = SPH_OK;
  for (size_t start = 0; start < n && st == SPH_OK; start += chunk) {
    size_t m = n - start < chunk ? n - start : chunk;
    SphTensor *xt = sph_tensor_new2(net->dtype, m, d, err);
    if (xt == NULL) {
      st = err ? err->code : SPH_ERR_NOMEM;
      break;
    }
    for (size_t i = 0; i < m * d; i++)
      sph_tensor_set(xt, i, x[start * d + i]);
    sph_tape_reset(tape);
    SphVar *p = sph_softmax(tape, net->forward(tape, net->net, sph_tape_input(tape, xt, false),
                                               false, NULL));
    sph_tensor_free(xt);
    if ((st = sph_tape_status(tape, err)) != SPH_OK)
      break;
    const SphTensor *pv = sph_var_value(p);
    for (size_t i = 0; i < m * k; i++)
      probs[start * k + i] = sph_tensor_get(pv, i);
  }
  sph_tape_free(tape);
  return st;
}
