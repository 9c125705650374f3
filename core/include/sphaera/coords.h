/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>

#include "sphaera/map.h"

/* Rotations of the sphere: Euler angles and the astronomical frames, with healpy's
 * conventions (healpy.rotator), so a rotation here and healpy's Rotator agree to
 * rounding. A rotation is a 3 x 3 matrix acting on column vectors, out = m v, with
 * m[row][column]; directions are (theta, phi): colatitude in [0, pi] and longitude, both
 * in radians, the unit vector (sin theta cos phi, sin theta sin phi, cos theta).
 *
 * Frames (healpy's letters, SphCoordSys in map.h):
 *   G  Galactic, as astropy defines it from FK5 J2000: north pole at RA 192.8594812065348,
 *      Dec 27.12825118085622 degrees, the celestial equator's ascending node at Galactic
 *      longitude 32.9319185680026 (so l of the north celestial pole is 122.9319185680026).
 *   C  Equatorial, FK5 at equinox J2000, what healpy's 'C' is (it goes through astropy's
 *      FK5 frame). FK5 J2000 and ICRS differ by the frame bias, about 23 mas.
 *   E  Ecliptic, astropy's BarycentricMeanEcliptic at equinox J2000 (healpy's 'E'): the
 *      IAU 2006 mean obliquity at J2000, 84381.406 arcsec, with the IAU 2006 frame bias
 *      (erfa's ecm06 at J2000 TT), carried to FK5 by the USNO Circular 179 frame bias.
 * healpy 1.16 builds its e2g and e2q matrices from astropy at import time; these are the
 * same matrices built from the same published constants. */

/* Euler conventions of healpy's Rotator(rot=(a1, a2, a3), eulertype=...), angles in
 * radians (healpy takes degrees by default). Every type negates the second angle first,
 * as healpy does, so that rot=(lon, lat, psi) reads as a position and a roll. */
typedef enum {
  /* healpy's DEFAULT ('ZYX'): m = Rx(-a3) Ry(a2) Rz(-a1), with R?(t) the active (right-hand)
   * rotation by t about an axis. With (a1, a2, a3) = (lon, lat, psi) it carries the
   * direction at longitude lon, latitude lat onto the x axis (theta = pi/2, phi = 0), the
   * centre of every projection, then rolls the sky by -psi about it. */
  SPH_EULER_ZYX = 0,
  SPH_EULER_ZXZ, /* eulertype 'X': m = Rz(-a3) Rx(a2) Rz(-a1) */
  SPH_EULER_ZYZ, /* eulertype 'Y': m = Rz(-a3) Ry(a2) Rz(-a1) */
} SphEulerType;

void sph_ang2vec(double theta, double phi, double v[3]);
/* v need not be unit; theta in [0, pi], phi in [0, 2 pi). The zero vector gives (0, 0). */
void sph_vec2ang(const double v[3], double *theta, double *phi);

void sph_rotation_identity(double m[3][3]);
/* out = a b (out may alias a or b). */
void sph_rotation_multiply(const double a[3][3], const double b[3][3], double out[3][3]);
/* out = m^T, the inverse rotation (out may alias m). */
void sph_rotation_transpose(const double m[3][3], double out[3][3]);
/* out = m v (out may alias v). */
void sph_rotation_apply(const double m[3][3], const double v[3], double out[3]);
/* The direction (theta, phi) rotated by m; phi_out in [0, 2 pi). */
void sph_rotation_apply_ang(const double m[3][3], double theta, double phi, double *theta_out,
                            double *phi_out);
/* Whether m is exactly the identity (so callers can skip the rotation bit for bit). */
bool sph_rotation_is_identity(const double m[3][3]);

/* healpy's Rotator(rot=(a1, a2, a3), eulertype=...).mat, angles in radians. */
void sph_rotation_euler(SphEulerType type, double a1, double a2, double a3, double m[3][3]);

/* healpy's Rotator(coord=[from, to]).mat: a vector in frame `from` to the same direction
 * in frame `to`. The identity, and true, when from == to; the identity and false when
 * either is SPH_COORD_UNKNOWN (nothing to convert from or to). */
bool sph_coord_matrix(SphCoordSys from, SphCoordSys to, double m[3][3]);

/* healpy's coordsys2euler_zyz([from, to]): the ZYZ Euler angles (psi, theta, phi) of the
 * frame change, the ones healpy's rotate_alm takes. Zeros when no change (or unknown). */
void sph_coord_euler_zyz(SphCoordSys from, SphCoordSys to, double *psi, double *theta,
                         double *phi);

/* 'G', 'C' or 'E' (any case; also "galactic", "equatorial", "celestial", "ecliptic",
 * and healpy's 'Q' for C); false otherwise. */
bool sph_coordsys_from_name(const char *name, SphCoordSys *coordsys);
