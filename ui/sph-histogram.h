/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sphaera/colorscale.h"

G_BEGIN_DECLS

/* A histogram of the values a view shows, its bars coloured as the map colours their
 * centres, on a logarithmic count axis (a sky's tails are thin). */

#define SPH_TYPE_HISTOGRAM (sph_histogram_get_type())
G_DECLARE_FINAL_TYPE(SphHistogram, sph_histogram, SPH, HISTOGRAM, GtkDrawingArea)

GtkWidget *sph_histogram_new(void);

/* Counts n values (UNSEEN and NaN left out) in nbins equal bins over the scale's range;
 * values outside the range fall in no bin. scale is copied (its histeq pointer is not
 * kept: bars are coloured while counting). n == 0 clears it. */
void sph_histogram_set_values(SphHistogram *hist, const double *values, size_t n, int nbins,
                              const SphColorScale *scale);
/* The counts (nbins of them) and their total, for tests; NULL when empty. */
const guint64 *sph_histogram_get_counts(SphHistogram *hist, int *nbins, guint64 *total);

G_END_DECLS
