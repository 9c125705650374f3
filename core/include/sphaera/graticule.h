/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>

#include "sphaera/error.h"
#include "sphaera/map.h"
#include "sphaera/projection.h"

/* A graticule: meridians and parallels of a frame as polylines in image coordinates of
 * a view (any projection, rotation and frame), ready to be stroked as vector paths, with
 * an anchor point for each line's label.
 *
 * Each circle is sampled along its parameter (latitude for a meridian, longitude for a
 * parallel), projected, and refined where consecutive points lie far apart on the image:
 * a gap that closes as the step shrinks is a curve, one that does not is a
 * discontinuity (the Mollweide and Cartesian seam, the join of the two globes), and
 * the line is split there; where a line leaves the projection (a globe's limb, the
 * gnomonic box) the crossing is found by bisection and the piece ends on it. */

typedef enum { SPH_GRATICULE_MERIDIAN = 0, SPH_GRATICULE_PARALLEL } SphGraticuleKind;

/* One continuous piece of a meridian or parallel. */
typedef struct {
  SphGraticuleKind kind;
  double value;      /* degrees: a meridian's longitude in [0, 360), a parallel's latitude */
  size_t npoints;    /* at least 2 */
  const double *xy;  /* npoints (x, y) pairs, image coordinates (x right, y down) */
} SphGraticuleLine;

/* Where a line's label goes: a meridian's where it crosses the equator or, when that is
 * not shown in a gnomonic view, the lowest end of its pieces on the image's edge (no
 * label otherwise: meridians converging on a globe's pole stay unlabelled there); a
 * parallel's at its leftmost point. */
typedef struct {
  SphGraticuleKind kind;
  double value;
  double x, y;   /* image coordinates of the anchor */
  char text[24]; /* "30°", "-45°", "266.5°" (UTF-8) */
} SphGraticuleLabel;

typedef struct {
  double dlon, dlat;  /* spacing in degrees; <= 0: automatic */
  SphCoordSys frame;  /* the lines' frame; SPH_COORD_UNKNOWN: the view's own */
} SphGraticuleOptions;

typedef struct SphGraticule SphGraticule;

/* The graticule of a view drawn in a width x height image (laid out as
 * sph_projection_image_to_plane() says). Automatic spacing is healpy's 30 degrees for
 * views of the whole sky and the globe, and for gnomonic views the largest of 1, 2, 5,
 * 10, 15, 20, 30 arcmin or 1, 2, 5, 10, 15, 30 degrees that gives at least four lines
 * across the field. */
SphGraticule *sph_graticule_new(const SphProjection *proj, int width, int height,
                                const SphGraticuleOptions *options, SphError *err);
void sph_graticule_free(SphGraticule *graticule);

size_t sph_graticule_line_count(const SphGraticule *graticule);
const SphGraticuleLine *sph_graticule_line(const SphGraticule *graticule, size_t i);
size_t sph_graticule_label_count(const SphGraticule *graticule);
const SphGraticuleLabel *sph_graticule_label(const SphGraticule *graticule, size_t i);
/* The spacing used, in degrees. */
void sph_graticule_spacing(const SphGraticule *graticule, double *dlon, double *dlat);
