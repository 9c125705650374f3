/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli end to end (binary in SPHAERA_CLI): its answers on the WMAP W map against
 * numpy and healpy (through SPHAERA_PYTHON), round trips through convert, udgrade
 * against healpy.ud_grade, the rendered PNG against the colormap, and one-line errors. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "cli-test-helpers.h"
#include "sphaera/colormap.h"
#include "sphaera/fits_map.h"
#include "sphaera/healpix.h"
#include "sphaera/map.h"
#include "sphaera/projection.h"

/* ---- help, version, usage ---- */

static void test_help(void)
{
  CliRun run = run_cli("--help", NULL);
  g_assert_cmpint(run.status, ==, 0);
  g_assert_true(g_str_has_prefix(run.out, "Usage: sphaera-cli"));
  for (const char *const *c = (const char *const[]){"info", "convert", "udgrade", "render", NULL};
       *c != NULL; c++) {
    g_assert_nonnull(strstr(run.out, *c));
    CliRun sub = run_cli(*c, "--help", NULL);
    g_assert_cmpint(sub.status, ==, 0);
    char *want = g_strdup_printf("Usage: sphaera-cli %s", *c);
    g_assert_true(g_str_has_prefix(sub.out, want));
    g_free(want);
    g_assert_cmpstr(sub.err, ==, "");
    cli_run_clear(&sub);
    /* No file arguments: the usage on stderr, status 1. */
    sub = run_cli(*c, NULL);
    g_assert_cmpint(sub.status, ==, 1);
    g_assert_nonnull(strstr(sub.err, "Usage: sphaera-cli"));
    cli_run_clear(&sub);
  }
  cli_run_clear(&run);

  run = run_cli("--version", NULL);
  g_assert_cmpint(run.status, ==, 0);
  g_assert_true(g_str_has_prefix(run.out, "sphaera-cli "));
  g_assert_true(g_ascii_isdigit(run.out[strlen("sphaera-cli ")]));
  cli_run_clear(&run);

  run = run_cli(NULL);
  g_assert_cmpint(run.status, ==, 1);
  g_assert_nonnull(strstr(run.err, "Usage: sphaera-cli"));
  cli_run_clear(&run);

  run = run_cli("frobnicate", NULL);
  assert_one_line_failure(&run, "frobnicate", NULL);
  cli_run_clear(&run);
}

/* ---- info ---- */

static void test_info_wmap(void)
{
  char *path = data_path(WMAP_FILE);
  CliRun run = run_cli("info", path, NULL);
  g_assert_cmpint(run.status, ==, 0);
  g_assert_cmpstr(run.err, ==, "");
  GHashTable *keys = parse_keys(run.out);
  g_assert_cmpstr(g_hash_table_lookup(keys, "file"), ==, path);
  g_assert_cmpstr(g_hash_table_lookup(keys, "nside"), ==, "32");
  g_assert_cmpstr(g_hash_table_lookup(keys, "npix"), ==, "12288");
  g_assert_cmpstr(g_hash_table_lookup(keys, "nfields"), ==, "3");
  g_assert_cmpstr(g_hash_table_lookup(keys, "ordering"), ==, "RING");
  g_assert_cmpstr(g_hash_table_lookup(keys, "type"), ==, "float32");
  g_assert_cmpstr(g_hash_table_lookup(keys, "field0_name"), ==, "I_STOKES");
  g_assert_cmpstr(g_hash_table_lookup(keys, "field2_name"), ==, "U_STOKES");
  g_assert_nonnull(g_hash_table_lookup(keys, "coordsys"));

  static const char script[] = PY_IMPORTS
      "from astropy.io import fits\n"
      "m = np.atleast_2d(hp.read_map(sys.argv[1], field=None)).astype(np.float64)\n"
      "h = fits.getheader(sys.argv[1], 1)\n"
      "print(hp.get_nside(m[0]), m.shape[1], m.shape[0], h['ORDERING'].strip())\n"
      "for f in m:\n"
      "    seen = f[~np.isclose(f, hp.UNSEEN)]\n"
      "    print('%.17g %.17g %.17g %.17g %.17g' % (1 - seen.size / f.size, seen.min(),\n"
      "          seen.max(), seen.mean(), np.sqrt(np.mean(seen ** 2))))\n";
  char *out = run_python(script, path, NULL);
  if (out != NULL) {
    char **lines = g_strsplit(out, "\n", -1);
    int nside, npix, nfields;
    char ordering[16];
    g_assert_cmpint(sscanf(lines[0], "%d %d %d %15s", &nside, &npix, &nfields, ordering), ==, 4);
    g_assert_cmpfloat(key_double(keys, "nside"), ==, nside);
    g_assert_cmpfloat(key_double(keys, "npix"), ==, npix);
    g_assert_cmpfloat(key_double(keys, "nfields"), ==, nfields);
    g_assert_cmpstr(g_hash_table_lookup(keys, "ordering"), ==, ordering);
    static const char *stat_names[] = {"unseen_fraction", "min", "max", "mean", "rms"};
    for (int f = 0; f < nfields; f++) {
      double want[5];
      g_assert_cmpint(sscanf(lines[1 + f], "%lf %lf %lf %lf %lf", &want[0], &want[1],
                             &want[2], &want[3], &want[4]),
                      ==, 5);
      for (int s = 0; s < 5; s++) {
        char *key = g_strdup_printf("field%d_%s", f, stat_names[s]);
        double got = key_double(keys, key);
        if (s == 0)
          g_assert_cmpfloat(fabs(got - want[s]), <=, 1e-15);
        else
          assert_rel(got, want[s], 1e-12);
        g_free(key);
      }
    }
    g_strfreev(lines);
    g_free(out);
  }
  g_hash_table_destroy(keys);
  cli_run_clear(&run);
  g_free(path);
}

/* ---- convert ---- */

static void assert_maps_equal(const SphMap *a, const SphMap *b)
{
  g_assert_cmpint(a->nside, ==, b->nside);
  g_assert_cmpint(a->nfields, ==, b->nfields);
  g_assert_cmpint(a->ordering, ==, b->ordering);
  for (int f = 0; f < a->nfields; f++) {
    g_assert_cmpstr(a->fields[f].name, ==, b->fields[f].name);
    g_assert_cmpmem(a->fields[f].values, a->npix * sizeof(double), b->fields[f].values,
                    b->npix * sizeof(double));
  }
}

static void test_convert_round_trip(void)
{
  char *dir = make_temp_dir();
  char *in = data_path(WMAP_FILE);
  char *nest = g_build_filename(dir, "nest.fits", NULL);
  char *ring = g_build_filename(dir, "ring.fits", NULL);

  CliRun run = run_cli("convert", in, nest, "--ordering", "nest", NULL);
  g_assert_cmpint(run.status, ==, 0);
  g_assert_cmpstr(run.err, ==, "");
  cli_run_clear(&run);
  run = run_cli("convert", "--ordering=ring", nest, ring, NULL);
  g_assert_cmpint(run.status, ==, 0);
  cli_run_clear(&run);

  SphMap *original = read_map(in);
  SphMap *nested = read_map(nest);
  SphMap *back = read_map(ring);
  g_assert_cmpint(nested->ordering, ==, SPH_ORDER_NEST);
  assert_maps_equal(original, back);
  /* NEST pixel p holds the RING pixel nest2ring(p)'s value. */
  for (int64_t p = 0; p < nested->npix; p += 17)
    g_assert_cmpfloat(nested->fields[0].values[p], ==,
                      original->fields[0].values[sph_hp_nest2ring(32, p)]);

  /* One field, as float64. */
  char *q = g_build_filename(dir, "q.fits", NULL);
  run = run_cli("convert", in, q, "--field", "1", "--float64", NULL);
  g_assert_cmpint(run.status, ==, 0);
  cli_run_clear(&run);
  SphMap *qmap = read_map(q);
  g_assert_cmpint(qmap->nfields, ==, 1);
  g_assert_cmpstr(qmap->fields[0].name, ==, "Q_STOKES");
  g_assert_cmpmem(qmap->fields[0].values, qmap->npix * sizeof(double),
                  original->fields[1].values, original->npix * sizeof(double));

  /* healpy reads the NEST file (converting to RING, as read_map does) to the same values,
   * and sees the ordering and the stored float32 type; and the Q file as float64. */
  static const char script[] = PY_IMPORTS
      "from astropy.io import fits\n"
      "a = hp.read_map(sys.argv[1], field=None)\n"
      "b = hp.read_map(sys.argv[2], field=None)\n"
      "h = fits.getheader(sys.argv[2], 1)\n"
      "print(np.array_equal(a, b), h['ORDERING'].strip(), b.dtype.kind, b.dtype.itemsize)\n"
      "q = hp.read_map(sys.argv[3], field=0)\n"
      "print(np.array_equal(a[1].astype(np.float64), q), q.dtype.kind, q.dtype.itemsize)\n";
  char *out = run_python(script, in, nest, q, NULL);
  if (out != NULL) {
    g_assert_cmpstr(out, ==, "True NESTED f 4\nTrue f 8\n");
    g_free(out);
  }

  sph_map_free(original);
  sph_map_free(nested);
  sph_map_free(back);
  sph_map_free(qmap);
  remove_dir(dir);
  g_free(in);
  g_free(nest);
  g_free(ring);
  g_free(q);
  g_free(dir);
}

/* A partial-sky map from healpy, converted to a full one and back to partial: healpy
 * reads the same values (UNSEEN outside) from all three. */
static void test_convert_partial(void)
{
  char *dir = make_temp_dir();
  char *partial = g_build_filename(dir, "partial.fits", NULL);
  char *full = g_build_filename(dir, "full.fits", NULL);
  char *again = g_build_filename(dir, "again.fits", NULL);
  static const char make[] = PY_IMPORTS
      "m = np.arange(hp.nside2npix(16), dtype=np.float64) * 0.25 - 100\n"
      "th, ph = hp.pix2ang(16, np.arange(m.size))\n"
      "m[th > 1.0] = hp.UNSEEN\n"
      "hp.write_map(sys.argv[1], m, partial=True, dtype=np.float64)\n"
      "print((m != hp.UNSEEN).sum())\n";
  char *out = run_python(make, partial, NULL);
  if (out == NULL)
    goto done;
  int64_t nseen = g_ascii_strtoll(out, NULL, 10);
  g_free(out);
  g_assert_cmpint(nseen, >, 100);

  CliRun run = run_cli("convert", partial, full, NULL);
  g_assert_cmpint(run.status, ==, 0);
  cli_run_clear(&run);
  run = run_cli("convert", full, again, "--partial", NULL);
  g_assert_cmpint(run.status, ==, 0);
  cli_run_clear(&run);
  run = run_cli("info", again, NULL);
  g_assert_cmpint(run.status, ==, 0);
  GHashTable *keys = parse_keys(run.out);
  g_assert_cmpfloat(key_double(keys, "field0_nseen"), ==, (double)nseen);
  g_hash_table_destroy(keys);
  cli_run_clear(&run);

  static const char check[] = PY_IMPORTS
      "from astropy.io import fits\n"
      "a = hp.read_map(sys.argv[1])\n"
      "b = hp.read_map(sys.argv[2])\n"
      "c = hp.read_map(sys.argv[3])\n"
      "print(np.array_equal(a, b), np.array_equal(a, c),\n"
      "      fits.getheader(sys.argv[2], 1)['INDXSCHM'].strip(),\n"
      "      fits.getheader(sys.argv[3], 1)['INDXSCHM'].strip(),\n"
      "      len(fits.getdata(sys.argv[3], 1)))\n";
  out = run_python(check, partial, full, again, NULL);
  char *want = g_strdup_printf("True True IMPLICIT EXPLICIT %" G_GINT64_FORMAT "\n", nseen);
  g_assert_cmpstr(out, ==, want);
  g_free(want);
  g_free(out);
done:
  remove_dir(dir);
  g_free(partial);
  g_free(full);
  g_free(again);
  g_free(dir);
}

/* ---- udgrade ---- */

static void test_udgrade_healpy(void)
{
  char *dir = make_temp_dir();
  char *in = data_path(WMAP_FILE);
  const char *nsides[] = {"8", "16", "64"};
  char *paths[3];
  for (size_t k = 0; k < G_N_ELEMENTS(nsides); k++) {
    paths[k] = g_strdup_printf("%s/ud%s.fits", dir, nsides[k]);
    CliRun run = run_cli("udgrade", in, paths[k], "--nside", nsides[k], "--float64", NULL);
    g_assert_cmpint(run.status, ==, 0);
    g_assert_cmpstr(run.err, ==, "");
    cli_run_clear(&run);
    SphMap *map = read_map(paths[k]);
    g_assert_cmpint(map->nside, ==, g_ascii_strtoll(nsides[k], NULL, 10));
    g_assert_cmpint(map->nfields, ==, 3);
    sph_map_free(map);
  }

  static const char script[] = PY_IMPORTS
      "a = hp.read_map(sys.argv[1], field=None, dtype=np.float64)\n"
      "for path in sys.argv[2:]:\n"
      "    got = hp.read_map(path, field=None)\n"
      "    want = np.array([hp.ud_grade(f, hp.get_nside(got[0])) for f in a])\n"
      "    print(hp.get_nside(got[0]), '%.3g' % np.max(np.abs(got - want)), got.dtype.itemsize)\n";
  char *out = run_python(script, in, paths[0], paths[1], paths[2], NULL);
  if (out != NULL) {
    char **lines = g_strsplit(out, "\n", -1);
    for (size_t k = 0; k < G_N_ELEMENTS(nsides); k++) {
      char **words = g_strsplit(lines[k], " ", 3);
      g_assert_cmpuint(g_strv_length(words), ==, 3);
      g_assert_cmpstr(words[0], ==, nsides[k]);
      g_assert_cmpfloat(g_ascii_strtod(words[1], NULL), <=, 1e-12);
      g_assert_cmpstr(words[2], ==, "8");
      g_strfreev(words);
    }
    g_strfreev(lines);
    g_free(out);
  }
  for (size_t k = 0; k < G_N_ELEMENTS(nsides); k++)
    g_free(paths[k]);
  remove_dir(dir);
  g_free(in);
  g_free(dir);
}

/* ---- render ---- */

static void test_render_png(void)
{
  char *dir = make_temp_dir();
  char *in = data_path(WMAP_FILE);
  char *png = g_build_filename(dir, "w.png", NULL);
  char *raw = g_build_filename(dir, "w.rgb", NULL);
  CliRun run = run_cli("render", in, png, "--width", "1600", "--title", "WMAP W", NULL);
  g_assert_cmpint(run.status, ==, 0);
  g_assert_cmpstr(run.err, ==, "");
  cli_run_clear(&run);
  int w, h;
  png_size(png, &w, &h);
  g_assert_cmpint(w, ==, 1600);
  g_assert_cmpint(h, ==, 1016); /* 1600 * 5.4 / 8.5, mollview's aspect */

  /* The default width is healpy's 800. */
  char *small = g_build_filename(dir, "small.png", NULL);
  run = run_cli("render", in, small, "--cmap", "planck", NULL);
  g_assert_cmpint(run.status, ==, 0);
  cli_run_clear(&run);
  png_size(small, &w, &h);
  g_assert_cmpint(w, ==, 800);
  g_assert_cmpint(h, ==, 508);

  Image im;
  if (decode_png(png, raw, &im)) {
    /* Find the ellipse in the image: its leftmost and rightmost coloured pixels lie on
     * its equator, the widest row(s). */
    int left = im.width, right = -1, row_sum = 0, rows = 0;
    for (int j = im.height / 8; j < im.height * 3 / 4; j++) {
      int l = 0;
      while (l < im.width && is_white(pixel(&im, l, j)))
        l++;
      if (l < left) {
        left = l;
        row_sum = 0;
        rows = 0;
      }
      if (l == left) {
        row_sum += j;
        rows++;
      }
      int r = im.width - 1;
      while (r > 0 && is_white(pixel(&im, r, j)))
        r--;
      if (r > right)
        right = r;
    }
    double box_width = right - left + 1;
    double cx = 0.5 * (left + right + 1), cy = (double)row_sum / rows + 0.5;
    g_assert_cmpfloat(fabs(cx - 800.0), <=, 1.0); /* centred */

    /* The expected colour of the Galactic centre's pixel (as healpy's ang2pix picks
     * it), from the map's range. */
    SphMap *map = read_map(in);
    SphMapStats stats;
    sph_map_field_stats(map, 0, &stats);
    int64_t gc = sph_hp_ang2pix_ring(32, M_PI / 2, 0.0);
    double t = (map->fields[0].values[gc] - stats.min) / (stats.max - stats.min);
    const guchar *want = sph_colormap_table(SPH_CMAP_VIRIDIS) + 3 * sph_colormap_index(t);

    /* Where that pixel's centre lands: just above the image centre. */
    double theta, phi, x, y;
    sph_hp_pix2ang_ring(32, gc, &theta, &phi);
    sph_mollweide_forward(theta, phi, &x, &y);
    double k = box_width / (2 * SPH_MOLLWEIDE_XMAX);
    int pi = (int)floor(cx + x * k), pj = (int)floor(cy - y * k);
    g_assert_cmpint(abs(pi - (int)cx), <=, 1);
    g_assert_cmpint(pj, <, (int)cy);
    g_assert_cmpmem(pixel(&im, pi, pj), 3, want, 3);

    /* The centre pixel itself touches the GC: it shows one of the four pixels that meet
     * there. */
    bool centre_ok = false;
    static const double d[4][2] = {{-1e-3, 0}, {1e-3, 0}, {0, 1e-3}, {0, -1e-3}};
    for (int n = 0; n < 4; n++) {
      int64_t p = sph_hp_ang2pix_ring(32, M_PI / 2 + d[n][0], d[n][1]);
      double tn = (map->fields[0].values[p] - stats.min) / (stats.max - stats.min);
      const guchar *c = sph_colormap_table(SPH_CMAP_VIRIDIS) + 3 * sph_colormap_index(tn);
      centre_ok |= memcmp(pixel(&im, (int)cx, (int)cy), c, 3) == 0;
    }
    g_assert_true(centre_ok);

    /* Astronomical orientation: the Galactic plane is the brightest band, horizontal
     * through the centre; longitude +90 deg (Cygnus side) lies to the left. */
    double row_mean[2] = {0, 0};
    for (int i = (int)(cx - box_width / 4); i < (int)(cx + box_width / 4); i++) {
      row_mean[0] += pixel(&im, i, (int)cy)[1];               /* on the plane */
      row_mean[1] += pixel(&im, i, (int)(cy - box_width / 8))[1]; /* 45 deg north-ish */
    }
    g_assert_cmpfloat(row_mean[0], >, row_mean[1]);
    sph_map_free(map);
    g_free(im.rgb);
  }

  /* SVG and PDF by extension. */
  char *svg = g_build_filename(dir, "w.svg", NULL);
  char *pdf = g_build_filename(dir, "w.PDF", NULL);
  run = run_cli("render", in, svg, "--cmap", "greys", "--min", "-0.1", "--max", "0.5", NULL);
  g_assert_cmpint(run.status, ==, 0);
  cli_run_clear(&run);
  run = run_cli("render", in, pdf, "--field", "2", "--cmap", "rdbu", NULL);
  g_assert_cmpint(run.status, ==, 0);
  cli_run_clear(&run);
  char *data;
  gsize n;
  g_assert_true(g_file_get_contents(svg, &data, &n, NULL));
  g_assert_nonnull(strstr(data, "<svg"));
  g_free(data);
  g_assert_true(g_file_get_contents(pdf, &data, &n, NULL));
  g_assert_cmpmem(data, 5, "%PDF-", 5);
  g_free(data);

  remove_dir(dir);
  g_free(in);
  g_free(png);
  g_free(small);
  g_free(raw);
  g_free(svg);
  g_free(pdf);
  g_free(dir);
}

/* ---- failures ---- */

static void test_bad_input(void)
{
  char *dir = make_temp_dir();
  char *in = data_path(WMAP_FILE);
  char *missing = g_build_filename(dir, "no-such-sky.fits", NULL);
  char *text = g_build_filename(dir, "notes.txt", NULL);
  char *out = g_build_filename(dir, "out.fits", NULL);
  char *png = g_build_filename(dir, "out.png", NULL);
  g_assert_true(g_file_set_contents(text, "SIMPLE = this is not FITS\n", -1, NULL));

  CliRun run = run_cli("info", missing, NULL);
  assert_one_line_failure(&run, "no-such-sky.fits", NULL);
  cli_run_clear(&run);
  run = run_cli("info", text, NULL);
  assert_one_line_failure(&run, "notes.txt", NULL);
  cli_run_clear(&run);
  run = run_cli("convert", text, out, NULL);
  assert_one_line_failure(&run, "notes.txt", NULL);
  cli_run_clear(&run);
  run = run_cli("render", missing, png, NULL);
  assert_one_line_failure(&run, "no-such-sky.fits", NULL);
  cli_run_clear(&run);

  struct {
    const char *args[8];
    const char *needle1, *needle2;
  } cases[] = {
      {{"udgrade", in, out, "--nside", "300"}, "300", "power of two"},
      {{"udgrade", in, out, "--nside", "-4"}, "-4", "power of two"},
      {{"udgrade", in, out}, "--nside", NULL},
      {{"render", in, png, "--width", "-5"}, "-5", "width"},
      {{"render", in, png, "--width", "30000"}, "30000", "20000"},
      {{"render", in, png, "--width", "12abc"}, "12abc", NULL},
      {{"render", in, png, "--cmap", "jet"}, "jet", "viridis"},
      {{"render", in, png, "--min", "3", "--max", "1"}, "--min", "--max"},
      {{"render", in, png, "--min", "7"}, "--min", "maximum"},
      {{"render", in, png, "--max", "nan"}, "nan", NULL},
      {{"render", in, png, "--field", "7"}, WMAP_FILE, "field 7"},
      {{"render", in, png, "--frobnicate"}, "--frobnicate", NULL},
      {{"render", in, png, "--title"}, "--title", NULL},
      {{"render", in, "out.jpg"}, "out.jpg", ".png"},
      {{"convert", in, out, "--ordering", "spiral"}, "spiral", NULL},
      {{"convert", in, out, "--field", "3"}, WMAP_FILE, "field 3"},
      {{"convert", in, out, "--float32", "--float64"}, "--float32", NULL},
      {{"convert", in}, "2 file arguments", NULL},
      {{"info", in, in}, "1 file argument", NULL},
  };
  for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
    const char *const *a = cases[c].args;
    run = run_cli(a[0], a[1], a[2], a[3], a[4], a[5], a[6], NULL);
    assert_one_line_failure(&run, cases[c].needle1, cases[c].needle2);
    cli_run_clear(&run);
  }
  /* A failed command writes nothing: only the text file is in the directory. */
  g_assert_cmpint(count_entries(dir), ==, 1);

  /* An output directory that does not exist. */
  char *nowhere = g_build_filename(dir, "nowhere", "w.png", NULL);
  run = run_cli("render", in, nowhere, NULL);
  assert_one_line_failure(&run, nowhere, g_strerror(ENOENT));
  cli_run_clear(&run);

  remove_dir(dir);
  g_free(in);
  g_free(missing);
  g_free(text);
  g_free(out);
  g_free(png);
  g_free(nowhere);
  g_free(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cli/help", test_help);
  g_test_add_func("/cli/info-wmap", test_info_wmap);
  g_test_add_func("/cli/convert-round-trip", test_convert_round_trip);
  g_test_add_func("/cli/convert-partial", test_convert_partial);
  g_test_add_func("/cli/udgrade-healpy", test_udgrade_healpy);
  g_test_add_func("/cli/render-png", test_render_png);
  g_test_add_func("/cli/bad-input", test_bad_input);
  return g_test_run();
}
