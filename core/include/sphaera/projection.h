/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>

#include "sphaera/error.h"
#include "sphaera/map.h"

/* Map projections of the sphere onto the plane, and the layout of a projected map in an
 * image. Both renderers (the CPU one here, the GLSL one in shaders/) follow exactly this
 * arithmetic, so they can be checked against each other.
 *
 * Mollweide in healpy's mollview orientation ("astronomical"): the centre of the image is
 * longitude 0, longitude grows to the left, north is up. Plane coordinates: x in
 * [-2 sqrt2, 2 sqrt2], y in [-sqrt2, sqrt2], x to the right, y up. (healpy's own plane
 * is this one divided by sqrt2: x in [-2, 2], y in [-1, 1].)
 *
 * With theta the colatitude, lat = pi/2 - theta, lon = phi reduced to [-pi, pi), and the
 * auxiliary angle a in [-pi/2, pi/2] the root of 2a + sin 2a = pi sin(lat):
 *
 *     forward:  x = -(2 sqrt2 / pi) lon cos a,   y = sqrt2 sin a
 *     inverse:  inside the ellipse x^2/8 + y^2/2 <= 1,
 *               a = asin(y / sqrt2),  theta = pi/2 - asin((2a + sin 2a) / pi),
 *               lon = -pi x / (2 sqrt2 cos a) (0 at the poles),  phi = lon mod 2 pi
 *
 * The CPU code evaluates these in an equivalent form that keeps full precision near
 * the poles (see projection.c); a float shader may use the formulas as written. */

#define SPH_MOLLWEIDE_XMAX 2.8284271247461903 /* 2 sqrt(2) */
#define SPH_MOLLWEIDE_YMAX 1.4142135623730951 /* sqrt(2) */

/* (theta, phi) -> plane; phi in radians (any value), longitude grows to the left. */
void sph_mollweide_forward(double theta, double phi, double *x, double *y);
/* plane -> (theta, phi) with phi in [0, 2 pi); false (outputs untouched) outside the
 * ellipse x^2/8 + y^2/2 <= 1. */
bool sph_mollweide_inverse(double x, double y, double *theta, double *phi);

/* The ellipse fills the largest 2:1 box centred in a width x height image (no margin).
 * Image coordinates: px right, py down, the pixel (i, j) centre at (i + 0.5, j + 0.5).
 * With k = min(width, 2 height) / (4 sqrt2) image pixels per plane unit:
 *
 *     x = (px - width/2) / k,    y = (height/2 - py) / k
 *
 * so the image pixel (i, j) shows the sky at the inverse projection of
 * x = (i + 0.5 - width/2) / k, y = (height/2 - j - 0.5) / k. */
void sph_mollweide_image_to_plane(int width, int height, double px, double py,
                                   double *x, double *y);
void sph_mollweide_plane_to_image(int width, int height, double x, double y,
                                  double *px, double *py);

/* ---- Every projection: a descriptor, its plane, and its layout in an image ----
 *
 * Four projections, each with healpy's plane (Mollweide excepted, see above) and
 * orientation, so a point of the plane means the same direction here and in healpy's
 * projector classes (healpy.projector.*Proj.xy2vec):
 *
 *   mollweide     the plane above (healpy's times sqrt2); the whole sky.
 *   orthographic  half_sky: the unit disc, the near hemisphere seen from outside, centre
 *                 (0, 0). Otherwise (healpy's orthview default) two globes side by side,
 *                 x in [-2, 2]: the near hemisphere centred at (-1, 0), the far one at
 *                 (1, 0), joined along x = 0 as healpy unfolds them.
 *   gnomonic      the tangent plane at the centre, x = -v_y / v_x, y = v_z / v_x in the
 *                 rotated frame (astro flip); a box of xsize x ysize cells of reso arcmin
 *                 (healpy's gnomview reso, xsize, ysize).
 *   cartesian     plate carree in degrees: x = -lon, y = lat, lon in [-180, 180) with 180
 *                 on the right edge (astro flip); healpy's cartview.
 *
 * The centre and roll are healpy's rot=(lon, lat, psi) in degrees, in the view's frame:
 * healpy's Rotator(rot, eulertype='ZYX') (coords.h, SPH_EULER_ZYX) carries (lon, lat) to
 * the centre of the plane. psi rolls the view: healpy rotates the sky by -psi about the
 * line of sight, so the picture turns counter-clockwise by psi (north of the centre moves
 * up and to the left for psi > 0). The orientation is astronomical (the sky
 * seen from inside, longitude growing to the left) unless flip is SPH_FLIP_GEO, which
 * mirrors the plane left to right (x -> -x), as healpy's flip='geo'.
 *
 * The view's frame (coord) may differ from the map's: a Galactic map shown in Equatorial
 * coordinates rotates every direction from the view's frame to the map's before asking
 * for its pixel (healpy's coord=['G', 'C']). */

typedef enum {
  SPH_PROJ_MOLLWEIDE = 0,
  SPH_PROJ_ORTHOGRAPHIC,
  SPH_PROJ_GNOMONIC,
  SPH_PROJ_CARTESIAN,
  SPH_PROJ_COUNT
} SphProjectionKind;

typedef enum { SPH_FLIP_ASTRO = 0, SPH_FLIP_GEO } SphFlip;

typedef struct {
  SphProjectionKind kind;
  double rot[3];      /* healpy's rot = (lon, lat, psi), degrees, in the view's frame */
  SphFlip flip;
  SphCoordSys coord;  /* the view's frame; SPH_COORD_UNKNOWN: the map's own, no change */
  bool half_sky;      /* orthographic: one globe (true) or healpy's two (false) */
  double reso;        /* gnomonic: arcmin per cell on the tangent plane */
  int xsize, ysize;   /* gnomonic: cells across and down */
} SphProjection;

#define SPH_GNOMONIC_DEFAULT_RESO 1.5 /* arcmin, healpy's gnomview */
#define SPH_GNOMONIC_DEFAULT_SIZE 200 /* cells, healpy's gnomview */

/* Defaults: no rotation, astro flip, the map's frame, one globe, and gnomview's 200 x 200
 * cells of 1.5 arcmin. A zero-filled struct is a valid Mollweide view. */
void sph_projection_init(SphProjection *proj, SphProjectionKind kind);
/* SPH_OK, or SPH_ERR_INVALID naming the bad member (unknown kind or flip, a non-finite
 * angle, latitude outside [-90, 90], a gnomonic reso or size that is not positive). */
SphStatus sph_projection_check(const SphProjection *proj, SphError *err);

const char *sph_projection_kind_name(SphProjectionKind kind); /* "mollweide", ... ; NULL */
/* Case-insensitive: mollweide|moll, orthographic|ortho, gnomonic|gnom, cartesian|cart. */
bool sph_projection_kind_from_name(const char *name, SphProjectionKind *kind);

/* Half-widths of the plane's bounding box: every point the projection uses lies in
 * [-xmax, xmax] x [-ymax, ymax]. */
void sph_projection_extent(const SphProjection *proj, double *xmax, double *ymax);
/* Whether every direction of the sphere has a point on the plane (so a view shows the
 * whole map): Mollweide, Cartesian, and the two-globe orthographic. */
bool sph_projection_full_sky(const SphProjection *proj);
/* Whether (x, y) is a point of the projection: the ellipse, the disc(s), the box. */
bool sph_projection_plane_inside(const SphProjection *proj, double x, double y);

/* The plane and the directions of the projection's own frame, before the view's
 * rotation (healpy's xy2vec / vec2xy with direct=True). plane_to_local is false, v
 * untouched, outside the projection; local_to_plane is false where the direction has no
 * point (the far side of a globe or a gnomonic plane, outside the gnomonic box). */
bool sph_projection_plane_to_local(const SphProjection *proj, double x, double y, double v[3]);
bool sph_projection_local_to_plane(const SphProjection *proj, const double v[3], double *x,
                                   double *y);

/* healpy's Rotator(rot=proj->rot).mat: view-frame vectors to the projection's frame. */
void sph_projection_rotation(const SphProjection *proj, double m[3][3]);

/* The bounding box fills the largest box of its aspect centred in a width x height image,
 * as the Mollweide layout above: k = min(width / (2 xmax), height / (2 ymax)) pixels per
 * plane unit, x = (px - width/2) / k, y = (height/2 - py) / k; pixel (i, j) has its centre
 * at (i + 0.5, j + 0.5). For Mollweide these are exactly sph_mollweide_image_to_plane()
 * and sph_mollweide_plane_to_image(). */
void sph_projection_image_to_plane(const SphProjection *proj, int width, int height, double px,
                                   double py, double *x, double *y);
void sph_projection_plane_to_image(const SphProjection *proj, int width, int height, double x,
                                   double y, double *px, double *py);

/* A projection bound to the frame of the directions it takes and gives: the map's frame
 * for a renderer, a graticule's frame for its lines. Directions are converted between
 * that frame and the view's (proj->coord) when both are known, and the view's rotation is
 * applied. Plain data, computed once; free with sph_projector_free(). */
typedef struct SphProjector SphProjector;

SphProjector *sph_projector_new(const SphProjection *proj, SphCoordSys frame, SphError *err);
void sph_projector_free(SphProjector *projector);
const SphProjection *sph_projector_projection(const SphProjector *projector);
/* Whether directions go to and from the plane unrotated (no rotation, no frame change). */
bool sph_projector_is_direct(const SphProjector *projector);

/* The direction (in the projector's frame) that the plane point shows; false outside. */
bool sph_projector_plane_to_vec(const SphProjector *projector, double x, double y, double v[3]);
/* As plane_to_vec, as angles; for a direct Mollweide or Cartesian projector these are the
 * inverse projection's own angles, bit for bit (no round trip through a vector). */
bool sph_projector_plane_to_ang(const SphProjector *projector, double x, double y,
                                double *theta, double *phi);
/* The plane point of a direction (in the projector's frame); false where it is not shown. */
bool sph_projector_vec_to_plane(const SphProjector *projector, const double v[3], double *x,
                                double *y);
bool sph_projector_ang_to_plane(const SphProjector *projector, double theta, double phi,
                                double *x, double *y);
