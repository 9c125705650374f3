/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A confusion matrix as a heat map: row = true class, column = predicted class, each
 * cell shaded by its share of its row (so every class reads alike however many test
 * images it has) and labelled with its count; the diagonal in blue, mistakes in red.
 * The counts come from core (sph_confusion_matrix); the view only draws them. */

#define SPH_TYPE_CONFUSION_VIEW (sph_confusion_view_get_type())
G_DECLARE_FINAL_TYPE(SphConfusionView, sph_confusion_view, SPH, CONFUSION_VIEW, GtkDrawingArea)

GtkWidget *sph_confusion_view_new(void);

/* Copies k x k counts (NULL or k = 0 clears the view). */
void sph_confusion_view_set_counts(SphConfusionView *view, const size_t *counts, size_t k);
/* The counts shown (owned by the view) and k; NULL when none. */
const size_t *sph_confusion_view_get_counts(SphConfusionView *view, size_t *k);
/* Text shown while there is no matrix. */
void sph_confusion_view_set_message(SphConfusionView *view, const char *message);

G_END_DECLS
