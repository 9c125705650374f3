/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/great_circle.h"

#include <math.h>

#include "sphaera/coords.h"

static double dot3(const double a[3], const double b[3])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void cross3(const double a[3], const double b[3], double out[3])
{
  out[0] = a[1] * b[2] - a[2] * b[1];
  out[1] = a[2] * b[0] - a[0] * b[2];
  out[2] = a[0] * b[1] - a[1] * b[0];
}

static double norm3(const double a[3])
{
  return sqrt(dot3(a, a));
}

double sph_great_circle_distance(double theta1, double phi1, double theta2, double phi2)
{
  double a[3], b[3], c[3];
  sph_ang2vec(theta1, phi1, a);
  sph_ang2vec(theta2, phi2, b);
  cross3(a, b, c);
  return atan2(norm3(c), dot3(a, b));
}

/* A unit vector perpendicular to a, in the plane of a and b: the second axis of the arc's
 * frame. For (anti)parallel a and b, the direction from a towards the nearer pole. */
static void arc_tangent(const double a[3], const double b[3], double u[3])
{
  double d = dot3(a, b);
  for (int i = 0; i < 3; i++)
    u[i] = b[i] - d * a[i];
  double len = norm3(u);
  if (len > 1e-12) {
    for (int i = 0; i < 3; i++)
      u[i] /= len;
    return;
  }
  /* Degenerate: any perpendicular serves. Take the meridian direction towards the
   * nearer pole, or +y at a pole. */
  double axis[3] = { 0.0, 0.0, a[2] >= 0.0 ? 1.0 : -1.0 };
  if (fabs(a[2]) > 1.0 - 1e-12) {
    axis[1] = 1.0;
    axis[2] = 0.0;
  }
  d = dot3(a, axis);
  for (int i = 0; i < 3; i++)
    u[i] = axis[i] - d * a[i];
  len = norm3(u);
  for (int i = 0; i < 3; i++)
    u[i] /= len;
}

double sph_great_circle_sample(double theta1, double phi1, double theta2, double phi2, size_t n,
                               double *theta_out, double *phi_out, double *distance_out)
{
  double a[3], b[3], u[3];
  sph_ang2vec(theta1, phi1, a);
  sph_ang2vec(theta2, phi2, b);
  double omega = sph_great_circle_distance(theta1, phi1, theta2, phi2);
  arc_tangent(a, b, u);
  /* p(s) = a cos s + u sin s traces the circle from a through b at unit speed; evaluated
   * by angle rather than by slerp's sin((1-t) omega)/sin omega weights, which lose all
   * precision near omega = pi. */
  for (size_t k = 0; k < n; k++) {
    double t = n > 1 ? (double)k / (double)(n - 1) : 0.0;
    double s = t * omega;
    if (k + 1 == n && n > 1)
      s = omega;
    double p[3];
    double cs = cos(s), sn = sin(s);
    for (int i = 0; i < 3; i++)
      p[i] = a[i] * cs + u[i] * sn;
    sph_vec2ang(p, &theta_out[k], &phi_out[k]);
    if (distance_out != NULL)
      distance_out[k] = s;
  }
  return omega;
}
