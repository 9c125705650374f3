/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/raster.h"

#include <math.h>
#include <stdlib.h>

#include "sphaera/healpix.h"
#include "sphaera/mem.h"
#include "sphaera/projection.h"

/* Beyond this an image is a mistake, not a request (and width * height stays an int). */
#define RASTER_MAX_SIDE 65536

struct SphSkyRaster {
  int64_t nside;
  SphOrdering ordering;
  int width, height;
  SphProjection proj;
  int64_t inside;  /* image pixels inside the projection */
  int64_t *index; /* width * height, row-major from the top-left */
};

SphSkyRaster *sph_sky_raster_new(int64_t nside, SphOrdering ordering, int width, int height,
                                 SphError *err)
{
  SphProjection proj;
  sph_projection_init(&proj, SPH_PROJ_MOLLWEIDE);
  return sph_sky_raster_new_view(nside, ordering, &proj, SPH_COORD_UNKNOWN, width, height,
                                 err);
}

SphSkyRaster *sph_sky_raster_new_view(int64_t nside, SphOrdering ordering,
                                      const SphProjection *proj, SphCoordSys map_frame,
                                      int width, int height, SphError *err)
{
  if (!sph_hp_nside_valid(nside)) {
    sph_error_set(err, SPH_ERR_INVALID, "NSIDE=%lld is not a power of two in [1, 2^%d]",
                  (long long)nside, SPH_HP_MAX_ORDER);
    return NULL;
  }
  if (ordering != SPH_ORDER_RING && ordering != SPH_ORDER_NEST) {
    sph_error_set(err, SPH_ERR_INVALID, "unknown HEALPix ordering %d", (int)ordering);
    return NULL;
  }
  if (width < 1 || height < 1 || width > RASTER_MAX_SIDE || height > RASTER_MAX_SIDE) {
    sph_error_set(err, SPH_ERR_INVALID, "image size %d x %d is not in 1..%d on each side",
                  width, height, RASTER_MAX_SIDE);
    return NULL;
  }
  SphProjector *projector = sph_projector_new(proj, map_frame, err);
  if (projector == NULL)
    return NULL;
  SphSkyRaster *raster = calloc(1, sizeof *raster);
  if (raster == NULL) {
    sph_projector_free(projector);
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory for a sky raster");
    return NULL;
  }
  raster->nside = nside;
  raster->ordering = ordering;
  raster->width = width;
  raster->height = height;
  raster->proj = *proj;
  raster->index = sph_alloc_aligned((size_t)width * (size_t)height, sizeof(int64_t), err);
  if (raster->index == NULL) {
    sph_error_prefix(err, "sky raster of %d x %d", width, height);
    sph_projector_free(projector);
    free(raster);
    return NULL;
  }

  int64_t *index = raster->index;
  const bool nest = ordering == SPH_ORDER_NEST;
  /* Without rotation the inverse projection's own angles go to ang2pix (the Mollweide
   * raster has always done this); a rotated view asks vec2pix, as healpy's projmap. */
  const bool direct = sph_projector_is_direct(projector);
  int64_t inside = 0;
#pragma omp parallel for schedule(static) reduction(+ : inside)
  for (int j = 0; j < height; j++) {
    int64_t *row = index + (size_t)j * (size_t)width;
    for (int i = 0; i < width; i++) {
      double x, y;
      sph_projection_image_to_plane(proj, width, height, i + 0.5, j + 0.5, &x, &y);
      if (direct) {
        double theta, phi;
        if (!sph_projector_plane_to_ang(projector, x, y, &theta, &phi)) {
          row[i] = -1;
          continue;
        }
        row[i] = nest ? sph_hp_ang2pix_nest(nside, theta, phi)
                      : sph_hp_ang2pix_ring(nside, theta, phi);
      } else {
        double v[3];
        if (!sph_projector_plane_to_vec(projector, x, y, v)) {
          row[i] = -1;
          continue;
        }
        row[i] = nest ? sph_hp_vec2pix_nest(nside, v) : sph_hp_vec2pix_ring(nside, v);
      }
      inside++;
    }
  }
  raster->inside = inside;
  sph_projector_free(projector);
  return raster;
}

const SphProjection *sph_sky_raster_projection(const SphSkyRaster *raster)
{
  return &raster->proj;
}

int64_t sph_sky_raster_count_inside(const SphSkyRaster *raster)
{
  return raster->inside;
}

int64_t sph_sky_raster_shown_values(const SphSkyRaster *raster, const double *values,
                                    double *out)
{
  const size_t n = (size_t)raster->width * (size_t)raster->height;
  int64_t m = 0;
  for (size_t k = 0; k < n; k++)
    if (raster->index[k] >= 0)
      out[m++] = values[raster->index[k]];
  return m;
}

void sph_sky_raster_free(SphSkyRaster *raster)
{
  if (raster == NULL)
    return;
  sph_free_aligned(raster->index);
  free(raster);
}

int sph_sky_raster_width(const SphSkyRaster *raster)
{
  return raster->width;
}

int sph_sky_raster_height(const SphSkyRaster *raster)
{
  return raster->height;
}

int64_t sph_sky_raster_nside(const SphSkyRaster *raster)
{
  return raster->nside;
}

SphOrdering sph_sky_raster_ordering(const SphSkyRaster *raster)
{
  return raster->ordering;
}

const int64_t *sph_sky_raster_index(const SphSkyRaster *raster)
{
  return raster->index;
}

void sph_sky_raster_paint(const SphSkyRaster *raster, const double *values,
                          const SphColorScale *scale, uint8_t *rgba, int stride)
{
  const int width = raster->width, height = raster->height;
  const int64_t *index = raster->index;
  const uint8_t *table = sph_colormap_table(scale->cmap);
  if (table == NULL)
    table = sph_colormap_table(SPH_CMAP_VIRIDIS);
  const uint8_t bad_alpha = scale->transparent_bad ? 0 : 255;
#pragma omp parallel for schedule(static)
  for (int j = 0; j < height; j++) {
    const int64_t *irow = index + (size_t)j * (size_t)width;
    uint8_t *out = rgba + (size_t)j * (size_t)stride;
    for (int i = 0; i < width; i++, out += 4) {
      if (irow[i] < 0) {
        out[0] = scale->background[0];
        out[1] = scale->background[1];
        out[2] = scale->background[2];
        out[3] = scale->background[3];
        continue;
      }
      double t = sph_color_scale_position(scale, values[irow[i]]);
      if (isnan(t)) {
        out[0] = SPH_BAD_R;
        out[1] = SPH_BAD_G;
        out[2] = SPH_BAD_B;
        out[3] = bad_alpha;
        continue;
      }
      const uint8_t *entry = table + 3 * sph_colormap_index(t);
      out[0] = entry[0];
      out[1] = entry[1];
      out[2] = entry[2];
      out[3] = 255;
    }
  }
}
