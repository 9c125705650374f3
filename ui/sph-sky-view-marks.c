/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sky view's marks: the pinned point and the profile line (kept as directions) and
 * what it draws over the map with Cairo, in both renderers: the graticule, the profile
 * line along its great circle and the pinned point. */
#include "sph-sky-view-private.h"

#include <math.h>
#include <string.h>

#include "sphaera/great_circle.h"

/* Points per drawn great-circle line: smooth at any window size. */
#define LINE_POINTS 512

/* The widget point of a direction; FALSE where the projection does not show it. */
static gboolean ang_to_point(SphSkyView *self, double theta, double phi, double *x, double *y)
{
  double px, py;
  int width = gtk_widget_get_width(GTK_WIDGET(self));
  int height = gtk_widget_get_height(GTK_WIDGET(self));
  if (sky_view_is_plain_mollweide(self)) {
    sph_mollweide_forward(theta, phi, &px, &py);
    sph_mollweide_plane_to_image(width, height, px, py, x, y);
    return TRUE;
  }
  const SphProjector *projector = sky_view_current_projector(self);
  if (projector == NULL || !sph_projector_ang_to_plane(projector, theta, phi, &px, &py))
    return FALSE;
  sph_projection_plane_to_image(&self->proj, width, height, px, py, x, y);
  return TRUE;
}

/* The line as a polyline on screen, broken where it crosses the map's edge at phi = pi
 * (consecutive points more than half the width apart). */
static void draw_line(SphSkyView *self, cairo_t *cr)
{
  double theta[LINE_POINTS], phi[LINE_POINTS];
  sph_great_circle_sample(self->line_theta[0], self->line_phi[0], self->line_theta[1],
                          self->line_phi[1], LINE_POINTS, theta, phi, NULL);
  double half = gtk_widget_get_width(GTK_WIDGET(self)) / 2.0;
  double last_x = 0.0;
  gboolean pen_down = FALSE;
  for (int k = 0; k < LINE_POINTS; k++) {
    double x, y;
    if (!ang_to_point(self, theta[k], phi[k], &x, &y)) {
      pen_down = FALSE;
      continue;
    }
    if (!pen_down || fabs(x - last_x) > half)
      cairo_move_to(cr, x, y);
    else
      cairo_line_to(cr, x, y);
    pen_down = TRUE;
    last_x = x;
  }
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  /* A dark casing under a light line reads on every colormap. */
  cairo_set_source_rgba(cr, 0.0, 0.0, 0.0, 0.8);
  cairo_set_line_width(cr, 4.0);
  cairo_stroke_preserve(cr);
  cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
  cairo_set_line_width(cr, 2.0);
  cairo_stroke(cr);
  for (int end = 0; end < 2; end++) {
    double x, y;
    if (!ang_to_point(self, self->line_theta[end], self->line_phi[end], &x, &y))
      continue;
    cairo_arc(cr, x, y, 4.0, 0.0, 2.0 * G_PI);
    cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.0, 0.0, 0.0);
    cairo_set_line_width(cr, 1.5);
    cairo_stroke(cr);
  }
}

/* A pin: a ring with a cross hair, black under white. */
static void draw_pin(SphSkyView *self, cairo_t *cr)
{
  double x, y;
  if (!ang_to_point(self, self->pin_theta, self->pin_phi, &x, &y))
    return;
  for (int pass = 0; pass < 2; pass++) {
    cairo_set_line_width(cr, pass == 0 ? 4.0 : 2.0);
    if (pass == 0)
      cairo_set_source_rgba(cr, 0.0, 0.0, 0.0, 0.85);
    else
      cairo_set_source_rgb(cr, 1.0, 0.85, 0.2);
    cairo_new_path(cr);
    cairo_arc(cr, x, y, 7.0, 0.0, 2.0 * G_PI);
    cairo_move_to(cr, x - 12.0, y);
    cairo_line_to(cr, x - 3.0, y);
    cairo_move_to(cr, x + 3.0, y);
    cairo_line_to(cr, x + 12.0, y);
    cairo_move_to(cr, x, y - 12.0);
    cairo_line_to(cr, x, y - 3.0);
    cairo_move_to(cr, x, y + 3.0);
    cairo_line_to(cr, x, y + 12.0);
    cairo_stroke(cr);
  }
}

/* The core's graticule for this view, in widget coordinates, with its labels. */
static void draw_graticule(SphSkyView *self, cairo_t *cr, int width, int height)
{
  if (self->graticule != NULL &&
      (self->graticule_serial != self->proj_serial || self->graticule_width != width ||
       self->graticule_height != height))
    g_clear_pointer(&self->graticule, sph_graticule_free);
  if (self->graticule == NULL) {
    SphError err = SPH_ERROR_INIT;
    SphGraticuleOptions options = { .dlon = 0.0, .dlat = 0.0, .frame = SPH_COORD_UNKNOWN };
    self->graticule = sph_graticule_new(&self->proj, width, height, &options, &err);
    if (self->graticule == NULL) {
      g_warning("sky view graticule: %s", err.message);
      return;
    }
    self->graticule_serial = self->proj_serial;
    self->graticule_width = width;
    self->graticule_height = height;
  }
  cairo_save(cr);
  /* Light lines read on the dark ends of every colormap, dark labels with a light halo
   * on any background. */
  cairo_set_line_width(cr, 0.9);
  cairo_set_source_rgba(cr, 0.92, 0.92, 0.92, 0.7);
  for (size_t i = 0; i < sph_graticule_line_count(self->graticule); i++) {
    const SphGraticuleLine *line = sph_graticule_line(self->graticule, i);
    cairo_move_to(cr, line->xy[0], line->xy[1]);
    for (size_t k = 1; k < line->npoints; k++)
      cairo_line_to(cr, line->xy[2 * k], line->xy[2 * k + 1]);
    cairo_stroke(cr);
  }
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, 10.0);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (size_t i = 0; i < sph_graticule_label_count(self->graticule); i++) {
    const SphGraticuleLabel *label = sph_graticule_label(self->graticule, i);
    cairo_move_to(cr, label->x + 2.0, label->y - 2.0);
    cairo_text_path(cr, label->text);
    cairo_set_source_rgba(cr, 1.0, 1.0, 1.0, 0.85);
    cairo_set_line_width(cr, 2.5);
    cairo_stroke_preserve(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_fill(cr);
  }
  cairo_restore(cr);
}

void sky_view_snapshot_marks(SphSkyView *self, GtkSnapshot *snapshot)
{
  gboolean graticule = self->show_graticule && self->map != NULL;
  if (!self->has_pin && !self->has_line && !graticule)
    return;
  int width = gtk_widget_get_width(GTK_WIDGET(self));
  int height = gtk_widget_get_height(GTK_WIDGET(self));
  graphene_rect_t bounds = GRAPHENE_RECT_INIT(0, 0, (float)width, (float)height);
  cairo_t *cr = gtk_snapshot_append_cairo(snapshot, &bounds);
  if (graticule)
    draw_graticule(self, cr, width, height);
  if (self->has_line)
    draw_line(self, cr);
  if (self->has_pin)
    draw_pin(self, cr);
  cairo_destroy(cr);
}

/* ---- the pinned point and the profile line ---- */

void sph_sky_view_set_pin(SphSkyView *self, double theta, double phi)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  gboolean had = self->has_pin;
  self->has_pin = TRUE;
  self->pin_theta = theta;
  self->pin_phi = phi;
  if (!had)
    g_object_notify(G_OBJECT(self), "has-pin");
  g_signal_emit_by_name(self, "pin-changed");
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

void sph_sky_view_clear_pin(SphSkyView *self)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  if (!self->has_pin)
    return;
  self->has_pin = FALSE;
  g_object_notify(G_OBJECT(self), "has-pin");
  g_signal_emit_by_name(self, "pin-changed");
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

gboolean sph_sky_view_get_pin(SphSkyView *self, double *theta, double *phi)
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), FALSE);
  if (self->has_pin) {
    *theta = self->pin_theta;
    *phi = self->pin_phi;
  }
  return self->has_pin;
}

void sph_sky_view_set_line(SphSkyView *self, double theta1, double phi1, double theta2,
                           double phi2)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  gboolean had = self->has_line;
  self->has_line = TRUE;
  self->line_theta[0] = theta1;
  self->line_phi[0] = phi1;
  self->line_theta[1] = theta2;
  self->line_phi[1] = phi2;
  if (!had)
    g_object_notify(G_OBJECT(self), "has-line");
  g_signal_emit_by_name(self, "line-changed");
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

void sph_sky_view_clear_line(SphSkyView *self)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  if (!self->has_line)
    return;
  self->has_line = FALSE;
  g_object_notify(G_OBJECT(self), "has-line");
  g_signal_emit_by_name(self, "line-changed");
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

gboolean sph_sky_view_get_line(SphSkyView *self, double theta[2], double phi[2])
{
  g_return_val_if_fail(SPH_IS_SKY_VIEW(self), FALSE);
  if (self->has_line) {
    memcpy(theta, self->line_theta, sizeof self->line_theta);
    memcpy(phi, self->line_phi, sizeof self->line_phi);
  }
  return self->has_line;
}
