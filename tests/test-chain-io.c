/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "infer-test-helpers.h"
#include "sphaera/chain_io.h"
#include "sphaera/mem.h"

/* A small chain with values that need all 17 digits, a name that needs CSV quoting
 * and an odd layout (3 steps, 2 walkers, 4 parameters). */
static SphChain *make_chain(void)
{
  const char *names[4] = {"omega_m", "sigma8", "h,0", "w"};
  SphChain *c = NULL;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_chain_new(3, 2, 4, names, NULL, &c, &err), ==, SPH_OK);
  c->steps = 3;
  for (size_t i = 0; i < 3 * 2 * 4; i++)
    c->samples[i] = sin(1.0 + i) * pow(10.0, (double)(i % 7) - 3) + 1.0 / 3.0;
  for (size_t i = 0; i < 3 * 2; i++)
    c->log_prob[i] = -0.5 * i - M_PI;
  return c;
}

static char *tmp_path(const char *dir, const char *name)
{
  return g_build_filename(dir, name, NULL);
}

static void test_npy_round_trip(void)
{
  char *dir = g_dir_make_tmp("sphaera-chain-XXXXXX", NULL);
  char *path = tmp_path(dir, "chain.npy"), *lpath = tmp_path(dir, "logp.npy");
  SphChain *c = make_chain();
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_chain_write_npy(c, path, &err), ==, SPH_OK);
  g_assert_cmpint(sph_chain_write_log_prob_npy(c, lpath, &err), ==, SPH_OK);
  /* The header is padded so the data starts on a 64-byte boundary. */
  gchar *bytes;
  gsize len;
  g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
  g_assert_cmpuint((len - 24 * 8) % 64, ==, 0);
  g_assert_cmpmem(bytes, 6, "\x93NUMPY", 6);
  g_assert_nonnull(memmem(bytes, 128, "'shape': (3, 2, 4)", 18));
  g_free(bytes);
  SphChain *r = NULL;
  g_assert_cmpint(sph_chain_read_npy(path, lpath, &r, &err), ==, SPH_OK);
  g_assert_cmpuint(r->steps, ==, 3);
  g_assert_cmpuint(r->walkers, ==, 2);
  g_assert_cmpuint(r->dim, ==, 4);
  g_assert_cmpmem(r->samples, 24 * sizeof(double), c->samples, 24 * sizeof(double));
  g_assert_cmpmem(r->log_prob, 6 * sizeof(double), c->log_prob, 6 * sizeof(double));
  sph_chain_free(r);
  /* No temporary file is left beside the outputs. */
  GDir *d = g_dir_open(dir, 0, NULL);
  int files = 0;
  while (g_dir_read_name(d) != NULL)
    files++;
  g_dir_close(d);
  g_assert_cmpint(files, ==, 2);
  g_unlink(path);
  g_unlink(lpath);
  g_rmdir(dir);
  sph_chain_free(c);
  g_free(path);
  g_free(lpath);
  g_free(dir);
}

/* numpy reads what Sphaera writes (.npy and CSV), and Sphaera reads what numpy writes
 * (C and Fortran order, float32, big-endian). */
static const char *NUMPY_CHECK_PY =
  "import sys, csv\n"
  "import numpy as np\n"
  "d = sys.argv[1]\n"
  "x = np.load(d + '/chain.npy'); lp = np.load(d + '/logp.npy')\n"
  "raw = np.fromfile(d + '/chain.f64', dtype='<f8').reshape(3, 2, 4)\n"
  "assert x.dtype == np.float64 and x.shape == (3, 2, 4), (x.dtype, x.shape)\n"
  "assert np.array_equal(x, raw)\n"
  "assert lp.shape == (3, 2) and np.array_equal(lp, -0.5 * np.arange(6.0).reshape(3, 2) - np.pi)\n"
  "rows = list(csv.reader(open(d + '/chain.csv')))\n"
  "assert rows[0] == ['walker', 'step', 'omega_m', 'sigma8', 'h,0', 'w', 'log_prob'], rows[0]\n"
  "assert len(rows) == 7\n"
  "for r in rows[1:]:\n"
  "    w, s = int(r[0]), int(r[1])\n"
  "    assert [float(v) for v in r[2:6]] == list(x[s, w]), r\n"
  "    assert float(r[6]) == lp[s, w]\n"
  "assert [int(r[0]) for r in rows[1:]] == [0, 0, 0, 1, 1, 1]\n"
  "a = np.arange(24.0).reshape(2, 3, 4) / 7.0\n"
  "np.save(d + '/c.npy', a)\n"
  "np.save(d + '/f.npy', np.asfortranarray(a))\n"
  "np.save(d + '/f4.npy', a.astype('<f4'))\n"
  "np.save(d + '/be.npy', a.astype('>f8'))\n"
  "np.save(d + '/i8.npy', np.arange(5))\n"
  "print('ok')\n";

static void test_numpy_interop(void)
{
  char *dir = g_dir_make_tmp("sphaera-chain-XXXXXX", NULL);
  SphChain *c = make_chain();
  SphError err = SPH_ERROR_INIT;
  char *p = tmp_path(dir, "chain.npy");
  g_assert_cmpint(sph_chain_write_npy(c, p, &err), ==, SPH_OK);
  g_free(p);
  p = tmp_path(dir, "logp.npy");
  g_assert_cmpint(sph_chain_write_log_prob_npy(c, p, &err), ==, SPH_OK);
  g_free(p);
  p = tmp_path(dir, "chain.csv");
  g_assert_cmpint(sph_chain_write_csv(c, p, &err), ==, SPH_OK);
  g_free(p);
  char *raw = infer_write_raw(c->samples, 24);
  p = tmp_path(dir, "chain.f64");
  g_assert_cmpint(g_rename(raw, p), ==, 0);
  g_free(p);
  g_free(raw);
  char *out = infer_run_python(NUMPY_CHECK_PY, dir, "");
  if (out != NULL) {
    g_assert_cmpstr(g_strstrip(out), ==, "ok");
    const char *files[4] = {"c.npy", "f.npy", "f4.npy", "be.npy"};
    for (int k = 0; k < 4; k++) {
      p = tmp_path(dir, files[k]);
      double *x;
      size_t shape[SPH_NPY_MAX_DIMS], nd;
      g_assert_cmpint(sph_npy_read(p, &x, shape, &nd, &err), ==, SPH_OK);
      g_assert_cmpuint(nd, ==, 3);
      g_assert_cmpuint(shape[0], ==, 2);
      g_assert_cmpuint(shape[2], ==, 4);
      for (int i = 0; i < 24; i++) {
        double expect = k == 2 ? (double)(float)(i / 7.0) : i / 7.0;
        g_assert_cmpfloat(x[i], ==, expect);
      }
      sph_free_aligned(x);
      g_free(p);
    }
    p = tmp_path(dir, "i8.npy");
    double *x = NULL;
    size_t shape[SPH_NPY_MAX_DIMS], nd;
    g_assert_cmpint(sph_npy_read(p, &x, shape, &nd, &err), ==, SPH_ERR_UNSUPPORTED);
    g_assert_nonnull(strstr(err.message, "<i8"));
    g_assert_null(x);
    g_free(p);
  }
  g_free(out);
  const char *names[] = {"chain.npy", "logp.npy", "chain.csv", "chain.f64", "c.npy", "f.npy",
                         "f4.npy", "be.npy", "i8.npy"};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    p = tmp_path(dir, names[i]);
    g_unlink(p);
    g_free(p);
  }
  g_rmdir(dir);
  g_free(dir);
  sph_chain_free(c);
}

static void test_bad_files(void)
{
  char *dir = g_dir_make_tmp("sphaera-chain-XXXXXX", NULL);
  SphError err = SPH_ERROR_INIT;
  SphChain *c = make_chain();
  char *p = tmp_path(dir, "chain.npy");
  g_assert_cmpint(sph_chain_write_npy(c, p, &err), ==, SPH_OK);
  /* Truncate the data. */
  gchar *bytes;
  gsize len;
  g_assert_true(g_file_get_contents(p, &bytes, &len, NULL));
  g_assert_true(g_file_set_contents(p, bytes, len - 9, NULL));
  SphChain *r = NULL;
  g_assert_cmpint(sph_chain_read_npy(p, NULL, &r, &err), ==, SPH_ERR_FORMAT);
  g_assert_null(r);
  g_assert_nonnull(strstr(err.message, p));
  g_assert_nonnull(strstr(err.message, "truncated"));
  bytes[1] = 'X';
  g_assert_true(g_file_set_contents(p, bytes, len, NULL));
  g_assert_cmpint(sph_chain_read_npy(p, NULL, &r, &err), ==, SPH_ERR_FORMAT);
  g_assert_nonnull(strstr(err.message, "not a NumPy"));
  g_free(bytes);
  g_unlink(p);
  /* A directory that does not exist: nothing written, the path named. */
  char *missing = g_build_filename(dir, "no", "such", "chain.csv", NULL);
  g_assert_cmpint(sph_chain_write_csv(c, missing, &err), ==, SPH_ERR_IO);
  g_assert_nonnull(strstr(err.message, missing));
  g_assert_cmpint(sph_chain_read_npy(missing, NULL, &r, &err), ==, SPH_ERR_IO);
  g_free(missing);
  g_free(p);
  g_rmdir(dir);
  g_free(dir);
  sph_chain_free(c);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/chain-io/npy-round-trip", test_npy_round_trip);
  g_test_add_func("/chain-io/numpy-interop", test_numpy_interop);
  g_test_add_func("/chain-io/bad-files", test_bad_files);
  return g_test_run();
}
