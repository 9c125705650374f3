/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Rotation: Risbo's Wigner d against closed forms, orthogonality at l = 400 and
 * d^l_00 = P_l(cos beta); the rotation of a dipole in closed form; a rotation and its
 * inverse (1e-12); C_l kept; and healpy's rotate_alm, Rotator(coord).rotate_alm and
 * rotate_map_alms (1e-10). */
#include <complex.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "healpy-run-helpers.h"
#include "sphaera/coords.h"
#include "sphaera/fields.h"
#include "sphaera/healpix.h"
#include "sphaera/power_spectrum.h"
#include "sphaera/rng.h"
#include "sphaera/rotate.h"

static SphAlm *random_alm(int lmax, uint64_t seed)
{
  SphRng rng;
  sph_rng_init(&rng, seed, 7);
  SphAlm *a = sph_alm_new(lmax, lmax, NULL);
  sph_alm_fill_gaussian(a, &rng);
  return a;
}

static void test_wigner_closed_forms(void)
{
  SphError err = SPH_ERROR_INIT;
  double beta = 0.7, c = cos(beta), s = sin(beta);
  SphWignerRisbo *w = sph_wigner_risbo_new(2, beta, &err);
  int l;
  const double *d = sph_wigner_risbo_next(w, &l);
  g_assert_cmpint(l, ==, 0);
  g_assert_cmpfloat(d[0], ==, 1.0);
  d = sph_wigner_risbo_next(w, &l);
  /* d^1: rows m = 1, 0, -1; columns m' = 1, 0, -1. */
  const double d1[9] = { (1 + c) / 2, -s / sqrt(2), (1 - c) / 2, s / sqrt(2), c, -s / sqrt(2),
                         (1 - c) / 2, s / sqrt(2), (1 + c) / 2 };
  for (int i = 0; i < 9; i++)
    g_assert_cmpfloat_with_epsilon(d[i], d1[i], 1e-15);
  d = sph_wigner_risbo_next(w, &l);
  g_assert_cmpint(l, ==, 2);
  g_assert_cmpfloat_with_epsilon(d[2 * 5 + 2], 1.5 * c * c - 0.5, 1e-15);              /* d_00 */
  g_assert_cmpfloat_with_epsilon(d[0 * 5 + 0], pow((1 + c) / 2, 2), 1e-15);            /* d_22 */
  g_assert_cmpfloat_with_epsilon(d[0 * 5 + 2], sqrt(3.0 / 8.0) * s * s, 1e-15);        /* d_20 */
  g_assert_cmpfloat_with_epsilon(d[1 * 5 + 2], -sqrt(3.0 / 2.0) * s * c, 1e-15);       /* d_10 */
  g_assert_null(sph_wigner_risbo_next(w, &l));
  sph_wigner_risbo_free(w);
  g_assert_null(sph_wigner_risbo_new(-1, beta, &err));
}

/* At high l the recursion stays orthogonal and its d_00 is the Legendre polynomial. */
static void test_wigner_stable(void)
{
  SphError err = SPH_ERROR_INIT;
  int lmax = 400;
  double beta = 2.9; /* near the south pole, where the closed forms underflow */
  SphWignerRisbo *w = sph_wigner_risbo_new(lmax, beta, &err);
  double x = cos(beta), p0 = 1, p1 = x;
  const double *d;
  int l;
  double worst_p = 0;
  while ((d = sph_wigner_risbo_next(w, &l)) != NULL) {
    double pl = l == 0 ? 1.0 : p1;
    worst_p = fmax(worst_p, fabs(d[(size_t)l * (2 * l + 1) + l] - pl));
    if (l >= 1) {
      double p2 = ((2 * l + 1) * x * p1 - l * p0) / (l + 1);
      p0 = p1;
      p1 = p2;
    }
    if (l == lmax) {
      int dim = 2 * l + 1;
      double worst = 0;
      for (int i = 0; i < dim; i += 37)
        for (int j = 0; j < dim; j++) {
          double dot = 0;
          for (int k = 0; k < dim; k++)
            dot += d[(size_t)i * dim + k] * d[(size_t)j * dim + k];
          worst = fmax(worst, fabs(dot - (i == j)));
        }
      g_test_message("l=%d: |d d^T - 1| %.2e, |d_00 - P_l| %.2e", l, worst, worst_p);
      g_assert_cmpfloat(worst, <=, 1e-12);
    }
  }
  g_assert_cmpfloat(worst_p, <=, 1e-12);
  sph_wigner_risbo_free(w);
}

/* The upper-half recursion (rows m >= 0 only, what rotate_alm uses) gives the same rows
 * as the full one, and the two kinds of call may be mixed. */
static void test_wigner_upper(void)
{
  SphError err = SPH_ERROR_INIT;
  const int lmax = 61;
  SphWignerRisbo *full = sph_wigner_risbo_new(lmax, 1.1, &err);
  SphWignerRisbo *upper = sph_wigner_risbo_new(lmax, 1.1, &err);
  const double *d, *u;
  int l, lu;
  double worst = 0;
  while ((d = sph_wigner_risbo_next(full, &l)) != NULL) {
    u = l % 5 == 3 ? sph_wigner_risbo_next(upper, &lu) : sph_wigner_risbo_next_upper(upper, &lu);
    g_assert_cmpint(lu, ==, l);
    size_t dim = 2 * (size_t)l + 1;
    for (size_t i = 0; i <= (size_t)l; i++)
      for (size_t k = 0; k < dim; k++)
        worst = fmax(worst, fabs(d[i * dim + k] - u[i * dim + k]));
  }
  g_assert_null(sph_wigner_risbo_next_upper(upper, &lu));
  g_test_message("upper rows against the full recursion: %.2e", worst);
  g_assert_cmpfloat(worst, ==, 0.0);
  sph_wigner_risbo_free(full);
  sph_wigner_risbo_free(upper);
}

/* a_10 = 1 is sqrt(3/4pi) z; rotated it is sqrt(3/4pi) n.(R z): a_10 = cos theta,
 * a_11 = -sin theta exp(-i phi)/sqrt 2, whatever psi. */
static void test_rotate_dipole(void)
{
  SphError err = SPH_ERROR_INIT;
  SphAlm *a = sph_alm_new(3, 3, &err);
  a->values[sph_alm_index(3, 1, 0)] = 1.0;
  double psi = 0.4, theta = 1.1, phi = -0.8;
  g_assert_cmpint(sph_rotate_alm(a, psi, theta, phi, &err), ==, SPH_OK);
  double _Complex a10 = sph_alm_get(a, 1, 0), a11 = sph_alm_get(a, 1, 1);
  double _Complex want11 = -sin(theta) * cexp(-I * phi) / sqrt(2.0);
  g_assert_cmpfloat(cabs(a10 - cos(theta)), <=, 1e-15);
  g_assert_cmpfloat(cabs(a11 - want11), <=, 1e-15);
  for (int l = 0; l <= 3; l++)
    for (int m = 0; m <= l; m++)
      if (l != 1)
        g_assert_cmpfloat(cabs(sph_alm_get(a, l, m)), <=, 1e-15);
  SphAlm *b = sph_alm_new(3, 2, &err);
  g_assert_cmpint(sph_rotate_alm(b, psi, theta, phi, &err), ==, SPH_ERR_INVALID);
  sph_alm_free(a);
  sph_alm_free(b);
}

/* R_z(phi) R_y(theta) R_z(psi). */
static void zyz_matrix(double psi, double theta, double phi, double out[3][3])
{
  double a[3][3] = { { cos(phi), -sin(phi), 0 }, { sin(phi), cos(phi), 0 }, { 0, 0, 1 } };
  double b[3][3] = { { cos(theta), 0, sin(theta) }, { 0, 1, 0 }, { -sin(theta), 0, cos(theta) } };
  double c[3][3] = { { cos(psi), -sin(psi), 0 }, { sin(psi), cos(psi), 0 }, { 0, 0, 1 } };
  double ab[3][3];
  sph_rotation_multiply(a, b, ab);
  sph_rotation_multiply(ab, c, out);
}

static void test_inverse_and_cl(void)
{
  SphError err = SPH_ERROR_INIT;
  int lmax = 256;
  SphAlm *a = random_alm(lmax, 3);
  for (int l = 0; l <= lmax; l++)
    a->values[l] = creal(a->values[l]);
  SphAlm *b = sph_alm_copy(a, &err);
  double psi = 0.3, theta = 2.2, phi = 4.0;
  g_assert_cmpint(sph_rotate_alm(b, psi, theta, phi, &err), ==, SPH_OK);
  double *c0 = g_new(double, lmax + 1), *c1 = g_new(double, lmax + 1);
  sph_alm2cl(a, NULL, -1, c0, &err);
  sph_alm2cl(b, NULL, -1, c1, &err);
  double worst = 0;
  for (int l = 0; l <= lmax; l++)
    worst = fmax(worst, fabs(c1[l] - c0[l]) / c0[l]);
  g_assert_cmpfloat(sph_alm_max_abs_diff(a, b), >, 0.1);
  g_assert_cmpint(sph_rotate_alm(b, -phi, -theta, -psi, &err), ==, SPH_OK);
  double e = sph_alm_max_abs_diff(a, b) / sph_alm_max_abs(a);
  g_test_message("lmax %d: C_l kept to %.2e, rotation and inverse %.2e", lmax, worst, e);
  g_assert_cmpfloat(worst, <=, 1e-12);
  g_assert_cmpfloat(e, <=, 1e-12);
  /* The matrix form round-trips through its Euler angles, the degenerate ones too. */
  const double angles[3][3] = { { 0.3, 2.2, 4.0 }, { 0.5, 0.0, 1.0 }, { 0.0, M_PI, -2.0 } };
  for (int c = 0; c < 3; c++) {
    double m[3][3], m2[3][3], ps, th, ph;
    zyz_matrix(angles[c][0], angles[c][1], angles[c][2], m);
    sph_rotation_to_euler_zyz(m, &ps, &th, &ph);
    zyz_matrix(ps, th, ph, m2);
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 3; j++)
        g_assert_cmpfloat(fabs(m[i][j] - m2[i][j]), <=, 1e-14);
  }
  g_free(c0);
  g_free(c1);
  sph_alm_free(a);
  sph_alm_free(b);
}

static void test_healpy(void)
{
  gchar *dir = ref_dir_new();
  if (dir == NULL)
    return;
  SphError err = SPH_ERROR_INIT;
  int64_t nside = 16, npix = sph_hp_nside2npix(nside);
  int lmax = 3 * (int)nside - 1;
  SphAlm *alm = random_alm(lmax, 8);
  for (int l = 0; l <= lmax; l++)
    alm->values[l] = creal(alm->values[l]);
  ref_write(dir, "alm.bin", alm->values, (gsize)alm->size * 16);
  SphMap *map = sph_map_new(nside, SPH_ORDER_RING, 3, &err);
  SphRng rng;
  sph_rng_init(&rng, 12, 0);
  for (int k = 0; k < 3; k++)
    for (int64_t p = 0; p < npix; p++)
      map->fields[k].values[p] = sph_rng_normal(&rng);
  gchar *buf = g_malloc(3 * npix * 8);
  for (int k = 0; k < 3; k++)
    memcpy(buf + k * npix * 8, map->fields[k].values, npix * 8);
  ref_write(dir, "tqu.bin", buf, 3 * npix * 8);
  g_free(buf);
  double psi = 0.7, theta = 1.3, phi = -2.1;
  gchar *args[5] = { g_strdup_printf("%lld", (long long)nside), g_strdup_printf("%d", lmax),
                     g_strdup_printf("%.17g", psi), g_strdup_printf("%.17g", theta),
                     g_strdup_printf("%.17g", phi) };
  const char *extra[] = { "rotate", dir, args[0], args[1], args[2], args[3], args[4], NULL };
  gsize n;
  double *ref = ref_run(dir, extra, &n);
  gsize na = 2 * (gsize)alm->size;
  g_assert_cmpuint(n, ==, 2 * na + 4 * (gsize)npix);

  SphAlm *r = sph_alm_copy(alm, &err);
  g_assert_cmpint(sph_rotate_alm(r, psi, theta, phi, &err), ==, SPH_OK);
  double e = ref_rel_diff((const double *)r->values, ref, na);
  g_test_message("rotate_alm: %.2e", e);
  g_assert_cmpfloat(e, <=, 1e-10);
  sph_alm_free(r);

  r = sph_alm_copy(alm, &err);
  double m[3][3], ps, th, ph;
  g_assert_true(sph_coord_matrix(SPH_COORD_GALACTIC, SPH_COORD_EQUATORIAL, m));
  sph_rotation_to_euler_zyz(m, &ps, &th, &ph);
  g_assert_cmpint(sph_rotate_alm(r, ps, th, ph, &err), ==, SPH_OK);
  e = ref_rel_diff((const double *)r->values, ref + na, na);
  g_test_message("Rotator(coord=GC).rotate_alm: %.2e", e);
  g_assert_cmpfloat(e, <=, 1e-10);
  sph_alm_free(r);

  map->coordsys = SPH_COORD_EQUATORIAL;
  SphMap *rm = sph_rotate_map_frame(map, SPH_COORD_ECLIPTIC, lmax, 3, true, NULL, &err);
  g_assert_nonnull(rm);
  g_assert_cmpint(rm->coordsys, ==, SPH_COORD_ECLIPTIC);
  for (int k = 0; k < 3; k++) {
    e = ref_rel_diff(rm->fields[k].values, ref + 2 * na + k * npix, npix);
    g_test_message("rotate_map_alms C->E field %d: %.2e", k, e);
    g_assert_cmpfloat(e, <=, 1e-10);
  }
  sph_map_free(rm);
  SphMap *t = sph_map_new(nside, SPH_ORDER_RING, 1, &err);
  memcpy(t->fields[0].values, map->fields[0].values, npix * 8);
  t->coordsys = SPH_COORD_GALACTIC;
  rm = sph_rotate_map_frame(t, SPH_COORD_ECLIPTIC, lmax, 3, false, NULL, &err);
  g_assert_nonnull(rm);
  e = ref_rel_diff(rm->fields[0].values, ref + 2 * na + 3 * npix, npix);
  g_test_message("rotate_map_alms G->E: %.2e", e);
  g_assert_cmpfloat(e, <=, 1e-10);
  sph_map_free(rm);
  t->coordsys = SPH_COORD_UNKNOWN;
  g_assert_null(sph_rotate_map_frame(t, SPH_COORD_ECLIPTIC, lmax, 3, false, NULL, &err));
  g_assert_nonnull(strstr(err.message, "COORDSYS"));
  sph_map_free(t);
  sph_map_free(map);
  sph_alm_free(alm);
  g_free(ref);
  for (int i = 0; i < 5; i++)
    g_free(args[i]);
  ref_dir_free(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/rotate/wigner-closed-forms", test_wigner_closed_forms);
  g_test_add_func("/rotate/wigner-stable", test_wigner_stable);
  g_test_add_func("/rotate/wigner-upper", test_wigner_upper);
  g_test_add_func("/rotate/dipole", test_rotate_dipole);
  g_test_add_func("/rotate/inverse-and-cl", test_inverse_and_cl);
  g_test_add_func("/rotate/healpy", test_healpy);
  return g_test_run();
}
