/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli's wavelet commands: `wavelet`, the axisymmetric scale-discretised wavelet
 * analysis of a HEALPix map into a directory of FITS maps (the scaling map and one map
 * per scale, each at its own NSIDE; with --N >= 2 the directional wavelets, one map per
 * scale and direction), and the exact synthesis back from such a directory;
 * `scatter`, the planar scattering coefficients of an image (a FITS image HDU, or a PNG
 * read here through cairo, which core may not use). */
#include <cairo.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "sphaera/fits_image.h"
#include "sphaera/ring_geometry.h"
#include "sphaera/scatter_csv.h"
#include "sphaera/scattering.h"
#include "sphaera/scattering_cov.h"
#include "sphaera/scattering_sphere.h"
#include "sphaera/sht.h"
#include "sphaera/wavelet_sphere.h"
#include "sphaera/wavelet_sphere_dir.h"

static const char wavelet_usage[] =
    "Usage: " CLI_NAME " wavelet [OPTIONS] MAP OUTDIR\n"
    "       " CLI_NAME " wavelet --synthesise [OPTIONS] INDIR OUT\n"
    "\n"
    "Scale-discretised axisymmetric wavelets (s2let's construction) of field 0 of a\n"
    "HEALPix map. Writes OUTDIR/scaling.fits, OUTDIR/scale-JJ.fits for each wavelet scale\n"
    "j = J_min..J_max (each at the NSIDE its band limit needs; all at the map's NSIDE with\n"
    "--full-resolution) and OUTDIR/wavelet.txt, which --synthesise reads to rebuild the map\n"
    "OUT from INDIR. With --N N >= 2 the wavelets are directional (s2let's binomial\n"
    "profile): each scale j gives 2N - 1 maps OUTDIR/scale-JJ-dir-KK.fits, the coefficients\n"
    "at gamma_k = 2 pi k / (2N - 1), k = 0..2N-2.\n"
    "\n"
    "Options:\n"
    "  --B B              dilation factor lambda > 1 (default 2)\n"
    "  --jmin J           first wavelet scale (default 2)\n"
    "  --lmax L           band limit lmax (default 3 NSIDE - 1; at most 4 NSIDE)\n"
    "  --N N              directions: 1 axisymmetric (default), 2..lmax+1 directional\n"
    "  --full-resolution  every scale at the map's NSIDE\n"
    "  --iter N           iterations of each map2alm (healpy's iter, default 3)\n"
    "  --tol T            conjugate gradients to relative residual T instead of --iter\n"
    "  --synthesise       rebuild a map from a directory written by this command\n"
    "  -h, --help         this help\n";

enum { OPT_B = 0x300, OPT_JMIN, OPT_LMAX, OPT_FULL, OPT_ITER, OPT_TOL, OPT_SYNTH, OPT_N };

typedef struct {
  double B;
  int64_t j_min, lmax, iter, N;
  double tol;
  bool full, synthesise, have_iter, have_tol;
} WaveletArgs;

static const char manifest_name[] = "wavelet.txt";

/* direction < 0: the axisymmetric file of scale j. */
static void band_path(char *buf, size_t size, const char *dir, int j, int direction)
{
  if (j < 0)
    snprintf(buf, size, "%s/scaling.fits", dir);
  else if (direction < 0)
    snprintf(buf, size, "%s/scale-%02d.fits", dir, j);
  else
    snprintf(buf, size, "%s/scale-%02d-dir-%02d.fits", dir, j, direction);
}

/* The band layout of an axisymmetric plan, or of a directional one (dir != NULL). */
typedef struct {
  SphWaveletPlan *axisym;
  SphWaveletDirPlan *dir;
} WaveletPlans;

static bool wavelet_plans_new(WaveletPlans *p, const SphRingGeometry *g, double B, int L,
                              int j_min, int N, bool full, SphError *err)
{
  unsigned flags = full ? SPH_WAVELET_FULL_RESOLUTION : SPH_WAVELET_MULTIRESOLUTION;
  p->dir = N > 1 ? sph_wavelet_dir_plan_new(g, B, L, j_min, N, flags, err) : NULL;
  p->axisym = N > 1 ? NULL : sph_wavelet_plan_new(g, B, L, j_min, flags, err);
  return p->dir || p->axisym;
}

static void wavelet_plans_free(WaveletPlans *p)
{
  sph_wavelet_dir_plan_free(p->dir);
  sph_wavelet_plan_free(p->axisym);
}

static const SphWaveletPlan *wavelet_bands(const WaveletPlans *p)
{
  return p->dir ? sph_wavelet_dir_plan_axisym(p->dir) : p->axisym;
}

static int64_t wavelet_plans_size(const WaveletPlans *p)
{
  return p->dir ? sph_wavelet_dir_plan_size(p->dir) : sph_wavelet_plan_size(p->axisym);
}

static int wavelet_band_nmaps(const WaveletPlans *p, int band)
{
  return p->dir ? sph_wavelet_dir_plan_band_nmaps(p->dir, band) : 1;
}

/* Path and coefficient offset of map k of band b. */
static int64_t wavelet_map(const WaveletPlans *p, int band, int k, const char *dir, char *path,
                           size_t size)
{
  band_path(path, size, dir, sph_wavelet_plan_band_scale(wavelet_bands(p), band),
            p->dir ? k : -1);
  return p->dir ? sph_wavelet_dir_plan_map_offset(p->dir, band, k)
                : sph_wavelet_plan_band_offset(p->axisym, band);
}

static SphShtIterOptions iter_options(const WaveletArgs *a)
{
  SphShtIterOptions o = SPH_SHT_ITER_DEFAULT;
  if (a->have_tol) {
    o.tolerance = a->tol;
    o.max_iter = 200;
  } else {
    o.iterations = (int)a->iter;
  }
  return o;
}

static int parse(const CliContext *ctx, int argc, char **argv, WaveletArgs *a, int *first)
{
  static const struct option opts[] = {
      {"help", no_argument, NULL, 'h'},
      {"B", required_argument, NULL, OPT_B},
      {"jmin", required_argument, NULL, OPT_JMIN},
      {"lmax", required_argument, NULL, OPT_LMAX},
      {"full-resolution", no_argument, NULL, OPT_FULL},
      {"iter", required_argument, NULL, OPT_ITER},
      {"tol", required_argument, NULL, OPT_TOL},
      {"synthesise", no_argument, NULL, OPT_SYNTH},
      {"N", required_argument, NULL, OPT_N},
      {0, 0, 0, 0}};
  *a = (WaveletArgs){.B = 2, .j_min = 2, .lmax = -1, .iter = 3, .N = 1};
  int c;
  cli_getopt_begin();
  while ((c = cli_getopt(argc, argv, opts)) != -1) {
    switch (c) {
    case 'h':
      return cli_help(ctx);
    case OPT_B:
      if (!cli_parse_double(optarg, &a->B) || !(a->B > 1))
        return cli_fail("wavelet: --B %s is not a number above 1", optarg);
      break;
    case OPT_JMIN:
      if (!cli_parse_int64(optarg, 0, 64, &a->j_min))
        return cli_fail("wavelet: --jmin %s is not an integer in 0..64", optarg);
      break;
    case OPT_LMAX:
      if (!cli_parse_int64(optarg, 1, 1 << 20, &a->lmax))
        return cli_fail("wavelet: --lmax %s is not an integer in 1..%d", optarg, 1 << 20);
      break;
    case OPT_FULL:
      a->full = true;
      break;
    case OPT_ITER:
      if (!cli_parse_int64(optarg, 0, 1000, &a->iter))
        return cli_fail("wavelet: --iter %s is not an integer in 0..1000", optarg);
      a->have_iter = true;
      break;
    case OPT_TOL:
      if (!cli_parse_double(optarg, &a->tol) || !(a->tol > 0 && a->tol < 1))
        return cli_fail("wavelet: --tol %s is not a number between 0 and 1", optarg);
      a->have_tol = true;
      break;
    case OPT_SYNTH:
      a->synthesise = true;
      break;
    case OPT_N:
      if (!cli_parse_int64(optarg, 1, SPH_WAVELET_MAX_DIRECTIONS, &a->N))
        return cli_fail("wavelet: --N %s is not an integer in 1..%d", optarg,
                        SPH_WAVELET_MAX_DIRECTIONS);
      break;
    default:
      return cli_option_error(ctx, c, argv);
    }
  }
  int rc = cli_file_args(ctx, argc, 2, 2, first);
  if (rc < 0 && a->have_iter && a->have_tol)
    return cli_fail("wavelet: --iter and --tol exclude each other");
  return rc;
}

static int write_band(const char *path, const double *values, const SphRingGeometry *g,
                      SphCoordSys coordsys, const char *name)
{
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_map_new_uninit(sph_ring_geometry_nside(g), SPH_ORDER_RING, 1, &err);
  if (!map)
    return cli_fail_error(&err);
  memcpy(map->fields[0].values, values, (size_t)map->npix * sizeof *values);
  map->coordsys = coordsys;
  sph_map_set_field_name(map, 0, name);
  SphStatus st = sph_fits_write_map(path, map, NULL, &err);
  sph_map_free(map);
  if (st != SPH_OK) {
    if (!strstr(err.message, path))
      sph_error_prefix(&err, "%s", path);
    return cli_fail_error(&err);
  }
  return 0;
}

static int analyse(const WaveletArgs *a, const char *in_path, const char *out_dir)
{
  SphError err = SPH_ERROR_INIT;
  SphMap *map = cli_read_map(in_path, NULL, &err);
  if (!map || sph_map_reorder(map, SPH_ORDER_RING, &err) != SPH_OK) {
    sph_map_free(map);
    return cli_fail_error(&err);
  }
  int64_t lmax = a->lmax >= 0 ? a->lmax : 3 * map->nside - 1;
  if (lmax > 4 * map->nside) {
    int64_t nside = map->nside;
    sph_map_free(map);
    return cli_fail("wavelet: --lmax %" PRId64 " is beyond 4 NSIDE = %" PRId64 " for %s", lmax,
                    4 * nside, in_path);
  }
  if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
    int e = errno;
    sph_map_free(map);
    return cli_fail("wavelet: cannot create %s: %s", out_dir, strerror(e));
  }
  SphRingGeometry *g = sph_ring_geometry_healpix(map->nside, &err);
  WaveletPlans plans = {0};
  bool planned = g && wavelet_plans_new(&plans, g, a->B, (int)lmax + 1, (int)a->j_min,
                                        (int)a->N, a->full, &err);
  sph_ring_geometry_free(g);
  if (!planned) {
    sph_map_free(map);
    return cli_fail_error(&err);
  }
  const SphWaveletPlan *plan = wavelet_bands(&plans);
  int status = 0;
  double *coeffs = malloc((size_t)wavelet_plans_size(&plans) * sizeof *coeffs);
  SphShtIterOptions options = iter_options(a);
  if (!coeffs)
    status = cli_fail("wavelet: out of memory for the wavelet coefficients");
  else if ((plans.dir ? sph_wavelet_dir_analysis(plans.dir, map->fields[0].values, coeffs,
                                                 &options, NULL, &err)
                      : sph_wavelet_analysis(plans.axisym, map->fields[0].values, coeffs,
                                             &options, NULL, &err)) != SPH_OK)
    status = cli_fail_error(&err);
  char path[4096];
  for (int b = 0; status == 0 && b < sph_wavelet_plan_nbands(plan); b++)
    for (int k = 0; status == 0 && k < wavelet_band_nmaps(&plans, b); k++) {
      int64_t offset = wavelet_map(&plans, b, k, out_dir, path, sizeof path);
      status = write_band(path, coeffs + offset, sph_wavelet_plan_band_geometry(plan, b),
                          map->coordsys, b == 0 ? "SCALING" : "WAVELET");
    }
  if (status == 0) {
    /* Written beside and renamed, so a reader never sees half a manifest. */
    char tmp[4200];
    snprintf(path, sizeof path, "%s/%s", out_dir, manifest_name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
      status = cli_fail("wavelet: cannot write %s: %s", tmp, strerror(errno));
    else {
      fprintf(f, "B %.17g\nL %d\njmin %d\nnside %" PRId64 "\nresolution %s\nN %d\n", a->B,
              (int)lmax + 1, (int)a->j_min, map->nside, a->full ? "full" : "multi", (int)a->N);
      if (fclose(f) != 0 || rename(tmp, path) != 0) {
        status = cli_fail("wavelet: cannot write %s: %s", path, strerror(errno));
        remove(tmp);
      }
    }
  }
  free(coeffs);
  wavelet_plans_free(&plans);
  sph_map_free(map);
  return status;
}

/* Manifests written before directional wavelets have no N line: N = 1. */
static int read_manifest(const char *dir, double *B, int *L, int *j_min, int64_t *nside,
                         bool *full, int *N)
{
  char path[4096], res[16] = "";
  snprintf(path, sizeof path, "%s/%s", dir, manifest_name);
  FILE *f = fopen(path, "r");
  if (!f)
    return cli_fail("wavelet: cannot read %s: %s (write it with '" CLI_NAME
                    " wavelet MAP %s')",
                    path, strerror(errno), dir);
  int n = fscanf(f, "B %lf L %d jmin %d nside %" SCNd64 " resolution %15s", B, L, j_min, nside,
                 res);
  if (fscanf(f, " N %d", N) != 1)
    *N = 1;
  fclose(f);
  if (n != 5 || (strcmp(res, "full") != 0 && strcmp(res, "multi") != 0))
    return cli_fail("wavelet: %s is not a wavelet manifest (B, L, jmin, nside, resolution)",
                    path);
  if (*N < 1 || *N > SPH_WAVELET_MAX_DIRECTIONS)
    return cli_fail("wavelet: %s gives N = %d directions, not 1..%d", path, *N,
                    SPH_WAVELET_MAX_DIRECTIONS);
  *full = strcmp(res, "full") == 0;
  return 0;
}

static int synthesise(const WaveletArgs *a, const char *in_dir, const char *out_path)
{
  double B = 0;
  int L = 0, j_min = 0, N = 1;
  int64_t nside = 0;
  bool full = false;
  if (read_manifest(in_dir, &B, &L, &j_min, &nside, &full, &N) != 0)
    return 1;
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_healpix(nside, &err);
  WaveletPlans plans = {0};
  bool planned = g && wavelet_plans_new(&plans, g, B, L, j_min, N, full, &err);
  sph_ring_geometry_free(g);
  if (!planned)
    return cli_fail_error(&err);
  const SphWaveletPlan *plan = wavelet_bands(&plans);
  int status = 0;
  double *coeffs = malloc((size_t)wavelet_plans_size(&plans) * sizeof *coeffs);
  if (!coeffs)
    status = cli_fail("wavelet: out of memory for the wavelet coefficients");
  SphCoordSys coordsys = SPH_COORD_UNKNOWN;
  char path[4096];
  for (int b = 0; status == 0 && b < sph_wavelet_plan_nbands(plan); b++)
    for (int k = 0; status == 0 && k < wavelet_band_nmaps(&plans, b); k++) {
      int64_t offset = wavelet_map(&plans, b, k, in_dir, path, sizeof path);
      SphMap *band = cli_read_map(path, NULL, &err);
      if (!band || sph_map_reorder(band, SPH_ORDER_RING, &err) != SPH_OK) {
        status = cli_fail_error(&err);
      } else if (band->npix != sph_wavelet_plan_band_npix(plan, b)) {
        status = cli_fail("wavelet: %s has NSIDE %" PRId64 ", the manifest implies NSIDE %" PRId64,
                          path, band->nside,
                          sph_ring_geometry_nside(sph_wavelet_plan_band_geometry(plan, b)));
      } else {
        memcpy(coeffs + offset, band->fields[0].values, (size_t)band->npix * sizeof *coeffs);
        coordsys = band->coordsys;
      }
      sph_map_free(band);
    }
  SphMap *out = NULL;
  if (status == 0) {
    out = sph_map_new_uninit(nside, SPH_ORDER_RING, 1, &err);
    if (!out)
      status = cli_fail_error(&err);
  }
  SphShtIterOptions options = iter_options(a);
  if (status == 0 &&
      (plans.dir ? sph_wavelet_dir_synthesis(plans.dir, coeffs, out->fields[0].values, &options,
                                             NULL, &err)
                 : sph_wavelet_synthesis(plans.axisym, coeffs, out->fields[0].values, &options,
                                         NULL, &err)) != SPH_OK)
    status = cli_fail_error(&err);
  if (status == 0) {
    out->coordsys = coordsys;
    sph_map_set_field_name(out, 0, "TEMPERATURE");
    if (sph_fits_write_map(out_path, out, NULL, &err) != SPH_OK) {
      if (!strstr(err.message, out_path))
        sph_error_prefix(&err, "%s", out_path);
      status = cli_fail_error(&err);
    }
  }
  sph_map_free(out);
  free(coeffs);
  wavelet_plans_free(&plans);
  return status;
}

static int run_wavelet(int argc, char **argv)
{
  const CliContext ctx = {"wavelet", wavelet_usage};
  WaveletArgs a;
  int first = 0;
  int status = parse(&ctx, argc, argv, &a, &first);
  if (status >= 0)
    return status;
  if (a.synthesise)
    return synthesise(&a, argv[first], argv[first + 1]);
  return analyse(&a, argv[first], argv[first + 1]);
}

static const char scatter_usage[] =
    "Usage: " CLI_NAME " scatter [OPTIONS] IN OUT.csv\n"
    "\n"
    "Scattering coefficients of IN, written to OUT.csv with one row per coefficient,\n"
    "index,order,j1,l1,j2,l2,value (labels that do not apply are -1), each value the mean\n"
    "of its coefficient map.\n"
    "For an image (the first 2-D image HDU of a FITS file, or a PNG read as luminance,\n"
    "rows from the top): planar scattering as kymatio's Scattering2D with Morlet wavelets,\n"
    "1 + J L + L^2 J (J - 1) / 2 rows at order 2.\n"
    "For a HEALPix map (field 0): spherical scattering with s2let's axisymmetric wavelets,\n"
    "second-order paths to coarser scales (j2 < j1).\n"
    "With --stats cov (images only): the scattering covariances of Cheng et al. 2023 with\n"
    "periodic boundaries at full resolution, one row per statistic,\n"
    "index,kind,part,j1,l1,j2,l2,j3,l3,value: S0 (mean), P (mean square), S1, S2, and the\n"
    "real and imaginary parts of S3 (j1 <= j2) and S4 (j1 <= j2 <= j3).\n"
    "\n"
    "Options:\n"
    "  --order N          1 or 2 (default 2)\n"
    "  --J J              image: scales (default 3)\n"
    "  --L L              image: orientations (default 8)\n"
    "  --boundary B       image: reflect (kymatio's padding, default) or periodic (the\n"
    "                     sides must then be multiples of 2^J)\n"
    "  --B B              map: dilation lambda > 1 (default 2)\n"
    "  --jmin J           map: first wavelet scale (default 2)\n"
    "  --lmax L           map: band limit lmax (default 3 NSIDE - 1; at most 4 NSIDE)\n"
    "  --oversample K     map: take each modulus on a grid of K times the band, 1 or 2\n"
    "                     (default 2: far closer to rotation invariant)\n"
    "  --stats S          image: coeffs (scattering coefficients, default) or cov\n"
    "                     (scattering covariances; the sides must be multiples of 2^J)\n"
    "  --norm N           cov: self (S1, S3, S4 divided by the square roots of the\n"
    "                     image's own S2, as the paper does; default) or none\n"
    "  -h, --help         this help\n";

enum { OPT_SJ = 0x400, OPT_SL, OPT_ORDER, OPT_BOUNDARY, OPT_SB, OPT_SJMIN, OPT_SLMAX,
       OPT_OVERSAMPLE, OPT_STATS, OPT_NORM };

typedef struct {
  double B;
  int64_t j_min, lmax, oversample, order;
} SphereScatterArgs;

/* Spherical scattering of field 0 of a HEALPix map into out_path. */
static int scatter_map(const SphereScatterArgs *a, SphMap *map, const char *in_path,
                       const char *out_path)
{
  SphError err = SPH_ERROR_INIT;
  int64_t lmax = a->lmax >= 0 ? a->lmax : 3 * map->nside - 1;
  if (lmax > 4 * map->nside)
    return cli_fail("scatter: --lmax %" PRId64 " is beyond 4 NSIDE = %" PRId64 " for %s", lmax,
                    4 * map->nside, in_path);
  if (sph_map_reorder(map, SPH_ORDER_RING, &err) != SPH_OK)
    return cli_fail_error(&err);
  SphSphereScattering *plan = sph_sphere_scattering_new(a->B, (int)lmax + 1, (int)a->j_min,
                                                        (int)a->order, (int)a->oversample, &err);
  if (plan == NULL) {
    sph_error_prefix(&err, "%s", in_path);
    return cli_fail_error(&err);
  }
  SphRingGeometry *g = sph_ring_geometry_healpix(map->nside, &err);
  SphShtPlan *sht = g ? sph_sht_plan_new(g, (int)lmax, -1, SPH_SHT_DEFAULT, &err) : NULL;
  SphAlm *alm = sht ? sph_alm_new((int)lmax, (int)lmax, &err) : NULL;
  int64_t n = sph_sphere_scattering_ncoeffs(plan);
  double *coeffs = malloc((size_t)n * sizeof *coeffs);
  SphScatterLabel *labels = malloc((size_t)n * sizeof *labels);
  int status = 0;
  if (alm == NULL) {
    status = cli_fail_error(&err);
  } else if (coeffs == NULL || labels == NULL) {
    status = cli_fail("scatter: out of memory for %" PRId64 " coefficients", n);
  } else if (sph_sht_map2alm_iterative(sht, map->fields[0].values, alm, NULL, NULL, &err) != SPH_OK ||
             sph_sphere_scattering_alm(plan, alm, coeffs, &err) != SPH_OK) {
    sph_error_prefix(&err, "%s", in_path);
    status = cli_fail_error(&err);
  } else {
    for (int64_t i = 0; i < n; i++)
      labels[i] = sph_sphere_scattering_label(plan, i);
    if (sph_scatter_write_csv(out_path, n, labels, coeffs, &err) != SPH_OK)
      status = cli_fail_error(&err);
  }
  free(coeffs);
  free(labels);
  sph_alm_free(alm);
  sph_sht_plan_free(sht);
  sph_ring_geometry_free(g);
  sph_sphere_scattering_free(plan);
  return status;
}

static bool has_png_suffix(const char *path)
{
  size_t n = strlen(path);
  if (n < 4)
    return false;
  const char *ext = path + n - 4;
  return ext[0] == '.' && tolower((unsigned char)ext[1]) == 'p' &&
         tolower((unsigned char)ext[2]) == 'n' && tolower((unsigned char)ext[3]) == 'g';
}

/* A PNG as luminance (Rec. 601 weights on the un-premultiplied colour). */
static SphImage *read_png(const char *path, SphError *err)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png(path);
  cairo_status_t cs = cairo_surface_status(surface);
  if (cs != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(surface);
    sph_error_set(err, cs == CAIRO_STATUS_FILE_NOT_FOUND ? SPH_ERR_IO : SPH_ERR_FORMAT,
                  "%s: cannot read it as PNG (%s)", path, cairo_status_to_string(cs));
    return NULL;
  }
  cairo_surface_flush(surface);
  int width = cairo_image_surface_get_width(surface);
  int height = cairo_image_surface_get_height(surface);
  int stride = cairo_image_surface_get_stride(surface);
  cairo_format_t format = cairo_image_surface_get_format(surface);
  const unsigned char *bytes = cairo_image_surface_get_data(surface);
  SphImage *image = sph_image_new(height, width, err);
  if (image == NULL) {
    cairo_surface_destroy(surface);
    sph_error_prefix(err, "%s", path);
    return NULL;
  }
  for (int r = 0; r < height; r++) {
    const unsigned char *row = bytes + (size_t)r * (size_t)stride;
    for (int c = 0; c < width; c++) {
      double value;
      if (format == CAIRO_FORMAT_A8) {
        value = row[c] / 255.0;
      } else {
        uint32_t px;
        memcpy(&px, row + 4 * c, sizeof px);
        double a = format == CAIRO_FORMAT_ARGB32 ? (px >> 24) / 255.0 : 1.0;
        double red = ((px >> 16) & 0xff) / 255.0, green = ((px >> 8) & 0xff) / 255.0,
               blue = (px & 0xff) / 255.0;
        value = a > 0 ? (0.299 * red + 0.587 * green + 0.114 * blue) / a : 0;
      }
      image->data[(int64_t)r * width + c] = value;
    }
  }
  cairo_surface_destroy(surface);
  return image;
}

/* The scattering covariances of an image into out_path. */
static int scatter_cov_image(const SphImage *image, int J, int L, SphScatCovNorm norm,
                             const char *in_path, const char *out_path)
{
  SphError err = SPH_ERROR_INIT;
  SphScatteringCov *plan = sph_scattering_cov_new(image->height, image->width, J, L, norm, &err);
  if (plan == NULL) {
    sph_error_prefix(&err, "%s", in_path);
    return cli_fail_error(&err);
  }
  int64_t n = sph_scattering_cov_nstats(plan);
  double *stats = malloc((size_t)n * sizeof *stats);
  int status = 0;
  if (stats == NULL) {
    status = cli_fail("scatter: out of memory for %" PRId64 " statistics", n);
  } else if (sph_scattering_cov_forward(plan, image->data, stats, &err) != SPH_OK) {
    sph_error_prefix(&err, "%s", in_path);
    status = cli_fail_error(&err);
  } else if (sph_scattering_cov_write_csv(out_path, plan, stats, &err) != SPH_OK) {
    status = cli_fail_error(&err);
  }
  free(stats);
  sph_scattering_cov_free(plan);
  return status;
}

static int run_scatter(int argc, char **argv)
{
  const CliContext ctx = {"scatter", scatter_usage};
  static const struct option opts[] = {
      {"help", no_argument, NULL, 'h'},
      {"J", required_argument, NULL, OPT_SJ},
      {"L", required_argument, NULL, OPT_SL},
      {"order", required_argument, NULL, OPT_ORDER},
      {"boundary", required_argument, NULL, OPT_BOUNDARY},
      {"B", required_argument, NULL, OPT_SB},
      {"jmin", required_argument, NULL, OPT_SJMIN},
      {"lmax", required_argument, NULL, OPT_SLMAX},
      {"oversample", required_argument, NULL, OPT_OVERSAMPLE},
      {"stats", required_argument, NULL, OPT_STATS},
      {"norm", required_argument, NULL, OPT_NORM},
      {0, 0, 0, 0}};
  bool covariances = false, boundary_given = false;
  SphScatCovNorm cov_norm = SPH_SCATCOV_NORM_SELF;
  int64_t J = 3, L = 8, order = 2;
  SphereScatterArgs sphere = {.B = 2, .j_min = 2, .lmax = -1, .oversample = 2};
  SphBoundary boundary = SPH_BOUNDARY_REFLECT;
  int c;
  cli_getopt_begin();
  while ((c = cli_getopt(argc, argv, opts)) != -1) {
    switch (c) {
    case 'h':
      return cli_help(&ctx);
    case OPT_SJ:
      if (!cli_parse_int64(optarg, 1, SPH_MORLET_MAX_SCALES, &J))
        return cli_fail("scatter: --J %s is not an integer in 1..%d", optarg, SPH_MORLET_MAX_SCALES);
      break;
    case OPT_SL:
      if (!cli_parse_int64(optarg, 1, SPH_MORLET_MAX_ORIENTATIONS, &L))
        return cli_fail("scatter: --L %s is not an integer in 1..%d", optarg,
                        SPH_MORLET_MAX_ORIENTATIONS);
      break;
    case OPT_ORDER:
      if (!cli_parse_int64(optarg, 1, 2, &order))
        return cli_fail("scatter: --order %s is not 1 or 2", optarg);
      break;
    case OPT_BOUNDARY:
      if (strcmp(optarg, "reflect") == 0)
        boundary = SPH_BOUNDARY_REFLECT;
      else if (strcmp(optarg, "periodic") == 0)
        boundary = SPH_BOUNDARY_PERIODIC;
      else
        return cli_fail("scatter: --boundary %s is not reflect or periodic", optarg);
      boundary_given = true;
      break;
    case OPT_STATS:
      if (strcmp(optarg, "coeffs") == 0)
        covariances = false;
      else if (strcmp(optarg, "cov") == 0)
        covariances = true;
      else
        return cli_fail("scatter: --stats %s is not coeffs or cov", optarg);
      break;
    case OPT_NORM:
      if (strcmp(optarg, "self") == 0)
        cov_norm = SPH_SCATCOV_NORM_SELF;
      else if (strcmp(optarg, "none") == 0)
        cov_norm = SPH_SCATCOV_NORM_NONE;
      else
        return cli_fail("scatter: --norm %s is not self or none", optarg);
      break;
    case OPT_SB:
      if (!cli_parse_double(optarg, &sphere.B) || !(sphere.B > 1))
        return cli_fail("scatter: --B %s is not a number above 1", optarg);
      break;
    case OPT_SJMIN:
      if (!cli_parse_int64(optarg, 0, 64, &sphere.j_min))
        return cli_fail("scatter: --jmin %s is not an integer in 0..64", optarg);
      break;
    case OPT_SLMAX:
      if (!cli_parse_int64(optarg, 1, 1 << 20, &sphere.lmax))
        return cli_fail("scatter: --lmax %s is not an integer in 1..%d", optarg, 1 << 20);
      break;
    case OPT_OVERSAMPLE:
      if (!cli_parse_int64(optarg, 1, 2, &sphere.oversample))
        return cli_fail("scatter: --oversample %s is not 1 or 2", optarg);
      break;
    default:
      return cli_option_error(&ctx, c, argv);
    }
  }
  int first = 0;
  int rc = cli_file_args(&ctx, argc, 2, 2, &first);
  if (rc >= 0)
    return rc;
  const char *in_path = argv[first], *out_path = argv[first + 1];
  if (covariances && boundary_given && boundary != SPH_BOUNDARY_PERIODIC)
    return cli_fail("scatter: --stats cov uses periodic boundaries; drop --boundary reflect");
  SphError err = SPH_ERROR_INIT;
  SphImage *image = has_png_suffix(in_path) ? read_png(in_path, &err)
                                             : sph_fits_read_image(in_path, &err);
  if (image == NULL) {
    /* Not an image: a HEALPix map is the other input scatter takes. */
    SphError map_err = SPH_ERROR_INIT;
    SphMap *map = has_png_suffix(in_path) ? NULL : cli_read_map(in_path, NULL, &map_err);
    if (map == NULL)
      return cli_fail_error(&err);
    if (covariances) {
      sph_map_free(map);
      return cli_fail("scatter: %s is a HEALPix map; --stats cov is for planar images", in_path);
    }
    sphere.order = order;
    int status = scatter_map(&sphere, map, in_path, out_path);
    sph_map_free(map);
    return status;
  }
  if (covariances) {
    int cov_status = scatter_cov_image(image, (int)J, (int)L, cov_norm, in_path, out_path);
    sph_image_free(image);
    return cov_status;
  }
  SphScattering2D *plan = sph_scattering2d_new(image->height, image->width, (int)J, (int)L,
                                               (int)order, boundary, &err);
  if (plan == NULL) {
    sph_error_prefix(&err, "%s", in_path);
    sph_image_free(image);
    return cli_fail_error(&err);
  }
  int64_t n = sph_scattering2d_ncoeffs(plan);
  double *means = malloc((size_t)n * sizeof *means);
  SphScatterLabel *labels = malloc((size_t)n * sizeof *labels);
  int status = 0;
  if (means == NULL || labels == NULL) {
    status = cli_fail("scatter: out of memory for %" PRId64 " coefficients", n);
  } else if (sph_scattering2d_means(plan, image->data, means, &err) != SPH_OK) {
    sph_error_prefix(&err, "%s", in_path);
    status = cli_fail_error(&err);
  } else {
    for (int64_t i = 0; i < n; i++)
      labels[i] = sph_scattering2d_label(plan, i);
    if (sph_scatter_write_csv(out_path, n, labels, means, &err) != SPH_OK)
      status = cli_fail_error(&err);
  }
  free(means);
  free(labels);
  sph_scattering2d_free(plan);
  sph_image_free(image);
  return status;
}

const CliCommand cli_wavelet_commands[] = {
    {"wavelet", "scale-discretised wavelet maps of a map, and the map back from them",
     wavelet_usage, run_wavelet},
    {"scatter", "planar scattering coefficients of an image (FITS or PNG) as CSV",
     scatter_usage, run_scatter},
};
const int cli_wavelet_command_count =
    (int)(sizeof cli_wavelet_commands / sizeof cli_wavelet_commands[0]);
