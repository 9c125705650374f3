/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The start-up CMB demo sky: a seeded synfast of the LambdaCDM spectra, with a
 * low-resolution preview published first for the live view. */
#include "sph-window-private.h"

#include "sphaera/alm.h"
#include "sphaera/fields.h"
#include "sphaera/ring_geometry.h"
#include "sphaera/sht.h"
#include "sphaera/spectrum.h"
#include "sphaera/job.h"

#define CMB_NSIDE 512
#define CMB_LMAX 1024
/* A first look while the full map is made: the same realisation's l <= 128 at NSIDE 64. */
#define CMB_PREVIEW_NSIDE 64
#define CMB_PREVIEW_LMAX 128

static void free_snapshot_map(void *data)
{
  sph_map_free(data);
}

/* The realisation's large scales at low resolution: synalm draws the same a_lm for the
 * same seed and lmax, so the preview is the final sky without its small scales. NULL on
 * failure (the preview is optional). */
static SphMap *cmb_preview(const SphSpectra *cls)
{
  SphError err = SPH_ERROR_INIT;
  SphAlm *full = sph_alm_new(CMB_LMAX, CMB_LMAX, &err);
  SphAlm *low = sph_alm_new(CMB_PREVIEW_LMAX, CMB_PREVIEW_LMAX, &err);
  SphRingGeometry *geometry = sph_ring_geometry_healpix(CMB_PREVIEW_NSIDE, &err);
  SphShtPlan *plan = geometry == NULL ? NULL
                                      : sph_sht_plan_new(geometry, CMB_PREVIEW_LMAX,
                                                         CMB_PREVIEW_LMAX, SPH_SHT_DEFAULT,
                                                         &err);
  SphMap *map = sph_map_new_uninit(CMB_PREVIEW_NSIDE, SPH_ORDER_RING, 1, &err);
  gboolean ok = full != NULL && low != NULL && plan != NULL && map != NULL &&
                sph_synalm(cls, CMB_SEED, &full, 1, &err) == SPH_OK;
  if (ok) {
    for (int m = 0; m <= CMB_PREVIEW_LMAX; m++)
      for (int l = m; l <= CMB_PREVIEW_LMAX; l++)
        low->values[sph_alm_index(CMB_PREVIEW_LMAX, l, m)] =
          full->values[sph_alm_index(CMB_LMAX, l, m)];
    ok = sph_sht_alm2map(plan, low, map->fields[0].values, NULL, &err) == SPH_OK;
  }
  sph_alm_free(full);
  sph_alm_free(low);
  sph_sht_plan_free(plan);
  sph_ring_geometry_free(geometry);
  if (!ok) {
    sph_map_free(map);
    return NULL;
  }
  return map;
}

/* A seeded synfast of the LambdaCDM spectra: T in uK, galactic. The synthesis reports
 * its progress through the job; the finished map is published as the job's snapshot for
 * the live view before the task returns it. */
void sph_window_cmb_thread(GTask *task, gpointer source, gpointer task_data,
                           GCancellable *cancellable)
{
  (void)source;
  (void)cancellable;
  LoadRequest *req = task_data;
  sph_job_set_progress(req->job, 0.0, "Reading the ΛCDM spectra");
  SphError err = SPH_ERROR_INIT;
  SphSpectra *cls = sph_cl_read_text(req->path, &err);
  if (cls == NULL) {
    g_task_return_new_error(task, sph_load_error_quark(), err.code, "%s", err.message);
    return;
  }
  char *text = g_strdup_printf("Synthesising a CMB sky (NSIDE %d, lmax %d)", CMB_NSIDE,
                               CMB_LMAX);
  sph_job_set_progress(req->job, 0.0, text);
  g_free(text);
  /* Only TT: the demo shows temperature. */
  int ncomp = cls->ncomp;
  cls->ncomp = 1;
  SphMap *preview = cmb_preview(cls);
  if (preview != NULL) {
    preview->coordsys = SPH_COORD_GALACTIC;
    sph_map_set_field_name(preview, 0, "TEMPERATURE");
    sph_map_set_field_unit(preview, 0, "uK");
    sph_job_publish(req->job, sph_snapshot_new(preview, free_snapshot_map));
  }
  SphMap *map = sph_synfast(cls, CMB_NSIDE, CMB_LMAX, 0.0, CMB_SEED, req->job, &err);
  cls->ncomp = ncomp;
  sph_spectra_free(cls);
  if (map == NULL) {
    g_task_return_new_error(task, sph_load_error_quark(), err.code, "%s: %s", req->path,
                            err.message);
    return;
  }
  map->coordsys = SPH_COORD_GALACTIC;
  sph_map_set_field_name(map, 0, "TEMPERATURE");
  sph_map_set_field_unit(map, 0, "uK");
  SphMap *shown = sph_map_copy(map, &err);
  if (shown != NULL)
    sph_job_publish(req->job, sph_snapshot_new(shown, free_snapshot_map));
  sph_job_set_progress(req->job, 1.0, NULL);
  g_task_return_pointer(task, map, (GDestroyNotify)sph_map_free);
}