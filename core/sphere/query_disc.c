/* SPDX-License-Identifier: GPL-3.0-or-later */
/* query_disc: the pixels of a disc on the sphere, by the algorithms of HEALPix C++
 * (Healpix_Base::query_disc_internal), so that the result is healpy's pixel for pixel,
 * but with distances that stay accurate for small discs at large NSIDE. RING walks the
 * rings that cross the disc and takes a run of pixels from each; NEST descends the face
 * quadtrees from the 12 base pixels, keeping whole subtrees that lie inside and dropping
 * those outside. Neither looks at pixels far from the disc.
 *
 * With inclusive set, overlap is decided at a finer resolution, fact * nside with
 * fact = 4 (healpy's default; less where 4 nside would pass 2^29): RING trims each
 * run at its ends while no boundary subpixel comes near the disc, NEST descends two
 * more levels. */

#include <stdint.h>
#include <math.h>
#include <stdlib.h>

#include "hp_base.h"
#include "sphaera/error.h"
#include "sphaera/healpix.h"

/* The oversampling factor healpy's query_disc uses by default for inclusive=True. */
#define HP_INCLUSIVE_FACT 4

/* ---- sorted ranges of pixels [begin, end) ----------------------------------------- */

typedef struct {
  int64_t *v; /* begin0, end0, begin1, end1, ... */
  size_t n;   /* entries in v: twice the number of ranges */
  size_t cap;
  bool oom;
} HpRanges;

static void hp_ranges_append(HpRanges *r, int64_t begin, int64_t end) {
  if (end <= begin || r->oom)
    return;
  if (r->n > 0 && begin <= r->v[r->n - 1] && begin >= r->v[r->n - 2]) {
    if (end > r->v[r->n - 1])
      r->v[r->n - 1] = end;
    return;
  }
  if (r->n + 2 > r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 64;
    int64_t *v = realloc(r->v, cap * sizeof *v);
    if (!v) {
      r->oom = true;
      return;
    }
    r->v = v;
    r->cap = cap;
  }
  r->v[r->n++] = begin;
  r->v[r->n++] = end;
}

static int hp_range_cmp(const void *a, const void *b) {
  int64_t x = ((const int64_t *)a)[0], y = ((const int64_t *)b)[0];
  return (x > y) - (x < y);
}

/* Both algorithms emit ranges in ascending order; this makes sure of it. */
static void hp_ranges_normalise(HpRanges *r) {
  bool sorted = true;
  for (size_t i = 2; i < r->n; i += 2)
    if (r->v[i] <= r->v[i - 1])
      sorted = false;
  if (sorted)
    return;
  qsort(r->v, r->n / 2, 2 * sizeof(int64_t), hp_range_cmp);
  size_t out = 0;
  for (size_t i = 0; i < r->n; i += 2) {
    if (out > 0 && r->v[i] <= r->v[out - 1]) {
      if (r->v[i + 1] > r->v[out - 1])
        r->v[out - 1] = r->v[i + 1];
    } else {
      r->v[out++] = r->v[i];
      r->v[out++] = r->v[i + 1];
    }
  }
  r->n = out;
}

/* ---- geometry ---------------------------------------------------------------------- */

/* Distances are compared as squared chords, |a - b|^2 = 4 sin^2(d / 2), which keep
 * their digits for small angles. HEALPix C++ compares cosines, and cos d = 1 - d^2 / 2
 * has none left once d^2 nears the double epsilon: a disc a few pixels wide at NSIDE
 * 2^29 (d ~ 1e-9) comes back empty from healpy. Elsewhere the two agree to rounding. */

typedef struct {
  double c[3];  /* centre, unit vector */
  double theta; /* its colatitude, longitude, and sin theta */
  double phi;
  double sth;
} HpDisc;

/* The squared chord of the angle a in [0, pi]; 4 beyond. */
static double hp_chord2(double a) {
  if (a >= HP_PI)
    return 4.0;
  double s = sin(0.5 * a);
  return 4.0 * s * s;
}

static inline double hp_dist2(const double a[3], const double b[3]) {
  double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
  return dx * dx + dy * dy + dz * dz;
}

/* The largest angle between any pixel centre and its corners (HEALPix C++ max_pixrad):
 * between the corner at z = 2/3 and the centre just north of it. */
static double hp_max_pixrad(const HpBase *b) {
  double va[3], vb[3];
  hp_loc2vec(2.0 / 3.0, HP_PI / (double)(4 * b->nside), 0.0, false, va);
  double t1 = 1.0 - 1.0 / (double)b->nside;
  t1 *= t1;
  hp_loc2vec(1 - t1 / 3, 0, 0.0, false, vb);
  double cx = va[1] * vb[2] - va[2] * vb[1];
  double cy = va[2] * vb[0] - va[0] * vb[2];
  double cz = va[0] * vb[1] - va[1] * vb[0];
  double dot = va[0] * vb[0] + va[1] * vb[1] + va[2] * vb[2];
  return atan2(sqrt(cx * cx + cy * cy + cz * cz), dot);
}

/* The ring at or just north of colatitude theta (0 north of every ring), as HEALPix
 * ring_above but from theta, so that it stays exact near the poles: there
 * 3 (1 - |z|) = 6 sin^2(theta / 2) or 6 cos^2(theta / 2). */
static int64_t hp_ring_above_theta(const HpBase *b, double theta) {
  if (theta <= 0)
    return 0;
  if (theta >= HP_PI)
    return 4 * b->nside - 1;
  const double n = (double)b->nside;
  double z = cos(theta);
  if (fabs(z) <= HP_TWOTHIRD)
    return (int64_t)(n * (2 - 1.5 * z));
  if (z > 0)
    return (int64_t)(n * sqrt(6.0) * sin(0.5 * theta));
  return 4 * b->nside - (int64_t)(n * sqrt(6.0) * cos(0.5 * theta)) - 1;
}

/* ---- RING -------------------------------------------------------------------------- */

/* True when pixel pix (index within its ring, taken modulo nr) certainly misses the disc:
 * no subpixel along its boundary at the finer base b2 (fct times finer) has its centre
 * closer to the disc's than the enlarged radius whose squared chord is chord2. */
static bool hp_ring_pixel_misses(const HpBase *b1, const HpBase *b2, int64_t pix, int64_t nr,
                                 int64_t ipix1, int fct, const HpDisc *disc, double chord2,
                                 int64_t cpix) {
  if (pix >= nr)
    pix -= nr;
  if (pix < 0)
    pix += nr;
  pix += ipix1;
  if (pix == cpix)
    return false; /* the disc's centre is in the pixel */
  int px, py, pf;
  hp_ring2xyf(b1, pix, &px, &py, &pf);
  const int ox = fct * px, oy = fct * py;
  for (int i = 0; i < fct - 1; ++i) { /* along the four edges */
    const int sx[4] = {ox + i, ox + fct - 1, ox + fct - 1 - i, ox};
    const int sy[4] = {oy, oy + i, oy + fct - 1, oy + fct - 1 - i};
    for (int k = 0; k < 4; ++k) {
      double v[3];
      hp_pix2vec(b2, SPH_ORDER_RING, hp_xyf2ring(b2, sx[k], sy[k], pf), v);
      if (hp_dist2(v, disc->c) < chord2)
        return false;
    }
  }
  return true;
}

static void hp_query_disc_ring(const HpBase *b, const HpDisc *disc, double radius,
                               bool inclusive, HpRanges *out) {
  int fct = 1;
  if (inclusive) {
    fct = HP_INCLUSIVE_FACT;
    while (fct > 1 && b->nside * fct > SPH_HP_MAX_NSIDE)
      fct /= 2;
  }
  HpBase b2 = *b;
  double rsmall, rbig;
  if (fct > 1) {
    b2 = hp_base(b->nside * fct);
    rsmall = radius + hp_max_pixrad(&b2);
    rbig = radius + hp_max_pixrad(b);
  } else {
    rsmall = rbig = inclusive ? radius + hp_max_pixrad(b) : radius;
  }
  if (rsmall >= HP_PI) {
    hp_ranges_append(out, 0, b->npix);
    return;
  }
  if (rbig > HP_PI)
    rbig = HP_PI;

  const double chord2_small = hp_chord2(rsmall);
  const double sin_half_big = sin(0.5 * rbig);
  const double sin2_big = sin_half_big * sin_half_big;
  const int64_t cpix =
      hp_loc2pix(b, SPH_ORDER_RING, cos(disc->theta), disc->phi, disc->sth, true);
  const int64_t last_ring = 4 * b->nside - 1;

  /* One ring of margin each side: the test below decides each ring exactly. */
  int64_t irmin = hp_ring_above_theta(b, disc->theta - rbig);
  int64_t irmax = hp_ring_above_theta(b, disc->theta + rbig) + 1;
  if (irmin < 1)
    irmin = 1;
  if (irmax > last_ring)
    irmax = last_ring;

  for (int64_t iz = irmin; iz <= irmax; ++iz) {
    int64_t nr, ipix1;
    bool shifted;
    hp_ring_info_small(b, iz, &ipix1, &nr, &shifted);
    double z, sth;
    bool have_sth;
    hp_ring2loc(b, iz, &z, &sth, &have_sth);
    double theta_r = have_sth ? atan2(sth, z) : acos(z);
    if (!have_sth)
      sth = sqrt((1.0 - z) * (1.0 + z));

    /* A point of the ring at longitude offset dphi is within rbig when
     * sin^2(dphi/2) sin(theta_r) sin(theta_0) <= sin^2(rbig/2) - sin^2((theta_r - theta_0)/2). */
    double sd = sin(0.5 * (theta_r - disc->theta));
    double num = sin2_big - sd * sd;
    double den = sth * disc->sth;
    if (num < 0)
      continue; /* the ring passes wholly outside */
    bool whole = num >= den;
    double dphi = whole ? HP_PI : 2.0 * asin(sqrt(num / den));
    double shift = shifted ? 0.5 : 0.0;
    int64_t ipix2 = ipix1 + nr - 1;
    int64_t ip_lo = (int64_t)floor((double)nr * HP_INV_TWOPI * (disc->phi - dphi) - shift) + 1;
    int64_t ip_hi = whole ? ip_lo + nr - 1
                          : (int64_t)floor((double)nr * HP_INV_TWOPI * (disc->phi + dphi) - shift);

    if (fct > 1) {
      while (ip_lo <= ip_hi &&
             hp_ring_pixel_misses(b, &b2, ip_lo, nr, ipix1, fct, disc, chord2_small, cpix))
        ++ip_lo;
      while (ip_hi > ip_lo &&
             hp_ring_pixel_misses(b, &b2, ip_hi, nr, ipix1, fct, disc, chord2_small, cpix))
        --ip_hi;
    } else if (whole) {
      hp_ranges_append(out, ipix1, ipix2 + 1);
      continue;
    }

    if (ip_lo <= ip_hi) {
      if (ip_hi >= nr) {
        ip_lo -= nr;
        ip_hi -= nr;
      }
      if (ip_lo < 0) { /* the run wraps through phi = 0 */
        hp_ranges_append(out, ipix1, ipix1 + ip_hi + 1);
        hp_ranges_append(out, ipix1 + ip_lo + nr, ipix2 + 1);
      } else {
        hp_ranges_append(out, ipix1 + ip_lo, ipix1 + ip_hi + 1);
      }
    }
  }
}

/* ---- NEST -------------------------------------------------------------------------- */

/* Zones of a quadtree node relative to the disc:
 * 0 entirely outside, 1 may overlap but the centre is outside, 2 centre inside,
 * 3 entirely inside. */

typedef struct {
  int64_t pix;
  int order;
} HpNode;

static void hp_query_disc_nest(const HpBase *b, const HpDisc *disc, double radius,
                               bool inclusive, HpRanges *out) {
  if (radius >= HP_PI) {
    hp_ranges_append(out, 0, b->npix);
    return;
  }
  const int order = b->order;
  int oplus = 0;
  if (inclusive) {
    for (int f = HP_INCLUSIVE_FACT; f > 1; f >>= 1)
      ++oplus;
    if (order + oplus > SPH_HP_MAX_ORDER)
      oplus = SPH_HP_MAX_ORDER - order;
  }
  const int omax = order + oplus;

  HpBase base[SPH_HP_MAX_ORDER + 1];
  /* Squared-chord limits per order: a node is in zone 0 unless closer than outer, in
   * zone 1 when farther than radius, in zone 3 when closer than inner. */
  double outer[SPH_HP_MAX_ORDER + 1], inner[SPH_HP_MAX_ORDER + 1];
  const double chord2_rad = hp_chord2(radius);
  for (int o = 0; o <= omax; ++o) {
    base[o] = hp_base_order(o);
    double dr = hp_max_pixrad(&base[o]); /* safety distance */
    outer[o] = (radius + dr >= HP_PI) ? 5.0 : hp_chord2(radius + dr);
    inner[o] = (radius - dr < 0.0) ? -1.0 : hp_chord2(radius - dr);
  }

  /* Depth first, children pushed in reverse so that they pop in ascending order and the
   * output comes out sorted. Each level adds at most 3 entries. */
  HpNode stack[12 + 3 * (SPH_HP_MAX_ORDER + 1) + 4];
  int top = 0;
  for (int i = 0; i < 12; ++i)
    stack[top++] = (HpNode){11 - i, 0};
  int stacktop = 0; /* where to unwind to once a pixel at order is decided */

  while (top > 0) {
    HpNode node = stack[--top];
    const int64_t pix = node.pix;
    const int o = node.order;
    double v[3];
    hp_pix2vec(&base[o], SPH_ORDER_NEST, pix, v);
    double d2 = hp_dist2(v, disc->c);
    if (!(d2 < outer[o]))
      continue; /* zone 0 */
    int zone = (d2 > chord2_rad) ? 1 : ((d2 >= inner[o]) ? 2 : 3);

    if (o < order) {
      if (zone >= 3) {
        int sdist = 2 * (order - o);
        hp_ranges_append(out, pix << sdist, (pix + 1) << sdist);
      } else {
        for (int i = 0; i < 4; ++i)
          stack[top++] = (HpNode){4 * pix + 3 - i, o + 1};
      }
    } else if (o > order) { /* only when inclusive */
      if (zone >= 2 || o >= omax) {
        int64_t parent = pix >> (2 * (o - order));
        hp_ranges_append(out, parent, parent + 1);
        top = stacktop; /* the parent is in: skip its remaining subpixels */
      } else {
        for (int i = 0; i < 4; ++i)
          stack[top++] = (HpNode){4 * pix + 3 - i, o + 1};
      }
    } else { /* o == order */
      if (zone >= 2) {
        hp_ranges_append(out, pix, pix + 1);
      } else if (inclusive) {
        if (order < omax) {
          stacktop = top;
          for (int i = 0; i < 4; ++i)
            stack[top++] = (HpNode){4 * pix + 3 - i, o + 1};
        } else {
          hp_ranges_append(out, pix, pix + 1);
        }
      }
    }
  }
}

/* ---- the public call --------------------------------------------------------------- */

SphStatus sph_hp_query_disc(int64_t nside, SphOrdering ordering, const double vec[3],
                            double radius, bool inclusive, int64_t **pixels, int64_t *count,
                            SphError *err) {
  if (!pixels || !count || !vec)
    return sph_error_set(err, SPH_ERR_INVALID, "query_disc: no %s given",
                         !vec ? "direction" : "place for the result");
  *pixels = NULL;
  *count = 0;
  if (!sph_hp_nside_valid(nside))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "query_disc: NSIDE=%lld is not a power of two from 1 to 2^29",
                         (long long)nside);
  if (ordering != SPH_ORDER_RING && ordering != SPH_ORDER_NEST)
    return sph_error_set(err, SPH_ERR_INVALID, "query_disc: unknown ordering %d", (int)ordering);
  double m = fmax(fabs(vec[0]), fmax(fabs(vec[1]), fabs(vec[2])));
  if (!(m > 0) || !isfinite(m) || isnan(vec[0] + vec[1] + vec[2]))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "query_disc: the disc centre (%g, %g, %g) is not a direction",
                         vec[0], vec[1], vec[2]);
  if (!(radius >= 0) || !isfinite(radius))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "query_disc: radius %g rad is not a finite angle >= 0", radius);

  /* Scaled by a power of two (exactly) so that no length overflows or underflows. */
  const double scale = ldexp(1.0, -ilogb(m));
  const double u[3] = {vec[0] * scale, vec[1] * scale, vec[2] * scale};
  double len = sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
  HpDisc disc;
  for (int k = 0; k < 3; ++k)
    disc.c[k] = u[k] / len;
  double rho = sqrt(u[0] * u[0] + u[1] * u[1]);
  disc.theta = atan2(rho, u[2]);
  disc.sth = rho / len;
  disc.phi = (u[0] == 0.0 && u[1] == 0.0) ? 0.0 : atan2(u[1], u[0]);
  if (disc.phi < 0.0)
    disc.phi += HP_TWOPI;
  disc.phi = hp_fmodulo(disc.phi, HP_TWOPI);

  HpBase b = hp_base(nside);
  /* Refuse before the walk a list no machine could hold (2^40 pixels, 8 TiB), counted as
   * the disc's area over the pixel area. */
  double area = (radius >= HP_PI) ? 4 * HP_PI : 4 * HP_PI * pow(sin(0.5 * radius), 2);
  double approx = area / (4 * HP_PI) * (double)b.npix;
  if (approx > 0x1p40)
    return sph_error_set(err, SPH_ERR_NOMEM,
                         "query_disc: a disc of radius %g rad holds about %.3g pixels at "
                         "NSIDE=%lld, too many to list; use a smaller radius or NSIDE",
                         radius, approx, (long long)nside);
  HpRanges ranges = {0};
  if (ordering == SPH_ORDER_RING)
    hp_query_disc_ring(&b, &disc, radius, inclusive, &ranges);
  else
    hp_query_disc_nest(&b, &disc, radius, inclusive, &ranges);
  if (ranges.oom) {
    free(ranges.v);
    return sph_error_set(err, SPH_ERR_NOMEM, "query_disc: out of memory listing pixel ranges");
  }
  hp_ranges_normalise(&ranges);

  int64_t total = 0;
  for (size_t i = 0; i < ranges.n; i += 2)
    total += ranges.v[i + 1] - ranges.v[i];
  if ((uint64_t)total > SIZE_MAX / sizeof(int64_t)) {
    free(ranges.v);
    return sph_error_set(err, SPH_ERR_NOMEM,
                         "query_disc: the disc holds %lld pixels at NSIDE=%lld, too many to "
                         "list; use a smaller radius or NSIDE",
                         (long long)total, (long long)nside);
  }
  int64_t *list = malloc((size_t)(total > 0 ? total : 1) * sizeof *list);
  if (!list) {
    free(ranges.v);
    return sph_error_set(err, SPH_ERR_NOMEM,
                         "query_disc: out of memory for %lld pixels at NSIDE=%lld",
                         (long long)total, (long long)nside);
  }
  int64_t k = 0;
  for (size_t i = 0; i < ranges.n; i += 2)
    for (int64_t p = ranges.v[i]; p < ranges.v[i + 1]; ++p)
      list[k++] = p;
  free(ranges.v);
  *pixels = list;
  *count = total;
  return SPH_OK;
}
