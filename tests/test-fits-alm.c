/* SPDX-License-Identifier: GPL-3.0-or-later */
/* alm in FITS: round trips (float32, float64, several extensions, lmax/mmax on write,
 * gzip), files written by healpy's write_alm read here and files written here read by
 * healpy's read_alm (and laid out as healpy lays them out), every kind of broken file,
 * and atomic writing, including the private atomic-file API itself. */
#include <complex.h>
#include <errno.h>
#include <fcntl.h>
#include <fitsio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/io/fits_atomic.h"
#include "sphaera/fits_alm.h"
#include "sph-test-files.h"
#include "sph-test-python.h"

static char *tmp_root;

/* ---- helpers ---------------------------------------------------------------------- */

/* A fresh directory for one test, inside the program's temporary directory. */
static char *test_dir(const char *name)
{
  return sph_test_subdir(tmp_root, name);
}

static SphAlm *new_random_alm(int lmax, int mmax, guint32 seed)
{
  SphError err = SPH_ERROR_INIT;
  SphAlm *alm = sph_alm_new(lmax, mmax, &err);
  g_assert_nonnull(alm);
  GRand *rand = g_rand_new_with_seed(seed);
  for (int64_t i = 0; i < alm->size; i++)
    alm->values[i] = CMPLX(g_rand_double_range(rand, -1, 1) * 1e-5,
                           g_rand_double_range(rand, -1, 1) * 1e-5);
  g_rand_free(rand);
  return alm;
}

static void write_ok(const char *path, const SphAlm *const *alms, int nsets, SphFitsType type,
                     int lmax, int mmax)
{
  SphError err = SPH_ERROR_INIT;
  SphFitsAlmWriteOptions opt = { type, lmax, mmax };
  SphStatus st = sph_fits_write_alm(path, alms, nsets, &opt, &err);
  g_assert_cmpstr(err.message, ==, "");
  g_assert_cmpint(st, ==, SPH_OK);
}

static SphAlm *read_ok(const char *path, int extension, SphFitsType *type)
{
  SphError err = SPH_ERROR_INIT;
  SphAlm *alm = sph_fits_read_alm(path, extension, type, &err);
  g_assert_cmpstr(err.message, ==, "");
  g_assert_nonnull(alm);
  return alm;
}

/* want's (l, m) with l <= lmax, m <= mmax, as the file should hold them, narrowed to
 * float when float32 was written. */
static void assert_alm_equal(const SphAlm *got, const SphAlm *want, int lmax, int mmax,
                             bool narrowed)
{
  g_assert_cmpint(got->lmax, ==, lmax);
  g_assert_cmpint(got->mmax, ==, mmax);
  for (int m = 0; m <= mmax; m++)
    for (int l = m; l <= lmax; l++) {
      double _Complex w = sph_alm_get(want, l, m);
      double wr = narrowed ? (double)(float)creal(w) : creal(w);
      double wi = narrowed ? (double)(float)cimag(w) : cimag(w);
      double _Complex g = sph_alm_get(got, l, m);
      if (creal(g) != wr || cimag(g) != wi)
        g_error("a_%d,%d: got %.17g%+.17gi, want %.17g%+.17gi", l, m, creal(g), cimag(g), wr,
                wi);
    }
}

/* The read fails, and the message names the file and contains what is wrong. */
static SphStatus read_fails_ext(const char *path, int extension, const char *problem)
{
  SphError err = SPH_ERROR_INIT;
  SphAlm *alm = sph_fits_read_alm(path, extension, NULL, &err);
  g_test_message("%s", err.message);
  g_assert_null(alm);
  g_assert_cmpint(err.code, !=, SPH_OK);
  g_assert_true(g_str_has_prefix(err.message, path));
  if (strstr(err.message, problem) == NULL)
    g_error("expected \"%s\" in: %s", problem, err.message);
  return err.code;
}

static SphStatus read_fails(const char *path, const char *problem)
{
  return read_fails_ext(path, 1, problem);
}

/* A FITS file of hand-made tables, for layouts Sphaera does not write and broken ones.
 * Table t has ncols[t] columns names[t][c] of format forms[t][c] holding nrows[t] values
 * data[t][c] (NULL: left zero). */
typedef struct {
  int ncols;
  const char *names[5];
  const char *forms[5];
  long nrows;
  const double *data[5]; /* nrows times the form's repeat count values */
} TableSpec;

static char *write_tables(const char *dir, const char *name, const TableSpec *tables, int ntables)
{
  char *path = g_build_filename(dir, name, NULL);
  char *bang = g_strconcat("!", path, NULL);
  int status = 0;
  fitsfile *f = NULL;
  fits_create_file(&f, bang, &status);
  long naxes[1] = { 0 };
  fits_create_img(f, BYTE_IMG, 0, naxes, &status);
  for (int t = 0; t < ntables; t++) {
    const TableSpec *ts = &tables[t];
    fits_create_tbl(f, BINARY_TBL, ts->nrows, ts->ncols, (char **)ts->names, (char **)ts->forms,
                    NULL, NULL, &status);
    for (int c = 0; c < ts->ncols; c++)
      if (ts->data[c] != NULL)
        fits_write_col(f, TDOUBLE, c + 1, 1, 1, ts->nrows * MAX(1, atoi(ts->forms[c])),
                       (void *)ts->data[c], &status);
  }
  fits_close_file(f, &status);
  g_assert_cmpint(status, ==, 0);
  g_free(bang);
  return path;
}

/* One INDEX/REAL/IMAG table with the given indices (values k + 1 and -(k + 1)). */
static char *write_indices(const char *dir, const char *name, const double *index, long n,
                           const char *index_form)
{
  double *re = g_new(double, n), *im = g_new(double, n);
  for (long k = 0; k < n; k++) {
    re[k] = k + 1;
    im[k] = -(k + 1.0);
  }
  TableSpec t = { 3, { "INDEX", "REAL", "IMAG" }, { index_form, "D", "D" }, n, { index, re, im } };
  char *path = write_tables(dir, name, &t, 1);
  g_free(re);
  g_free(im);
  return path;
}

static double *read_doubles(const char *path, gsize count)
{
  char *bytes = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
  g_assert_cmpuint(len, ==, count * sizeof(double));
  return (double *)bytes;
}

/* ---- round trips ------------------------------------------------------------------ */

static void test_round_trip_float64(void)
{
  char *dir = test_dir("rt64");
  char *path = g_build_filename(dir, "alm.fits", NULL);
  SphAlm *alm = new_random_alm(40, 40, 1);
  const SphAlm *sets[] = { alm };
  write_ok(path, sets, 1, SPH_FITS_FLOAT64, -1, -1);
  SphFitsType type = SPH_FITS_FLOAT32;
  SphAlm *back = read_ok(path, 1, &type);
  g_assert_cmpint(type, ==, SPH_FITS_FLOAT64);
  g_assert_cmpint(back->size, ==, alm->size);
  assert_alm_equal(back, alm, 40, 40, false);
  sph_alm_free(back);

  /* mmax < lmax keeps its layout */
  SphAlm *narrow = new_random_alm(33, 7, 2);
  const SphAlm *narrow_sets[] = { narrow };
  write_ok(path, narrow_sets, 1, SPH_FITS_FLOAT64, -1, -1);
  back = read_ok(path, 1, NULL);
  g_assert_cmpint(back->size, ==, sph_alm_size(33, 7));
  g_assert_cmpmem(back->values, back->size * 16, narrow->values, narrow->size * 16);
  sph_alm_free(back);
  /* and the default options are float64, everything */
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_fits_write_alm(path, narrow_sets, 1, NULL, &err), ==, SPH_OK);
  back = read_ok(path, 1, &type);
  g_assert_cmpint(type, ==, SPH_FITS_FLOAT64);
  assert_alm_equal(back, narrow, 33, 7, false);
  sph_alm_free(back);
  sph_alm_free(narrow);
  sph_alm_free(alm);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);
  g_free(path);
  g_free(dir);
}

static void test_round_trip_float32(void)
{
  char *dir = test_dir("rt32");
  char *path = g_build_filename(dir, "alm32.fits", NULL);
  SphAlm *alm = new_random_alm(25, 25, 3);
  alm->values[5] = CMPLX(1e300, -1e-300); /* beyond float: inf and -0 as numpy narrows */
  const SphAlm *sets[] = { alm };
  write_ok(path, sets, 1, SPH_FITS_FLOAT32, -1, -1);
  SphFitsType type = SPH_FITS_FLOAT64;
  SphAlm *back = read_ok(path, 1, &type);
  g_assert_cmpint(type, ==, SPH_FITS_FLOAT32);
  g_assert_true(isinf(creal(back->values[5])));
  g_assert_true(cimag(back->values[5]) == 0.0 && signbit(cimag(back->values[5])));
  alm->values[5] = back->values[5];
  assert_alm_equal(back, alm, 25, 25, true);
  g_assert_true(creal(back->values[1]) != creal(alm->values[1])); /* narrowing happened */
  sph_alm_free(back);
  sph_alm_free(alm);
  g_free(path);
  g_free(dir);
}

static void test_round_trip_several(void)
{
  char *dir = test_dir("teb");
  char *path = g_build_filename(dir, "teb.fits", NULL);
  SphAlm *t = new_random_alm(16, 12, 10), *e = new_random_alm(16, 12, 11),
         *b = new_random_alm(16, 12, 12);
  const SphAlm *sets[] = { t, e, b };
  write_ok(path, sets, 3, SPH_FITS_FLOAT64, -1, -1);
  SphAlm **back = NULL;
  int n = 0;
  SphFitsType type = SPH_FITS_FLOAT32;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_fits_read_alm_all(path, &back, &n, &type, &err), ==, SPH_OK);
  g_assert_cmpstr(err.message, ==, "");
  g_assert_cmpint(n, ==, 3);
  g_assert_cmpint(type, ==, SPH_FITS_FLOAT64);
  for (int i = 0; i < 3; i++)
    assert_alm_equal(back[i], sets[i], 16, 12, false);
  sph_fits_alm_sets_free(back, n);
  /* one chosen extension */
  SphAlm *second = read_ok(path, 2, NULL);
  assert_alm_equal(second, e, 16, 12, false);
  sph_alm_free(second);
  g_assert_cmpint(read_fails_ext(path, 4, "no extension 4: the file holds 3 extensions"), ==,
                  SPH_ERR_FORMAT);
  g_assert_cmpint(read_fails_ext(path, 0, "extension 0 is the primary HDU"), ==,
                  SPH_ERR_INVALID);
  /* sets of different sizes cannot share a file */
  SphAlm *other = new_random_alm(10, 10, 13);
  const SphAlm *mixed[] = { t, other };
  g_assert_cmpint(sph_fits_write_alm(path, mixed, 2, NULL, &err), ==, SPH_ERR_INVALID);
  g_test_message("%s", err.message);
  g_assert_true(g_str_has_prefix(err.message, path));
  g_assert_nonnull(strstr(err.message, "set 2 has lmax=10, mmax=10 but set 1 has lmax=16"));
  sph_alm_free(other);
  sph_alm_free(t);
  sph_alm_free(e);
  sph_alm_free(b);
  g_free(path);
  g_free(dir);
}

/* healpy's write_alm lmax and mmax: l > lmax and m > mmax are left out, mmax = -1 means
 * lmax, mmax beyond the set's is the set's, lmax beyond it is refused. */
static void test_write_lmax_mmax(void)
{
  char *dir = test_dir("lmax-mmax");
  char *path = g_build_filename(dir, "cut.fits", NULL);
  SphAlm *alm = new_random_alm(20, 15, 20);
  const SphAlm *sets[] = { alm };
  struct {
    int lmax, mmax, want_lmax, want_mmax;
  } cases[] = {
    { 10, 4, 10, 4 }, { 10, -1, 10, 10 }, { -1, 30, 20, 15 }, { -1, 3, 20, 3 },
    { 12, 14, 12, 12 }, { 0, -1, 0, 0 }, { 20, 15, 20, 15 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    write_ok(path, sets, 1, SPH_FITS_FLOAT64, cases[i].lmax, cases[i].mmax);
    SphAlm *back = read_ok(path, 1, NULL);
    assert_alm_equal(back, alm, cases[i].want_lmax, cases[i].want_mmax, false);
    sph_alm_free(back);
  }
  SphError err = SPH_ERROR_INIT;
  SphFitsAlmWriteOptions too_big = { SPH_FITS_FLOAT64, 21, -1 };
  g_assert_cmpint(sph_fits_write_alm(path, sets, 1, &too_big, &err), ==, SPH_ERR_INVALID);
  g_test_message("%s", err.message);
  g_assert_true(g_str_has_prefix(err.message, path));
  g_assert_nonnull(strstr(err.message, "lmax=21: the coefficients go up to lmax=20"));
  SphFitsAlmWriteOptions bad_m = { SPH_FITS_FLOAT64, -1, -2 };
  g_assert_cmpint(sph_fits_write_alm(path, sets, 1, &bad_m, &err), ==, SPH_ERR_INVALID);
  /* the refused writes left the last good file */
  SphAlm *back = read_ok(path, 1, NULL);
  g_assert_cmpint(back->lmax, ==, 20);
  sph_alm_free(back);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);
  sph_alm_free(alm);
  g_free(path);
  g_free(dir);
}

/* The table as healpy writes it: names, formats, units, m-major rows. */
static void test_write_layout(void)
{
  char *dir = test_dir("layout");
  char *path = g_build_filename(dir, "layout.fits", NULL);
  SphAlm *alm = new_random_alm(6, 3, 30);
  const SphAlm *sets[] = { alm };
  write_ok(path, sets, 1, SPH_FITS_FLOAT32, -1, -1);
  int status = 0, hdutype = 0, ncols = 0, nhdus = 0;
  long nrows = 0;
  fitsfile *f = NULL;
  fits_open_diskfile(&f, path, READONLY, &status);
  fits_get_num_hdus(f, &nhdus, &status);
  g_assert_cmpint(nhdus, ==, 2);
  fits_movabs_hdu(f, 2, &hdutype, &status);
  g_assert_cmpint(hdutype, ==, BINARY_TBL);
  fits_get_num_cols(f, &ncols, &status);
  fits_get_num_rows(f, &nrows, &status);
  g_assert_cmpint(ncols, ==, 3);
  g_assert_cmpint(nrows, ==, sph_alm_size(6, 3));
  const char *want[][3] = { { "TTYPE1", "index", NULL }, { "TFORM1", "J", NULL },
                            { "TUNIT1", "l*l+l+m+1", NULL }, { "TTYPE2", "real", NULL },
                            { "TFORM2", "E", NULL }, { "TUNIT2", "unknown", NULL },
                            { "TTYPE3", "imag", NULL }, { "TFORM3", "E", NULL },
                            { "TUNIT3", "unknown", NULL } };
  for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
    char value[FLEN_VALUE];
    fits_read_key(f, TSTRING, want[i][0], value, NULL, &status);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpstr(value, ==, want[i][1]);
  }
  long long index[22];
  fits_read_col(f, TLONGLONG, 1, 1, 1, nrows, NULL, index, NULL, &status);
  g_assert_cmpint(status, ==, 0);
  long row = 0;
  for (int m = 0; m <= 3; m++)
    for (int l = m; l <= 6; l++, row++)
      g_assert_cmpint(index[row], ==, (long long)l * l + l + m + 1);
  fits_close_file(f, &status);
  sph_alm_free(alm);
  g_free(path);
  g_free(dir);
}

static void test_round_trip_gzip(void)
{
  char *dir = test_dir("gzip");
  char *path = g_build_filename(dir, "alm.fits.gz", NULL);
  SphAlm *alm = new_random_alm(30, 30, 40), *alm2 = new_random_alm(30, 30, 41);
  const SphAlm *sets[] = { alm, alm2 };
  write_ok(path, sets, 2, SPH_FITS_FLOAT64, -1, -1);
  char *bytes = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
  g_assert_cmpuint(len, >, 2);
  g_assert_cmpint((unsigned char)bytes[0], ==, 0x1f);
  g_assert_cmpint((unsigned char)bytes[1], ==, 0x8b);
  g_free(bytes);
  SphAlm **back = NULL;
  int n = 0;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_fits_read_alm_all(path, &back, &n, NULL, &err), ==, SPH_OK);
  g_assert_cmpint(n, ==, 2);
  assert_alm_equal(back[0], alm, 30, 30, false);
  assert_alm_equal(back[1], alm2, 30, 30, false);
  sph_fits_alm_sets_free(back, n);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);
  sph_alm_free(alm);
  sph_alm_free(alm2);
  g_free(path);
  g_free(dir);
}

/* Explicit indices in any order: lmax and mmax from the largest l and m present, and
 * the (l, m) a file leaves out read as zero. */
static void test_read_sparse(void)
{
  char *dir = test_dir("sparse");
  /* (5, 2), (3, 3), (0, 0), (4, 1) */
  const double index[] = { 25 + 5 + 2 + 1, 9 + 3 + 3 + 1, 1, 16 + 4 + 1 + 1 };
  char *path = write_indices(dir, "sparse.fits", index, 4, "J");
  SphAlm *alm = read_ok(path, 1, NULL);
  g_assert_cmpint(alm->lmax, ==, 5);
  g_assert_cmpint(alm->mmax, ==, 3);
  const int where[][2] = { { 5, 2 }, { 3, 3 }, { 0, 0 }, { 4, 1 } };
  int nonzero = 0;
  for (int64_t i = 0; i < alm->size; i++)
    nonzero += alm->values[i] != 0;
  g_assert_cmpint(nonzero, ==, 4);
  for (int k = 0; k < 4; k++) {
    double _Complex a = sph_alm_get(alm, where[k][0], where[k][1]);
    g_assert_cmpfloat(creal(a), ==, k + 1);
    g_assert_cmpfloat(cimag(a), ==, -(k + 1));
  }
  sph_alm_free(alm);
  g_free(path);
  g_free(dir);
}

/* HEALPix Fortran's upper-case names, extra error columns, other integer and float types
 * for INDEX, and columns of several values per row. */
static void test_read_variants(void)
{
  char *dir = test_dir("variants");
  double re[6], im[6], err_col[6];
  for (int k = 0; k < 6; k++) {
    re[k] = 0.5 * k;
    im[k] = -0.25 * k;
    err_col[k] = 1;
  }
  /* l <= 2 with m >= 0: indices 1, 3, 4, 7, 8, 9 */
  const double good[] = { 1, 3, 4, 7, 8, 9 };
  struct {
    const char *name;
    TableSpec spec;
  } cases[] = {
    { "upper.fits", { 3, { "INDEX", "REAL", "IMAG" }, { "J", "D", "D" }, 6, { good, re, im } } },
    { "lower.fits", { 3, { "index", "real", "imag" }, { "K", "E", "E" }, 6, { good, re, im } } },
    { "errors.fits",
      { 5, { "INDEX", "REAL", "IMAG", "REAL_ERR", "IMAG_ERR" }, { "J", "D", "D", "D", "D" }, 6,
        { good, re, im, err_col, err_col } } },
    { "reordered.fits",
      { 3, { "Imag", "Index", "Real" }, { "D", "I", "D" }, 6, { im, good, re } } },
    { "float-index.fits",
      { 3, { "INDEX", "REAL", "IMAG" }, { "D", "D", "D" }, 6, { good, re, im } } },
    { "repeat.fits",
      { 3, { "INDEX", "REAL", "IMAG" }, { "2J", "2D", "2D" }, 3, { good, re, im } } },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *path = write_tables(dir, cases[i].name, &cases[i].spec, 1);
    SphAlm *alm = read_ok(path, 1, NULL);
    g_assert_cmpint(alm->lmax, ==, 2);
    g_assert_cmpint(alm->mmax, ==, 2);
    for (int k = 0; k < 6; k++) {
      int l = (int)floor(sqrt(good[k] - 1)), m = (int)good[k] - l * l - l - 1;
      double _Complex a = sph_alm_get(alm, l, m);
      g_assert_cmpfloat(creal(a), ==, (float)(0.5 * k));
      g_assert_cmpfloat(cimag(a), ==, (float)(-0.25 * k));
    }
    sph_alm_free(alm);
    g_free(path);
  }
  g_free(dir);
}

/* ---- healpy ----------------------------------------------------------------------- */

static const char healpy_writes_py[] =
  "import sys, numpy as np, healpy as hp\n"
  "out = sys.argv[1]\n"
  "rng = np.random.default_rng(7)\n"
  "def rand_alm(lmax, mmax):\n"
  "    n = hp.Alm.getsize(lmax, mmax)\n"
  "    return rng.normal(size=n) + 1j * rng.normal(size=n)\n"
  "# name, lmax, mmax of the arrays, sets, dtype, lmax and mmax given to write_alm\n"
  "cases = [('one64', 32, 32, 1, np.float64, -1, -1),\n"
  "         ('teb32', 24, 24, 3, np.float32, -1, -1),\n"
  "         ('cut', 30, 30, 1, np.float64, 20, 5),\n"
  "         ('mmaxin', 18, 6, 2, np.float64, -1, -1)]\n"
  "for name, lmax, mmax, nsets, dt, wl, wm in cases:\n"
  "    alms = [rand_alm(lmax, mmax) for _ in range(nsets)]\n"
  "    hp.write_alm('%s/%s.fits' % (out, name), alms if nsets > 1 else alms[0],\n"
  "                 out_dtype=dt, lmax=wl, mmax=wm, mmax_in=mmax, overwrite=True)\n"
  "    np.array(alms, dtype=np.complex128).tofile('%s/%s.c128' % (out, name))\n";

/* healpy's write_alm files: every coefficient healpy wrote, where it belongs. */
static void test_sphaera_reads_healpy(void)
{
  if (sph_test_python() == NULL) {
    g_test_skip("SPHAERA_PYTHON is not set: healpy cannot write the files");
    return;
  }
  char *dir = test_dir("healpy-writes");
  const char *args[] = { dir, NULL };
  g_free(sph_test_run_python(healpy_writes_py, args));
  struct {
    const char *name;
    int lmax, mmax, nsets;
    SphFitsType type;
    int want_lmax, want_mmax;
  } cases[] = {
    { "one64", 32, 32, 1, SPH_FITS_FLOAT64, 32, 32 },
    { "teb32", 24, 24, 3, SPH_FITS_FLOAT32, 24, 24 },
    { "cut", 30, 30, 1, SPH_FITS_FLOAT64, 20, 5 },
    { "mmaxin", 18, 6, 2, SPH_FITS_FLOAT64, 18, 6 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *path = g_strdup_printf("%s/%s.fits", dir, cases[i].name);
    char *dump = g_strdup_printf("%s/%s.c128", dir, cases[i].name);
    int64_t size = sph_alm_size(cases[i].lmax, cases[i].mmax);
    double *want = read_doubles(dump, (gsize)(2 * size * cases[i].nsets));
    SphAlm **sets = NULL;
    int n = 0;
    SphFitsType type;
    SphError err = SPH_ERROR_INIT;
    g_assert_cmpint(sph_fits_read_alm_all(path, &sets, &n, &type, &err), ==, SPH_OK);
    g_assert_cmpstr(err.message, ==, "");
    g_assert_cmpint(n, ==, cases[i].nsets);
    g_assert_cmpint(type, ==, cases[i].type);
    for (int s = 0; s < n; s++) {
      SphAlm *orig = sph_alm_new(cases[i].lmax, cases[i].mmax, &err);
      memcpy(orig->values, want + 2 * size * s, (size_t)size * 16);
      assert_alm_equal(sets[s], orig, cases[i].want_lmax, cases[i].want_mmax,
                       cases[i].type == SPH_FITS_FLOAT32);
      sph_alm_free(orig);
    }
    sph_fits_alm_sets_free(sets, n);
    g_free(want);
    g_free(dump);
    g_free(path);
  }
  g_free(dir);
}

/* Reads each file Sphaera wrote with healpy's read_alm and compares with the values
 * dumped beside it; healpy's write_alm of the same values must give the same table
 * (names, formats, units, row order, data). */
static const char healpy_reads_py[] =
  "import sys, numpy as np, healpy as hp\n"
  "from astropy.io import fits\n"
  "args = sys.argv[1:]\n"
  "for k in range(0, len(args), 8):\n"
  "    path, dump, nsets, lmax, mmax, wl, wm, dt = args[k:k + 8]\n"
  "    nsets, lmax, mmax, wl, wm = map(int, (nsets, lmax, mmax, wl, wm))\n"
  "    dt = np.float32 if dt == 'E' else np.float64\n"
  "    alms = np.fromfile(dump, dtype=np.complex128).reshape(nsets, -1)\n"
  "    got, got_mmax = hp.read_alm(path, hdu=tuple(range(1, nsets + 1)), return_mmax=True)\n"
  "    got = np.atleast_2d(got)\n"
  "    ref = '%s.healpy.fits' % path\n"
  "    hp.write_alm(ref, list(alms), out_dtype=dt, lmax=wl, mmax=wm, mmax_in=mmax,\n"
  "                 overwrite=True)\n"
  "    want = np.atleast_2d(hp.read_alm(ref, hdu=tuple(range(1, nsets + 1))))\n"
  "    assert got.shape == want.shape, (got.shape, want.shape)\n"
  "    assert np.array_equal(got, want), path\n"
  "    assert got_mmax == (mmax if wm == -1 else min(wm, mmax)), got_mmax\n"
  "    with fits.open(path) as a, fits.open(ref) as b:\n"
  "        assert len(a) == len(b) == nsets + 1\n"
  "        for ha, hb in zip(a[1:], b[1:]):\n"
  "            keys = [c for c in hb.header if c[:5] in ('TTYPE', 'TFORM', 'TUNIT', 'NAXIS')]\n"
  "            for c in keys:\n"
  "                assert ha.header[c] == hb.header[c], (c, ha.header[c], hb.header[c])\n"
  "            assert ha.data.tobytes() == hb.data.tobytes(), path\n"
  "    print('ok', got.shape[0], got.shape[1], got_mmax)\n";

static void queue_for_healpy(GPtrArray *args, const char *dir, const char *name,
                             const SphAlm *const *sets, int nsets, SphFitsType type, int lmax,
                             int mmax)
{
  char *path = g_build_filename(dir, name, NULL);
  write_ok(path, sets, nsets, type, lmax, mmax);
  char *dump = g_strconcat(path, ".c128", NULL);
  GString *bytes = g_string_new(NULL);
  for (int s = 0; s < nsets; s++)
    g_string_append_len(bytes, (const char *)sets[s]->values, sets[s]->size * 16);
  g_assert_true(g_file_set_contents(dump, bytes->str, (gssize)bytes->len, NULL));
  g_string_free(bytes, TRUE);
  g_ptr_array_add(args, path);
  g_ptr_array_add(args, dump);
  g_ptr_array_add(args, g_strdup_printf("%d", nsets));
  g_ptr_array_add(args, g_strdup_printf("%d", sets[0]->lmax));
  g_ptr_array_add(args, g_strdup_printf("%d", sets[0]->mmax));
  g_ptr_array_add(args, g_strdup_printf("%d", lmax));
  g_ptr_array_add(args, g_strdup_printf("%d", mmax));
  g_ptr_array_add(args, g_strdup(type == SPH_FITS_FLOAT32 ? "E" : "D"));
}

static void test_healpy_reads_sphaera(void)
{
  if (sph_test_python() == NULL) {
    g_test_skip("SPHAERA_PYTHON is not set: healpy cannot check the files");
    return;
  }
  char *dir = test_dir("healpy-reads");
  GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
  SphAlm *one = new_random_alm(40, 40, 50);
  const SphAlm *one_set[] = { one };
  queue_for_healpy(args, dir, "one64.fits", one_set, 1, SPH_FITS_FLOAT64, -1, -1);
  SphAlm *t = new_random_alm(16, 6, 51), *e = new_random_alm(16, 6, 52),
         *b = new_random_alm(16, 6, 53);
  const SphAlm *teb[] = { t, e, b };
  queue_for_healpy(args, dir, "teb32.fits", teb, 3, SPH_FITS_FLOAT32, -1, -1);
  queue_for_healpy(args, dir, "cut.fits", one_set, 1, SPH_FITS_FLOAT64, 25, 9);
  queue_for_healpy(args, dir, "teb-cut.fits.gz", teb, 3, SPH_FITS_FLOAT64, 12, -1);
  g_ptr_array_add(args, NULL);
  char *out = sph_test_run_python(healpy_reads_py, (const char *const *)args->pdata);
  g_assert_cmpstr(out, ==, "ok 1 861 40\nok 3 98 6\nok 1 215 9\nok 3 70 6\n");
  g_free(out);
  g_ptr_array_free(args, TRUE);
  sph_alm_free(one);
  sph_alm_free(t);
  sph_alm_free(e);
  sph_alm_free(b);
  g_free(dir);
}

/* ---- broken files ----------------------------------------------------------------- */

static char *bad_dir;

static char *bad_path(const char *name)
{
  return g_build_filename(bad_dir, name, NULL);
}

static void test_bad_not_fits(void)
{
  char *path = bad_path("missing.fits");
  g_assert_cmpint(read_fails(path, "cannot open: No such file or directory"), ==, SPH_ERR_IO);
  g_free(path);
  g_assert_cmpint(read_fails(bad_dir, "is a directory"), ==, SPH_ERR_IO);
  path = bad_path("empty.fits");
  g_assert_true(g_file_set_contents(path, "", 0, NULL));
  read_fails(path, "not a FITS file: the file is empty");
  g_free(path);
  path = bad_path("notes.fits");
  g_assert_true(g_file_set_contents(path, "l m re im\n1 0 0.5 0\n", -1, NULL));
  g_assert_cmpint(read_fails(path, "not a FITS file"), ==, SPH_ERR_FORMAT);
  SphAlm **sets = NULL;
  int n = 0;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_fits_read_alm_all(path, &sets, &n, NULL, &err), ==, SPH_ERR_FORMAT);
  g_assert_true(g_str_has_prefix(err.message, path));
  g_assert_nonnull(strstr(err.message, "not a FITS file"));
  g_assert_null(sets);
  g_assert_cmpint(n, ==, 0);
  g_free(path);
}

static void test_bad_no_table(void)
{
  char *path = write_tables(bad_dir, "image.fits", NULL, 0);
  read_fails(path, "no binary table extension: the file holds only a primary HDU");
  SphAlm **sets = NULL;
  int n = 0;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_fits_read_alm_all(path, &sets, &n, NULL, &err), ==, SPH_ERR_FORMAT);
  g_assert_nonnull(strstr(err.message, "no binary table extension"));
  g_free(path);
  /* a map file is not an alm file */
  const double v[] = { 1, 2, 3 };
  TableSpec map = { 1, { "TEMPERATURE" }, { "D" }, 3, { v } };
  path = write_tables(bad_dir, "map.fits", &map, 1);
  read_fails(path, "extension 1 has no INDEX column (its columns: TEMPERATURE); an alm table has "
                   "INDEX, REAL and IMAG columns");
  g_free(path);
}

static void test_bad_missing_columns(void)
{
  const double idx[] = { 1, 2, 3 }, v[] = { 0, 0, 0 };
  TableSpec no_imag = { 2, { "INDEX", "REAL" }, { "J", "D" }, 3, { idx, v } };
  char *path = write_tables(bad_dir, "no-imag.fits", &no_imag, 1);
  g_assert_cmpint(read_fails(path, "has no IMAG column (its columns: INDEX, REAL)"), ==,
                  SPH_ERR_FORMAT);
  g_free(path);
  TableSpec text = { 3, { "INDEX", "REAL", "IMAG" }, { "J", "8A", "D" }, 3, { idx, NULL, v } };
  path = write_tables(bad_dir, "text-column.fits", &text, 1);
  read_fails(path, "the REAL column of extension 1 does not hold real numbers");
  g_free(path);
  TableSpec empty = { 3, { "INDEX", "REAL", "IMAG" }, { "J", "D", "D" }, 0, { NULL } };
  path = write_tables(bad_dir, "no-rows.fits", &empty, 1);
  read_fails(path, "extension 1 holds no coefficients");
  g_free(path);
}

static void test_bad_indices(void)
{
  struct {
    const char *name;
    double index[3];
    const char *form;
    const char *problem;
    SphStatus code;
  } cases[] = {
    { "index-0.fits", { 1, 0, 3 }, "J", "row 2: INDEX=0 is not a valid index: indices start at 1",
      SPH_ERR_FORMAT },
    { "index-negative.fits", { 1, 3, -7 }, "J", "row 3: INDEX=-7 is not a valid index",
      SPH_ERR_FORMAT },
    /* l = 2, m = 3 written as l*l+l+m+1 = 10 is l = 3, m = -3 */
    { "m-above-l.fits", { 1, 10, 4 }, "J",
      "row 2: INDEX=10 means l=3, m=-3: negative m (a file holds 0 <= m <= l only; m > l",
      SPH_ERR_FORMAT },
    { "m-negative.fits", { 1, 3, 2 }, "J", "row 3: INDEX=2 means l=1, m=-1: negative m",
      SPH_ERR_FORMAT },
    { "fraction.fits", { 1, 3.5, 4 }, "D", "row 2: INDEX=3.5 is not an integer", SPH_ERR_FORMAT },
    { "nan.fits", { 1, NAN, 4 }, "D", "row 2: INDEX=nan is not an integer", SPH_ERR_FORMAT },
    { "huge.fits", { 1, 3, 8e18 }, "K", "row 3: absurd INDEX=8000000000000000000",
      SPH_ERR_FORMAT },
    /* l = m = 2^26, INDEX = (l + 1)^2: valid, but a set up to it needs 2^51 coefficients */
    { "absurd-size.fits", { 1, 4503599761588225.0, 3 }, "K", "row 2: absurd size: INDEX up "
      "to l=67108864, m=67108864", SPH_ERR_UNSUPPORTED },
    { "twice.fits", { 1, 4, 4 }, "J", "row 3: INDEX=4 (l=1, m=1) appears a second time",
      SPH_ERR_FORMAT },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *path = write_indices(bad_dir, cases[i].name, cases[i].index, 3, cases[i].form);
    g_assert_cmpint(read_fails(path, cases[i].problem), ==, cases[i].code);
    g_free(path);
  }
}

static void test_bad_mixed_lmax(void)
{
  const double idx_a[6] = { 1, 3, 4, 7, 8, 9 }; /* l <= 2, m >= 0 */
  const double idx_b[3] = { 1, 3, 4 };          /* l <= 1 */
  const double re[6] = { 0 }, im[6] = { 0 };
  TableSpec tables[] = {
    { 3, { "INDEX", "REAL", "IMAG" }, { "J", "D", "D" }, 6, { idx_a, re, im } },
    { 3, { "INDEX", "REAL", "IMAG" }, { "J", "D", "D" }, 3, { idx_b, re, im } },
  };
  char *path = write_tables(bad_dir, "mixed.fits", tables, 2);
  SphAlm **sets = NULL;
  int n = 0;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_fits_read_alm_all(path, &sets, &n, NULL, &err), ==, SPH_ERR_FORMAT);
  g_test_message("%s", err.message);
  g_assert_true(g_str_has_prefix(err.message, path));
  g_assert_nonnull(strstr(err.message, "extension 2 holds lmax=1, mmax=1 but extension 1 holds "
                                       "lmax=2, mmax=2; the alm sets of one file must share "
                                       "lmax and mmax"));
  g_assert_null(sets);
  /* each alone reads */
  SphAlm *second = read_ok(path, 2, NULL);
  g_assert_cmpint(second->lmax, ==, 1);
  sph_alm_free(second);
  g_free(path);
}

static void test_bad_truncated(void)
{
  char *good = bad_path("good.fits");
  SphAlm *alm = new_random_alm(60, 60, 70);
  const SphAlm *sets[] = { alm, alm };
  write_ok(good, sets, 2, SPH_FITS_FLOAT64, -1, -1);
  char *bytes = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(good, &bytes, &len, NULL));
  g_assert_cmpuint(len % 2880, ==, 0);
  /* in the primary header, the first table's header and data, the second's header (which
   * must not read as a file of one set) and data */
  g_assert_cmpuint(len, ==, 89280); /* the second header starts at 2880 + 2880 + 40320 */
  const gsize cuts[] = { 1000, 2880 + 1000, 2880 * 2, 2880 * 3 + 100, 46080 + 1000, len - 2880,
                         len - 1 };
  for (size_t i = 0; i < G_N_ELEMENTS(cuts); i++) {
    char *path = bad_path("cut.fits");
    g_assert_true(g_file_set_contents(path, bytes, (gssize)cuts[i], NULL));
    SphError err = SPH_ERROR_INIT;
    SphAlm **back = NULL;
    int n = 0;
    g_assert_cmpint(sph_fits_read_alm_all(path, &back, &n, NULL, &err), ==, SPH_ERR_FORMAT);
    g_test_message("cut at %zu: %s", (size_t)cuts[i], err.message);
    g_assert_true(g_str_has_prefix(err.message, path));
    g_assert_nonnull(strstr(err.message, "truncated"));
    g_free(path);
  }
  g_free(bytes);
  /* a gzip file cut short */
  char *gz = bad_path("good.fits.gz");
  write_ok(gz, sets, 2, SPH_FITS_FLOAT64, -1, -1);
  g_assert_true(g_file_get_contents(gz, &bytes, &len, NULL));
  char *path = bad_path("cut.fits.gz");
  g_assert_true(g_file_set_contents(path, bytes, (gssize)(len / 2), NULL));
  read_fails(path, "truncated: the compressed file ends early");
  /* cut, but ending with the original trailer: CFITSIO meets the end of the data */
  GByteArray *spliced = g_byte_array_new();
  g_byte_array_append(spliced, (const guint8 *)bytes, (guint)(len / 2));
  g_byte_array_append(spliced, (const guint8 *)bytes + len - 8, 8);
  g_assert_true(g_file_set_contents(path, (const char *)spliced->data, spliced->len, NULL));
  read_fails(path, "truncated");
  g_byte_array_free(spliced, TRUE);
  g_free(path);
  g_free(bytes);
  g_free(gz);
  sph_alm_free(alm);
  g_free(good);
}

/* The library prints nothing, whatever CFITSIO meets. */
static void test_bad_files_are_silent(void)
{
  char *log = bad_path("output.log");
  SphTestStdioCapture capture;
  sph_test_stdio_capture_begin(&capture, log);
  const char *names[] = { "cut.fits", "cut.fits.gz", "notes.fits", "image.fits", "map.fits",
                          "no-imag.fits", "text-column.fits", "twice.fits", "mixed.fits" };
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    char *path = bad_path(names[i]);
    SphError err = SPH_ERROR_INIT;
    SphAlm **sets = NULL;
    int n = 0;
    sph_alm_free(sph_fits_read_alm(path, 1, NULL, &err));
    sph_fits_read_alm_all(path, &sets, &n, NULL, &err);
    sph_fits_alm_sets_free(sets, n);
    g_free(path);
  }
  sph_test_stdio_capture_end_silent(&capture, log);
  g_free(log);
}

/* ---- atomic writing --------------------------------------------------------------- */

static void test_write_missing_directory(void)
{
  char *dir = test_dir("write-missing");
  char *path = g_build_filename(dir, "no", "such", "alm.fits", NULL);
  SphAlm *alm = new_random_alm(4, 4, 1);
  const SphAlm *sets[] = { alm };
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_fits_write_alm(path, sets, 1, NULL, &err), ==, SPH_ERR_IO);
  g_test_message("%s", err.message);
  g_assert_true(g_str_has_prefix(err.message, path));
  g_assert_nonnull(strstr(err.message, "No such file or directory"));
  g_assert_cmpint(sph_test_count_entries(dir), ==, 0);
  sph_alm_free(alm);
  g_free(path);
  g_free(dir);
}

static void test_write_over_directory(void)
{
  char *dir = test_dir("write-over-dir");
  char *path = g_build_filename(dir, "alm.fits", NULL);
  g_assert_cmpint(g_mkdir(path, 0755), ==, 0);
  SphAlm *alm = new_random_alm(8, 8, 1);
  const SphAlm *sets[] = { alm };
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_fits_write_alm(path, sets, 1, NULL, &err), ==, SPH_ERR_IO);
  g_test_message("%s", err.message);
  g_assert_true(g_str_has_prefix(err.message, path));
  g_assert_nonnull(strstr(err.message, "cannot replace"));
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);
  g_assert_true(g_file_test(path, G_FILE_TEST_IS_DIR));
  sph_alm_free(alm);
  g_free(path);
  g_free(dir);
}

/* A full disk, simulated with a file-size limit: the write fails midway, the old file
 * stays as it was and no temporary file is left. */
static void test_failed_write_keeps_old_file(void)
{
  char *dir = test_dir("write-fails");
  char *path = g_build_filename(dir, "alm.fits", NULL);
  SphAlm *small = new_random_alm(4, 4, 1);
  const SphAlm *small_sets[] = { small };
  write_ok(path, small_sets, 1, SPH_FITS_FLOAT64, -1, -1);
  char *before = NULL;
  gsize before_len = 0;
  g_assert_true(g_file_get_contents(path, &before, &before_len, NULL));

  SphAlm *big = new_random_alm(200, 200, 2); /* 20301 rows of 20 bytes, three times */
  const SphAlm *big_sets[] = { big, big, big };
  SphTestFileLimit limit;
  sph_test_file_limit_begin(&limit, 100000);
  SphError err = SPH_ERROR_INIT;
  SphStatus st = sph_fits_write_alm(path, big_sets, 3, NULL, &err);
  SphError gz_err = SPH_ERROR_INIT;
  char *gz = g_build_filename(dir, "alm.fits.gz", NULL);
  SphFitsAlmWriteOptions opt = { SPH_FITS_FLOAT64, -1, -1 };
  SphStatus gz_st = sph_fits_write_alm(gz, big_sets, 3, &opt, &gz_err);
  sph_test_file_limit_end(&limit);
  g_test_message("%s", err.message);
  g_assert_cmpint(st, ==, SPH_ERR_IO);
  g_assert_true(g_str_has_prefix(err.message, path));
  g_assert_nonnull(strstr(err.message, "cannot write"));
  g_assert_nonnull(strstr(err.message, "is the disk full?"));
  /* random alm barely compress: the gzip file does not fit either */
  g_test_message("%s", gz_err.message);
  g_assert_cmpint(gz_st, ==, SPH_ERR_IO);
  g_assert_true(g_str_has_prefix(gz_err.message, gz));

  char *after = NULL;
  gsize after_len = 0;
  g_assert_true(g_file_get_contents(path, &after, &after_len, NULL));
  g_assert_cmpmem(after, after_len, before, before_len);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);

  /* and a write that succeeds replaces it, with the usual permissions */
  mode_t old_mask = umask(022);
  write_ok(path, big_sets, 3, SPH_FITS_FLOAT32, -1, -1);
  umask(old_mask);
  struct stat stt;
  g_assert_cmpint(g_stat(path, &stt), ==, 0);
  g_assert_cmpint(stt.st_mode & 0777, ==, 0644);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);
  SphAlm *back = read_ok(path, 3, NULL);
  assert_alm_equal(back, big, 200, 200, true);
  sph_alm_free(back);
  g_free(gz);
  g_free(after);
  g_free(before);
  sph_alm_free(big);
  sph_alm_free(small);
  g_free(path);
  g_free(dir);
}

/* The private API: abort leaves the target as it was, a stream commits like a FITS
 * file, and a failed stream write is reported with its errno. */
static void test_atomic_api(void)
{
  char *dir = test_dir("atomic");
  char *path = g_build_filename(dir, "target.txt", NULL);
  g_assert_true(g_file_set_contents(path, "old\n", -1, NULL));
  SphError err = SPH_ERROR_INIT;

  SphFitsAtomic *out = NULL;
  fitsfile *fits = NULL;
  g_assert_cmpint(sph_fits_atomic_create(path, &out, &fits, &err), ==, SPH_OK);
  g_assert_nonnull(fits);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 2);
  int status = 0;
  long naxes[1] = { 0 };
  fits_create_img(fits, BYTE_IMG, 0, naxes, &status);
  g_assert_cmpint(status, ==, 0);
  sph_fits_atomic_abort(out);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);
  char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_assert_cmpstr(text, ==, "old\n");
  g_free(text);

  /* and for a compressed file, written in memory until closed */
  char *gz = g_strconcat(path, ".gz", NULL);
  g_assert_cmpint(sph_fits_atomic_create(gz, &out, &fits, &err), ==, SPH_OK);
  fits_create_img(fits, BYTE_IMG, 0, naxes, &status);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 2);
  sph_fits_atomic_abort(out);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);
  g_assert_false(g_file_test(gz, G_FILE_TEST_EXISTS));
  g_free(gz);

  FILE *stream = NULL;
  g_assert_cmpint(sph_atomic_create_stream(path, &out, &stream, &err), ==, SPH_OK);
  fputs("new\n", stream);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 2);
  sph_fits_atomic_abort(out);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);

  g_assert_cmpint(sph_atomic_create_stream(path, &out, &stream, &err), ==, SPH_OK);
  fputs("new\n", stream);
  g_assert_cmpint(sph_fits_atomic_commit(out, 0, &err), ==, SPH_OK);
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_assert_cmpstr(text, ==, "new\n");
  g_free(text);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);

  /* a writer that met an error passes its errno: nothing is replaced */
  g_assert_cmpint(sph_atomic_create_stream(path, &out, &stream, &err), ==, SPH_OK);
  fputs("partial\n", stream);
  g_assert_cmpint(sph_fits_atomic_commit(out, ENOSPC, &err), ==, SPH_ERR_IO);
  g_test_message("%s", err.message);
  g_assert_true(g_str_has_prefix(err.message, path));
  g_assert_nonnull(strstr(err.message, "No space left on device"));
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_assert_cmpstr(text, ==, "new\n");
  g_free(text);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);

  /* a CFITSIO status likewise */
  g_assert_cmpint(sph_fits_atomic_create(path, &out, &fits, &err), ==, SPH_OK);
  g_assert_cmpint(sph_fits_atomic_commit(out, WRITE_ERROR, &err), ==, SPH_ERR_IO);
  g_assert_nonnull(strstr(err.message, "CFITSIO"));
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);

  /* names that cannot work */
  g_assert_cmpint(sph_atomic_create_stream("", &out, &stream, &err), ==, SPH_ERR_INVALID);
  g_assert_null(out);
  char *slash = g_strconcat(dir, "/", NULL);
  g_assert_cmpint(sph_fits_atomic_create(slash, &out, &fits, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "the name is a directory"));
  g_assert_null(out);
  g_assert_null(fits);
  sph_fits_atomic_abort(NULL);
  g_free(slash);
  g_free(path);
  g_free(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  GError *error = NULL;
  tmp_root = g_dir_make_tmp("sphaera-alm-XXXXXX", &error);
  g_assert_no_error(error);
  bad_dir = test_dir("bad");

  g_test_add_func("/fits-alm/round-trip/float64", test_round_trip_float64);
  g_test_add_func("/fits-alm/round-trip/float32", test_round_trip_float32);
  g_test_add_func("/fits-alm/round-trip/several", test_round_trip_several);
  g_test_add_func("/fits-alm/round-trip/gzip", test_round_trip_gzip);
  g_test_add_func("/fits-alm/write/lmax-mmax", test_write_lmax_mmax);
  g_test_add_func("/fits-alm/write/layout", test_write_layout);
  g_test_add_func("/fits-alm/read/sparse", test_read_sparse);
  g_test_add_func("/fits-alm/read/variants", test_read_variants);
  g_test_add_func("/fits-alm/healpy/sphaera-reads", test_sphaera_reads_healpy);
  g_test_add_func("/fits-alm/healpy/reads-sphaera", test_healpy_reads_sphaera);
  g_test_add_func("/fits-alm/bad/not-fits", test_bad_not_fits);
  g_test_add_func("/fits-alm/bad/no-table", test_bad_no_table);
  g_test_add_func("/fits-alm/bad/missing-columns", test_bad_missing_columns);
  g_test_add_func("/fits-alm/bad/indices", test_bad_indices);
  g_test_add_func("/fits-alm/bad/mixed-lmax", test_bad_mixed_lmax);
  g_test_add_func("/fits-alm/bad/truncated", test_bad_truncated);
  g_test_add_func("/fits-alm/bad/silent", test_bad_files_are_silent);
  g_test_add_func("/fits-alm/write/missing-directory", test_write_missing_directory);
  g_test_add_func("/fits-alm/write/over-directory", test_write_over_directory);
  g_test_add_func("/fits-alm/write/failure-keeps-old-file", test_failed_write_keeps_old_file);
  g_test_add_func("/fits-alm/atomic/api", test_atomic_api);

  int rc = g_test_run();
  sph_test_remove_tree(tmp_root);
  g_free(tmp_root);
  g_free(bad_dir);
  return rc;
}
