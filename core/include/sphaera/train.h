/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "sphaera/dataset.h"
#include "sphaera/job.h"
#include "sphaera/layers.h"
#include "sphaera/optim.h"

/* Training a classifier as a job: minibatch steps with progress, Cancel between steps,
 * and after every epoch a snapshot (SphTrainCurve) of the loss and accuracy curves.
 * Training leaves OpenBLAS's threading alone: a caller running it on a worker thread
 * calls sph_learn_blas_single_thread() first (tensor.h), as sphaera-cli train does. */

/* Learning rate over the epochs: constant, or cosine annealing from the optimiser's
 * rate to zero, lr_e = lr (1 + cos(pi e / epochs)) / 2 during epoch e = 0..epochs-1,
 * which settles the weights at the end instead of leaving them wandering. */
typedef enum { SPH_LR_CONSTANT = 0, SPH_LR_COSINE } SphLrSchedule;

typedef struct {
  size_t epochs, batch_size;
  SphOptimConfig optim;
  SphLrSchedule schedule;
  uint64_t seed; /* minibatch order: stream 1; dropout: stream 2 */
  /* When set, the learning rate of every step follows this schedule (step counted
   * over all epochs) instead of `schedule`. */
  const SphLrScheduleConfig *step_schedule;
} SphTrainConfig;

typedef struct {
  size_t epoch; /* 1-based */
  double train_loss;    /* mean minibatch loss over the epoch */
  double train_accuracy, test_accuracy;
  /* Mean cross-entropy of the network as it stands at the epoch's end (dropout off)
   * over the test rows: the validation loss; NaN without a test set. */
  double test_loss;
  double seconds;       /* wall time since training began */
} SphEpochStats;

/* The snapshot a training job publishes: every epoch so far. */
typedef struct {
  size_t nepochs, epochs_planned;
  SphEpochStats epochs[];
} SphTrainCurve;

/* Called after each epoch (on the training thread), e.g. to print a line. */
typedef void (*SphEpochFn)(const SphEpochStats *stats, void *user);

/* Trains mlp (outputs = nclasses) on train with cross-entropy, evaluating on test
 * (may be NULL) after every epoch. A non-finite loss stops with SPH_ERR_INVALID, a
 * cancelled job with SPH_ERR_CANCELLED; the network keeps the weights reached. last
 * (may be NULL) receives the last epoch's numbers. */
SphStatus sph_train_classifier(SphMlp *mlp, const SphDataset *train, const SphDataset *test,
                               const SphTrainConfig *config, SphJob *job, SphEpochFn on_epoch,
                               void *user, SphEpochStats *last, SphError *err);

/* The fraction of rows whose largest output is the label (dropout off). confusion
 * (may be NULL) receives nclasses x nclasses counts, row = true label. */
SphStatus sph_classifier_accuracy(const SphMlp *mlp, const SphDataset *data, double *accuracy,
                                  size_t *confusion, SphError *err);

/* Any classifier network, seen through its forward pass and its parameters, so that
 * the MLP, the CNN and other networks train and evaluate through one loop. */
typedef SphVar *(*SphNetForwardFn)(SphTape *tape, const void *net, SphVar *x, bool training,
                                   SphRng *rng);

typedef struct {
  const void *net;
  SphNetForwardFn forward;
  SphVar *const *params;
  size_t nparams;
  size_t ninputs, noutputs; /* features per row; classes */
  SphDType dtype;
} SphNet;

SphNet sph_mlp_net(const SphMlp *mlp);

/* As sph_train_classifier() and sph_classifier_accuracy(), for any network. */
SphStatus sph_train_net(const SphNet *net, const SphDataset *train, const SphDataset *test,
                        const SphTrainConfig *config, SphJob *job, SphEpochFn on_epoch,
                        void *user, SphEpochStats *last, SphError *err);
SphStatus sph_net_accuracy(const SphNet *net, const SphDataset *data, double *accuracy,
                           size_t *confusion, SphError *err);
/* The accuracy and the mean cross-entropy (dropout off) over every row of data. */
SphStatus sph_net_evaluate(const SphNet *net, const SphDataset *data, double *accuracy,
                           double *loss, SphError *err);
/* probs (n x nclasses, row-major) receives softmax of the network's outputs for every
 * row of x (n x ninputs float32, row-major), dropout off. */
SphStatus sph_net_predict(const SphNet *net, const float *x, size_t n, double *probs,
                          SphError *err);
