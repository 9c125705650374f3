/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/map.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sphaera/mem.h"

/* A FITS binary table holds at most 999 columns (TFIELDS). */
#define MAP_MAX_FIELDS 999

/* healpy's mask_bad: |v - UNSEEN| <= atol + rtol |UNSEEN|, rtol = 1e-5, atol = 1e-8.
 * NaN compares false here; callers that treat NaN as missing test it themselves. */
static inline bool near_unseen(double v)
{
  return fabs(v - SPH_UNSEEN) <= 1e-8 + 1e-5 * fabs(SPH_UNSEEN);
}

/* A child that ud_grade may average: healpy drops UNSEEN, NaN and infinities. (healpy
 * sums children times their mask, so a NaN or infinite child still turns its parent
 * NaN there; here it is skipped like an UNSEEN one, as ud_grade documents.) */
static inline bool averageable(double v)
{
  return isfinite(v) && !near_unseen(v);
}

/* Large fields ask for transparent huge pages, as numpy does for its arrays: where the
 * kernel grants them only on request, first touching a big map otherwise costs one page
 * fault per 4 KiB, which dominates reading a map from a file. */
static void advise_huge_pages(void *ptr, size_t bytes)
{
#ifdef MADV_HUGEPAGE
  const size_t min_bytes = (size_t)4 << 20;
  long page = sysconf(_SC_PAGESIZE);
  if (bytes < min_bytes || page <= 0)
    return;
  uintptr_t begin = ((uintptr_t)ptr + (uintptr_t)page - 1) / (uintptr_t)page * (uintptr_t)page;
  uintptr_t end = ((uintptr_t)ptr + bytes) / (uintptr_t)page * (uintptr_t)page;
  if (end > begin)
    madvise((void *)begin, end - begin, MADV_HUGEPAGE); /* a hint: failure changes nothing */
#else
  (void)ptr;
  (void)bytes;
#endif
}

static void copy_label(char dest[SPH_MAP_NAME_MAX], const char *src)
{
  if (src == NULL)
    src = "";
  snprintf(dest, SPH_MAP_NAME_MAX, "%s", src);
}

static SphMap *map_alloc(int64_t nside, SphOrdering ordering, int nfields, bool zero,
                         SphError *err)
{
  if (!sph_hp_nside_valid(nside)) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "cannot make a map with NSIDE=%lld: NSIDE must be a power of two from 1 to 2^%d",
                  (long long)nside, SPH_HP_MAX_ORDER);
    return NULL;
  }
  if (ordering != SPH_ORDER_RING && ordering != SPH_ORDER_NEST) {
    sph_error_set(err, SPH_ERR_INVALID, "cannot make a map: unknown pixel ordering %d",
                  (int)ordering);
    return NULL;
  }
  if (nfields < 1 || nfields > MAP_MAX_FIELDS) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "cannot make a map with %d fields: a map holds 1 to %d fields", nfields,
                  MAP_MAX_FIELDS);
    return NULL;
  }
  SphMap *map = calloc(1, sizeof *map);
  SphMapField *fields = calloc((size_t)nfields, sizeof *fields);
  if (map == NULL || fields == NULL) {
    free(map);
    free(fields);
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory allocating a map of %d fields", nfields);
    return NULL;
  }
  map->nside = nside;
  map->npix = sph_hp_nside2npix(nside);
  map->ordering = ordering;
  map->coordsys = SPH_COORD_UNKNOWN;
  map->nfields = nfields;
  map->fields = fields;
  for (int f = 0; f < nfields; f++) {
    snprintf(fields[f].name, sizeof fields[f].name, "FIELD%d", f + 1);
    fields[f].unit[0] = '\0';
    fields[f].values = sph_alloc_aligned((size_t)map->npix, sizeof(double), err);
    if (fields[f].values != NULL) {
      advise_huge_pages(fields[f].values, (size_t)map->npix * sizeof(double));
      if (zero)
        memset(fields[f].values, 0, (size_t)map->npix * sizeof(double));
    } else {
      sph_error_prefix(err, "map of NSIDE=%lld with %d fields (%.1f MiB)", (long long)nside,
                       nfields,
                       (double)map->npix * (double)nfields * 8.0 / (1024.0 * 1024.0));
      sph_map_free(map);
      return NULL;
    }
  }
  return map;
}

SphMap *sph_map_new(int64_t nside, SphOrdering ordering, int nfields, SphError *err)
{
  return map_alloc(nside, ordering, nfields, true, err);
}

SphMap *sph_map_new_uninit(int64_t nside, SphOrdering ordering, int nfields, SphError *err)
{
  return map_alloc(nside, ordering, nfields, false, err);
}

void sph_map_free(SphMap *map)
{
  if (map == NULL)
    return;
  if (map->fields != NULL) {
    for (int f = 0; f < map->nfields; f++)
      sph_free_aligned(map->fields[f].values);
    free(map->fields);
  }
  free(map);
}

/* A new map with map's shape at nside, frame, names and units; values uninitialised. */
static SphMap *map_new_like(const SphMap *map, int64_t nside, SphError *err)
{
  SphMap *out = map_alloc(nside, map->ordering, map->nfields, false, err);
  if (out == NULL)
    return NULL;
  out->coordsys = map->coordsys;
  for (int f = 0; f < map->nfields; f++) {
    memcpy(out->fields[f].name, map->fields[f].name, SPH_MAP_NAME_MAX);
    memcpy(out->fields[f].unit, map->fields[f].unit, SPH_MAP_NAME_MAX);
    out->fields[f].name[SPH_MAP_NAME_MAX - 1] = '\0';
    out->fields[f].unit[SPH_MAP_NAME_MAX - 1] = '\0';
  }
  return out;
}

SphMap *sph_map_copy(const SphMap *map, SphError *err)
{
  if (map == NULL) {
    sph_error_set(err, SPH_ERR_INVALID, "cannot copy a map: no map given");
    return NULL;
  }
  SphMap *out = map_new_like(map, map->nside, err);
  if (out == NULL)
    return NULL;
  for (int f = 0; f < map->nfields; f++)
    memcpy(out->fields[f].values, map->fields[f].values, (size_t)map->npix * sizeof(double));
  return out;
}

void sph_map_set_field_name(SphMap *map, int field, const char *name)
{
  if (map == NULL || field < 0 || field >= map->nfields)
    return;
  copy_label(map->fields[field].name, name);
}

void sph_map_set_field_unit(SphMap *map, int field, const char *unit)
{
  if (map == NULL || field < 0 || field >= map->nfields)
    return;
  copy_label(map->fields[field].unit, unit);
}

/* One scratch field is gathered into, then swapped with the field it replaces: the
 * reorder costs one field of extra memory whatever the number of fields, and each
 * thread writes its own contiguous range of the destination. */
SphStatus sph_map_reorder(SphMap *map, SphOrdering ordering, SphError *err)
{
  if (map == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "cannot reorder a map: no map given");
  if (ordering != SPH_ORDER_RING && ordering != SPH_ORDER_NEST)
    return sph_error_set(err, SPH_ERR_INVALID, "cannot reorder a map: unknown ordering %d",
                         (int)ordering);
  if (map->ordering == ordering)
    return SPH_OK;
  const int64_t nside = map->nside;
  const int64_t npix = map->npix;
  double *scratch = sph_alloc_aligned((size_t)npix, sizeof(double), err);
  if (scratch == NULL)
    return sph_error_prefix(err, "reordering a map of NSIDE=%lld", (long long)nside);
  advise_huge_pages(scratch, (size_t)npix * sizeof(double));
  const bool to_nest = ordering == SPH_ORDER_NEST;
  for (int f = 0; f < map->nfields; f++) {
    const double *src = map->fields[f].values;
    double *dst = scratch;
    if (to_nest) {
#pragma omp parallel for schedule(static)
      for (int64_t p = 0; p < npix; p++)
        dst[p] = src[sph_hp_nest2ring(nside, p)];
    } else {
#pragma omp parallel for schedule(static)
      for (int64_t p = 0; p < npix; p++)
        dst[p] = src[sph_hp_ring2nest(nside, p)];
    }
    scratch = map->fields[f].values;
    map->fields[f].values = dst;
  }
  sph_free_aligned(scratch);
  map->ordering = ordering;
  return SPH_OK;
}

static inline int64_t nest_to(SphOrdering ordering, int64_t nside, int64_t nest_pix)
{
  return ordering == SPH_ORDER_NEST ? nest_pix : sph_hp_nest2ring(nside, nest_pix);
}

/* In NEST ordering the children of parent p at a finer NSIDE are the r^2 consecutive
 * pixels p r^2 .. p r^2 + r^2 - 1, so both directions walk parents in NEST order and
 * translate indices for RING maps on the fly, without reordering whole maps. */
static void degrade_field(const double *in, int64_t nside_in, double *out, int64_t nside_out,
                          SphOrdering ordering)
{
  const int64_t npix_out = sph_hp_nside2npix(nside_out);
  const int64_t ratio = nside_in / nside_out;
  const int64_t nchildren = ratio * ratio;
#pragma omp parallel for schedule(static)
  for (int64_t parent = 0; parent < npix_out; parent++) {
    double sum = 0.0;
    int64_t nhit = 0;
    for (int64_t c = parent * nchildren; c < (parent + 1) * nchildren; c++) {
      double v = in[nest_to(ordering, nside_in, c)];
      if (averageable(v)) {
        sum += v;
        nhit++;
      }
    }
    out[nest_to(ordering, nside_out, parent)] = nhit > 0 ? sum / (double)nhit : SPH_UNSEEN;
  }
}

static void upgrade_field(const double *in, int64_t nside_in, double *out, int64_t nside_out,
                          SphOrdering ordering)
{
  const int64_t npix_in = sph_hp_nside2npix(nside_in);
  const int64_t ratio = nside_out / nside_in;
  const int64_t nchildren = ratio * ratio;
#pragma omp parallel for schedule(static)
  for (int64_t parent = 0; parent < npix_in; parent++) {
    double v = in[nest_to(ordering, nside_in, parent)];
    for (int64_t c = parent * nchildren; c < (parent + 1) * nchildren; c++)
      out[nest_to(ordering, nside_out, c)] = v;
  }
}

SphMap *sph_map_udgrade(const SphMap *map, int64_t nside_out, SphError *err)
{
  if (map == NULL) {
    sph_error_set(err, SPH_ERR_INVALID, "cannot change the resolution: no map given");
    return NULL;
  }
  if (!sph_hp_nside_valid(nside_out)) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "cannot change the resolution to NSIDE=%lld: NSIDE must be a power of two "
                  "from 1 to 2^%d",
                  (long long)nside_out, SPH_HP_MAX_ORDER);
    return NULL;
  }
  SphMap *out = map_new_like(map, nside_out, err);
  if (out == NULL)
    return NULL;
  for (int f = 0; f < map->nfields; f++) {
    const double *in = map->fields[f].values;
    double *dst = out->fields[f].values;
    if (nside_out < map->nside)
      degrade_field(in, map->nside, dst, nside_out, map->ordering);
    else if (nside_out > map->nside)
      upgrade_field(in, map->nside, dst, nside_out, map->ordering);
    else
      memcpy(dst, in, (size_t)map->npix * sizeof(double));
  }
  return out;
}

void sph_map_field_stats(const SphMap *map, int field, SphMapStats *stats)
{
  if (stats == NULL)
    return;
  *stats = (SphMapStats){ 0, 1.0, NAN, NAN, NAN, NAN };
  if (map == NULL || field < 0 || field >= map->nfields || map->npix <= 0)
    return;
  const double *v = map->fields[field].values;
  const int64_t npix = map->npix;
  int64_t nseen = 0;
  double sum = 0.0, sumsq = 0.0, lo = INFINITY, hi = -INFINITY;
#pragma omp parallel for schedule(static) reduction(+ : nseen, sum, sumsq) \
    reduction(min : lo) reduction(max : hi)
  for (int64_t p = 0; p < npix; p++) {
    double x = v[p];
    if (isnan(x) || near_unseen(x))
      continue;
    nseen++;
    sum += x;
    sumsq += x * x;
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
  stats->nseen = nseen;
  stats->unseen_fraction = (double)(npix - nseen) / (double)npix;
  if (nseen > 0) {
    stats->min = lo;
    stats->max = hi;
    stats->mean = sum / (double)nseen;
    stats->rms = sqrt(sumsq / (double)nseen);
  }
}

const char *sph_coordsys_name(SphCoordSys coordsys)
{
  switch (coordsys) {
  case SPH_COORD_GALACTIC: return "galactic";
  case SPH_COORD_EQUATORIAL: return "equatorial";
  case SPH_COORD_ECLIPTIC: return "ecliptic";
  case SPH_COORD_UNKNOWN: break;
  }
  return "unknown";
}

char sph_coordsys_letter(SphCoordSys coordsys)
{
  switch (coordsys) {
  case SPH_COORD_GALACTIC: return 'G';
  case SPH_COORD_EQUATORIAL: return 'C';
  case SPH_COORD_ECLIPTIC: return 'E';
  case SPH_COORD_UNKNOWN: break;
  }
  return 0;
}

SphCoordSys sph_coordsys_from_letter(char letter)
{
  switch (letter) {
  case 'G': case 'g': return SPH_COORD_GALACTIC;
  case 'C': case 'c': case 'Q': case 'q': return SPH_COORD_EQUATORIAL;
  case 'E': case 'e': return SPH_COORD_ECLIPTIC;
  default: return SPH_COORD_UNKNOWN;
  }
}

const char *sph_ordering_name(SphOrdering ordering)
{
  return ordering == SPH_ORDER_NEST ? "NESTED" : "RING";
}
