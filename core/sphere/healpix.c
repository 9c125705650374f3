/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HEALPix pixel functions (Gorski et al. 2005, ApJ 622, 759), following the algorithms of
 * HEALPix C++ (Healpix_Base) so that indices, angles, corners and neighbours agree with
 * healpy. The geometry shared with query_disc.c lives in hp_base.h. */

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "hp_base.h"
#include "sphaera/healpix.h"

bool sph_hp_nside_valid(int64_t nside) {
  return nside >= 1 && nside <= SPH_HP_MAX_NSIDE && (nside & (nside - 1)) == 0;
}

int sph_hp_nside2order(int64_t nside) {
  return sph_hp_nside_valid(nside) ? __builtin_ctzll((unsigned long long)nside) : -1;
}

int64_t sph_hp_nside2npix(int64_t nside) { return 12 * nside * nside; }

int64_t sph_hp_npix2nside(int64_t npix) {
  if (npix < 12 || npix % 12 != 0)
    return -1;
  int64_t nside = hp_isqrt(npix / 12);
  if (nside * nside * 12 != npix || !sph_hp_nside_valid(nside))
    return -1;
  return nside;
}

double sph_hp_pixel_area(int64_t nside) {
  /* healpy's nside2pixarea: pi / (3 nside^2), the same double as 4 pi / npix */
  double n = (double)nside;
  return HP_PI / (3.0 * n * n);
}

bool sph_hp_is_unseen(double value) {
  /* healpy's mask_bad: |m - UNSEEN| <= atol + rtol |UNSEEN| with rtol 1e-5, atol 1e-8 */
  return isnan(value) || fabs(value - SPH_UNSEEN) <= 1.0e-8 + 1.0e-5 * fabs(SPH_UNSEEN);
}

/* ---- angles and vectors ---------------------------------------------------------- */

static inline int64_t hp_ang2pix(const HpBase *b, SphOrdering ord, double theta, double phi) {
  if (!isfinite(theta) || !isfinite(phi))
    return -1;
  /* Within 0.01 rad of a pole, 1 - |cos theta| keeps too few digits: use sin theta. */
  if (theta < 0.01 || theta > 3.14159 - 0.01)
    return hp_loc2pix(b, ord, cos(theta), phi, sin(theta), true);
  return hp_loc2pix(b, ord, cos(theta), phi, 0.0, false);
}

static inline double hp_ring_theta(const HpBase *b, int64_t ring) {
  double z, sth;
  bool have_sth;
  hp_ring2loc(b, ring, &z, &sth, &have_sth);
  return have_sth ? atan2(sth, z) : acos(z);
}

static inline void hp_pix2ang(const HpBase *b, SphOrdering ord, int64_t pix, double *theta,
                              double *phi) {
  *theta = hp_ring_theta(b, hp_pix2ring_phi(b, ord, pix, phi));
}

static inline int64_t hp_vec2pix(const HpBase *b, SphOrdering ord, const double vec[3]) {
  const double *v = vec;
  double len2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
  double scaled[3];
  if (!(len2 > 1e-280 && len2 < 1e280)) {
    /* zero, NaN or infinite; or lengths whose square leaves the double range */
    double m = fmax(fabs(v[0]), fmax(fabs(v[1]), fabs(v[2])));
    if (!(m > 0.0) || !isfinite(m) || isnan(len2))
      return -1;
    for (int k = 0; k < 3; ++k)
      scaled[k] = v[k] / m;
    v = scaled;
    len2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
  }
  double xl = 1.0 / sqrt(len2);
  double phi = (v[0] == 0.0 && v[1] == 0.0) ? 0.0 : atan2(v[1], v[0]);
  double nz = v[2] * xl;
  if (fabs(nz) > 0.99)
    return hp_loc2pix(b, ord, nz, phi, sqrt(v[0] * v[0] + v[1] * v[1]) * xl, true);
  return hp_loc2pix(b, ord, nz, phi, 0.0, false);
}

int64_t sph_hp_ang2pix_ring(int64_t nside, double theta, double phi) {
  HpBase b = hp_base(nside);
  return hp_ang2pix(&b, SPH_ORDER_RING, theta, phi);
}

int64_t sph_hp_ang2pix_nest(int64_t nside, double theta, double phi) {
  HpBase b = hp_base(nside);
  return hp_ang2pix(&b, SPH_ORDER_NEST, theta, phi);
}

void sph_hp_pix2ang_ring(int64_t nside, int64_t pix, double *theta, double *phi) {
  HpBase b = hp_base(nside);
  hp_pix2ang(&b, SPH_ORDER_RING, pix, theta, phi);
}

void sph_hp_pix2ang_nest(int64_t nside, int64_t pix, double *theta, double *phi) {
  HpBase b = hp_base(nside);
  hp_pix2ang(&b, SPH_ORDER_NEST, pix, theta, phi);
}

int64_t sph_hp_vec2pix_ring(int64_t nside, const double vec[3]) {
  HpBase b = hp_base(nside);
  return hp_vec2pix(&b, SPH_ORDER_RING, vec);
}

int64_t sph_hp_vec2pix_nest(int64_t nside, const double vec[3]) {
  HpBase b = hp_base(nside);
  return hp_vec2pix(&b, SPH_ORDER_NEST, vec);
}

void sph_hp_pix2vec_ring(int64_t nside, int64_t pix, double vec[3]) {
  HpBase b = hp_base(nside);
  hp_pix2vec(&b, SPH_ORDER_RING, pix, vec);
}

void sph_hp_pix2vec_nest(int64_t nside, int64_t pix, double vec[3]) {
  HpBase b = hp_base(nside);
  hp_pix2vec(&b, SPH_ORDER_NEST, pix, vec);
}

/* ---- many points at once ----------------------------------------------------------- */

/* Below this many points the threads cost more than they save. */
#define HP_PARALLEL_MIN 32768

void sph_hp_ang2pix_many(int64_t nside, SphOrdering ordering, size_t n, const double *theta,
                         const double *phi, int64_t *pix) {
  const HpBase b = hp_base(nside);
  const ptrdiff_t count = (ptrdiff_t)n;
  /* One loop per ordering, so the ordering test is not in the hot loop. */
  if (ordering == SPH_ORDER_NEST) {
#pragma omp parallel for schedule(static) if (count >= HP_PARALLEL_MIN)
    for (ptrdiff_t i = 0; i < count; ++i)
      pix[i] = hp_ang2pix(&b, SPH_ORDER_NEST, theta[i], phi[i]);
  } else {
#pragma omp parallel for schedule(static) if (count >= HP_PARALLEL_MIN)
    for (ptrdiff_t i = 0; i < count; ++i)
      pix[i] = hp_ang2pix(&b, SPH_ORDER_RING, theta[i], phi[i]);
  }
}

/* With many more points than rings, theta comes from a table of the rings' colatitudes
 * (the same doubles pix2ang computes, without an acos or atan2 per point). */
#define HP_THETA_TABLE_MAX_RINGS 65536

void sph_hp_pix2ang_many(int64_t nside, SphOrdering ordering, size_t n, const int64_t *pix,
                         double *theta, double *phi) {
  const HpBase b = hp_base(nside);
  const ptrdiff_t count = (ptrdiff_t)n;
  const int64_t nrings = 4 * nside - 1;
  double *ring_theta = NULL;
  if (nrings <= HP_THETA_TABLE_MAX_RINGS && (int64_t)n >= 8 * nrings)
    ring_theta = malloc((size_t)(nrings + 1) * sizeof *ring_theta);
  if (ring_theta) {
    for (int64_t r = 1; r <= nrings; ++r)
      ring_theta[r] = hp_ring_theta(&b, r);
    if (ordering == SPH_ORDER_NEST) {
#pragma omp parallel for schedule(static) if (count >= HP_PARALLEL_MIN)
      for (ptrdiff_t i = 0; i < count; ++i)
        theta[i] = ring_theta[hp_pix2ring_phi(&b, SPH_ORDER_NEST, pix[i], &phi[i])];
    } else {
#pragma omp parallel for schedule(static) if (count >= HP_PARALLEL_MIN)
      for (ptrdiff_t i = 0; i < count; ++i)
        theta[i] = ring_theta[hp_pix2ring_phi(&b, SPH_ORDER_RING, pix[i], &phi[i])];
    }
    free(ring_theta);
    return;
  }
  if (ordering == SPH_ORDER_NEST) {
#pragma omp parallel for schedule(static) if (count >= HP_PARALLEL_MIN)
    for (ptrdiff_t i = 0; i < count; ++i)
      hp_pix2ang(&b, SPH_ORDER_NEST, pix[i], &theta[i], &phi[i]);
  } else {
#pragma omp parallel for schedule(static) if (count >= HP_PARALLEL_MIN)
    for (ptrdiff_t i = 0; i < count; ++i)
      hp_pix2ang(&b, SPH_ORDER_RING, pix[i], &theta[i], &phi[i]);
  }
}

/* ---- orderings --------------------------------------------------------------------- */

int64_t sph_hp_ring2nest(int64_t nside, int64_t ring_pix) {
  HpBase b = hp_base(nside);
  int ix, iy, face;
  hp_ring2xyf(&b, ring_pix, &ix, &iy, &face);
  return hp_xyf2nest(&b, ix, iy, face);
}

int64_t sph_hp_nest2ring(int64_t nside, int64_t nest_pix) {
  HpBase b = hp_base(nside);
  int ix, iy, face;
  hp_nest2xyf(&b, nest_pix, &ix, &iy, &face);
  return hp_xyf2ring(&b, ix, iy, face);
}

/* ---- corners ----------------------------------------------------------------------- */

/* (z, phi) of the point (x, y) in face coordinates, both in [0, 1] across the face. */
static void hp_xyf2loc(double x, double y, int face, double *z, double *phi, double *sth,
                       bool *have_sth) {
  *have_sth = false;
  *sth = 0.0;
  double jr = hp_jrll[face] - x - y;
  double nr;
  if (jr < 1) {
    nr = jr;
    double tmp = nr * nr / 3.0;
    *z = 1 - tmp;
    if (*z > 0.99) {
      *sth = sqrt(tmp * (2.0 - tmp));
      *have_sth = true;
    }
  } else if (jr > 3) {
    nr = 4 - jr;
    double tmp = nr * nr / 3.0;
    *z = tmp - 1;
    if (*z < -0.99) {
      *sth = sqrt(tmp * (2.0 - tmp));
      *have_sth = true;
    }
  } else {
    nr = 1;
    *z = (2 - jr) * 2.0 / 3.0;
  }
  double tmp = hp_jpll[face] * nr + x - y;
  if (tmp < 0)
    tmp += 8;
  if (tmp >= 8)
    tmp -= 8;
  *phi = (nr < 1e-15) ? 0 : (0.5 * HP_HALFPI * tmp) / nr;
}

static void hp_corners(SphOrdering ord, int64_t nside, int64_t pix, double corners[4][3]) {
  HpBase b = hp_base(nside);
  int ix, iy, face;
  hp_pix2xyf(&b, ord, pix, &ix, &iy, &face);
  double ns = (double)nside;
  double dc = 0.5 / ns;
  double xc = (ix + 0.5) / ns, yc = (iy + 0.5) / ns;
  /* north (x and y largest), west, south, east: healpy's boundaries(step=1) */
  const double cx[4] = {xc + dc, xc - dc, xc - dc, xc + dc};
  const double cy[4] = {yc + dc, yc + dc, yc - dc, yc - dc};
  for (int k = 0; k < 4; ++k) {
    double z, phi, sth;
    bool have_sth;
    hp_xyf2loc(cx[k], cy[k], face, &z, &phi, &sth, &have_sth);
    hp_loc2vec(z, phi, sth, have_sth, corners[k]);
  }
}

void sph_hp_corners_ring(int64_t nside, int64_t pix, double corners[4][3]) {
  hp_corners(SPH_ORDER_RING, nside, pix, corners);
}

void sph_hp_corners_nest(int64_t nside, int64_t pix, double corners[4][3]) {
  hp_corners(SPH_ORDER_NEST, nside, pix, corners);
}

/* ---- neighbours -------------------------------------------------------------------- */

/* Offsets in face coordinates of SW, W, NW, N, NE, E, SE, S (x grows to the NE, y to
 * the NW). */
static const int hp_nb_xoffset[8] = {-1, -1, 0, 1, 1, 1, 0, -1};
static const int hp_nb_yoffset[8] = {0, 1, 1, 1, 0, -1, -1, -1};
/* The face across an edge or corner: row is 4 + 3 dy + dx for the face offset (dx, dy)
 * in -1..1, column the current face; -1 where no face touches there. */
static const int hp_nb_facearray[9][12] = {
    {8, 9, 10, 11, -1, -1, -1, -1, 10, 11, 8, 9}, /* S */
    {5, 6, 7, 4, 8, 9, 10, 11, 9, 10, 11, 8},     /* SE */
    {-1, -1, -1, -1, 5, 6, 7, 4, -1, -1, -1, -1}, /* E */
    {4, 5, 6, 7, 11, 8, 9, 10, 11, 8, 9, 10},     /* SW */
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},       /* centre */
    {1, 2, 3, 0, 0, 1, 2, 3, 5, 6, 7, 4},         /* NE */
    {-1, -1, -1, -1, 7, 4, 5, 6, -1, -1, -1, -1}, /* W */
    {3, 0, 1, 2, 3, 0, 1, 2, 4, 5, 6, 7},         /* NW */
    {2, 3, 0, 1, -1, -1, -1, -1, 0, 1, 2, 3},     /* N */
};
/* How the coordinates turn on entering that face, per row of faces (north, equator,
 * south): bit 1 mirrors x, bit 2 mirrors y, bit 4 swaps x and y. */
static const int hp_nb_swaparray[9][3] = {
    {0, 0, 3}, /* S */
    {0, 0, 6}, /* SE */
    {0, 0, 0}, /* E */
    {0, 0, 5}, /* SW */
    {0, 0, 0}, /* centre */
    {5, 0, 0}, /* NE */
    {0, 0, 0}, /* W */
    {6, 0, 0}, /* NW */
    {3, 0, 0}, /* N */
};

static void hp_neighbours(SphOrdering ord, int64_t nside, int64_t pix, int64_t out[8]) {
  HpBase b = hp_base(nside);
  int ix, iy, face;
  hp_pix2xyf(&b, ord, pix, &ix, &iy, &face);
  const int ns = (int)nside, nsm1 = ns - 1;

  if (ix > 0 && ix < nsm1 && iy > 0 && iy < nsm1) {
    if (ord == SPH_ORDER_RING) {
      for (int m = 0; m < 8; ++m)
        out[m] = hp_xyf2ring(&b, ix + hp_nb_xoffset[m], iy + hp_nb_yoffset[m], face);
    } else {
      int64_t fpix = (int64_t)face << (2 * b.order);
      int64_t px0 = (int64_t)hp_spread_bits((uint32_t)ix);
      int64_t py0 = (int64_t)hp_spread_bits((uint32_t)iy) << 1;
      int64_t pxp = (int64_t)hp_spread_bits((uint32_t)(ix + 1));
      int64_t pyp = (int64_t)hp_spread_bits((uint32_t)(iy + 1)) << 1;
      int64_t pxm = (int64_t)hp_spread_bits((uint32_t)(ix - 1));
      int64_t pym = (int64_t)hp_spread_bits((uint32_t)(iy - 1)) << 1;
      out[0] = fpix + pxm + py0;
      out[1] = fpix + pxm + pyp;
      out[2] = fpix + px0 + pyp;
      out[3] = fpix + pxp + pyp;
      out[4] = fpix + pxp + py0;
      out[5] = fpix + pxp + pym;
      out[6] = fpix + px0 + pym;
      out[7] = fpix + pxm + pym;
    }
    return;
  }

  for (int i = 0; i < 8; ++i) {
    int x = ix + hp_nb_xoffset[i], y = iy + hp_nb_yoffset[i];
    int nbnum = 4;
    if (x < 0) {
      x += ns;
      nbnum -= 1;
    } else if (x >= ns) {
      x -= ns;
      nbnum += 1;
    }
    if (y < 0) {
      y += ns;
      nbnum -= 3;
    } else if (y >= ns) {
      y -= ns;
      nbnum += 3;
    }
    int f = hp_nb_facearray[nbnum][face];
    if (f < 0) {
      out[i] = -1;
      continue;
    }
    int bits = hp_nb_swaparray[nbnum][face >> 2];
    if (bits & 1)
      x = ns - x - 1;
    if (bits & 2)
      y = ns - y - 1;
    if (bits & 4) {
      int t = x;
      x = y;
      y = t;
    }
    out[i] = hp_xyf2pix(&b, ord, x, y, f);
  }
}

void sph_hp_neighbours_ring(int64_t nside, int64_t pix, int64_t out[8]) {
  hp_neighbours(SPH_ORDER_RING, nside, pix, out);
}

void sph_hp_neighbours_nest(int64_t nside, int64_t pix, int64_t out[8]) {
  hp_neighbours(SPH_ORDER_NEST, nside, pix, out);
}

/* ---- rings ------------------------------------------------------------------------- */

int64_t sph_hp_nrings(int64_t nside) { return 4 * nside - 1; }

int64_t sph_hp_ring_of_pixel(int64_t nside, int64_t ring_pix) {
  HpBase b = hp_base(nside);
  if (ring_pix < b.ncap)
    return (1 + hp_isqrt(1 + 2 * ring_pix)) >> 1;
  if (ring_pix < b.npix - b.ncap)
    return ((ring_pix - b.ncap) >> (b.order + 2)) + nside;
  return 4 * nside - ((1 + hp_isqrt(2 * (b.npix - ring_pix) - 1)) >> 1);
}

void sph_hp_ring_info(int64_t nside, int64_t ring, SphHpRingInfo *info) {
  HpBase b = hp_base(nside);
  hp_ring_info_small(&b, ring, &info->first_pixel, &info->npixels, &info->shifted);
  /* From the first pixel's centre, so theta and phi0 are pix2ang's to the last bit. */
  hp_pix2ang(&b, SPH_ORDER_RING, info->first_pixel, &info->theta, &info->phi0);
}
