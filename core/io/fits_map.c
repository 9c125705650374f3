/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading HEALPix maps from FITS binary tables, as healpy's read_map does. The table
 * is read as raw rows in chunks and each column decoded here: one pass over the data
 * for any number of columns, and exact control of UNSEEN, NaN and integer columns. */
#include "sphaera/fits_map.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fits_input.h"
#include "fits_table.h"
#include "sphaera/mem.h"

typedef struct {
  int number;    /* 1-based FITS column number */
  int typecode;  /* CFITSIO's TBYTE, TSHORT, TLONG, TLONGLONG, TFLOAT, TDOUBLE */
  int64_t repeat;
  int64_t offset; /* bytes from the start of a row */
  int size;       /* bytes per element */
  double scale, zero;
  char name[FLEN_VALUE];
  char unit[FLEN_VALUE];
  char tform[FLEN_VALUE];
} Column;

typedef struct {
  SphFitsInput in;
  int64_t naxis1, nrows;
  int ncols;
  Column *cols;
} Reader;


static void trim(char *s)
{
  size_t n = strlen(s);
  while (n > 0 && isspace((unsigned char)s[n - 1]))
    s[--n] = '\0';
  size_t lead = 0;
  while (isspace((unsigned char)s[lead]))
    lead++;
  memmove(s, s + lead, n - lead + 1);
}


/* ---- the map reader ---------------------------------------------------------------- */

/* healpy reads the map from HDU 2 (hdu=1 in its counting). */
static SphStatus move_to_table(Reader *r)
{
  return sph_fits_input_table(&r->in, 2, "HDU 2", "a HEALPix map");
}

/* 1 when found, 0 when absent, -1 on error (err filled). */
static int read_string_key(Reader *r, const char *key, char value[FLEN_VALUE])
{
  int status = 0;
  char text[FLEN_STATUS];
  value[0] = '\0';
  fits_read_key(r->in.fits, TSTRING, key, value, NULL, &status);
  if (status == KEY_NO_EXIST) {
    value[0] = '\0';
    return 0;
  }
  if (status != 0) {
    sph_error_set(r->in.err, SPH_ERR_FORMAT, "%s: cannot read the %s keyword (CFITSIO: %s)",
                  r->in.path, key, sph_fits_status_text(status, text));
    return -1;
  }
  trim(value);
  return 1;
}

static int read_double_key(Reader *r, const char *key, double *value)
{
  int status = 0;
  char text[FLEN_STATUS];
  fits_read_key(r->in.fits, TDOUBLE, key, value, NULL, &status);
  if (status == KEY_NO_EXIST)
    return 0;
  if (status != 0) {
    sph_error_set(r->in.err, SPH_ERR_FORMAT, "%s: the %s keyword is not a number (CFITSIO: %s)",
                  r->in.path, key, sph_fits_status_text(status, text));
    return -1;
  }
  return 1;
}

static int element_size(int typecode)
{
  switch (typecode) {
  case TBYTE: return 1;
  case TSHORT: return 2;
  case TLONG: case TINT: case TFLOAT: return 4;
  case TLONGLONG: case TDOUBLE: return 8;
  default: return 0;
  }
}

static const char *type_description(int typecode)
{
  switch (typecode) {
  case TSTRING: return "strings";
  case TLOGICAL: return "logical values";
  case TBIT: return "bits";
  case TCOMPLEX: case TDBLCOMPLEX: return "complex numbers";
  default: return typecode < 0 ? "variable-length arrays" : "values of an unknown type";
  }
}

/* Bytes a column takes in each row, for any type (numeric or not), so the offsets of
 * the columns after it are right. */
static int64_t column_row_bytes(int typecode, int64_t repeat, int64_t width, const char *tform)
{
  if (typecode < 0)
    return strchr(tform, 'Q') != NULL || strchr(tform, 'q') != NULL ? 16 : 8;
  if (typecode == TBIT)
    return (repeat + 7) / 8;
  if (typecode == TSTRING)
    return repeat;
  return repeat * width;
}

static SphStatus read_columns(Reader *r)
{
  int status = 0;
  char text[FLEN_STATUS];
  long long nrows = 0;
  fits_get_num_rowsll(r->in.fits, &nrows, &status);
  fits_get_num_cols(r->in.fits, &r->ncols, &status);
  long long naxis1 = 0;
  fits_read_key(r->in.fits, TLONGLONG, "NAXIS1", &naxis1, NULL, &status);
  if (status != 0)
    return sph_error_set(r->in.err, SPH_ERR_FORMAT, "%s: the table header is damaged (CFITSIO: %s)",
                         r->in.path, sph_fits_status_text(status, text));
  r->nrows = nrows;
  r->naxis1 = naxis1;
  if (r->ncols < 1)
    return sph_error_set(r->in.err, SPH_ERR_FORMAT, "%s: the binary table in HDU 2 has no columns",
                         r->in.path);
  if (r->nrows < 1)
    return sph_error_set(r->in.err, SPH_ERR_FORMAT, "%s: the binary table in HDU 2 has no rows",
                         r->in.path);
  r->cols = calloc((size_t)r->ncols, sizeof *r->cols);
  if (r->cols == NULL)
    return sph_error_set(r->in.err, SPH_ERR_NOMEM, "%s: out of memory", r->in.path);

  int64_t offset = 0;
  for (int c = 0; c < r->ncols; c++) {
    Column *col = &r->cols[c];
    col->number = c + 1;
    char key[FLEN_KEYWORD];
    snprintf(key, sizeof key, "TFORM%d", c + 1);
    if (read_string_key(r, key, col->tform) <= 0)
      return sph_error_set(r->in.err, SPH_ERR_FORMAT, "%s: column %d has no TFORM keyword",
                           r->in.path, c + 1);
    snprintf(key, sizeof key, "TTYPE%d", c + 1);
    if (read_string_key(r, key, col->name) < 0)
      return SPH_ERR_FORMAT;
    snprintf(key, sizeof key, "TUNIT%d", c + 1);
    if (read_string_key(r, key, col->unit) < 0)
      return SPH_ERR_FORMAT;
    int typecode = 0;
    long long repeat = 0, width = 0;
    fits_get_coltypell(r->in.fits, c + 1, &typecode, &repeat, &width, &status);
    if (status != 0)
      return sph_error_set(r->in.err, SPH_ERR_FORMAT,
                           "%s: column %d (%s) has an unreadable format TFORM='%s' (CFITSIO: %s)",
                           r->in.path, c + 1, col->name, col->tform,
                           sph_fits_status_text(status, text));
    col->typecode = typecode;
    col->repeat = repeat;
    col->size = element_size(typecode);
    col->offset = offset;
    /* Binary-table element widths for the formats CFITSIO may report with width 0. */
    int64_t bytes = column_row_bytes(typecode, repeat, width, col->tform);
    if (bytes < 0 || offset > INT64_MAX - bytes)
      return sph_error_set(r->in.err, SPH_ERR_FORMAT, "%s: absurd row width in column %d (%s)",
                           r->in.path, c + 1, col->name);
    offset += bytes;
    col->scale = 1.0;
    col->zero = 0.0;
    snprintf(key, sizeof key, "TSCAL%d", c + 1);
    if (read_double_key(r, key, &col->scale) < 0)
      return SPH_ERR_FORMAT;
    snprintf(key, sizeof key, "TZERO%d", c + 1);
    if (read_double_key(r, key, &col->zero) < 0)
      return SPH_ERR_FORMAT;
  }
  if (offset != r->naxis1)
    return sph_error_set(r->in.err, SPH_ERR_FORMAT,
                         "%s: the columns take %lld bytes per row but NAXIS1 says %lld",
                         r->in.path, (long long)offset, (long long)r->naxis1);
  return SPH_OK;
}

static SphStatus check_numeric(Reader *r, const Column *col)
{
  if (col->size > 0 && col->repeat > 0)
    return SPH_OK;
  if (col->size > 0)
    return sph_error_set(r->in.err, SPH_ERR_FORMAT, "%s: column %d (%s) is empty (TFORM='%s')",
                         r->in.path, col->number, col->name, col->tform);
  return sph_error_set(r->in.err, SPH_ERR_UNSUPPORTED,
                       "%s: column %d (%s) holds %s (TFORM='%s'); map columns must be real "
                       "numbers (E, D, B, I, J or K)",
                       r->in.path, col->number, col->name, type_description(col->typecode),
                       col->tform);
}

/* Values in one column of a row, as doubles. Floating values within healpy's tolerance
 * of UNSEEN become exactly SPH_UNSEEN, so float32 files read as maps that compare equal
 * to SPH_UNSEEN, as healpy's read_map makes them. */
static void decode_values(const Column *col, const unsigned char *src, int64_t n, double *dst)
{
  const bool scaled = col->scale != 1.0 || col->zero != 0.0;
  const double a = col->scale, b = col->zero;
  switch (col->typecode) {
  case TFLOAT:
    for (int64_t k = 0; k < n; k++) {
      uint32_t bits = sph_load_be32(src + 4 * k);
      float f;
      memcpy(&f, &bits, 4);
      double v = scaled ? (double)f * a + b : (double)f;
      dst[k] = sph_fits_near_unseen(v) ? SPH_UNSEEN : v;
    }
    break;
  case TDOUBLE:
    for (int64_t k = 0; k < n; k++) {
      uint64_t bits = sph_load_be64(src + 8 * k);
      double v;
      memcpy(&v, &bits, 8);
      v = scaled ? v * a + b : v;
      dst[k] = sph_fits_near_unseen(v) ? SPH_UNSEEN : v;
    }
    break;
  case TBYTE:
    for (int64_t k = 0; k < n; k++)
      dst[k] = (double)src[k] * a + b;
    break;
  case TSHORT:
    for (int64_t k = 0; k < n; k++)
      dst[k] = (double)(int16_t)sph_load_be16(src + 2 * k) * a + b;
    break;
  case TLONG:
  case TINT:
    for (int64_t k = 0; k < n; k++)
      dst[k] = (double)(int32_t)sph_load_be32(src + 4 * k) * a + b;
    break;
  case TLONGLONG:
    for (int64_t k = 0; k < n; k++)
      dst[k] = (double)(int64_t)sph_load_be64(src + 8 * k) * a + b;
    break;
  default:
    break;
  }
}

/* A pixel index exactly, for 64-bit integers past 2^53 too; false when not an integer. */
static bool decode_pixel(const Column *col, const unsigned char *src, int64_t *pix)
{
  if (col->scale == 1.0 && col->zero == 0.0) {
    switch (col->typecode) {
    case TBYTE: *pix = src[0]; return true;
    case TSHORT: *pix = (int16_t)sph_load_be16(src); return true;
    case TLONG: case TINT: *pix = (int32_t)sph_load_be32(src); return true;
    case TLONGLONG: *pix = (int64_t)sph_load_be64(src); return true;
    default: break;
    }
  }
  double v;
  decode_values(col, src, 1, &v);
  if (!(v == floor(v)) || fabs(v) > 9.2e18)
    return false;
  *pix = (int64_t)v;
  return true;
}

static SphStatus read_failed(Reader *r, int status)
{
  return sph_fits_input_read_failed(&r->in, status);
}

/* Rows per chunk and a buffer for them; a single row wider than the chunk is read whole. */
static unsigned char *chunk_buffer(Reader *r, int64_t *rows_per_chunk)
{
  int64_t rows = SPH_FITS_CHUNK_BYTES / r->naxis1;
  if (rows < 1)
    rows = 1;
  if (rows > r->nrows)
    rows = r->nrows;
  *rows_per_chunk = rows;
  unsigned char *buf = sph_alloc_aligned((size_t)rows, (size_t)r->naxis1, r->in.err);
  if (buf == NULL)
    sph_error_prefix(r->in.err, "%s: reading the table", r->in.path);
  return buf;
}

static SphStatus read_full_sky(Reader *r, SphMap *map, const Column *data_cols)
{
  int64_t rows_per_chunk = 0;
  unsigned char *buf = chunk_buffer(r, &rows_per_chunk);
  if (buf == NULL)
    return SPH_ERR_NOMEM; /* err already says so */
  for (int64_t row0 = 0; row0 < r->nrows; row0 += rows_per_chunk) {
    int64_t nr = r->nrows - row0 < rows_per_chunk ? r->nrows - row0 : rows_per_chunk;
    int status = 0;
    fits_read_tblbytes(r->in.fits, row0 + 1, 1, nr * r->naxis1, buf, &status);
    if (status != 0) {
      sph_free_aligned(buf);
      return read_failed(r, status);
    }
    /* One thread: decoding runs at memory speed, and a parallel region per chunk
     * loses more than it gains on a machine whose cores are busy. */
    for (int f = 0; f < map->nfields; f++)
      for (int64_t i = 0; i < nr; i++) {
        const Column *col = &data_cols[f];
        decode_values(col, buf + i * r->naxis1 + col->offset, col->repeat,
                      map->fields[f].values + (row0 + i) * col->repeat);
      }
  }
  sph_free_aligned(buf);
  return SPH_OK;
}

/* healpy's partial-sky layout: a PIXEL column first, then one value per listed pixel
 * in each data column (PIXEL and data flattened the same way); others read UNSEEN. */
static SphStatus read_partial(Reader *r, SphMap *map, const Column *pixel_col,
                              const Column *data_cols)
{
  for (int f = 0; f < map->nfields; f++) {
    double *v = map->fields[f].values;
    for (int64_t p = 0; p < map->npix; p++)
      v[p] = SPH_UNSEEN;
  }
  const int64_t repeat = pixel_col->repeat;
  int64_t *pix = malloc((size_t)repeat * sizeof *pix);
  double *vals = malloc((size_t)repeat * sizeof *vals);
  int64_t rows_per_chunk = 0;
  unsigned char *buf = chunk_buffer(r, &rows_per_chunk);
  SphStatus st = SPH_OK;
  if (buf == NULL)
    st = SPH_ERR_NOMEM; /* err already says so */
  else if (pix == NULL || vals == NULL)
    st = sph_error_set(r->in.err, SPH_ERR_NOMEM, "%s: out of memory", r->in.path);
  if (st != SPH_OK)
    goto done;
  for (int64_t row0 = 0; row0 < r->nrows && st == SPH_OK; row0 += rows_per_chunk) {
    int64_t nr = r->nrows - row0 < rows_per_chunk ? r->nrows - row0 : rows_per_chunk;
    int status = 0;
    fits_read_tblbytes(r->in.fits, row0 + 1, 1, nr * r->naxis1, buf, &status);
    if (status != 0) {
      st = read_failed(r, status);
      break;
    }
    for (int64_t i = 0; i < nr && st == SPH_OK; i++) {
      const unsigned char *row = buf + i * r->naxis1;
      for (int64_t k = 0; k < repeat; k++) {
        if (!decode_pixel(pixel_col, row + pixel_col->offset + k * pixel_col->size, &pix[k]) ||
            pix[k] < 0 || pix[k] >= map->npix) {
          double shown;
          decode_values(pixel_col, row + pixel_col->offset + k * pixel_col->size, 1, &shown);
          st = sph_error_set(r->in.err, SPH_ERR_FORMAT,
                             "%s: the PIXEL column holds %.17g in row %lld, which is not a "
                             "pixel of an NSIDE=%lld map (0 to %lld)",
                             r->in.path, shown, (long long)(row0 + i + 1), (long long)map->nside,
                             (long long)(map->npix - 1));
          break;
        }
      }
      for (int f = 0; f < map->nfields && st == SPH_OK; f++) {
        const Column *col = &data_cols[f];
        decode_values(col, row + col->offset, repeat, vals);
        double *dst = map->fields[f].values;
        for (int64_t k = 0; k < repeat; k++)
          dst[pix[k]] = vals[k];
      }
    }
  }
done:
  free(pix);
  free(vals);
  sph_free_aligned(buf);
  return st;
}

static SphStatus parse_ordering(Reader *r, SphOrdering *ordering)
{
  char value[FLEN_VALUE];
  int found = read_string_key(r, "ORDERING", value);
  if (found < 0)
    return SPH_ERR_FORMAT;
  *ordering = SPH_ORDER_RING; /* healpy's default when the keyword is missing */
  if (found == 0)
    return SPH_OK;
  if (strcasecmp(value, "RING") == 0)
    *ordering = SPH_ORDER_RING;
  else if (strcasecmp(value, "NESTED") == 0 || strcasecmp(value, "NEST") == 0)
    *ordering = SPH_ORDER_NEST;
  else
    return sph_error_set(r->in.err, SPH_ERR_FORMAT,
                         "%s: unknown pixel ordering ORDERING='%s' (expected RING or NESTED)",
                         r->in.path, value);
  return SPH_OK;
}

static SphCoordSys parse_coordsys(const char *value)
{
  if (strlen(value) == 1)
    return sph_coordsys_from_letter(value[0]);
  if (strcasecmp(value, "GALACTIC") == 0)
    return SPH_COORD_GALACTIC;
  if (strcasecmp(value, "CELESTIAL") == 0 || strcasecmp(value, "EQUATORIAL") == 0)
    return SPH_COORD_EQUATORIAL;
  if (strcasecmp(value, "ECLIPTIC") == 0)
    return SPH_COORD_ECLIPTIC;
  return SPH_COORD_UNKNOWN;
}

/* healpy's rule: OBJECT ('PARTIAL'/'FULLSKY') first, then INDXSCHM, which must agree. */
static SphStatus parse_partial(Reader *r, bool *partial)
{
  char object[FLEN_VALUE], scheme[FLEN_VALUE];
  if (read_string_key(r, "OBJECT", object) < 0 || read_string_key(r, "INDXSCHM", scheme) < 0)
    return SPH_ERR_FORMAT;
  *partial = false;
  if (strcmp(object, "PARTIAL") == 0)
    *partial = true;
  if (strcmp(scheme, "EXPLICIT") == 0 || strcmp(scheme, "IMPLICIT") == 0) {
    bool is_explicit = scheme[0] == 'E';
    if ((is_explicit && strcmp(object, "FULLSKY") == 0) || (!is_explicit && *partial))
      return sph_error_set(r->in.err, SPH_ERR_FORMAT,
                           "%s: INDXSCHM='%s' contradicts OBJECT='%s'", r->in.path, scheme, object);
    *partial = is_explicit;
  }
  return SPH_OK;
}

/* NSIDE as an integer; 1 when found, 0 when absent, -1 on error. */
static int read_nside_key(Reader *r, int64_t *nside)
{
  char raw[FLEN_VALUE];
  int status = 0;
  fits_read_keyword(r->in.fits, "NSIDE", raw, NULL, &status);
  if (status == KEY_NO_EXIST)
    return 0;
  if (status != 0) {
    char text[FLEN_STATUS];
    sph_error_set(r->in.err, SPH_ERR_FORMAT, "%s: cannot read the NSIDE keyword (CFITSIO: %s)",
                  r->in.path, sph_fits_status_text(status, text));
    return -1;
  }
  trim(raw);
  char buf[FLEN_VALUE];
  snprintf(buf, sizeof buf, "%s", raw);
  char *s = buf;
  size_t n = strlen(s);
  if (n >= 2 && s[0] == '\'' && s[n - 1] == '\'') {
    s[n - 1] = '\0';
    s++;
    trim(s);
  }
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (end == s || *end != '\0' || errno != 0) {
    sph_error_set(r->in.err, SPH_ERR_FORMAT, "%s: NSIDE=%s%s%s is not an integer", r->in.path,
                  s == buf ? "" : "'", s, s == buf ? "" : "'");
    return -1;
  }
  *nside = v;
  return 1;
}

static SphStatus check_nside(Reader *r, int64_t nside)
{
  if (nside >= 1 && (nside & (nside - 1)) == 0 && nside > SPH_HP_MAX_NSIDE)
    return sph_error_set(r->in.err, SPH_ERR_UNSUPPORTED,
                         "%s: NSIDE=%lld is larger than the largest HEALPix NSIDE, 2^%d",
                         r->in.path, (long long)nside, SPH_HP_MAX_ORDER);
  if (!sph_hp_nside_valid(nside))
    return sph_error_set(r->in.err, SPH_ERR_FORMAT, "%s: NSIDE=%lld is not a power of two",
                         r->in.path, (long long)nside);
  return SPH_OK;
}

/* Refuses before allocating what the machine cannot hold (a partial-sky header can ask
 * for an NSIDE = 2^29 map with a few pixels listed). */
static SphStatus check_memory(Reader *r, int64_t npix, int nfields)
{
  double bytes = (double)npix * (double)nfields * 8.0;
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  double physical = pages > 0 && page > 0 ? (double)pages * (double)page : 0.0;
  if (bytes > 9.0e18 || (physical > 0.0 && bytes > physical))
    return sph_error_set(r->in.err, SPH_ERR_UNSUPPORTED,
                         "%s: absurd size: a map of %lld pixels with %d fields needs %.3g GiB, "
                         "more than this machine's %.3g GiB of memory",
                         r->in.path, (long long)npix, nfields, bytes / 1073741824.0,
                         physical / 1073741824.0);
  return SPH_OK;
}

static SphStatus count_values(Reader *r, const Column *col, int64_t *count)
{
  if (__builtin_mul_overflow(col->repeat, r->nrows, count))
    return sph_error_set(r->in.err, SPH_ERR_FORMAT,
                         "%s: absurd size: column %d (%s) claims %lld rows of %lld values",
                         r->in.path, col->number, col->name, (long long)r->nrows,
                         (long long)col->repeat);
  return SPH_OK;
}

static SphStatus read_map(Reader *r, SphMap **out, SphFitsType *stored_type)
{
  SphStatus st;
  if ((st = move_to_table(r)) != SPH_OK || (st = read_columns(r)) != SPH_OK)
    return st;

  char pixtype[FLEN_VALUE], coordsys[FLEN_VALUE];
  if (read_string_key(r, "PIXTYPE", pixtype) < 0 || read_string_key(r, "COORDSYS", coordsys) < 0)
    return SPH_ERR_FORMAT;
  if (pixtype[0] != '\0' && strcasecmp(pixtype, "HEALPIX") != 0)
    return sph_error_set(r->in.err, SPH_ERR_UNSUPPORTED,
                         "%s: PIXTYPE='%s': not a HEALPix map", r->in.path, pixtype);
  SphOrdering ordering;
  bool partial;
  if ((st = parse_ordering(r, &ordering)) != SPH_OK || (st = parse_partial(r, &partial)) != SPH_OK)
    return st;

  const int first_data = partial ? 1 : 0;
  const int nfields = r->ncols - first_data;
  if (nfields < 1)
    return sph_error_set(r->in.err, SPH_ERR_FORMAT,
                         "%s: partial-sky table has a PIXEL column but no data column", r->in.path);
  for (int c = 0; c < r->ncols; c++)
    if ((st = check_numeric(r, &r->cols[c])) != SPH_OK)
      return st;
  const Column *data_cols = &r->cols[first_data];

  int64_t count0 = 0;
  if ((st = count_values(r, &r->cols[0], &count0)) != SPH_OK)
    return st;
  int64_t nside = 0;
  int have_nside = read_nside_key(r, &nside);
  if (have_nside < 0)
    return SPH_ERR_FORMAT;
  if (have_nside == 0) {
    if (partial)
      return sph_error_set(r->in.err, SPH_ERR_FORMAT,
                           "%s: partial-sky map without an NSIDE keyword: its resolution is "
                           "unknown",
                           r->in.path);
    nside = sph_hp_npix2nside(count0);
    if (nside < 0)
      return sph_error_set(r->in.err, SPH_ERR_FORMAT,
                           "%s: no NSIDE keyword, and the column length %lld is not 12*NSIDE^2 "
                           "for any power of two NSIDE",
                           r->in.path, (long long)count0);
  }
  if ((st = check_nside(r, nside)) != SPH_OK)
    return st;
  const int64_t npix = sph_hp_nside2npix(nside);

  for (int c = 0; c < r->ncols; c++) {
    const Column *col = &r->cols[c];
    int64_t count = 0;
    if ((st = count_values(r, col, &count)) != SPH_OK)
      return st;
    if (!partial && count != npix)
      return sph_error_set(r->in.err, SPH_ERR_FORMAT,
                           "%s: column %d (%s) holds %lld values but an NSIDE=%lld map has "
                           "12*NSIDE^2 = %lld pixels",
                           r->in.path, col->number, col->name, (long long)count, (long long)nside,
                           (long long)npix);
    if (partial && (col->repeat != r->cols[0].repeat))
      return sph_error_set(r->in.err, SPH_ERR_FORMAT,
                           "%s: column %d (%s) holds %lld values but the PIXEL column lists "
                           "%lld pixels",
                           r->in.path, col->number, col->name, (long long)count, (long long)count0);
  }
  if (partial && count0 > npix)
    return sph_error_set(r->in.err, SPH_ERR_FORMAT,
                         "%s: the PIXEL column lists %lld pixels but an NSIDE=%lld map has "
                         "only %lld",
                         r->in.path, (long long)count0, (long long)nside, (long long)npix);
  if ((st = check_memory(r, npix, nfields)) != SPH_OK)
    return st;

  SphMap *map = sph_map_new_uninit(nside, ordering, nfields, r->in.err);
  if (map == NULL)
    return sph_error_prefix(r->in.err, "%s", r->in.path);
  map->coordsys = parse_coordsys(coordsys);
  bool wide = false;
  for (int f = 0; f < nfields; f++) {
    const Column *col = &data_cols[f];
    sph_map_set_field_name(map, f, col->name);
    sph_map_set_field_unit(map, f, col->unit);
    if (col->typecode == TDOUBLE || col->typecode == TLONG || col->typecode == TINT ||
        col->typecode == TLONGLONG || col->scale != 1.0 || col->zero != 0.0)
      wide = true;
  }
  st = partial ? read_partial(r, map, &r->cols[0], data_cols) : read_full_sky(r, map, data_cols);
  if (st != SPH_OK) {
    sph_map_free(map);
    return st;
  }
  if (stored_type != NULL)
    *stored_type = wide ? SPH_FITS_FLOAT64 : SPH_FITS_FLOAT32;
  *out = map;
  return SPH_OK;
}

SphMap *sph_fits_read_map(const char *path, SphFitsType *stored_type, SphError *err)
{
  if (path == NULL || path[0] == '\0') {
    sph_error_set(err, SPH_ERR_INVALID, "cannot read a map: no file name given");
    return NULL;
  }
  Reader r = { .cols = NULL };
  SphMap *map = NULL;
  SphStatus st = sph_fits_input_open(&r.in, path, err);
  if (st == SPH_OK)
    st = read_map(&r, &map, stored_type);
  sph_fits_input_close(&r.in);
  free(r.cols);
  if (st != SPH_OK) {
    sph_map_free(map);
    return NULL;
  }
  return map;
}
