/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Power spectra: alm2cl's closed forms, anafast of single harmonics, monopole and dipole
 * removal of exact multipoles, and healpy's anafast (auto, pol, cross, masked with
 * monopole/dipole removal) to 1e-10. */
#include <complex.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "healpy-run-helpers.h"
#include "sphaera/fields.h"
#include "sphaera/healpix.h"
#include "sphaera/power_spectrum.h"
#include "sphaera/rng.h"

static SphMap *synth_map(int64_t nside, int lmax, int nfields, uint64_t seed)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_healpix(nside, &err);
  SphShtPlan *plan = sph_sht_plan_new(g, lmax, lmax, 0, &err);
  g_assert_nonnull(plan);
  SphMap *map = sph_map_new(nside, SPH_ORDER_RING, nfields, &err);
  SphRng rng;
  sph_rng_init(&rng, seed, 3);
  SphAlm *alm[3];
  double *maps[3];
  for (int k = 0; k < nfields; k++) {
    alm[k] = sph_alm_new(lmax, lmax, &err);
    sph_alm_fill_gaussian(alm[k], &rng);
    maps[k] = map->fields[k].values;
  }
  g_assert_cmpint(sph_fields_alm2map(plan, nfields, (const SphAlm *const *)alm, maps, NULL, &err),
                  ==, SPH_OK);
  for (int k = 0; k < nfields; k++)
    sph_alm_free(alm[k]);
  sph_sht_plan_free(plan);
  sph_ring_geometry_free(g);
  return map;
}

static void test_alm2cl_closed_form(void)
{
  SphError err = SPH_ERROR_INIT;
  int lmax = 12;
  SphAlm *a = sph_alm_new(lmax, lmax, &err), *b = sph_alm_new(lmax, lmax, &err);
  a->values[sph_alm_index(lmax, 5, 0)] = 3.0;
  a->values[sph_alm_index(lmax, 7, 2)] = 1.0 - 2.0 * I;
  b->values[sph_alm_index(lmax, 7, 2)] = 4.0 + 1.0 * I;
  b->values[sph_alm_index(lmax, 7, 3)] = 5.0;
  double cl[16];
  g_assert_cmpint(sph_alm2cl(a, NULL, 15, cl, &err), ==, SPH_OK);
  for (int l = 0; l <= 15; l++) {
    double want = l == 5 ? 9.0 / 11 : l == 7 ? 2.0 * 5.0 / 15 : 0.0;
    g_assert_cmpfloat_with_epsilon(cl[l], want, 1e-15);
  }
  /* Cross: Re((1-2i)(4-i)) = 4 - 2 = 2, doubled over +-m, over 2l+1. */
  g_assert_cmpint(sph_alm2cl(a, b, -1, cl, &err), ==, SPH_OK);
  g_assert_cmpfloat_with_epsilon(cl[7], 4.0 / 15, 1e-15);
  g_assert_cmpfloat(cl[5], ==, 0.0);
  SphAlm *c = sph_alm_new(lmax - 1, -1, &err);
  g_assert_cmpint(sph_alm2cl(a, c, -1, cl, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "lmax"));
  sph_alm_free(a);
  sph_alm_free(b);
  sph_alm_free(c);
}

/* A map of one real harmonic (a_lm = 1 and its m < 0 partner) has C_l = 2/(2l+1) at that
 * l alone (1/(2l+1) for m = 0). */
static void test_anafast_single_harmonic(void)
{
  SphError err = SPH_ERROR_INIT;
  int64_t nside = 16;
  int lmax = 2 * (int)nside;
  SphRingGeometry *g = sph_ring_geometry_healpix(nside, &err);
  SphShtPlan *plan = sph_sht_plan_new(g, lmax, lmax, 0, &err);
  SphMap *map = sph_map_new(nside, SPH_ORDER_RING, 1, &err);
  const int lm[3][2] = { { 0, 0 }, { 5, 0 }, { 9, 4 } };
  for (int c = 0; c < 3; c++) {
    SphAlm *alm = sph_alm_new(lmax, lmax, &err);
    int l0 = lm[c][0], m0 = lm[c][1];
    alm->values[sph_alm_index(lmax, l0, m0)] = 1.0;
    g_assert_cmpint(sph_sht_alm2map(plan, alm, map->fields[0].values, NULL, &err), ==, SPH_OK);
    SphAnafastOptions o = SPH_ANAFAST_DEFAULT;
    o.lmax = lmax;
    o.iterations = 10; /* healpy's iter 3 leaves ~1e-6 at lmax = 2 NSIDE */
    SphSpectra *s = sph_anafast(map, NULL, &o, NULL, &err);
    g_assert_nonnull(s);
    double worst = 0;
    for (int l = 0; l <= lmax; l++) {
      double want = l != l0 ? 0.0 : (m0 == 0 ? 1.0 : 2.0) / (2 * l + 1);
      worst = fmax(worst, fabs(s->cl[0][l] - want));
    }
    g_test_message("Y_%d,%d: max |C_l - delta| %.2e", l0, m0, worst);
    g_assert_cmpfloat(worst, <=, 1e-7);
    sph_spectra_free(s);
    sph_alm_free(alm);
  }
  sph_map_free(map);
  sph_sht_plan_free(plan);
  sph_ring_geometry_free(g);
}

static void test_remove_multipoles(void)
{
  SphError err = SPH_ERROR_INIT;
  int64_t nside = 8, npix = sph_hp_nside2npix(nside);
  double *m = g_new(double, npix), *w = g_new(double, npix);
  for (int nest = 0; nest < 2; nest++) {
    SphOrdering ord = nest ? SPH_ORDER_NEST : SPH_ORDER_RING;
    for (int64_t p = 0; p < npix; p++) {
      double v[3];
      if (nest)
        sph_hp_pix2vec_nest(nside, p, v);
      else
        sph_hp_pix2vec_ring(nside, p, v);
      m[p] = 3.0 + 2.0 * v[0] - v[1] + 0.5 * v[2];
      w[p] = v[2] > 0.3 ? 0.0 : 1.0; /* a cut sky: the fit is still exact */
    }
    m[5] = SPH_UNSEEN;
    double coeffs[4];
    g_assert_cmpint(sph_remove_multipoles(nside, ord, m, w, 1, coeffs, &err), ==, SPH_OK);
    g_assert_cmpfloat_with_epsilon(coeffs[0], 3.0, 1e-12);
    g_assert_cmpfloat_with_epsilon(coeffs[1], 2.0, 1e-12);
    g_assert_cmpfloat_with_epsilon(coeffs[2], -1.0, 1e-12);
    g_assert_cmpfloat_with_epsilon(coeffs[3], 0.5, 1e-12);
    g_assert_cmpfloat(m[5], ==, SPH_UNSEEN);
    for (int64_t p = 0; p < npix; p++)
      if (p != 5)
        g_assert_cmpfloat(fabs(m[p]), <=, 1e-12);
  }
  for (int64_t p = 0; p < npix; p++)
    m[p] = 7.0 + (p % 2);
  g_assert_cmpint(sph_remove_multipoles(nside, SPH_ORDER_RING, m, NULL, 0, NULL, &err), ==,
                  SPH_OK);
  double sum = 0;
  for (int64_t p = 0; p < npix; p++)
    sum += m[p];
  g_assert_cmpfloat(fabs(sum), <=, 1e-10);
  for (int64_t p = 0; p < npix; p++)
    w[p] = 0;
  g_assert_cmpint(sph_remove_multipoles(nside, SPH_ORDER_RING, m, w, 0, NULL, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "no seen pixel"));
  g_free(m);
  g_free(w);
}

static void test_anafast_healpy(void)
{
  gchar *dir = ref_dir_new();
  if (dir == NULL)
    return;
  SphError err = SPH_ERROR_INIT;
  int64_t nside = 16, npix = sph_hp_nside2npix(nside);
  int lmax = 3 * (int)nside - 1;
  SphMap *a = synth_map(nside, lmax, 3, 1), *b = synth_map(nside, lmax, 3, 2);
  SphRng rng;
  sph_rng_init(&rng, 9, 0);
  for (int k = 0; k < 3; k++)
    for (int64_t p = 0; p < npix; p++) { /* power beyond lmax, and an offset and dipole */
      double v[3];
      sph_hp_pix2vec_ring(nside, p, v);
      a->fields[k].values[p] += 0.3 * sph_rng_normal(&rng) + (k == 0 ? 5.0 + 2.0 * v[2] : 0.0);
    }
  SphMap *mask = sph_map_new(nside, SPH_ORDER_RING, 1, &err);
  for (int64_t p = 0; p < npix; p++) {
    double th, ph;
    sph_hp_pix2ang_ring(nside, p, &th, &ph);
    mask->fields[0].values[p] = fabs(cos(th)) < 0.2 ? 0.0 : 0.5 + 0.5 * sin(th);
  }
  gchar *buf = g_malloc(3 * npix * sizeof(double));
  for (int k = 0; k < 3; k++)
    memcpy(buf + k * npix * sizeof(double), a->fields[k].values, npix * sizeof(double));
  ref_write(dir, "tqu.bin", buf, 3 * npix * sizeof(double));
  for (int k = 0; k < 3; k++)
    memcpy(buf + k * npix * sizeof(double), b->fields[k].values, npix * sizeof(double));
  ref_write(dir, "tqu2.bin", buf, 3 * npix * sizeof(double));
  ref_write(dir, "mask.bin", mask->fields[0].values, npix * sizeof(double));
  g_free(buf);
  gchar *ns = g_strdup_printf("%lld", (long long)nside), *ls = g_strdup_printf("%d", lmax);
  const char *extra[] = { "anafast", dir, ns, ls, NULL };
  gsize n;
  double *ref = ref_run(dir, extra, &n);
  gsize nl = (gsize)lmax + 1;
  g_assert_cmpuint(n, ==, nl * 15);

  SphAnafastOptions o = SPH_ANAFAST_DEFAULT;
  SphSpectra *s = sph_anafast(a, NULL, &o, NULL, &err);
  g_assert_nonnull(s);
  double e = ref_rel_diff(s->cl[0], ref, nl);
  g_test_message("anafast TT: %.2e", e);
  g_assert_cmpfloat(e, <=, 1e-10);
  sph_spectra_free(s);

  o.pol = true;
  for (int cross = 0; cross < 2; cross++) {
    s = sph_anafast(a, cross ? b : NULL, &o, NULL, &err);
    g_assert_nonnull(s);
    g_assert_cmpint(s->ncomp, ==, 6);
    const double *want = ref + nl * (1 + 6 * cross);
    for (int k = 0; k < 6; k++) {
      e = ref_rel_diff(s->cl[k], want + k * nl, nl);
      g_test_message("anafast %s %s: %.2e", cross ? "cross" : "pol", s->names[k], e);
      g_assert_cmpfloat(e, <=, 1e-10);
    }
    sph_spectra_free(s);
  }

  o.pol = false;
  o.mask = mask;
  for (int r = 0; r < 2; r++) {
    o.remove = r == 0 ? SPH_REMOVE_DIPOLE : SPH_REMOVE_MONOPOLE;
    s = sph_anafast(a, NULL, &o, NULL, &err);
    g_assert_nonnull(s);
    e = ref_rel_diff(s->cl[0], ref + nl * (13 + r), nl);
    g_test_message("anafast masked, %s removed: %.2e", r == 0 ? "dipole" : "monopole", e);
    g_assert_cmpfloat(e, <=, 1e-10);
    sph_spectra_free(s);
  }
  g_free(ref);
  g_free(ns);
  g_free(ls);
  ref_dir_free(dir);
  sph_map_free(a);
  sph_map_free(b);
  sph_map_free(mask);
}

static void test_anafast_bad_input(void)
{
  SphError err = SPH_ERROR_INIT;
  SphMap *a = sph_map_new(8, SPH_ORDER_RING, 1, &err), *b = sph_map_new(4, SPH_ORDER_RING, 1, &err);
  g_assert_null(sph_anafast(a, b, NULL, NULL, &err));
  g_assert_nonnull(strstr(err.message, "NSIDE"));
  SphAnafastOptions o = SPH_ANAFAST_DEFAULT;
  o.pol = true;
  g_assert_null(sph_anafast(a, NULL, &o, NULL, &err));
  g_assert_nonnull(strstr(err.message, "I, Q, U"));
  a->fields[0].values[3] = SPH_UNSEEN;
  g_assert_null(sph_anafast(a, NULL, NULL, NULL, &err));
  o = (SphAnafastOptions)SPH_ANAFAST_DEFAULT;
  o.lmax = 100;
  a->fields[0].values[3] = 0;
  g_assert_null(sph_anafast(a, NULL, &o, NULL, &err));
  g_test_message("lmax 100 at NSIDE 8: %s", err.message);
  sph_map_free(a);
  sph_map_free(b);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/spectra/alm2cl-closed-form", test_alm2cl_closed_form);
  g_test_add_func("/spectra/anafast-single-harmonic", test_anafast_single_harmonic);
  g_test_add_func("/spectra/remove-multipoles", test_remove_multipoles);
  g_test_add_func("/spectra/anafast-healpy", test_anafast_healpy);
  g_test_add_func("/spectra/anafast-bad-input", test_anafast_bad_input);
  return g_test_run();
}
