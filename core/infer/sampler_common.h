/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Pieces the samplers share, private to core/infer. */

#include <time.h>

#include "sphaera/chain.h"
#include "sphaera/job.h"
#include "sphaera/rng.h"
#include "sphaera/target.h"

static inline double sph_infer_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline void sph_infer_free_chain_snapshot(void *data)
{
  sph_chain_free(data);
}

/* Publishes a copy of the chain so far; a failed copy only skips this snapshot. */
static inline void sph_infer_publish_chain(SphJob *job, const SphChain *chain)
{
  if (job == NULL)
    return;
  SphChain *copy;
  if (sph_chain_copy(chain, chain->steps, &copy, NULL) != SPH_OK)
    return;
  SphSnapshot *snap = sph_snapshot_new(copy, sph_infer_free_chain_snapshot);
  if (snap == NULL) {
    sph_chain_free(copy);
    return;
  }
  sph_job_publish(job, snap);
}

/* Draws a starting point: the target's start plus scale x N(0, 1), redrawn until it
 * lies inside the box with a finite density. */
SphStatus sph_infer_draw_start(const SphTarget *target, double scale, SphRng *rng,
                               double *theta, double *log_density, SphError *err);
