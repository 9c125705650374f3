/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sky view's colour scale: its automatic range (the percentiles on a worker thread,
 * so that an NSIDE 2048 map does not freeze the window), the hist scale's fitted curve
 * and the colour steps the GL renderer draws with. */
#include "sph-sky-view.h"
#include "sph-sky-view-private.h"

#include <math.h>
#include <string.h>

#include "sphaera/colorscale.h"
#include "sphaera/job.h"

/* One percentile computation, shared by the view (main thread) and its worker. The view
 * abandons it by cancelling the job and then waiting for a worker that already reads the
 * values; a cancelled job returns within a few milliseconds, and one that has not started
 * yet never reads them, so the map may be freed straight after. */
struct SkyRangeWork {
  SphSkyView *view; /* main thread only; NULL once abandoned or delivered */
  const double *values;
  size_t n;
  SphJob *job;
  GMutex lock;
  GCond cond;
  gboolean started, finished;
  SphStatus status;
  double lo, hi;
  SphError err;
};

static void range_work_clear(gpointer data)
{
  SkyRangeWork *work = data;
  sph_job_unref(work->job);
  g_mutex_clear(&work->lock);
  g_cond_clear(&work->cond);
}

static void range_work_release(gpointer data)
{
  g_atomic_rc_box_release_full(data, range_work_clear);
}

static void range_worker(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  (void)source;
  (void)cancellable;
  SkyRangeWork *work = data;
  g_mutex_lock(&work->lock);
  gboolean run = !sph_job_is_cancelled(work->job);
  work->started = run;
  work->finished = !run;
  g_cond_broadcast(&work->cond);
  g_mutex_unlock(&work->lock);
  if (run) {
    work->status = sph_percentile_range_job(work->values, work->n, SPH_PERCENTILE_DEFAULT_LO,
                                            SPH_PERCENTILE_DEFAULT_HI, work->job, &work->lo,
                                            &work->hi, &work->err);
    g_mutex_lock(&work->lock);
    work->finished = TRUE;
    g_cond_broadcast(&work->cond);
    g_mutex_unlock(&work->lock);
  }
  g_task_return_boolean(task, TRUE);
}

gboolean sky_view_cancel_range(SphSkyView *self)
{
  SkyRangeWork *work = self->range_work;
  if (work == NULL)
    return FALSE;
  self->range_work = NULL;
  work->view = NULL;
  sph_job_cancel(work->job);
  g_mutex_lock(&work->lock);
  while (work->started && !work->finished)
    g_cond_wait(&work->cond, &work->lock);
  g_mutex_unlock(&work->lock);
  range_work_release(work);
  return TRUE;
}

/* Sets the automatic range, notifying what changed. */
static void set_auto_values(SphSkyView *self, double vmin, double vmax)
{
  if (vmin != self->vmin) {
    self->vmin = vmin;
    g_object_notify(G_OBJECT(self), "vmin");
  }
  if (vmax != self->vmax) {
    self->vmax = vmax;
    g_object_notify(G_OBJECT(self), "vmax");
  }
}

static void range_done(GObject *source, GAsyncResult *result, gpointer data)
{
  (void)source;
  (void)data;
  SkyRangeWork *work = g_task_get_task_data(G_TASK(result));
  SphSkyView *self = work->view;
  if (self == NULL)
    return; /* stale: the view moved on */
  work->view = NULL;
  self->range_work = NULL;
  g_object_freeze_notify(G_OBJECT(self));
  if (work->status == SPH_OK)
    set_auto_values(self, work->lo, work->hi);
  else
    set_auto_values(self, 0.0, 0.0); /* nothing seen */
  g_object_notify(G_OBJECT(self), "range-pending");
  g_object_thaw_notify(G_OBJECT(self));
  range_work_release(work);
  sky_view_redraw(self);
}

static void start_percentile_range(SphSkyView *self, const double *values, size_t n)
{
  SkyRangeWork *work = g_atomic_rc_box_new0(SkyRangeWork);
  work->view = self;
  work->values = values;
  work->n = n;
  work->job = sph_job_new();
  g_mutex_init(&work->lock);
  g_cond_init(&work->cond);
  self->range_work = work;
  GTask *task = g_task_new(NULL, NULL, range_done, NULL);
  g_task_set_source_tag(task, start_percentile_range);
  g_task_set_task_data(task, g_atomic_rc_box_acquire(work), range_work_release);
  g_task_run_in_thread(task, range_worker);
  g_object_unref(task);
}

void sky_view_update_auto_range(SphSkyView *self)
{
  gboolean was_pending = sky_view_cancel_range(self);
  const double *values = sky_view_shown_values(self);
  if (!self->auto_range || values == NULL) {
    if (was_pending)
      g_object_notify(G_OBJECT(self), "range-pending");
    return;
  }
  size_t n = (size_t)self->map->npix;
  double vmin = 0.0, vmax = 0.0;
  if (self->norm == SPH_NORM_LOG) {
    /* A log scale spans the positive values only. */
    if (!sph_data_range(values, n, true, &vmin, &vmax))
      vmin = vmax = 0.0;
  } else if (self->percentile_range) {
    /* The previous range stays until the worker's arrives. */
    start_percentile_range(self, values, n);
    if (!was_pending)
      g_object_notify(G_OBJECT(self), "range-pending");
    return;
  } else {
    SphMapStats stats;
    sph_map_field_stats(self->map, self->field, &stats);
    vmin = stats.nseen > 0 ? stats.min : 0.0;
    vmax = stats.nseen > 0 ? stats.max : 0.0;
  }
  set_auto_values(self, vmin, vmax);
  if (was_pending)
    g_object_notify(G_OBJECT(self), "range-pending");
}

gboolean sph_sky_view_get_range_pending(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), FALSE);
  return self->range_work != NULL;
}

/* ---- the hist scale and the colour steps ---- */

/* The hist scale's curve, fitted to the shown field's seen values over the range. */
static void refit_histeq(SphSkyView *self)
{
  g_clear_pointer(&self->histeq, sph_histeq_free);
  self->histeq_map = NULL;
  const double *values = sky_view_shown_values(self);
  if (self->norm != SPH_NORM_HIST || values == NULL || !(self->vmin < self->vmax) ||
      !isfinite(self->vmin) || !isfinite(self->vmax))
    return;
  SphError err = SPH_ERROR_INIT;
  self->histeq = sph_histeq_new(values, (size_t)self->map->npix, self->vmin, self->vmax, &err);
  if (self->histeq == NULL) {
    g_warning("sky view: %s", err.message);
    return;
  }
  self->histeq_map = self->map;
  self->histeq_field = self->field;
  self->histeq_vmin = self->vmin;
  self->histeq_vmax = self->vmax;
}

void sky_view_update_histeq(SphSkyView *self)
{
  if (self->norm != SPH_NORM_HIST) {
    g_clear_pointer(&self->histeq, sph_histeq_free);
    self->histeq_map = NULL;
    return;
  }
  if (self->histeq == NULL || self->histeq_map != self->map || self->histeq_field != self->field ||
      self->histeq_vmin != self->vmin || self->histeq_vmax != self->vmax)
    refit_histeq(self);
}

void sph_sky_view_colour_steps(const SphColorScale *scale, double steps[SPH_CMAP_SIZE])
{
  /* Every scale is non-decreasing in the value, so the colormap entry is a step function
   * of it: entry k from the first value whose entry is k or more. Bisection on the core's
   * own sph_color_scale_position finds these edges to the last bit. */
  double lo = scale->vmin, hi = scale->vmax;
  steps[0] = -INFINITY;
  for (int k = 1; k < SPH_CMAP_SIZE; k++) {
    double t_hi = sph_color_scale_position(scale, hi);
    if (!(lo < hi) || isnan(t_hi) || sph_colormap_index(t_hi) < k) {
      steps[k] = INFINITY;
      continue;
    }
    double a = k > 1 && isfinite(steps[k - 1]) ? steps[k - 1] : lo, b = hi;
    double t_a = sph_color_scale_position(scale, a);
    if (!isnan(t_a) && sph_colormap_index(t_a) >= k) {
      steps[k] = a;
      continue;
    }
    for (int iter = 0; iter < 200; iter++) {
      double mid = a + 0.5 * (b - a);
      if (mid <= a || mid >= b)
        break;
      double t = sph_color_scale_position(scale, mid);
      if (!isnan(t) && sph_colormap_index(t) >= k)
        b = mid;
      else
        a = mid;
    }
    steps[k] = b;
  }
}
