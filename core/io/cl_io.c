/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Power spectrum files: healpy's FITS layout (read_cl/write_cl) and the D_l text layout
 * of CAMB and HEALPix's totcls.dat. The D_l <-> C_l factor is computed as healpy's
 * load_sample_spectra computes it, l(l+1)/2/pi in that order, so the C_l read here are
 * the very doubles healpy gives for the same file. */
#include "sphaera/spectrum.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fits_atomic.h"
#include "fits_input.h"
#include "fits_table.h"

static const char *const healpy_column_names[SPH_SPECTRA_MAX] = {
  "TEMPERATURE", "GRADIENT", "CURL", "G-T", "C-T", "C-G"
};

static const char *errno_text(int code, char *buf, size_t size)
{
  return strerror_r(code, buf, size);
}

/* errno after a failed stdio call, which C does not promise to set. */
static int stdio_errno(void)
{
  return errno != 0 ? errno : EIO;
}

/* l(l+1)/2pi, with healpy's rounding. */
static double dl_factor(int l)
{
  return (double)l * ((double)l + 1.0) / 2.0 / M_PI;
}

static SphStatus check_size(const char *path, int64_t lmax, int ncomp, SphError *err)
{
  double bytes = ((double)lmax + 1.0) * ncomp * sizeof(double);
  double physical = sph_physical_memory_bytes();
  if (lmax <= INT_MAX - 1 && (physical <= 0.0 || bytes <= physical))
    return SPH_OK;
  return sph_error_set(err, SPH_ERR_UNSUPPORTED,
                       "%s: absurd size: spectra up to l=%lld need %.3g GiB, more than this "
                       "machine's %.3g GiB of memory",
                       path, (long long)lmax, bytes / 1073741824.0, physical / 1073741824.0);
}

static SphStatus check_spectra(const char *path, const SphSpectra *s, SphError *err)
{
  if (s == NULL)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: cannot write: no spectra given", path);
  if (s->lmax < 0 || s->ncomp < 1 || s->ncomp > SPH_SPECTRA_MAX)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "%s: cannot write spectra with lmax=%d and %d components (1 to %d)",
                         path, s->lmax, s->ncomp, SPH_SPECTRA_MAX);
  for (int k = 0; k < s->ncomp; k++)
    if (s->cl[k] == NULL)
      return sph_error_set(err, SPH_ERR_INVALID, "%s: cannot write: component %d has no values",
                           path, k + 1);
  return SPH_OK;
}

/* ---- FITS ------------------------------------------------------------------------- */

static SphStatus read_fits_table(SphFitsInput *in, SphSpectra **out)
{
  SphStatus st = sph_fits_input_table(in, 2, "HDU 2", "a power spectrum");
  if (st != SPH_OK)
    return st;
  int status = 0, ncols = 0;
  long long nrows = 0;
  char text[FLEN_STATUS];
  fits_get_num_cols(in->fits, &ncols, &status);
  fits_get_num_rowsll(in->fits, &nrows, &status);
  if (status != 0)
    return sph_error_set(in->err, SPH_ERR_FORMAT, "%s: the table header is damaged (CFITSIO: %s)",
                         in->path, sph_fits_status_text(status, text));
  if (ncols < 1)
    return sph_error_set(in->err, SPH_ERR_FORMAT,
                         "%s: the table in HDU 2 has no columns; a power spectrum file has one "
                         "column per spectrum",
                         in->path);
  if (ncols > SPH_SPECTRA_MAX)
    return sph_error_set(in->err, SPH_ERR_UNSUPPORTED,
                         "%s: the table holds %d columns; Sphaera reads 1 to %d spectra (TT, EE, "
                         "BB, TE, EB, TB)",
                         in->path, ncols, SPH_SPECTRA_MAX);
  long long repeat0 = 0;
  for (int c = 1; c <= ncols; c++) {
    int typecode = 0;
    long long repeat = 0, width = 0;
    char key[FLEN_KEYWORD], name[FLEN_VALUE] = "";
    snprintf(key, sizeof key, "TTYPE%d", c);
    int name_status = 0;
    fits_read_key(in->fits, TSTRING, key, name, NULL, &name_status);
    fits_get_coltypell(in->fits, c, &typecode, &repeat, &width, &status);
    bool numeric = typecode == TBYTE || typecode == TSHORT || typecode == TLONG ||
                   typecode == TINT || typecode == TLONGLONG || typecode == TFLOAT ||
                   typecode == TDOUBLE;
    if (status != 0 || !numeric)
      return sph_error_set(in->err, SPH_ERR_FORMAT,
                           "%s: column %d (%s) does not hold real numbers; a power spectrum "
                           "holds one number per l",
                           in->path, c, name);
    if (c == 1)
      repeat0 = repeat;
    else if (repeat != repeat0)
      return sph_error_set(in->err, SPH_ERR_FORMAT,
                           "%s: column %d (%s) holds %lld values per row but column 1 holds "
                           "%lld",
                           in->path, c, name, repeat, repeat0);
  }
  long long nvalues = 0;
  if (nrows < 1 || repeat0 < 1)
    return sph_error_set(in->err, SPH_ERR_FORMAT, "%s: the table in HDU 2 is empty (no rows)",
                         in->path);
  if (__builtin_mul_overflow(nrows, repeat0, &nvalues))
    return sph_error_set(in->err, SPH_ERR_FORMAT, "%s: absurd size: %lld rows of %lld values",
                         in->path, nrows, repeat0);
  if ((st = check_size(in->path, nvalues - 1, ncols, in->err)) != SPH_OK)
    return st;
  SphSpectra *s = sph_spectra_new((int)(nvalues - 1), ncols, in->err);
  if (s == NULL)
    return sph_error_prefix(in->err, "%s", in->path);
  for (int c = 1; c <= ncols && status == 0; c++)
    fits_read_col(in->fits, TDOUBLE, c, 1, 1, nvalues, NULL, s->cl[c - 1], NULL, &status);
  if (status != 0) {
    sph_spectra_free(s);
    return sph_fits_input_read_failed(in, status);
  }
  *out = s;
  return SPH_OK;
}

SphSpectra *sph_cl_read_fits(const char *path, SphError *err)
{
  if (path == NULL || path[0] == '\0') {
    sph_error_set(err, SPH_ERR_INVALID, "cannot read a power spectrum: no file name given");
    return NULL;
  }
  SphFitsInput in;
  SphSpectra *s = NULL;
  if (sph_fits_input_open(&in, path, err) == SPH_OK)
    read_fits_table(&in, &s);
  sph_fits_input_close(&in);
  return s;
}

static int write_fits_table(fitsfile *fits, const SphSpectra *s, int value_size)
{
  int status = 0;
  char *ttype[SPH_SPECTRA_MAX], *tform[SPH_SPECTRA_MAX];
  for (int k = 0; k < s->ncomp; k++) {
    ttype[k] = (char *)healpy_column_names[k];
    tform[k] = value_size == 4 ? "E" : "D";
  }
  fits_create_tbl(fits, BINARY_TBL, 0, s->ncomp, ttype, tform, NULL, NULL, &status);
  fits_write_key(fits, TSTRING, "CREATOR", "Sphaera", "Software creating the FITS file",
                 &status);
  const int64_t nrows = (int64_t)s->lmax + 1, naxis1 = (int64_t)value_size * s->ncomp;
  int64_t rows_per_chunk = SPH_FITS_CHUNK_BYTES / naxis1;
  if (rows_per_chunk > nrows)
    rows_per_chunk = nrows;
  unsigned char *buf = status == 0 ? malloc((size_t)(rows_per_chunk * naxis1)) : NULL;
  if (status == 0 && buf == NULL)
    status = MEMORY_ALLOCATION;
  for (int64_t row0 = 0; row0 < nrows && status == 0; row0 += rows_per_chunk) {
    int64_t nr = nrows - row0 < rows_per_chunk ? nrows - row0 : rows_per_chunk;
    for (int64_t i = 0; i < nr; i++)
      for (int k = 0; k < s->ncomp; k++)
        sph_fits_store_values(buf + i * naxis1 + (int64_t)k * value_size, value_size,
                              &s->cl[k][row0 + i], 1);
    fits_write_tblbytes(fits, row0 + 1, 1, nr * naxis1, buf, &status);
  }
  free(buf);
  return status;
}

SphStatus sph_cl_write_fits(const char *path, const SphSpectra *spectra, SphFitsType type,
                            SphError *err)
{
  if (path == NULL || path[0] == '\0')
    return sph_error_set(err, SPH_ERR_INVALID, "cannot write power spectra: no file name given");
  SphStatus st = check_spectra(path, spectra, err);
  if (st != SPH_OK)
    return st;
  if (type != SPH_FITS_FLOAT32 && type != SPH_FITS_FLOAT64)
    return sph_error_set(err, SPH_ERR_INVALID, "%s: cannot write: unknown column type %d", path,
                         (int)type);
  SphFitsAtomic *out;
  fitsfile *fits;
  if ((st = sph_fits_atomic_create(path, &out, &fits, err)) != SPH_OK)
    return st;
  int status = write_fits_table(fits, spectra, type == SPH_FITS_FLOAT32 ? 4 : 8);
  return sph_fits_atomic_commit(out, status, err);
}

/* ---- text ------------------------------------------------------------------------- */

typedef struct {
  const char *path;
  SphError *err;
  long long line;    /* of the row being parsed, from 1 */
  int ncomp;         /* 0 until the first row */
  long long first_l; /* l of the first row */
  long long first_line;
  int64_t nrows, capacity;
  double *dl; /* nrows x ncomp, row-major */
} TextReader;

/* A number as Fortran and C write it, D exponents included; false when the token is not
 * one whole number. */
static bool parse_number(const char *token, size_t len, double *value)
{
  char buf[128];
  if (len == 0 || len >= sizeof buf)
    return false;
  memcpy(buf, token, len);
  buf[len] = '\0';
  for (char *p = buf; *p != '\0'; p++)
    if (*p == 'D' || *p == 'd')
      *p = 'E';
  char *end = NULL;
  errno = 0;
  *value = strtod(buf, &end);
  return end != buf && *end == '\0';
}

static SphStatus add_row(TextReader *r, const double *values)
{
  if (r->nrows == r->capacity) {
    int64_t cap = r->capacity > 0 ? 2 * r->capacity : 1024;
    double *grown = realloc(r->dl, (size_t)cap * (size_t)r->ncomp * sizeof *grown);
    if (grown == NULL)
      return sph_error_set(r->err, SPH_ERR_NOMEM, "%s: out of memory", r->path);
    r->dl = grown;
    r->capacity = cap;
  }
  memcpy(r->dl + r->nrows * r->ncomp, values, (size_t)r->ncomp * sizeof *values);
  r->nrows++;
  return SPH_OK;
}

static SphStatus parse_line(TextReader *r, const char *line)
{
  double values[SPH_SPECTRA_MAX + 1];
  int n = 0;
  const char *p = line;
  while (true) {
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\f' || *p == '\v')
      p++;
    if (*p == '\0')
      break;
    size_t len = strcspn(p, " \t\r\n\f\v");
    if (n == SPH_SPECTRA_MAX + 1)
      return sph_error_set(r->err, SPH_ERR_FORMAT,
                           "%s: line %lld has more than %d columns; the layout is l followed by "
                           "1 to %d spectra D_l (TT EE BB TE EB TB)",
                           r->path, r->line, SPH_SPECTRA_MAX + 1, SPH_SPECTRA_MAX);
    if (!parse_number(p, len, &values[n]) || !isfinite(values[n]))
      return sph_error_set(r->err, SPH_ERR_FORMAT,
                           "%s: line %lld, column %d: '%.*s' is not a finite number", r->path,
                           r->line, n + 1, len > 40 ? 40 : (int)len, p);
    n++;
    p += len;
  }
  if (n == 0)
    return SPH_OK;
  if (n == 1)
    return sph_error_set(r->err, SPH_ERR_FORMAT,
                         "%s: line %lld holds one number; the layout is l followed by 1 to %d "
                         "spectra D_l (TT EE BB TE EB TB)",
                         r->path, r->line, SPH_SPECTRA_MAX);
  if (r->ncomp == 0) {
    r->ncomp = n - 1;
    r->first_line = r->line;
  } else if (n - 1 != r->ncomp) {
    return sph_error_set(r->err, SPH_ERR_FORMAT,
                         "%s: line %lld has %d columns but line %lld has %d", r->path, r->line,
                         n, r->first_line, r->ncomp + 1);
  }
  double l = values[0];
  if (!(l == floor(l)) || l < 0 || l > INT_MAX - 1)
    return sph_error_set(r->err, SPH_ERR_FORMAT,
                         "%s: line %lld: l=%.17g is not a multipole (an integer l >= 0)",
                         r->path, r->line, l);
  if (r->nrows == 0)
    r->first_l = (long long)l;
  else if ((long long)l != r->first_l + r->nrows)
    return sph_error_set(r->err, SPH_ERR_FORMAT,
                         "%s: line %lld: l=%lld follows l=%lld; the rows must go up by one",
                         r->path, r->line, (long long)l, r->first_l + r->nrows - 1);
  if (l == 0)
    for (int k = 1; k < n; k++)
      if (values[k] != 0.0)
        return sph_error_set(r->err, SPH_ERR_FORMAT,
                             "%s: line %lld: l=0 with D_0=%.17g in column %d, but "
                             "D_l = l(l+1)C_l/2pi is 0 at l=0: this is not a D_l file",
                             r->path, r->line, values[k], k + 1);
  return add_row(r, values + 1);
}

/* Opens the file, refusing a directory with a clear message (fopen would accept one). */
static FILE *open_text(const char *path, SphError *err)
{
  char ebuf[128];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    sph_error_set(err, SPH_ERR_IO, "%s: cannot open: %s", path, errno_text(e, ebuf, sizeof ebuf));
    return NULL;
  }
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    sph_error_set(err, SPH_ERR_IO, "%s: is a directory, not a power spectrum file", path);
    return NULL;
  }
  FILE *f = fdopen(fd, "r");
  if (f == NULL) {
    int e = errno;
    close(fd);
    sph_error_set(err, SPH_ERR_IO, "%s: cannot read: %s", path, errno_text(e, ebuf, sizeof ebuf));
  }
  return f;
}

static SphStatus read_lines(TextReader *r, FILE *f)
{
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  SphStatus st = SPH_OK;
  errno = 0;
  while (st == SPH_OK && (len = getline(&line, &cap, f)) >= 0) {
    r->line++;
    if (r->line == 1 && strncmp(line, "SIMPLE  =", 9) == 0)
      st = sph_error_set(r->err, SPH_ERR_FORMAT,
                         "%s: a FITS file, not a text table of l and D_l: read it as FITS",
                         r->path);
    else if (memchr(line, '\0', (size_t)len) != NULL)
      st = sph_error_set(r->err, SPH_ERR_FORMAT,
                         "%s: line %lld holds binary data: not a text file of power spectra",
                         r->path, r->line);
    else if (line[strspn(line, " \t")] != '#')
      st = parse_line(r, line);
  }
  if (st == SPH_OK && ferror(f)) {
    char ebuf[128];
    int e = errno != 0 ? errno : EIO;
    st = sph_error_set(r->err, SPH_ERR_IO, "%s: cannot read: %s", r->path,
                       errno_text(e, ebuf, sizeof ebuf));
  }
  free(line);
  return st;
}

SphSpectra *sph_cl_read_text(const char *path, SphError *err)
{
  if (path == NULL || path[0] == '\0') {
    sph_error_set(err, SPH_ERR_INVALID, "cannot read a power spectrum: no file name given");
    return NULL;
  }
  FILE *f = open_text(path, err);
  if (f == NULL)
    return NULL;
  TextReader r = { .path = path, .err = err };
  SphStatus st = read_lines(&r, f);
  fclose(f);
  if (st == SPH_OK && r.nrows == 0)
    st = sph_error_set(err, SPH_ERR_FORMAT,
                       "%s: no data: %s; the layout is rows of l followed by 1 to %d spectra "
                       "D_l",
                       path, r.line == 0 ? "the file is empty" : "no line holds numbers",
                       SPH_SPECTRA_MAX);
  const int64_t lmax = r.first_l + r.nrows - 1;
  if (st == SPH_OK)
    st = check_size(path, lmax, r.ncomp, err);
  SphSpectra *s = st == SPH_OK ? sph_spectra_new((int)lmax, r.ncomp, err) : NULL;
  if (st == SPH_OK && s == NULL)
    sph_error_prefix(err, "%s", path);
  for (int64_t i = 0; s != NULL && i < r.nrows; i++) {
    const int l = (int)(r.first_l + i);
    for (int k = 0; k < r.ncomp; k++)
      s->cl[k][l] = l == 0 ? 0.0 : r.dl[i * r.ncomp + k] / dl_factor(l);
  }
  free(r.dl);
  return s;
}

SphStatus sph_cl_write_text(const char *path, const SphSpectra *spectra, SphError *err)
{
  if (path == NULL || path[0] == '\0')
    return sph_error_set(err, SPH_ERR_INVALID, "cannot write power spectra: no file name given");
  SphStatus st = check_spectra(path, spectra, err);
  if (st != SPH_OK)
    return st;
  SphFitsAtomic *out;
  FILE *f;
  if ((st = sph_atomic_create_stream(path, &out, &f, err)) != SPH_OK)
    return st;
  int e = 0;
  errno = 0;
  for (int l = 0; l <= spectra->lmax && e == 0; l++) {
    const double factor = dl_factor(l);
    if (fprintf(f, "%6d", l) < 0)
      e = stdio_errno();
    for (int k = 0; k < spectra->ncomp && e == 0; k++)
      if (fprintf(f, " %23.16E", l == 0 ? 0.0 : spectra->cl[k][l] * factor) < 0)
        e = stdio_errno();
    if (e == 0 && fputc('\n', f) == EOF)
      e = stdio_errno();
  }
  if (e == 0 && ferror(f))
    e = EIO;
  return sph_fits_atomic_commit(out, e, err);
}
