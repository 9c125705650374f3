/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SPH_TYPE_WINDOW (sph_window_get_type())
G_DECLARE_FINAL_TYPE(SphWindow, sph_window, SPH, WINDOW, GtkApplicationWindow)

SphWindow *sph_window_new(GtkApplication *application);

/* Loads a HEALPix FITS map on a worker thread (a job in the status line) and shows it
 * on the Sky page; a file that cannot be read shows its error in the window. */
void sph_window_open_file(SphWindow *window, GFile *file);
/* The built-in demo: the WMAP 7-year W band I map (galactic, mK). */
void sph_window_open_demo(SphWindow *window);
/* Synthesises the start-up sky, a LambdaCDM CMB realisation, on a worker thread; the view
 * follows it while it is made and it becomes a layer when done. */
void sph_window_open_cmb_demo(SphWindow *window);
/* Shows message in the window's error bar until dismissed. */
void sph_window_show_error(SphWindow *window, const char *message);

G_END_DECLS
