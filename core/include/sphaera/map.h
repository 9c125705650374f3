/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "sphaera/error.h"
#include "sphaera/healpix.h"

/* A HEALPix map: one or more fields (I, Q, U, ...) of npix doubles each, with the
 * ordering, coordinate frame and units that healpy keeps in the FITS header. Missing
 * pixels hold SPH_UNSEEN. The struct is plain data: read the fields directly, change
 * them through the functions below so the invariants hold. */

typedef enum {
  SPH_COORD_UNKNOWN = 0,
  SPH_COORD_GALACTIC,   /* COORDSYS 'G' */
  SPH_COORD_EQUATORIAL, /* COORDSYS 'C' (celestial) */
  SPH_COORD_ECLIPTIC,   /* COORDSYS 'E' */
} SphCoordSys;

#define SPH_MAP_NAME_MAX 72 /* a FITS keyword value fits in 68 characters */

typedef struct {
  char name[SPH_MAP_NAME_MAX]; /* TTYPEn, e.g. "TEMPERATURE", "I_STOKES" */
  char unit[SPH_MAP_NAME_MAX]; /* TUNITn, e.g. "mK", "K_CMB"; may be empty */
  double *values;              /* npix values, SPH_ALIGNMENT-aligned */
} SphMapField;

typedef struct {
  int64_t nside;
  int64_t npix;
  SphOrdering ordering;
  SphCoordSys coordsys;
  int nfields;
  SphMapField *fields;
} SphMap;

/* A map of nfields fields filled with zeros, named "FIELD1", ... with empty units. */
SphMap *sph_map_new(int64_t nside, SphOrdering ordering, int nfields, SphError *err);
/* As sph_map_new(), with the values left uninitialised: for readers that fill every pixel. */
SphMap *sph_map_new_uninit(int64_t nside, SphOrdering ordering, int nfields, SphError *err);
void sph_map_free(SphMap *map);
SphMap *sph_map_copy(const SphMap *map, SphError *err);

void sph_map_set_field_name(SphMap *map, int field, const char *name);
void sph_map_set_field_unit(SphMap *map, int field, const char *unit);

/* Reorders every field in place (no-op when it already has that ordering). */
SphStatus sph_map_reorder(SphMap *map, SphOrdering ordering, SphError *err);

/* A new map at nside_out, as healpy's ud_grade with pess=False: degrading averages the
 * seen sub-pixels of each parent (UNSEEN when all are unseen); upgrading copies each
 * parent into its children. Result has the input's ordering, frame, names and units. */
SphMap *sph_map_udgrade(const SphMap *map, int64_t nside_out, SphError *err);

typedef struct {
  int64_t nseen;         /* pixels that are not UNSEEN (or NaN) */
  double unseen_fraction;
  double min, max, mean; /* over seen pixels; NaN when none is seen */
  double rms;            /* sqrt(mean of squares) over seen pixels */
} SphMapStats;
void sph_map_field_stats(const SphMap *map, int field, SphMapStats *stats);

const char *sph_coordsys_name(SphCoordSys coordsys); /* "galactic", ... */
char sph_coordsys_letter(SphCoordSys coordsys);      /* 'G', 'C', 'E', or 0 */
SphCoordSys sph_coordsys_from_letter(char letter);   /* healpy also writes 'Q' for C */
const char *sph_ordering_name(SphOrdering ordering); /* "RING" or "NESTED" */
