/* SPDX-License-Identifier: GPL-3.0-or-later */
/* alm in FITS as healpy's read_alm/write_alm. Reading makes two passes over the INDEX
 * column: the first finds lmax and mmax and checks every index, so a bad file is refused
 * before anything large is allocated; the second places each coefficient by its index
 * and refuses an (l, m) given twice. Writing follows healpy's table and row order. */
#include "sphaera/fits_alm.h"

#include <complex.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fits_atomic.h"
#include "fits_input.h"
#include "fits_table.h"
#include "sphaera/mem.h"

/* Values moved per CFITSIO call while reading. */
#define READ_CHUNK 65536

/* Indices past 2^62 mean l > 2^31: no alm of that size exists, and l*l overflows. */
#define INDEX_LIMIT ((int64_t)1 << 62)

enum { COL_INDEX, COL_REAL, COL_IMAG, NCOLS };
static const char *const column_names[NCOLS] = { "INDEX", "REAL", "IMAG" };

typedef struct {
  SphFitsInput *in;
  char name[32]; /* "extension 2", as messages call it */
  int col[NCOLS];
  int type[NCOLS]; /* CFITSIO typecodes */
  int64_t repeat;
  int64_t nvalues; /* coefficients in the table: rows times repeat */
} Table;

/* The position of value k of a column, as a user finds it in a table viewer. */
static long long row_of(const Table *t, int64_t k)
{
  return (long long)(k / t->repeat + 1);
}

static bool numeric_type(int typecode)
{
  switch (typecode) {
  case TBYTE: case TSHORT: case TLONG: case TINT: case TLONGLONG: case TFLOAT: case TDOUBLE:
    return true;
  default:
    return false;
  }
}

static bool integer_type(int typecode)
{
  return numeric_type(typecode) && typecode != TFLOAT && typecode != TDOUBLE;
}

static void trim(char *s)
{
  size_t n = strlen(s);
  while (n > 0 && s[n - 1] == ' ')
    s[--n] = '\0';
  size_t lead = strspn(s, " ");
  memmove(s, s + lead, n - lead + 1);
}

/* Finds INDEX, REAL and IMAG by name and checks that they hold numbers, the same count
 * of them. */
static SphStatus find_columns(Table *t)
{
  SphFitsInput *in = t->in;
  int status = 0, ncols = 0;
  char text[FLEN_STATUS];
  long long nrows = 0;
  fits_get_num_cols(in->fits, &ncols, &status);
  fits_get_num_rowsll(in->fits, &nrows, &status);
  if (status != 0)
    return sph_error_set(in->err, SPH_ERR_FORMAT, "%s: the table header of %s is damaged "
                         "(CFITSIO: %s)",
                         in->path, t->name, sph_fits_status_text(status, text));
  char found[256] = "";
  for (int c = 0; c < NCOLS; c++)
    t->col[c] = 0;
  for (int n = 1; n <= ncols; n++) {
    char key[FLEN_KEYWORD], name[FLEN_VALUE] = "";
    snprintf(key, sizeof key, "TTYPE%d", n);
    status = 0;
    fits_read_key(in->fits, TSTRING, key, name, NULL, &status);
    trim(name);
    size_t used = strlen(found);
    snprintf(found + used, sizeof found - used, "%s%s", used > 0 ? ", " : "",
             name[0] != '\0' ? name : "(unnamed)");
    for (int c = 0; c < NCOLS; c++)
      if (t->col[c] == 0 && strcasecmp(name, column_names[c]) == 0)
        t->col[c] = n;
  }
  for (int c = 0; c < NCOLS; c++)
    if (t->col[c] == 0)
      return sph_error_set(in->err, SPH_ERR_FORMAT,
                           "%s: %s has no %s column (its columns: %s); an alm table has "
                           "INDEX, REAL and IMAG columns",
                           in->path, t->name, column_names[c], ncols > 0 ? found : "none");
  for (int c = 0; c < NCOLS; c++) {
    long long repeat = 0, width = 0;
    status = 0;
    fits_get_coltypell(in->fits, t->col[c], &t->type[c], &repeat, &width, &status);
    if (status != 0 || !numeric_type(t->type[c]))
      return sph_error_set(in->err, SPH_ERR_FORMAT,
                           "%s: the %s column of %s does not hold real numbers (an alm table "
                           "holds integers or floating-point numbers)",
                           in->path, column_names[c], t->name);
    if (c == 0)
      t->repeat = repeat;
    else if (repeat != t->repeat)
      return sph_error_set(in->err, SPH_ERR_FORMAT,
                           "%s: in %s the INDEX column holds %lld values per row but %s "
                           "holds %lld",
                           in->path, t->name, (long long)t->repeat, column_names[c], repeat);
  }
  if (t->repeat < 1 || nrows < 1)
    return sph_error_set(in->err, SPH_ERR_FORMAT, "%s: %s holds no coefficients (the table is "
                         "empty)",
                         in->path, t->name);
  if (__builtin_mul_overflow((int64_t)nrows, t->repeat, &t->nvalues))
    return sph_error_set(in->err, SPH_ERR_FORMAT, "%s: absurd size: %s claims %lld rows of "
                         "%lld values",
                         in->path, t->name, nrows, (long long)t->repeat);
  return SPH_OK;
}

/* INDEX values k0 .. k0+n-1 as exact integers; a floating-point INDEX column must hold
 * whole numbers. */
static SphStatus read_indices(Table *t, int64_t k0, int64_t n, int64_t *idx, double *scratch)
{
  SphFitsInput *in = t->in;
  int status = 0;
  const int col = t->col[COL_INDEX];
  if (integer_type(t->type[COL_INDEX])) {
    fits_read_col(in->fits, TLONGLONG, col, 1, k0 + 1, n, NULL, idx, NULL, &status);
    return status == 0 ? SPH_OK : sph_fits_input_read_failed(in, status);
  }
  fits_read_col(in->fits, TDOUBLE, col, 1, k0 + 1, n, NULL, scratch, NULL, &status);
  if (status != 0)
    return sph_fits_input_read_failed(in, status);
  for (int64_t i = 0; i < n; i++) {
    double v = scratch[i];
    if (!(v == floor(v)) || fabs(v) > 9.2e18)
      return sph_error_set(in->err, SPH_ERR_FORMAT,
                           "%s: %s, row %lld: INDEX=%.17g is not an integer (INDEX = "
                           "l*l+l+m+1)",
                           in->path, t->name, row_of(t, k0 + i), v);
    idx[i] = (int64_t)v;
  }
  return SPH_OK;
}

/* (l, m) of INDEX = l*l + l + m + 1, as healpy's l = floor(sqrt(INDEX - 1)), exactly. */
static SphStatus decode_index(const Table *t, int64_t k, int64_t idx, int64_t *l, int64_t *m)
{
  SphFitsInput *in = t->in;
  if (idx < 1)
    return sph_error_set(in->err, SPH_ERR_FORMAT,
                         "%s: %s, row %lld: INDEX=%" PRId64 " is not a valid index: indices "
                         "start at 1 (INDEX = l*l+l+m+1)",
                         in->path, t->name, row_of(t, k), idx);
  if (idx > INDEX_LIMIT)
    return sph_error_set(in->err, SPH_ERR_FORMAT,
                         "%s: %s, row %lld: absurd INDEX=%" PRId64 " (it would mean l > 2^31)",
                         in->path, t->name, row_of(t, k), idx);
  const int64_t v = idx - 1;
  int64_t r = (int64_t)sqrt((double)v);
  while (r > 0 && r * r > v)
    r--;
  while ((r + 1) * (r + 1) <= v)
    r++;
  *l = r;
  *m = v - r * r - r;
  /* Every index decodes to -l <= m <= l, so an m > l written as l*l+l+m+1 shows up
   * here as the negative m of the next l. */
  if (*m < 0)
    return sph_error_set(in->err, SPH_ERR_FORMAT,
                         "%s: %s, row %lld: INDEX=%" PRId64 " means l=%" PRId64 ", m=%" PRId64
                         ": negative m (a file holds 0 <= m <= l only; m > l, written as "
                         "l*l+l+m+1, reads as the negative m of a higher l)",
                         in->path, t->name, row_of(t, k), idx, *l, *m);
  return SPH_OK;
}

/* The first pass: lmax and mmax from the largest l and m present. */
static SphStatus scan_indices(Table *t, int64_t *lmax, int64_t *mmax, int64_t *where_lmax)
{
  int64_t chunk = t->nvalues < READ_CHUNK ? t->nvalues : READ_CHUNK;
  int64_t *idx = malloc((size_t)chunk * sizeof *idx);
  double *scratch = malloc((size_t)chunk * sizeof *scratch);
  SphStatus st = SPH_OK;
  if (idx == NULL || scratch == NULL)
    st = sph_error_set(t->in->err, SPH_ERR_NOMEM, "%s: out of memory", t->in->path);
  *lmax = *mmax = -1;
  for (int64_t k0 = 0; k0 < t->nvalues && st == SPH_OK; k0 += chunk) {
    int64_t n = t->nvalues - k0 < chunk ? t->nvalues - k0 : chunk;
    st = read_indices(t, k0, n, idx, scratch);
    for (int64_t i = 0; i < n && st == SPH_OK; i++) {
      int64_t l, m;
      st = decode_index(t, k0 + i, idx[i], &l, &m);
      if (st == SPH_OK && l > *lmax) {
        *lmax = l;
        *where_lmax = k0 + i;
      }
      if (st == SPH_OK && m > *mmax)
        *mmax = m;
    }
  }
  free(idx);
  free(scratch);
  return st;
}

/* Refuses before allocating what the machine cannot hold: one row with a large index
 * asks for a set of every (l, m) below it. */
static SphStatus check_size(const Table *t, int64_t lmax, int64_t mmax, int64_t where_lmax)
{
  double count = ((double)mmax + 1) * ((double)lmax + 1) - (double)mmax * ((double)mmax + 1) / 2;
  double bytes = count * (sizeof(double _Complex) + 1);
  double physical = sph_physical_memory_bytes();
  if (lmax < INT_MAX / 2 && bytes < 9.0e18 && (physical <= 0.0 || bytes <= physical))
    return SPH_OK;
  return sph_error_set(t->in->err, SPH_ERR_UNSUPPORTED,
                       "%s: %s, row %lld: absurd size: INDEX up to l=%" PRId64 ", m=%" PRId64
                       " asks for %.4g coefficients (%.3g GiB), more than this machine's "
                       "%.3g GiB of memory",
                       t->in->path, t->name, row_of(t, where_lmax), lmax, mmax, count,
                       bytes / 1073741824.0, physical / 1073741824.0);
}

/* The second pass: every coefficient to its place; an (l, m) given twice is refused. */
static SphStatus place_values(Table *t, SphAlm *alm)
{
  SphFitsInput *in = t->in;
  int64_t chunk = t->nvalues < READ_CHUNK ? t->nvalues : READ_CHUNK;
  int64_t *idx = malloc((size_t)chunk * sizeof *idx);
  double *re = malloc((size_t)chunk * sizeof *re), *im = malloc((size_t)chunk * sizeof *im);
  unsigned char *seen = sph_calloc_aligned((size_t)alm->size, 1, NULL);
  SphStatus st = SPH_OK;
  if (idx == NULL || re == NULL || im == NULL || seen == NULL)
    st = sph_error_set(in->err, SPH_ERR_NOMEM, "%s: out of memory", in->path);
  for (int64_t k0 = 0; k0 < t->nvalues && st == SPH_OK; k0 += chunk) {
    int64_t n = t->nvalues - k0 < chunk ? t->nvalues - k0 : chunk;
    int status = 0;
    if ((st = read_indices(t, k0, n, idx, re)) != SPH_OK)
      break;
    fits_read_col(in->fits, TDOUBLE, t->col[COL_REAL], 1, k0 + 1, n, NULL, re, NULL, &status);
    fits_read_col(in->fits, TDOUBLE, t->col[COL_IMAG], 1, k0 + 1, n, NULL, im, NULL, &status);
    if (status != 0) {
      st = sph_fits_input_read_failed(in, status);
      break;
    }
    for (int64_t i = 0; i < n; i++) {
      int64_t l, m;
      if ((st = decode_index(t, k0 + i, idx[i], &l, &m)) != SPH_OK)
        break;
      int64_t at = sph_alm_index(alm->lmax, (int)l, (int)m);
      if (seen[at]) {
        st = sph_error_set(in->err, SPH_ERR_FORMAT,
                           "%s: %s, row %lld: INDEX=%" PRId64 " (l=%" PRId64 ", m=%" PRId64
                           ") appears a second time",
                           in->path, t->name, row_of(t, k0 + i), idx[i], l, m);
        break;
      }
      seen[at] = 1;
      alm->values[at] = CMPLX(re[i], im[i]);
    }
  }
  free(idx);
  free(re);
  free(im);
  sph_free_aligned(seen);
  return st;
}

static SphFitsType value_type(const Table *t)
{
  for (int c = COL_REAL; c <= COL_IMAG; c++)
    if (t->type[c] != TFLOAT && t->type[c] != TSHORT && t->type[c] != TBYTE)
      return SPH_FITS_FLOAT64;
  return SPH_FITS_FLOAT32;
}

static SphStatus read_set(SphFitsInput *in, int extension, SphAlm **out, SphFitsType *type)
{
  *out = NULL;
  Table t = { .in = in };
  snprintf(t.name, sizeof t.name, "extension %d", extension);
  SphStatus st = sph_fits_input_table(in, extension + 1, t.name, "an alm");
  if (st == SPH_OK)
    st = find_columns(&t);
  int64_t lmax = -1, mmax = -1, where_lmax = 0;
  if (st == SPH_OK)
    st = scan_indices(&t, &lmax, &mmax, &where_lmax);
  if (st == SPH_OK)
    st = check_size(&t, lmax, mmax, where_lmax);
  if (st != SPH_OK)
    return st;
  SphAlm *alm = sph_alm_new((int)lmax, (int)mmax, in->err);
  if (alm == NULL)
    return sph_error_prefix(in->err, "%s: %s", in->path, t.name);
  if ((st = place_values(&t, alm)) != SPH_OK) {
    sph_alm_free(alm);
    return st;
  }
  *type = value_type(&t);
  *out = alm;
  return SPH_OK;
}

SphAlm *sph_fits_read_alm(const char *path, int extension, SphFitsType *stored_type,
                          SphError *err)
{
  if (path == NULL || path[0] == '\0') {
    sph_error_set(err, SPH_ERR_INVALID, "cannot read alm: no file name given");
    return NULL;
  }
  if (extension < 1) {
    sph_error_set(err, SPH_ERR_INVALID,
                  "%s: cannot read alm from extension %d: alm tables are extensions 1, 2, ... "
                  "(extension 0 is the primary HDU)",
                  path, extension);
    return NULL;
  }
  SphFitsInput in;
  SphAlm *alm = NULL;
  SphFitsType type = SPH_FITS_FLOAT64;
  SphStatus st = sph_fits_input_open(&in, path, err);
  if (st == SPH_OK)
    st = read_set(&in, extension, &alm, &type);
  sph_fits_input_close(&in);
  if (st == SPH_OK && stored_type != NULL)
    *stored_type = type;
  return alm;
}

void sph_fits_alm_sets_free(SphAlm **alms, int nsets)
{
  if (alms == NULL)
    return;
  for (int i = 0; i < nsets; i++)
    sph_alm_free(alms[i]);
  free(alms);
}

static SphStatus read_all(SphFitsInput *in, SphAlm ***alms, int *nsets, SphFitsType *type)
{
  int status = 0, nhdus = 0;
  char text[FLEN_STATUS];
  fits_get_num_hdus(in->fits, &nhdus, &status);
  if (status != 0)
    return sph_error_set(in->err, SPH_ERR_FORMAT, "%s: cannot count the extensions (CFITSIO: "
                         "%s)",
                         in->path, sph_fits_status_text(status, text));
  /* A file cut inside a later header would otherwise read as fewer sets. */
  SphStatus st = sph_fits_input_check_end(in);
  if (st != SPH_OK)
    return st;
  const int count = nhdus > 1 ? nhdus - 1 : 1; /* one: the missing table's message */
  SphAlm **sets = calloc((size_t)count, sizeof *sets);
  if (sets == NULL)
    return sph_error_set(in->err, SPH_ERR_NOMEM, "%s: out of memory", in->path);
  *type = SPH_FITS_FLOAT32;
  for (int e = 1; e <= count && st == SPH_OK; e++) {
    SphFitsType set_type;
    st = read_set(in, e, &sets[e - 1], &set_type);
    if (st != SPH_OK)
      break;
    if (set_type == SPH_FITS_FLOAT64)
      *type = SPH_FITS_FLOAT64;
    const SphAlm *first = sets[0], *this = sets[e - 1];
    if (this->lmax != first->lmax || this->mmax != first->mmax)
      st = sph_error_set(in->err, SPH_ERR_FORMAT,
                         "%s: extension %d holds lmax=%d, mmax=%d but extension 1 holds "
                         "lmax=%d, mmax=%d; the alm sets of one file must share lmax and mmax",
                         in->path, e, this->lmax, this->mmax, first->lmax, first->mmax);
  }
  if (st != SPH_OK) {
    sph_fits_alm_sets_free(sets, count);
    return st;
  }
  *alms = sets;
  *nsets = count;
  return SPH_OK;
}

SphStatus sph_fits_read_alm_all(const char *path, SphAlm ***alms, int *nsets,
                                SphFitsType *stored_type, SphError *err)
{
  *alms = NULL;
  *nsets = 0;
  if (path == NULL || path[0] == '\0')
    return sph_error_set(err, SPH_ERR_INVALID, "cannot read alm: no file name given");
  SphFitsInput in;
  SphFitsType type = SPH_FITS_FLOAT64;
  SphStatus st = sph_fits_input_open(&in, path, err);
  if (st == SPH_OK)
    st = read_all(&in, alms, nsets, &type);
  sph_fits_input_close(&in);
  if (st == SPH_OK && stored_type != NULL)
    *stored_type = type;
  return st;
}

/* ---- writing -------------------------------------------------------------------- */

typedef struct {
  int lmax, mmax;   /* what is written */
  int64_t nrows;
  int index_size;   /* 4 (J) or 8 (K) */
  int value_size;   /* 4 (E) or 8 (D) */
  int64_t naxis1;
} Layout;

static SphStatus check_sets(const char *path, const SphAlm *const *alms, int nsets,
                            SphError *err)
{
  if (alms == NULL || nsets < 1)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: cannot write: no alm given", path);
  for (int i = 0; i < nsets; i++) {
    const SphAlm *a = alms[i];
    if (a == NULL || a->values == NULL || a->size != sph_alm_size(a->lmax, a->mmax))
      return sph_error_set(err, SPH_ERR_INVALID,
                           "%s: cannot write: alm set %d is missing or inconsistent", path,
                           i + 1);
    if (a->lmax != alms[0]->lmax || a->mmax != alms[0]->mmax)
      return sph_error_set(err, SPH_ERR_INVALID,
                           "%s: cannot write: alm set %d has lmax=%d, mmax=%d but set 1 has "
                           "lmax=%d, mmax=%d; the sets of one file must share them",
                           path, i + 1, a->lmax, a->mmax, alms[0]->lmax, alms[0]->mmax);
  }
  return SPH_OK;
}

/* healpy's rules for lmax and mmax (write_alm), then the row layout. */
static SphStatus plan_layout(const char *path, const SphAlm *alm,
                             const SphFitsAlmWriteOptions *opt, Layout *lay, SphError *err)
{
  if (opt->type != SPH_FITS_FLOAT32 && opt->type != SPH_FITS_FLOAT64)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: cannot write: unknown column type %d", path,
                         (int)opt->type);
  if (opt->lmax < -1 || opt->lmax > alm->lmax)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "%s: cannot write alm up to lmax=%d: the coefficients go up to "
                         "lmax=%d",
                         path, opt->lmax, alm->lmax);
  if (opt->mmax < -1)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: cannot write alm up to mmax=%d", path,
                         opt->mmax);
  lay->lmax = opt->lmax == -1 ? alm->lmax : opt->lmax;
  int mmax = opt->mmax == -1 ? lay->lmax : opt->mmax;
  if (mmax > alm->mmax)
    mmax = alm->mmax;
  if (mmax > lay->lmax)
    mmax = lay->lmax;
  lay->mmax = mmax;
  lay->nrows = sph_alm_size(lay->lmax, lay->mmax);
  int64_t last = (int64_t)lay->lmax * lay->lmax + lay->lmax + lay->mmax + 1;
  lay->index_size = last <= INT32_MAX ? 4 : 8;
  lay->value_size = opt->type == SPH_FITS_FLOAT32 ? 4 : 8;
  lay->naxis1 = lay->index_size + 2 * lay->value_size;
  return SPH_OK;
}

/* Rows in healpy's order, m-major: (0,0), (1,0), ..., (lmax,0), (1,1), ... */
static int write_rows(fitsfile *fits, const SphAlm *alm, const Layout *lay, int *status)
{
  int64_t rows_per_chunk = SPH_FITS_CHUNK_BYTES / lay->naxis1;
  if (rows_per_chunk > lay->nrows)
    rows_per_chunk = lay->nrows;
  unsigned char *buf = sph_alloc_aligned((size_t)rows_per_chunk, (size_t)lay->naxis1, NULL);
  if (buf == NULL)
    return *status = MEMORY_ALLOCATION;
  int l = 0, m = 0;
  for (int64_t row0 = 0; row0 < lay->nrows && *status == 0; row0 += rows_per_chunk) {
    int64_t nr = lay->nrows - row0 < rows_per_chunk ? lay->nrows - row0 : rows_per_chunk;
    for (int64_t i = 0; i < nr; i++) {
      unsigned char *row = buf + i * lay->naxis1;
      int64_t index = (int64_t)l * l + l + m + 1;
      if (lay->index_size == 4)
        sph_store_be32(row, (uint32_t)(int32_t)index);
      else
        sph_store_be64(row, (uint64_t)index);
      double _Complex a = alm->values[sph_alm_index(alm->lmax, l, m)];
      double parts[2] = { creal(a), cimag(a) };
      sph_fits_store_values(row + lay->index_size, lay->value_size, parts, 2);
      if (++l > lay->lmax) {
        m++;
        l = m;
      }
    }
    fits_write_tblbytes(fits, row0 + 1, 1, nr * lay->naxis1, buf, status);
  }
  sph_free_aligned(buf);
  return *status;
}

/* One extension, with healpy's column names and units; returns the CFITSIO status. */
static int write_set(fitsfile *fits, const SphAlm *alm, const Layout *lay)
{
  int status = 0;
  char *ttype[] = { "index", "real", "imag" };
  char *tform[] = { lay->index_size == 4 ? "J" : "K", lay->value_size == 4 ? "E" : "D",
                    lay->value_size == 4 ? "E" : "D" };
  char *tunit[] = { "l*l+l+m+1", "unknown", "unknown" };
  fits_create_tbl(fits, BINARY_TBL, 0, 3, ttype, tform, tunit, NULL, &status);
  if (status == 0)
    write_rows(fits, alm, lay, &status);
  return status;
}

SphStatus sph_fits_write_alm(const char *path, const SphAlm *const *alms, int nsets,
                             const SphFitsAlmWriteOptions *options, SphError *err)
{
  if (path == NULL || path[0] == '\0')
    return sph_error_set(err, SPH_ERR_INVALID, "cannot write alm: no file name given");
  SphStatus st = check_sets(path, alms, nsets, err);
  if (st != SPH_OK)
    return st;
  const SphFitsAlmWriteOptions defaults = { SPH_FITS_FLOAT64, -1, -1 };
  Layout lay = { 0 };
  if ((st = plan_layout(path, alms[0], options != NULL ? options : &defaults, &lay, err)) !=
      SPH_OK)
    return st;
  SphFitsAtomic *out;
  fitsfile *fits;
  if ((st = sph_fits_atomic_create(path, &out, &fits, err)) != SPH_OK)
    return st;
  int status = 0;
  for (int i = 0; i < nsets && status == 0; i++)
    status = write_set(fits, alms[i], &lay);
  return sph_fits_atomic_commit(out, status, err);
}
