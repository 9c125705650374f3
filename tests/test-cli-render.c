/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli render with the sky explorer's options, end to end (binary in
 * SPHAERA_CLI): every projection, frame, scale and overlay writes a figure that decodes
 * (PNG through SPHAERA_PYTHON's matplotlib, SVG through rsvg-convert, PDF through
 * pdftoppm, each skipped when missing) and shows the map where healpy would; a hot pixel
 * at Galactic (l, b) = (90, 0) lands left of centre; bad options fail in one line. */
#include <glib.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "cli-test-helpers.h"
#include "sphaera/fits_map.h"
#include "sphaera/healpix.h"
#include "sphaera/map.h"
#include "sphaera/projection.h"

#define MASK_FILE "wmap_temperature_analysis_mask_r9_7yr_v4_udgraded32.fits"

static void test_render_views(void)
{
  char *dir = make_temp_dir();
  char *in = data_path(WMAP_FILE);
  char *mask = data_path(MASK_FILE);

  /* A globe centred at latitude 30 with a graticule: a disc, square figure. */
  char *ortho = g_build_filename(dir, "ortho.png", NULL);
  CliRun run = run_cli("render", in, ortho, "--proj", "ortho", "--rot", "0,30,0", "--graticule",
                       "--width", "400", NULL);
  g_assert_cmpint(run.status, ==, 0);
  g_assert_cmpstr(run.err, ==, "");
  cli_run_clear(&run);
  int w, h;
  png_size(ortho, &w, &h);
  g_assert_cmpint(w, ==, 400);
  g_assert_cmpint(h, >, 400); /* the square map, the title strip and the colour bar */
  /* Gnomonic at the Galactic centre: --reso and --size; the map fills its area. */
  char *gnom = g_build_filename(dir, "gnom.pdf", NULL);
  run = run_cli("render", in, gnom, "--proj", "gnomonic", "--rot", "0,0", "--reso", "5",
                "--size", "500x420", "--graticule", "--norm", "hist", "--ticks", NULL);
  g_assert_cmpint(run.status, ==, 0);
  cli_run_clear(&run);
  char *data;
  gsize n;
  g_assert_true(g_file_get_contents(gnom, &data, &n, NULL));
  g_assert_nonnull(memmem(data, n, "/MediaBox [ 0 0 500 420 ]", 25));
  g_free(data);

  /* Plate carree in Equatorial coordinates of a Galactic map, with the mask over it;
   * --format overrides the extension. */
  char *cart = g_build_filename(dir, "cart.out", NULL);
  run = run_cli("render", in, cart, "--proj", "cart", "--coord", "G,C", "--overlay", mask,
                "--overlay-alpha", "0.3", "--overlay-cmap", "greys", "--format", "svg",
                "--percentile", "--cmap", "planck", NULL);
  g_assert_cmpint(run.status, ==, 0);
  g_assert_cmpstr(run.err, ==, "");
  cli_run_clear(&run);
  g_assert_true(g_file_get_contents(cart, &data, &n, NULL));
  g_assert_nonnull(strstr(data, "<svg"));
  g_free(data);

  /* A Galactic map shown in Equatorial coordinates: the brightest pixel, by the Galactic
   * centre, moves to about RA 266.4, Dec -28.9, right of the middle (RA grows to the
   * left). */
  char *cmoll = g_build_filename(dir, "cmoll.png", NULL);
  run = run_cli("render", in, cmoll, "--coord", "G,C", "--size", "800x400", NULL);
  g_assert_cmpint(run.status, ==, 0);
  cli_run_clear(&run);

  char *pngs[] = {ortho, cmoll};
  char *raws[] = {g_build_filename(dir, "ortho.rgb", NULL),
                  g_build_filename(dir, "cmoll.rgb", NULL)};
  Image ims[2];
  if (decode_pngs(2, pngs, raws, ims)) {
    Image *im = &ims[0];
    int x0, y0, x1, y1;
    /* The globe: ink above the colour bar, a disc as wide as it is tall. */
    ink_box(im, &x0, &y0, &x1, &y1, h - (int)(70 * 400 / 800.0) - 14);
    g_assert_cmpint(abs((x1 - x0) - (y1 - y0)), <=, 2);
    g_assert_cmpint(x1 - x0, >, 300);
    /* Corners of the disc's box are white (outside the globe). */
    g_assert_true(is_white(pixel(im, x0 + 3, y0 + 3)));
    g_assert_true(is_white(pixel(im, x1 - 3, y1 - 3)));

    im = &ims[1];
    ink_box(im, &x0, &y0, &x1, &y1, im->height * 3 / 4);
    double sx = 0, sy = 0;
    int count = 0;
    for (int j = y0; j <= y1; j++)
      for (int i = x0; i <= x1; i++) {
        const guchar *p = pixel(im, i, j);
        if (abs(p[0] - 253) + abs(p[1] - 231) + abs(p[2] - 37) < 30) {
          sx += i;
          sy += j;
          count++;
        }
      }
    g_assert_cmpint(count, >, 0);
    double x, y, k = (x1 - x0 + 1) / (2 * SPH_MOLLWEIDE_XMAX);
    sph_mollweide_forward((90 + 28.94) * M_PI / 180, 266.40 * M_PI / 180, &x, &y);
    g_assert_cmpfloat(x, >, 0.5);
    g_assert_cmpfloat(fabs(sx / count - (0.5 * (x0 + x1 + 1) + x * k)), <, 0.02 * (x1 - x0));
    g_assert_cmpfloat(fabs(sy / count - (0.5 * (y0 + y1 + 1) - y * k)), <, 0.02 * (x1 - x0));
    g_free(ims[0].rgb);
    g_free(ims[1].rgb);
  }
  g_free(raws[0]);
  g_free(raws[1]);

  remove_dir(dir);
  g_free(in);
  g_free(mask);
  g_free(ortho);
  g_free(gnom);
  g_free(cart);
  g_free(cmoll);
  g_free(dir);
}

/* healpy's orientation end to end: a FITS map with one hot pixel at Galactic (l, b) =
 * (90, 0) renders with it left of centre in PNG, SVG and PDF, as mollview draws it. */
static void test_render_orientation(void)
{
  char *dir = make_temp_dir();
  char *fits = g_build_filename(dir, "hot.fits", NULL);
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_map_new(32, SPH_ORDER_RING, 1, &err);
  map->coordsys = SPH_COORD_GALACTIC;
  map->fields[0].values[sph_hp_ang2pix_ring(32, M_PI / 2, M_PI / 2)] = 1.0;
  SphFitsWriteOptions wo = {.type = SPH_FITS_FLOAT64};
  g_assert_cmpint(sph_fits_write_map(fits, map, &wo, &err), ==, SPH_OK);
  sph_map_free(map);

  /* Each format, drawn to a PNG: ours, rsvg-convert's, pdftoppm's. */
  static const char *const exts[] = {"png", "svg", "pdf"};
  char *pngs[3], *raws[3];
  int have = 0;
  for (int f = 0; f < 3; f++) {
    char *out = g_strdup_printf("%s/hot.%s", dir, exts[f]);
    CliRun run = run_cli("render", fits, out, "--size", "800x400", NULL);
    g_assert_cmpint(run.status, ==, 0);
    cli_run_clear(&run);
    char *png = f == 0 ? g_strdup(out) : g_strdup_printf("%s/hot-%s.png", dir, exts[f]);
    bool ok = true;
    if (f == 1) {
      char *argv[] = {"rsvg-convert", "-w", "800", "-o", png, out, NULL};
      ok = run_tool("rsvg-convert", argv);
    } else if (f == 2) {
      /* 72 dpi: a pixel per point, the figure's own unit. */
      char *stem = g_strdup_printf("%s/hot-pdf", dir);
      char *argv[] = {"pdftoppm", "-png", "-r", "72", "-singlefile", out, stem, NULL};
      ok = run_tool("pdftoppm", argv);
      g_free(stem);
    }
    g_free(out);
    if (!ok) {
      g_free(png);
      continue;
    }
    pngs[have] = png;
    raws[have] = g_strdup_printf("%s/hot-%d.rgb", dir, have);
    have++;
  }
  Image im[3];
  if (have > 0 && decode_pngs(have, pngs, raws, im)) {
    for (int k = 0; k < have; k++) {
      g_assert_cmpint(im[k].width, ==, 800);
      g_assert_cmpint(im[k].height, ==, 400);
      /* The ellipse: the non-white box above the colour bar. */
      int x0, y0, x1, y1;
      ink_box(&im[k], &x0, &y0, &x1, &y1, im[k].height * 3 / 4);
      double cx = 0.5 * (x0 + x1), sx = 0, sy = 0;
      int count = 0;
      /* The hot pixel, viridis' top (yellow), lies left of the middle. */
      for (int j = y0; j <= y1; j++)
        for (int i = x0; i <= x1; i++) {
          const guchar *p = pixel(&im[k], i, j);
          if (abs(p[0] - 253) + abs(p[1] - 231) + abs(p[2] - 37) < 30) {
            sx += i;
            sy += j;
            count++;
          }
        }
      g_assert_cmpint(count, >, 0);
      /* l = 90 is a quarter of the ellipse's width left of its centre, on the equator. */
      g_assert_cmpfloat(fabs(sx / count - (cx - 0.25 * (x1 - x0))), <, 0.03 * (x1 - x0));
      g_assert_cmpfloat(fabs(sy / count - 0.5 * (y0 + y1)), <, 0.03 * (x1 - x0));
      g_free(im[k].rgb);
    }
  }
  for (int k = 0; k < have; k++) {
    g_free(pngs[k]);
    g_free(raws[k]);
  }
  remove_dir(dir);
  g_free(fits);
  g_free(dir);
}

static void test_render_view_errors(void)
{
  char *dir = make_temp_dir();
  char *in = data_path(WMAP_FILE);
  char *png = g_build_filename(dir, "out.png", NULL);
  struct {
    const char *args[8];
    const char *needle1, *needle2;
  } cases[] = {
      {{"render", in, png, "--proj", "aitoff"}, "aitoff", "gnomonic"},
      {{"render", in, png, "--rot", "10"}, "10", "LON,LAT"},
      {{"render", in, png, "--rot", "0,100,0"}, "0,100,0", "[-90, 90]"},
      {{"render", in, png, "--rot", "0,1,2,3"}, "0,1,2,3", NULL},
      {{"render", in, png, "--flip", "up"}, "up", "astro"},
      {{"render", in, png, "--coord", "X"}, "X", "G, C or E"},
      {{"render", in, png, "--coord", "C"}, "COORDSYS", "--coord G,C"},
      {{"render", in, png, "--size", "10x10"}, "10x10", "WxH"},
      {{"render", in, png, "--size", "800"}, "800", "WxH"},
      {{"render", in, png, "--format", "jpg"}, "jpg", "png"},
      {{"render", in, png, "--norm", "sqrt"}, "sqrt", "symlog"},
      {{"render", in, png, "--norm", "log", "--min", "-1"}, "log", "-1"},
      {{"render", in, png, "--reso", "3"}, "--reso", "gnomonic"},
      {{"render", in, png, "--two-globes"}, "--two-globes", "ortho"},
      {{"render", in, png, "--overlay-alpha", "2"}, "2", "[0, 1]"},
      {{"render", in, png, "--overlay", "/no/such/mask.fits"}, "/no/such/mask.fits", NULL},
      {{"render", in, png, "--percentile=90,10"}, "90,10", "LO < HI"},
      {{"render", in, png, "--graticule=0"}, "0", "spacing"},
      {{"render", in, png, "--linthresh", "-1"}, "-1", "positive"},
  };
  for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
    const char *const *a = cases[c].args;
    CliRun run = run_cli(a[0], a[1], a[2], a[3], a[4], a[5], a[6], NULL);
    assert_one_line_failure(&run, cases[c].needle1, cases[c].needle2);
    cli_run_clear(&run);
  }
  g_assert_cmpint(count_entries(dir), ==, 0);
  remove_dir(dir);
  g_free(in);
  g_free(png);
  g_free(dir);
}
int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cli-render/views", test_render_views);
  g_test_add_func("/cli-render/orientation", test_render_orientation);
  g_test_add_func("/cli-render/view-errors", test_render_view_errors);
  return g_test_run();
}
