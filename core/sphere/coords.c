/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/coords.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#define DEG (M_PI / 180.0)
#define ARCSEC (M_PI / (180.0 * 3600.0))

void sph_ang2vec(double theta, double phi, double v[3])
{
  double st = sin(theta);
  v[0] = st * cos(phi);
  v[1] = st * sin(phi);
  v[2] = cos(theta);
}

void sph_vec2ang(const double v[3], double *theta, double *phi)
{
  /* atan2 keeps full precision at the poles, where acos(z) loses half the digits. */
  double rho = hypot(v[0], v[1]);
  *theta = atan2(rho, v[2]);
  double p = atan2(v[1], v[0]);
  if (p < 0.0)
    p += 2.0 * M_PI;
  if (p >= 2.0 * M_PI)
    p = 0.0;
  *phi = p;
}

void sph_rotation_identity(double m[3][3])
{
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      m[i][j] = i == j ? 1.0 : 0.0;
}

void sph_rotation_multiply(const double a[3][3], const double b[3][3], double out[3][3])
{
  double r[3][3];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      r[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
  memcpy(out, r, sizeof r);
}

void sph_rotation_transpose(const double m[3][3], double out[3][3])
{
  double r[3][3];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      r[i][j] = m[j][i];
  memcpy(out, r, sizeof r);
}

void sph_rotation_apply(const double m[3][3], const double v[3], double out[3])
{
  double r[3];
  for (int i = 0; i < 3; i++)
    r[i] = m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2];
  out[0] = r[0];
  out[1] = r[1];
  out[2] = r[2];
}

void sph_rotation_apply_ang(const double m[3][3], double theta, double phi, double *theta_out,
                            double *phi_out)
{
  double v[3];
  sph_ang2vec(theta, phi, v);
  sph_rotation_apply(m, v, v);
  sph_vec2ang(v, theta_out, phi_out);
}

bool sph_rotation_is_identity(const double m[3][3])
{
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      if (m[i][j] != (i == j ? 1.0 : 0.0))
        return false;
  return true;
}

/* Active (right-handed) rotations by t about one axis. */
static void rot_x(double t, double m[3][3])
{
  double c = cos(t), s = sin(t);
  double r[3][3] = {{1, 0, 0}, {0, c, -s}, {0, s, c}};
  memcpy(m, r, sizeof r);
}

static void rot_y(double t, double m[3][3])
{
  double c = cos(t), s = sin(t);
  double r[3][3] = {{c, 0, s}, {0, 1, 0}, {-s, 0, c}};
  memcpy(m, r, sizeof r);
}

static void rot_z(double t, double m[3][3])
{
  double c = cos(t), s = sin(t);
  double r[3][3] = {{c, -s, 0}, {s, c, 0}, {0, 0, 1}};
  memcpy(m, r, sizeof r);
}

void sph_rotation_euler(SphEulerType type, double a1, double a2, double a3, double m[3][3])
{
  /* healpy: euler_matrix_new(a1, -a2, a3) = m3^T m2^T m1^T with m1 = Rz(a1), m2 about the
   * middle axis by -a2, m3 about the last axis by a3. */
  double first[3][3], middle[3][3], last[3][3];
  rot_z(-a1, first);
  if (type == SPH_EULER_ZXZ)
    rot_x(a2, middle);
  else
    rot_y(a2, middle);
  if (type == SPH_EULER_ZYX)
    rot_x(-a3, last);
  else
    rot_z(-a3, last);
  sph_rotation_multiply(middle, first, m);
  sph_rotation_multiply(last, m, m);
}

/* The frame matrices, built as astropy builds them. astropy's (and erfa's) rotation
 * matrices are passive: P(t) = R(-t), the coordinates of a fixed vector in axes turned
 * by t. */

/* ICRS -> mean ecliptic and equinox of J2000: erfa's ecm06 at J2000 TT, Rx(eps_A) times
 * the IAU 2006 bias-precession matrix, which at J2000 (t = 0) is the Fukushima-Williams
 * matrix P_x(-eps_A) P_z(-psi_b) P_x(phi_b) P_z(gamma_b) of the frame bias angles. The
 * two obliquity rotations cancel, leaving P_z(-psi_b) P_x(phi_b) P_z(gamma_b). */
static void icrs_to_ecliptic(double m[3][3])
{
  const double gamma_b = -0.052928 * ARCSEC;
  const double phi_b = 84381.412819 * ARCSEC;
  const double psi_b = -0.041775 * ARCSEC;
  double a[3][3], b[3][3];
  rot_z(-gamma_b, m);
  rot_x(-phi_b, a);
  sph_rotation_multiply(a, m, m);
  rot_z(psi_b, b);
  sph_rotation_multiply(b, m, m);
}

/* ICRS -> FK5 J2000: the frame bias of USNO Circular 179 (astropy's
 * _icrs_to_fk5_matrix), P_x(-eta0) P_y(xi0) P_z(da0). */
static void icrs_to_fk5(double m[3][3])
{
  const double eta0 = -19.9e-3 * ARCSEC, xi0 = 9.1e-3 * ARCSEC, da0 = -22.9e-3 * ARCSEC;
  double a[3][3];
  rot_z(-da0, m);
  rot_y(-xi0, a);
  sph_rotation_multiply(a, m, m);
  rot_x(eta0, a);
  sph_rotation_multiply(a, m, m);
}

/* FK5 J2000 -> Galactic: P_z(180 - l_ncp) P_y(90 - dec_ngp) P_z(ra_ngp), astropy's
 * fk5_to_gal with its J2000 pole and longitude. */
static void fk5_to_galactic(double m[3][3])
{
  const double ra_ngp = 192.8594812065348 * DEG;
  const double dec_ngp = 27.12825118085622 * DEG;
  const double l_ncp = 122.9319185680026 * DEG;
  double a[3][3];
  rot_z(-ra_ngp, m);
  rot_y(-(0.5 * M_PI - dec_ngp), a);
  sph_rotation_multiply(a, m, m);
  rot_z(-(M_PI - l_ncp), a);
  sph_rotation_multiply(a, m, m);
}

/* Each frame's matrix from FK5 J2000, the frame every conversion passes through. */
static bool from_fk5(SphCoordSys frame, double m[3][3])
{
  switch (frame) {
  case SPH_COORD_EQUATORIAL:
    sph_rotation_identity(m);
    return true;
  case SPH_COORD_GALACTIC:
    fk5_to_galactic(m);
    return true;
  case SPH_COORD_ECLIPTIC: {
    /* FK5 -> ICRS -> ecliptic. */
    double b[3][3];
    icrs_to_fk5(b);
    sph_rotation_transpose(b, b);
    icrs_to_ecliptic(m);
    sph_rotation_multiply(m, b, m);
    return true;
  }
  default:
    sph_rotation_identity(m);
    return false;
  }
}

bool sph_coord_matrix(SphCoordSys from, SphCoordSys to, double m[3][3])
{
  double a[3][3], b[3][3];
  if (!from_fk5(from, a) || !from_fk5(to, b)) {
    sph_rotation_identity(m);
    return false;
  }
  if (from == to) {
    sph_rotation_identity(m);
    return true;
  }
  /* from -> FK5 -> to. */
  sph_rotation_transpose(a, a);
  sph_rotation_multiply(b, a, m);
  return true;
}

void sph_coord_euler_zyz(SphCoordSys from, SphCoordSys to, double *psi, double *theta,
                         double *phi)
{
  double m[3][3];
  if (from == to || !sph_coord_matrix(from, to, m)) {
    *psi = *theta = *phi = 0.0;
    return;
  }
  /* The images of the basis vectors are m's columns: x_out = m e_x, ... */
  *psi = atan2(m[2][1], -m[2][0]);
  *theta = acos(fmax(-1.0, fmin(1.0, m[2][2])));
  *phi = atan2(m[1][2], m[0][2]);
}

bool sph_coordsys_from_name(const char *name, SphCoordSys *coordsys)
{
  if (name == NULL || name[0] == '\0')
    return false;
  static const struct {
    const char *name;
    SphCoordSys frame;
  } names[] = {
      {"galactic", SPH_COORD_GALACTIC},     {"equatorial", SPH_COORD_EQUATORIAL},
      {"celestial", SPH_COORD_EQUATORIAL},  {"ecliptic", SPH_COORD_ECLIPTIC},
  };
  SphCoordSys frame = SPH_COORD_UNKNOWN;
  if (name[1] == '\0')
    frame = sph_coordsys_from_letter(name[0]);
  for (size_t i = 0; frame == SPH_COORD_UNKNOWN && i < sizeof names / sizeof names[0]; i++)
    if (strcasecmp(name, names[i].name) == 0)
      frame = names[i].frame;
  if (frame == SPH_COORD_UNKNOWN)
    return false;
  if (coordsys != NULL)
    *coordsys = frame;
  return true;
}
