/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Power spectrum files: FITS round trips, files written by healpy's write_cl read here
 * and files written here read by healpy's read_cl (with healpy's layout), the totcls.dat
 * theory spectrum against numpy's loadtxt and healpy's load_sample_spectra, the D_l text
 * layout written and read back, every kind of broken file, and atomic writing. */
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

#include "sphaera/spectrum.h"
#include "sph-test-files.h"
#include "sph-test-python.h"

static char *tmp_root;

/* ---- helpers ---------------------------------------------------------------------- */

/* A fresh directory for one test, inside the program's temporary directory. */
static char *test_dir(const char *name)
{
  return sph_test_subdir(tmp_root, name);
}

static const char *totcls_path(void)
{
  static char *path;
  if (path == NULL) {
    const char *dir = g_getenv("SPHAERA_DATA_DIR");
    path = g_build_filename(dir != NULL ? dir : "data", "totcls.dat", NULL);
  }
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

static SphSpectra *new_random_spectra(int lmax, int ncomp, guint32 seed)
{
  SphError err = SPH_ERROR_INIT;
  SphSpectra *s = sph_spectra_new(lmax, ncomp, &err);
  g_assert_nonnull(s);
  GRand *rand = g_rand_new_with_seed(seed);
  for (int k = 0; k < ncomp; k++)
    for (int l = 0; l <= lmax; l++)
      s->cl[k][l] = g_rand_double_range(rand, k < 3 ? 0 : -1, 1) * 1e-3 / (l + 1.0) / (l + 2.0);
  g_rand_free(rand);
  return s;
}

static void assert_same_spectra(const SphSpectra *got, const SphSpectra *want, bool narrowed)
{
  g_assert_cmpint(got->lmax, ==, want->lmax);
  g_assert_cmpint(got->ncomp, ==, want->ncomp);
  for (int k = 0; k < want->ncomp; k++) {
    g_assert_cmpstr(got->names[k], ==, sph_spectrum_name(k));
    for (int l = 0; l <= want->lmax; l++) {
      double w = narrowed ? (double)(float)want->cl[k][l] : want->cl[k][l];
      if (got->cl[k][l] != w)
        g_error("%s l=%d: got %.17g, want %.17g", want->names[k], l, got->cl[k][l], w);
    }
  }
}

static void write_fits_ok(const char *path, const SphSpectra *s, SphFitsType type)
{
  SphError err = SPH_ERROR_INIT;
  SphStatus st = sph_cl_write_fits(path, s, type, &err);
  g_assert_cmpstr(err.message, ==, "");
  g_assert_cmpint(st, ==, SPH_OK);
}

static SphSpectra *read_fits_ok(const char *path)
{
  SphError err = SPH_ERROR_INIT;
  SphSpectra *s = sph_cl_read_fits(path, &err);
  g_assert_cmpstr(err.message, ==, "");
  g_assert_nonnull(s);
  return s;
}

static SphSpectra *read_text_ok(const char *path)
{
  SphError err = SPH_ERROR_INIT;
  SphSpectra *s = sph_cl_read_text(path, &err);
  g_assert_cmpstr(err.message, ==, "");
  g_assert_nonnull(s);
  return s;
}

static SphStatus fails_with(SphSpectra *s, const SphError *err, const char *path,
                            const char *problem)
{
  g_test_message("%s", err->message);
  g_assert_null(s);
  g_assert_cmpint(err->code, !=, SPH_OK);
  g_assert_true(g_str_has_prefix(err->message, path));
  if (strstr(err->message, problem) == NULL)
    g_error("expected \"%s\" in: %s", problem, err->message);
  return err->code;
}

static SphStatus fits_fails(const char *path, const char *problem)
{
  SphError err = SPH_ERROR_INIT;
  return fails_with(sph_cl_read_fits(path, &err), &err, path, problem);
}

static SphStatus text_fails(const char *path, const char *problem)
{
  SphError err = SPH_ERROR_INIT;
  return fails_with(sph_cl_read_text(path, &err), &err, path, problem);
}

/* ---- FITS ------------------------------------------------------------------------- */

static void test_fits_round_trip(void)
{
  char *dir = test_dir("fits-rt");
  char *path = g_build_filename(dir, "cl.fits", NULL);
  for (int ncomp = 1; ncomp <= SPH_SPECTRA_MAX; ncomp++) {
    SphSpectra *s = new_random_spectra(100 + ncomp, ncomp, (guint32)ncomp);
    write_fits_ok(path, s, SPH_FITS_FLOAT64);
    SphSpectra *back = read_fits_ok(path);
    assert_same_spectra(back, s, false);
    sph_spectra_free(back);
    write_fits_ok(path, s, SPH_FITS_FLOAT32);
    back = read_fits_ok(path);
    assert_same_spectra(back, s, true);
    sph_spectra_free(back);
    sph_spectra_free(s);
  }
  /* lmax = 0, and a gzip file */
  char *gz = g_build_filename(dir, "cl.fits.gz", NULL);
  SphSpectra *one = new_random_spectra(0, 4, 9);
  write_fits_ok(gz, one, SPH_FITS_FLOAT64);
  SphSpectra *back = read_fits_ok(gz);
  assert_same_spectra(back, one, false);
  sph_spectra_free(back);
  sph_spectra_free(one);
  g_assert_cmpint(sph_test_count_entries(dir), ==, 2);
  g_free(gz);
  g_free(path);
  g_free(dir);
}

static const char healpy_writes_py[] =
  "import sys, numpy as np, healpy as hp\n"
  "out = sys.argv[1]\n"
  "rng = np.random.default_rng(3)\n"
  "cases = [('six64', 6, 64, np.float64), ('tt32', 1, 40, np.float32),\n"
  "         ('four64', 4, 200, np.float64), ('three32', 3, 10, np.float32)]\n"
  "for name, n, lmax, dt in cases:\n"
  "    cl = rng.uniform(-1, 1, size=(n, lmax + 1)).astype(dt)\n"
  "    hp.write_cl('%s/%s.fits' % (out, name), cl[0] if n == 1 else cl, overwrite=True)\n"
  "    cl.astype(np.float64).tofile('%s/%s.f64' % (out, name))\n";

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
    int ncomp, lmax;
  } cases[] = { { "six64", 6, 64 }, { "tt32", 1, 40 }, { "four64", 4, 200 }, { "three32", 3, 10 } };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *path = g_strdup_printf("%s/%s.fits", dir, cases[i].name);
    char *dump = g_strdup_printf("%s/%s.f64", dir, cases[i].name);
    double *want = read_doubles(dump, (gsize)(cases[i].ncomp * (cases[i].lmax + 1)));
    SphSpectra *s = read_fits_ok(path);
    g_assert_cmpint(s->lmax, ==, cases[i].lmax);
    g_assert_cmpint(s->ncomp, ==, cases[i].ncomp);
    for (int k = 0; k < s->ncomp; k++) {
      g_assert_cmpstr(s->names[k], ==, sph_spectrum_name(k));
      for (int l = 0; l <= s->lmax; l++)
        g_assert_cmpfloat(s->cl[k][l], ==, want[k * (s->lmax + 1) + l]);
    }
    sph_spectra_free(s);
    g_free(want);
    g_free(dump);
    g_free(path);
  }
  g_free(dir);
}

/* healpy's read_cl gives the values dumped beside each file, and healpy's write_cl of
 * the same spectra makes the same table (names, formats, data). */
static const char healpy_reads_py[] =
  "import sys, numpy as np, healpy as hp\n"
  "from astropy.io import fits\n"
  "args = sys.argv[1:]\n"
  "for k in range(0, len(args), 4):\n"
  "    path, dump, n, dt = args[k:k + 4]\n"
  "    n = int(n)\n"
  "    dt = np.float32 if dt == 'E' else np.float64\n"
  "    want = np.fromfile(dump, dtype=np.float64).reshape(n, -1).astype(dt)\n"
  "    got = hp.read_cl(path)\n"
  "    assert got.dtype.kind == 'f' and got.dtype.itemsize == np.dtype(dt).itemsize, got.dtype\n"
  "    assert np.array_equal(np.atleast_2d(got), want), path\n"
  "    ref = path + '.healpy.fits'\n"
  "    hp.write_cl(ref, want[0] if n == 1 else want, overwrite=True)\n"
  "    with fits.open(path) as a, fits.open(ref) as b:\n"
  "        assert len(a) == len(b) == 2\n"
  "        keys = [c for c in b[1].header if c[:5] in ('TTYPE', 'TFORM', 'NAXIS', 'TFIEL')]\n"
  "        for c in keys:\n"
  "            assert a[1].header[c] == b[1].header[c], (c, a[1].header[c], b[1].header[c])\n"
  "        assert a[1].data.tobytes() == b[1].data.tobytes(), path\n"
  "    print('ok', n, got.shape[-1])\n";

static void test_healpy_reads_sphaera(void)
{
  if (sph_test_python() == NULL) {
    g_test_skip("SPHAERA_PYTHON is not set: healpy cannot check the files");
    return;
  }
  char *dir = test_dir("healpy-reads");
  GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
  struct {
    const char *name;
    int ncomp, lmax;
    SphFitsType type;
  } cases[] = { { "six64.fits", 6, 96, SPH_FITS_FLOAT64 }, { "tt.fits", 1, 30, SPH_FITS_FLOAT64 },
                { "four32.fits", 4, 50, SPH_FITS_FLOAT32 },
                { "two64.fits.gz", 2, 20, SPH_FITS_FLOAT64 } };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    SphSpectra *s = new_random_spectra(cases[i].lmax, cases[i].ncomp, (guint32)(20 + i));
    char *path = g_build_filename(dir, cases[i].name, NULL);
    write_fits_ok(path, s, cases[i].type);
    char *dump = g_strconcat(path, ".f64", NULL);
    GString *bytes = g_string_new(NULL);
    for (int k = 0; k < s->ncomp; k++)
      g_string_append_len(bytes, (const char *)s->cl[k], (s->lmax + 1) * 8);
    g_assert_true(g_file_set_contents(dump, bytes->str, (gssize)bytes->len, NULL));
    g_string_free(bytes, TRUE);
    g_ptr_array_add(args, path);
    g_ptr_array_add(args, dump);
    g_ptr_array_add(args, g_strdup_printf("%d", s->ncomp));
    g_ptr_array_add(args, g_strdup(cases[i].type == SPH_FITS_FLOAT32 ? "E" : "D"));
    sph_spectra_free(s);
  }
  g_ptr_array_add(args, NULL);
  char *out = sph_test_run_python(healpy_reads_py, (const char *const *)args->pdata);
  g_assert_cmpstr(out, ==, "ok 6 97\nok 1 31\nok 4 51\nok 2 21\n");
  g_free(out);
  g_ptr_array_free(args, TRUE);
  g_free(dir);
}

/* ---- text ------------------------------------------------------------------------- */

/* totcls.dat as numpy reads it (loadtxt, then C_l = D_l / (l(l+1)/2pi) from l = 1) and
 * as healpy's load_sample_spectra gives it, dumped as float64. */
static const char totcls_py[] =
  "import sys, numpy as np, healpy as hp\n"
  "d = np.loadtxt(sys.argv[1])\n"
  "ell = d[:, 0]\n"
  "f = ell * (ell + 1) / 2 / np.pi\n"
  "cl = d[:, 1:].T.copy()\n"
  "cl[:, 1:] /= f[1:]\n"
  "cl.tofile(sys.argv[2])\n"
  "ell2, f2, cls = hp.sphtfunc.load_sample_spectra()\n"
  "np.asarray(cls, dtype=np.float64).tofile(sys.argv[3])\n"
  "print(len(ell), cl.shape[0], int(ell[0]))\n";

static void test_text_totcls(void)
{
  SphSpectra *s = read_text_ok(totcls_path());
  g_assert_cmpint(s->lmax, ==, 2000);
  g_assert_cmpint(s->ncomp, ==, 4);
  g_assert_cmpstr(s->names[3], ==, "TE");
  for (int k = 0; k < 4; k++) {
    g_assert_cmpfloat(s->cl[k][0], ==, 0.0);
    g_assert_cmpfloat(s->cl[k][1], ==, 0.0);
  }
  /* the file's l = 2 row, 0.17261E+04 uK^2 of D_2 = 3 C_2 / pi, and the first peak */
  g_assert_cmpfloat_with_epsilon(s->cl[0][2], 1726.1 * M_PI / 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon(s->cl[0][220], 5744.3 * 2.0 * M_PI / (220.0 * 221.0), 1e-12);
  if (sph_test_python() == NULL) {
    g_test_skip("SPHAERA_PYTHON is not set: numpy cannot check the values");
    sph_spectra_free(s);
    return;
  }
  char *dir = test_dir("totcls");
  char *numpy_dump = g_build_filename(dir, "numpy.f64", NULL);
  char *healpy_dump = g_build_filename(dir, "healpy.f64", NULL);
  const char *args[] = { totcls_path(), numpy_dump, healpy_dump, NULL };
  char *out = sph_test_run_python(totcls_py, args);
  g_assert_cmpstr(out, ==, "2001 4 0\n");
  g_free(out);
  /* the same operations in the same order: the very same doubles */
  double *numpy = read_doubles(numpy_dump, 4 * 2001);
  double *healpy = read_doubles(healpy_dump, 4 * 2001);
  for (int k = 0; k < 4; k++)
    for (int l = 0; l <= 2000; l++) {
      if (s->cl[k][l] != numpy[k * 2001 + l])
        g_error("%s l=%d: %.17g, numpy %.17g", s->names[k], l, s->cl[k][l], numpy[k * 2001 + l]);
      g_assert_cmpfloat(s->cl[k][l], ==, healpy[k * 2001 + l]);
    }
  g_free(numpy);
  g_free(healpy);
  g_free(numpy_dump);
  g_free(healpy_dump);
  g_free(dir);
  sph_spectra_free(s);
}

/* Rows from any l, comments, Fortran exponents, tabs and CRLF line ends. */
static void test_text_layouts(void)
{
  char *dir = test_dir("text-layouts");
  char *path = g_build_filename(dir, "camb.dat", NULL);
  const char text[] = "#    L    TT\n"
                      "\n"
                      "  2  1.2D+03\r\n"
                      "\t3\t6.0E+02\r\n"
                      "  # a comment between rows\n"
                      "  4  0.5d3\n";
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  SphSpectra *s = read_text_ok(path);
  g_assert_cmpint(s->lmax, ==, 4);
  g_assert_cmpint(s->ncomp, ==, 1);
  g_assert_cmpstr(s->names[0], ==, "TT");
  const double want[] = { 0, 0, 1200 * 2 * M_PI / 6, 600 * 2 * M_PI / 12, 500 * 2 * M_PI / 20 };
  for (int l = 0; l <= 4; l++)
    g_assert_cmpfloat_with_epsilon(s->cl[0][l], want[l], 1e-13 * (want[l] + 1));
  sph_spectra_free(s);
  /* six spectra, one row at l = 1 */
  g_assert_true(g_file_set_contents(path, "1 1 2 3 4 5 6\n", -1, NULL));
  s = read_text_ok(path);
  g_assert_cmpint(s->lmax, ==, 1);
  g_assert_cmpint(s->ncomp, ==, 6);
  for (int k = 0; k < 6; k++) {
    g_assert_cmpstr(s->names[k], ==, sph_spectrum_name(k));
    g_assert_cmpfloat(s->cl[k][0], ==, 0);
    g_assert_cmpfloat_with_epsilon(s->cl[k][1], (k + 1) * M_PI, 1e-15 * M_PI * (k + 1));
  }
  sph_spectra_free(s);
  g_free(path);
  g_free(dir);
}

/* Written D_l read by numpy equal l(l+1)C_l/2pi; read back here they give the C_l. */
static const char text_check_py[] =
  "import sys, numpy as np\n"
  "d = np.loadtxt(sys.argv[1])\n"
  "n = int(sys.argv[3])\n"
  "cl = np.fromfile(sys.argv[2], dtype=np.float64).reshape(n, -1)\n"
  "ell = np.arange(cl.shape[1])\n"
  "assert np.array_equal(d[:, 0], ell)\n"
  "want = cl * (ell * (ell + 1) / 2 / np.pi)\n"
  "assert np.array_equal(d[:, 1:].T, want), np.abs(d[:, 1:].T - want).max()\n"
  "print('ok', d.shape[0], d.shape[1])\n";

static void test_text_round_trip(void)
{
  char *dir = test_dir("text-rt");
  char *path = g_build_filename(dir, "cl.dat", NULL);
  SphSpectra *s = new_random_spectra(300, 4, 77);
  s->cl[0][0] = 5.0; /* C_0 cannot survive D_0 = 0 */
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_cl_write_text(path, s, &err), ==, SPH_OK);
  g_assert_cmpstr(err.message, ==, "");
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);
  SphSpectra *back = read_text_ok(path);
  g_assert_cmpint(back->lmax, ==, 300);
  g_assert_cmpint(back->ncomp, ==, 4);
  double worst = 0;
  for (int k = 0; k < 4; k++) {
    g_assert_cmpfloat(back->cl[k][0], ==, 0.0);
    for (int l = 1; l <= 300; l++)
      worst = fmax(worst, fabs(back->cl[k][l] - s->cl[k][l]) / fabs(s->cl[k][l]));
  }
  g_test_message("largest relative change of C_l through D_l text: %.3g", worst);
  g_assert_cmpfloat(worst, <=, 4.5e-16);
  /* totcls's layout: l in six characters, then the D_l */
  char *a = NULL;
  g_assert_true(g_file_get_contents(path, &a, NULL, NULL));
  g_assert_true(g_str_has_prefix(a, "     0  0.0000000000000000E+00  0.0000000000000000E+00"));
  g_free(a);
  if (sph_test_python() != NULL) {
    char *dump = g_build_filename(dir, "cl.f64", NULL);
    s->cl[0][0] = 0.0;
    GString *bytes = g_string_new(NULL);
    for (int k = 0; k < 4; k++)
      g_string_append_len(bytes, (const char *)s->cl[k], 301 * 8);
    g_assert_true(g_file_set_contents(dump, bytes->str, (gssize)bytes->len, NULL));
    g_string_free(bytes, TRUE);
    const char *args[] = { path, dump, "4", NULL };
    char *out = sph_test_run_python(text_check_py, args);
    g_assert_cmpstr(out, ==, "ok 301 5\n");
    g_free(out);
    g_free(dump);
  }
  /* totcls itself: read, written, read again, the same C_l */
  char *again = g_build_filename(dir, "again.dat", NULL);
  SphSpectra *theory = read_text_ok(totcls_path());
  g_assert_cmpint(sph_cl_write_text(again, theory, &err), ==, SPH_OK);
  SphSpectra *theory_back = read_text_ok(again);
  for (int k = 0; k < 4; k++)
    for (int l = 0; l <= 2000; l++)
      g_assert_cmpfloat(fabs(theory_back->cl[k][l] - theory->cl[k][l]), <=,
                        4.5e-16 * fabs(theory->cl[k][l]));
  sph_spectra_free(theory_back);
  sph_spectra_free(theory);
  g_free(again);
  sph_spectra_free(back);
  sph_spectra_free(s);
  g_free(path);
  g_free(dir);
}

/* ---- broken files ----------------------------------------------------------------- */

static char *bad_dir;

static char *bad_file(const char *name, const char *content)
{
  char *path = g_build_filename(bad_dir, name, NULL);
  if (content != NULL)
    g_assert_true(g_file_set_contents(path, content, -1, NULL));
  return path;
}

static void test_bad_text(void)
{
  struct {
    const char *name, *content, *problem;
    SphStatus code;
  } cases[] = {
    { "missing.dat", NULL, "cannot open: No such file or directory", SPH_ERR_IO },
    { "empty.dat", "", "no data: the file is empty", SPH_ERR_FORMAT },
    { "comments.dat", "# l TT\n\n# nothing\n", "no data: no line holds numbers", SPH_ERR_FORMAT },
    { "word.dat", "0 0\n1 abc\n", "line 2, column 2: 'abc' is not a finite number",
      SPH_ERR_FORMAT },
    { "nan.dat", "2 1\n3 nan\n", "line 2, column 2: 'nan' is not a finite number",
      SPH_ERR_FORMAT },
    { "one-column.dat", "2\n", "line 1 holds one number", SPH_ERR_FORMAT },
    { "ragged.dat", "# header\n2 1 2 3 4\n3 1 2 3\n", "line 3 has 4 columns but line 2 has 5",
      SPH_ERR_FORMAT },
    { "too-wide.dat", "2 1 2 3 4 5 6 7\n", "line 1 has more than 7 columns", SPH_ERR_FORMAT },
    { "gap.dat", "2 1\n3 1\n5 1\n", "line 3: l=5 follows l=3; the rows must go up by one",
      SPH_ERR_FORMAT },
    { "backwards.dat", "3 1\n2 1\n", "line 2: l=2 follows l=3", SPH_ERR_FORMAT },
    { "fraction.dat", "2.5 1\n", "line 1: l=2.5 is not a multipole", SPH_ERR_FORMAT },
    { "negative.dat", "-1 1\n0 0\n", "line 1: l=-1 is not a multipole", SPH_ERR_FORMAT },
    { "d0.dat", "0 0 0\n1 2 2\n0 3 0\n", "line 3: l=0 follows l=1", SPH_ERR_FORMAT },
    { "c0.dat", "0 0 7.5\n1 0 0\n", "line 1: l=0 with D_0=7.5 in column 3, but D_l = l(l+1)C_l/2pi "
      "is 0 at l=0: this is not a D_l file", SPH_ERR_FORMAT },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *path = bad_file(cases[i].name, cases[i].content);
    g_assert_cmpint(text_fails(path, cases[i].problem), ==, cases[i].code);
    g_free(path);
  }
  g_assert_cmpint(text_fails(bad_dir, "is a directory"), ==, SPH_ERR_IO);
  /* a FITS file is not a text file */
  char *fits = bad_file("cl.fits", NULL);
  SphSpectra *s = new_random_spectra(10, 1, 1);
  write_fits_ok(fits, s, SPH_FITS_FLOAT64);
  sph_spectra_free(s);
  text_fails(fits, "a FITS file, not a text table of l and D_l: read it as FITS");
  g_free(fits);
}

/* A FITS file of one hand-made table (or none, ncols < 0). */
static char *write_table(const char *name, int ncols, const char *const *forms, long nrows)
{
  char *path = bad_file(name, NULL);
  char *bang = g_strconcat("!", path, NULL);
  int status = 0;
  fitsfile *f = NULL;
  fits_create_file(&f, bang, &status);
  long naxes[1] = { 0 };
  fits_create_img(f, BYTE_IMG, 0, naxes, &status);
  if (ncols >= 0) {
    char *names[8] = { "A", "B", "C", "D", "E", "F", "G", "H" };
    fits_create_tbl(f, BINARY_TBL, nrows, ncols, names, (char **)forms, NULL, NULL, &status);
  }
  fits_close_file(f, &status);
  g_assert_cmpint(status, ==, 0);
  g_free(bang);
  return path;
}

static void test_bad_fits(void)
{
  char *path = bad_file("missing.fits", NULL);
  g_assert_cmpint(fits_fails(path, "cannot open: No such file or directory"), ==, SPH_ERR_IO);
  g_free(path);
  path = bad_file("text.fits", "0 1 2\n1 2 3\n");
  g_assert_cmpint(fits_fails(path, "not a FITS file"), ==, SPH_ERR_FORMAT);
  g_free(path);
  path = write_table("image.fits", -1, NULL, 0);
  fits_fails(path, "no binary table extension: the file holds only a primary HDU");
  g_free(path);
  path = write_table("no-columns.fits", 0, NULL, 10);
  fits_fails(path, "the table in HDU 2 has no columns");
  g_free(path);
  const char *seven[] = { "D", "D", "D", "D", "D", "D", "D" };
  path = write_table("seven.fits", 7, seven, 10);
  g_assert_cmpint(fits_fails(path, "the table holds 7 columns; Sphaera reads 1 to 6 spectra"), ==,
                  SPH_ERR_UNSUPPORTED);
  g_free(path);
  const char *text[] = { "D", "16A" };
  path = write_table("text-column.fits", 2, text, 10);
  fits_fails(path, "column 2 (B) does not hold real numbers");
  g_free(path);
  const char *ragged[] = { "D", "2D" };
  path = write_table("ragged.fits", 2, ragged, 10);
  fits_fails(path, "column 2 (B) holds 2 values per row but column 1 holds 1");
  g_free(path);
  path = write_table("no-rows.fits", 2, seven, 0);
  fits_fails(path, "the table in HDU 2 is empty");
  g_free(path);

  /* truncated, in the data and in the header */
  char *good = bad_file("good.fits", NULL);
  SphSpectra *s = new_random_spectra(2000, 6, 5);
  write_fits_ok(good, s, SPH_FITS_FLOAT64);
  sph_spectra_free(s);
  char *bytes = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(good, &bytes, &len, NULL));
  const gsize cuts[] = { 100, 2880 + 100, 2880 * 2, len - 2880, len - 7 };
  for (size_t i = 0; i < G_N_ELEMENTS(cuts); i++) {
    path = bad_file("cut.fits", NULL);
    g_assert_true(g_file_set_contents(path, bytes, (gssize)cuts[i], NULL));
    fits_fails(path, "truncated");
    g_free(path);
  }
  g_free(bytes);
  /* a header claiming a trillion rows */
  const char *one[] = { "D" };
  path = write_table("absurd.fits", 1, one, 3);
  g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
  char *card = g_strstr_len(bytes, (gssize)len, "NAXIS2  = ");
  g_assert_nonnull(card);
  char value[81];
  g_snprintf(value, sizeof value, "NAXIS2  = %20s%-50s", "1000000000000", "");
  memcpy(card, value, 80);
  g_assert_true(g_file_set_contents(path, bytes, (gssize)len, NULL));
  fits_fails(path, "truncated: the file ends at byte");
  g_free(bytes);
  g_free(path);
  g_free(good);
}

/* ---- atomic writing --------------------------------------------------------------- */

static void test_write_errors(void)
{
  char *dir = test_dir("write-errors");
  SphSpectra *s = new_random_spectra(10, 4, 1);
  SphError err = SPH_ERROR_INIT;
  char *missing = g_build_filename(dir, "no", "such", "cl.dat", NULL);
  g_assert_cmpint(sph_cl_write_text(missing, s, &err), ==, SPH_ERR_IO);
  g_test_message("%s", err.message);
  g_assert_true(g_str_has_prefix(err.message, missing));
  g_assert_nonnull(strstr(err.message, "No such file or directory"));
  g_assert_cmpint(sph_cl_write_fits(missing, s, SPH_FITS_FLOAT64, &err), ==, SPH_ERR_IO);
  g_assert_true(g_str_has_prefix(err.message, missing));
  g_assert_cmpint(sph_test_count_entries(dir), ==, 0);
  /* over a directory: the rename fails after the whole file was written */
  char *over = g_build_filename(dir, "cl.fits", NULL);
  g_assert_cmpint(g_mkdir(over, 0755), ==, 0);
  g_assert_cmpint(sph_cl_write_text(over, s, &err), ==, SPH_ERR_IO);
  g_assert_nonnull(strstr(err.message, "cannot replace"));
  g_assert_cmpint(sph_cl_write_fits(over, s, SPH_FITS_FLOAT32, &err), ==, SPH_ERR_IO);
  g_assert_nonnull(strstr(err.message, "cannot replace"));
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);
  /* bad spectra */
  char *path = g_build_filename(dir, "x.fits", NULL);
  int saved = s->ncomp;
  s->ncomp = 7;
  g_assert_cmpint(sph_cl_write_fits(path, s, SPH_FITS_FLOAT64, &err), ==, SPH_ERR_INVALID);
  g_assert_true(g_str_has_prefix(err.message, path));
  s->ncomp = saved;
  g_assert_cmpint(sph_cl_write_fits(path, NULL, SPH_FITS_FLOAT64, &err), ==, SPH_ERR_INVALID);
  g_assert_cmpint(sph_cl_write_fits(path, s, (SphFitsType)5, &err), ==, SPH_ERR_INVALID);
  g_assert_null(sph_spectra_new(-1, 1, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_assert_null(sph_spectra_new(10, 7, &err));
  g_assert_cmpint(sph_test_count_entries(dir), ==, 1);
  sph_spectra_free(s);
  g_free(path);
  g_free(over);
  g_free(missing);
  g_free(dir);
}

/* A full disk, simulated with a file-size limit: the old file stays as it was and no
 * temporary file is left, for the text and the FITS writer. */
static void test_failed_write_keeps_old_file(void)
{
  char *dir = test_dir("write-fails");
  SphSpectra *small = new_random_spectra(5, 1, 1), *big = new_random_spectra(20000, 6, 2);
  const char *names[] = { "cl.dat", "cl.fits" };
  for (int i = 0; i < 2; i++) {
    char *path = g_build_filename(dir, names[i], NULL);
    bool text = i == 0;
    SphError err = SPH_ERROR_INIT;
    SphStatus st = text ? sph_cl_write_text(path, small, &err)
                        : sph_cl_write_fits(path, small, SPH_FITS_FLOAT64, &err);
    g_assert_cmpint(st, ==, SPH_OK);
    char *before = NULL;
    gsize before_len = 0;
    g_assert_true(g_file_get_contents(path, &before, &before_len, NULL));

    SphTestFileLimit limit;
    sph_test_file_limit_begin(&limit, 100000);
    st = text ? sph_cl_write_text(path, big, &err)
              : sph_cl_write_fits(path, big, SPH_FITS_FLOAT64, &err);
    sph_test_file_limit_end(&limit);
    g_test_message("%s", err.message);
    g_assert_cmpint(st, ==, SPH_ERR_IO);
    g_assert_true(g_str_has_prefix(err.message, path));
    g_assert_nonnull(strstr(err.message, "is the disk full?"));
    if (text)
      g_assert_nonnull(strstr(err.message, "File too large"));

    char *after = NULL;
    gsize after_len = 0;
    g_assert_true(g_file_get_contents(path, &after, &after_len, NULL));
    g_assert_cmpmem(after, after_len, before, before_len);
    g_assert_cmpint(sph_test_count_entries(dir), ==, i + 1);

    /* a write that succeeds replaces it, with the usual permissions */
    mode_t old_mask = umask(022);
    st = text ? sph_cl_write_text(path, big, &err)
              : sph_cl_write_fits(path, big, SPH_FITS_FLOAT64, &err);
    umask(old_mask);
    g_assert_cmpint(st, ==, SPH_OK);
    struct stat stt;
    g_assert_cmpint(g_stat(path, &stt), ==, 0);
    g_assert_cmpint(stt.st_mode & 0777, ==, 0644);
    g_assert_cmpint(sph_test_count_entries(dir), ==, i + 1);
    SphSpectra *back = text ? read_text_ok(path) : read_fits_ok(path);
    g_assert_cmpint(back->lmax, ==, 20000);
    sph_spectra_free(back);
    g_free(after);
    g_free(before);
    g_free(path);
  }
  sph_spectra_free(big);
  sph_spectra_free(small);
  g_free(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  GError *error = NULL;
  tmp_root = g_dir_make_tmp("sphaera-cl-XXXXXX", &error);
  g_assert_no_error(error);
  bad_dir = test_dir("bad");

  g_test_add_func("/cl-io/fits/round-trip", test_fits_round_trip);
  g_test_add_func("/cl-io/fits/sphaera-reads-healpy", test_sphaera_reads_healpy);
  g_test_add_func("/cl-io/fits/healpy-reads-sphaera", test_healpy_reads_sphaera);
  g_test_add_func("/cl-io/text/totcls", test_text_totcls);
  g_test_add_func("/cl-io/text/layouts", test_text_layouts);
  g_test_add_func("/cl-io/text/round-trip", test_text_round_trip);
  g_test_add_func("/cl-io/bad/text", test_bad_text);
  g_test_add_func("/cl-io/bad/fits", test_bad_fits);
  g_test_add_func("/cl-io/write/errors", test_write_errors);
  g_test_add_func("/cl-io/write/failure-keeps-old-file", test_failed_write_keeps_old_file);

  int rc = g_test_run();
  sph_test_remove_tree(tmp_root);
  g_free(tmp_root);
  g_free(bad_dir);
  return rc;
}
