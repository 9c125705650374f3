/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sky view's projection: which one, the projector that maps it onto the map's frame,
 * and where a widget point lies on the sky. */
#include "sph-sky-view.h"
#include "sph-sky-view-private.h"

#include <string.h>

#include "sphaera/projection.h"

/* healpy's mollview with no rotation and no change of frame: the shader's own path. */
gboolean sky_view_is_plain_mollweide(SphSkyView *self)
{
  const SphProjection *p = &self->proj;
  return p->kind == SPH_PROJ_MOLLWEIDE && p->rot[0] == 0.0 && p->rot[1] == 0.0 &&
         p->rot[2] == 0.0 && p->flip == SPH_FLIP_ASTRO && p->coord == SPH_COORD_UNKNOWN;
}

const SphProjector *sky_view_current_projector(SphSkyView *self)
{
  if (self->map == NULL)
    return NULL;
  if (self->projector != NULL &&
      (self->projector_serial != self->proj_serial || self->projector_map != self->map))
    g_clear_pointer(&self->projector, sph_projector_free);
  if (self->projector == NULL) {
    SphError err = SPH_ERROR_INIT;
    self->projector = sph_projector_new(&self->proj, self->map->coordsys, &err);
    if (self->projector == NULL) {
      g_warning("sky view: %s", err.message);
      return NULL;
    }
    self->projector_serial = self->proj_serial;
    self->projector_map = self->map;
  }
  return self->projector;
}

void sph_sky_view_set_projection(SphSkyView *self, const SphProjection *proj)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  g_return_if_fail(proj != NULL);
  SphError err = SPH_ERROR_INIT;
  if (sph_projection_check(proj, &err) != SPH_OK) {
    g_warning("sky view: %s", err.message);
    return;
  }
  self->proj = *proj;
  self->fit_cells = FALSE;
  sky_view_projection_changed(self);
}

void sph_sky_view_get_projection(SphSkyView *self, SphProjection *proj)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  *proj = self->proj;
}

void sph_sky_view_set_projection_kind(SphSkyView *self, SphProjectionKind kind)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  g_return_if_fail((int)kind >= 0 && kind < SPH_PROJ_COUNT);
  SphProjection proj = self->proj;
  double rot[3] = { proj.rot[0], proj.rot[1], proj.rot[2] };
  SphCoordSys coord = proj.coord;
  SphFlip flip = proj.flip;
  sph_projection_init(&proj, kind);
  memcpy(proj.rot, rot, sizeof rot);
  proj.coord = coord;
  proj.flip = flip;
  proj.half_sky = TRUE;
  if (kind == SPH_PROJ_GNOMONIC) {
    /* One cell per widget pixel, 60 degrees across to start with. */
    int width = MAX(gtk_widget_get_width(GTK_WIDGET(self)), 64);
    int height = MAX(gtk_widget_get_height(GTK_WIDGET(self)), 64);
    proj.xsize = width;
    proj.ysize = height;
    proj.reso = 60.0 * 60.0 / width;
  }
  sph_sky_view_set_projection(self, &proj);
  self->fit_cells = kind == SPH_PROJ_GNOMONIC;
}

/* A change of flip or frame keeps the rest of the projection, a gnomonic view's cells
 * fitted to the widget included. */
static void set_flip_or_frame(SphSkyView *self, SphFlip flip, SphCoordSys frame)
{
  if (flip == self->proj.flip && frame == self->proj.coord)
    return;
  gboolean fit = self->fit_cells;
  SphProjection proj = self->proj;
  proj.flip = flip;
  proj.coord = frame;
  sph_sky_view_set_projection(self, &proj);
  self->fit_cells = fit;
}

void sph_sky_view_set_flip(SphSkyView *self, SphFlip flip)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  g_return_if_fail(flip == SPH_FLIP_ASTRO || flip == SPH_FLIP_GEO);
  set_flip_or_frame(self, flip, self->proj.coord);
}

SphFlip sph_sky_view_get_flip(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), SPH_FLIP_ASTRO);
  return self->proj.flip;
}

void sph_sky_view_set_frame(SphSkyView *self, SphCoordSys frame)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  g_return_if_fail((int)frame >= SPH_COORD_UNKNOWN && frame <= SPH_COORD_ECLIPTIC);
  set_flip_or_frame(self, self->proj.flip, frame);
}

SphCoordSys sph_sky_view_get_frame(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), SPH_COORD_UNKNOWN);
  return self->proj.coord;
}

SphProjectionKind sph_sky_view_get_projection_kind(SphSkyView *self)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), SPH_PROJ_MOLLWEIDE);
  return self->proj.kind;
}

/* A gnomonic view chosen by kind keeps one cell per pixel as the widget resizes. */
void sky_view_fit_gnomonic_cells(SphSkyView *self, int width, int height)
{
  if (!self->fit_cells || self->proj.kind != SPH_PROJ_GNOMONIC || width <= 0 || height <= 0 ||
      (self->proj.xsize == width && self->proj.ysize == height))
    return;
  self->proj.xsize = width;
  self->proj.ysize = height;
  self->proj_serial++;
}

gboolean sph_sky_view_point_to_ang(SphSkyView *self, double x, double y, double *theta,
                                   double *phi)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), FALSE);
  int width = gtk_widget_get_width(GTK_WIDGET(self));
  int height = gtk_widget_get_height(GTK_WIDGET(self));
  if (width <= 0 || height <= 0)
    return FALSE;
  double px, py;
  if (sky_view_is_plain_mollweide(self)) {
    sph_mollweide_image_to_plane(width, height, x, y, &px, &py);
    return sph_mollweide_inverse(px, py, theta, phi);
  }
  const SphProjector *projector = sky_view_current_projector(self);
  if (projector == NULL)
    return FALSE;
  sph_projection_image_to_plane(&self->proj, width, height, x, y, &px, &py);
  return sph_projector_plane_to_ang(projector, px, py, theta, phi);
}
