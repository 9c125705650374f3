/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/ring_geometry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct SphRingGeometry {
  SphGridKind kind;
  int nrings;
  SphRing *rings;
  int64_t npix;
  int64_t nside;
  int band_limit;
  int npairs;
  SphRingPair *pairs;
};

/* Rings at theta and pi - theta share their Legendre values only if the mirror is exact
 * to rounding: the transform uses -cos(theta_north) for the south ring. */
#define SPH_PAIR_TOLERANCE 5e-15

typedef struct {
  double theta;
  int index;
} ThetaIndex;

static int compare_theta(const void *a, const void *b)
{
  const ThetaIndex *x = a, *y = b;
  if (x->theta < y->theta)
    return -1;
  if (x->theta > y->theta)
    return 1;
  return x->index - y->index;
}

typedef struct {
  int64_t offset, nphi;
} Span;

static int compare_span(const void *a, const void *b)
{
  const Span *x = a, *y = b;
  return (x->offset > y->offset) - (x->offset < y->offset);
}

/* Pairs rings by walking the theta-sorted list from both ends. */
static SphStatus make_pairs(SphRingGeometry *g, SphError *err)
{
  int n = g->nrings;
  ThetaIndex *sorted = malloc((size_t)n * sizeof *sorted);
  g->pairs = malloc((size_t)n * sizeof *g->pairs);
  if (sorted == NULL || g->pairs == NULL) {
    free(sorted);
    return sph_error_set(err, SPH_ERR_NOMEM, "ring geometry: out of memory pairing %d rings", n);
  }
  for (int i = 0; i < n; i++)
    sorted[i] = (ThetaIndex){ g->rings[i].theta, i };
  qsort(sorted, (size_t)n, sizeof *sorted, compare_theta);

  /* Lone rings of the southern half are collected separately, then everything is
   * sorted by the (north) ring's theta so blocks of pairs are neighbours in theta. */
  int np = 0;
  int lo = 0, hi = n - 1;
  while (lo <= hi) {
    if (lo == hi) {
      g->pairs[np++] = (SphRingPair){ sorted[lo].index, -1 };
      break;
    }
    double s = sorted[lo].theta + sorted[hi].theta - M_PI;
    if (fabs(s) <= SPH_PAIR_TOLERANCE) {
      g->pairs[np++] = (SphRingPair){ sorted[lo].index, sorted[hi].index };
      lo++;
      hi--;
    } else if (s < 0) {
      g->pairs[np++] = (SphRingPair){ sorted[lo].index, -1 };
      lo++;
    } else {
      g->pairs[np++] = (SphRingPair){ sorted[hi].index, -1 };
      hi--;
    }
  }
  /* Sort the pairs by the north ring's theta (a stable insertion into a fresh array). */
  for (int i = 0; i < np; i++)
    sorted[i] = (ThetaIndex){ g->rings[g->pairs[i].north].theta, i };
  qsort(sorted, (size_t)np, sizeof *sorted, compare_theta);
  SphRingPair *ordered = malloc((size_t)np * sizeof *ordered);
  if (ordered == NULL) {
    free(sorted);
    return sph_error_set(err, SPH_ERR_NOMEM, "ring geometry: out of memory pairing %d rings", n);
  }
  for (int i = 0; i < np; i++)
    ordered[i] = g->pairs[sorted[i].index];
  free(g->pairs);
  g->pairs = ordered;
  g->npairs = np;
  free(sorted);
  return SPH_OK;
}

static SphRingGeometry *geometry_alloc(int nrings, SphError *err)
{
  SphRingGeometry *g = calloc(1, sizeof *g);
  if (g != NULL)
    g->rings = calloc((size_t)nrings, sizeof *g->rings);
  if (g == NULL || g->rings == NULL) {
    free(g);
    sph_error_set(err, SPH_ERR_NOMEM, "ring geometry: out of memory for %d rings", nrings);
    return NULL;
  }
  g->nrings = nrings;
  return g;
}

static SphRingGeometry *geometry_finish(SphRingGeometry *g, SphError *err)
{
  if (make_pairs(g, err) != SPH_OK) {
    sph_ring_geometry_free(g);
    return NULL;
  }
  return g;
}

SphRingGeometry *sph_ring_geometry_new(const SphRing *rings, int nrings, int64_t npix,
                                       SphError *err)
{
  if (nrings < 1 || rings == NULL) {
    sph_error_set(err, SPH_ERR_INVALID, "ring geometry: need at least one ring, got %d", nrings);
    return NULL;
  }
  for (int i = 0; i < nrings; i++) {
    const SphRing *r = &rings[i];
    if (!(r->theta >= 0 && r->theta <= M_PI)) {
      sph_error_set(err, SPH_ERR_INVALID,
                    "ring geometry: ring %d has theta=%g outside [0, pi]", i, r->theta);
      return NULL;
    }
    if (r->nphi < 1 || r->offset < 0 || r->offset > npix - r->nphi) {
      sph_error_set(err, SPH_ERR_INVALID,
                    "ring geometry: ring %d (offset %lld, %lld pixels) does not fit in %lld pixels",
                    i, (long long)r->offset, (long long)r->nphi, (long long)npix);
      return NULL;
    }
    if (!isfinite(r->phi0) || !isfinite(r->weight)) {
      sph_error_set(err, SPH_ERR_INVALID,
                    "ring geometry: ring %d has a non-finite phi0 or weight", i);
      return NULL;
    }
  }
  Span *spans = malloc((size_t)nrings * sizeof *spans);
  if (spans == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "ring geometry: out of memory for %d rings", nrings);
    return NULL;
  }
  for (int i = 0; i < nrings; i++)
    spans[i] = (Span){ rings[i].offset, rings[i].nphi };
  qsort(spans, (size_t)nrings, sizeof *spans, compare_span);
  for (int i = 1; i < nrings; i++)
    if (spans[i].offset < spans[i - 1].offset + spans[i - 1].nphi) {
      sph_error_set(err, SPH_ERR_INVALID,
                    "ring geometry: rings overlap at map index %lld", (long long)spans[i].offset);
      free(spans);
      return NULL;
    }
  free(spans);

  SphRingGeometry *g = geometry_alloc(nrings, err);
  if (g == NULL)
    return NULL;
  memcpy(g->rings, rings, (size_t)nrings * sizeof *rings);
  g->kind = SPH_GRID_CUSTOM;
  g->npix = npix;
  return geometry_finish(g, err);
}

SphRingGeometry *sph_ring_geometry_healpix(int64_t nside, SphError *err)
{
  if (nside < 1 || nside > (1 << 28)) {
    sph_error_set(err, SPH_ERR_INVALID, "HEALPix geometry: NSIDE=%lld is out of range [1, 2^28]",
                  (long long)nside);
    return NULL;
  }
  int nrings = (int)(4 * nside - 1);
  SphRingGeometry *g = geometry_alloc(nrings, err);
  if (g == NULL)
    return NULL;
  int64_t npix = 12 * nside * nside;
  int64_t ncap = 2 * nside * (nside - 1);
  double weight = 4.0 * M_PI / (double)npix;
  /* Rings are numbered i = 1..4 nside - 1; the south half mirrors the north. */
  for (int64_t i = 1; i <= 2 * nside; i++) {
    SphRing r;
    if (i < nside) {
      /* z = 1 - i^2/(3 nside^2); theta from the half-angle form stays exact at the pole. */
      r.theta = 2.0 * asin((double)i / (sqrt(6.0) * (double)nside));
      r.nphi = 4 * i;
      r.phi0 = M_PI / (double)(4 * i);
      r.offset = 2 * i * (i - 1);
    } else {
      r.theta = acos((4.0 * (double)nside - 2.0 * (double)i) / (3.0 * (double)nside));
      r.nphi = 4 * nside;
      r.phi0 = ((i - nside) & 1) == 0 ? M_PI / (double)(4 * nside) : 0.0;
      r.offset = ncap + (i - nside) * 4 * nside;
    }
    r.weight = weight;
    g->rings[i - 1] = r;
    int64_t mirror = 4 * nside - i;
    if (mirror != i) {
      SphRing s = r;
      s.theta = M_PI - r.theta;
      s.offset = npix - r.offset - r.nphi;
      g->rings[mirror - 1] = s;
    }
  }
  g->kind = SPH_GRID_HEALPIX;
  g->npix = npix;
  g->nside = nside;
  return geometry_finish(g, err);
}

SphRingGeometry *sph_ring_geometry_healpix_weighted(int64_t nside, const double *dweight,
                                                   SphError *err)
{
  if (dweight == NULL) {
    sph_error_set(err, SPH_ERR_INVALID, "HEALPix geometry: no ring weights given");
    return NULL;
  }
  for (int64_t r = 0; nside >= 1 && nside <= (1 << 28) && r < 2 * nside; r++)
    if (!(dweight[r] > -1.0 && dweight[r] < 1e6)) {
      sph_error_set(err, SPH_ERR_INVALID,
                    "HEALPix geometry: ring %lld's weight correction %g leaves no positive "
                    "finite weight",
                    (long long)(r + 1), dweight[r]);
      return NULL;
    }
  SphRingGeometry *g = sph_ring_geometry_healpix(nside, err);
  if (g == NULL)
    return NULL;
  for (int r = 0; r < g->nrings; r++) {
    int64_t i = r + 1 <= 2 * nside ? r + 1 : 4 * nside - (r + 1);
    g->rings[r].weight *= 1.0 + dweight[i - 1];
  }
  return g;
}

/* P_n(cos theta) and P_{n-1}(cos theta) by the three-term recurrence. */
static void legendre_pair(int n, double x, double *pn, double *pn1)
{
  double p0 = 1.0, p1 = x;
  for (int k = 1; k < n; k++) {
    double p2 = ((2.0 * k + 1.0) * x * p1 - k * p0) / (k + 1.0);
    p0 = p1;
    p1 = p2;
  }
  *pn = p1;
  *pn1 = p0;
}

static void legendre_pair_long(int n, long double x, long double *pn, long double *pn1)
{
  long double p0 = 1.0L, p1 = x;
  for (int k = 1; k < n; k++) {
    long double p2 = ((2.0L * k + 1.0L) * x * p1 - k * p0) / (k + 1.0L);
    p0 = p1;
    p1 = p2;
  }
  *pn = p1;
  *pn1 = p0;
}

SphStatus sph_gauss_legendre(int n, double *theta, double *weight, SphError *err)
{
  if (n < 1)
    return sph_error_set(err, SPH_ERR_INVALID, "Gauss-Legendre: need n >= 1, got %d", n);
  /* Newton's method in theta (not x) keeps full relative precision near the poles:
   * d P_n(cos t)/dt = n (x P_n - P_{n-1}) / sin t. The last step and the weight
   * w = 2 / (dP_n/dt)^2 use long double. The south half mirrors the north. */
  for (int i = 0; i < (n + 1) / 2; i++) {
    double t = M_PI * (i + 0.75) / (n + 0.5);
    if (2 * i + 1 == n) {
      t = M_PI / 2;
    } else {
      for (int it = 0; it < 100; it++) {
        double x = cos(t), s = sin(t), pn, pn1;
        legendre_pair(n, x, &pn, &pn1);
        double dp = n * (x * pn - pn1) / s;
        double step = pn / dp;
        t -= step;
        if (fabs(step) < 1e-15 * (t > 1 ? t : 1))
          break;
      }
    }
    long double tl = t, x = cosl(tl), s = sinl(tl), pn, pn1;
    legendre_pair_long(n, x, &pn, &pn1);
    long double dp = n * (x * pn - pn1) / s;
    if (2 * i + 1 != n)
      tl -= pn / dp;
    x = cosl(tl);
    s = sinl(tl);
    legendre_pair_long(n, x, &pn, &pn1);
    dp = n * (x * pn - pn1) / s;
    theta[i] = (double)tl;
    weight[i] = (double)(2.0L / (dp * dp));
    theta[n - 1 - i] = M_PI - (double)tl;
    weight[n - 1 - i] = weight[i];
  }
  return SPH_OK;
}

SphStatus sph_clenshaw_curtis_weights(int n, double *weight, SphError *err)
{
  if (n < 2)
    return sph_error_set(err, SPH_ERR_INVALID, "Clenshaw-Curtis: need n >= 2 nodes, got %d", n);
  int N = n - 1;
  /* w_v = (c_v/N) (1 - sum_{k=1}^{N/2} b_k cos(2 pi k v/N) / (4k^2 - 1)), with the cosine
   * taken from a table at (k v mod N) so every term is exact to rounding. */
  double *ctab = malloc((size_t)N * sizeof *ctab);
  if (ctab == NULL)
    return sph_error_set(err, SPH_ERR_NOMEM, "Clenshaw-Curtis: out of memory for %d nodes", n);
  for (int j = 0; j < N; j++)
    ctab[j] = cos(2.0 * M_PI * j / N);
  for (int v = 0; v <= N / 2; v++) {
    long double sum = 0;
    int64_t idx = 0;
    for (int k = 1; k <= N / 2; k++) {
      idx += v;
      if (idx >= N)
        idx -= N;
      double b = (2 * k == N) ? 1.0 : 2.0;
      sum += b * ctab[idx] / (4.0 * k * k - 1.0);
    }
    double c = (v == 0 || v == N) ? 1.0 : 2.0;
    weight[v] = c / N * (double)(1.0L - sum);
    weight[N - v] = weight[v];
  }
  free(ctab);
  return SPH_OK;
}

SphRingGeometry *sph_ring_geometry_gauss_legendre(int nrings, int64_t nphi, SphError *err)
{
  if (nrings < 1 || nrings > (1 << 20)) {
    sph_error_set(err, SPH_ERR_INVALID, "Gauss-Legendre geometry: %d rings is out of range", nrings);
    return NULL;
  }
  if (nphi <= 0)
    nphi = 2 * (int64_t)nrings - 1;
  SphRingGeometry *g = geometry_alloc(nrings, err);
  if (g == NULL)
    return NULL;
  double *theta = malloc((size_t)nrings * sizeof *theta);
  double *w = malloc((size_t)nrings * sizeof *w);
  if (theta == NULL || w == NULL) {
    free(theta);
    free(w);
    sph_ring_geometry_free(g);
    sph_error_set(err, SPH_ERR_NOMEM, "Gauss-Legendre geometry: out of memory");
    return NULL;
  }
  sph_gauss_legendre(nrings, theta, w, err);
  for (int i = 0; i < nrings; i++)
    g->rings[i] = (SphRing){ theta[i], 0.0, nphi, (int64_t)i * nphi, w[i] * 2.0 * M_PI / nphi };
  free(theta);
  free(w);
  g->kind = SPH_GRID_GAUSS_LEGENDRE;
  g->npix = nrings * nphi;
  g->band_limit = nrings;
  return geometry_finish(g, err);
}

SphRingGeometry *sph_ring_geometry_clenshaw_curtis(int nrings, int64_t nphi, SphError *err)
{
  if (nrings < 2 || nrings > (1 << 20)) {
    sph_error_set(err, SPH_ERR_INVALID, "Clenshaw-Curtis geometry: %d rings is out of range [2, 2^20]",
                  nrings);
    return NULL;
  }
  if (nphi <= 0)
    nphi = 2 * (int64_t)nrings - 1;
  SphRingGeometry *g = geometry_alloc(nrings, err);
  if (g == NULL)
    return NULL;
  double *w = malloc((size_t)nrings * sizeof *w);
  if (w == NULL || sph_clenshaw_curtis_weights(nrings, w, err) != SPH_OK) {
    if (w == NULL)
      sph_error_set(err, SPH_ERR_NOMEM, "Clenshaw-Curtis geometry: out of memory");
    free(w);
    sph_ring_geometry_free(g);
    return NULL;
  }
  int N = nrings - 1;
  for (int v = 0; v < nrings; v++) {
    /* Exact mirror images: theta_{N-v} = pi - theta_v. */
    double t = (2 * v <= N) ? M_PI * v / N : M_PI - M_PI * (N - v) / N;
    g->rings[v] = (SphRing){ t, 0.0, nphi, (int64_t)v * nphi, w[v] * 2.0 * M_PI / nphi };
  }
  free(w);
  g->kind = SPH_GRID_CLENSHAW_CURTIS;
  g->npix = nrings * nphi;
  g->band_limit = (nrings + 1) / 2;
  return geometry_finish(g, err);
}

SphRingGeometry *sph_ring_geometry_mw(int L, SphError *err)
{
  if (L < 1 || L > (1 << 20)) {
    sph_error_set(err, SPH_ERR_INVALID, "McEwen-Wiaux geometry: band limit L=%d is out of range", L);
    return NULL;
  }
  int64_t nphi = 2 * (int64_t)L - 1;
  SphRingGeometry *g = geometry_alloc(L, err);
  if (g == NULL)
    return NULL;
  for (int t = 0; t < L; t++)
    g->rings[t] = (SphRing){ M_PI * (2.0 * t + 1.0) / (double)nphi, 0.0, nphi, (int64_t)t * nphi, 0.0 };
  g->kind = SPH_GRID_MW;
  g->npix = L * nphi;
  g->band_limit = L;
  return geometry_finish(g, err);
}

SphRingGeometry *sph_ring_geometry_copy(const SphRingGeometry *geometry, SphError *err)
{
  SphRingGeometry *g = geometry_alloc(geometry->nrings, err);
  if (g == NULL)
    return NULL;
  SphRing *rings = g->rings;
  *g = *geometry;
  g->rings = rings;
  g->pairs = malloc((size_t)geometry->npairs * sizeof *g->pairs);
  if (g->pairs == NULL) {
    free(g->rings);
    free(g);
    sph_error_set(err, SPH_ERR_NOMEM, "ring geometry: out of memory");
    return NULL;
  }
  memcpy(g->rings, geometry->rings, (size_t)g->nrings * sizeof *g->rings);
  memcpy(g->pairs, geometry->pairs, (size_t)g->npairs * sizeof *g->pairs);
  return g;
}

void sph_ring_geometry_free(SphRingGeometry *geometry)
{
  if (geometry == NULL)
    return;
  free(geometry->rings);
  free(geometry->pairs);
  free(geometry);
}

SphGridKind sph_ring_geometry_kind(const SphRingGeometry *g) { return g->kind; }
int sph_ring_geometry_nrings(const SphRingGeometry *g) { return g->nrings; }
const SphRing *sph_ring_geometry_rings(const SphRingGeometry *g) { return g->rings; }
int64_t sph_ring_geometry_npix(const SphRingGeometry *g) { return g->npix; }
int64_t sph_ring_geometry_nside(const SphRingGeometry *g) { return g->nside; }
int sph_ring_geometry_band_limit(const SphRingGeometry *g) { return g->band_limit; }
int sph_ring_geometry_npairs(const SphRingGeometry *g) { return g->npairs; }
const SphRingPair *sph_ring_geometry_pairs(const SphRingGeometry *g) { return g->pairs; }

int sph_ring_geometry_mmax_unaliased(const SphRingGeometry *g)
{
  int64_t best = INT64_MAX;
  for (int i = 0; i < g->nrings; i++)
    if ((g->rings[i].nphi - 1) / 2 < best)
      best = (g->rings[i].nphi - 1) / 2;
  return best > INT32_MAX ? INT32_MAX : (int)best;
}

const char *sph_grid_kind_name(SphGridKind kind)
{
  switch (kind) {
  case SPH_GRID_HEALPIX: return "healpix";
  case SPH_GRID_GAUSS_LEGENDRE: return "gauss-legendre";
  case SPH_GRID_MW: return "mw";
  case SPH_GRID_CLENSHAW_CURTIS: return "clenshaw-curtis";
  case SPH_GRID_CUSTOM: break;
  }
  return "custom";
}
