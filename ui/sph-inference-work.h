/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The Inference page's work on worker threads (GTask thread functions): running a
 * sampler, turning a chain snapshot into the plots' statistics and diagnostics, and the
 * evidence. Each takes its request as the task data and fills it in; the page reads the
 * results on the main loop. Targets are made here too, "cl-fit" from the shipped WMAP
 * map, since the infer module sits below the file readers. */

#include <gtk/gtk.h>

#include "sphaera/chain.h"
#include "sphaera/corner.h"
#include "sphaera/evidence.h"
#include "sphaera/job.h"

G_BEGIN_DECLS

enum { SAMPLER_STRETCH, SAMPLER_DE, SAMPLER_HMC, SAMPLER_NUTS };

#define SPH_INFERENCE_SNAPSHOT_INTERVAL_S 0.2
#define SPH_INFERENCE_MAX_LAGS 250

typedef struct {
  SphSnapshot *snapshot;
  size_t burn;
  guint serial;
  SphCorner *corner;
  double *acf, *tau, *ess, *rhat;
  size_t dim, shown, nlags, steps, walkers, used_burn, n_short;
  double acceptance;
  gboolean have_tau, have_rhat;
  char **names;
  char message[512];
} SummaryRequest;

typedef struct {
  char *spec;
  int sampler;
  size_t walkers, steps;
  uint64_t seed;
  SphJob *job;
  SphChain *chain;
  SphStatus status;
  gint64 started_us;
  char message[512];
} SampleRequest;

typedef struct {
  SphSnapshot *snapshot;
  char *spec;
  size_t burn;
  SphEvidence evidence;
  SphStatus status;
  char message[512];
} EvidenceRequest;

void sph_inference_summary_request_free(gpointer data);
void sph_inference_summary_thread(GTask *task, gpointer source, gpointer data,
                                  GCancellable *cancel);
void sph_inference_sample_request_free(gpointer data);
void sph_inference_sample_thread(GTask *task, gpointer source, gpointer data,
                                 GCancellable *cancel);
void sph_inference_evidence_request_free(gpointer data);
void sph_inference_evidence_thread(GTask *task, gpointer source, gpointer data,
                                   GCancellable *cancel);

G_END_DECLS
