/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli wavelet end to end: the files written (one per scale, each at its own
 * NSIDE, and the manifest), the scaling and a wavelet map against healpy filtering with
 * kernels recomputed in Python by scipy quadrature, the synthesis back to the input map,
 * --help and the one-line failures; sphaera-cli scatter on a FITS image and on a PNG (written
 * here byte by byte) against the library's scattering of the same pixels. */
#include <glib.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "cli-test-helpers.h"
#include "sphaera/fits_image.h"
#include "sphaera/healpix.h"
#include "sphaera/ring_geometry.h"
#include "sphaera/scattering.h"
#include "sphaera/scattering_cov.h"
#include "sphaera/scattering_sphere.h"
#include "sphaera/rng.h"
#include "sphaera/sht.h"
#include "sphaera/wavelet_sphere_dir.h"

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

/* --N 4: one file per scale and direction, each equal to the library's directional
 * coefficients of the same map, and the exact synthesis back; N out of range fails. */
static void test_directional(void)
{
  char *dir = make_temp_dir();
  char *in = g_build_filename(dir, "in.fits", NULL);
  char *out = g_build_filename(dir, "out", NULL);
  char *back = g_build_filename(dir, "back.fits", NULL);
  SphMap *map = write_band_limited(in, 16, 32);
  CliRun r = run_cli("wavelet", in, out, "--N", "4", "--lmax", "32", "--tol", "1e-12", NULL);
  if (r.status != 0)
    g_error("wavelet --N 4 failed: %s", r.err);
  g_assert_cmpstr(r.err, ==, "");
  cli_run_clear(&r);
  /* scaling, 7 directions of scales 2..5, and the manifest */
  g_assert_cmpint(count_entries(out), ==, 1 + 4 * 7 + 1);

  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_healpix(16, &err);
  SphWaveletDirPlan *plan =
    sph_wavelet_dir_plan_new(g, 2.0, 33, 2, 4, SPH_WAVELET_MULTIRESOLUTION, &err);
  g_assert_nonnull(plan);
  double *coeffs = g_new(double, sph_wavelet_dir_plan_size(plan));
  SphShtIterOptions options = SPH_SHT_ITER_DEFAULT;
  options.tolerance = 1e-12;
  options.max_iter = 200;
  g_assert_cmpint(sph_wavelet_dir_analysis(plan, map->fields[0].values, coeffs, &options, NULL,
                                           &err), ==, SPH_OK);
  double worst = 0;
  for (int k = 0; k < 7; k += 3) {
    char name[64];
    g_snprintf(name, sizeof name, "scale-04-dir-%02d.fits", k);
    char *path = g_build_filename(out, name, NULL);
    SphMap *band = read_map(path);
    const double *want = coeffs + sph_wavelet_dir_plan_map_offset(plan, 3, k);
    g_assert_cmpint(band->npix, ==,
                    sph_wavelet_plan_band_npix(sph_wavelet_dir_plan_axisym(plan), 3));
    for (int64_t i = 0; i < band->npix; i++)
      worst = fmax(worst, fabs(band->fields[0].values[i] - want[i]));
    sph_map_free(band);
    g_free(path);
  }
  g_test_message("directional files against the library: max difference %.3g", worst);
  g_assert_cmpfloat(worst, <=, 1e-12);

  r = run_cli("wavelet", "--synthesise", out, back, "--tol", "1e-12", NULL);
  if (r.status != 0)
    g_error("wavelet --synthesise (N = 4) failed: %s", r.err);
  g_assert_cmpstr(r.err, ==, "");
  cli_run_clear(&r);
  SphMap *got = read_map(back);
  double num = 0, den = 0;
  for (int64_t i = 0; i < map->npix; i++) {
    double d = got->fields[0].values[i] - map->fields[0].values[i];
    num += d * d;
    den += map->fields[0].values[i] * map->fields[0].values[i];
  }
  g_test_message("directional round trip through FITS: relative L2 %.3g", sqrt(num / den));
  g_assert_cmpfloat(sqrt(num / den), <=, 1e-9);
  sph_map_free(got);

  r = run_cli("wavelet", in, out, "--N", "0", NULL);
  assert_one_line_failure(&r, "--N 0", NULL);
  cli_run_clear(&r);
  r = run_cli("wavelet", in, out, "--N", "40", "--lmax", "32", NULL);
  assert_one_line_failure(&r, "N = 40", NULL);
  cli_run_clear(&r);

  g_free(coeffs);
  sph_wavelet_dir_plan_free(plan);
  sph_ring_geometry_free(g);
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

/* Checks OUT.csv against the plan's labels and sph_scattering2d_means of pixels. */
static void check_scatter_csv(const char *csv, const SphScattering2D *plan, const double *pixels,
                              double tolerance)
{
  int64_t n = sph_scattering2d_ncoeffs(plan);
  double *want = g_new(double, n);
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_scattering2d_means(plan, pixels, want, &err), ==, SPH_OK);
  char *text = NULL;
  g_assert_true(g_file_get_contents(csv, &text, NULL, NULL));
  char **lines = g_strsplit(text, "\n", -1);
  g_assert_cmpstr(lines[0], ==, "index,order,j1,l1,j2,l2,value");
  double worst = 0, scale = 0;
  for (int64_t i = 0; i < n; i++) {
    const char *line = lines[i + 1];
    g_assert_nonnull(line);
    long long index;
    int order, j1, l1, j2, l2;
    double value;
    g_assert_cmpint(sscanf(line, "%lld,%d,%d,%d,%d,%d,%lf", &index, &order, &j1, &l1, &j2, &l2,
                           &value), ==, 7);
    SphScatterLabel label = sph_scattering2d_label(plan, i);
    g_assert_cmpint(index, ==, i);
    g_assert_cmpint(order, ==, label.order);
    g_assert_cmpint(j1, ==, label.j1);
    g_assert_cmpint(l1, ==, label.l1);
    g_assert_cmpint(j2, ==, label.j2);
    g_assert_cmpint(l2, ==, label.l2);
    worst = fmax(worst, fabs(value - want[i]));
    scale = fmax(scale, fabs(want[i]));
  }
  g_assert_cmpstr(lines[n + 1], ==, "");
  g_assert_null(lines[n + 2]);
  g_test_message("%s: %" G_GINT64_FORMAT " rows, largest difference from the library %.2e "
                 "(largest value %.3g)", csv, n, worst, scale);
  g_assert_cmpfloat(worst, <=, tolerance * scale);
  g_strfreev(lines);
  g_free(text);
  g_free(want);
}

static void test_scatter_fits(void)
{
  char *dir = make_temp_dir();
  char *in = g_build_filename(dir, "image.fits", NULL);
  char *csv = g_build_filename(dir, "coeffs.csv", NULL);
  SphError err = SPH_ERROR_INIT;
  SphImage *image = sph_image_new(40, 52, &err);
  g_assert_nonnull(image);
  SphRng rng;
  sph_rng_init(&rng, 21, 0);
  for (int64_t i = 0; i < sph_image_npix(image); i++)
    image->data[i] = sph_rng_normal(&rng);
  g_assert_cmpint(sph_fits_write_image(in, image, &err), ==, SPH_OK);
  CliRun r = run_cli("scatter", "--J", "3", "--L", "4", in, csv, NULL);
  g_assert_cmpint(r.status, ==, 0);
  g_assert_cmpstr(r.err, ==, "");
  cli_run_clear(&r);
  SphScattering2D *plan = sph_scattering2d_new(40, 52, 3, 4, 2, SPH_BOUNDARY_REFLECT, &err);
  g_assert_nonnull(plan);
  g_assert_cmpint(sph_scattering2d_ncoeffs(plan), ==, 1 + 3 * 4 + 16 * 3);
  check_scatter_csv(csv, plan, image->data, 1e-15);
  sph_scattering2d_free(plan);
  /* Periodic, first order only. */
  r = run_cli("scatter", "--J", "2", "--L", "6", "--order", "1", "--boundary", "periodic", in,
              csv, NULL);
  g_assert_cmpint(r.status, ==, 0);
  cli_run_clear(&r);
  plan = sph_scattering2d_new(40, 52, 2, 6, 1, SPH_BOUNDARY_PERIODIC, &err);
  g_assert_nonnull(plan);
  check_scatter_csv(csv, plan, image->data, 1e-15);
  sph_scattering2d_free(plan);
  sph_image_free(image);
  g_remove(in);
  g_remove(csv);
  g_rmdir(dir);
  g_free(in);
  g_free(csv);
  g_free(dir);
}

static void put_be32(GByteArray *a, uint32_t v)
{
  uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
  g_byte_array_append(a, b, 4);
}

static void put_chunk(GByteArray *a, const char *type, const uint8_t *data, uint32_t n)
{
  put_be32(a, n);
  g_byte_array_append(a, (const uint8_t *)type, 4);
  uLong crc = crc32(0, (const Bytef *)type, 4);
  if (n > 0) { /* zlib's crc32 of a NULL buffer restarts the sum */
    g_byte_array_append(a, data, n);
    crc = crc32(crc, data, n);
  }
  put_be32(a, (uint32_t)crc);
}

/* An 8-bit greyscale PNG by the specification: signature, IHDR, one zlib IDAT, IEND. */
static void write_grey_png(const char *path, int height, int width, const uint8_t *pixels)
{
  GByteArray *png = g_byte_array_new();
  static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  g_byte_array_append(png, signature, 8);
  uint8_t ihdr[13] = {0};
  for (int i = 0; i < 4; i++) {
    ihdr[i] = (uint8_t)(width >> (24 - 8 * i));
    ihdr[4 + i] = (uint8_t)(height >> (24 - 8 * i));
  }
  ihdr[8] = 8; /* bit depth; colour type 0 (grey), no interlace */
  put_chunk(png, "IHDR", ihdr, 13);
  size_t raw_size = (size_t)height * (size_t)(width + 1);
  uint8_t *raw = g_malloc(raw_size);
  for (int r = 0; r < height; r++) {
    raw[(size_t)r * (size_t)(width + 1)] = 0; /* filter: none */
    memcpy(raw + (size_t)r * (size_t)(width + 1) + 1, pixels + (size_t)r * (size_t)width,
           (size_t)width);
  }
  uLongf packed_size = compressBound(raw_size);
  uint8_t *packed = g_malloc(packed_size);
  g_assert_cmpint(compress(packed, &packed_size, raw, raw_size), ==, Z_OK);
  put_chunk(png, "IDAT", packed, (uint32_t)packed_size);
  put_chunk(png, "IEND", NULL, 0);
  g_assert_true(g_file_set_contents(path, (const char *)png->data, png->len, NULL));
  g_free(raw);
  g_free(packed);
  g_byte_array_free(png, TRUE);
}

static void test_scatter_png(void)
{
  char *dir = make_temp_dir();
  char *in = g_build_filename(dir, "image.png", NULL);
  char *csv = g_build_filename(dir, "coeffs.csv", NULL);
  const int height = 24, width = 32;
  uint8_t pixels[24 * 32];
  double values[24 * 32];
  for (int i = 0; i < height * width; i++) {
    pixels[i] = (uint8_t)((i * 37 + (i / width) * 11) % 256);
    values[i] = pixels[i] / 255.0;
  }
  write_grey_png(in, height, width, pixels);
  CliRun r = run_cli("scatter", "--J", "2", "--L", "4", in, csv, NULL);
  if (r.status != 0)
    g_error("scatter failed: %s", r.err);
  cli_run_clear(&r);
  SphError err = SPH_ERROR_INIT;
  SphScattering2D *plan = sph_scattering2d_new(height, width, 2, 4, 2, SPH_BOUNDARY_REFLECT, &err);
  g_assert_nonnull(plan);
  /* cairo reads grey as equal red, green and blue; the luminance weights sum to 1. */
  check_scatter_csv(csv, plan, values, 1e-13);
  sph_scattering2d_free(plan);
  g_remove(in);
  g_remove(csv);
  g_rmdir(dir);
  g_free(in);
  g_free(csv);
  g_free(dir);
}

static void test_scatter_failures(void)
{
  char *dir = make_temp_dir();
  char *map_path = g_build_filename(dir, "map.fits", NULL);
  char *in = g_build_filename(dir, "image.fits", NULL);
  char *csv = g_build_filename(dir, "coeffs.csv", NULL);
  SphMap *map = write_band_limited(map_path, 4, 8);
  sph_map_free(map);
  SphError err = SPH_ERROR_INIT;
  SphImage *image = sph_image_new(20, 30, &err);
  g_assert_cmpint(sph_fits_write_image(in, image, &err), ==, SPH_OK);
  sph_image_free(image);
  CliRun r = run_cli("scatter", "--help", NULL);
  g_assert_cmpint(r.status, ==, 0);
  g_assert_true(g_str_has_prefix(r.out, "Usage: sphaera-cli scatter"));
  cli_run_clear(&r);
  r = run_cli("scatter", "--lmax", "17", map_path, csv, NULL);
  assert_one_line_failure(&r, "--lmax 17", "4 NSIDE");
  cli_run_clear(&r);
  r = run_cli("scatter", "--jmin", "7", map_path, csv, NULL);
  assert_one_line_failure(&r, "map.fits", "J_min = 7");
  cli_run_clear(&r);
  r = run_cli("scatter", "--oversample", "3", map_path, csv, NULL);
  assert_one_line_failure(&r, "--oversample 3", NULL);
  cli_run_clear(&r);
  char *text_path = g_build_filename(dir, "notes.fits", NULL);
  g_assert_true(g_file_set_contents(text_path, "not a FITS file\n", -1, NULL));
  r = run_cli("scatter", text_path, csv, NULL);
  assert_one_line_failure(&r, "notes.fits", NULL);
  cli_run_clear(&r);
  g_remove(text_path);
  g_free(text_path);
  /* A blank pixel: refused with its position. */
  SphImage *holed = sph_image_new(20, 30, &err);
  holed->data[3 * 30 + 7] = NAN;
  char *holed_path = g_build_filename(dir, "holed.fits", NULL);
  g_assert_cmpint(sph_fits_write_image(holed_path, holed, &err), ==, SPH_OK);
  sph_image_free(holed);
  r = run_cli("scatter", holed_path, csv, NULL);
  assert_one_line_failure(&r, "holed.fits", "row 3, column 7");
  cli_run_clear(&r);
  g_remove(holed_path);
  g_free(holed_path);
  r = run_cli("scatter", "--order", "3", in, csv, NULL);
  assert_one_line_failure(&r, "--order 3", NULL);
  cli_run_clear(&r);
  r = run_cli("scatter", "--boundary", "periodic", "--J", "2", in, csv, NULL);
  assert_one_line_failure(&r, "image.fits", "multiples of 2^J = 4");
  cli_run_clear(&r);
  r = run_cli("scatter", "--J", "6", in, csv, NULL);
  assert_one_line_failure(&r, "image.fits", "too small");
  cli_run_clear(&r);
  r = run_cli("scatter", "--boundary", "mirror", in, csv, NULL);
  assert_one_line_failure(&r, "mirror", NULL);
  cli_run_clear(&r);
  g_assert_false(g_file_test(csv, G_FILE_TEST_EXISTS));
  g_remove(map_path);
  g_remove(in);
  g_rmdir(dir);
  g_free(map_path);
  g_free(in);
  g_free(csv);
  g_free(dir);
}

/* scatter on a HEALPix map against the library: map2alm (iter 3) then the spherical
 * scattering, with and without the oversampled modulus. */
static void test_scatter_map(void)
{
  char *dir = make_temp_dir();
  char *in = g_build_filename(dir, "map.fits", NULL);
  char *csv = g_build_filename(dir, "coeffs.csv", NULL);
  sph_map_free(write_band_limited(in, 8, 16));
  SphError err = SPH_ERROR_INIT;
  /* The pixels as the CLI reads them (the file may hold them as float32). */
  SphMap *map = sph_fits_read_map(in, NULL, &err);
  g_assert_nonnull(map);
  g_assert_cmpint(sph_map_reorder(map, SPH_ORDER_RING, &err), ==, SPH_OK);
  SphRingGeometry *g = sph_ring_geometry_healpix(8, &err);
  SphShtPlan *sht = sph_sht_plan_new(g, 23, -1, SPH_SHT_DEFAULT, &err);
  SphAlm *alm = sph_alm_new(23, 23, &err);
  g_assert_cmpint(sph_sht_map2alm_iterative(sht, map->fields[0].values, alm, NULL, NULL, &err), ==,
                  SPH_OK);
  for (int ov = 1; ov <= 2; ov++) {
    char ov_text[4];
    g_snprintf(ov_text, sizeof ov_text, "%d", ov);
    CliRun r = run_cli("scatter", "--oversample", ov_text, in, csv, NULL);
    if (r.status != 0)
      g_error("scatter failed: %s", r.err);
    cli_run_clear(&r);
    SphSphereScattering *plan = sph_sphere_scattering_new(2, 24, 2, 2, ov, &err);
    g_assert_nonnull(plan);
    int64_t n = sph_sphere_scattering_ncoeffs(plan);
    double *want = g_new(double, n);
    g_assert_cmpint(sph_sphere_scattering_alm(plan, alm, want, &err), ==, SPH_OK);
    char *text = NULL;
    g_assert_true(g_file_get_contents(csv, &text, NULL, NULL));
    char **lines = g_strsplit(text, "\n", -1);
    g_assert_cmpstr(lines[0], ==, "index,order,j1,l1,j2,l2,value");
    for (int64_t i = 0; i < n; i++) {
      long long index;
      int order, j1, l1, j2, l2;
      double value;
      g_assert_nonnull(lines[i + 1]);
      g_assert_cmpint(sscanf(lines[i + 1], "%lld,%d,%d,%d,%d,%d,%lf", &index, &order, &j1, &l1,
                             &j2, &l2, &value), ==, 7);
      SphScatterLabel label = sph_sphere_scattering_label(plan, i);
      g_assert_cmpint(order, ==, label.order);
      g_assert_cmpint(j1, ==, label.j1);
      g_assert_cmpint(j2, ==, label.j2);
      g_assert_cmpint(l1, ==, -1);
      g_assert_cmpfloat(fabs(value - want[i]), <=, 1e-15 * fabs(want[i]) + 1e-300);
    }
    g_assert_cmpstr(lines[n + 1], ==, "");
    g_strfreev(lines);
    g_free(text);
    g_free(want);
    sph_sphere_scattering_free(plan);
  }
  sph_alm_free(alm);
  sph_sht_plan_free(sht);
  sph_ring_geometry_free(g);
  sph_map_free(map);
  g_remove(in);
  g_remove(csv);
  g_rmdir(dir);
  g_free(in);
  g_free(csv);
  g_free(dir);
}

/* Checks a --stats cov CSV against the library's statistics of the same pixels: header,
 * labels, values read back exactly; S0 and P also against sums here. */
static void check_cov_csv(const char *csv, const SphImage *image, int J, int L,
                          SphScatCovNorm norm)
{
  SphError err = SPH_ERROR_INIT;
  SphScatteringCov *plan = sph_scattering_cov_new(image->height, image->width, J, L, norm, &err);
  g_assert_nonnull(plan);
  int64_t n = sph_scattering_cov_nstats(plan);
  double *stats = g_new(double, n);
  g_assert_cmpint(sph_scattering_cov_forward(plan, image->data, stats, &err), ==, SPH_OK);
  char *text = NULL;
  g_assert_true(g_file_get_contents(csv, &text, NULL, NULL));
  char **lines = g_strsplit(text, "\n", -1);
  g_assert_cmpstr(lines[0], ==, "index,kind,part,j1,l1,j2,l2,j3,l3,value");
  g_assert_cmpint(g_strv_length(lines), ==, n + 2); /* the header, and "" after the last newline */
  for (int64_t i = 0; i < n; i++) {
    SphScatCovLabel lab = sph_scattering_cov_label(plan, i);
    char *prefix = g_strdup_printf("%" G_GINT64_FORMAT ",%s,%s,%d,%d,%d,%d,%d,%d,", i,
                                   sph_scattering_cov_kind_name(lab.kind),
                                   lab.imag ? "im" : "re", lab.j1, lab.l1, lab.j2, lab.l2,
                                   lab.j3, lab.l3);
    g_assert_true(g_str_has_prefix(lines[i + 1], prefix));
    g_assert_cmpfloat(g_ascii_strtod(lines[i + 1] + strlen(prefix), NULL), ==, stats[i]);
    g_free(prefix);
  }
  double sum = 0, sum2 = 0;
  int64_t npix = sph_image_npix(image);
  for (int64_t i = 0; i < npix; i++) {
    sum += image->data[i];
    sum2 += image->data[i] * image->data[i];
  }
  g_assert_cmpfloat(fabs(stats[0] - sum / (double)npix), <=, 1e-14 * sqrt(sum2 / (double)npix));
  g_assert_cmpfloat(fabs(stats[1] - sum2 / (double)npix), <=, 1e-14 * sum2 / (double)npix);
  g_strfreev(lines);
  g_free(text);
  g_free(stats);
  sph_scattering_cov_free(plan);
}

static void test_scatter_cov(void)
{
  char *dir = make_temp_dir();
  char *in = g_build_filename(dir, "image.fits", NULL);
  char *map_path = g_build_filename(dir, "map.fits", NULL);
  char *csv = g_build_filename(dir, "cov.csv", NULL);
  SphError err = SPH_ERROR_INIT;
  SphImage *image = sph_image_new(32, 48, &err);
  SphRng rng;
  sph_rng_init(&rng, 61, 0);
  for (int64_t i = 0; i < sph_image_npix(image); i++)
    image->data[i] = sph_rng_normal(&rng) + 0.4 * sin(0.3 * (double)(i % 48));
  g_assert_cmpint(sph_fits_write_image(in, image, &err), ==, SPH_OK);
  CliRun r = run_cli("scatter", "--stats", "cov", "--J", "3", "--L", "2", in, csv, NULL);
  g_assert_cmpint(r.status, ==, 0);
  g_assert_cmpstr(r.err, ==, "");
  cli_run_clear(&r);
  check_cov_csv(csv, image, 3, 2, SPH_SCATCOV_NORM_SELF);
  r = run_cli("scatter", "--stats", "cov", "--norm", "none", "--J", "2", "--L", "3", in, csv,
              NULL);
  g_assert_cmpint(r.status, ==, 0);
  cli_run_clear(&r);
  check_cov_csv(csv, image, 2, 3, SPH_SCATCOV_NORM_NONE);
  g_remove(csv);
  /* Failures: each one line naming the problem, and no file. */
  r = run_cli("scatter", "--stats", "cov", "--J", "6", in, csv, NULL);
  assert_one_line_failure(&r, "image.fits", "J = 6 is too large");
  cli_run_clear(&r);
  r = run_cli("scatter", "--stats", "cov", "--J", "5", in, csv, NULL);
  assert_one_line_failure(&r, "image.fits", "multiples of 2^J = 32");
  cli_run_clear(&r);
  r = run_cli("scatter", "--stats", "moments", in, csv, NULL);
  assert_one_line_failure(&r, "--stats moments", NULL);
  cli_run_clear(&r);
  r = run_cli("scatter", "--stats", "cov", "--norm", "max", in, csv, NULL);
  assert_one_line_failure(&r, "--norm max", NULL);
  cli_run_clear(&r);
  r = run_cli("scatter", "--stats", "cov", "--boundary", "reflect", in, csv, NULL);
  assert_one_line_failure(&r, "periodic", NULL);
  cli_run_clear(&r);
  SphImage *flat = sph_image_new(16, 16, &err);
  g_assert_cmpint(sph_fits_write_image(in, flat, &err), ==, SPH_OK);
  sph_image_free(flat);
  r = run_cli("scatter", "--stats", "cov", "--J", "2", in, csv, NULL);
  assert_one_line_failure(&r, "image.fits", "constant image");
  cli_run_clear(&r);
  SphMap *map = write_band_limited(map_path, 4, 8);
  sph_map_free(map);
  r = run_cli("scatter", "--stats", "cov", map_path, csv, NULL);
  assert_one_line_failure(&r, "map.fits", "planar images");
  cli_run_clear(&r);
  g_assert_false(g_file_test(csv, G_FILE_TEST_EXISTS));
  sph_image_free(image);
  g_remove(in);
  g_remove(map_path);
  g_rmdir(dir);
  g_free(in);
  g_free(map_path);
  g_free(csv);
  g_free(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cli-wavelet/round-trip-healpy", test_round_trip_and_healpy);
  g_test_add_func("/cli-wavelet/failures", test_failures);
  g_test_add_func("/cli-wavelet/directional", test_directional);
  g_test_add_func("/cli-wavelet/scatter-fits", test_scatter_fits);
  g_test_add_func("/cli-wavelet/scatter-png", test_scatter_png);
  g_test_add_func("/cli-wavelet/scatter-map", test_scatter_map);
  g_test_add_func("/cli-wavelet/scatter-failures", test_scatter_failures);
  g_test_add_func("/cli-wavelet/scatter-cov", test_scatter_cov);
  return g_test_run();
}
