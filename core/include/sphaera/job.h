/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A long computation takes a SphJob through which it reports progress, notices
 * cancellation and publishes snapshots of its partial results. A view on another
 * thread polls the progress and draws the latest snapshot while the job writes the
 * next one. Every function accepts a NULL job and then does nothing (or reports
 * "not cancelled"), so core code can run with or without one.
 *
 * Snapshots are immutable once published and reference counted: a reader that
 * acquired one keeps a consistent view of it however many newer ones the job
 * publishes meanwhile; the last release frees it. */

typedef struct SphJob SphJob;
typedef struct SphSnapshot SphSnapshot;

SphJob *sph_job_new(void);
SphJob *sph_job_ref(SphJob *job);
void sph_job_unref(SphJob *job);

/* fraction in [0, 1] (clamped); text may be NULL to keep the previous text. */
void sph_job_set_progress(SphJob *job, double fraction, const char *text);
/* Returns the fraction; copies the text (truncated, NUL-terminated) when text != NULL. */
double sph_job_get_progress(SphJob *job, char *text, size_t text_size);

/* Asks the job to stop; it sees it at its next sph_job_is_cancelled() check. */
void sph_job_cancel(SphJob *job);
bool sph_job_is_cancelled(const SphJob *job);

/* A snapshot owns data and frees it with free_data (may be NULL) on the last release. */
SphSnapshot *sph_snapshot_new(void *data, void (*free_data)(void *data));
const void *sph_snapshot_data(const SphSnapshot *snapshot);
SphSnapshot *sph_snapshot_ref(SphSnapshot *snapshot);
void sph_snapshot_release(SphSnapshot *snapshot);

/* Publishes snapshot (taking the caller's reference) as the job's newest; the
 * generation counter grows by one. */
void sph_job_publish(SphJob *job, SphSnapshot *snapshot);
/* The newest snapshot with a new reference (release it), or NULL when none was
 * published. generation (may be NULL) receives its generation: a view redraws
 * only when it changed. */
SphSnapshot *sph_job_acquire_snapshot(SphJob *job, uint64_t *generation);
uint64_t sph_job_generation(SphJob *job);
