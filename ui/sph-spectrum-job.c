/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-spectrum-job.h"

#include <string.h>

#include "sphaera/job.h"
#include "sphaera/power_spectrum.h"
#include "sphaera/spectrum.h"

#define RUNNING_KEY "sph-spectrum-job"

typedef struct {
  SphMap *map; /* one field */
  SphJob *job;
  SphSpectra *spectra;
  char message[512];
} SpectrumRequest;

static void spectrum_request_free(gpointer data)
{
  SpectrumRequest *req = data;
  sph_map_free(req->map);
  sph_job_unref(req->job);
  if (req->spectra != NULL)
    sph_spectra_free(req->spectra);
  g_free(req);
}

int sph_spectrum_job_lmax(int64_t nside)
{
  return (int)MIN(3 * nside - 1, 2 * nside);
}

static void spectrum_thread(GTask *task, gpointer source, gpointer task_data,
                            GCancellable *cancellable)
{
  (void)source;
  (void)cancellable;
  SpectrumRequest *req = task_data;
  SphAnafastOptions options = SPH_ANAFAST_DEFAULT;
  options.lmax = sph_spectrum_job_lmax(req->map->nside);
  options.iterations = SPH_SPECTRUM_JOB_ITERATIONS;
  SphError err = SPH_ERROR_INIT;
  req->spectra = sph_anafast(req->map, NULL, &options, req->job, &err);
  if (req->spectra == NULL)
    g_strlcpy(req->message, err.message, sizeof req->message);
  g_task_return_boolean(task, TRUE);
}

static void spectrum_done(GObject *source, GAsyncResult *result, gpointer data)
{
  (void)data;
  SphSpectrumPlot *plot = SPH_SPECTRUM_PLOT(source);
  SpectrumRequest *req = g_task_get_task_data(G_TASK(result));
  g_task_propagate_boolean(G_TASK(result), NULL);
  if (g_object_get_data(G_OBJECT(plot), RUNNING_KEY) != req->job)
    return; /* a newer request replaced this one */
  g_object_set_data(G_OBJECT(plot), RUNNING_KEY, NULL);
  if (sph_job_is_cancelled(req->job))
    return;
  if (req->spectra != NULL) {
    sph_spectrum_plot_set_spectrum(plot, req->spectra->cl[0], req->spectra->lmax,
                                   req->map->fields[0].unit);
  } else {
    char *message = g_strdup_printf("No power spectrum: %s", req->message);
    sph_spectrum_plot_set_message(plot, message);
    g_free(message);
  }
}

static void cancel_running(SphSpectrumPlot *plot)
{
  SphJob *running = g_object_get_data(G_OBJECT(plot), RUNNING_KEY);
  if (running != NULL)
    sph_job_cancel(running);
  g_object_set_data(G_OBJECT(plot), RUNNING_KEY, NULL);
}

void sph_spectrum_job_start(SphSpectrumPlot *plot, const SphMap *map, int field)
{
  g_return_if_fail(SPH_IS_SPECTRUM_PLOT(plot));
  cancel_running(plot);
  sph_spectrum_plot_set_spectrum(plot, NULL, 0, NULL);
  if (map == NULL || field < 0 || field >= map->nfields) {
    sph_spectrum_plot_set_message(plot, "No map");
    return;
  }
  SphError err = SPH_ERROR_INIT;
  SpectrumRequest *req = g_new0(SpectrumRequest, 1);
  req->map = sph_map_new_uninit(map->nside, map->ordering, 1, &err);
  req->job = sph_job_new();
  if (req->map == NULL || req->job == NULL) {
    sph_spectrum_plot_set_message(plot, "No power spectrum: out of memory");
    spectrum_request_free(req);
    return;
  }
  req->map->coordsys = map->coordsys;
  memcpy(req->map->fields[0].values, map->fields[field].values,
         (size_t)map->npix * sizeof(double));
  sph_map_set_field_name(req->map, 0, map->fields[field].name);
  sph_map_set_field_unit(req->map, 0, map->fields[field].unit);
  sph_spectrum_plot_set_message(plot, "Computing the power spectrum…");
  /* The key holds the job's identity only; the task keeps the reference. */
  g_object_set_data(G_OBJECT(plot), RUNNING_KEY, req->job);
  GTask *task = g_task_new(plot, NULL, spectrum_done, NULL);
  g_task_set_name(task, "sphaera: power spectrum");
  g_task_set_task_data(task, req, spectrum_request_free);
  g_task_run_in_thread(task, spectrum_thread);
  g_object_unref(task);
}

gboolean sph_spectrum_job_running(SphSpectrumPlot *plot)
{
  g_return_val_if_fail(SPH_IS_SPECTRUM_PLOT(plot), FALSE);
  return g_object_get_data(G_OBJECT(plot), RUNNING_KEY) != NULL;
}
