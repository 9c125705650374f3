/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HEALPix ring weights: computed ones against healpy-data's tables, the exactness they
 * are made for (the weighted rule integrates P_l, l <= lmax), analyses with them against
 * healpy's map2alm(use_weights=True), the table reader, and bad input. */
#include <complex.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/ring_geometry.h"
#include "sphaera/ring_weights_io.h"
#include "sphaera/sht.h"
#include "sht-reference-helpers.h"
#include "sph-test-python.h"

/* healpy-data's directory: HEALPY_DATA_DIR, else Debian's. */
static const char *healpy_data_dir(void)
{
  const char *d = g_getenv("HEALPY_DATA_DIR");
  return d != NULL && d[0] != '\0' ? d : "/usr/share/healpy/data";
}

static double *table_or_null(int64_t nside)
{
  char *path = sph_healpix_ring_weights_filename(healpy_data_dir(), nside);
  double *w = NULL;
  if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
    SphError err = SPH_ERROR_INIT;
    w = g_new(double, 2 * nside);
    if (sph_read_healpix_ring_weights(path, nside, w, &err) != SPH_OK)
      g_error("%s", err.message);
  }
  free(path);
  return w;
}

static void test_tables(void)
{
  int compared = 0;
  for (int64_t nside = 2; nside <= 512; nside *= 2) {
    double *table = table_or_null(nside);
    if (table == NULL)
      continue;
    SphError err = SPH_ERROR_INIT;
    double *w = g_new(double, 2 * nside);
    g_assert_cmpint(sph_healpix_ring_weights(nside, -1, w, &err), ==, SPH_OK);
    double e = 0;
    for (int64_t r = 0; r < 2 * nside; r++)
      e = fmax(e, fabs(w[r] - table[r]));
    g_test_message("NSIDE %4lld lmax %4d: computed - healpy-data table %.2e (largest weight %.3f)",
                   (long long)nside, sph_healpix_ring_weights_lmax(nside), e,
                   max_abs(table, 2 * nside));
    g_assert_cmpfloat(e, <=, 1e-10);
    g_free(w);
    g_free(table);
    compared++;
  }
  if (compared == 0)
    g_test_skip("healpy-data's weight_ring files are not installed");
}

/* The weighted rule integrates P_l(cos theta) exactly for l <= lmax, which the plain one
 * does not. */
static void test_exact_for_legendre(void)
{
  const int64_t nside = 16;
  const int lmax = 40;
  SphError err = SPH_ERROR_INIT;
  double w[32];
  g_assert_cmpint(sph_healpix_ring_weights(nside, lmax, w, &err), ==, SPH_OK);
  SphRingGeometry *g = sph_ring_geometry_healpix_weighted(nside, w, &err);
  SphRingGeometry *plain = sph_ring_geometry_healpix(nside, &err);
  g_assert_nonnull(g);
  const SphRing *rings = sph_ring_geometry_rings(g), *prings = sph_ring_geometry_rings(plain);
  double worst = 0, plain_worst = 0;
  for (int l = 0; l <= lmax + 8; l++) {
    double sum = 0, psum = 0;
    for (int r = 0; r < sph_ring_geometry_nrings(g); r++) {
      double x = cos(rings[r].theta), p0 = 1, p1 = x;
      for (int k = 1; k < l; k++) {
        double p2 = ((2.0 * k + 1) * x * p1 - k * p0) / (k + 1.0);
        p0 = p1;
        p1 = p2;
      }
      double p = l == 0 ? 1 : p1;
      sum += rings[r].weight * rings[r].nphi * p;
      psum += prings[r].weight * prings[r].nphi * p;
    }
    double e = fabs(sum - (l == 0 ? 4 * M_PI : 0));
    if (l <= lmax)
      worst = fmax(worst, e);
    if (l > 0 && l <= lmax && l % 2 == 0)
      plain_worst = fmax(plain_worst, fabs(psum));
  }
  g_test_message("NSIDE 16, l <= 40: weighted rule error %.2e, plain rule %.2e", worst,
                 plain_worst);
  g_assert_cmpfloat(worst, <=, 1e-13);
  g_assert_cmpfloat(plain_worst, >=, 1e-4);
  sph_ring_geometry_free(g);
  sph_ring_geometry_free(plain);
}

static SphAlm *alm_copy_of(const double _Complex *v, int lmax)
{
  SphAlm *a = sph_alm_new(lmax, lmax, NULL);
  memcpy(a->values, v, (size_t)a->size * sizeof *v);
  return a;
}

static void test_healpy(void)
{
  GBytes *ref = sph_test_python_file_output("ring_weights_reference.py", "weights",
                                            "sphaera-ring-weights-XXXXXX");
  if (ref == NULL || g_bytes_get_size(ref) == 0) {
    g_test_skip("no healpy to compare with (SPHAERA_PYTHON unset or healpy missing)");
    if (ref != NULL)
      g_bytes_unref(ref);
    return;
  }
  gsize len;
  const char *p = g_bytes_get_data(ref, &len), *end = p + len;
  int ncases = 0;
  while (p + 4 * sizeof(int64_t) <= end) {
    const int64_t *h = (const int64_t *)p;
    int64_t nside = h[0], nalm = h[2], npix = h[3];
    int lmax = (int)h[1];
    const double *map = (const double *)(p + 4 * sizeof(int64_t));
    const double _Complex *a0 = (const double _Complex *)(map + npix), *a3 = a0 + nalm;
    p = (const char *)(a3 + nalm);
    g_assert_true(p <= end);

    SphError err = SPH_ERROR_INIT;
    double *w = g_new(double, 2 * nside);
    g_assert_cmpint(sph_healpix_ring_weights(nside, -1, w, &err), ==, SPH_OK);
    SphRingGeometry *g = sph_ring_geometry_healpix_weighted(nside, w, &err);
    SphShtPlan *plan = plan_or_die(g, lmax, lmax, 0);
    SphAlm *got = sph_alm_new(lmax, lmax, NULL);
    SphAlm *want = alm_copy_of(a0, lmax);
    g_assert_cmpint(sph_sht_map2alm(plan, map, got, NULL, &err), ==, SPH_OK);
    double e0 = sph_alm_max_abs_diff(got, want) / sph_alm_max_abs(want);
    sph_alm_free(want);
    want = alm_copy_of(a3, lmax);
    SphShtIterOptions opt = SPH_SHT_ITER_DEFAULT;
    g_assert_cmpint(sph_sht_map2alm_iterative(plan, map, got, &opt, NULL, &err), ==, SPH_OK);
    double e3 = sph_alm_max_abs_diff(got, want) / sph_alm_max_abs(want);
    g_test_message("NSIDE %lld lmax %d, use_weights=True: iter 0 %.2e, iter 3 %.2e",
                   (long long)nside, lmax, e0, e3);
    g_assert_cmpfloat(e0, <=, 1e-10);
    g_assert_cmpfloat(e3, <=, 1e-10);
    sph_alm_free(want);
    sph_alm_free(got);
    sph_sht_plan_free(plan);
    sph_ring_geometry_free(g);
    g_free(w);
    ncases++;
  }
  g_assert_cmpint(ncases, ==, 3);
  g_bytes_unref(ref);
}

static void test_errors(void)
{
  SphError err = SPH_ERROR_INIT;
  double w[64];
  /* NSIDE 16 has 32 rings to weight: at most 32 conditions, l <= 62. */
  g_assert_cmpint(sph_healpix_ring_weights(16, 64, w, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "lmax <= 62"));
  g_assert_cmpint(sph_healpix_ring_weights(16, 62, w, &err), ==, SPH_OK);
  g_assert_cmpint(sph_healpix_ring_weights(0, -1, w, &err), ==, SPH_ERR_INVALID);
  g_assert_cmpint(sph_healpix_ring_weights(16, -1, NULL, &err), ==, SPH_ERR_INVALID);

  w[3] = -1.5;
  g_assert_null(sph_ring_geometry_healpix_weighted(16, w, &err));
  g_assert_nonnull(strstr(err.message, "ring 4"));
  g_assert_null(sph_ring_geometry_healpix_weighted(16, NULL, &err));

  /* A table for another NSIDE, and a file that is not there. */
  char *path = sph_healpix_ring_weights_filename(healpy_data_dir(), 32);
  if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
    g_assert_cmpint(sph_read_healpix_ring_weights(path, 16, w, &err), ==, SPH_ERR_FORMAT);
    g_assert_nonnull(strstr(err.message, "NSIDE=32"));
    g_assert_nonnull(strstr(err.message, path));
  }
  free(path);
  gchar *dir = g_dir_make_tmp("sphaera-ring-weights-XXXXXX", NULL);
  path = sph_healpix_ring_weights_filename(dir, 16);
  g_assert_nonnull(strstr(path, "weight_ring_n00016.fits"));
  g_assert_cmpint(sph_read_healpix_ring_weights(path, 16, w, &err), !=, SPH_OK);
  g_assert_nonnull(strstr(err.message, "weight_ring_n00016.fits"));
  g_assert_true(g_file_set_contents(path, "not a FITS file at all", -1, NULL));
  g_assert_cmpint(sph_read_healpix_ring_weights(path, 16, w, &err), ==, SPH_ERR_FORMAT);
  g_unlink(path);
  g_rmdir(dir);
  g_free(dir);
  free(path);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ring-weights/healpy-data-tables", test_tables);
  g_test_add_func("/ring-weights/exact-for-legendre", test_exact_for_legendre);
  g_test_add_func("/ring-weights/healpy-use-weights", test_healpy);
  g_test_add_func("/ring-weights/errors", test_errors);
  return g_test_run();
}
