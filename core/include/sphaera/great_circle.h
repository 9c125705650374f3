/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>

/* The shorter great-circle arc between two directions, for profiles along a line drawn
 * on a map. Directions are (theta, phi): colatitude in [0, pi] and longitude in radians.
 * Pure functions; no allocation. */

/* The angle between the two directions in radians, in [0, pi], by the atan2 form of the
 * Vincenty formula, accurate for tiny and near-antipodal separations alike. */
double sph_great_circle_distance(double theta1, double phi1, double theta2, double phi2);

/* n >= 1 points evenly spaced in angle along the shorter arc from (theta1, phi1) to
 * (theta2, phi2), both ends included (n == 1 gives the start): point k is the spherical
 * linear interpolation at t = k / (n - 1). theta_out, phi_out (phi in [0, 2 pi)) and
 * the optional distance_out (angle from the start, radians) hold n entries. For
 * antipodal ends the arc is not unique: it passes through the direction perpendicular
 * to the start towards the nearest pole (or +y for a start at a pole) - whichever
 * choice, every point lies on a great circle through both ends. Returns the arc length. */
double sph_great_circle_sample(double theta1, double phi1, double theta2, double phi2, size_t n,
                               double *theta_out, double *phi_out, double *distance_out);
