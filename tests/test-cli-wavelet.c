/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli wavelet end to end: the files written (one per scale, each at its own
 * NSIDE, and the manifest), the scaling and a wavelet map against healpy filtering with
 * kernels recomputed in Python by scipy quadrature, the synthesis back to the input map,
 * --help and the one-line failures. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "cli-test-helpers.h"
#include "sphaera/healpix.h"
#include "sphaera/rng.h"
#include "sphaera/sht.h"

static const char compare_script[] =
    PY_IMPORTS
    "import os\n"
    "from scipy.integrate import quad\n"
    "d = sys.argv[1]\n"
    "B, L, jmin = 2.0, 33, 2\n"
    "def s2(u):\n"
    "    t = 2*B/(B-1)*(u - 1/B) - 1\n"
    "    return np.exp(-2/(1 - t*t))/u if abs(t) < 1 else 0.0\n"
    "norm = quad(s2, 1/B, 1, epsabs=0, epsrel=1e-13, limit=400)[0]\n"
    "def k(x):\n"
    "    return 1.0 if x <= 1/B else (0.0 if x >= 1 else\n"
    "        quad(s2, x, 1, epsabs=0, epsrel=1e-13, limit=400)[0]/norm)\n"
    "m = hp.read_map(os.path.join(d, 'in.fits'))\n"
    "alm = hp.map2alm(m, lmax=L-1, iter=30)\n"
    "def band(kern, lb, nside):\n"
    "    a = hp.almxfl(alm, kern)\n"
    "    l, mm = hp.Alm.getlm(lb-1)\n"
    "    return hp.alm2map(a[hp.Alm.getidx(L-1, l, mm)], nside, lmax=lb-1)\n"
    "phi = np.sqrt([k(l/B**jmin) for l in range(L)])\n"
    "psi4 = np.sqrt(np.maximum([k(l/B**5) - k(l/B**4) for l in range(L)], 0))\n"
    "def rel(a, b):\n"
    "    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))\n"
    "s = hp.read_map(os.path.join(d, 'out', 'scaling.fits'))\n"
    "w = hp.read_map(os.path.join(d, 'out', 'scale-04.fits'))\n"
    "print('scaling=%.3e' % rel(s, band(phi, 4, hp.get_nside(s))))\n"
    "print('scale4=%.3e' % rel(w, band(psi4, 32, hp.get_nside(w))))\n"
    "print('nsides=%s' % ','.join(str(hp.get_nside(hp.read_map(os.path.join(d, 'out', f))))\n"
    "      for f in ['scaling.fits'] + ['scale-%02d.fits' % j for j in range(2, 6)]))\n";

/* A random map band-limited at lmax on HEALPix NSIDE nside, written to path. The test
 * uses lmax = 2 NSIDE, where healpy's iterative map2alm converges for the comparison. */
static SphMap *write_band_limited(const char *path, int64_t nside, int lmax)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_healpix(nside, &err);
  SphShtPlan *plan = sph_sht_plan_new(g, lmax, lmax, 0, &err);
  g_assert_nonnull(plan);
  SphAlm *alm = sph_alm_new(lmax, lmax, &err);
  SphRng rng;
  sph_rng_init(&rng, 5, 1);
  sph_alm_fill_gaussian(alm, &rng);
  SphMap *map = sph_map_new(nside, SPH_ORDER_RING, 1, &err);
  g_assert_cmpint(sph_sht_alm2map(plan, alm, map->fields[0].values, NULL, &err), ==, SPH_OK);
  g_assert_cmpint(sph_fits_write_map(path, map, NULL, &err), ==, SPH_OK);
  sph_alm_free(alm);
  sph_sht_plan_free(plan);
  sph_ring_geometry_free(g);
  return map;
}

static void test_round_trip_and_healpy(void)
{
  char *dir = make_temp_dir();
  char *in = g_build_filename(dir, "in.fits", NULL);
  char *out = g_build_filename(dir, "out", NULL);
  char *back = g_build_filename(dir, "back.fits", NULL);
  SphMap *map = write_band_limited(in, 16, 32);
  CliRun r = run_cli("wavelet", in, out, "--B", "2", "--jmin", "2", "--lmax", "32", "--tol",
                     "1e-12", NULL);
  if (r.status != 0)
    g_error("wavelet failed: %s", r.err);
  g_assert_cmpstr(r.err, ==, "");
  cli_run_clear(&r);
  /* scaling, scales 2..5 (J_max = ceil(log2 32) = 5) and the manifest */
  g_assert_cmpint(count_entries(out), ==, 6);
  r = run_cli("wavelet", "--synthesise", out, back, "--tol", "1e-12", NULL);
  if (r.status != 0)
    g_error("wavelet --synthesise failed: %s", r.err);
  cli_run_clear(&r);
  SphMap *got = read_map(back);
  g_assert_cmpint(got->npix, ==, map->npix);
  double num = 0, den = 0;
  for (int64_t i = 0; i < map->npix; i++) {
    double d = got->fields[0].values[i] - map->fields[0].values[i];
    num += d * d;
    den += map->fields[0].values[i] * map->fields[0].values[i];
  }
  g_test_message("wavelet round trip through FITS: relative L2 %.3g", sqrt(num / den));
  g_assert_cmpfloat(sqrt(num / den), <=, 1e-9);
  sph_map_free(got);

  char *text = run_python(compare_script, dir, NULL);
  if (text) {
    GHashTable *keys = parse_keys(text);
    g_test_message("%s", text);
    g_assert_cmpfloat(key_double(keys, "scaling"), <=, 1e-8);
    g_assert_cmpfloat(key_double(keys, "scale4"), <=, 1e-8);
    g_assert_cmpstr(g_hash_table_lookup(keys, "nsides"), ==, "2,4,8,16,16");
    g_hash_table_unref(keys);
    g_free(text);
  }
  sph_map_free(map);
  remove_dir(out);
  g_remove(in);
  g_remove(back);
  g_rmdir(dir);
  g_free(in);
  g_free(out);
  g_free(back);
  g_free(dir);
}

static void test_failures(void)
{
  char *dir = make_temp_dir();
  char *in = g_build_filename(dir, "in.fits", NULL);
  char *out = g_build_filename(dir, "out", NULL);
  SphMap *map = write_band_limited(in, 8, 16);
  sph_map_free(map);
  CliRun r = run_cli("wavelet", "--help", NULL);
  g_assert_cmpint(r.status, ==, 0);
  g_assert_true(g_str_has_prefix(r.out, "Usage: sphaera-cli wavelet"));
  g_assert_nonnull(strstr(r.out, "--synthesise"));
  cli_run_clear(&r);
  r = run_cli("help", "wavelet", NULL);
  g_assert_cmpint(r.status, ==, 0);
  g_assert_true(g_str_has_prefix(r.out, "Usage: sphaera-cli wavelet"));
  cli_run_clear(&r);
  r = run_cli("--help", NULL);
  g_assert_nonnull(strstr(r.out, "  wavelet "));
  cli_run_clear(&r);
  r = run_cli("wavelet", NULL);
  g_assert_cmpint(r.status, ==, 1);
  g_assert_nonnull(strstr(r.err, "Usage: sphaera-cli wavelet"));
  cli_run_clear(&r);
  r = run_cli("wavelet", in, out, "--lmax", "40", NULL);
  assert_one_line_failure(&r, "--lmax 40", "4 NSIDE");
  cli_run_clear(&r);
  r = run_cli("wavelet", in, out, "--B", "1", NULL);
  assert_one_line_failure(&r, "--B 1", NULL);
  cli_run_clear(&r);
  r = run_cli("wavelet", in, out, "--jmin", "9", NULL);
  assert_one_line_failure(&r, "J_min = 9", NULL);
  cli_run_clear(&r);
  r = run_cli("wavelet", "--synthesise", dir, out, NULL);
  assert_one_line_failure(&r, "wavelet.txt", NULL);
  cli_run_clear(&r);
  r = run_cli("wavelet", in, NULL);
  g_assert_cmpint(r.status, ==, 1);
  cli_run_clear(&r);
  /* a scale file at the wrong NSIDE */
  char *scale = g_build_filename(out, "scale-02.fits", NULL);
  r = run_cli("wavelet", in, out, NULL);
  g_assert_cmpint(r.status, ==, 0);
  cli_run_clear(&r);
  map = write_band_limited(scale, 8, 8);
  sph_map_free(map);
  char *back = g_build_filename(dir, "back.fits", NULL);
  r = run_cli("wavelet", "--synthesise", out, back, NULL);
  assert_one_line_failure(&r, "scale-02.fits", "NSIDE");
  cli_run_clear(&r);
  remove_dir(out);
  g_remove(in);
  g_rmdir(dir);
  g_free(scale);
  g_free(back);
  g_free(in);
  g_free(out);
  g_free(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cli-wavelet/round-trip-healpy", test_round_trip_and_healpy);
  g_test_add_func("/cli-wavelet/failures", test_failures);
  return g_test_run();
}
