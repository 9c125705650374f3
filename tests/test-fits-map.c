/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HEALPix FITS maps: round trips, the WMAP W-band map against astropy and numpy,
 * ud_grade against healpy, files written by healpy read here and files written here
 * read by healpy, every kind of broken file, and atomic writing. */
#include <errno.h>
#include <fcntl.h>
#include <fitsio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sphaera/fits_map.h"
#include "sph-test-files.h"
#include "sph-test-python.h"

static char *tmp_root;

static const char *wmap_path(void)
{
  static char *path;
  if (path == NULL) {
    const char *dir = g_getenv("SPHAERA_DATA_DIR");
    path = g_build_filename(dir != NULL ? dir : "data",
                            "wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits", NULL);
  }
  return path;
}

/* A fresh directory for one test, inside the program's temporary directory. */
static char *test_dir(const char *name)
{
  return sph_test_subdir(tmp_root, name);
}

static SphMap *new_random_map(int64_t nside, SphOrdering ordering, int nfields, guint32 seed)
{
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_map_new(nside, ordering, nfields, &err);
  g_assert_nonnull(map);
  GRand *rand = g_rand_new_with_seed(seed);
  for (int f = 0; f < nfields; f++)
    for (int64_t p = 0; p < map->npix; p++)
      map->fields[f].values[p] = g_rand_double_range(rand, -1e3, 1e3) * pow(10.0, f - 3);
  g_rand_free(rand);
  return map;
}

static void write_ok(const char *path, const SphMap *map, SphFitsType type, bool partial)
{
  SphError err = SPH_ERROR_INIT;
  SphFitsWriteOptions opt = { type, partial };
  SphStatus st = sph_fits_write_map(path, map, &opt, &err);
  g_assert_cmpstr(err.message, ==, "");
  g_assert_cmpint(st, ==, SPH_OK);
}

static SphMap *read_ok(const char *path, SphFitsType *type)
{
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_fits_read_map(path, type, &err);
  g_assert_cmpstr(err.message, ==, "");
  g_assert_nonnull(map);
  return map;
}

/* The read fails, and the message names the file and contains what is wrong. */
static SphStatus read_fails(const char *path, const char *problem)
{
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_fits_read_map(path, NULL, &err);
  g_test_message("%s", err.message);
  g_assert_null(map);
  g_assert_cmpint(err.code, !=, SPH_OK);
  g_assert_true(g_str_has_prefix(err.message, path));
  if (strstr(err.message, problem) == NULL)
    g_error("expected \"%s\" in: %s", problem, err.message);
  return err.code;
}

/* Exact equality, NaN matching NaN. */
static void assert_same_values(const double *got, const double *want, int64_t n)
{
  for (int64_t p = 0; p < n; p++) {
    if (isnan(want[p]))
      g_assert_true(isnan(got[p]));
    else if (got[p] != want[p])
      g_error("pixel %" G_GINT64_FORMAT ": got %.17g, want %.17g", p, got[p], want[p]);
  }
}

static void assert_same_labels(const SphMap *got, const SphMap *want)
{
  g_assert_cmpint(got->nside, ==, want->nside);
  g_assert_cmpint(got->ordering, ==, want->ordering);
  g_assert_cmpint(got->coordsys, ==, want->coordsys);
  g_assert_cmpint(got->nfields, ==, want->nfields);
  for (int f = 0; f < want->nfields; f++) {
    g_assert_cmpstr(got->fields[f].name, ==, want->fields[f].name);
    g_assert_cmpstr(got->fields[f].unit, ==, want->fields[f].unit);
  }
}

/* ---- round trips ----------------------------------------------------------------- */

static void test_round_trip_float64(void)
{
  char *dir = test_dir("rt64");
  const int64_t nsides[] = { 1, 8, 16, 64 };
  for (size_t i = 0; i < G_N_ELEMENTS(nsides); i++) {
    for (int ordering = SPH_ORDER_RING; ordering <= SPH_ORDER_NEST; ordering++) {
      int nfields = 1 + (int)(i % 3) * 2 - (ordering == SPH_ORDER_NEST && i == 2);
      SphMap *map = new_random_map(nsides[i], (SphOrdering)ordering, nfields, 10 + (guint32)i);
      map->coordsys = (SphCoordSys)(1 + (int)i % 3);
      sph_map_set_field_name(map, 0, "TEMPERATURE");
      sph_map_set_field_unit(map, 0, "K_CMB");
      if (nfields > 1)
        sph_map_set_field_unit(map, nfields - 1, "uK");
      map->fields[0].values[0] = SPH_UNSEEN;
      map->fields[nfields - 1].values[map->npix - 1] = NAN;
      map->fields[0].values[map->npix / 2] = -0.0;
      char *path = g_strdup_printf("%s/map-%d-%d.fits", dir, (int)i, ordering);
      write_ok(path, map, SPH_FITS_FLOAT64, false);
      SphFitsType type = SPH_FITS_FLOAT32;
      SphMap *back = read_ok(path, &type);
      g_assert_cmpint(type, ==, SPH_FITS_FLOAT64);
      assert_same_labels(back, map);
      for (int f = 0; f < nfields; f++)
        assert_same_values(back->fields[f].values, map->fields[f].values, map->npix);
      g_assert_true(signbit(back->fields[0].values[map->npix / 2]));
      sph_map_free(back);
      sph_map_free(map);
      g_free(path);
    }
  }
  g_free(dir);
}

static void test_round_trip_float32(void)
{
  char *dir = test_dir("rt32");
  for (int ordering = SPH_ORDER_RING; ordering <= SPH_ORDER_NEST; ordering++) {
    SphMap *map = new_random_map(32, (SphOrdering)ordering, 3, 21);
    map->coordsys = SPH_COORD_EQUATORIAL;
    sph_map_set_field_name(map, 1, "Q_STOKES");
    sph_map_set_field_unit(map, 2, "mK");
    map->fields[0].values[3] = SPH_UNSEEN;
    map->fields[1].values[4] = NAN;
    map->fields[2].values[5] = 1e300; /* beyond float range: infinity, as numpy casts it */
    char *path = g_strdup_printf("%s/map-%d.fits", dir, ordering);
    write_ok(path, map, SPH_FITS_FLOAT32, false);
    SphFitsType type = SPH_FITS_FLOAT64;
    SphMap *back = read_ok(path, &type);
    g_assert_cmpint(type, ==, SPH_FITS_FLOAT32);
    assert_same_labels(back, map);
    for (int f = 0; f < 3; f++)
      for (int64_t p = 0; p < map->npix; p++)
        map->fields[f].values[p] = (double)(float)map->fields[f].values[p];
    /* UNSEEN stored as the nearest float reads back as exactly UNSEEN */
    g_assert_cmpfloat(map->fields[0].values[3], !=, SPH_UNSEEN);
    map->fields[0].values[3] = SPH_UNSEEN;
    for (int f = 0; f < 3; f++)
      assert_same_values(back->fields[f].values, map->fields[f].values, map->npix);
    g_assert_true(isinf(back->fields[2].values[5]));
    sph_map_free(back);
    sph_map_free(map);
    g_free(path);
  }
  g_free(dir);
}

/* TFORM of a column, read with CFITSIO. */
static char *column_tform(const char *path, int col)
{
  fitsfile *f = NULL;
  int status = 0;
  char key[16], value[FLEN_VALUE];
  fits_open_diskfile(&f, path, READONLY, &status);
  fits_movabs_hdu(f, 2, NULL, &status);
  g_snprintf(key, sizeof key, "TFORM%d", col);
  fits_read_key(f, TSTRING, key, value, NULL, &status);
  fits_close_file(f, &status);
  g_assert_cmpint(status, ==, 0);
  return g_strdup(value);
}

static void test_round_trip_partial(void)
{
  char *dir = test_dir("partial");
  struct {
    int64_t nside;
    SphFitsType type;
    const char *pixel_tform;
  } cases[] = {
    { 8, SPH_FITS_FLOAT64, "I" }, { 64, SPH_FITS_FLOAT32, "J" }, { 4, SPH_FITS_FLOAT64, "B" }
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    SphMap *map = new_random_map(cases[i].nside, i == 1 ? SPH_ORDER_NEST : SPH_ORDER_RING, 2,
                                 30 + (guint32)i);
    map->coordsys = SPH_COORD_GALACTIC;
    sph_map_set_field_unit(map, 1, "K");
    for (int64_t p = 0; p < map->npix; p++) {
      bool keep = i == 2 ? p == 0 : (p * 7919) % 10 < 3;
      if (!keep) /* healpy keeps the pixels seen in the first field, for every field */
        for (int f = 0; f < 2; f++)
          map->fields[f].values[p] = SPH_UNSEEN;
    }
    char *path = g_strdup_printf("%s/partial-%d.fits", dir, (int)i);
    write_ok(path, map, cases[i].type, true);
    char *tform = column_tform(path, 1);
    g_assert_cmpstr(tform, ==, cases[i].pixel_tform);
    g_free(tform);
    SphFitsType type;
    SphMap *back = read_ok(path, &type);
    g_assert_cmpint(type, ==, cases[i].type);
    assert_same_labels(back, map);
    for (int f = 0; f < 2; f++) {
      if (cases[i].type == SPH_FITS_FLOAT32)
        for (int64_t p = 0; p < map->npix; p++)
          if (map->fields[f].values[p] != SPH_UNSEEN)
            map->fields[f].values[p] = (double)(float)map->fields[f].values[p];
      assert_same_values(back->fields[f].values, map->fields[f].values, map->npix);
    }
    sph_map_free(back);
    sph_map_free(map);
    g_free(path);
  }
  /* healpy refuses an empty partial map; so does Sphaera, with a reason */
  SphMap *empty = new_random_map(2, SPH_ORDER_RING, 1, 1);
  for (int64_t p = 0; p < empty->npix; p++)
    empty->fields[0].values[p] = SPH_UNSEEN;
  char *path = g_build_filename(dir, "empty.fits", NULL);
  SphError err = SPH_ERROR_INIT;
  SphFitsWriteOptions opt = { SPH_FITS_FLOAT64, true };
  g_assert_cmpint(sph_fits_write_map(path, empty, &opt, &err), ==, SPH_ERR_INVALID);
  g_assert_true(g_str_has_prefix(err.message, path));
  g_assert_nonnull(strstr(err.message, "no seen pixel"));
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
  g_assert_cmpint(sph_test_count_entries(dir), ==, 3);
  g_free(path);
  sph_map_free(empty);
  g_free(dir);
}

static void test_round_trip_gzip(void)
{
  char *dir = test_dir("gzip");
  SphMap *map = new_random_map(16, SPH_ORDER_NEST, 2, 44);
  char *path = g_build_filename(dir, "map.fits.gz", NULL);
  write_ok(path, map, SPH_FITS_FLOAT64, false);
  char *bytes = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
  g_assert_cmpuint(len, >, 2);
  g_assert_cmpuint((guchar)bytes[0], ==, 0x1f); /* gzip magic */
  g_assert_cmpuint((guchar)bytes[1], ==, 0x8b);
  g_free(bytes);
  SphMap *back = read_ok(path, NULL);
  assert_same_labels(back, map);
  for (int f = 0; f < 2; f++)
    assert_same_values(back->fields[f].values, map->fields[f].values, map->npix);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);
  sph_map_free(back);
  sph_map_free(map);
  g_free(path);
  g_free(dir);
}

static void test_default_names_and_options(void)
{
  char *dir = test_dir("defaults");
  SphMap *map = new_random_map(2, SPH_ORDER_RING, 3, 5);
  for (int f = 0; f < 3; f++)
    sph_map_set_field_name(map, f, "");
  char *path = g_build_filename(dir, "m.fits", NULL);
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_fits_write_map(path, map, NULL, &err), ==, SPH_OK); /* float64 full */
  SphFitsType type;
  SphMap *back = read_ok(path, &type);
  g_assert_cmpint(type, ==, SPH_FITS_FLOAT64);
  g_assert_cmpstr(back->fields[0].name, ==, "TEMPERATURE");
  g_assert_cmpstr(back->fields[1].name, ==, "Q_POLARISATION");
  g_assert_cmpstr(back->fields[2].name, ==, "U_POLARISATION");
  sph_map_free(back);
  /* a name FITS cannot hold is refused before anything touches the disk */
  sph_map_set_field_name(map, 1, "tab\there");
  g_assert_cmpint(sph_fits_write_map(path, map, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_true(g_str_has_prefix(err.message, path));
  g_free(path);
  sph_map_free(map);
  g_free(dir);
}

/* ---- files made by hand: integer columns, keyword variants ----------------------- */

static fitsfile *create_table(const char *path, int ncols, char **ttype, char **tform)
{
  fitsfile *f = NULL;
  int status = 0;
  g_remove(path);
  fits_create_diskfile(&f, path, &status);
  fits_create_tbl(f, BINARY_TBL, 0, ncols, ttype, tform, NULL, "xtension", &status);
  fits_write_key(f, TSTRING, "PIXTYPE", "HEALPIX", NULL, &status);
  g_assert_cmpint(status, ==, 0);
  return f;
}

static void close_table(fitsfile *f)
{
  int status = 0;
  fits_close_file(f, &status);
  g_assert_cmpint(status, ==, 0);
}

static void test_integer_columns(void)
{
  char *dir = test_dir("integers");
  char *path = g_build_filename(dir, "int.fits", NULL);
  char *ttype[] = { "B", "I", "J", "K", "U" };
  char *tform[] = { "B", "I", "J", "K", "I" };
  fitsfile *f = create_table(path, 5, ttype, tform);
  int status = 0;
  long long nside = 1;
  double zero = 32768.0, scale = 0.5;
  fits_write_key(f, TLONGLONG, "NSIDE", &nside, NULL, &status);
  fits_write_key(f, TSTRING, "ORDERING", "NESTED", NULL, &status);
  fits_write_key(f, TDOUBLE, "TZERO5", &zero, NULL, &status); /* unsigned 16-bit */
  fits_write_key(f, TDOUBLE, "TSCAL4", &scale, NULL, &status);
  fits_set_tscale(f, 5, 1.0, 0.0, &status); /* write the raw stored values */
  fits_set_tscale(f, 4, 1.0, 0.0, &status);
  unsigned char b[12];
  short i16[12];
  int i32[12];
  long long i64[12];
  for (int p = 0; p < 12; p++) {
    b[p] = (unsigned char)(250 + p % 6);
    i16[p] = (short)(-32768 + p * 1000);
    i32[p] = (int)(-2000000000LL + p * 333333333LL);
    i64[p] = (p - 6) * 1000000007LL;
  }
  fits_write_col(f, TBYTE, 1, 1, 1, 12, b, &status);
  fits_write_col(f, TSHORT, 2, 1, 1, 12, i16, &status);
  fits_write_col(f, TINT, 3, 1, 1, 12, i32, &status);
  fits_write_col(f, TLONGLONG, 4, 1, 1, 12, i64, &status);
  fits_write_col(f, TSHORT, 5, 1, 1, 12, i16, &status);
  g_assert_cmpint(status, ==, 0);
  close_table(f);

  SphFitsType type;
  SphMap *map = read_ok(path, &type);
  g_assert_cmpint(type, ==, SPH_FITS_FLOAT64);
  g_assert_cmpint(map->ordering, ==, SPH_ORDER_NEST);
  g_assert_cmpint(map->nfields, ==, 5);
  for (int p = 0; p < 12; p++) {
    g_assert_cmpfloat(map->fields[0].values[p], ==, (double)b[p]);
    g_assert_cmpfloat(map->fields[1].values[p], ==, (double)i16[p]);
    g_assert_cmpfloat(map->fields[2].values[p], ==, (double)i32[p]);
    g_assert_cmpfloat(map->fields[3].values[p], ==, 0.5 * (double)i64[p]);
    g_assert_cmpfloat(map->fields[4].values[p], ==, (double)i16[p] + 32768.0);
  }
  sph_map_free(map);
  g_free(path);
  g_free(dir);
}

static void update_key_string(const char *path, const char *key, const char *value)
{
  fitsfile *f = NULL;
  int status = 0;
  fits_open_diskfile(&f, path, READWRITE, &status);
  fits_movabs_hdu(f, 2, NULL, &status);
  fits_update_key(f, TSTRING, key, (char *)value, NULL, &status);
  fits_close_file(f, &status);
  g_assert_cmpint(status, ==, 0);
}

static void update_key_int(const char *path, const char *key, long long value)
{
  fitsfile *f = NULL;
  int status = 0;
  fits_open_diskfile(&f, path, READWRITE, &status);
  fits_movabs_hdu(f, 2, NULL, &status);
  fits_update_key(f, TLONGLONG, key, &value, NULL, &status);
  fits_close_file(f, &status);
  g_assert_cmpint(status, ==, 0);
}

static void delete_key(const char *path, const char *key)
{
  fitsfile *f = NULL;
  int status = 0;
  fits_open_diskfile(&f, path, READWRITE, &status);
  fits_movabs_hdu(f, 2, NULL, &status);
  fits_delete_key(f, key, &status);
  fits_close_file(f, &status);
  g_assert_cmpint(status, ==, 0);
}

/* Rewrites the value of a header card in the file's bytes: for structural keywords,
 * which CFITSIO would act on (a huge NAXIS2 would make it grow the file). */
static void patch_card(const char *path, const char *keyword, const char *value)
{
  char *bytes = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
  char prefix[11];
  g_snprintf(prefix, sizeof prefix, "%-8s= ", keyword);
  gsize at = 0;
  while (at + 80 <= len && memcmp(bytes + at, prefix, 10) != 0)
    at += 80;
  g_assert_cmpuint(at + 80, <=, len);
  char card[81];
  g_snprintf(card, sizeof card, "%-8s= %20s%-50s", keyword, value, "");
  memcpy(bytes + at, card, 80);
  g_assert_true(g_file_set_contents(path, bytes, (gssize)len, NULL));
  g_free(bytes);
}

static char *write_valid(const char *dir, const char *name, int64_t nside, bool partial)
{
  char *path = g_build_filename(dir, name, NULL);
  SphMap *map = new_random_map(nside, SPH_ORDER_RING, 1, 99);
  if (partial)
    for (int64_t p = 0; p < map->npix; p += 2)
      map->fields[0].values[p] = SPH_UNSEEN;
  write_ok(path, map, SPH_FITS_FLOAT32, partial);
  sph_map_free(map);
  return path;
}

static void test_keyword_variants(void)
{
  char *dir = test_dir("keywords");
  char *path = write_valid(dir, "k.fits", 4, false);
  update_key_string(path, "ORDERING", "NEST");
  update_key_string(path, "COORDSYS", "Q");
  SphMap *map = read_ok(path, NULL);
  g_assert_cmpint(map->ordering, ==, SPH_ORDER_NEST);
  g_assert_cmpint(map->coordsys, ==, SPH_COORD_EQUATORIAL);
  sph_map_free(map);
  update_key_string(path, "COORDSYS", "GALACTIC");
  delete_key(path, "ORDERING"); /* healpy assumes RING */
  delete_key(path, "NSIDE");    /* healpy derives NSIDE from the column length */
  map = read_ok(path, NULL);
  g_assert_cmpint(map->ordering, ==, SPH_ORDER_RING);
  g_assert_cmpint(map->coordsys, ==, SPH_COORD_GALACTIC);
  g_assert_cmpint(map->nside, ==, 4);
  sph_map_free(map);
  g_free(path);
  g_free(dir);
}

/* ---- the WMAP W-band map, against astropy, numpy and healpy ---------------------- */

/* Runs a Python script with arguments; its stdout, or a test failure with its stderr. */

static double *read_doubles(const char *path, int64_t expect_count)
{
  char *bytes = NULL;
  gsize len = 0;
  GError *error = NULL;
  g_file_get_contents(path, &bytes, &len, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(len, ==, (gsize)expect_count * sizeof(double));
  return (double *)bytes;
}

static const char wmap_reference_py[] =
  "import sys, numpy as np, healpy as hp\n"
  "from astropy.io import fits\n"
  "path, out = sys.argv[1], sys.argv[2]\n"
  "d = fits.open(path)[1].data\n"
  "for i, name in enumerate(d.columns.names):\n"
  "    m = np.asarray(d[name], dtype=np.float64).ravel()\n"
  "    m[hp.mask_bad(m)] = hp.UNSEEN\n"
  "    m.tofile('%s/col%d.f64' % (out, i))\n"
  "    good = ~(hp.mask_bad(m) | np.isnan(m))\n"
  "    g = m[good]\n"
  "    print(name, good.sum(), repr(g.min()), repr(g.max()), repr(g.mean()),\n"
  "          repr(np.sqrt(np.mean(g * g))))\n"
  "m = hp.read_map(path, field=None, dtype=np.float64)\n"
  "mn = hp.reorder(m, r2n=True)\n"
  "for nside in (16, 8, 64):\n"
  "    np.asarray(hp.ud_grade(m, nside), dtype=np.float64).tofile('%s/ring%d.f64' % (out, nside))\n"
  "    np.asarray(hp.ud_grade(mn, nside, order_in='NEST'),\n"
  "               dtype=np.float64).tofile('%s/nest%d.f64' % (out, nside))\n";

static char *wmap_reference_dir;
static char *wmap_reference_stats;

/* astropy's raw columns, numpy's statistics and healpy's ud_grade, computed once. */
static bool wmap_reference(void)
{
  if (sph_test_python() == NULL) {
    g_test_skip("SPHAERA_PYTHON is not set: no astropy/healpy reference");
    return false;
  }
  if (wmap_reference_dir == NULL) {
    wmap_reference_dir = test_dir("wmap-ref");
    const char *args[] = { wmap_path(), wmap_reference_dir, NULL };
    wmap_reference_stats = sph_test_run_python(wmap_reference_py, args);
  }
  return true;
}

static void test_wmap_header(void)
{
  SphFitsType type = SPH_FITS_FLOAT64;
  SphMap *map = read_ok(wmap_path(), &type);
  g_assert_cmpint(type, ==, SPH_FITS_FLOAT32);
  g_assert_cmpint(map->nside, ==, 32);
  g_assert_cmpint(map->npix, ==, 12288);
  g_assert_cmpint(map->ordering, ==, SPH_ORDER_RING);
  g_assert_cmpint(map->coordsys, ==, SPH_COORD_UNKNOWN);
  g_assert_cmpint(map->nfields, ==, 3);
  g_assert_cmpstr(map->fields[0].name, ==, "I_STOKES");
  g_assert_cmpstr(map->fields[1].name, ==, "Q_STOKES");
  g_assert_cmpstr(map->fields[2].name, ==, "U_STOKES");
  g_assert_cmpstr(map->fields[0].unit, ==, "");
  sph_map_free(map);
}

static void test_wmap_values_and_stats(void)
{
  if (!wmap_reference())
    return;
  SphMap *map = read_ok(wmap_path(), NULL);
  char **lines = g_strsplit(wmap_reference_stats, "\n", -1);
  for (int f = 0; f < 3; f++) {
    char *ref_path = g_strdup_printf("%s/col%d.f64", wmap_reference_dir, f);
    double *ref = read_doubles(ref_path, map->npix);
    assert_same_values(map->fields[f].values, ref, map->npix);
    g_free(ref);
    g_free(ref_path);

    char **tok = g_strsplit(lines[f], " ", -1);
    g_assert_cmpuint(g_strv_length(tok), ==, 6);
    g_assert_cmpstr(tok[0], ==, map->fields[f].name);
    SphMapStats s;
    sph_map_field_stats(map, f, &s);
    g_assert_cmpint(s.nseen, ==, g_ascii_strtoll(tok[1], NULL, 10));
    g_assert_cmpfloat(s.unseen_fraction, ==, (double)(map->npix - s.nseen) / (double)map->npix);
    g_assert_cmpfloat(s.min, ==, g_ascii_strtod(tok[2], NULL));
    g_assert_cmpfloat(s.max, ==, g_ascii_strtod(tok[3], NULL));
    double mean = g_ascii_strtod(tok[4], NULL), rms = g_ascii_strtod(tok[5], NULL);
    g_assert_cmpfloat_with_epsilon(s.mean, mean, 1e-12 * rms);
    g_assert_cmpfloat_with_epsilon(s.rms, rms, 1e-12 * rms);
    g_strfreev(tok);
  }
  g_strfreev(lines);
  sph_map_free(map);
}

static void test_wmap_udgrade_matches_healpy(void)
{
  if (!wmap_reference())
    return;
  SphMap *ring = read_ok(wmap_path(), NULL);
  SphError err = SPH_ERROR_INIT;
  SphMap *nest = sph_map_copy(ring, &err);
  g_assert_cmpint(sph_map_reorder(nest, SPH_ORDER_NEST, &err), ==, SPH_OK);
  const int64_t nsides[] = { 16, 8, 64 };
  for (size_t i = 0; i < G_N_ELEMENTS(nsides); i++) {
    for (int o = 0; o < 2; o++) {
      SphMap *out = sph_map_udgrade(o == 0 ? ring : nest, nsides[i], &err);
      g_assert_nonnull(out);
      g_assert_cmpstr(out->fields[1].name, ==, "Q_STOKES");
      char *ref_path = g_strdup_printf("%s/%s%d.f64", wmap_reference_dir, o == 0 ? "ring" : "nest",
                                       (int)nsides[i]);
      double *ref = read_doubles(ref_path, 3 * out->npix);
      for (int f = 0; f < 3; f++)
        for (int64_t p = 0; p < out->npix; p++) {
          double want = ref[f * out->npix + p], got = out->fields[f].values[p];
          /* healpy sums the children in another order: a few ulp apart when degrading */
          if (nsides[i] > 32 ? got != want : fabs(got - want) > 1e-14 * fabs(want))
            g_error("NSIDE %d field %d pixel %" G_GINT64_FORMAT ": %.17g, healpy %.17g",
                    (int)nsides[i], f, p, got, want);
        }
      g_free(ref);
      g_free(ref_path);
      sph_map_free(out);
    }
  }
  sph_map_free(nest);
  sph_map_free(ring);
}

/* ---- healpy interoperability ----------------------------------------------------- */

/* Checks each file (8 arguments a file) as healpy reads it: values and header. */
static const char healpy_reads_py[] =
  "import sys, numpy as np, healpy as hp\n"
  "a = sys.argv[1:]\n"
  "for k in range(0, len(a), 8):\n"
  "    path, dump, nest, ftype, coord, partial = a[k:k + 6]\n"
  "    names, units = a[k + 6].split(','), a[k + 7].split(',')\n"
  "    m, h = hp.read_map(path, field=None, nest=(nest == '1'), h=True, dtype=None)\n"
  "    m = np.atleast_2d(m)\n"
  "    want = np.fromfile(dump, dtype=np.float64).reshape(len(names), -1)\n"
  "    if ftype == 'E':\n"
  "        want = want.astype(np.float32)\n"
  "    assert m.dtype.kind == 'f' and m.dtype.itemsize == want.dtype.itemsize, m.dtype\n"
  "    assert np.array_equal(m, want, equal_nan=True), (path, np.flatnonzero(m != want)[:5])\n"
  "    h = dict(h)\n"
  "    npix = want.shape[1]\n"
  "    assert h['PIXTYPE'] == 'HEALPIX' and h['NSIDE'] == hp.npix2nside(npix), h\n"
  "    assert h['ORDERING'] == ('NESTED' if nest == '1' else 'RING'), h['ORDERING']\n"
  "    assert h.get('COORDSYS', '') == coord, h.get('COORDSYS')\n"
  "    assert h['INDXSCHM'] == ('EXPLICIT' if partial == '1' else 'IMPLICIT')\n"
  "    assert h['OBJECT'] == ('PARTIAL' if partial == '1' else 'FULLSKY')\n"
  "    off = 2 if partial == '1' else 1\n"
  "    if partial == '1':\n"
  "        assert h['TTYPE1'] == 'PIXEL'\n"
  "    else:\n"
  "        assert h['FIRSTPIX'] == 0 and h['LASTPIX'] == npix - 1\n"
  "    for i, (n, u) in enumerate(zip(names, units)):\n"
  "        assert h['TTYPE%d' % (i + off)] == n, (h['TTYPE%d' % (i + off)], n)\n"
  "        assert h.get('TUNIT%d' % (i + off), '') == u, (h.get('TUNIT%d' % (i + off)), u)\n"
  "        assert h['TFORM%d' % (i + off)].endswith(ftype)\n"
  "    print('ok')\n";

/* Writes map to dir/name and appends to args what healpy_reads_py needs to check it. */
static void queue_for_healpy(GPtrArray *args, const char *dir, const char *name, SphMap *map,
                             SphFitsType type, bool partial)
{
  char *path = g_build_filename(dir, name, NULL);
  char *dump = g_strconcat(path, ".f64", NULL);
  write_ok(path, map, type, partial);
  if (partial) /* healpy reads UNSEEN wherever the first field is unseen */
    for (int64_t p = 0; p < map->npix; p++)
      if (map->fields[0].values[p] == SPH_UNSEEN)
        for (int f = 1; f < map->nfields; f++)
          map->fields[f].values[p] = SPH_UNSEEN;
  GString *bytes = g_string_new(NULL);
  GString *names = g_string_new(NULL), *units = g_string_new(NULL);
  for (int f = 0; f < map->nfields; f++) {
    g_string_append_len(bytes, (const char *)map->fields[f].values, map->npix * 8);
    g_string_append_printf(names, "%s%s", f ? "," : "", map->fields[f].name);
    g_string_append_printf(units, "%s%s", f ? "," : "", map->fields[f].unit);
  }
  g_assert_true(g_file_set_contents(dump, bytes->str, (gssize)bytes->len, NULL));
  char coord[2] = { sph_coordsys_letter(map->coordsys), 0 };
  g_ptr_array_add(args, path);
  g_ptr_array_add(args, dump);
  g_ptr_array_add(args, g_strdup(map->ordering == SPH_ORDER_NEST ? "1" : "0"));
  g_ptr_array_add(args, g_strdup(type == SPH_FITS_FLOAT32 ? "E" : "D"));
  g_ptr_array_add(args, g_strdup(coord));
  g_ptr_array_add(args, g_strdup(partial ? "1" : "0"));
  g_ptr_array_add(args, g_string_free(names, FALSE));
  g_ptr_array_add(args, g_string_free(units, FALSE));
  g_string_free(bytes, TRUE);
}

static void test_healpy_reads_sphaera(void)
{
  if (sph_test_python() == NULL) {
    g_test_skip("SPHAERA_PYTHON is not set: healpy cannot check the files");
    return;
  }
  char *dir = test_dir("healpy-reads");
  GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
  SphMap *iqu = new_random_map(16, SPH_ORDER_RING, 3, 61);
  iqu->coordsys = SPH_COORD_GALACTIC;
  sph_map_set_field_name(iqu, 0, "TEMPERATURE");
  sph_map_set_field_name(iqu, 1, "Q_POLARISATION");
  sph_map_set_field_name(iqu, 2, "U_POLARISATION");
  for (int f = 0; f < 3; f++)
    sph_map_set_field_unit(iqu, f, "K_CMB");
  iqu->fields[1].values[7] = SPH_UNSEEN;
  queue_for_healpy(args, dir, "iqu64.fits", iqu, SPH_FITS_FLOAT64, false);

  SphMap *nest = new_random_map(32, SPH_ORDER_NEST, 1, 62);
  nest->coordsys = SPH_COORD_ECLIPTIC;
  sph_map_set_field_name(nest, 0, "I_STOKES");
  sph_map_set_field_unit(nest, 0, "mK");
  nest->fields[0].values[100] = SPH_UNSEEN;
  queue_for_healpy(args, dir, "nest32.fits", nest, SPH_FITS_FLOAT32, false);

  SphMap *part = new_random_map(16, SPH_ORDER_NEST, 2, 63);
  for (int64_t p = 0; p < part->npix; p++)
    if (p % 3 != 0)
      part->fields[0].values[p] = SPH_UNSEEN;
  queue_for_healpy(args, dir, "partial.fits", part, SPH_FITS_FLOAT64, true);
  g_ptr_array_add(args, NULL);
  char *out = sph_test_run_python(healpy_reads_py, (const char *const *)args->pdata);
  g_assert_cmpstr(out, ==, "ok\nok\nok\n");
  g_free(out);
  g_ptr_array_free(args, TRUE);

  sph_map_free(part);
  sph_map_free(nest);
  sph_map_free(iqu);
  g_free(dir);
}

static const char healpy_writes_py[] =
  "import sys, numpy as np, healpy as hp\n"
  "out = sys.argv[1]\n"
  "rng = np.random.default_rng(5)\n"
  "cases = [('full64', 16, 3, np.float64, False, False, 'K_CMB', 'G'),\n"
  "         ('nest32', 32, 1, np.float32, True, False, 'uK', None),\n"
  "         ('small', 4, 2, np.float64, False, False, None, 'C'),\n"
  "         ('partial64', 16, 2, np.float64, True, True, 'K', 'G'),\n"
  "         ('partial32', 64, 1, np.float32, False, True, None, 'E')]\n"
  "for name, nside, nf, dt, nest, partial, unit, coord in cases:\n"
  "    m = rng.normal(size=(nf, hp.nside2npix(nside)))\n"
  "    m[:, ::17] = hp.UNSEEN\n"
  "    if partial:\n"
  "        m[:, 1::2] = hp.UNSEEN\n"
  "    m = [x.astype(dt) for x in m]\n"
  "    hp.write_map('%s/%s.fits' % (out, name), m, nest=nest, dtype=dt, partial=partial,\n"
  "                 column_units=unit, coord=coord, overwrite=True)\n"
  "    np.array(m, dtype=np.float64).tofile('%s/%s.f64' % (out, name))\n"
  "    h = hp.read_map('%s/%s.fits' % (out, name), h=True)[1]\n"
  "    print(name, *[v for k, v in h if k.startswith('TTYPE') and v != 'PIXEL'])\n";

static void test_sphaera_reads_healpy(void)
{
  if (sph_test_python() == NULL) {
    g_test_skip("SPHAERA_PYTHON is not set: healpy cannot write the files");
    return;
  }
  char *dir = test_dir("healpy-writes");
  const char *args[] = { dir, NULL };
  /* the column names healpy chose (its version 1.16 names a single map "T") */
  char *names = sph_test_run_python(healpy_writes_py, args);
  char **lines = g_strsplit(names, "\n", -1);
  struct {
    const char *name;
    int64_t nside;
    int nfields;
    SphFitsType type;
    SphOrdering ordering;
    const char *unit;
    SphCoordSys coord;
    const char *first_name;
  } cases[] = {
    { "full64", 16, 3, SPH_FITS_FLOAT64, SPH_ORDER_RING, "K_CMB", SPH_COORD_GALACTIC, "TEMPERATURE" },
    { "nest32", 32, 1, SPH_FITS_FLOAT32, SPH_ORDER_NEST, "uK", SPH_COORD_UNKNOWN, "TEMPERATURE" },
    { "small", 4, 2, SPH_FITS_FLOAT64, SPH_ORDER_RING, "", SPH_COORD_EQUATORIAL, "Q_POLARISATION" },
    { "partial64", 16, 2, SPH_FITS_FLOAT64, SPH_ORDER_NEST, "K", SPH_COORD_GALACTIC, "Q_POLARISATION" },
    { "partial32", 64, 1, SPH_FITS_FLOAT32, SPH_ORDER_RING, "", SPH_COORD_ECLIPTIC, "TEMPERATURE" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *path = g_strdup_printf("%s/%s.fits", dir, cases[i].name);
    char *dump = g_strdup_printf("%s/%s.f64", dir, cases[i].name);
    SphFitsType type;
    SphMap *map = read_ok(path, &type);
    g_assert_cmpint(map->nside, ==, cases[i].nside);
    g_assert_cmpint(map->nfields, ==, cases[i].nfields);
    g_assert_cmpint(type, ==, cases[i].type);
    g_assert_cmpint(map->ordering, ==, cases[i].ordering);
    g_assert_cmpint(map->coordsys, ==, cases[i].coord);
    GString *got_names = g_string_new(cases[i].name);
    for (int f = 0; f < map->nfields; f++)
      g_string_append_printf(got_names, " %s", map->fields[f].name);
    g_assert_cmpstr(got_names->str, ==, lines[i]);
    g_assert_true(g_str_has_prefix(cases[i].first_name, map->fields[0].name));
    g_string_free(got_names, TRUE);
    g_assert_cmpstr(map->fields[cases[i].nfields - 1].unit, ==, cases[i].unit);
    double *want = read_doubles(dump, map->npix * cases[i].nfields);
    for (int f = 0; f < map->nfields; f++)
      for (int64_t p = 0; p < map->npix; p++) {
        double w = want[f * map->npix + p], got = map->fields[f].values[p];
        if (fabs(w - SPH_UNSEEN) < 1e25) /* float32 UNSEEN reads as exactly UNSEEN */
          w = SPH_UNSEEN;
        if (got != w)
          g_error("%s field %d pixel %" G_GINT64_FORMAT ": %.17g, healpy wrote %.17g",
                  cases[i].name, f, p, got, w);
      }
    g_free(want);
    sph_map_free(map);
    g_free(dump);
    g_free(path);
  }
  g_strfreev(lines);
  g_free(names);
  g_free(dir);
}

/* ---- broken files ---------------------------------------------------------------- */

static char *bad_dir;

static char *bad_path(const char *name)
{
  return g_build_filename(bad_dir, name, NULL);
}

static char *truncated_wmap(const char *name, gsize length)
{
  char *bytes = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(wmap_path(), &bytes, &len, NULL));
  g_assert_cmpuint(len, ==, 155520);
  g_assert_cmpuint(length, <=, len);
  char *path = bad_path(name);
  g_assert_true(g_file_set_contents(path, bytes, (gssize)length, NULL));
  g_free(bytes);
  return path;
}

static void test_bad_missing(void)
{
  char *path = bad_path("does-not-exist.fits");
  g_assert_cmpint(read_fails(path, "No such file"), ==, SPH_ERR_IO);
  g_free(path);
}

static void test_bad_directory(void)
{
  g_assert_cmpint(read_fails(bad_dir, "directory"), ==, SPH_ERR_IO);
}

static void test_bad_unreadable(void)
{
  char *path = write_valid(bad_dir, "unreadable.fits", 2, false);
  g_chmod(path, 0);
  if (access(path, R_OK) == 0) {
    g_test_skip("running as root: file permissions do not stop reading");
  } else {
    g_assert_cmpint(read_fails(path, "Permission denied"), ==, SPH_ERR_IO);
  }
  g_chmod(path, 0644);
  g_free(path);
}

static void test_bad_empty(void)
{
  char *path = bad_path("empty.fits");
  g_assert_true(g_file_set_contents(path, "", 0, NULL));
  read_fails(path, "not a FITS file: the file is empty");
  g_free(path);
}

static void test_bad_text(void)
{
  char *path = bad_path("notes.fits");
  g_assert_true(g_file_set_contents(path, "NSIDE = 32\nthis is a text file\n", -1, NULL));
  g_assert_cmpint(read_fails(path, "not a FITS file"), ==, SPH_ERR_FORMAT);
  g_free(path);
}

static void test_bad_truncated_in_data(void)
{
  char *path = truncated_wmap("cut-81000.fits", 81000);
  char *want = g_strdup_printf("%s: truncated: the file ends at byte 81000 but the table needs "
                               "155520 bytes",
                               path);
  SphError err = SPH_ERROR_INIT;
  g_assert_null(sph_fits_read_map(path, NULL, &err));
  g_assert_cmpstr(err.message, ==, want);
  g_free(want);
  g_free(path);
  /* headers complete, data absent; and a file short only of its last bytes */
  path = truncated_wmap("cut-5760.fits", 5760);
  read_fails(path, "truncated: the file ends at byte 5760");
  g_free(path);
  path = truncated_wmap("cut-155519.fits", 155519);
  read_fails(path, "truncated");
  g_free(path);
}

static void test_bad_truncated_in_header(void)
{
  char *path = truncated_wmap("cut-1000.fits", 1000);
  read_fails(path, "truncated: the file ends at byte 1000, inside the primary header");
  g_free(path);
  path = truncated_wmap("cut-4000.fits", 4000);
  read_fails(path, "truncated: the file ends at byte 4000");
  g_free(path);
}

static void test_bad_truncated_gzip(void)
{
  SphMap *map = read_ok(wmap_path(), NULL);
  char *gz = bad_path("whole.fits.gz");
  write_ok(gz, map, SPH_FITS_FLOAT32, false);
  sph_map_free(map);
  char *bytes = NULL;
  gsize len = 0;
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
  g_free(bytes);
  g_free(path);
  g_free(gz);
}

static void test_bad_image_only(void)
{
  char *path = bad_path("image.fits");
  fitsfile *f = NULL;
  int status = 0;
  long naxes[2] = { 10, 10 };
  float pixels[100] = { 0 };
  fits_create_diskfile(&f, path, &status);
  fits_create_img(f, FLOAT_IMG, 2, naxes, &status);
  fits_write_img(f, TFLOAT, 1, 100, pixels, &status);
  fits_close_file(f, &status);
  g_assert_cmpint(status, ==, 0);
  read_fails(path, "no binary table extension");
  /* and with an image extension where the table should be */
  fits_open_diskfile(&f, path, READWRITE, &status);
  fits_create_img(f, FLOAT_IMG, 2, naxes, &status);
  fits_write_img(f, TFLOAT, 1, 100, pixels, &status);
  fits_close_file(f, &status);
  g_assert_cmpint(status, ==, 0);
  read_fails(path, "HDU 2 is an image, not a binary table");
  g_free(path);
}

static void test_bad_nside_not_power_of_two(void)
{
  char *path = write_valid(bad_dir, "nside300.fits", 16, false);
  update_key_int(path, "NSIDE", 300);
  char *want = g_strdup_printf("%s: NSIDE=300 is not a power of two", path);
  SphError err = SPH_ERROR_INIT;
  g_assert_null(sph_fits_read_map(path, NULL, &err));
  g_assert_cmpstr(err.message, ==, want);
  g_assert_cmpint(err.code, ==, SPH_ERR_FORMAT);
  update_key_int(path, "NSIDE", (long long)1 << 30);
  g_assert_cmpint(read_fails(path, "larger than the largest HEALPix NSIDE"), ==,
                  SPH_ERR_UNSUPPORTED);
  update_key_string(path, "NSIDE", "sixteen");
  read_fails(path, "NSIDE='sixteen' is not an integer");
  g_free(want);
  g_free(path);
}

static void test_bad_no_nside(void)
{
  char *path = bad_path("no-nside.fits");
  char *ttype[] = { "TEMPERATURE" };
  char *tform[] = { "D" };
  fitsfile *f = create_table(path, 1, ttype, tform);
  double values[1000] = { 0 };
  int status = 0;
  fits_write_col(f, TDOUBLE, 1, 1, 1, 1000, values, &status);
  close_table(f);
  read_fails(path, "no NSIDE keyword, and the column length 1000 is not 12*NSIDE^2");
  g_free(path);
  path = write_valid(bad_dir, "no-nside-partial.fits", 4, true);
  delete_key(path, "NSIDE");
  read_fails(path, "partial-sky map without an NSIDE keyword");
  g_free(path);
}

static void test_bad_column_length(void)
{
  char *path = write_valid(bad_dir, "length.fits", 16, false);
  update_key_int(path, "NSIDE", 32);
  read_fails(path, "column 1 (FIELD1) holds 3072 values but an NSIDE=32 map has 12*NSIDE^2 = "
                   "12288 pixels");
  g_free(path);
}

static void test_bad_ordering(void)
{
  char *path = write_valid(bad_dir, "ordering.fits", 2, false);
  update_key_string(path, "ORDERING", "FOO");
  read_fails(path, "unknown pixel ordering ORDERING='FOO'");
  g_free(path);
}

static void test_bad_column_types(void)
{
  const struct {
    const char *tform, *problem;
  } cases[] = {
    { "8A", "column 2 (BAD) holds strings (TFORM='8A')" },
    { "C", "column 2 (BAD) holds complex numbers" },
    { "M", "complex numbers" },
    { "L", "logical values" },
    { "1PE(4)", "variable-length arrays" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *name = g_strdup_printf("type-%d.fits", (int)i);
    char *path = bad_path(name);
    char *ttype[] = { "TEMPERATURE", "BAD" };
    char *tform[] = { "D", (char *)cases[i].tform };
    fitsfile *f = create_table(path, 2, ttype, tform);
    int status = 0;
    long long nside = 1;
    double values[12] = { 0 };
    fits_write_key(f, TLONGLONG, "NSIDE", &nside, NULL, &status);
    fits_write_col(f, TDOUBLE, 1, 1, 1, 12, values, &status);
    g_assert_cmpint(status, ==, 0);
    close_table(f);
    g_assert_cmpint(read_fails(path, cases[i].problem), ==, SPH_ERR_UNSUPPORTED);
    g_free(path);
    g_free(name);
  }
}

static void test_bad_partial(void)
{
  char *path = bad_path("pixel-range.fits");
  char *ttype[] = { "PIXEL", "SIGNAL" };
  char *tform[] = { "J", "E" };
  fitsfile *f = create_table(path, 2, ttype, tform);
  int status = 0;
  long long nside = 16;
  int pix[3] = { 5, 3071, 5000 };
  float values[3] = { 1, 2, 3 };
  fits_write_key(f, TLONGLONG, "NSIDE", &nside, NULL, &status);
  fits_write_key(f, TSTRING, "INDXSCHM", "EXPLICIT", NULL, &status);
  fits_write_col(f, TINT, 1, 1, 1, 3, pix, &status);
  fits_write_col(f, TFLOAT, 2, 1, 1, 3, values, &status);
  g_assert_cmpint(status, ==, 0);
  close_table(f);
  read_fails(path, "the PIXEL column holds 5000 in row 3, which is not a pixel of an NSIDE=16 "
                   "map (0 to 3071)");
  update_key_string(path, "OBJECT", "FULLSKY");
  read_fails(path, "INDXSCHM='EXPLICIT' contradicts OBJECT='FULLSKY'");
  g_free(path);
}

/* A partial-sky header may ask for any NSIDE; one no machine can hold is refused
 * before anything is allocated. */
static void test_bad_absurd_sizes(void)
{
  char *path = write_valid(bad_dir, "absurd-partial.fits", 4, true);
  update_key_int(path, "NSIDE", (long long)1 << 29);
  g_assert_cmpint(read_fails(path, "absurd size"), ==, SPH_ERR_UNSUPPORTED);
  g_free(path);
  /* a header claiming a trillion rows in a file of a few kilobytes */
  path = write_valid(bad_dir, "absurd-rows.fits", 2, false);
  patch_card(path, "NAXIS2", "1000000000000");
  read_fails(path, "truncated: the file ends at byte");
  g_free(path);
}

/* The library prints nothing, whatever CFITSIO meets. */
static void test_bad_files_are_silent(void)
{
  char *log = bad_path("output.log");
  SphTestStdioCapture capture;
  sph_test_stdio_capture_begin(&capture, log);
  const char *names[] = { "cut-1000.fits", "cut-4000.fits", "cut-81000.fits", "cut.fits.gz",
                          "notes.fits", "image.fits", "nside300.fits", "length.fits",
                          "ordering.fits", "type-0.fits", "pixel-range.fits", "missing.fits" };
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    char *path = bad_path(names[i]);
    SphError err = SPH_ERROR_INIT;
    SphMap *map = sph_fits_read_map(path, NULL, &err);
    sph_map_free(map);
    g_free(path);
  }
  sph_test_stdio_capture_end_silent(&capture, log);
  g_free(log);
}

/* ---- atomic writing -------------------------------------------------------------- */

static void test_write_missing_directory(void)
{
  char *dir = test_dir("write-missing");
  char *path = g_build_filename(dir, "no", "such", "dir", "sky.fits", NULL);
  SphMap *map = new_random_map(4, SPH_ORDER_RING, 1, 1);
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_fits_write_map(path, map, NULL, &err), ==, SPH_ERR_IO);
  g_test_message("%s", err.message);
  g_assert_true(g_str_has_prefix(err.message, path));
  g_assert_nonnull(strstr(err.message, "No such file or directory"));
  g_assert_cmpint(sph_test_count_entries(dir), ==, 0);
  sph_map_free(map);
  g_free(path);
  g_free(dir);
}

static void test_write_read_only_directory(void)
{
  char *dir = test_dir("write-readonly");
  char *path = g_build_filename(dir, "sky.fits", NULL);
  g_chmod(dir, 0555);
  if (access(dir, W_OK) == 0) {
    /* root writes anywhere the file system allows: try a directory of the kernel's */
    SphMap *map = new_random_map(4, SPH_ORDER_RING, 1, 1);
    SphError err = SPH_ERROR_INIT;
    g_assert_cmpint(sph_fits_write_map("/proc/sky.fits", map, NULL, &err), ==, SPH_ERR_IO);
    g_test_message("%s", err.message);
    g_assert_true(g_str_has_prefix(err.message, "/proc/sky.fits: cannot write: cannot create a "
                                                "file in /proc"));
    g_assert_false(g_file_test("/proc/sky.fits", G_FILE_TEST_EXISTS));
    sph_map_free(map);
  } else {
    SphMap *map = new_random_map(4, SPH_ORDER_RING, 1, 1);
    SphError err = SPH_ERROR_INIT;
    g_assert_cmpint(sph_fits_write_map(path, map, NULL, &err), ==, SPH_ERR_IO);
    g_assert_true(g_str_has_prefix(err.message, path));
    g_assert_nonnull(strstr(err.message, "Permission denied"));
    g_assert_cmpint(sph_test_count_entries(dir), ==, 0);
    sph_map_free(map);
  }
  g_chmod(dir, 0755);
  g_free(path);
  g_free(dir);
}

/* The rename fails after the whole temporary file was written: it must go. */
static void test_write_over_directory(void)
{
  char *dir = test_dir("write-over-dir");
  char *path = g_build_filename(dir, "sky.fits", NULL);
  g_assert_cmpint(g_mkdir(path, 0755), ==, 0);
  SphMap *map = new_random_map(8, SPH_ORDER_RING, 1, 1);
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_fits_write_map(path, map, NULL, &err), ==, SPH_ERR_IO);
  g_test_message("%s", err.message);
  g_assert_true(g_str_has_prefix(err.message, path));
  g_assert_nonnull(strstr(err.message, "cannot replace"));
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);
  g_assert_true(g_file_test(path, G_FILE_TEST_IS_DIR));
  sph_map_free(map);
  g_free(path);
  g_free(dir);
}

/* A full disk, simulated with a file-size limit: the write fails midway, the old file
 * stays as it was and no temporary file is left. */
static void test_failed_write_keeps_old_file(void)
{
  char *dir = test_dir("write-fails");
  char *path = g_build_filename(dir, "sky.fits", NULL);
  SphMap *small = new_random_map(2, SPH_ORDER_RING, 1, 1);
  write_ok(path, small, SPH_FITS_FLOAT64, false);
  char *before = NULL;
  gsize before_len = 0;
  g_assert_true(g_file_get_contents(path, &before, &before_len, NULL));

  SphMap *big = new_random_map(64, SPH_ORDER_RING, 3, 2); /* 1.2 MB */
  SphTestFileLimit limit;
  sph_test_file_limit_begin(&limit, 100000);
  SphError err = SPH_ERROR_INIT;
  SphStatus st = sph_fits_write_map(path, big, NULL, &err);
  sph_test_file_limit_end(&limit);
  g_test_message("%s", err.message);
  g_assert_cmpint(st, ==, SPH_ERR_IO);
  g_assert_true(g_str_has_prefix(err.message, path));
  g_assert_nonnull(strstr(err.message, "cannot write"));

  char *after = NULL;
  gsize after_len = 0;
  g_assert_true(g_file_get_contents(path, &after, &after_len, NULL));
  g_assert_cmpmem(after, after_len, before, before_len);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);

  /* and a write that succeeds replaces it, with the usual permissions */
  mode_t old_mask = umask(022);
  write_ok(path, big, SPH_FITS_FLOAT32, false);
  umask(old_mask);
  struct stat stt;
  g_assert_cmpint(g_stat(path, &stt), ==, 0);
  g_assert_cmpint(stt.st_mode & 0777, ==, 0644);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);
  SphMap *back = read_ok(path, NULL);
  g_assert_cmpint(back->nside, ==, 64);
  sph_map_free(back);
  g_free(after);
  g_free(before);
  sph_map_free(big);
  sph_map_free(small);
  g_free(path);
  g_free(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  GError *error = NULL;
  tmp_root = g_dir_make_tmp("sphaera-fits-XXXXXX", &error);
  g_assert_no_error(error);
  bad_dir = test_dir("bad");

  g_test_add_func("/fits/round-trip/float64", test_round_trip_float64);
  g_test_add_func("/fits/round-trip/float32", test_round_trip_float32);
  g_test_add_func("/fits/round-trip/partial", test_round_trip_partial);
  g_test_add_func("/fits/round-trip/gzip", test_round_trip_gzip);
  g_test_add_func("/fits/write/default-names", test_default_names_and_options);
  g_test_add_func("/fits/read/integer-columns", test_integer_columns);
  g_test_add_func("/fits/read/keyword-variants", test_keyword_variants);
  g_test_add_func("/fits/wmap/header", test_wmap_header);
  g_test_add_func("/fits/wmap/values-and-stats", test_wmap_values_and_stats);
  g_test_add_func("/fits/wmap/udgrade-healpy", test_wmap_udgrade_matches_healpy);
  g_test_add_func("/fits/healpy/reads-sphaera", test_healpy_reads_sphaera);
  g_test_add_func("/fits/healpy/sphaera-reads", test_sphaera_reads_healpy);
  g_test_add_func("/fits/bad/missing", test_bad_missing);
  g_test_add_func("/fits/bad/directory", test_bad_directory);
  g_test_add_func("/fits/bad/unreadable", test_bad_unreadable);
  g_test_add_func("/fits/bad/empty", test_bad_empty);
  g_test_add_func("/fits/bad/text", test_bad_text);
  g_test_add_func("/fits/bad/truncated-data", test_bad_truncated_in_data);
  g_test_add_func("/fits/bad/truncated-header", test_bad_truncated_in_header);
  g_test_add_func("/fits/bad/truncated-gzip", test_bad_truncated_gzip);
  g_test_add_func("/fits/bad/image-only", test_bad_image_only);
  g_test_add_func("/fits/bad/nside", test_bad_nside_not_power_of_two);
  g_test_add_func("/fits/bad/no-nside", test_bad_no_nside);
  g_test_add_func("/fits/bad/column-length", test_bad_column_length);
  g_test_add_func("/fits/bad/ordering", test_bad_ordering);
  g_test_add_func("/fits/bad/column-types", test_bad_column_types);
  g_test_add_func("/fits/bad/partial", test_bad_partial);
  g_test_add_func("/fits/bad/absurd-sizes", test_bad_absurd_sizes);
  g_test_add_func("/fits/bad/silent", test_bad_files_are_silent);
  g_test_add_func("/fits/write/missing-directory", test_write_missing_directory);
  g_test_add_func("/fits/write/read-only-directory", test_write_read_only_directory);
  g_test_add_func("/fits/write/over-directory", test_write_over_directory);
  g_test_add_func("/fits/write/failure-keeps-old-file", test_failed_write_keeps_old_file);

  int rc = g_test_run();
  sph_test_remove_tree(tmp_root);
  g_free(tmp_root);
  g_free(bad_dir);
  g_free(wmap_reference_dir);
  g_free(wmap_reference_stats);
  return rc;
}
