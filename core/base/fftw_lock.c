/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/fftw_lock.h"

#include <pthread.h>

/* The one piece of global state in the library: it mirrors FFTW's own. */
static pthread_mutex_t planner_mutex = PTHREAD_MUTEX_INITIALIZER;

void sph_fftw_planner_lock(void)
{
  pthread_mutex_lock(&planner_mutex);
}

void sph_fftw_planner_unlock(void)
{
  pthread_mutex_unlock(&planner_mutex);
}
