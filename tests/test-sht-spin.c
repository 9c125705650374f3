/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Spin-weighted transforms: polarisation against healpy (alm2map and map2alm with
 * pol=True, iter 0 and 3), single coefficients against Goldberg's explicit formula for
 * sY_lm (spins 1, 2, 3), exact round trips on Gauss-Legendre, McEwen-Wiaux and
 * Clenshaw-Curtis grids, adjoint dot-product tests, bad input. */
#include <complex.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/job.h"
#include "sphaera/rng.h"
#include "sphaera/sht.h"
#include "sht-reference-helpers.h"
#include "sph-test-python.h"

/* Random E or B: coefficients with l < spin are zero (no spin-s harmonics there). */
static SphAlm *random_alm(int lmax, int mmax, int spin, uint64_t seed)
{
  SphRng rng;
  sph_rng_init(&rng, seed, 4);
  SphAlm *a = sph_alm_new(lmax, mmax, NULL);
  sph_alm_fill_gaussian(a, &rng);
  for (int m = 0; m <= mmax; m++)
    for (int l = m; l < spin && l <= lmax; l++)
      a->values[sph_alm_index(lmax, l, m)] = 0;
  return a;
}

static double *random_map(int64_t npix, uint64_t seed)
{
  SphRng rng;
  sph_rng_init(&rng, seed, 5);
  double *m = g_new(double, npix);
  for (int64_t i = 0; i < npix; i++)
    m[i] = sph_rng_normal(&rng);
  return m;
}

/* Largest difference of two (E, B) pairs over the largest coefficient of the second. */
static double rel_pair_error(const SphAlm *e, const SphAlm *b, const SphAlm *e_ref, const SphAlm *b_ref)
{
  double d = fmax(sph_alm_max_abs_diff(e, e_ref), sph_alm_max_abs_diff(b, b_ref));
  return d / fmax(sph_alm_max_abs(e_ref), sph_alm_max_abs(b_ref));
}

/* ---- healpy ---------------------------------------------------------------------------- */

static void test_healpy(void)
{
  GBytes *ref =
      sph_test_python_file_output("sht_reference.py", "spin2", "sphaera-sht-spin-XXXXXX");
  if (ref == NULL) {
    g_test_skip("SPHAERA_PYTHON is not set: no healpy to compare with");
    return;
  }
  gsize len;
  const char *p = g_bytes_get_data(ref, &len), *end = p + len;
  Case c;
  int ncases = 0;
  while (next_case(&p, end, 3, &c)) {
    SphError err = SPH_ERROR_INIT;
    int lmax = (int)c.lmax;
    int64_t npix = c.npix, nalm = c.nalm;
    SphRingGeometry *g = sph_ring_geometry_healpix(c.nside, &err);
    SphShtPlan *plan = plan_or_die(g, lmax, lmax, 0);
    SphAlm *e = alm_from(c.alm + nalm, lmax), *b = alm_from(c.alm + 2 * nalm, lmax);
    double *q = g_new(double, npix), *u = g_new(double, npix);
    g_assert_cmpint(sph_sht_alm2map_spin(plan, 2, e, b, q, u, NULL, &err), ==, SPH_OK);
    double scale = fmax(max_abs(c.map + npix, npix), max_abs(c.map + 2 * npix, npix));
    double e_syn = fmax(max_abs_diff(q, c.map + npix, npix), max_abs_diff(u, c.map + 2 * npix, npix)) / scale;
    g_assert_cmpfloat(e_syn, <=, 1e-12);

    SphAlm *eo = sph_alm_new(lmax, lmax, NULL), *bo = sph_alm_new(lmax, lmax, NULL);
    SphAlm *er = alm_from(c.noise0 + nalm, lmax), *br = alm_from(c.noise0 + 2 * nalm, lmax);
    g_assert_cmpint(sph_sht_map2alm_spin(plan, 2, c.noise + npix, c.noise + 2 * npix, eo, bo, NULL, &err), ==, SPH_OK);
    double e0 = rel_pair_error(eo, bo, er, br);
    g_assert_cmpfloat(e0, <=, 1e-12);
    sph_alm_free(er);
    sph_alm_free(br);

    er = alm_from(c.iter3 + nalm, lmax);
    br = alm_from(c.iter3 + 2 * nalm, lmax);
    SphShtIterOptions opt = SPH_SHT_ITER_DEFAULT;
    g_assert_cmpint(sph_sht_map2alm_spin_iterative(plan, 2, c.map + npix, c.map + 2 * npix, eo, bo, &opt,
                                                   NULL, &err), ==, SPH_OK);
    g_assert_cmpint(opt.transforms, ==, 7);
    double e3 = rel_pair_error(eo, bo, er, br);
    sph_alm_free(er);
    sph_alm_free(br);
    er = alm_from(c.noise3 + nalm, lmax);
    br = alm_from(c.noise3 + 2 * nalm, lmax);
    g_assert_cmpint(sph_sht_map2alm_spin_iterative(plan, 2, c.noise + npix, c.noise + 2 * npix, eo, bo,
                                                   NULL, NULL, &err), ==, SPH_OK);
    double e3n = rel_pair_error(eo, bo, er, br);
    g_test_message("NSIDE %lld lmax %d: alm2map_spin %.2e, map2alm_spin iter 0 %.2e, iter 3 %.2e (noise %.2e)",
                   (long long)c.nside, lmax, e_syn, e0, e3, e3n);
    g_assert_cmpfloat(e3, <=, 1e-10);
    g_assert_cmpfloat(e3n, <=, 1e-10);

    /* T from I is the spin-0 transform (healpy's pol=True treats I alone). */
    SphAlm *t = sph_alm_new(lmax, lmax, NULL), *tr = alm_from(c.noise3, lmax);
    g_assert_cmpint(sph_sht_map2alm_iterative(plan, c.noise, t, NULL, NULL, &err), ==, SPH_OK);
    g_assert_cmpfloat(sph_alm_max_abs_diff(t, tr) / sph_alm_max_abs(tr), <=, 1e-10);

    sph_alm_free(t);
    sph_alm_free(tr);
    sph_alm_free(er);
    sph_alm_free(br);
    sph_alm_free(eo);
    sph_alm_free(bo);
    sph_alm_free(e);
    sph_alm_free(b);
    g_free(q);
    g_free(u);
    sph_sht_plan_free(plan);
    sph_ring_geometry_free(g);
    ncases++;
  }
  g_assert_cmpint(ncases, ==, 4);
  g_bytes_unref(ref);
}

/* ---- Goldberg's formula ------------------------------------------------------------------ */

static long double factl(int n)
{
  long double f = 1;
  for (int i = 2; i <= n; i++)
    f *= i;
  return f;
}

static long double binoml(int n, int k)
{
  if (k < 0 || k > n)
    return 0;
  return factl(n) / (factl(k) * factl(n - k));
}

/* sY_lm(theta, phi) = (-1)^m sqrt((l+m)!(l-m)!(2l+1) / (4 pi (l+s)!(l-s)!)) sin^{2l}(theta/2)
 *   sum_r C(l-s, r) C(l+s, r+s-m) (-1)^{l-r-s} cot^{2r+s-m}(theta/2) e^{i m phi}
 * (Goldberg et al. 1967, the convention of healpy), for 0 < theta < pi and small l. */
static double _Complex goldberg(int s, int l, int m, double theta, double phi)
{
  if (l < abs(s) || l < abs(m))
    return 0;
  long double pre = ((m & 1) ? -1.0L : 1.0L) *
                    sqrtl(factl(l + m) * factl(l - m) * (2 * l + 1) /
                          (4 * 3.14159265358979323846264L * factl(l + s) * factl(l - s)));
  long double ht = theta / 2.0L, sum = 0;
  for (int r = 0; r <= l - s; r++) {
    int k = r + s - m;
    if (k < 0 || k > l + s)
      continue;
    long double c = binoml(l - s, r) * binoml(l + s, k) * (((l - r - s) & 1) ? -1.0L : 1.0L);
    sum += c * powl(cosl(ht), 2 * r + s - m) * powl(sinl(ht), 2 * l - (2 * r + s - m));
  }
  return (double)(pre * sum) * cexp(I * m * phi);
}

/* A single E_lm or B_lm gives Q + iU = -sum over +-m of (E + iB)_lm sY_lm, with
 * E_l-m = (-1)^m conj E_lm and the same for B. */
static void test_goldberg(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_gauss_legendre(9, 19, NULL);
  const SphRing *rings = sph_ring_geometry_rings(g);
  int lmax = 6;
  int64_t npix = sph_ring_geometry_npix(g);
  double *q = g_new(double, npix), *u = g_new(double, npix);
  for (int spin = 1; spin <= 3; spin++) {
    SphShtPlan *plan = plan_or_die(g, lmax, lmax, 0);
    SphAlm *e = sph_alm_new(lmax, lmax, NULL), *b = sph_alm_new(lmax, lmax, NULL);
    for (int l = spin; l <= lmax; l++)
      for (int m = 0; m <= l; m++)
        for (int which = 0; which < 2; which++) {
          double _Complex c = (m == 0) ? 0.7 : 0.7 - 0.4 * I;
          sph_alm_zero(e);
          sph_alm_zero(b);
          (which ? b : e)->values[sph_alm_index(lmax, l, m)] = c;
          g_assert_cmpint(sph_sht_alm2map_spin(plan, spin, e, b, q, u, NULL, &err), ==, SPH_OK);
          double worst = 0;
          for (int r = 0; r < sph_ring_geometry_nrings(g); r++)
            for (int64_t j = 0; j < rings[r].nphi; j++) {
              double th = rings[r].theta, ph = 2 * M_PI * j / rings[r].nphi;
              double _Complex ce = which ? 0 : c, cb = which ? c : 0;
              double _Complex p = -(ce + I * cb) * goldberg(spin, l, m, th, ph);
              if (m > 0) {
                double sg = (m & 1) ? -1.0 : 1.0;
                p -= (sg * conj(ce) + I * sg * conj(cb)) * goldberg(spin, l, -m, th, ph);
              }
              worst = fmax(worst, fmax(fabs(q[rings[r].offset + j] - creal(p)),
                                       fabs(u[rings[r].offset + j] - cimag(p))));
            }
          if (worst > 1e-14)
            g_error("spin %d %s_%d%d: worst %.3g", spin, which ? "B" : "E", l, m, worst);
        }
    sph_alm_free(e);
    sph_alm_free(b);
    sph_sht_plan_free(plan);
  }
  g_free(q);
  g_free(u);
  sph_ring_geometry_free(g);
}

/* ---- round trips and adjoints -------------------------------------------------------------- */

static double round_trip(const SphRingGeometry *g, int spin, int lmax, int mmax)
{
  SphError err = SPH_ERROR_INIT;
  SphShtPlan *plan = plan_or_die(g, lmax, mmax, 0);
  SphAlm *e = random_alm(lmax, mmax, spin, 1), *b = random_alm(lmax, mmax, spin, 2);
  SphAlm *e2 = sph_alm_new(lmax, mmax, NULL), *b2 = sph_alm_new(lmax, mmax, NULL);
  int64_t npix = sph_ring_geometry_npix(g);
  double *q = g_new(double, npix), *u = g_new(double, npix);
  g_assert_cmpint(sph_sht_alm2map_spin(plan, spin, e, b, q, u, NULL, &err), ==, SPH_OK);
  g_assert_cmpint(sph_sht_map2alm_spin(plan, spin, q, u, e2, b2, NULL, &err), ==, SPH_OK);
  double r = rel_pair_error(e2, b2, e, b);
  g_free(q);
  g_free(u);
  sph_alm_free(e);
  sph_alm_free(b);
  sph_alm_free(e2);
  sph_alm_free(b2);
  sph_sht_plan_free(plan);
  return r;
}

static void test_round_trips(void)
{
  for (int spin = 1; spin <= 3; spin++) {
    int Ls[] = { spin + 1, spin == 2 ? 128 : 64 };
    for (size_t k = 0; k < G_N_ELEMENTS(Ls); k++) {
      int L = Ls[k];
      SphRingGeometry *gl = sph_ring_geometry_gauss_legendre(L, 0, NULL);
      SphRingGeometry *mw = sph_ring_geometry_mw(L, NULL);
      SphRingGeometry *cc = sph_ring_geometry_clenshaw_curtis(2 * L - 1, 0, NULL);
      double egl = round_trip(gl, spin, L - 1, L - 1);
      double emw = round_trip(mw, spin, L - 1, L - 1);
      double ecc = round_trip(cc, spin, L - 1, L - 1);
      g_test_message("spin %d L=%d: Gauss-Legendre %.2e, McEwen-Wiaux %.2e, Clenshaw-Curtis %.2e",
                     spin, L, egl, emw, ecc);
      g_assert_cmpfloat(egl, <=, 1e-12);
      g_assert_cmpfloat(emw, <=, 1e-12);
      g_assert_cmpfloat(ecc, <=, 1e-12);
      sph_ring_geometry_free(gl);
      sph_ring_geometry_free(mw);
      sph_ring_geometry_free(cc);
    }
  }
  SphRingGeometry *mw = sph_ring_geometry_mw(40, NULL);
  g_assert_cmpfloat(round_trip(mw, 2, 39, 17), <=, 1e-12);
  sph_ring_geometry_free(mw);
}

static void check_adjoint(const SphRingGeometry *g, int spin, int lmax, int mmax, unsigned flags)
{
  SphError err = SPH_ERROR_INIT;
  SphShtPlan *plan = sph_sht_plan_new(g, lmax, mmax, flags, &err);
  if (plan == NULL) {
    g_assert_cmpint(err.code, ==, SPH_ERR_UNSUPPORTED);
    return;
  }
  int64_t npix = sph_ring_geometry_npix(g);
  SphAlm *e = random_alm(lmax, mmax, spin, 11), *b = random_alm(lmax, mmax, spin, 12);
  double *q = g_new(double, npix), *u = g_new(double, npix);
  double *yq = random_map(npix, 13), *yu = random_map(npix, 14);
  g_assert_cmpint(sph_sht_alm2map_spin(plan, spin, e, b, q, u, NULL, &err), ==, SPH_OK);
  for (int64_t i = 0; i < npix; i++) {
    yq[i] += q[i];
    yu[i] += u[i];
  }
  SphAlm *ea = sph_alm_new(lmax, mmax, NULL), *ba = sph_alm_new(lmax, mmax, NULL);
  g_assert_cmpint(sph_sht_alm2map_spin_adjoint(plan, spin, yq, yu, ea, ba, NULL, &err), ==, SPH_OK);
  long double d1 = 0;
  for (int64_t i = 0; i < npix; i++)
    d1 += (long double)q[i] * yq[i] + (long double)u[i] * yu[i];
  double d2 = sph_alm_dot(e, ea) + sph_alm_dot(b, ba);
  double rel = fabs((double)d1 - d2) / fabs((double)d1);
  g_test_message("%s %s spin %d lmax %d mmax %d: rel %.2e", sph_grid_kind_name(sph_ring_geometry_kind(g)),
                 sph_sht_plan_kernel_name(plan), spin, lmax, mmax, rel);
  g_assert_cmpfloat(rel, <=, 1e-12);
  for (int l = 0; l <= lmax; l++) {
    g_assert_true(cimag(ea->values[l]) == 0);
    g_assert_true(cimag(ba->values[l]) == 0);
  }
  g_free(q);
  g_free(u);
  g_free(yq);
  g_free(yu);
  sph_alm_free(e);
  sph_alm_free(b);
  sph_alm_free(ea);
  sph_alm_free(ba);
  sph_sht_plan_free(plan);
}

static void test_adjoint(void)
{
  SphRing custom[5] = {
    { 0.2, 0.3, 3, 0, 0.1 },
    { M_PI - 0.2, 0.3, 4, 3, 0.1 },
    { 1.1, 0.0, 17, 7, 0.1 },
    { M_PI / 2, 0.05, 30, 24, 0.1 },
    { M_PI, 0.0, 1, 54, 0.1 },
  };
  SphRingGeometry *geoms[] = {
    sph_ring_geometry_healpix(8, NULL),
    sph_ring_geometry_gauss_legendre(33, 0, NULL),
    sph_ring_geometry_mw(24, NULL),
    sph_ring_geometry_clenshaw_curtis(31, 0, NULL),
    sph_ring_geometry_new(custom, 5, 55, NULL),
  };
  int lmaxs[] = { 25, 32, 23, 15, 20 };
  const unsigned flags[] = { SPH_SHT_KERNEL_GENERIC, SPH_SHT_KERNEL_AVX2, SPH_SHT_KERNEL_AVX512 };
  for (size_t k = 0; k < G_N_ELEMENTS(geoms); k++) {
    for (size_t f = 0; f < G_N_ELEMENTS(flags); f++) {
      check_adjoint(geoms[k], 2, lmaxs[k], lmaxs[k], flags[f]);
      check_adjoint(geoms[k], 1, lmaxs[k], lmaxs[k] / 2, flags[f]);
    }
    check_adjoint(geoms[k], 3, lmaxs[k], lmaxs[k] - 2, 0);
    sph_ring_geometry_free(geoms[k]);
  }
}

/* <map2alm_spin (q, u), (e, b)> = <(q, u), map2alm_spin_adjoint (e, b)>. */
static void test_analysis_adjoint(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *geoms[] = { sph_ring_geometry_mw(3, NULL), sph_ring_geometry_mw(40, NULL),
                               sph_ring_geometry_gauss_legendre(20, 0, NULL),
                               sph_ring_geometry_healpix(8, NULL) };
  int lmaxs[] = { 2, 39, 19, 20 };
  for (size_t k = 0; k < G_N_ELEMENTS(geoms); k++)
    for (int spin = 1; spin <= 2; spin++) {
      int lmax = lmaxs[k], mmax = spin == 1 ? lmax : lmax / 2 + 1;
      SphShtPlan *plan = plan_or_die(geoms[k], lmax, mmax, 0);
      int64_t npix = sph_ring_geometry_npix(geoms[k]);
      double *q = random_map(npix, 31), *u = random_map(npix, 32);
      double *gq = g_new(double, npix), *gu = g_new(double, npix);
      SphAlm *e = random_alm(lmax, mmax, spin, 33), *b = random_alm(lmax, mmax, spin, 34);
      SphAlm *fe = sph_alm_new(lmax, mmax, NULL), *fb = sph_alm_new(lmax, mmax, NULL);
      g_assert_cmpint(sph_sht_map2alm_spin(plan, spin, q, u, fe, fb, NULL, &err), ==, SPH_OK);
      sph_alm_axpy(e, 1.0, fe);
      sph_alm_axpy(b, 1.0, fb);
      g_assert_cmpint(sph_sht_map2alm_spin_adjoint(plan, spin, e, b, gq, gu, NULL, &err), ==, SPH_OK);
      double d1 = sph_alm_dot(fe, e) + sph_alm_dot(fb, b);
      long double d2 = 0;
      for (int64_t i = 0; i < npix; i++)
        d2 += (long double)q[i] * gq[i] + (long double)u[i] * gu[i];
      double rel = fabs(d1 - (double)d2) / fabs(d1);
      g_test_message("%s spin %d lmax %d: analysis adjoint rel %.2e",
                     sph_grid_kind_name(sph_ring_geometry_kind(geoms[k])), spin, lmax, rel);
      g_assert_cmpfloat(rel, <=, 1e-12);
      g_free(q);
      g_free(u);
      g_free(gq);
      g_free(gu);
      sph_alm_free(e);
      sph_alm_free(b);
      sph_alm_free(fe);
      sph_alm_free(fb);
      sph_sht_plan_free(plan);
    }
  for (size_t k = 0; k < G_N_ELEMENTS(geoms); k++)
    sph_ring_geometry_free(geoms[k]);
}

static void test_errors(void)
{
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_healpix(4, NULL);
  SphShtPlan *plan = plan_or_die(g, 8, 8, 0);
  SphAlm *e = sph_alm_new(8, 8, NULL), *b = sph_alm_new(8, 8, NULL), *bad = sph_alm_new(7, 7, NULL);
  double q[192], u[192];
  g_assert_cmpint(sph_sht_alm2map_spin(plan, 0, e, b, q, u, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "spin"));
  g_assert_cmpint(sph_sht_alm2map_spin(plan, 9, e, b, q, u, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_cmpint(sph_sht_alm2map_spin(plan, 2, e, bad, q, u, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "B alm"));
  g_assert_cmpint(sph_sht_map2alm_spin(plan, 2, q, NULL, e, b, NULL, &err), ==, SPH_ERR_INVALID);
  for (int i = 0; i < 192; i++)
    q[i] = u[i] = 0;
  u[5] = NAN;
  g_assert_cmpint(sph_sht_map2alm_spin(plan, 2, q, u, e, b, NULL, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "(U): pixel 5 is NaN"));
  SphJob *job = sph_job_new();
  sph_job_cancel(job);
  g_assert_cmpint(sph_sht_alm2map_spin(plan, 2, e, b, q, u, job, &err), ==, SPH_ERR_CANCELLED);
  sph_job_unref(job);
  sph_alm_free(e);
  sph_alm_free(b);
  sph_alm_free(bad);
  sph_sht_plan_free(plan);
  sph_ring_geometry_free(g);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sht-spin/healpy", test_healpy);
  g_test_add_func("/sht-spin/goldberg", test_goldberg);
  g_test_add_func("/sht-spin/round-trips", test_round_trips);
  g_test_add_func("/sht-spin/adjoint", test_adjoint);
  g_test_add_func("/sht-spin/analysis-adjoint", test_analysis_adjoint);
  g_test_add_func("/sht-spin/errors", test_errors);
  return g_test_run();
}
