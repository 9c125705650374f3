/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sphaera/job.h"

#define PAYLOAD_VALUES 512
#define HAMMER_SNAPSHOTS 20000

typedef struct {
  uint64_t step;
  double values[PAYLOAD_VALUES];
  double checksum;
} Payload;

static gint payloads_alive;

static void payload_free(void *data)
{
  g_atomic_int_dec_and_test(&payloads_alive);
  g_free(data);
}

static Payload *payload_new(uint64_t step)
{
  Payload *p = g_new(Payload, 1);
  g_atomic_int_inc(&payloads_alive);
  p->step = step;
  p->checksum = 0;
  for (int i = 0; i < PAYLOAD_VALUES; i++) {
    p->values[i] = (double)step * 1000.0 + i;
    p->checksum += p->values[i];
  }
  return p;
}

static void test_null_job(void)
{
  sph_job_set_progress(NULL, 0.5, "x");
  g_assert_cmpfloat(sph_job_get_progress(NULL, NULL, 0), ==, 0.0);
  sph_job_cancel(NULL);
  g_assert_false(sph_job_is_cancelled(NULL));
  g_assert_null(sph_job_acquire_snapshot(NULL, NULL));
  g_assert_cmpuint(sph_job_generation(NULL), ==, 0);
  sph_job_unref(NULL);
}

static void test_progress(void)
{
  SphJob *job = sph_job_new();
  char text[64];
  g_assert_cmpfloat(sph_job_get_progress(job, text, sizeof text), ==, 0.0);
  g_assert_cmpstr(text, ==, "");
  sph_job_set_progress(job, 0.25, "reading sky.fits");
  g_assert_cmpfloat(sph_job_get_progress(job, text, sizeof text), ==, 0.25);
  g_assert_cmpstr(text, ==, "reading sky.fits");
  sph_job_set_progress(job, 0.5, NULL); /* keeps the text */
  g_assert_cmpfloat(sph_job_get_progress(job, text, sizeof text), ==, 0.5);
  g_assert_cmpstr(text, ==, "reading sky.fits");
  sph_job_set_progress(job, 7.0, NULL);
  g_assert_cmpfloat(sph_job_get_progress(job, NULL, 0), ==, 1.0);
  sph_job_set_progress(job, -1.0, NULL);
  g_assert_cmpfloat(sph_job_get_progress(job, NULL, 0), ==, 0.0);
  sph_job_set_progress(job, NAN, NULL);
  g_assert_cmpfloat(sph_job_get_progress(job, NULL, 0), ==, 0.0);
  char small[5];
  sph_job_get_progress(job, small, sizeof small);
  g_assert_cmpstr(small, ==, "read");
  sph_job_unref(job);
}

static void test_snapshot_lifetime(void)
{
  g_atomic_int_set(&payloads_alive, 0);
  SphJob *job = sph_job_new();
  uint64_t gen = 99;
  g_assert_null(sph_job_acquire_snapshot(job, &gen));
  g_assert_cmpuint(gen, ==, 0);
  sph_job_publish(job, sph_snapshot_new(payload_new(1), payload_free));
  SphSnapshot *held = sph_job_acquire_snapshot(job, &gen);
  g_assert_cmpuint(gen, ==, 1);
  sph_job_publish(job, sph_snapshot_new(payload_new(2), payload_free));
  /* The reader still holds step 1 although the job moved on. */
  g_assert_cmpint(g_atomic_int_get(&payloads_alive), ==, 2);
  g_assert_cmpuint(((const Payload *)sph_snapshot_data(held))->step, ==, 1);
  sph_snapshot_release(held);
  g_assert_cmpint(g_atomic_int_get(&payloads_alive), ==, 1);
  sph_job_unref(job);
  g_assert_cmpint(g_atomic_int_get(&payloads_alive), ==, 0);
}

static gpointer hammer_writer(gpointer data)
{
  SphJob *job = data;
  char text[64];
  for (uint64_t step = 1; step <= HAMMER_SNAPSHOTS; step++) {
    sph_job_publish(job, sph_snapshot_new(payload_new(step), payload_free));
    snprintf(text, sizeof text, "step %llu", (unsigned long long)step);
    sph_job_set_progress(job, (double)step / HAMMER_SNAPSHOTS, text);
    if (sph_job_is_cancelled(job))
      break;
  }
  return NULL;
}

/* A view on another thread: every snapshot it acquires must be whole (its values and
 * checksum agree), generations never go backwards, and the progress text and fraction
 * read together always belong to the same step. */
static void test_snapshots_hammered_from_two_threads(void)
{
  g_atomic_int_set(&payloads_alive, 0);
  SphJob *job = sph_job_new();
  GThread *writer = g_thread_new("writer", hammer_writer, sph_job_ref(job));
  uint64_t last_gen = 0, reads = 0;
  for (;;) {
    uint64_t gen;
    SphSnapshot *snap = sph_job_acquire_snapshot(job, &gen);
    g_assert_cmpuint(gen, >=, last_gen);
    last_gen = gen;
    if (snap != NULL) {
      const Payload *p = sph_snapshot_data(snap);
      g_assert_cmpuint(p->step, ==, gen);
      double sum = 0;
      for (int i = 0; i < PAYLOAD_VALUES; i++) {
        g_assert_cmpfloat(p->values[i], ==, (double)p->step * 1000.0 + i);
        sum += p->values[i];
      }
      g_assert_cmpfloat(sum, ==, p->checksum);
      sph_snapshot_release(snap);
      reads++;
    }
    char text[64];
    double fraction = sph_job_get_progress(job, text, sizeof text);
    if (text[0] != '\0') {
      unsigned long long step = 0;
      g_assert_cmpint(sscanf(text, "step %llu", &step), ==, 1);
      g_assert_cmpfloat(fabs(fraction - (double)step / HAMMER_SNAPSHOTS), <, 1e-15);
    }
    if (gen == HAMMER_SNAPSHOTS)
      break;
  }
  g_thread_join(writer);
  sph_job_unref(job); /* the writer's reference */
  g_assert_cmpuint(reads, >, 0);
  g_assert_cmpuint(sph_job_generation(job), ==, HAMMER_SNAPSHOTS);
  sph_job_unref(job);
  g_assert_cmpint(g_atomic_int_get(&payloads_alive), ==, 0);
}

static gpointer spin_until_cancelled(gpointer data)
{
  SphJob *job = data;
  guint64 spins = 0;
  while (!sph_job_is_cancelled(job))
    spins++;
  sph_job_unref(job);
  return GSIZE_TO_POINTER(1);
}

static void test_cancel_across_threads(void)
{
  SphJob *job = sph_job_new();
  GThread *worker = g_thread_new("worker", spin_until_cancelled, sph_job_ref(job));
  g_usleep(10000);
  sph_job_cancel(job);
  g_assert_cmpuint(GPOINTER_TO_SIZE(g_thread_join(worker)), ==, 1);
  g_assert_true(sph_job_is_cancelled(job));
  sph_job_unref(job);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/job/null", test_null_job);
  g_test_add_func("/job/progress", test_progress);
  g_test_add_func("/job/snapshot-lifetime", test_snapshot_lifetime);
  g_test_add_func("/job/snapshots-two-threads", test_snapshots_hammered_from_two_threads);
  g_test_add_func("/job/cancel-across-threads", test_cancel_across_threads);
  return g_test_run();
}
