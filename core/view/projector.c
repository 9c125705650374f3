/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The four projections behind one descriptor: their planes (healpy's), their layout in
 * an image, and a projector that adds the view's rotation and frame. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sphaera/coords.h"
#include "sphaera/projection.h"

#define DEG (M_PI / 180.0)
#define ARCMIN (M_PI / (180.0 * 60.0))

void sph_projection_init(SphProjection *proj, SphProjectionKind kind)
{
  memset(proj, 0, sizeof *proj);
  proj->kind = kind;
  proj->flip = SPH_FLIP_ASTRO;
  proj->coord = SPH_COORD_UNKNOWN;
  proj->half_sky = true;
  proj->reso = SPH_GNOMONIC_DEFAULT_RESO;
  proj->xsize = SPH_GNOMONIC_DEFAULT_SIZE;
  proj->ysize = SPH_GNOMONIC_DEFAULT_SIZE;
}

static const char *const kind_names[SPH_PROJ_COUNT] = {
    [SPH_PROJ_MOLLWEIDE] = "mollweide",
    [SPH_PROJ_ORTHOGRAPHIC] = "orthographic",
    [SPH_PROJ_GNOMONIC] = "gnomonic",
    [SPH_PROJ_CARTESIAN] = "cartesian",
};

const char *sph_projection_kind_name(SphProjectionKind kind)
{
  return (int)kind >= 0 && kind < SPH_PROJ_COUNT ? kind_names[kind] : NULL;
}

bool sph_projection_kind_from_name(const char *name, SphProjectionKind *kind)
{
  static const struct {
    const char *name;
    SphProjectionKind kind;
  } names[] = {
      {"mollweide", SPH_PROJ_MOLLWEIDE},    {"moll", SPH_PROJ_MOLLWEIDE},
      {"orthographic", SPH_PROJ_ORTHOGRAPHIC}, {"ortho", SPH_PROJ_ORTHOGRAPHIC},
      {"gnomonic", SPH_PROJ_GNOMONIC},      {"gnom", SPH_PROJ_GNOMONIC},
      {"cartesian", SPH_PROJ_CARTESIAN},    {"cart", SPH_PROJ_CARTESIAN},
  };
  if (name == NULL)
    return false;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcasecmp(name, names[i].name) == 0) {
      if (kind != NULL)
        *kind = names[i].kind;
      return true;
    }
  }
  return false;
}

SphStatus sph_projection_check(const SphProjection *p, SphError *err)
{
  if (p == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "no projection");
  if ((int)p->kind < 0 || p->kind >= SPH_PROJ_COUNT)
    return sph_error_set(err, SPH_ERR_INVALID, "unknown projection %d", (int)p->kind);
  if (p->flip != SPH_FLIP_ASTRO && p->flip != SPH_FLIP_GEO)
    return sph_error_set(err, SPH_ERR_INVALID, "unknown flip %d (astro or geo)", (int)p->flip);
  for (int i = 0; i < 3; i++)
    if (!isfinite(p->rot[i]))
      return sph_error_set(err, SPH_ERR_INVALID, "the view rotation (%g, %g, %g) is not finite",
                           p->rot[0], p->rot[1], p->rot[2]);
  if (fabs(p->rot[1]) > 90.0)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "the view centre's latitude %g is not in [-90, 90] degrees", p->rot[1]);
  if ((int)p->coord < SPH_COORD_UNKNOWN || p->coord > SPH_COORD_ECLIPTIC)
    return sph_error_set(err, SPH_ERR_INVALID, "unknown coordinate frame %d", (int)p->coord);
  if (p->kind == SPH_PROJ_GNOMONIC) {
    if (!(p->reso > 0.0) || !isfinite(p->reso))
      return sph_error_set(err, SPH_ERR_INVALID,
                           "the gnomonic resolution %g arcmin is not a positive number",
                           p->reso);
    if (p->xsize < 1 || p->ysize < 1)
      return sph_error_set(err, SPH_ERR_INVALID,
                           "the gnomonic grid %d x %d is not at least 1 x 1", p->xsize,
                           p->ysize);
  }
  return SPH_OK;
}

void sph_projection_extent(const SphProjection *p, double *xmax, double *ymax)
{
  switch (p->kind) {
  case SPH_PROJ_ORTHOGRAPHIC:
    *xmax = p->half_sky ? 1.0 : 2.0;
    *ymax = 1.0;
    break;
  case SPH_PROJ_GNOMONIC:
    *xmax = 0.5 * p->xsize * p->reso * ARCMIN;
    *ymax = 0.5 * p->ysize * p->reso * ARCMIN;
    break;
  case SPH_PROJ_CARTESIAN:
    *xmax = 180.0;
    *ymax = 90.0;
    break;
  default:
    *xmax = SPH_MOLLWEIDE_XMAX;
    *ymax = SPH_MOLLWEIDE_YMAX;
    break;
  }
}

bool sph_projection_full_sky(const SphProjection *p)
{
  return p->kind == SPH_PROJ_MOLLWEIDE || p->kind == SPH_PROJ_CARTESIAN ||
         (p->kind == SPH_PROJ_ORTHOGRAPHIC && !p->half_sky);
}

bool sph_projection_plane_inside(const SphProjection *p, double x, double y)
{
  switch (p->kind) {
  case SPH_PROJ_ORTHOGRAPHIC:
    if (p->half_sky)
      return x * x + y * y <= 1.0;
    {
      double u = fabs(x) - 1.0;
      return fabs(x) <= 2.0 && u * u + y * y <= 1.0;
    }
  case SPH_PROJ_GNOMONIC:
  case SPH_PROJ_CARTESIAN: {
    double xmax, ymax;
    sph_projection_extent(p, &xmax, &ymax);
    return fabs(x) <= xmax && fabs(y) <= ymax;
  }
  default: {
    double ex = x / SPH_MOLLWEIDE_XMAX, ey = y / SPH_MOLLWEIDE_YMAX;
    return ex * ex + ey * ey <= 1.0;
  }
  }
}

/* +1 for astro, where the plane's x is -v_y (longitude grows to the left); -1 for geo. */
static double flip_sign(const SphProjection *p)
{
  return p->flip == SPH_FLIP_GEO ? -1.0 : 1.0;
}

/* Orthographic, healpy's xy2vec: on one globe, (x', y) with x' = flip * v_y. */
static void ortho_globe(double xg, double y, bool far, double v[3])
{
  double c2 = 1.0 - xg * xg - y * y;
  double depth = c2 > 0.0 ? sqrt(c2) : 0.0;
  v[0] = far ? -depth : depth;
  v[1] = xg;
  v[2] = y;
}

/* The local angles of a plane point for the projections that have them natively. */
static bool plane_to_local_ang(const SphProjection *p, double x, double y, double *theta,
                               double *phi)
{
  double s = flip_sign(p);
  if (p->kind == SPH_PROJ_MOLLWEIDE)
    return sph_mollweide_inverse(s * x, y, theta, phi);
  /* Cartesian: theta = pi/2 - lat, phi = -x (astro), both from degrees. */
  if (!sph_projection_plane_inside(p, x, y))
    return false;
  *theta = 0.5 * M_PI - y * DEG;
  double ph = -s * x * DEG;
  if (ph < 0.0)
    ph += 2.0 * M_PI;
  if (ph >= 2.0 * M_PI)
    ph = 0.0;
  *phi = ph;
  return true;
}

bool sph_projection_plane_to_local(const SphProjection *p, double x, double y, double v[3])
{
  if (!sph_projection_plane_inside(p, x, y))
    return false;
  double s = flip_sign(p);
  switch (p->kind) {
  case SPH_PROJ_ORTHOGRAPHIC:
    if (p->half_sky) {
      ortho_globe(x, y, false, v);
    } else if (x > 0.0) {
      ortho_globe(1.0 - x, y, true, v); /* healpy: x > 0 is the far globe, unfolded */
    } else {
      ortho_globe(x + 1.0, y, false, v);
    }
    v[1] *= -s;
    return true;
  case SPH_PROJ_GNOMONIC: {
    double r = 1.0 / sqrt(1.0 + x * x + y * y);
    v[0] = r;
    v[1] = -s * x * r;
    v[2] = y * r;
    return true;
  }
  default: {
    double theta, phi;
    if (!plane_to_local_ang(p, x, y, &theta, &phi))
      return false;
    sph_ang2vec(theta, phi, v);
    return true;
  }
  }
}

bool sph_projection_local_to_plane(const SphProjection *p, const double v[3], double *x,
                                   double *y)
{
  double s = flip_sign(p);
  double px, py;
  switch (p->kind) {
  case SPH_PROJ_ORTHOGRAPHIC: {
    double n = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    if (!(n > 0.0))
      return false;
    double xg = -s * v[1] / n;
    py = v[2] / n;
    if (v[0] >= 0.0)
      px = p->half_sky ? xg : xg - 1.0;
    else if (!p->half_sky)
      px = 1.0 - xg;
    else
      return false;
    break;
  }
  case SPH_PROJ_GNOMONIC:
    if (!(v[0] > 0.0))
      return false;
    px = -s * v[1] / v[0];
    py = v[2] / v[0];
    break;
  case SPH_PROJ_CARTESIAN: {
    double theta, phi;
    sph_vec2ang(v, &theta, &phi);
    /* Longitude in [-pi, pi), 180 degrees on the right edge (healpy's reduction). */
    double lon = phi >= M_PI ? phi - 2.0 * M_PI : phi;
    if (lon >= M_PI)
      lon = -M_PI;
    px = -s * lon / DEG;
    py = 90.0 - theta / DEG;
    break;
  }
  default: {
    double theta, phi;
    sph_vec2ang(v, &theta, &phi);
    sph_mollweide_forward(theta, phi, &px, &py);
    px *= s;
    break;
  }
  }
  if (!sph_projection_plane_inside(p, px, py))
    return false;
  *x = px;
  *y = py;
  return true;
}

void sph_projection_rotation(const SphProjection *p, double m[3][3])
{
  sph_rotation_euler(SPH_EULER_ZYX, p->rot[0] * DEG, p->rot[1] * DEG, p->rot[2] * DEG, m);
}

static double image_scale(const SphProjection *p, int width, int height, double *xmax,
                          double *ymax)
{
  sph_projection_extent(p, xmax, ymax);
  double kx = width / (2.0 * *xmax), ky = height / (2.0 * *ymax);
  return kx < ky ? kx : ky;
}

void sph_projection_image_to_plane(const SphProjection *p, int width, int height, double px,
                                   double py, double *x, double *y)
{
  if (p->kind == SPH_PROJ_MOLLWEIDE) {
    sph_mollweide_image_to_plane(width, height, px, py, x, y);
    return;
  }
  double xmax, ymax;
  double k = image_scale(p, width, height, &xmax, &ymax);
  *x = (px - 0.5 * width) / k;
  *y = (0.5 * height - py) / k;
}

void sph_projection_plane_to_image(const SphProjection *p, int width, int height, double x,
                                   double y, double *px, double *py)
{
  if (p->kind == SPH_PROJ_MOLLWEIDE) {
    sph_mollweide_plane_to_image(width, height, x, y, px, py);
    return;
  }
  double xmax, ymax;
  double k = image_scale(p, width, height, &xmax, &ymax);
  *px = 0.5 * width + x * k;
  *py = 0.5 * height - y * k;
}

/* ---- the projector ---- */

struct SphProjector {
  SphProjection proj;
  bool direct;
  double to_frame[3][3];   /* projection frame -> the projector's frame */
  double from_frame[3][3]; /* its inverse */
};

SphProjector *sph_projector_new(const SphProjection *proj, SphCoordSys frame, SphError *err)
{
  if (sph_projection_check(proj, err) != SPH_OK)
    return NULL;
  SphProjector *pr = calloc(1, sizeof *pr);
  if (pr == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory for a projector");
    return NULL;
  }
  pr->proj = *proj;
  /* frame -> view frame -> projection frame. */
  double conv[3][3], rot[3][3];
  sph_coord_matrix(frame, proj->coord, conv);
  sph_projection_rotation(proj, rot);
  sph_rotation_multiply(rot, conv, pr->from_frame);
  sph_rotation_transpose(pr->from_frame, pr->to_frame);
  pr->direct = sph_rotation_is_identity(pr->from_frame);
  return pr;
}

void sph_projector_free(SphProjector *pr)
{
  free(pr);
}

const SphProjection *sph_projector_projection(const SphProjector *pr)
{
  return &pr->proj;
}

bool sph_projector_is_direct(const SphProjector *pr)
{
  return pr->direct;
}

bool sph_projector_plane_to_vec(const SphProjector *pr, double x, double y, double v[3])
{
  if (!sph_projection_plane_to_local(&pr->proj, x, y, v))
    return false;
  if (!pr->direct)
    sph_rotation_apply(pr->to_frame, v, v);
  return true;
}

bool sph_projector_plane_to_ang(const SphProjector *pr, double x, double y, double *theta,
                                double *phi)
{
  SphProjectionKind kind = pr->proj.kind;
  if (pr->direct && (kind == SPH_PROJ_MOLLWEIDE || kind == SPH_PROJ_CARTESIAN))
    return plane_to_local_ang(&pr->proj, x, y, theta, phi);
  double v[3];
  if (!sph_projector_plane_to_vec(pr, x, y, v))
    return false;
  sph_vec2ang(v, theta, phi);
  return true;
}

bool sph_projector_vec_to_plane(const SphProjector *pr, const double v[3], double *x, double *y)
{
  double local[3];
  if (pr->direct)
    memcpy(local, v, sizeof local);
  else
    sph_rotation_apply(pr->from_frame, v, local);
  return sph_projection_local_to_plane(&pr->proj, local, x, y);
}

bool sph_projector_ang_to_plane(const SphProjector *pr, double theta, double phi, double *x,
                                double *y)
{
  if (pr->direct && pr->proj.kind == SPH_PROJ_MOLLWEIDE) {
    /* Straight from the angles, as sph_mollweide_forward() takes them. */
    double px, py;
    sph_mollweide_forward(theta, phi, &px, &py);
    *x = flip_sign(&pr->proj) * px;
    *y = py;
    return true;
  }
  double v[3];
  sph_ang2vec(theta, phi, v);
  return sph_projector_vec_to_plane(pr, v, x, y);
}
