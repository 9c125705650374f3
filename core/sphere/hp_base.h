/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Internal to core/sphere: the HEALPix geometry that healpix.c and query_disc.c share.
 * The floating-point steps follow HEALPix C++ (Healpix_Base, Reinecke) operation for
 * operation, so that results agree with healpy bit for bit, not only to rounding. */

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "sphaera/healpix.h"

#define HP_PI 3.141592653589793238462643383279502884197
#define HP_TWOPI 6.283185307179586476925286766559005768394
#define HP_HALFPI 1.570796326794896619231321691639751442099
#define HP_INV_HALFPI 0.6366197723675813430755350534900574
#define HP_INV_TWOPI (1.0 / HP_TWOPI)
#define HP_TWOTHIRD (2.0 / 3.0)

/* Everything derived from NSIDE that the pixel functions need. */
typedef struct {
  int order;
  int64_t nside;
  int64_t npface; /* pixels per base face: nside^2 */
  int64_t ncap;   /* pixels in the north polar cap: 2 nside (nside - 1) */
  int64_t npix;
  double fact2; /* 4 / npix */
  double fact1; /* 2 nside fact2 = 2 / (3 nside) */
} HpBase;

/* Ring index (jr) and longitude index (jp) of the 12 base faces' southern corners. */
static const int hp_jrll[12] = {2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4};
static const int hp_jpll[12] = {1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7};

static inline HpBase hp_base_order(int order) {
  HpBase b;
  b.order = order;
  b.nside = (int64_t)1 << order;
  b.npface = b.nside << order;
  b.ncap = (b.npface - b.nside) << 1;
  b.npix = 12 * b.npface;
  b.fact2 = 4.0 / (double)b.npix;
  b.fact1 = (double)(b.nside << 1) * b.fact2;
  return b;
}

/* nside must be valid (a power of two in [1, 2^29]). */
static inline HpBase hp_base(int64_t nside) {
  return hp_base_order(__builtin_ctzll((unsigned long long)nside));
}

/* The bits of v in the even bit positions of the result: the x half of a NEST index. */
static inline uint64_t hp_spread_bits(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFull;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFull;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | (x << 2)) & 0x3333333333333333ull;
  x = (x | (x << 1)) & 0x5555555555555555ull;
  return x;
}

/* The inverse of hp_spread_bits: the even bits of v, packed. */
static inline uint32_t hp_compress_bits(uint64_t v) {
  uint64_t x = v & 0x5555555555555555ull;
  x = (x | (x >> 1)) & 0x3333333333333333ull;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFull;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFull;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFull;
  return (uint32_t)x;
}

/* floor(sqrt(arg)) exactly for 0 <= arg < 2^62: the double estimate is off by at most
 * one beyond 2^52, so one correction step in each direction suffices. */
static inline int64_t hp_isqrt(int64_t arg) {
  int64_t r = (int64_t)sqrt((double)arg + 0.5);
  if (r * r > arg)
    --r;
  else if ((r + 1) * (r + 1) <= arg)
    ++r;
  return r;
}

/* v1 mod v2 in [0, v2) for finite v1 and v2 > 0. */
static inline double hp_fmodulo(double v1, double v2) {
  if (v1 >= 0)
    return (v1 < v2) ? v1 : fmod(v1, v2);
  double tmp = fmod(v1, v2) + v2;
  return (tmp == v2) ? 0.0 : tmp;
}

static inline int64_t hp_xyf2nest(const HpBase *b, int ix, int iy, int face) {
  return ((int64_t)face << (2 * b->order)) + (int64_t)hp_spread_bits((uint32_t)ix) +
         ((int64_t)hp_spread_bits((uint32_t)iy) << 1);
}

static inline void hp_nest2xyf(const HpBase *b, int64_t pix, int *ix, int *iy, int *face) {
  *face = (int)(pix >> (2 * b->order));
  uint64_t p = (uint64_t)(pix & (b->npface - 1));
  *ix = (int)hp_compress_bits(p);
  *iy = (int)hp_compress_bits(p >> 1);
}

/* First RING pixel, pixel count and shift of ring (1 .. 4 nside - 1). */
static inline void hp_ring_info_small(const HpBase *b, int64_t ring, int64_t *startpix,
                                      int64_t *ringpix, bool *shifted) {
  if (ring < b->nside) {
    *shifted = true;
    *ringpix = 4 * ring;
    *startpix = 2 * ring * (ring - 1);
  } else if (ring < 3 * b->nside) {
    *shifted = ((ring - b->nside) & 1) == 0;
    *ringpix = 4 * b->nside;
    *startpix = b->ncap + (ring - b->nside) * (*ringpix);
  } else {
    *shifted = true;
    int64_t nr = 4 * b->nside - ring;
    *ringpix = 4 * nr;
    *startpix = b->npix - 2 * nr * (nr + 1);
  }
}

static inline int64_t hp_xyf2ring(const HpBase *b, int ix, int iy, int face) {
  int64_t nl4 = 4 * b->nside;
  int64_t jr = (int64_t)hp_jrll[face] * b->nside - ix - iy - 1;
  int64_t n_before, nr;
  bool shifted;
  hp_ring_info_small(b, jr, &n_before, &nr, &shifted);
  nr >>= 2;
  int64_t kshift = 1 - (int64_t)shifted;
  int64_t jp = ((int64_t)hp_jpll[face] * nr + ix - iy + 1 + kshift) / 2;
  if (jp < 1)
    jp += nl4; /* only on the equatorial rings, where nl4 == 4 nr */
  return n_before + jp - 1;
}

static inline void hp_ring2xyf(const HpBase *b, int64_t pix, int *ix, int *iy, int *face) {
  int64_t iring, iphi, kshift, nr;
  int64_t nside = b->nside, nl2 = 2 * nside;
  int f;
  if (pix < b->ncap) {
    iring = (1 + hp_isqrt(1 + 2 * pix)) >> 1;
    iphi = (pix + 1) - 2 * iring * (iring - 1);
    kshift = 0;
    nr = iring;
    f = (int)((iphi - 1) / nr);
  } else if (pix < b->npix - b->ncap) {
    int64_t ip = pix - b->ncap;
    int64_t tmp = ip >> (b->order + 2);
    iring = tmp + nside;
    iphi = ip - tmp * 4 * nside + 1;
    kshift = (iring + nside) & 1;
    nr = nside;
    int64_t ire = tmp + 1, irm = nl2 + 2 - ire;
    int64_t ifm = (iphi - ire / 2 + nside - 1) >> b->order;
    int64_t ifp = (iphi - irm / 2 + nside - 1) >> b->order;
    f = (int)((ifp == ifm) ? (ifp | 4) : ((ifp < ifm) ? ifp : (ifm + 8)));
  } else {
    int64_t ip = b->npix - pix;
    iring = (1 + hp_isqrt(2 * ip - 1)) >> 1;
    iphi = 4 * iring + 1 - (ip - 2 * iring * (iring - 1));
    kshift = 0;
    nr = iring;
    iring = 2 * nl2 - iring;
    f = 8 + (int)((iphi - 1) / nr);
  }
  int64_t irt = iring - (int64_t)hp_jrll[f] * nside + 1;
  int64_t ipt = 2 * iphi - (int64_t)hp_jpll[f] * nr - kshift - 1;
  if (ipt >= nl2)
    ipt -= 8 * nside;
  *face = f;
  *ix = (int)((ipt - irt) >> 1);
  *iy = (int)((-ipt - irt) >> 1);
}

static inline void hp_pix2xyf(const HpBase *b, SphOrdering ord, int64_t pix, int *ix, int *iy,
                              int *face) {
  if (ord == SPH_ORDER_NEST)
    hp_nest2xyf(b, pix, ix, iy, face);
  else
    hp_ring2xyf(b, pix, ix, iy, face);
}

static inline int64_t hp_xyf2pix(const HpBase *b, SphOrdering ord, int ix, int iy, int face) {
  return (ord == SPH_ORDER_NEST) ? hp_xyf2nest(b, ix, iy, face) : hp_xyf2ring(b, ix, iy, face);
}

/* The pixel containing the direction (z = cos theta, phi). Near the poles the distance
 * from the pole is taken from sth = sin theta when the caller has it (have_sth): there
 * 1 - |z| has lost most of its digits, sin theta has not. */
static inline int64_t hp_loc2pix(const HpBase *b, SphOrdering ord, double z, double phi,
                                 double sth, bool have_sth) {
  const int64_t nside = b->nside;
  double za = fabs(z);
  double tt = hp_fmodulo(phi * HP_INV_HALFPI, 4.0); /* in [0, 4) */

  if (ord == SPH_ORDER_RING) {
    if (za <= HP_TWOTHIRD) {
      int64_t nl4 = 4 * nside;
      double temp1 = (double)nside * (0.5 + tt);
      double temp2 = (double)nside * z * 0.75;
      int64_t jp = (int64_t)(temp1 - temp2); /* ascending edge line */
      int64_t jm = (int64_t)(temp1 + temp2); /* descending edge line */
      int64_t ir = nside + 1 + jp - jm;      /* ring counted from z = 2/3, in 1 .. 2 nside + 1 */
      int64_t kshift = 1 - (ir & 1);
      int64_t t1 = jp + jm - nside + kshift + 1 + nl4 + nl4;
      int64_t ip = (b->order > 0) ? (t1 >> 1) & (nl4 - 1) : ((t1 >> 1) % nl4);
      return b->ncap + (ir - 1) * nl4 + ip;
    }
    double tp = tt - (double)(int64_t)tt;
    double tmp = ((za < 0.99) || !have_sth) ? (double)nside * sqrt(3 * (1 - za))
                                            : (double)nside * sth / sqrt((1.0 + za) / 3.0);
    int64_t jp = (int64_t)(tp * tmp);
    int64_t jm = (int64_t)((1.0 - tp) * tmp);
    int64_t ir = jp + jm + 1; /* ring counted from the nearer pole */
    int64_t ip = (int64_t)(tt * (double)ir);
    return (z > 0) ? 2 * ir * (ir - 1) + ip : b->npix - 2 * ir * (ir + 1) + ip;
  }

  if (za <= HP_TWOTHIRD) {
    double temp1 = (double)nside * (0.5 + tt);
    double temp2 = (double)nside * (z * 0.75);
    int64_t jp = (int64_t)(temp1 - temp2);
    int64_t jm = (int64_t)(temp1 + temp2);
    int64_t ifp = jp >> b->order; /* in 0 .. 4 */
    int64_t ifm = jm >> b->order;
    int face = (int)((ifp == ifm) ? (ifp | 4) : ((ifp < ifm) ? ifp : (ifm + 8)));
    int ix = (int)(jm & (nside - 1));
    int iy = (int)(nside - (jp & (nside - 1)) - 1);
    return hp_xyf2nest(b, ix, iy, face);
  }
  int ntt = (int)tt;
  if (ntt > 3)
    ntt = 3;
  double tp = tt - ntt;
  double tmp = ((za < 0.99) || !have_sth) ? (double)nside * sqrt(3 * (1 - za))
                                          : (double)nside * sth / sqrt((1.0 + za) / 3.0);
  int64_t jp = (int64_t)(tp * tmp);
  int64_t jm = (int64_t)((1.0 - tp) * tmp);
  if (jp > nside - 1)
    jp = nside - 1; /* points within rounding of the face edge */
  if (jm > nside - 1)
    jm = nside - 1;
  return (z >= 0) ? hp_xyf2nest(b, (int)(nside - jm - 1), (int)(nside - jp - 1), ntt)
                  : hp_xyf2nest(b, (int)jp, (int)jm, ntt + 8);
}

/* The ring (1 .. 4 nside - 1) of a pixel and the longitude of its centre. */
static inline int64_t hp_pix2ring_phi(const HpBase *b, SphOrdering ord, int64_t pix,
                                      double *phi) {
  const int64_t nside = b->nside;
  if (ord == SPH_ORDER_RING) {
    if (pix < b->ncap) {
      int64_t iring = (1 + hp_isqrt(1 + 2 * pix)) >> 1;
      int64_t iphi = (pix + 1) - 2 * iring * (iring - 1);
      *phi = ((double)iphi - 0.5) * HP_HALFPI / (double)iring;
      return iring;
    }
    if (pix < b->npix - b->ncap) {
      int64_t nl4 = 4 * nside;
      int64_t ip = pix - b->ncap;
      int64_t tmp = ip >> (b->order + 2);
      int64_t iring = tmp + nside, iphi = ip - nl4 * tmp + 1;
      double fodd = ((iring + nside) & 1) ? 1 : 0.5; /* 1 in the unshifted rings */
      *phi = ((double)iphi - fodd) * HP_PI * 0.75 * b->fact1;
      return iring;
    }
    int64_t ip = b->npix - pix;
    int64_t iring = (1 + hp_isqrt(2 * ip - 1)) >> 1; /* counted from the south pole */
    int64_t iphi = 4 * iring + 1 - (ip - 2 * iring * (iring - 1));
    *phi = ((double)iphi - 0.5) * HP_HALFPI / (double)iring;
    return 4 * nside - iring;
  }

  int face, ix, iy;
  hp_nest2xyf(b, pix, &ix, &iy, &face);
  int64_t jr = ((int64_t)hp_jrll[face] << b->order) - ix - iy - 1;
  int64_t nr = (jr < nside) ? jr : ((jr > 3 * nside) ? 4 * nside - jr : nside);
  int64_t tmp = (int64_t)hp_jpll[face] * nr + ix - iy;
  if (tmp < 0)
    tmp += 8 * nr;
  *phi = (nr == nside) ? 0.75 * HP_HALFPI * (double)tmp * b->fact1
                       : (0.5 * HP_HALFPI * (double)tmp) / (double)nr;
  return jr;
}

/* z = cos theta of a ring, plus sin theta (have_sth) where z is too close to +-1 to
 * give it accurately. */
static inline void hp_ring2loc(const HpBase *b, int64_t ring, double *z, double *sth,
                               bool *have_sth) {
  const int64_t nside = b->nside;
  *have_sth = false;
  *sth = 0.0;
  if (ring < nside) {
    double tmp = (double)(ring * ring) * b->fact2;
    *z = 1.0 - tmp;
    if (*z > 0.99) {
      *sth = sqrt(tmp * (2.0 - tmp));
      *have_sth = true;
    }
  } else if (ring > 3 * nside) {
    int64_t nr = 4 * nside - ring;
    double tmp = (double)(nr * nr) * b->fact2;
    *z = tmp - 1.0;
    if (*z < -0.99) {
      *sth = sqrt(tmp * (2.0 - tmp));
      *have_sth = true;
    }
  } else {
    *z = (double)(2 * nside - ring) * b->fact1;
  }
}

/* The centre of a pixel as (z, phi), plus sin theta as hp_ring2loc gives it. */
static inline void hp_pix2loc(const HpBase *b, SphOrdering ord, int64_t pix, double *z,
                              double *phi, double *sth, bool *have_sth) {
  hp_ring2loc(b, hp_pix2ring_phi(b, ord, pix, phi), z, sth, have_sth);
}

/* A unit vector from (z, phi), with sin theta when it is known more accurately than
 * sqrt(1 - z^2) would give it. */
static inline void hp_loc2vec(double z, double phi, double sth, bool have_sth, double v[3]) {
  if (!have_sth)
    sth = sqrt((1.0 - z) * (1.0 + z));
  v[0] = sth * cos(phi);
  v[1] = sth * sin(phi);
  v[2] = z;
}

static inline void hp_pix2vec(const HpBase *b, SphOrdering ord, int64_t pix, double v[3]) {
  double z, phi, sth;
  bool have_sth;
  hp_pix2loc(b, ord, pix, &z, &phi, &sth, &have_sth);
  hp_loc2vec(z, phi, sth, have_sth, v);
}
