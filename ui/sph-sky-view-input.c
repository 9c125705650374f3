/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sky view's pointer: hover read-out tracking, drag to turn a globe or pan a flat
 * view, scroll to zoom a gnomonic view, click to pin a point, Shift+drag to draw the
 * profile line. */
#include "sph-sky-view.h"
#include "sph-sky-view-private.h"

#include <math.h>
#include <string.h>

#include "sphaera/projection.h"

/* A press that moves less than this (widget pixels) is a click, not a drag. */
#define CLICK_SLOP 3.0

static void on_motion(GtkEventControllerMotion *controller, double x, double y, gpointer data)
{
  (void)controller;
  SphSkyView *self = data;
  self->pointer_inside = TRUE;
  self->pointer_x = x;
  self->pointer_y = y;
  sky_view_update_readout(self);
}

static void on_leave(GtkEventControllerMotion *controller, gpointer data)
{
  (void)controller;
  SphSkyView *self = data;
  self->pointer_inside = FALSE;
  sky_view_update_readout(self);
}

static gboolean on_scroll(GtkEventControllerScroll *controller, double dx, double dy,
                          gpointer data)
{
  (void)controller;
  (void)dx;
  SphSkyView *self = data;
  if (self->proj.kind != SPH_PROJ_GNOMONIC || dy == 0.0)
    return FALSE;
  /* 1.25 times per notch; from 0.01 arcmin (an NSIDE 8192 pixel is 0.43) to 3 degrees
   * per pixel. */
  self->proj.reso = CLAMP(self->proj.reso * pow(1.25, dy), 0.01, 180.0);
  sky_view_projection_changed(self);
  return TRUE;
}

void sph_sky_view_drag_begin(SphSkyView *self, double x, double y)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  memcpy(self->press_rot, self->proj.rot, sizeof self->press_rot);
  self->press_x = x;
  self->press_y = y;
}

/* Drag without Shift turns a globe, pans a gnomonic or Cartesian view: the sky follows
 * the pointer, so the new centre is the point that was under the pointer's start, seen
 * from where it is now. */
void sph_sky_view_drag_to(SphSkyView *self, double dx, double dy)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  if (self->proj.kind == SPH_PROJ_MOLLWEIDE)
    return;
  int width = gtk_widget_get_width(GTK_WIDGET(self));
  int height = gtk_widget_get_height(GTK_WIDGET(self));
  double x0, y0, x1, y1;
  SphProjection start = self->proj;
  memcpy(start.rot, self->press_rot, sizeof start.rot);
  sph_projection_image_to_plane(&start, width, height, self->press_x, self->press_y, &x0, &y0);
  sph_projection_image_to_plane(&start, width, height, self->press_x + dx, self->press_y + dy,
                                &x1, &y1);
  double scale = self->proj.kind == SPH_PROJ_CARTESIAN ? 1.0 : 180.0 / G_PI;
  double flip = self->proj.flip == SPH_FLIP_GEO ? -1.0 : 1.0;
  double lon = self->press_rot[0] + flip * (x1 - x0) * scale;
  double lat = CLAMP(self->press_rot[1] - (y1 - y0) * scale, -90.0, 90.0);
  self->proj.rot[0] = fmod(lon + 540.0, 360.0) - 180.0;
  self->proj.rot[1] = lat;
  self->dragging = TRUE;
  sky_view_projection_changed(self);
}

void sph_sky_view_drag_end(SphSkyView *self)
{
  g_return_if_fail(SPH_IS_SKY_VIEW(self));
  if (self->dragging) {
    self->dragging = FALSE; /* sharpen */
    sky_view_redraw(self);
  }
}

static void on_drag_begin(GtkGestureDrag *gesture, double x, double y, gpointer data)
{
  SphSkyView *self = data;
  GdkModifierType state =
    gtk_event_controller_get_current_event_state(GTK_EVENT_CONTROLLER(gesture));
  self->press_shift = (state & GDK_SHIFT_MASK) != 0;
  sph_sky_view_drag_begin(self, x, y);
  /* A GtkGLArea takes no focus by itself; the page's keys need it when focusable. */
  if (gtk_widget_get_focusable(GTK_WIDGET(self)))
    gtk_widget_grab_focus(GTK_WIDGET(self));
}

static void on_drag_update(GtkGestureDrag *gesture, double dx, double dy, gpointer data)
{
  (void)gesture;
  SphSkyView *self = data;
  if (hypot(dx, dy) < CLICK_SLOP)
    return;
  if (!self->press_shift) {
    sph_sky_view_drag_to(self, dx, dy);
    return;
  }
  double t1, p1, t2, p2;
  if (sph_sky_view_point_to_ang(self, self->press_x, self->press_y, &t1, &p1) &&
      sph_sky_view_point_to_ang(self, self->press_x + dx, self->press_y + dy, &t2, &p2))
    sph_sky_view_set_line(self, t1, p1, t2, p2);
}

static void on_drag_end(GtkGestureDrag *gesture, double dx, double dy, gpointer data)
{
  (void)gesture;
  SphSkyView *self = data;
  double theta, phi;
  sph_sky_view_drag_end(self);
  if (hypot(dx, dy) < CLICK_SLOP) {
    if (sph_sky_view_point_to_ang(self, self->press_x, self->press_y, &theta, &phi))
      sph_sky_view_set_pin(self, theta, phi);
    else
      sph_sky_view_clear_pin(self);
  }
}

void sky_view_add_input_controllers(SphSkyView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new();
  g_signal_connect(motion, "motion", G_CALLBACK(on_motion), self);
  g_signal_connect(motion, "enter", G_CALLBACK(on_motion), self);
  g_signal_connect(motion, "leave", G_CALLBACK(on_leave), self);
  gtk_widget_add_controller(GTK_WIDGET(self), motion);

  GtkGesture *drag = gtk_gesture_drag_new();
  gtk_gesture_single_set_button(GTK_GESTURE_SINGLE(drag), GDK_BUTTON_PRIMARY);
  g_signal_connect(drag, "drag-begin", G_CALLBACK(on_drag_begin), self);
  g_signal_connect(drag, "drag-update", G_CALLBACK(on_drag_update), self);
  g_signal_connect(drag, "drag-end", G_CALLBACK(on_drag_end), self);
  gtk_widget_add_controller(GTK_WIDGET(self), GTK_EVENT_CONTROLLER(drag));

  GtkEventController *scroll = gtk_event_controller_scroll_new(
    GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect(scroll, "scroll", G_CALLBACK(on_scroll), self);
  gtk_widget_add_controller(GTK_WIDGET(self), scroll);
}
