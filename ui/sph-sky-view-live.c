/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-sky-view.h"

#include "sphaera/error.h"

/* The 100 ms poll throttles uploads: a worker publishing every few milliseconds still
 * costs the main loop at most ten copies and redraws a second. */
#define LIVE_POLL_MS 100

typedef struct {
  SphSkyView *view; /* not a reference: the state lives in the view's data */
  SphJob *job;
  int field;
  guint timeout_id;
  uint64_t shown_generation;
  guint updates;
} LiveState;

static void live_state_stop(LiveState *live)
{
  if (live->timeout_id != 0)
    g_source_remove(live->timeout_id);
  live->timeout_id = 0;
  g_clear_pointer(&live->job, sph_job_unref);
}

static void live_state_free(gpointer data)
{
  LiveState *live = data;
  live_state_stop(live);
  g_free(live);
}

static LiveState *live_state(SphSkyView *view, gboolean create)
{
  LiveState *live = g_object_get_data(G_OBJECT(view), "sph-live-state");
  if (live == NULL && create) {
    live = g_new0(LiveState, 1);
    live->view = view;
    g_object_set_data_full(G_OBJECT(view), "sph-live-state", live, live_state_free);
  }
  return live;
}

gboolean sph_sky_view_poll_job(SphSkyView *view)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(view), FALSE);
  LiveState *live = live_state(view, FALSE);
  if (live == NULL || live->job == NULL || sph_job_generation(live->job) == live->shown_generation)
    return FALSE;
  uint64_t generation = 0;
  SphSnapshot *snapshot = sph_job_acquire_snapshot(live->job, &generation);
  if (snapshot == NULL)
    return FALSE;
  live->shown_generation = generation;
  const SphMap *map = sph_snapshot_data(snapshot);
  gboolean shown = FALSE;
  if (map != NULL) {
    SphError err = { 0 };
    SphMap *copy = sph_map_copy(map, &err);
    if (copy != NULL) {
      int field = live->field < copy->nfields ? live->field : 0;
      sph_sky_view_set_map(view, copy, field);
      live->updates++;
      shown = TRUE;
    }
  }
  sph_snapshot_release(snapshot);
  return shown;
}

static gboolean live_tick(gpointer data)
{
  LiveState *live = data;
  sph_sky_view_poll_job(live->view);
  return G_SOURCE_CONTINUE;
}

void sph_sky_view_follow_job(SphSkyView *view, SphJob *job, int field)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(view));
  if (job == NULL) {
    sph_sky_view_unfollow_job(view);
    return;
  }
  LiveState *live = live_state(view, TRUE);
  live_state_stop(live);
  live->job = sph_job_ref(job);
  live->field = field < 0 ? 0 : field;
  live->shown_generation = 0;
  live->timeout_id = g_timeout_add(LIVE_POLL_MS, live_tick, live);
}

void sph_sky_view_unfollow_job(SphSkyView *view)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(view));
  LiveState *live = live_state(view, FALSE);
  if (live != NULL)
    live_state_stop(live);
}

SphJob *sph_sky_view_get_followed_job(SphSkyView *view)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(view), NULL);
  LiveState *live = live_state(view, FALSE);
  return live != NULL ? live->job : NULL;
}

guint sph_sky_view_get_live_updates(SphSkyView *view)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(view), 0);
  LiveState *live = live_state(view, FALSE);
  return live != NULL ? live->updates : 0;
}
