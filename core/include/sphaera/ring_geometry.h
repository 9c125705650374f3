/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sphaera/error.h"

/* A pixelisation of the sphere into iso-latitude rings of equally spaced pixels: the
 * shape every fast spherical harmonic transform needs (HEALPix, Gauss-Legendre,
 * McEwen-Wiaux, Clenshaw-Curtis, or any list of rings). Ring r holds nphi pixels at
 * colatitude theta and longitudes phi0 + 2 pi j / nphi, j = 0..nphi-1, stored at map
 * indices offset..offset+nphi-1.
 *
 * weight is the quadrature weight of each pixel of the ring:
 *     integral of f over the sphere ~ sum_r weight_r sum_j f(theta_r, phi_j),
 * exact for band-limited f where the grid has an exact rule (Gauss-Legendre and
 * Clenshaw-Curtis), approximate for HEALPix (4 pi / npix, as healpy without ring
 * weights). McEwen-Wiaux sampling has no exact per-ring rule (its exact analysis
 * resamples in theta first, which the SHT plan does): there weight is 0.
 *
 * The geometry also pairs rings placed symmetrically about the equator (theta and
 * pi - theta): a transform computes the Legendre values once for both. */

typedef enum {
  SPH_GRID_CUSTOM = 0,
  SPH_GRID_HEALPIX,          /* HEALPix RING ordering */
  SPH_GRID_GAUSS_LEGENDRE,   /* nodes of P_n(cos theta): exact for lmax < nrings */
  SPH_GRID_MW,               /* McEwen & Wiaux 2011: L rings of 2L-1, exact for lmax < L */
  SPH_GRID_CLENSHAW_CURTIS,  /* theta = pi v / (nrings-1), poles included */
} SphGridKind;

typedef struct {
  double theta;   /* colatitude in [0, pi] */
  double phi0;    /* longitude of the first pixel */
  int64_t nphi;   /* pixels in the ring, >= 1 */
  int64_t offset; /* map index of the ring's first pixel */
  double weight;  /* quadrature weight per pixel (see above) */
} SphRing;

/* A pair of rings at theta and pi - theta (north has the smaller theta), or a lone ring
 * (south = -1) with no mirror image. */
typedef struct {
  int north;
  int south;
} SphRingPair;

typedef struct SphRingGeometry SphRingGeometry;

/* Any set of rings; npix is the length of the maps (every ring must fit in it, and rings
 * must not overlap). The rings are copied. */
SphRingGeometry *sph_ring_geometry_new(const SphRing *rings, int nrings, int64_t npix,
                                       SphError *err);
/* HEALPix RING ordering, any NSIDE >= 1 (not only powers of two), ring weights 4 pi/npix. */
SphRingGeometry *sph_ring_geometry_healpix(int64_t nside, SphError *err);
/* ---- HEALPix ring weights (healpy's map2alm(use_weights=True)) ----
 * dweight[r], r = 0..2 NSIDE - 1, for HEALPix rings 1..2 NSIDE (north pole to equator;
 * the south mirrors them): ring r's pixels weigh (1 + dweight[r]) 4 pi/npix, the layout
 * of healpy-data's weight_ring_n*.fits.
 *
 * sph_healpix_ring_weights computes them as HEALPix did for those files: of the
 * corrections that make the quadrature exact for P_l(cos theta), l <= lmax, the
 * smallest in sum_r (pixels_r dweight_r)^2 (lmax < 0: the lmax of HEALPix's table for
 * this NSIDE, sph_healpix_ring_weights_lmax). Needs lmax <= 4 NSIDE - 2 and NSIDE <=
 * 8192; costs a dense least-squares solve of (lmax/2) x 2 NSIDE (0.1 s at NSIDE 512,
 * a few seconds at 2048). */
int sph_healpix_ring_weights_lmax(int64_t nside);
SphStatus sph_healpix_ring_weights(int64_t nside, int lmax, double *dweight, SphError *err);
/* HEALPix RING geometry with those ring weights (a plan on it analyses as healpy's
 * map2alm(use_weights=True), iterations included). */
SphRingGeometry *sph_ring_geometry_healpix_weighted(int64_t nside, const double *dweight,
                                                   SphError *err);
/* nrings Gauss-Legendre rings (nodes and weights by Newton's method on P_nrings to
 * machine precision) of nphi pixels each, phi0 = 0; nphi <= 0 means 2 nrings - 1. */
SphRingGeometry *sph_ring_geometry_gauss_legendre(int nrings, int64_t nphi, SphError *err);
/* McEwen-Wiaux sampling for band limit L: theta_t = pi (2t+1)/(2L-1), t = 0..L-1 (the
 * last ring is the south pole), phi_p = 2 pi p/(2L-1); L (2L-1) pixels, t-major. */
SphRingGeometry *sph_ring_geometry_mw(int L, SphError *err);
/* Clenshaw-Curtis: nrings >= 2 rings at theta = pi v/(nrings-1), both poles included,
 * with the Clenshaw-Curtis weights: exact for lmax <= (nrings-1)/2; nphi <= 0 means
 * 2 nrings - 1. */
SphRingGeometry *sph_ring_geometry_clenshaw_curtis(int nrings, int64_t nphi, SphError *err);

SphRingGeometry *sph_ring_geometry_copy(const SphRingGeometry *geometry, SphError *err);
void sph_ring_geometry_free(SphRingGeometry *geometry);

SphGridKind sph_ring_geometry_kind(const SphRingGeometry *geometry);
const char *sph_grid_kind_name(SphGridKind kind); /* "healpix", "gauss-legendre", ... */
int sph_ring_geometry_nrings(const SphRingGeometry *geometry);
const SphRing *sph_ring_geometry_rings(const SphRingGeometry *geometry);
int64_t sph_ring_geometry_npix(const SphRingGeometry *geometry);
/* NSIDE of a HEALPix geometry, 0 for the others. */
int64_t sph_ring_geometry_nside(const SphRingGeometry *geometry);
/* The band limit L the grid samples exactly (transforms exact for lmax <= L - 1):
 * nrings for Gauss-Legendre, L for McEwen-Wiaux, (nrings+1)/2 for Clenshaw-Curtis;
 * 0 where no exact rule exists (HEALPix, custom). */
int sph_ring_geometry_band_limit(const SphRingGeometry *geometry);
/* Largest m the grid resolves without aliasing on every ring: min over rings of
 * (nphi - 1) / 2. */
int sph_ring_geometry_mmax_unaliased(const SphRingGeometry *geometry);

/* The ring pairs, sorted by the north ring's theta; every ring is in exactly one. */
int sph_ring_geometry_npairs(const SphRingGeometry *geometry);
const SphRingPair *sph_ring_geometry_pairs(const SphRingGeometry *geometry);

/* Gauss-Legendre nodes and weights on [-1, 1] as colatitudes: theta[i] increasing, with
 * sum_i w[i] g(cos theta[i]) = integral_{-1}^{1} g(x) dx for polynomials of degree < 2n. */
SphStatus sph_gauss_legendre(int n, double *theta, double *weight, SphError *err);
/* Clenshaw-Curtis weights for theta_v = pi v/(n-1), v = 0..n-1 (n >= 2): exact for
 * polynomials in cos theta of degree <= n - 1. */
SphStatus sph_clenshaw_curtis_weights(int n, double *weight, SphError *err);
