/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>

#include "sphaera/fftw_lock.h"

#define ROUNDS 200000

/* A plain (non-atomic) read-modify-write with a yield in the middle: without mutual
 * exclusion the two threads lose updates and the total comes out short. */
static volatile long shared_counter;

static gpointer increment_under_lock(gpointer data)
{
  (void)data;
  for (int i = 0; i < ROUNDS; i++) {
    sph_fftw_planner_lock();
    long v = shared_counter;
    if (i % 1000 == 0)
      g_thread_yield();
    shared_counter = v + 1;
    sph_fftw_planner_unlock();
  }
  return NULL;
}

static void test_mutual_exclusion(void)
{
  shared_counter = 0;
  GThread *a = g_thread_new("a", increment_under_lock, NULL);
  GThread *b = g_thread_new("b", increment_under_lock, NULL);
  g_thread_join(a);
  g_thread_join(b);
  g_assert_cmpint(shared_counter, ==, 2 * ROUNDS);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/fftw-lock/mutual-exclusion", test_mutual_exclusion);
  return g_test_run();
}
