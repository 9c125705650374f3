/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Wavelets page under Xvfb: the kernel plot's sum line is 1, a small map's wavelet
 * bands match healpy's map2alm/almxfl/alm2map with kernels computed independently in
 * NumPy, the scattering's S0 is the map's mean, the thumbnails appear, a click on one
 * opens its band as a Sky page layer and shows that page, Cancel stops a run and keeps
 * the last result, and a planar image gets its Morlet thumbnails and kymatio's number of
 * scattering coefficients; with N = 3 directions the grid holds a thumbnail per (scale,
 * direction) plus the scaling map, whose maps equal the core's directional analysis. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "sph-resources.h"
#include "sph-test-python.h"
#include "sph-wavelet-page.h"
#include "sphaera/healpix.h"
#include "sphaera/map.h"
#include "sphaera/mem.h"
#include "sphaera/ring_geometry.h"
#include "sphaera/wavelet_sphere_dir.h"

#define WAIT_TIMEOUT_S 60
#define NSIDE 16
#define BAND_LIMIT 32
#define DILATION 2.0
#define J_MIN 1

typedef struct {
  GtkWidget *window;
  GtkStack *stack;
  SphSkyPage *sky;
  SphWaveletPage *page;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
  (void)data;
  f->window = gtk_window_new();
  gtk_window_set_default_size(GTK_WINDOW(f->window), 1300, 850);
  f->stack = GTK_STACK(gtk_stack_new());
  f->sky = SPH_SKY_PAGE(sph_sky_page_new());
  f->page = SPH_WAVELET_PAGE(sph_wavelet_page_new());
  gtk_stack_add_named(f->stack, GTK_WIDGET(f->sky), "sky");
  gtk_stack_add_named(f->stack, GTK_WIDGET(f->page), "wavelets");
  gtk_stack_set_visible_child_name(f->stack, "wavelets");
  gtk_window_set_child(GTK_WINDOW(f->window), GTK_WIDGET(f->stack));
  gtk_window_present(GTK_WINDOW(f->window));
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
  (void)data;
  gtk_window_destroy(GTK_WINDOW(f->window));
  while (g_main_context_iteration(NULL, FALSE))
    ;
}

static void wait_idle(SphWaveletPage *page)
{
  gint64 deadline = g_get_monotonic_time() + WAIT_TIMEOUT_S * G_USEC_PER_SEC;
  while (sph_wavelet_page_is_running(page)) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_main_context_iteration(NULL, TRUE);
  }
  while (g_main_context_iteration(NULL, FALSE))
    ;
}

/* A smooth random-looking field: a few hundred plane waves, deterministic. */
static SphMap *test_map(int64_t nside)
{
  SphMap *map = sph_map_new(nside, SPH_ORDER_RING, 1, NULL);
  g_assert_nonnull(map);
  GRand *rand = g_rand_new_with_seed(7);
  double k[40][4];
  for (int i = 0; i < 40; i++) {
    for (int c = 0; c < 3; c++)
      k[i][c] = g_rand_double_range(rand, -6, 6);
    k[i][3] = g_rand_double_range(rand, 0, 2 * G_PI);
  }
  for (int64_t p = 0; p < map->npix; p++) {
    double v[3], sum = 0.3;
    sph_hp_pix2vec_ring(nside, p, v);
    for (int i = 0; i < 40; i++)
      sum += cos(k[i][0] * v[0] + k[i][1] * v[1] + k[i][2] * v[2] + k[i][3]) / (1 + i);
    map->fields[0].values[p] = sum;
  }
  g_rand_free(rand);
  sph_map_set_field_name(map, 0, "TEMPERATURE");
  return map;
}

static void test_kernels_and_sphere(Fixture *f, gconstpointer data)
{
  (void)data;
  SphMap *map = test_map(NSIDE);
  SphMap *input = sph_map_copy(map, NULL);
  sph_sky_page_add_map(f->sky, map, "test map");
  sph_wavelet_page_configure(f->page, DILATION, J_MIN, BAND_LIMIT, 1);

  /* The kernel plot: the core's kernels, their squares summing to 1 at every l. */
  SphKernelPlot *kp = sph_wavelet_page_get_kernel_plot(f->page);
  g_assert_cmpint(sph_kernel_plot_get_L(kp), ==, BAND_LIMIT);
  int nscales = sph_wavelet_j_max(DILATION, BAND_LIMIT) - J_MIN + 1;
  g_assert_cmpint(sph_kernel_plot_get_n_scales(kp), ==, nscales);
  double sum_error = sph_kernel_plot_get_max_sum_error(kp);
  g_test_message("kernel sum: max |sum - 1| = %.3e over l < %d", sum_error, BAND_LIMIT);
  g_assert_cmpfloat(sum_error, <=, 1e-12);
  g_assert_cmpfloat(fabs(sph_kernel_plot_get_sum(kp, BAND_LIMIT - 1) - 1), <=, 1e-12);

  g_assert_true(sph_wavelet_page_compute(f->page));
  g_assert_false(sph_wavelet_page_compute(f->page)); /* one run at a time */
  wait_idle(f->page);
  g_assert_cmpint(sph_wavelet_page_get_last_status(f->page), ==, SPH_OK);
  const SphWaveletWork *r = sph_wavelet_page_get_result(f->page);
  g_assert_nonnull(r);
  g_assert_cmpint(r->L_used, ==, BAND_LIMIT);
  g_assert_cmpint(r->nbands, ==, 1 + nscales);
  g_assert_cmpint(r->max_order, ==, 2);
  g_assert_cmpint(r->ncoeffs, ==, 1 + nscales + nscales * (nscales - 1) / 2);

  /* Thumbnails: one Mollweide picture per band. */
  SphCoefficientGrid *grid = sph_wavelet_page_get_grid(f->page);
  g_assert_cmpuint(sph_coefficient_grid_get_n_items(grid), ==, (guint)r->nbands);
  GdkTexture *t = sph_coefficient_grid_get_texture(grid, 1);
  g_assert_cmpint(gdk_texture_get_width(t), ==, 2 * gdk_texture_get_height(t));

  /* S0 of the scattering is the sphere's mean: a00 / sqrt(4 pi), the pixel mean. */
  double mean = 0, rms = 0;
  for (int64_t p = 0; p < input->npix; p++) {
    mean += input->fields[0].values[p];
    rms += input->fields[0].values[p] * input->fields[0].values[p];
  }
  mean /= (double)input->npix;
  rms = sqrt(rms / (double)input->npix);
  g_test_message("S0 = %.15g, pixel mean %.15g", r->s0, mean);
  g_assert_cmpfloat(fabs(r->s0 - mean), <=, 1e-12 * rms);
  SphScatteringPlot *sp = sph_wavelet_page_get_scattering_plot(f->page);
  g_assert_cmpint(sph_scattering_plot_get_n_scales(sp), ==, nscales);
  for (int j = J_MIN; j < J_MIN + nscales; j++)
    g_assert_cmpfloat(sph_scattering_plot_get_first(sp, j), >, 0);
  g_assert_cmpfloat(sph_scattering_plot_get_second(sp, J_MIN + 1, J_MIN), >, 0);
  g_assert_true(isnan(sph_scattering_plot_get_second(sp, J_MIN, J_MIN + 1)));

  /* The bands against healpy with s2let's kernels integrated by NumPy. */
  const char *python = sph_test_python_env();
  if (python == NULL) {
    g_test_message("SPHAERA_PYTHON unset: healpy comparison skipped");
  } else {
    char *dir = g_dir_make_tmp("sph-wavelets-XXXXXX", NULL);
    char *in_path = g_build_filename(dir, "map.f64", NULL);
    char *out_path = g_build_filename(dir, "bands.f64", NULL);
    g_assert_true(g_file_set_contents(in_path, (const char *)input->fields[0].values,
                                      (gssize)(sizeof(double) * input->npix), NULL));
    const char *script =
        "import sys\n"
        "try:\n"
        "    import numpy as np, healpy as hp\n"
        "except ImportError:\n"
        "    sys.exit(77)\n"
        "B, L, jmin = float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])\n"
        "x_gl, w_gl = np.polynomial.legendre.leggauss(400)\n"
        "def s2(u):\n"
        "    t = 2 * B / (B - 1) * (u - 1 / B) - 1\n"
        "    out = np.zeros_like(u)\n"
        "    inside = np.abs(t) < 1\n"
        "    out[inside] = np.exp(-2 / (1 - t[inside] ** 2))\n"
        "    return out / u\n"
        "def integral(a, b):\n"
        "    u = 0.5 * (b - a) * x_gl + 0.5 * (b + a)\n"
        "    return 0.5 * (b - a) * np.sum(w_gl * s2(u))\n"
        "def k(x):\n"
        "    if x <= 1 / B: return 1.0\n"
        "    if x >= 1: return 0.0\n"
        "    return integral(x, 1.0) / integral(1 / B, 1.0)\n"
        "jmax = int(np.ceil(np.log(L - 1) / np.log(B) - 1e-12))\n"
        "ls = np.arange(L)\n"
        "phi = np.sqrt([k(l / B ** jmin) for l in ls])\n"
        "kern = [phi] + [np.sqrt(np.maximum([k(l / B ** (j + 1)) - k(l / B ** j) for l in ls], 0))\n"
        "                for j in range(jmin, jmax + 1)]\n"
        "m = np.fromfile(sys.argv[1], dtype=np.float64)\n"
        "nside = hp.npix2nside(m.size)\n"
        "alm = hp.map2alm(m, lmax=L - 1, iter=0)\n"
        "bands = [hp.alm2map(hp.almxfl(alm, kk), nside, lmax=L - 1) for kk in kern]\n"
        "np.concatenate(bands).astype(np.float64).tofile(sys.argv[2])\n";
    char b_arg[32], l_arg[32], j_arg[32];
    g_snprintf(b_arg, sizeof b_arg, "%.17g", DILATION);
    g_snprintf(l_arg, sizeof l_arg, "%d", BAND_LIMIT);
    g_snprintf(j_arg, sizeof j_arg, "%d", J_MIN);
    const char *args[] = {in_path, out_path, b_arg, l_arg, j_arg, NULL};
    char *out = sph_test_spawn_python_or_77(python, script, args);
    if (out == NULL) {
      g_test_message("healpy or numpy missing: comparison skipped");
    } else {
      gchar *contents = NULL;
      gsize length = 0;
      g_assert_true(g_file_get_contents(out_path, &contents, &length, NULL));
      g_assert_cmpuint(length, ==, sizeof(double) * (gsize)r->nbands * input->npix);
      const double *ref = (const double *)contents;
      double worst = 0;
      for (int b = 0; b < r->nbands; b++) {
        double diff = 0, norm = 0;
        for (int64_t p = 0; p < input->npix; p++) {
          double d = r->bands[b]->fields[0].values[p] - ref[b * input->npix + p];
          diff += d * d;
          norm += ref[b * input->npix + p] * ref[b * input->npix + p];
        }
        double rel = sqrt(diff / norm);
        g_test_message("band %d: relative L2 difference from healpy %.3e", b, rel);
        worst = fmax(worst, rel);
      }
      g_assert_cmpfloat(worst, <=, 1e-9);
      g_free(contents);
      g_free(out);
    }
    g_unlink(in_path);
    g_unlink(out_path);
    g_rmdir(dir);
    g_free(in_path);
    g_free(out_path);
    g_free(dir);
  }

  /* A click on band 2 opens it as a new Sky page layer and switches to that page. */
  int layers = sph_sky_page_get_n_layers(f->sky);
  sph_coefficient_grid_activate(grid, 2);
  g_assert_cmpint(sph_sky_page_get_n_layers(f->sky), ==, layers + 1);
  g_assert_cmpint(sph_sky_page_get_current_layer(f->sky), ==, layers);
  g_assert_true(gtk_stack_get_visible_child(f->stack) == GTK_WIDGET(f->sky));
  const SphMap *shown = sph_sky_view_get_map(sph_sky_page_get_view(f->sky));
  g_assert_cmpint(shown->nside, ==, NSIDE);
  g_assert_cmpmem(shown->fields[0].values, sizeof(double) * shown->npix,
                  r->bands[2]->fields[0].values, sizeof(double) * r->bands[2]->npix);

  /* J_min beyond J_max: no kernels to plot, and the run fails with that error. */
  sph_wavelet_page_configure(f->page, DILATION, 9, BAND_LIMIT, 1);
  g_assert_cmpint(sph_kernel_plot_get_L(kp), ==, 0);
  g_assert_true(sph_wavelet_page_compute(f->page));
  wait_idle(f->page);
  g_assert_cmpint(sph_wavelet_page_get_last_status(f->page), ==, SPH_ERR_INVALID);
  g_assert_true(sph_wavelet_page_get_result(f->page) == r);
  sph_map_free(input);
}

static void test_cancel(Fixture *f, gconstpointer data)
{
  (void)data;
  sph_sky_page_add_map(f->sky, test_map(8), "small");
  sph_wavelet_page_configure(f->page, DILATION, J_MIN, 16, 1);
  g_assert_true(sph_wavelet_page_compute(f->page));
  wait_idle(f->page);
  const SphWaveletWork *before = sph_wavelet_page_get_result(f->page);
  g_assert_nonnull(before);

  /* A large run cancelled at once ends cancelled, and the earlier result stays. */
  sph_sky_page_add_map(f->sky, test_map(128), "large");
  sph_wavelet_page_configure(f->page, 1.3, 0, 256, 2);
  g_assert_true(sph_wavelet_page_compute(f->page));
  gint64 start = g_get_monotonic_time();
  sph_wavelet_page_cancel(f->page);
  wait_idle(f->page);
  g_test_message("cancelled after %.2f s", (g_get_monotonic_time() - start) / 1e6);
  g_assert_cmpint(sph_wavelet_page_get_last_status(f->page), ==, SPH_ERR_CANCELLED);
  g_assert_true(sph_wavelet_page_get_result(f->page) == before);
  g_assert_cmpuint(sph_coefficient_grid_get_n_items(sph_wavelet_page_get_grid(f->page)), ==,
                   (guint)before->nbands);
}

/* N = 3: 2N - 1 = 5 directions per scale plus the scaling map, each equal to the core's
 * directional analysis called directly; a click on one opens it as a layer. */
static void test_directional(Fixture *f, gconstpointer data)
{
  (void)data;
  const int N = 3, ndir = 2 * N - 1;
  SphMap *map = test_map(NSIDE);
  SphMap *input = sph_map_copy(map, NULL);
  sph_sky_page_add_map(f->sky, map, "test map");
  sph_wavelet_page_configure(f->page, DILATION, J_MIN, BAND_LIMIT, 1);
  sph_wavelet_page_set_directions(f->page, N);
  g_assert_true(sph_wavelet_page_compute(f->page));
  wait_idle(f->page);
  g_assert_cmpint(sph_wavelet_page_get_last_status(f->page), ==, SPH_OK);
  const SphWaveletWork *r = sph_wavelet_page_get_result(f->page);
  int nscales = sph_wavelet_j_max(DILATION, BAND_LIMIT) - J_MIN + 1;
  g_assert_cmpint(r->nbands, ==, 1 + nscales);
  g_assert_cmpint(r->ndirections, ==, ndir);
  g_assert_cmpint(r->nmaps, ==, nscales * ndir + 1);
  SphCoefficientGrid *grid = sph_wavelet_page_get_grid(f->page);
  g_assert_cmpuint(sph_coefficient_grid_get_n_items(grid), ==, (guint)(nscales * ndir + 1));
  /* The scattering is still the axisymmetric one. */
  g_assert_cmpint(r->ncoeffs, ==, 1 + nscales + nscales * (nscales - 1) / 2);

  /* The core directly. */
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *geometry = sph_ring_geometry_healpix(NSIDE, &err);
  g_assert_nonnull(geometry);
  SphWaveletDirPlan *plan = sph_wavelet_dir_plan_new(geometry, DILATION, BAND_LIMIT, J_MIN, N,
                                                     SPH_WAVELET_FULL_RESOLUTION, &err);
  g_assert_nonnull(plan);
  g_assert_cmpint(sph_wavelet_dir_plan_ndirections(plan), ==, ndir);
  double *coeffs = sph_alloc_aligned((size_t)sph_wavelet_dir_plan_size(plan), sizeof(double),
                                     &err);
  g_assert_nonnull(coeffs);
  g_assert_cmpint(sph_wavelet_dir_analysis(plan, input->fields[0].values, coeffs, NULL, NULL,
                                           &err), ==, SPH_OK);
  const int band = 2, k = 1, index = 1 + (band - 1) * ndir + k;
  g_test_message("thumbnail %d: %s", index, r->thumbs[index].caption);
  g_assert_nonnull(strstr(r->thumbs[index].caption, "γ = 72°"));
  const double *ref = coeffs + sph_wavelet_dir_plan_map_offset(plan, band, k);
  const double *got = r->bands[index]->fields[0].values;
  double diff = 0, norm = 0;
  for (int64_t p = 0; p < input->npix; p++) {
    diff = fmax(diff, fabs(got[p] - ref[p]));
    norm = fmax(norm, fabs(ref[p]));
  }
  g_test_message("band %d direction %d: max |difference| %.3e, max |value| %.3e", band, k, diff,
                 norm);
  g_assert_cmpfloat(norm, >, 0);
  g_assert_cmpfloat(diff, <=, 1e-12 * norm);

  /* A click opens that map as a new layer. */
  int layers = sph_sky_page_get_n_layers(f->sky);
  sph_coefficient_grid_activate(grid, (guint)index);
  g_assert_cmpint(sph_sky_page_get_n_layers(f->sky), ==, layers + 1);
  g_assert_true(gtk_stack_get_visible_child(f->stack) == GTK_WIDGET(f->sky));
  const SphMap *shown = sph_sky_view_get_map(sph_sky_page_get_view(f->sky));
  g_assert_cmpmem(shown->fields[0].values, sizeof(double) * shown->npix, got,
                  sizeof(double) * input->npix);

  sph_free_aligned(coeffs);
  sph_wavelet_dir_plan_free(plan);
  sph_ring_geometry_free(geometry);
  sph_map_free(input);
}

static void test_plane(Fixture *f, gconstpointer data)
{
  (void)data;
  const int J = 3, orientations = 4;
  sph_wavelet_page_configure_plane(f->page, J, orientations);
  char *path = g_build_filename(g_getenv("SPHAERA_DATA_DIR"), "hubble_deep_field_256.jpg", NULL);
  GError *error = NULL;
  g_assert_true(sph_wavelet_page_open_image(f->page, path, &error));
  g_assert_no_error(error);
  wait_idle(f->page);
  g_assert_cmpint(sph_wavelet_page_get_last_status(f->page), ==, SPH_OK);
  const SphWaveletWork *r = sph_wavelet_page_get_result(f->page);
  g_assert_cmpint(r->kind, ==, SPH_WAVELET_WORK_PLANE);
  g_assert_cmpint(r->image->height, ==, 256);
  g_assert_cmpint(r->image->width, ==, 256);
  /* kymatio's count 1 + J L + L^2 J (J - 1) / 2. */
  g_assert_cmpint(r->ncoeffs, ==, 1 + J * orientations + orientations * orientations * J * (J - 1) / 2);
  /* The image, every (j, l) modulus and the low-pass. */
  g_assert_cmpuint(sph_coefficient_grid_get_n_items(sph_wavelet_page_get_grid(f->page)), ==,
                   (guint)(J * orientations + 2));
  SphScatteringPlot *sp = sph_wavelet_page_get_scattering_plot(f->page);
  g_assert_cmpint(sph_scattering_plot_get_n_scales(sp), ==, J);
  g_assert_cmpfloat(sph_scattering_plot_get_first(sp, 0), >, 0);
  g_assert_cmpfloat(sph_scattering_plot_get_second(sp, 0, 2), >, 0);
  g_assert_true(isnan(sph_scattering_plot_get_second(sp, 2, 0)));
  /* The luminance is in [0, 1] and S0 (the low-passed mean) lies inside it. */
  g_assert_cmpfloat(r->s0, >, 0);
  g_assert_cmpfloat(r->s0, <, 1);

  /* A clicked planar thumbnail opens nothing in the Sky page. */
  int layers = sph_sky_page_get_n_layers(f->sky);
  sph_coefficient_grid_activate(sph_wavelet_page_get_grid(f->page), 1);
  g_assert_cmpint(sph_sky_page_get_n_layers(f->sky), ==, layers);

  /* A file that is no image: an error that names it. */
  char *bad = g_build_filename(g_getenv("SPHAERA_DATA_DIR"), "totcls.dat", NULL);
  g_assert_false(sph_wavelet_page_open_image(f->page, bad, &error));
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, "totcls.dat"));
  g_clear_error(&error);
  g_free(bad);
  g_free(path);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  if (!gtk_init_check()) {
    g_printerr("test-ui-wavelets: cannot open a display; run it under xvfb-run\n");
    return 1;
  }
  if (!g_resources_get_info("/org/sphaera/Sphaera/ui/sph-wavelet-page.ui",
                            G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL))
    g_resources_register(sph_get_resource());
  g_test_add("/wavelets/sphere", Fixture, NULL, fixture_setup, test_kernels_and_sphere,
             fixture_teardown);
  g_test_add("/wavelets/directional", Fixture, NULL, fixture_setup, test_directional,
             fixture_teardown);
  g_test_add("/wavelets/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add("/wavelets/plane", Fixture, NULL, fixture_setup, test_plane, fixture_teardown);
  return g_test_run();
}
