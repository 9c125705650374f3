/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sphaera/job.h"

G_BEGIN_DECLS

/* The status line under a window's pages: what the running job is doing, its progress and
 * a Cancel button. It polls the SphJob ten times a second (the job runs on a worker
 * thread and never touches the widget); a job that reports no fraction yet pulses the
 * bar. Between jobs it shows the last message. */

#define SPH_TYPE_JOB_STATUS (sph_job_status_get_type())
G_DECLARE_FINAL_TYPE(SphJobStatus, sph_job_status, SPH, JOB_STATUS, GtkBox)

GtkWidget *sph_job_status_new(void);

/* Starts showing job (a new reference is taken); title names it until the job reports
 * its own text. A job already watched is dropped from view (not cancelled). */
void sph_job_status_watch(SphJobStatus *status, SphJob *job, const char *title);
/* Stops watching (if job is the one watched) and shows message ("" for none). */
void sph_job_status_finish(SphJobStatus *status, SphJob *job, const char *message);
/* Asks the watched job to stop; TRUE when there was one. */
gboolean sph_job_status_cancel(SphJobStatus *status);
/* The watched job (no new reference), NULL when idle. Also the "busy" property. */
SphJob *sph_job_status_get_job(SphJobStatus *status);

G_END_DECLS
