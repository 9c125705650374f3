/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/job.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define JOB_TEXT_MAX 256

struct SphSnapshot {
  atomic_int refcount;
  void *data;
  void (*free_data)(void *data);
};

struct SphJob {
  atomic_int refcount;
  atomic_bool cancelled;
  /* One lock guards progress and the snapshot slot; it is held only to copy a few
   * bytes or swap a pointer, never while a snapshot is built or drawn. */
  pthread_mutex_t lock;
  double fraction;
  char text[JOB_TEXT_MAX];
  SphSnapshot *snapshot;
  uint64_t generation;
};

SphJob *sph_job_new(void)
{
  SphJob *job = calloc(1, sizeof *job);
  if (job == NULL)
    return NULL;
  atomic_init(&job->refcount, 1);
  atomic_init(&job->cancelled, false);
  pthread_mutex_init(&job->lock, NULL);
  return job;
}

SphJob *sph_job_ref(SphJob *job)
{
  if (job != NULL)
    atomic_fetch_add_explicit(&job->refcount, 1, memory_order_relaxed);
  return job;
}

void sph_job_unref(SphJob *job)
{
  if (job == NULL)
    return;
  if (atomic_fetch_sub_explicit(&job->refcount, 1, memory_order_acq_rel) != 1)
    return;
  sph_snapshot_release(job->snapshot);
  pthread_mutex_destroy(&job->lock);
  free(job);
}

void sph_job_set_progress(SphJob *job, double fraction, const char *text)
{
  if (job == NULL)
    return;
  if (!(fraction >= 0.0)) /* also catches NaN */
    fraction = 0.0;
  if (fraction > 1.0)
    fraction = 1.0;
  pthread_mutex_lock(&job->lock);
  job->fraction = fraction;
  if (text != NULL) {
    strncpy(job->text, text, JOB_TEXT_MAX - 1);
    job->text[JOB_TEXT_MAX - 1] = '\0';
  }
  pthread_mutex_unlock(&job->lock);
}

double sph_job_get_progress(SphJob *job, char *text, size_t text_size)
{
  if (job == NULL) {
    if (text != NULL && text_size > 0)
      text[0] = '\0';
    return 0.0;
  }
  pthread_mutex_lock(&job->lock);
  double fraction = job->fraction;
  if (text != NULL && text_size > 0) {
    strncpy(text, job->text, text_size - 1);
    text[text_size - 1] = '\0';
  }
  pthread_mutex_unlock(&job->lock);
  return fraction;
}

void sph_job_cancel(SphJob *job)
{
  if (job != NULL)
    atomic_store_explicit(&job->cancelled, true, memory_order_release);
}

bool sph_job_is_cancelled(const SphJob *job)
{
  if (job == NULL)
    return false;
  return atomic_load_explicit(&((SphJob *)job)->cancelled, memory_order_acquire);
}

SphSnapshot *sph_snapshot_new(void *data, void (*free_data)(void *data))
{
  SphSnapshot *snapshot = malloc(sizeof *snapshot);
  if (snapshot == NULL) {
    if (free_data != NULL)
      free_data(data);
    return NULL;
  }
  atomic_init(&snapshot->refcount, 1);
  snapshot->data = data;
  snapshot->free_data = free_data;
  return snapshot;
}

const void *sph_snapshot_data(const SphSnapshot *snapshot)
{
  return snapshot != NULL ? snapshot->data : NULL;
}

SphSnapshot *sph_snapshot_ref(SphSnapshot *snapshot)
{
  if (snapshot != NULL)
    atomic_fetch_add_explicit(&snapshot->refcount, 1, memory_order_relaxed);
  return snapshot;
}

void sph_snapshot_release(SphSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  if (atomic_fetch_sub_explicit(&snapshot->refcount, 1, memory_order_acq_rel) != 1)
    return;
  if (snapshot->free_data != NULL)
    snapshot->free_data(snapshot->data);
  free(snapshot);
}

void sph_job_publish(SphJob *job, SphSnapshot *snapshot)
{
  if (job == NULL) {
    sph_snapshot_release(snapshot);
    return;
  }
  pthread_mutex_lock(&job->lock);
  SphSnapshot *previous = job->snapshot;
  job->snapshot = snapshot;
  job->generation++;
  pthread_mutex_unlock(&job->lock);
  /* The old one may be freed here, outside the lock, unless a reader still holds it. */
  sph_snapshot_release(previous);
}

SphSnapshot *sph_job_acquire_snapshot(SphJob *job, uint64_t *generation)
{
  if (job == NULL) {
    if (generation != NULL)
      *generation = 0;
    return NULL;
  }
  pthread_mutex_lock(&job->lock);
  SphSnapshot *snapshot = sph_snapshot_ref(job->snapshot);
  if (generation != NULL)
    *generation = job->generation;
  pthread_mutex_unlock(&job->lock);
  return snapshot;
}

uint64_t sph_job_generation(SphJob *job)
{
  if (job == NULL)
    return 0;
  pthread_mutex_lock(&job->lock);
  uint64_t generation = job->generation;
  pthread_mutex_unlock(&job->lock);
  return generation;
}
