/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli's spherical harmonic commands end to end: synfast (seeded, reproducible),
 * anafast (pol, masked with dipole removal), map2alm, alm2map, smooth and rotate, each
 * file read back by healpy and compared with healpy's own result to 1e-10; --help and
 * the one-line failures. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "cli-test-helpers.h"
#include "sphaera/healpix.h"

static const char compare_script[] =
    PY_IMPORTS
    "import os\n"
    "d = sys.argv[1]\n"
    "p = lambda n: os.path.join(d, n)\n"
    "def rel(a, b):\n"
    "    a, b = np.asarray(a), np.asarray(b)\n"
    "    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))\n"
    "m = np.array(hp.read_map(p('cmb.fits'), field=(0, 1, 2)))\n"
    "print('synfast_same=%d' % np.array_equal(m, hp.read_map(p('cmb2.fits'), field=(0, 1, 2))))\n"
    "cl = hp.read_cl(p('cl.fits'))\n"
    "print('anafast=%.3e' % rel(cl, hp.anafast(m, pol=True, iter=3)))\n"
    "mask = hp.read_map(p('mask.fits'))\n"
    "t = m[0].copy(); t[mask == 0] = hp.UNSEEN\n"
    "t = hp.remove_dipole(t, verbose=False); t[mask == 0] = 0\n"
    "print('anafast_mask=%.3e' % rel(hp.read_cl(p('clmask.fits')), hp.anafast(t * mask, iter=3)))\n"
    "alm = np.array(hp.read_alm(p('alm.fits'), hdu=(1, 2, 3)))\n"
    "print('map2alm=%.3e' % rel(alm, hp.map2alm(m, lmax=40, iter=3, pol=True)))\n"
    "back = hp.read_map(p('back.fits'), field=(0, 1, 2))\n"
    "print('alm2map=%.3e' % rel(back, hp.alm2map(alm, 16, pol=True)))\n"
    "sm = hp.read_map(p('smooth.fits'), field=(0, 1, 2))\n"
    "want = hp.smoothing(m, fwhm=np.radians(5), iter=3, pol=True, use_pixel_weights=False)\n"
    "print('smooth=%.3e' % rel(sm, want))\n"
    "rot, h = hp.read_map(p('rot.fits'), field=(0, 1, 2), h=True)\n"
    "want = hp.Rotator(coord=['G', 'C']).rotate_map_alms(m, use_pixel_weights=False)\n"
    "print('rotate_frame=%.3e' % rel(rot, want))\n"
    "print('rotate_coordsys=%s' % dict(h).get('COORDSYS', ''))\n"
    "a = hp.map2alm(m[0], iter=3)\n"
    "hp.rotate_alm(a, *np.radians([10.0, 20.0, 30.0]))\n"
    "print('rotate_euler=%.3e' % rel(hp.read_map(p('rot2.fits')), hp.alm2map(a, 16)))\n"
    "w = hp.read_alm(p('almw.fits'))\n"
    "print('map2alm_weights=%.3e' % rel(w, hp.map2alm(m[0], lmax=40, iter=3, use_weights=True)))\n"
    "am = hp.read_alm(p('almm.fits'))\n"
    "print('map2alm_mmax=%.3e' % rel(am, hp.map2alm(m[0], lmax=40, mmax=20, iter=3)))\n"
    "bm = hp.read_map(p('backm.fits'))\n"
    "print('alm2map_mmax=%.3e' % rel(bm, hp.alm2map(am, 16, lmax=40, mmax=20)))\n"
    "h = hp.read_map(p('holes.fits'))\n"
    "print('map2alm_mask_bad=%.3e' % rel(hp.read_alm(p('almh.fits')), hp.map2alm(h, lmax=40, iter=3)))\n";

static void run_ok(const char *a0, const char *a1, const char *a2, const char *a3,
                   const char *a4, const char *a5, const char *a6, const char *a7)
{
  CliRun r = run_cli(a0, a1, a2, a3, a4, a5, a6, a7, NULL);
  if (r.status != 0)
    g_error("sphaera-cli %s failed (%d): %s", a0, r.status, r.err);
  g_assert_cmpstr(r.err, ==, "");
  cli_run_clear(&r);
}

static void test_against_healpy(void)
{
  char *dir = make_temp_dir();
  char *cls = data_path("totcls.dat");
  char *cmb = g_build_filename(dir, "cmb.fits", NULL), *cmb2 = g_build_filename(dir, "cmb2.fits", NULL);
  char *cl = g_build_filename(dir, "cl.fits", NULL), *clmask = g_build_filename(dir, "clmask.fits", NULL);
  char *mask = g_build_filename(dir, "mask.fits", NULL), *alm = g_build_filename(dir, "alm.fits", NULL);
  char *back = g_build_filename(dir, "back.fits", NULL), *sm = g_build_filename(dir, "smooth.fits", NULL);
  char *rot = g_build_filename(dir, "rot.fits", NULL), *rot2 = g_build_filename(dir, "rot2.fits", NULL);
  CliRun r = run_cli("synfast", cls, cmb, "--nside", "16", "--seed", "7", "--fwhm-deg", "1", NULL);
  g_assert_cmpint(r.status, ==, 0);
  cli_run_clear(&r);
  r = run_cli("synfast", cls, cmb2, "--seed", "7", "--nside", "16", "--fwhm-deg", "1", NULL);
  g_assert_cmpint(r.status, ==, 0);
  cli_run_clear(&r);
  SphError err = SPH_ERROR_INIT;
  SphMap *m = sph_map_new(16, SPH_ORDER_RING, 1, &err);
  for (int64_t p = 0; p < m->npix; p++) {
    double th, ph;
    sph_hp_pix2ang_ring(16, p, &th, &ph);
    m->fields[0].values[p] = fabs(cos(th)) < 0.25 ? 0.0 : 1.0;
  }
  g_assert_cmpint(sph_fits_write_map(mask, m, NULL, &err), ==, SPH_OK);
  sph_map_free(m);
  run_ok("anafast", cmb, cl, "--pol", NULL, NULL, NULL, NULL);
  run_ok("anafast", cmb, clmask, "--mask", mask, "--remove-dipole", "--iter", "3");
  /* A FITS spectrum (six components from anafast --pol) feeds synfast too. */
  char *fromfits = g_build_filename(dir, "fromfits.fits", NULL);
  run_ok("synfast", cl, fromfits, "--nside", "8", "--seed", "2", NULL);
  SphMap *ff = read_map(fromfits);
  g_assert_cmpint(ff->nfields, ==, 3);
  g_assert_cmpint(ff->nside, ==, 8);
  sph_map_free(ff);
  g_free(fromfits);
  run_ok("map2alm", cmb, alm, "--lmax", "40", "--pol", NULL, NULL);
  run_ok("alm2map", alm, back, "--nside", "16", "--pol", NULL, NULL);
  run_ok("smooth", cmb, sm, "--fwhm-deg", "5", "--pol", NULL, NULL);
  run_ok("rotate", cmb, rot, "--frame", "G:C", "--pol", NULL, NULL);
  run_ok("rotate", cmb, rot2, "--euler", "10,20,30", NULL, NULL, NULL);
  /* Ring weights (healpy's use_weights=True), and missing pixels masked on request. */
  char *almw = g_build_filename(dir, "almw.fits", NULL), *almh = g_build_filename(dir, "almh.fits", NULL);
  char *holes = g_build_filename(dir, "holes.fits", NULL);
  char *almm = g_build_filename(dir, "almm.fits", NULL), *backm = g_build_filename(dir, "backm.fits", NULL);
  run_ok("map2alm", cmb, almm, "--lmax", "40", "--mmax", "20", NULL);
  run_ok("alm2map", almm, backm, "--nside", "16", NULL, NULL, NULL);
  run_ok("map2alm", cmb, almw, "--lmax", "40", "--weights", "ring", NULL);
  SphMap *hm = read_map(cmb);
  hm->fields[0].values[5] = SPH_UNSEEN;
  hm->fields[0].values[700] = SPH_UNSEEN;
  g_assert_cmpint(sph_fits_write_map(holes, hm, NULL, &err), ==, SPH_OK);
  sph_map_free(hm);
  r = run_cli("map2alm", holes, almh, "--lmax", "40", NULL);
  assert_one_line_failure(&r, "holes.fits", "UNSEEN");
  cli_run_clear(&r);
  run_ok("map2alm", holes, almh, "--lmax", "40", "--mask-bad", NULL, NULL);
  /* bench sht prints the two medians. */
  r = run_cli("bench", "sht", "--nside", "8", "--lmax", "16", "--runs", "3", "--threads", "1", NULL);
  g_assert_cmpint(r.status, ==, 0);
  g_assert_nonnull(strstr(r.out, "\nalm2map_s="));
  g_assert_nonnull(strstr(r.out, "\nmap2alm_s="));
  cli_run_clear(&r);
  r = run_cli("bench", "sht", "--grid", "gl", "--lmax", "15", "--runs", "1", NULL);
  g_assert_cmpint(r.status, ==, 0);
  g_assert_nonnull(strstr(r.out, "grid=gl"));
  cli_run_clear(&r);
  char *out = run_python(compare_script, dir, NULL);
  if (out != NULL) {
    GHashTable *t = parse_keys(out);
    g_test_message("%s", out);
    g_assert_cmpfloat(key_double(t, "synfast_same"), ==, 1.0);
    const char *keys[] = { "anafast", "anafast_mask", "map2alm", "alm2map", "smooth",
                           "rotate_frame", "rotate_euler", "map2alm_weights",
                           "map2alm_mask_bad", "map2alm_mmax", "alm2map_mmax" };
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
      g_assert_cmpfloat(key_double(t, keys[i]), <=, 1e-10);
    g_assert_cmpstr(g_hash_table_lookup(t, "rotate_coordsys"), ==, "C");
    g_hash_table_unref(t);
    g_free(out);
  }
  remove_dir(dir);
  char *paths[] = { cls, cmb, cmb2, cl, clmask, mask, alm, back, sm, rot, rot2, almw, almh, holes, almm, backm, dir };
  for (size_t i = 0; i < G_N_ELEMENTS(paths); i++)
    g_free(paths[i]);
}

static void test_failures(void)
{
  char *dir = make_temp_dir();
  char *cls = data_path("totcls.dat");
  char *map = g_build_filename(dir, "t.fits", NULL), *out = g_build_filename(dir, "o.fits", NULL);
  CliRun r = run_cli("synfast", cls, map, "--nside", "8", NULL);
  g_assert_cmpint(r.status, ==, 0);
  cli_run_clear(&r);
  char *rot = g_build_filename(dir, "rot.fits", NULL);
  r = run_cli("rotate", map, rot, "--frame", "G:E", NULL);
  g_assert_cmpint(r.status, ==, 0);
  cli_run_clear(&r);
  r = run_cli("rotate", rot, out, "--frame", "G:C", NULL); /* rot.fits is Ecliptic now */
  assert_one_line_failure(&r, "COORDSYS", NULL);
  cli_run_clear(&r);
  g_free(rot);
  SphMap *m = read_map(map);
  m->fields[0].values[5] = SPH_UNSEEN;
  char *holes = g_build_filename(dir, "holes.fits", NULL);
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_fits_write_map(holes, m, NULL, &err), ==, SPH_OK);
  sph_map_free(m);
  r = run_cli("anafast", holes, out, NULL);
  assert_one_line_failure(&r, "holes.fits", "UNSEEN");
  cli_run_clear(&r);
  g_free(holes);
  r = run_cli("map2alm", map, out, NULL);
  assert_one_line_failure(&r, "--lmax", NULL);
  cli_run_clear(&r);
  r = run_cli("map2alm", map, out, "--lmax", "8", "--iter", "2", "--tol", "1e-8", NULL);
  assert_one_line_failure(&r, "--iter", "--tol");
  cli_run_clear(&r);
  r = run_cli("map2alm", map, out, "--lmax", "100", NULL);
  assert_one_line_failure(&r, "4 NSIDE", NULL);
  cli_run_clear(&r);
  r = run_cli("map2alm", map, out, "--lmax", "8", "--weights", "no-such-weights.fits", NULL);
  assert_one_line_failure(&r, "no-such-weights.fits", NULL);
  cli_run_clear(&r);
  if (g_file_test("/usr/share/healpy/data/weight_ring_n00016.fits", G_FILE_TEST_IS_REGULAR)) {
    r = run_cli("map2alm", map, out, "--lmax", "8", "--weights",
                "/usr/share/healpy/data/weight_ring_n00016.fits", NULL);
    assert_one_line_failure(&r, "NSIDE=16", "NSIDE=8");
    cli_run_clear(&r);
  }
  /* A mask of another NSIDE. */
  char *mask16 = g_build_filename(dir, "mask16.fits", NULL);
  r = run_cli("synfast", cls, mask16, "--nside", "16", NULL);
  g_assert_cmpint(r.status, ==, 0);
  cli_run_clear(&r);
  r = run_cli("anafast", map, out, "--mask", mask16, NULL);
  assert_one_line_failure(&r, "mask16.fits has NSIDE 16", "has 8");
  cli_run_clear(&r);
  g_free(mask16);
  r = run_cli("bench", "sht", "--lmax", "8", NULL);
  assert_one_line_failure(&r, "--nside", NULL);
  cli_run_clear(&r);
  r = run_cli("bench", "sht", "--nside", "4", "--lmax", "17", NULL);
  assert_one_line_failure(&r, "4 NSIDE", NULL);
  cli_run_clear(&r);
  r = run_cli("bench", "fft", NULL);
  assert_one_line_failure(&r, "sht", NULL);
  cli_run_clear(&r);
  r = run_cli("rotate", map, out, "--frame", "G:X", NULL);
  assert_one_line_failure(&r, "G:X", NULL);
  cli_run_clear(&r);
  r = run_cli("rotate", map, out, "--euler", "1,2", NULL);
  assert_one_line_failure(&r, "three angles", NULL);
  cli_run_clear(&r);
  r = run_cli("anafast", "missing.fits", out, NULL);
  assert_one_line_failure(&r, "missing.fits", NULL);
  cli_run_clear(&r);
  r = run_cli("smooth", map, out, NULL);
  assert_one_line_failure(&r, "--fwhm-deg", NULL);
  cli_run_clear(&r);
  r = run_cli("anafast", map, out, "--seed", "3", NULL);
  assert_one_line_failure(&r, "--seed", NULL);
  cli_run_clear(&r);
  r = run_cli("synfast", map, out, "--nside", "8", NULL); /* a map is not a spectrum */
  assert_one_line_failure(&r, "t.fits", NULL);
  cli_run_clear(&r);
  g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
  const char *cmds[] = { "map2alm", "alm2map", "anafast", "synfast", "smooth", "rotate" };
  for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
    r = run_cli(cmds[i], "--help", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_true(g_str_has_prefix(r.out, "Usage: sphaera-cli "));
    cli_run_clear(&r);
    r = run_cli("help", cmds[i], NULL);
    g_assert_cmpint(r.status, ==, 0);
    cli_run_clear(&r);
  }
  r = run_cli("--help", NULL);
  g_assert_nonnull(strstr(r.out, "anafast"));
  cli_run_clear(&r);
  remove_dir(dir);
  g_free(dir);
  g_free(cls);
  g_free(map);
  g_free(out);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cli-sht/against-healpy", test_against_healpy);
  g_test_add_func("/cli-sht/failures", test_failures);
  return g_test_run();
}
