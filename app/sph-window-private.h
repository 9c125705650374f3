/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sph-job-status.h"
#include "sph-sky-page.h"
#include "sph-window.h"
#include "sphaera/job.h"
#include "sphaera/spectrum.h"

G_BEGIN_DECLS

/* The start-up sky: a LambdaCDM CMB realisation from HEALPix's totcls.dat (uK^2). */
#define CMB_CLS_FILE "totcls.dat"
#define CMB_SEED 1234

typedef enum {
  LOAD_FILE,      /* a FITS map chosen by the user */
  LOAD_WMAP_DEMO, /* the WMAP W band map shipped in data/ */
  LOAD_CMB_DEMO,  /* a CMB realisation synthesised from CMB_CLS_FILE */
} LoadKind;

/* Shared by sph-window.c (loading), sph-window-cmb.c (the CMB demo sky) and
 * sph-window-process.c (smoothing and rotation), which all run one job at a time. */
struct _SphWindow {
  GtkApplicationWindow parent_instance;
  GtkRevealer *error_revealer;
  GtkLabel *error_label;
  GtkListBox *sidebar;
  GtkStack *stack;
  SphJobStatus *job_status;
  SphJob *load_job; /* the load whose result the window waits for */
  GQueue pending;   /* PendingLoad *: files to open, one after another, as layers */
  GMenu *recent_menu;
  char *settings_path; /* view settings and recent files */
  const SphMap *cmb_map;  /* the CMB demo's layer (the page owns it), NULL when none */
  SphSpectra *cmb_theory; /* its LambdaCDM C_l, drawn over its measured spectrum */
  gboolean disposed;
};

typedef struct {
  char *path;
  char *name; /* for messages: the file's base name */
  LoadKind kind;
  SphJob *job;
  gint64 started_us;
} LoadRequest;

GQuark sph_load_error_quark(void);

SphSkyPage *sph_window_sky_page(SphWindow *self);
void sph_window_set_action_enabled(SphWindow *self, const char *name, gboolean enabled);
void sph_window_hide_error(SphWindow *self);
/* Ends the window's running job with a status message and starts the next pending load. */
void sph_window_finish_job(SphWindow *self, SphJob *job, const char *message);

/* A GTask thread function: task data is a LoadRequest of kind LOAD_CMB_DEMO. */
void sph_window_cmb_thread(GTask *task, gpointer source, gpointer task_data,
                           GCancellable *cancellable);

/* The "smooth" and "rotate-frame" actions. */
void sph_window_on_smooth(GSimpleAction *action, GVariant *parameter, gpointer data);
void sph_window_on_rotate_frame(GSimpleAction *action, GVariant *parameter, gpointer data);

G_END_DECLS
