/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writing HEALPix maps as healpy's write_map does: the same table layout (rows of 1024
 * values when npix > 1024, a leading PIXEL column for partial-sky maps), the same
 * keywords in the same order. The file appears atomically (fits_atomic.h): a failure
 * leaves any previous file as it was. */
#include "sphaera/fits_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fits_atomic.h"
#include "fits_table.h"
#include "sphaera/mem.h"

/* A string keyword value holds at most 68 characters. */
#define FITS_MAX_STRING 68

typedef struct {
  int64_t nrows;
  int64_t repeat;      /* values per row in each data column */
  int64_t naxis1;      /* bytes per row */
  int value_size;      /* 4 or 8 */
  int pixel_size;      /* bytes of the PIXEL column, 0 for full sky */
  char pixel_tform[2]; /* "B", "I", "J" or "K" */
} Layout;

static bool printable(const char *s)
{
  for (; *s != '\0'; s++)
    if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
      return false;
  return true;
}

static bool seen(double v)
{
  return !isnan(v) && !sph_fits_near_unseen(v);
}

static SphStatus check_map(const char *path, const SphMap *map, SphError *err)
{
  if (map == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: cannot write: no map given", path);
  if (!sph_hp_nside_valid(map->nside) || map->npix != sph_hp_nside2npix(map->nside))
    return sph_error_set(err, SPH_ERR_INVALID,
                         "%s: cannot write: the map has NSIDE=%lld and %lld pixels, not a "
                         "valid HEALPix map",
                         path, (long long)map->nside, (long long)map->npix);
  if (map->nfields < 1 || map->nfields > 998 || map->fields == NULL)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "%s: cannot write a map of %d fields (1 to 998 fit in a FITS table)",
                         path, map->nfields);
  for (int f = 0; f < map->nfields; f++) {
    const SphMapField *field = &map->fields[f];
    if (field->values == NULL)
      return sph_error_set(err, SPH_ERR_INVALID, "%s: cannot write: field %d has no values",
                           path, f + 1);
    if (strnlen(field->name, SPH_MAP_NAME_MAX) > FITS_MAX_STRING || !printable(field->name) ||
        strnlen(field->unit, SPH_MAP_NAME_MAX) > FITS_MAX_STRING || !printable(field->unit))
      return sph_error_set(err, SPH_ERR_INVALID,
                           "%s: cannot write field %d: a FITS header holds names and units of "
                           "at most %d printable ASCII characters",
                           path, f + 1, FITS_MAX_STRING);
  }
  return SPH_OK;
}

/* The partial-sky layout keeps the pixels seen in the first field, as healpy's
 * mask_good(m[0]) does, with the narrowest PIXEL type healpy would pick. */
static SphStatus plan_layout(const char *path, const SphMap *map, const SphFitsWriteOptions *opt,
                             Layout *lay, SphError *err)
{
  lay->value_size = opt->type == SPH_FITS_FLOAT32 ? 4 : 8;
  if (!opt->partial) {
    lay->repeat = map->npix > 1024 ? 1024 : 1;
    lay->nrows = map->npix / lay->repeat;
    lay->pixel_size = 0;
    lay->naxis1 = lay->repeat * lay->value_size * map->nfields;
    return SPH_OK;
  }
  const double *first = map->fields[0].values;
  int64_t nseen = 0, maxpix = 0;
  for (int64_t p = 0; p < map->npix; p++)
    if (seen(first[p])) {
      nseen++;
      maxpix = p;
    }
  if (nseen == 0)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "%s: cannot write a partial-sky map with no seen pixel in its first "
                         "field",
                         path);
  lay->repeat = 1;
  lay->nrows = nseen;
  if (maxpix == 0)
    lay->pixel_size = 1, lay->pixel_tform[0] = 'B';
  else if (maxpix <= INT16_MAX)
    lay->pixel_size = 2, lay->pixel_tform[0] = 'I';
  else if (maxpix <= INT32_MAX)
    lay->pixel_size = 4, lay->pixel_tform[0] = 'J';
  else
    lay->pixel_size = 8, lay->pixel_tform[0] = 'K';
  lay->pixel_tform[1] = '\0';
  lay->naxis1 = lay->pixel_size + (int64_t)lay->value_size * map->nfields;
  return SPH_OK;
}

static void store_pixel(unsigned char *dst, int size, int64_t pix)
{
  switch (size) {
  case 1: dst[0] = (unsigned char)pix; break;
  case 2: sph_store_be16(dst, (uint16_t)(int16_t)pix); break;
  case 4: sph_store_be32(dst, (uint32_t)(int32_t)pix); break;
  default: sph_store_be64(dst, (uint64_t)pix); break;
  }
}

static int write_rows(fitsfile *fits, const SphMap *map, const Layout *lay, int *status)
{
  int64_t rows_per_chunk = SPH_FITS_CHUNK_BYTES / lay->naxis1;
  if (rows_per_chunk < 1)
    rows_per_chunk = 1;
  if (rows_per_chunk > lay->nrows)
    rows_per_chunk = lay->nrows;
  unsigned char *buf = sph_alloc_aligned((size_t)rows_per_chunk, (size_t)lay->naxis1, NULL);
  if (buf == NULL)
    return *status = MEMORY_ALLOCATION;
  int64_t next_pix = 0; /* partial sky: where the search for the next seen pixel resumes */
  const double *first = map->fields[0].values;
  for (int64_t row0 = 0; row0 < lay->nrows && *status == 0; row0 += rows_per_chunk) {
    int64_t nr = lay->nrows - row0 < rows_per_chunk ? lay->nrows - row0 : rows_per_chunk;
    for (int64_t i = 0; i < nr; i++) {
      unsigned char *row = buf + i * lay->naxis1;
      if (lay->pixel_size > 0) {
        while (!seen(first[next_pix]))
          next_pix++;
        store_pixel(row, lay->pixel_size, next_pix);
        unsigned char *dst = row + lay->pixel_size;
        for (int f = 0; f < map->nfields; f++, dst += lay->value_size)
          sph_fits_store_values(dst, lay->value_size, &map->fields[f].values[next_pix], 1);
        next_pix++;
      } else {
        int64_t first_value = (row0 + i) * lay->repeat;
        for (int f = 0; f < map->nfields; f++)
          sph_fits_store_values(row + (int64_t)f * lay->repeat * lay->value_size, lay->value_size,
                       map->fields[f].values + first_value, lay->repeat);
      }
    }
    fits_write_tblbytes(fits, row0 + 1, 1, nr * lay->naxis1, buf, status);
  }
  sph_free_aligned(buf);
  return *status;
}

static const char *healpy_column_name(int nfields, int f)
{
  static const char *const one[] = { "TEMPERATURE" };
  static const char *const two[] = { "Q_POLARISATION", "U_POLARISATION" };
  static const char *const three[] = { "TEMPERATURE", "Q_POLARISATION", "U_POLARISATION" };
  static const char *const six[] = { "II", "IQ", "IU", "QQ", "QU", "UU" };
  switch (nfields) {
  case 1: return one[f];
  case 2: return two[f];
  case 3: return three[f];
  case 6: return six[f];
  default: return NULL;
  }
}

/* The table and its keywords, in healpy's order; returns the CFITSIO status. */
static int write_table(fitsfile *fits, const SphMap *map, const SphFitsWriteOptions *opt,
                       const Layout *lay)
{
  int status = 0;
  const int ncols = map->nfields + (opt->partial ? 1 : 0);
  char **ttype = calloc((size_t)ncols, sizeof *ttype);
  char **tform = calloc((size_t)ncols, sizeof *tform);
  char **tunit = calloc((size_t)ncols, sizeof *tunit);
  char(*names)[FLEN_VALUE] = calloc((size_t)ncols, sizeof *names);
  char(*forms)[FLEN_VALUE] = calloc((size_t)ncols, sizeof *forms);
  if (ttype == NULL || tform == NULL || tunit == NULL || names == NULL || forms == NULL) {
    status = MEMORY_ALLOCATION;
    goto done;
  }
  int c = 0;
  static char pixel_name[] = "PIXEL", empty[] = "";
  if (opt->partial) {
    ttype[c] = pixel_name;
    snprintf(forms[c], FLEN_VALUE, "%s", lay->pixel_tform);
    tform[c] = forms[c];
    tunit[c] = empty;
    c++;
  }
  const char letter = opt->type == SPH_FITS_FLOAT32 ? 'E' : 'D';
  for (int f = 0; f < map->nfields; f++, c++) {
    const char *name = map->fields[f].name;
    const char *fallback = healpy_column_name(map->nfields, f);
    if (name[0] == '\0' && fallback != NULL)
      snprintf(names[c], FLEN_VALUE, "%s", fallback);
    else if (name[0] == '\0')
      snprintf(names[c], FLEN_VALUE, "COLUMN_%d", f + 1);
    else
      snprintf(names[c], FLEN_VALUE, "%.*s", FITS_MAX_STRING, name);
    ttype[c] = names[c];
    if (lay->repeat > 1)
      snprintf(forms[c], FLEN_VALUE, "%lld%c", (long long)lay->repeat, letter);
    else
      snprintf(forms[c], FLEN_VALUE, "%c", letter);
    tform[c] = forms[c];
    tunit[c] = (char *)map->fields[f].unit; /* CFITSIO skips empty units, as healpy does */
  }
  fits_create_tbl(fits, BINARY_TBL, 0, ncols, ttype, tform, tunit, NULL, &status);

  fits_write_key(fits, TSTRING, "PIXTYPE", "HEALPIX", "HEALPIX pixelisation", &status);
  fits_write_key(fits, TSTRING, "ORDERING", (char *)sph_ordering_name(map->ordering),
                 "Pixel ordering scheme, either RING or NESTED", &status);
  char coord[2] = { sph_coordsys_letter(map->coordsys), '\0' };
  if (coord[0] != 0)
    fits_write_key(fits, TSTRING, "COORDSYS", coord,
                   "Ecliptic, Galactic or Celestial (equatorial)", &status);
  fits_write_key(fits, TSTRING, "EXTNAME", "xtension", "name of this binary table extension",
                 &status);
  long long nside = map->nside;
  fits_write_key(fits, TLONGLONG, "NSIDE", &nside, "Resolution parameter of HEALPIX", &status);
  if (!opt->partial) {
    long long firstpix = 0, lastpix = map->npix - 1;
    fits_write_key(fits, TLONGLONG, "FIRSTPIX", &firstpix, "First pixel # (0 based)", &status);
    fits_write_key(fits, TLONGLONG, "LASTPIX", &lastpix, "Last pixel # (0 based)", &status);
  }
  fits_write_key(fits, TSTRING, "INDXSCHM", opt->partial ? "EXPLICIT" : "IMPLICIT",
                 "Indexing: IMPLICIT or EXPLICIT", &status);
  fits_write_key(fits, TSTRING, "OBJECT", opt->partial ? "PARTIAL" : "FULLSKY",
                 "Sky coverage, either FULLSKY or PARTIAL", &status);
  if (status == 0)
    write_rows(fits, map, lay, &status);
done:
  free(ttype);
  free(tform);
  free(tunit);
  free(names);
  free(forms);
  return status;
}

SphStatus sph_fits_write_map(const char *path, const SphMap *map,
                             const SphFitsWriteOptions *options, SphError *err)
{
  if (path == NULL || path[0] == '\0')
    return sph_error_set(err, SPH_ERR_INVALID, "cannot write a map: no file name given");
  SphStatus st = check_map(path, map, err);
  if (st != SPH_OK)
    return st;
  const SphFitsWriteOptions defaults = { SPH_FITS_FLOAT64, false };
  const SphFitsWriteOptions *opt = options != NULL ? options : &defaults;
  if (opt->type != SPH_FITS_FLOAT32 && opt->type != SPH_FITS_FLOAT64)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: cannot write: unknown column type %d", path,
                         (int)opt->type);
  Layout lay;
  if ((st = plan_layout(path, map, opt, &lay, err)) != SPH_OK)
    return st;

  SphFitsAtomic *out;
  fitsfile *fits;
  if ((st = sph_fits_atomic_create(path, &out, &fits, err)) != SPH_OK)
    return st;
  return sph_fits_atomic_commit(out, write_table(fits, map, opt, &lay), err);
}
