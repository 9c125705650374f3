/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sphaera/error.h"

/* HEALPix pixel functions (Gorski et al. 2005) for NSIDE = 2^k, k = 0..29, with 64-bit
 * pixel indices, in RING and NEST orderings. Pure functions with exact integer
 * arithmetic, in the manner of chealpix and healpy; theta is colatitude in [0, pi],
 * phi longitude in radians (any value; it is reduced modulo 2 pi). Arguments are not
 * checked in the per-pixel functions (they are hot): validate NSIDE once with
 * sph_hp_nside_valid() and pixels against sph_hp_nside2npix(). */

#define SPH_HP_MAX_ORDER 29
#define SPH_HP_MAX_NSIDE ((int64_t)1 << SPH_HP_MAX_ORDER)
/* healpy's marker for a missing pixel. */
#define SPH_UNSEEN (-1.6375e30)

typedef enum { SPH_ORDER_RING = 0, SPH_ORDER_NEST = 1 } SphOrdering;

bool sph_hp_nside_valid(int64_t nside);   /* a power of two in [1, 2^29] */
int sph_hp_nside2order(int64_t nside);    /* log2(nside), or -1 when not valid */
int64_t sph_hp_nside2npix(int64_t nside); /* 12 nside^2 */
/* NSIDE for a pixel count, or -1 when npix is not 12 nside^2 for a valid nside. */
int64_t sph_hp_npix2nside(int64_t npix);
double sph_hp_pixel_area(int64_t nside); /* steradians: 4 pi / npix */

/* True for the value healpy treats as UNSEEN (within its relative tolerance) and for NaN. */
bool sph_hp_is_unseen(double value);

int64_t sph_hp_ang2pix_ring(int64_t nside, double theta, double phi);
int64_t sph_hp_ang2pix_nest(int64_t nside, double theta, double phi);
void sph_hp_pix2ang_ring(int64_t nside, int64_t pix, double *theta, double *phi);
void sph_hp_pix2ang_nest(int64_t nside, int64_t pix, double *theta, double *phi);
/* vec need not be normalised; pix2vec returns a unit vector. */
int64_t sph_hp_vec2pix_ring(int64_t nside, const double vec[3]);
int64_t sph_hp_vec2pix_nest(int64_t nside, const double vec[3]);
void sph_hp_pix2vec_ring(int64_t nside, int64_t pix, double vec[3]);
void sph_hp_pix2vec_nest(int64_t nside, int64_t pix, double vec[3]);
/* ang2pix and vec2pix give -1 for a NaN or infinite input or a vector of length zero;
 * theta outside [0, pi] is not checked. Results are healpy's to the last bit. */

/* The same for n points at once, with OpenMP threads over the points (the team that
 * OMP_NUM_THREADS or omp_set_num_threads() sets). */
void sph_hp_ang2pix_many(int64_t nside, SphOrdering ordering, size_t n, const double *theta,
                         const double *phi, int64_t *pix);
void sph_hp_pix2ang_many(int64_t nside, SphOrdering ordering, size_t n, const int64_t *pix,
                         double *theta, double *phi);

int64_t sph_hp_ring2nest(int64_t nside, int64_t ring_pix);
int64_t sph_hp_nest2ring(int64_t nside, int64_t nest_pix);

/* The four corners of a pixel as unit vectors, in healpy's boundaries(step=1) order:
 * north, west, south, east (healpy's N, W, S, E). */
void sph_hp_corners_ring(int64_t nside, int64_t pix, double corners[4][3]);
void sph_hp_corners_nest(int64_t nside, int64_t pix, double corners[4][3]);

/* The 8 neighbours in healpy's get_all_neighbours order: SW, W, NW, N, NE, E, SE, S;
 * -1 where a neighbour does not exist (at the 8 corners where only 7 pixels meet). */
void sph_hp_neighbours_ring(int64_t nside, int64_t pix, int64_t out[8]);
void sph_hp_neighbours_nest(int64_t nside, int64_t pix, int64_t out[8]);

/* Rings are numbered 1..4 nside - 1 from north to south, as in HEALPix. */
int64_t sph_hp_nrings(int64_t nside);
int64_t sph_hp_ring_of_pixel(int64_t nside, int64_t ring_pix);
typedef struct {
  int64_t first_pixel; /* RING index of the ring's first pixel */
  int64_t npixels;     /* pixels in the ring */
  double theta;        /* colatitude of the ring's pixel centres */
  double phi0;         /* longitude of the first pixel centre */
  bool shifted;        /* phi0 != 0: the ring is offset by half a pixel */
} SphHpRingInfo;
void sph_hp_ring_info(int64_t nside, int64_t ring, SphHpRingInfo *info);

/* Pixels within radius (radians) of the direction vec: with inclusive false, those whose
 * centres lie inside the disc (exact); with inclusive true, every pixel that overlaps
 * it (possibly a few more, as healpy's inclusive=True with its default fact=4: overlap
 * is tested at 4 nside, or as fine as NSIDE 2^29 allows). The same pixels as healpy's
 * query_disc, except that distances stay accurate for discs a few pixels wide at large
 * NSIDE, where healpy's cosines run out of digits. *pixels is malloc'ed (free()), sorted
 * ascending; *count receives its length. Fails with SPH_ERR_INVALID for a bad argument
 * and SPH_ERR_NOMEM when the list would not fit in memory. */
SphStatus sph_hp_query_disc(int64_t nside, SphOrdering ordering, const double vec[3],
                            double radius, bool inclusive, int64_t **pixels, int64_t *count,
                            SphError *err);
