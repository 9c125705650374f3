/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli corner, trace and coverage-plot: the files decode (PNG with matplotlib,
 * SVG with rsvg-convert, PDF with pdftoppm) at the size asked, and the rendered 68% and
 * 95% contours of a 2-D unit Gaussian lie at radii 1.510 and 2.448, measured in pixels
 * against the truth lines drawn at 0 and at 2. */
#include <glib.h>
#include <stdio.h>

#include "cli-test-helpers.h"
#include "sphaera/chain_io.h"
#include "sphaera/rng.h"

static char *write_gaussian_chain(const char *dir, size_t steps, size_t walkers)
{
  size_t n = steps * walkers * 2;
  double *x = g_new(double, n);
  SphRng rng;
  sph_rng_init(&rng, 3, 0);
  for (size_t i = 0; i < n; i++)
    x[i] = sph_rng_normal(&rng);
  char *path = g_build_filename(dir, "chain.npy", NULL);
  size_t shape[3] = {steps, walkers, 2};
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_npy_write(path, x, shape, 3, &err), ==, SPH_OK);
  g_free(x);
  return path;
}

static bool is_rgb(const guchar *p, int r, int g, int b, int tol)
{
  return abs(p[0] - r) <= tol && abs(p[1] - g) <= tol && abs(p[2] - b) <= tol;
}

/* Leftmost and rightmost pixel of a colour in row j of the left half (where the 2-D panel
 * of a two-parameter corner plot is; the legend is on the right); false when none. */
static bool row_extent(const Image *im, int j, int r, int g, int b, int tol, int *first,
                       int *last)
{
  *first = -1;
  *last = -1;
  for (int i = 0; i < im->width / 2; i++) {
    if (is_rgb(pixel(im, i, j), r, g, b, tol)) {
      if (*first < 0)
        *first = i;
      *last = i;
    }
  }
  return *first >= 0;
}

static void test_corner_contours(void)
{
  char *dir = make_temp_dir();
  char *chain = write_gaussian_chain(dir, 1000, 100); /* 1e5 samples */
  char *png0 = g_build_filename(dir, "c0.png", NULL), *png2 = g_build_filename(dir, "c2.png", NULL);
  CliRun run = run_cli("corner", chain, png0, "--truth", "0,0", "--size", "700x700", NULL);
  g_assert_cmpint(run.status, ==, 0);
  g_assert_nonnull(strstr(run.out, "samples=100000"));
  cli_run_clear(&run);
  run = run_cli("corner", chain, png2, "--truth", "2,2", "--size", "700x700", NULL);
  g_assert_cmpint(run.status, ==, 0);
  cli_run_clear(&run);
  int w, h;
  png_size(png0, &w, &h);
  g_assert_cmpint(w, ==, 700);
  g_assert_cmpint(h, ==, 700);

  char *raw0 = g_build_filename(dir, "c0.raw", NULL), *raw2 = g_build_filename(dir, "c2.raw", NULL);
  char *pngs[2] = {png0, png2}, *raws[2] = {raw0, raw2};
  Image im[2];
  if (decode_pngs(2, pngs, raws, im)) {
    g_assert_cmpint(im[0].width, ==, 700);
    /* the 68% fill's rows: its vertical extent gives the centre row */
    int top = -1, bottom = -1, a, b;
    for (int j = im[0].height / 2; j < im[0].height; j++)
      if (row_extent(&im[0], j, 0x00, 0x6f, 0xed, 0, &a, &b)) {
        if (top < 0)
          top = j;
        bottom = j;
      }
    g_assert_cmpint(top, >=, 0);
    int row = (top + bottom) / 2 + 4; /* clear of the horizontal truth line */
    /* truth lines at x = 0 and x = 2 in that row give the scale */
    int t0a, t0b, t2a, t2b;
    g_assert_true(row_extent(&im[0], row, 230, 115, 13, 40, &t0a, &t0b));
    g_assert_true(row_extent(&im[1], row, 230, 115, 13, 40, &t2a, &t2b));
    double x0 = 0.5 * (t0a + t0b), x2 = 0.5 * (t2a + t2b), scale = (x2 - x0) / 2.0;
    g_assert_cmpfloat(scale, >, 20.0);
    int f68a, f68b, f95a, f95b;
    g_assert_true(row_extent(&im[0], row, 0x00, 0x6f, 0xed, 0, &f68a, &f68b));
    g_assert_true(row_extent(&im[0], row, 0x8c, 0xb5, 0xe6, 0, &f95a, &f95b));
    /* the contour line lies one pixel outside each fill */
    double r68 = 0.5 * (f68b - f68a + 2) / scale, r95 = 0.5 * (f95b - f95a + 2) / scale;
    double c68 = 0.5 * (f68a + f68b) - x0;
    /* the plotted range is about [-3.1, 3.1] in 40 bins */
    double bin = 6.2 / 40.0;
    g_test_message("rendered radii %.3f and %.3f (targets 1.510, 2.448; one bin %.3f), "
                   "centre off by %.2f px, %.1f px per unit",
                   r68, r95, bin, c68, scale);
    g_assert_cmpfloat(fabs(r68 - 1.510), <, bin);
    g_assert_cmpfloat(fabs(r95 - 2.448), <, bin);
    g_assert_cmpfloat(fabs(c68), <, 0.1 * scale);
    g_free(im[0].rgb);
    g_free(im[1].rgb);
  }
  g_free(raw0);
  g_free(raw2);
  g_free(png0);
  g_free(png2);
  g_free(chain);
  remove_dir(dir);
  g_free(dir);
}

/* Runs tool with args and asserts it exits 0; false (skipped) when not installed. */
static bool run_checker(const char *tool, const char *const *args)
{
  char *exe = g_find_program_in_path(tool);
  if (exe == NULL) {
    g_test_message("%s is not installed: not checked", tool);
    return false;
  }
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, exe);
  for (; *args != NULL; args++)
    g_ptr_array_add(argv, (char *)*args);
  g_ptr_array_add(argv, NULL);
  int status = 0;
  char *err = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                             NULL, NULL, &err, &status, NULL));
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("%s failed: %s", tool, err);
  g_free(err);
  g_ptr_array_free(argv, TRUE);
  g_free(exe);
  return true;
}

static void test_vector_formats(void)
{
  char *dir = make_temp_dir();
  char *chain = write_gaussian_chain(dir, 200, 10);
  char *svg = g_build_filename(dir, "c.svg", NULL), *pdf = g_build_filename(dir, "t.PDF", NULL);
  CliRun run = run_cli("corner", chain, svg, "--names", "alpha,beta", "--size", "500x400", NULL);
  g_assert_cmpint(run.status, ==, 0);
  cli_run_clear(&run);
  run = run_cli("trace", chain, pdf, "--burn", "20", NULL);
  g_assert_cmpint(run.status, ==, 0);
  cli_run_clear(&run);
  char *text = NULL;
  g_assert_true(g_file_get_contents(svg, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "<svg"));
  g_assert_nonnull(strstr(text, "width=\"500"));
  g_free(text);
  char *svg_png = g_build_filename(dir, "svg.png", NULL);
  const char *rsvg[] = {"-o", svg_png, svg, NULL};
  if (run_checker("rsvg-convert", rsvg)) {
    int w, h;
    png_size(svg_png, &w, &h);
    /* 500 x 400 points: 500 x 400 pixels at 72 dpi, 667 x 533 at rsvg's 96 */
    bool at72 = abs(w - 500) <= 1 && abs(h - 400) <= 1;
    bool at96 = abs(w - 667) <= 1 && abs(h - 533) <= 1;
    g_assert_true(at72 || at96);
  }
  char *prefix = g_build_filename(dir, "pdf", NULL);
  const char *ppm[] = {"-png", "-r", "72", "-singlefile", pdf, prefix, NULL};
  if (run_checker("pdftoppm", ppm)) {
    char *page = g_strconcat(prefix, ".png", NULL);
    int w, h;
    png_size(page, &w, &h);
    g_assert_cmpint(abs(w - 900), <=, 1); /* the default 900 x 700 points at 72 dpi */
    g_assert_cmpint(abs(h - 700), <=, 1);
    g_free(page);
  }
  g_assert_cmpint(count_entries(dir), >=, 3); /* no temporary files left over */
  g_free(prefix);
  g_free(svg_png);
  g_free(svg);
  g_free(pdf);
  g_free(chain);
  remove_dir(dir);
  g_free(dir);
}

static void test_coverage_plot(void)
{
  char *dir = make_temp_dir();
  char *csv = g_build_filename(dir, "curve.csv", NULL);
  char *png = g_build_filename(dir, "cov.png", NULL);
  CliRun run = run_cli("coverage", "--case", "underconfident", "--n", "200", "--out", csv, NULL);
  g_assert_cmpint(run.status, ==, 0);
  cli_run_clear(&run);
  run = run_cli("coverage-plot", csv, png, "--size", "400x420", "--title", "under", NULL);
  g_assert_cmpint(run.status, ==, 0);
  cli_run_clear(&run);
  int w, h;
  png_size(png, &w, &h);
  g_assert_cmpint(w, ==, 400);
  g_assert_cmpint(h, ==, 420);
  char *raw = g_build_filename(dir, "cov.raw", NULL);
  Image im;
  if (decode_png(png, raw, &im)) {
    /* the band (grey), the HPD curve (blue) and TARP's (orange) are all drawn */
    size_t band = 0, hpd = 0, tarp = 0;
    for (int j = 0; j < im.height; j++)
      for (int i = 0; i < im.width; i++) {
        const guchar *p = pixel(&im, i, j);
        band += is_rgb(p, 217, 217, 217, 1);
        hpd += is_rgb(p, 31, 119, 180, 2);
        tarp += is_rgb(p, 230, 115, 13, 2);
      }
    g_assert_cmpuint(band, >, 500);
    g_assert_cmpuint(hpd, >, 200);
    g_assert_cmpuint(tarp, >, 200);
    g_free(im.rgb);
  }
  g_free(raw);

  /* bad input: one line naming the file and the problem, nothing written */
  char *bad = g_build_filename(dir, "bad.csv", NULL), *out = g_build_filename(dir, "bad.png", NULL);
  g_assert_true(g_file_set_contents(bad, "a,b,c\n0,0,0\n", -1, NULL));
  run = run_cli("coverage-plot", bad, out, NULL);
  assert_one_line_failure(&run, "bad.csv", "header");
  cli_run_clear(&run);
  g_assert_true(g_file_set_contents(bad, "credibility,hpd_coverage,tarp_coverage\n0,0,0\n0.5,x,1\n",
                                    -1, NULL));
  run = run_cli("coverage-plot", bad, out, NULL);
  assert_one_line_failure(&run, "bad.csv", "line 3");
  cli_run_clear(&run);
  run = run_cli("coverage-plot", csv, "cov.jpg", NULL);
  assert_one_line_failure(&run, "cov.jpg", ".png");
  cli_run_clear(&run);
  g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
  g_free(bad);
  g_free(out);
  g_free(csv);
  g_free(png);
  remove_dir(dir);
  g_free(dir);
}

static void test_corner_errors(void)
{
  char *dir = make_temp_dir();
  char *chain = write_gaussian_chain(dir, 50, 4);
  char *png = g_build_filename(dir, "c.png", NULL);
  CliRun run = run_cli("corner", chain, png, "--truth", "1,2,3", NULL);
  assert_one_line_failure(&run, "--truth", "2 parameters");
  cli_run_clear(&run);
  run = run_cli("corner", chain, png, "--burn", "50", NULL);
  assert_one_line_failure(&run, "chain.npy", "none left");
  cli_run_clear(&run);
  run = run_cli("corner", chain, png, "--size", "10x900", NULL);
  assert_one_line_failure(&run, "--size", NULL);
  cli_run_clear(&run);
  char *missing = g_build_filename(dir, "missing.npy", NULL);
  run = run_cli("corner", missing, png, NULL);
  assert_one_line_failure(&run, "missing.npy", NULL);
  cli_run_clear(&run);
  g_assert_false(g_file_test(png, G_FILE_TEST_EXISTS));
  g_free(missing);
  g_free(png);
  g_free(chain);
  remove_dir(dir);
  g_free(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cli-figures/corner-contours", test_corner_contours);
  g_test_add_func("/cli-figures/vector-formats", test_vector_formats);
  g_test_add_func("/cli-figures/coverage-plot", test_coverage_plot);
  g_test_add_func("/cli-figures/corner-errors", test_corner_errors);
  return g_test_run();
}
