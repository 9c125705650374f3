/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-map-process.h"


#include "sphaera/fields.h"
#include "sphaera/rotate.h"

#define SMOOTH_ITERATIONS 3 /* healpy's default */

G_DEFINE_QUARK(sph-map-process-error-quark, sph_map_process_error)

typedef struct {
  SphMap *map;
  SphMapProcessKind kind;
  double parameter;
  SphJob *job;
} ProcessRequest;

static void process_request_free(gpointer data)
{
  ProcessRequest *req = data;
  sph_map_free(req->map);
  sph_job_unref(req->job);
  g_free(req);
}

static const char *frame_word(SphCoordSys frame)
{
  switch (frame) {
  case SPH_COORD_GALACTIC:
    return "galactic";
  case SPH_COORD_EQUATORIAL:
    return "equatorial";
  case SPH_COORD_ECLIPTIC:
    return "ecliptic";
  default:
    return "unknown frame";
  }
}

char *sph_map_process_title(SphMapProcessKind kind, double parameter, const char *title)
{
  if (kind == SPH_MAP_PROCESS_SMOOTH)
    return g_strdup_printf("%s, smoothed %g°", title, parameter);
  return g_strdup_printf("%s, %s", title, frame_word((SphCoordSys)(int)parameter));
}

static void process_thread(GTask *task, gpointer source, gpointer task_data,
                           GCancellable *cancellable)
{
  (void)source;
  (void)cancellable;
  ProcessRequest *req = task_data;
  SphError err = SPH_ERROR_INIT;
  SphMap *out = NULL;
  bool pol = req->map->nfields >= 3;
  if (req->kind == SPH_MAP_PROCESS_SMOOTH) {
    char *text = g_strdup_printf("Smoothing with a %g° Gaussian beam", req->parameter);
    sph_job_set_progress(req->job, 0.0, text);
    g_free(text);
    out = sph_smoothing(req->map, req->parameter * G_PI / 180.0, -1, SMOOTH_ITERATIONS, pol,
                        req->job, &err);
  } else {
    SphCoordSys to = (SphCoordSys)(int)req->parameter;
    char *text = g_strdup_printf("Rotating to %s coordinates", frame_word(to));
    sph_job_set_progress(req->job, 0.0, text);
    g_free(text);
    out = sph_rotate_map_frame(req->map, to, -1, SMOOTH_ITERATIONS, pol, req->job, &err);
  }
  if (sph_job_is_cancelled(req->job)) {
    if (out != NULL)
      sph_map_free(out);
    g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
    return;
  }
  if (out == NULL) {
    g_task_return_new_error(task, sph_map_process_error_quark(), err.code, "%s", err.message);
    return;
  }
  sph_job_set_progress(req->job, 1.0, NULL);
  g_task_return_pointer(task, out, (GDestroyNotify)sph_map_free);
}

void sph_map_process_async(GObject *source, const SphMap *map, SphMapProcessKind kind,
                           double parameter, SphJob *job, GAsyncReadyCallback callback,
                           gpointer data)
{
  GTask *task = g_task_new(source, NULL, callback, data);
  g_task_set_name(task, "sphaera: map operation");
  SphError err = SPH_ERROR_INIT;
  SphMap *copy = sph_map_copy(map, &err);
  if (copy == NULL) {
    g_task_return_new_error(task, sph_map_process_error_quark(), err.code, "%s", err.message);
    g_object_unref(task);
    return;
  }
  ProcessRequest *req = g_new0(ProcessRequest, 1);
  req->map = copy;
  req->kind = kind;
  req->parameter = parameter;
  req->job = sph_job_ref(job);
  g_task_set_task_data(task, req, process_request_free);
  g_task_run_in_thread(task, process_thread);
  g_object_unref(task);
}

SphMap *sph_map_process_finish(GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer(G_TASK(result), error);
}
