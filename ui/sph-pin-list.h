/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sphaera/map.h"

G_BEGIN_DECLS

/* The side list of a pinned point: its coordinates (theta/phi, the map frame's longitude
 * and latitude, RING and NEST pixel) and the value of every field of the map there. */

#define SPH_TYPE_PIN_LIST (sph_pin_list_get_type())
G_DECLARE_FINAL_TYPE(SphPinList, sph_pin_list, SPH, PIN_LIST, GtkBox)

GtkWidget *sph_pin_list_new(void);

/* Lists map's fields at (theta, phi); map NULL shows the hint instead. The list keeps no
 * reference to map. */
void sph_pin_list_show(SphPinList *list, const SphMap *map, double theta, double phi);
void sph_pin_list_clear(SphPinList *list);
/* The listed text of row `row` (0: the coordinates, then one per field), for tests;
 * NULL past the end. g_free it. */
char *sph_pin_list_row_text(SphPinList *list, int row);

G_END_DECLS
