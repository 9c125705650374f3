/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sky view's CPU renderer: the map painted through a raster index table, the
 * overlay blended in, for when GL is missing or the map exceeds its textures. */
#include "sph-sky-view.h"
#include "sph-sky-view-private.h"

#include <math.h>
#include <string.h>

#include "sphaera/healpix.h"
#include "sphaera/raster.h"

void sph_sky_view_blend_overlay(const uint8_t base[3], const uint8_t over[3], double opacity,
                                uint8_t out[3])
{
  for (int c = 0; c < 3; c++)
    out[c] = (uint8_t)lrint(base[c] * (1.0 - opacity) + over[c] * opacity);
}

/* The index table of map for the current projection at width x height, rebuilt when
 * stale; NULL on failure. */
SphSkyRaster *sky_view_ensure_raster(SphSkyView *self, SphSkyRaster **slot, guint *serial,
                                   guint *generation, const SphMap *map, int width, int height)
{
  SphSkyRaster *raster = *slot;
  if (raster != NULL &&
      (sph_sky_raster_width(raster) != width || sph_sky_raster_height(raster) != height ||
       sph_sky_raster_nside(raster) != map->nside ||
       sph_sky_raster_ordering(raster) != map->ordering || *serial != self->proj_serial))
    g_clear_pointer(slot, sph_sky_raster_free);
  if (*slot == NULL) {
    SphError err = SPH_ERROR_INIT;
    *slot = sph_sky_raster_new_view(map->nside, map->ordering, &self->proj, map->coordsys, width,
                                    height, &err);
    if (*slot == NULL) {
      g_warning("sky view: %s", err.message);
      return NULL;
    }
    *serial = self->proj_serial;
    (*generation)++;
  }
  return *slot;
}

/* Mixes the overlay's colours into the painted base image where the overlay is seen. */
static void paint_overlay(SphSkyView *self, uint8_t *rgba, int width, int height, size_t stride)
{
  const double *ov = sky_view_overlay_values(self);
  if (ov == NULL || self->ov_opacity <= 0.0)
    return;
  if (sky_view_ensure_raster(self, &self->ov_raster, &self->ov_raster_serial,
                    &self->ov_raster_generation, self->overlay, width, height) == NULL)
    return;
  const int64_t *base_index = sph_sky_raster_index(self->raster);
  const int64_t *index = sph_sky_raster_index(self->ov_raster);
  SphColorScale scale = { .vmin = self->ov_vmin, .vmax = self->ov_vmax, .cmap = self->ov_cmap };
  for (int j = 0; j < height; j++) {
    uint8_t *row = rgba + stride * (size_t)j;
    for (int i = 0; i < width; i++) {
      size_t at = (size_t)j * (size_t)width + (size_t)i;
      if (base_index[at] < 0 || index[at] < 0 || sph_hp_is_unseen(ov[index[at]]))
        continue;
      uint8_t over[3];
      sph_color_scale_rgb(&scale, ov[index[at]], over);
      sph_sky_view_blend_overlay(row + 4 * i, over, self->ov_opacity, row + 4 * i);
    }
  }
}

gboolean sky_view_ensure_cpu_image(SphSkyView *self, int width, int height)
{
  const double *values = sky_view_shown_values(self);
  if (values == NULL)
    return FALSE;
  SphSkyRaster *before = self->raster;
  guint generation = self->raster_generation;
  if (sky_view_ensure_raster(self, &self->raster, &self->raster_serial, &self->raster_generation,
                    self->map, width, height) == NULL)
    return FALSE;
  if (self->raster != before || self->raster_generation != generation)
    sky_view_invalidate_cpu_image(self);
  if (self->cpu_texture != NULL)
    return TRUE;

  size_t stride = (size_t)width * 4;
  guint8 *rgba = g_malloc(stride * (size_t)height);
  SphColorScale scale;
  sky_view_current_scale(self, &scale);
  memcpy(scale.background, sky_view_background, sizeof scale.background);
  sph_sky_raster_paint(self->raster, values, &scale, rgba, (int)stride);
  paint_overlay(self, rgba, width, height, stride);
  self->cpu_pixels = g_bytes_new_take(rgba, stride * (size_t)height);
  self->cpu_texture = gdk_memory_texture_new(width, height, GDK_MEMORY_R8G8B8A8,
                                             self->cpu_pixels, stride);
  return TRUE;
}
