/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fields: Gaussian beams, smoothing and beamed synthesis against healpy (1e-10), the
 * smoothing of a single harmonic (times b_l) and with FWHM 0 (identity on a band-limited
 * map), synalm's covariances (exact for fully correlated spectra, statistical
 * otherwise) and seeding, and synfast as synalm + beam + alm2map. */
#include <complex.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "healpy-run-helpers.h"
#include "sphaera/fields.h"
#include "sphaera/healpix.h"
#include "sphaera/power_spectrum.h"
#include "sphaera/rng.h"

static SphShtPlan *plan_new(int64_t nside, int lmax)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_healpix(nside, &err);
  SphShtPlan *plan = sph_sht_plan_new(g, lmax, lmax, 0, &err);
  g_assert_nonnull(plan);
  sph_ring_geometry_free(g);
  return plan;
}

static void random_alms(SphAlm **alm, int n, int lmax, uint64_t seed)
{
  SphRng rng;
  sph_rng_init(&rng, seed, 5);
  for (int k = 0; k < n; k++) {
    alm[k] = sph_alm_new(lmax, lmax, NULL);
    sph_alm_fill_gaussian(alm[k], &rng);
    for (int m = 0; m <= lmax; m++) /* healpy ignores what a real map cannot hold */
      for (int l = m; l <= lmax; l++)
        if (m == 0 || (k > 0 && l < 2))
          alm[k]->values[sph_alm_index(lmax, l, m)] =
              (k > 0 && l < 2) ? 0.0 : creal(alm[k]->values[sph_alm_index(lmax, l, m)]);
  }
}

static void test_healpy(void)
{
  gchar *dir = ref_dir_new();
  if (dir == NULL)
    return;
  SphError err = SPH_ERROR_INIT;
  int64_t nside = 16, npix = sph_hp_nside2npix(nside);
  int lmax = 3 * (int)nside - 1;
  double fwhm = 0.2;
  SphShtPlan *plan = plan_new(nside, lmax);
  SphAlm *alm[3];
  random_alms(alm, 3, lmax, 4);
  gsize nalm = (gsize)alm[0]->size;
  gchar *buf = g_malloc(3 * nalm * 16);
  for (int k = 0; k < 3; k++)
    memcpy(buf + k * nalm * 16, alm[k]->values, nalm * 16);
  ref_write(dir, "alm.bin", buf, 3 * nalm * 16);
  g_free(buf);
  /* A map with power beyond lmax to smooth. */
  SphMap *map = sph_map_new(nside, SPH_ORDER_RING, 3, &err);
  double *maps[3];
  for (int k = 0; k < 3; k++)
    maps[k] = map->fields[k].values;
  g_assert_cmpint(sph_fields_alm2map(plan, 3, (const SphAlm *const *)alm, maps, NULL, &err), ==,
                  SPH_OK);
  SphRng rng;
  sph_rng_init(&rng, 11, 0);
  for (int k = 0; k < 3; k++)
    for (int64_t p = 0; p < npix; p++)
      maps[k][p] += 0.5 * sph_rng_normal(&rng);
  buf = g_malloc(3 * npix * 8);
  for (int k = 0; k < 3; k++)
    memcpy(buf + k * npix * 8, maps[k], npix * 8);
  ref_write(dir, "tqu.bin", buf, 3 * npix * 8);
  g_free(buf);
  gchar *ns = g_strdup_printf("%lld", (long long)nside), *ls = g_strdup_printf("%d", lmax);
  gchar *fs = g_strdup_printf("%.17g", fwhm);
  const char *extra[] = { "fields", dir, ns, ls, fs, NULL };
  gsize n;
  double *ref = ref_run(dir, extra, &n);
  gsize nl = (gsize)lmax + 1;
  g_assert_cmpuint(n, ==, 7 * (gsize)npix + 4 * nl);

  /* synfast's last step: the same alm through the beam give healpy's map. */
  g_assert_cmpint(sph_smoothalm(alm, 3, fwhm, &err), ==, SPH_OK);
  double *out = g_new(double, 3 * npix);
  double *outs[3] = { out, out + npix, out + 2 * npix };
  g_assert_cmpint(sph_fields_alm2map(plan, 3, (const SphAlm *const *)alm, outs, NULL, &err), ==,
                  SPH_OK);
  for (int k = 0; k < 3; k++) {
    double e = ref_rel_diff(outs[k], ref + k * npix, npix);
    g_test_message("beamed alm2map field %d: %.2e", k, e);
    g_assert_cmpfloat(e, <=, 1e-10);
  }
  SphMap *t = sph_map_new(nside, SPH_ORDER_RING, 1, &err);
  memcpy(t->fields[0].values, maps[0], npix * 8);
  SphMap *st = sph_smoothing(t, fwhm, lmax, 3, false, NULL, &err);
  g_assert_nonnull(st);
  double e = ref_rel_diff(st->fields[0].values, ref + 3 * npix, npix);
  g_test_message("smoothing T: %.2e", e);
  g_assert_cmpfloat(e, <=, 1e-10);
  SphMap *sp = sph_smoothing(map, fwhm, lmax, 3, true, NULL, &err);
  g_assert_nonnull(sp);
  for (int k = 0; k < 3; k++) {
    e = ref_rel_diff(sp->fields[k].values, ref + (4 + k) * npix, npix);
    g_test_message("smoothing pol field %d: %.2e", k, e);
    g_assert_cmpfloat(e, <=, 1e-10);
  }
  double *bl = g_new(double, nl);
  for (int k = 0; k < 4; k++) {
    sph_gauss_beam(fwhm, lmax, k, bl);
    e = ref_rel_diff(bl, ref + 7 * npix + k * nl, nl);
    g_assert_cmpfloat(e, <=, 1e-14);
  }
  g_free(bl);
  sph_map_free(t);
  sph_map_free(st);
  sph_map_free(sp);
  sph_map_free(map);
  g_free(out);
  g_free(ref);
  g_free(ns);
  g_free(ls);
  g_free(fs);
  for (int k = 0; k < 3; k++)
    sph_alm_free(alm[k]);
  sph_sht_plan_free(plan);
  ref_dir_free(dir);
}

static void test_gauss_beam_closed_form(void)
{
  double bl[11];
  double fwhm = 0.1, sigma = fwhm / sqrt(8 * log(2.0));
  sph_gauss_beam(fwhm, 10, 0, bl);
  g_assert_cmpfloat(bl[0], ==, 1.0);
  g_assert_cmpfloat_with_epsilon(bl[10], exp(-55 * sigma * sigma), 1e-15);
  sph_gauss_beam(fwhm, 10, 1, bl);
  g_assert_cmpfloat_with_epsilon(bl[2], exp(-3 * sigma * sigma + 2 * sigma * sigma), 1e-15);
  sph_gauss_beam(0.0, 10, 2, bl);
  for (int l = 0; l <= 10; l++)
    g_assert_cmpfloat(bl[l], ==, 1.0);
}

/* Smoothing multiplies a single harmonic by b_l; FWHM 0 returns a band-limited map. */
static void test_smoothing_harmonic(void)
{
  SphError err = SPH_ERROR_INIT;
  int64_t nside = 16, npix = sph_hp_nside2npix(nside);
  int lmax = 2 * (int)nside;
  SphShtPlan *plan = plan_new(nside, lmax);
  SphAlm *alm = sph_alm_new(lmax, lmax, &err);
  alm->values[sph_alm_index(lmax, 7, 3)] = 1.0 - 0.5 * I;
  SphMap *map = sph_map_new(nside, SPH_ORDER_RING, 1, &err);
  g_assert_cmpint(sph_sht_alm2map(plan, alm, map->fields[0].values, NULL, &err), ==, SPH_OK);
  double fwhm = 0.15, bl[8];
  sph_gauss_beam(fwhm, 7, 0, bl);
  for (int c = 0; c < 2; c++) {
    double f = c == 0 ? fwhm : 0.0, b = c == 0 ? bl[7] : 1.0;
    SphMap *s = sph_smoothing(map, f, lmax, 10, false, NULL, &err);
    g_assert_nonnull(s);
    double *want = g_new(double, npix);
    for (int64_t p = 0; p < npix; p++)
      want[p] = b * map->fields[0].values[p];
    double e = ref_rel_diff(s->fields[0].values, want, npix);
    g_test_message("smoothing Y_7,3 with FWHM %g: %.2e", f, e);
    g_assert_cmpfloat(e, <=, 1e-10);
    g_free(want);
    sph_map_free(s);
  }
  SphMap *s = sph_smoothing(map, fwhm, lmax, 3, true, NULL, &err);
  g_assert_null(s);
  g_assert_nonnull(strstr(err.message, "I, Q, U"));
  map->fields[0].values[0] = NAN;
  g_assert_null(sph_smoothing(map, fwhm, lmax, 3, false, NULL, &err));
  g_test_message("NaN pixel: %s", err.message);
  sph_map_free(map);
  sph_alm_free(alm);
  sph_sht_plan_free(plan);
}

static void test_synalm(void)
{
  SphError err = SPH_ERROR_INIT;
  int lmax = 150;
  SphSpectra *cls = sph_spectra_new(lmax, 6, &err);
  for (int l = 2; l <= lmax; l++) {
    cls->cl[0][l] = 2.0;
    cls->cl[1][l] = 1.0;
    cls->cl[2][l] = 0.5;
    cls->cl[3][l] = 0.6;  /* TE: correlation 0.42 */
    cls->cl[4][l] = 0.0;
    cls->cl[5][l] = -0.3; /* TB */
  }
  SphAlm *a[3], *b[3];
  for (int k = 0; k < 3; k++) {
    a[k] = sph_alm_new(lmax, lmax, &err);
    b[k] = sph_alm_new(lmax, lmax, &err);
  }
  g_assert_cmpint(sph_synalm(cls, 42, a, 3, &err), ==, SPH_OK);
  g_assert_cmpint(sph_synalm(cls, 42, b, 3, &err), ==, SPH_OK);
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat(sph_alm_max_abs_diff(a[k], b[k]), ==, 0.0);
  g_assert_cmpint(sph_synalm(cls, 43, b, 3, &err), ==, SPH_OK);
  g_assert_cmpfloat(sph_alm_max_abs_diff(a[0], b[0]), >, 0.1);
  /* The spectra of the draw, weighted by the 2l+1 modes: about 22800 modes, so each
   * averaged covariance is within a few 1/sqrt(N) ~ 0.7% of the input. */
  SphSpectra *got = sph_alm2cl_fields((const SphAlm *const *)a, NULL, 3, -1, &err);
  for (int k = 0; k < 6; k++) {
    double num = 0, den = 0;
    for (int l = 2; l <= lmax; l++) {
      num += (2 * l + 1) * got->cl[k][l];
      den += 2 * l + 1;
    }
    double mean = num / den, want = cls->cl[k][2];
    g_test_message("synalm %s: mean %.4f, input %.4f", cls->names[k], mean, want);
    g_assert_cmpfloat(fabs(mean - want), <=, 0.03 * sqrt(cls->cl[0][2] * 2.0));
    g_assert_cmpfloat(got->cl[k][0], ==, 0.0);
    g_assert_cmpfloat(got->cl[k][1], ==, 0.0);
  }
  sph_spectra_free(got);
  /* Fully correlated T and E: E = (TE / TT) T mode by mode; B with zero power is zero. */
  for (int l = 2; l <= lmax; l++) {
    cls->cl[1][l] = 0.18; /* TE^2 / TT */
    cls->cl[2][l] = 0.0;
    cls->cl[5][l] = 0.0;
  }
  g_assert_cmpint(sph_synalm(cls, 7, a, 3, &err), ==, SPH_OK);
  sph_alm_axpy(a[1], -0.3, a[0]);
  g_assert_cmpfloat(sph_alm_max_abs(a[1]), <=, 1e-14);
  g_assert_cmpfloat(sph_alm_max_abs(a[2]), ==, 0.0);
  cls->cl[0][5] = -1.0;
  g_assert_cmpint(sph_synalm(cls, 7, a, 3, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "l=5"));
  sph_spectra_free(cls);
  for (int k = 0; k < 3; k++) {
    sph_alm_free(a[k]);
    sph_alm_free(b[k]);
  }
}

static void test_synfast(void)
{
  SphError err = SPH_ERROR_INIT;
  int64_t nside = 16, npix = sph_hp_nside2npix(nside);
  int lmax = 40;
  double fwhm = 0.1;
  SphSpectra *cls = sph_spectra_new(lmax, 4, &err);
  for (int l = 2; l <= lmax; l++) {
    cls->cl[0][l] = 1.0 / (l * (l + 1.0));
    cls->cl[1][l] = 0.1 * cls->cl[0][l];
    cls->cl[2][l] = 0.01 * cls->cl[0][l];
    cls->cl[3][l] = 0.2 * cls->cl[0][l];
  }
  SphMap *m1 = sph_synfast(cls, nside, lmax, fwhm, 5, NULL, &err);
  SphMap *m2 = sph_synfast(cls, nside, lmax, fwhm, 5, NULL, &err);
  g_assert_nonnull(m1);
  g_assert_cmpint(m1->nfields, ==, 3);
  g_assert_cmpstr(m1->fields[1].name, ==, "Q_STOKES");
  SphAlm *alm[3];
  for (int k = 0; k < 3; k++)
    alm[k] = sph_alm_new(lmax, lmax, &err);
  g_assert_cmpint(sph_synalm(cls, 5, alm, 3, &err), ==, SPH_OK);
  g_assert_cmpint(sph_smoothalm(alm, 3, fwhm, &err), ==, SPH_OK);
  SphShtPlan *plan = plan_new(nside, lmax);
  double *want = g_new(double, 3 * npix);
  double *wants[3] = { want, want + npix, want + 2 * npix };
  g_assert_cmpint(sph_fields_alm2map(plan, 3, (const SphAlm *const *)alm, wants, NULL, &err), ==,
                  SPH_OK);
  for (int k = 0; k < 3; k++) {
    g_assert_cmpmem(m1->fields[k].values, npix * 8, m2->fields[k].values, npix * 8);
    g_assert_cmpfloat(ref_rel_diff(m1->fields[k].values, wants[k], npix), <=, 1e-15);
  }
  g_assert_null(sph_synfast(cls, nside, 5 * (int)nside, fwhm, 5, NULL, &err));
  g_test_message("lmax 80 at NSIDE 16: %s", err.message);
  g_free(want);
  for (int k = 0; k < 3; k++)
    sph_alm_free(alm[k]);
  sph_sht_plan_free(plan);
  sph_map_free(m1);
  sph_map_free(m2);
  sph_spectra_free(cls);
}

/* The computed pixel window against healpy-data's tables. */
static void test_pixwin(void)
{
  SphError err = SPH_ERROR_INIT;
  double w[192], wp[192];
  g_assert_cmpint(sph_pixwin(6, 10, w, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_cmpint(sph_pixwin(4, 17, w, NULL, &err), ==, SPH_ERR_INVALID);
  /* NSIDE 64 took minutes with a Legendre recurrence per pair; the pair distribution
   * makes it a fraction of a second. */
  const int nsides[] = { 8, 64 };
  for (size_t c = 0; c < G_N_ELEMENTS(nsides); c++) {
    int64_t nside = nsides[c];
    int lmax = 3 * (int)nside - 1;
    g_assert_cmpint(sph_pixwin(nside, lmax, w, wp, &err), ==, SPH_OK);
    /* w_0 = 1 exactly: the weights of ~10^7 pairs sum to 1 up to rounding. */
    g_assert_cmpfloat_with_epsilon(w[0], 1.0, 1e-13);
    g_assert_cmpfloat(wp[0], ==, 0.0);
    g_assert_cmpfloat(wp[1], ==, 0.0);
    for (int l = 1; l <= lmax; l++)
      g_assert_cmpfloat(w[l], <, w[l - 1]);
    gchar *dir = ref_dir_new();
    if (dir == NULL)
      return;
    gchar *ns = g_strdup_printf("%lld", (long long)nside), *ls = g_strdup_printf("%d", lmax);
    const char *extra[] = { "pixwin", dir, ns, ls, NULL };
    gsize n;
    double *ref = ref_run(dir, extra, &n);
    g_assert_cmpuint(n, ==, 2 * ((gsize)lmax + 1));
    double worst = 0, worst_pol = 0;
    for (int l = 0; l <= lmax; l++) {
      worst = fmax(worst, fabs(w[l] - ref[l]));
      worst_pol = fmax(worst_pol, fabs(wp[l] - ref[lmax + 1 + l]));
    }
    g_test_message("pixwin NSIDE %lld: max |w_l - healpy| %.2e, pol %.2e (w_lmax %.5f)",
                   (long long)nside, worst, worst_pol, ref[lmax]);
    /* The tables' own accuracy and the extrapolation's ~1/k^4 both show at ~1e-5. */
    g_assert_cmpfloat(worst, <=, 2e-5);
    g_assert_cmpfloat(worst_pol, <=, 2e-5);
    g_free(ref);
    g_free(ns);
    g_free(ls);
    ref_dir_free(dir);
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/fields/gauss-beam-closed-form", test_gauss_beam_closed_form);
  g_test_add_func("/fields/healpy", test_healpy);
  g_test_add_func("/fields/smoothing-harmonic", test_smoothing_harmonic);
  g_test_add_func("/fields/synalm", test_synalm);
  g_test_add_func("/fields/synfast", test_synfast);
  g_test_add_func("/fields/pixwin", test_pixwin);
  return g_test_run();
}
