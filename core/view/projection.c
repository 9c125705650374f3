/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/projection.h"

#include <math.h>

/* Mollweide with the auxiliary angle written as its distance from the nearer pole,
 * delta = pi/2 - |theta'|, and u = 2 delta. The defining equation
 * 2 theta' + sin 2 theta' = pi sin(lat) becomes
 *
 *     u - sin u = pi (1 - cos eps) = 2 pi sin^2(eps / 2),
 *
 * with eps the angular distance to the nearer pole (theta itself in the north). Both
 * sides are computed without cancellation near the poles, where the textbook form loses
 * half its digits (its derivative 2 + 2 cos 2 theta' vanishes there). */

static const double sqrt2 = 1.4142135623730951;

/* u - sin u for u in [0, pi], to full relative precision for small u. */
static double u_minus_sin_u(double u)
{
  if (u < 0.5) {
    /* Taylor series u^3/3! - u^5/5! + ...; the first omitted term is below 1e-18 relative. */
    double u2 = u * u;
    double term = u * u2 / 6.0;
    double sum = 0.0;
    for (int k = 3; k <= 15; k += 2) {
      sum += term;
      term *= -u2 / ((double)(k + 1) * (double)(k + 2));
    }
    return sum;
  }
  return u - sin(u);
}

/* Solves u - sin u = c for u in [0, pi], c in [0, pi]. */
static double solve_u(double c)
{
  if (c <= 0.0)
    return 0.0;
  if (c >= M_PI)
    return M_PI;
  /* u - sin u <= u^3/6, so this start lies at or left of the root; h is increasing and
   * convex on [0, pi], so the first Newton step lands right of it and the iteration then
   * decreases monotonically to the root. */
  double u = cbrt(6.0 * c);
  if (u > M_PI)
    u = M_PI;
  for (int iter = 0; iter < 60; iter++) {
    double s = sin(0.5 * u);
    double dh = 2.0 * s * s; /* 1 - cos u */
    if (dh <= 0.0)
      break;
    double step = (u_minus_sin_u(u) - c) / dh;
    double next = u - step;
    if (next > M_PI)
      next = M_PI;
    if (next < 0.0)
      next = 0.5 * u;
    if (fabs(next - u) <= 4e-16 * next) {
      u = next;
      break;
    }
    u = next;
  }
  return u;
}

void sph_mollweide_forward(double theta, double phi, double *x, double *y)
{
  bool north = theta <= 0.5 * M_PI;
  double eps = north ? theta : M_PI - theta;
  if (eps < 0.0)
    eps = 0.0;
  double s = sin(0.5 * eps);
  double delta = 0.5 * solve_u(2.0 * M_PI * s * s);

  /* Longitude in [-pi, pi) as healpy reduces it (180 degrees lands on the right edge);
   * it grows to the left, so x has the sign of -lon. */
  double lon = remainder(phi, 2.0 * M_PI);
  if (lon >= M_PI)
    lon = -M_PI;
  *x = -(2.0 * sqrt2 / M_PI) * lon * sin(delta); /* cos theta' = sin delta */
  *y = (north ? sqrt2 : -sqrt2) * cos(delta);     /* sin theta' = +-cos delta */
}

bool sph_mollweide_inverse(double x, double y, double *theta, double *phi)
{
  double ex = x / SPH_MOLLWEIDE_XMAX;
  double ey = y / SPH_MOLLWEIDE_YMAX;
  if (!(ex * ex + ey * ey <= 1.0))
    return false;

  /* t = |sin theta'|; delta = pi/2 - |theta'| from cos and sin without acos near 1. */
  double t = fabs(ey);
  if (t > 1.0)
    t = 1.0;
  double sin_delta = sqrt((1.0 - t) * (1.0 + t));
  double delta = atan2(sin_delta, t);

  double c = u_minus_sin_u(2.0 * delta); /* = 2 pi sin^2(eps / 2) */
  double s = sqrt(c / (2.0 * M_PI));
  if (s > 1.0)
    s = 1.0;
  double eps = 2.0 * asin(s);
  *theta = ey >= 0.0 ? eps : M_PI - eps;

  double lon = 0.0;
  if (sin_delta > 0.0) {
    lon = -M_PI * x / (2.0 * sqrt2 * sin_delta);
    if (lon > M_PI)
      lon = M_PI;
    if (lon < -M_PI)
      lon = -M_PI;
  }
  double p = lon < 0.0 ? lon + 2.0 * M_PI : lon;
  if (p >= 2.0 * M_PI)
    p = 0.0;
  *phi = p;
  return true;
}

/* Image pixels per unit of the plane: the 2:1 box is min(width, 2 height) wide and
 * spans 2 SPH_MOLLWEIDE_XMAX. */
static double plane_scale(int width, int height)
{
  double box = (double)width < 2.0 * height ? (double)width : 2.0 * height;
  return box / (2.0 * SPH_MOLLWEIDE_XMAX);
}

void sph_mollweide_image_to_plane(int width, int height, double px, double py,
                                   double *x, double *y)
{
  double k = plane_scale(width, height);
  *x = (px - 0.5 * width) / k;
  *y = (0.5 * height - py) / k;
}

void sph_mollweide_plane_to_image(int width, int height, double x, double y,
                                  double *px, double *py)
{
  double k = plane_scale(width, height);
  *px = 0.5 * width + x * k;
  *py = 0.5 * height - y * k;
}
