/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Rotations and astronomical frames: against healpy's Rotator (frames, every Euler type,
 * rotated directions, coordsys2euler_zyz) through SPHAERA_PYTHON, against the published
 * poles that define the frames, and against identities (orthogonality, round trips,
 * composition). */
#include <glib.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sphaera/coords.h"
#include "sph-test-python.h"

#define DEG (M_PI / 180.0)

#define PY_IMPORTS                                                                         \
  "import sys, warnings\n"                                                                 \
  "warnings.simplefilter('ignore')\n"                                                      \
  "try:\n"                                                                                 \
  "    import numpy as np, healpy as hp\n"                                                 \
  "except ImportError:\n"                                                                  \
  "    sys.exit(77)\n"

static void assert_close(double a, double b, double tol)
{
  if (!(fabs(a - b) <= tol))
    g_error("%.17g and %.17g differ by %.3g > %.3g", a, b, fabs(a - b), tol);
}

static double angular_distance(const double a[3], const double b[3])
{
  double c[3] = {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                 a[0] * b[1] - a[1] * b[0]};
  return atan2(sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]),
               a[0] * b[0] + a[1] * b[1] + a[2] * b[2]);
}

static const SphCoordSys frames[3] = {SPH_COORD_GALACTIC, SPH_COORD_EQUATORIAL,
                                      SPH_COORD_ECLIPTIC};

/* Reads 9 numbers from text into m; returns the text after them. */
static char *read_matrix(char *text, double m[3][3])
{
  for (int k = 0; k < 9; k++)
    m[k / 3][k % 3] = g_ascii_strtod(text, &text);
  return text;
}

/* Every healpy reference this program needs, from one Python run (starting healpy, and
 * astropy under it, takes seconds): sections start with a line "@name". */
static const char reference_script[] = PY_IMPORTS
    "print('@frames')\n"
    "for a in 'GCE':\n"
      "    for b in 'GCE':\n"
      "        m = hp.Rotator(coord=[a, b]).mat\n"
    "        print(' '.join('%.17g' % v for v in m.ravel()))\n"
    "print('@rotations')\n"
    "rng = np.random.default_rng(7)\n"
    "th = np.arccos(rng.uniform(-1, 1, 200)); ph = rng.uniform(0, 2 * np.pi, 200)\n"
    "th[:4] = [0, np.pi, 1e-9, np.pi / 2]\n"
    "print(' '.join('%.17g %.17g' % t for t in zip(th, ph)))\n"
    "for c in ('GC', 'CG', 'GE', 'EG', 'CE', 'EC'):\n"
    "    t2, p2 = hp.Rotator(coord=list(c))(th, ph)\n"
    "    print(' '.join('%.17g %.17g' % t for t in zip(t2, p2)))\n"
    "angles = [(0, 0, 0), (30, 20, 10), (-120.5, 60, 33), (266.4, -28.9, 0), (10, 90, -45),\n"
    "          (0, -90, 180), (359, 1e-7, 720)]\n"
    "for rot in angles:\n"
    "    for e in ('ZYX', 'X', 'Y'):\n"
    "        m = hp.Rotator(rot=rot, eulertype=e).mat\n"
    "        print(' '.join('%.17g' % v for v in (*rot, *m.ravel())))\n"
    "print('@zyz')\n"
    "for c in ('GC', 'CG', 'GE', 'EG', 'CE', 'EC', 'GG'):\n"
    "    print('%.17g %.17g %.17g' % tuple(hp.rotator.coordsys2euler_zyz(c)))\n";

/* The text of one section (owned by the cache), or NULL after g_test_skip(). */
static const char *reference(const char *section)
{
  static SphTestPythonSections cache;
  return sph_test_python_section(&cache, reference_script, section,
                                 "no reference Python with healpy (SPHAERA_PYTHON)");
}

/* A section's text up to the next one. */
static char *reference_copy(const char *section)
{
  const char *start = reference(section);
  if (start == NULL)
    return NULL;
  const char *end = strstr(start, "\n@");
  return end != NULL ? g_strndup(start, end - start + 1) : g_strdup(start);
}

static void test_frames_healpy(void)
{
  char *out = reference_copy("frames");
  if (out == NULL)
    return;
  char *p = out;
  for (int a = 0; a < 3; a++) {
    for (int b = 0; b < 3; b++) {
      double want[3][3], got[3][3];
      p = read_matrix(p, want);
      g_assert_true(sph_coord_matrix(frames[a], frames[b], got));
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
          assert_close(got[i][j], want[i][j], 1e-12);
    }
  }
  g_free(out);
}

static void test_frames_identities(void)
{
  for (int a = 0; a < 3; a++) {
    for (int b = 0; b < 3; b++) {
      double m[3][3], back[3][3], prod[3][3];
      sph_coord_matrix(frames[a], frames[b], m);
      sph_coord_matrix(frames[b], frames[a], back);
      /* A rotation: m m^T = I, det +1; and b->a undoes a->b. */
      sph_rotation_multiply(m, back, prod);
      double mt[3][3], orth[3][3];
      sph_rotation_transpose(m, mt);
      sph_rotation_multiply(m, mt, orth);
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
          assert_close(prod[i][j], i == j, 1e-15);
          assert_close(orth[i][j], i == j, 1e-15);
        }
      double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
                   m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
                   m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
      assert_close(det, 1.0, 1e-15);
      /* Composition through the third frame. */
      int c = 3 - a - b;
      if (a != b && c >= 0 && c < 3) {
        double ac[3][3], cb[3][3], via[3][3];
        sph_coord_matrix(frames[a], frames[c], ac);
        sph_coord_matrix(frames[c], frames[b], cb);
        sph_rotation_multiply(cb, ac, via);
        for (int i = 0; i < 3; i++)
          for (int j = 0; j < 3; j++)
            assert_close(via[i][j], m[i][j], 1e-15);
      }
    }
  }
  double m[3][3];
  g_assert_false(sph_coord_matrix(SPH_COORD_UNKNOWN, SPH_COORD_GALACTIC, m));
  g_assert_true(sph_rotation_is_identity(m));
  g_assert_false(sph_coord_matrix(SPH_COORD_ECLIPTIC, SPH_COORD_UNKNOWN, m));
  g_assert_true(sph_rotation_is_identity(m));
  g_assert_true(sph_coord_matrix(SPH_COORD_GALACTIC, SPH_COORD_GALACTIC, m));
  g_assert_true(sph_rotation_is_identity(m));
}

/* The poles that define the frames. */
static void test_frames_published(void)
{
  double m[3][3], v[3], want[3];
  /* The north Galactic pole is at FK5 J2000 RA 192.8594812065348, Dec 27.12825118085622. */
  sph_coord_matrix(SPH_COORD_GALACTIC, SPH_COORD_EQUATORIAL, m);
  sph_ang2vec(0.0, 0.0, v);
  sph_rotation_apply(m, v, v);
  sph_ang2vec((90.0 - 27.12825118085622) * DEG, 192.8594812065348 * DEG, want);
  g_assert_cmpfloat(angular_distance(v, want), <, 1e-14);
  /* The north celestial pole is at l = 122.9319185680026 (and b = the NGP's Dec). */
  sph_coord_matrix(SPH_COORD_EQUATORIAL, SPH_COORD_GALACTIC, m);
  sph_ang2vec(0.0, 0.0, v);
  sph_rotation_apply(m, v, v);
  sph_ang2vec((90.0 - 27.12825118085622) * DEG, 122.9319185680026 * DEG, want);
  g_assert_cmpfloat(angular_distance(v, want), <, 1e-14);
  /* The Galactic centre: RA 17h45m37.20s, Dec -28d56m10.2s (J2000), to the 0.1 arcsec the
   * published figures carry. */
  sph_coord_matrix(SPH_COORD_GALACTIC, SPH_COORD_EQUATORIAL, m);
  double theta, phi;
  sph_rotation_apply_ang(m, M_PI / 2, 0.0, &theta, &phi);
  double ra = (17.0 + 45.0 / 60 + 37.20 / 3600) * 15.0, dec = -(28.0 + 56.0 / 60 + 10.2 / 3600);
  sph_ang2vec(theta, phi, v);
  sph_ang2vec((90.0 - dec) * DEG, ra * DEG, want);
  g_assert_cmpfloat(angular_distance(v, want), <, 0.2 / 3600 * DEG);
  /* The north ecliptic pole is at RA 270, Dec 90 - 84381.406 arcsec (IAU 2006 mean
   * obliquity at J2000), up to the frame bias between ICRS and FK5 (< 0.03 arcsec). */
  sph_coord_matrix(SPH_COORD_ECLIPTIC, SPH_COORD_EQUATORIAL, m);
  sph_ang2vec(0.0, 0.0, v);
  sph_rotation_apply(m, v, v);
  sph_ang2vec(84381.406 / 3600 * DEG, 270.0 * DEG, want);
  g_assert_cmpfloat(angular_distance(v, want), <, 0.03 / 3600 * DEG);
  /* The vernal equinox is on both equators: ecliptic (0, 0) is near RA 0, Dec 0. */
  sph_rotation_apply_ang(m, M_PI / 2, 0.0, &theta, &phi);
  sph_ang2vec(theta, phi, v);
  sph_ang2vec(M_PI / 2, 0.0, want);
  g_assert_cmpfloat(angular_distance(v, want), <, 0.1 / 3600 * DEG);
}

/* Directions rotated by healpy's Rotator(coord=...) and Rotator(rot=..., eulertype=...)
 * at many points; and every Euler type's matrix against healpy's. */
static void test_rotations_healpy(void)
{
  char *out = reference_copy("rotations");
  if (out == NULL)
    return;
  char **lines = g_strsplit(out, "\n", -1);
  double th[200], ph[200];
  char *p = lines[0];
  for (int k = 0; k < 200; k++) {
    th[k] = g_ascii_strtod(p, &p);
    ph[k] = g_ascii_strtod(p, &p);
  }
  static const SphCoordSys pairs[6][2] = {
      {SPH_COORD_GALACTIC, SPH_COORD_EQUATORIAL}, {SPH_COORD_EQUATORIAL, SPH_COORD_GALACTIC},
      {SPH_COORD_GALACTIC, SPH_COORD_ECLIPTIC},   {SPH_COORD_ECLIPTIC, SPH_COORD_GALACTIC},
      {SPH_COORD_EQUATORIAL, SPH_COORD_ECLIPTIC}, {SPH_COORD_ECLIPTIC, SPH_COORD_EQUATORIAL},
  };
  for (int c = 0; c < 6; c++) {
    double m[3][3];
    sph_coord_matrix(pairs[c][0], pairs[c][1], m);
    p = lines[1 + c];
    for (int k = 0; k < 200; k++) {
      double ht = g_ascii_strtod(p, &p), hph = g_ascii_strtod(p, &p);
      double t2, p2, a[3], b[3];
      sph_rotation_apply_ang(m, th[k], ph[k], &t2, &p2);
      g_assert_cmpfloat(t2, >=, 0.0);
      g_assert_cmpfloat(t2, <=, M_PI);
      g_assert_cmpfloat(p2, >=, 0.0);
      g_assert_cmpfloat(p2, <, 2 * M_PI);
      sph_ang2vec(t2, p2, a);
      sph_ang2vec(ht, hph, b);
      g_assert_cmpfloat(angular_distance(a, b), <, 1e-12);
      assert_close(t2, ht, 1e-12);
    }
  }
  int nrot = 0;
  for (char **l = lines + 7; *l != NULL && (*l)[0] != '\0'; l++, nrot++) {
    p = *l;
    double rot[3], want[3][3], got[3][3];
    for (int k = 0; k < 3; k++)
      rot[k] = g_ascii_strtod(p, &p);
    read_matrix(p, want);
    SphEulerType type = (SphEulerType)(nrot % 3); /* ZYX, X, Y */
    sph_rotation_euler(type, rot[0] * DEG, rot[1] * DEG, rot[2] * DEG, got);
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 3; j++)
        assert_close(got[i][j], want[i][j], 1e-14);
  }
  g_assert_cmpint(nrot, ==, 21);
  g_strfreev(lines);
  g_free(out);
}

/* healpy's default rot=(lon, lat, psi) brings (lon, lat) to the projection centre and
 * leaves the roll about it; without healpy, from the definition. */
static void test_view_rotation(void)
{
  for (double lon = -170; lon < 360; lon += 37.3) {
    for (double lat = -89; lat <= 89; lat += 22.25) {
      double m[3][3], v[3], t, p;
      sph_rotation_euler(SPH_EULER_ZYX, lon * DEG, lat * DEG, 0.7, m);
      sph_rotation_apply_ang(m, (90 - lat) * DEG, lon * DEG, &t, &p);
      sph_ang2vec(t, p, v);
      assert_close(v[0], 1.0, 1e-14);
      /* psi only turns the sky about the centre (the x axis): by -psi, so the angle of the
       * north pole's image measured from z toward y grows by psi. */
      double pole[3];
      sph_rotation_euler(SPH_EULER_ZYX, lon * DEG, lat * DEG, 0.0, m);
      sph_rotation_apply_ang(m, 0.0, 0.0, &t, &p);
      sph_ang2vec(t, p, pole);
      double rolled[3];
      sph_rotation_euler(SPH_EULER_ZYX, lon * DEG, lat * DEG, 0.7, m);
      sph_rotation_apply_ang(m, 0.0, 0.0, &t, &p);
      sph_ang2vec(t, p, rolled);
      assert_close(rolled[0], pole[0], 1e-14);
      assert_close(remainder(atan2(rolled[1], rolled[2]) - atan2(pole[1], pole[2]) - 0.7,
                             2 * M_PI),
                   0.0, 1e-12);
    }
  }
}

static void test_euler_zyz_healpy(void)
{
  char *out = reference_copy("zyz");
  if (out == NULL)
    return;
  static const char *pairs[] = {"GC", "CG", "GE", "EG", "CE", "EC", "GG"};
  char *p = out;
  for (size_t k = 0; k < G_N_ELEMENTS(pairs); k++) {
    double want[3], got[3];
    for (int i = 0; i < 3; i++)
      want[i] = g_ascii_strtod(p, &p);
    SphCoordSys a = sph_coordsys_from_letter(pairs[k][0]);
    SphCoordSys b = sph_coordsys_from_letter(pairs[k][1]);
    sph_coord_euler_zyz(a, b, &got[0], &got[1], &got[2]);
    for (int i = 0; i < 3; i++)
      assert_close(remainder(got[i] - want[i], 2 * M_PI), 0.0, 1e-12);
  }
  g_free(out);
}

static void test_angles_vectors(void)
{
  double v[3], t, p;
  sph_ang2vec(0.0, 1.0, v);
  sph_vec2ang(v, &t, &p);
  g_assert_cmpfloat(t, ==, 0.0);
  sph_ang2vec(M_PI, 0.0, v);
  sph_vec2ang(v, &t, &p);
  assert_close(t, M_PI, 1e-15);
  /* Near the pole atan2 keeps the colatitude to full relative precision. */
  sph_ang2vec(1e-10, 2.0, v);
  sph_vec2ang(v, &t, &p);
  assert_close(t / 1e-10, 1.0, 1e-15);
  assert_close(p, 2.0, 1e-15);
  /* Longitudes come back in [0, 2 pi). */
  sph_ang2vec(1.0, -0.5, v);
  sph_vec2ang(v, &t, &p);
  assert_close(p, 2 * M_PI - 0.5, 1e-15);
  /* Unnormalised vectors. */
  double w[3] = {0.0, 3.0, 0.0};
  sph_vec2ang(w, &t, &p);
  assert_close(t, M_PI / 2, 1e-15);
  assert_close(p, M_PI / 2, 1e-15);

  SphCoordSys f;
  g_assert_true(sph_coordsys_from_name("G", &f) && f == SPH_COORD_GALACTIC);
  g_assert_true(sph_coordsys_from_name("c", &f) && f == SPH_COORD_EQUATORIAL);
  g_assert_true(sph_coordsys_from_name("Q", &f) && f == SPH_COORD_EQUATORIAL);
  g_assert_true(sph_coordsys_from_name("Ecliptic", &f) && f == SPH_COORD_ECLIPTIC);
  g_assert_true(sph_coordsys_from_name("equatorial", &f) && f == SPH_COORD_EQUATORIAL);
  g_assert_false(sph_coordsys_from_name("X", &f));
  g_assert_false(sph_coordsys_from_name("", &f));
  g_assert_false(sph_coordsys_from_name(NULL, &f));
  g_assert_false(sph_coordsys_from_name("galacticx", &f));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/coords/frames/healpy", test_frames_healpy);
  g_test_add_func("/coords/frames/identities", test_frames_identities);
  g_test_add_func("/coords/frames/published", test_frames_published);
  g_test_add_func("/coords/rotations/healpy", test_rotations_healpy);
  g_test_add_func("/coords/rotations/view", test_view_rotation);
  g_test_add_func("/coords/euler-zyz/healpy", test_euler_zyz_healpy);
  g_test_add_func("/coords/angles-vectors", test_angles_vectors);
  return g_test_run();
}
