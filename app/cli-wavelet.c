/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli's wavelet command: axisymmetric scale-discretised wavelet analysis of a
 * HEALPix map into a directory of FITS maps (the scaling map and one map per scale, each
 * at its own NSIDE), and the exact synthesis back from such a directory. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "sphaera/wavelet_sphere.h"

static const char wavelet_usage[] =
    "Usage: " CLI_NAME " wavelet [OPTIONS] MAP OUTDIR\n"
    "       " CLI_NAME " wavelet --synthesise [OPTIONS] INDIR OUT\n"
    "\n"
    "Scale-discretised axisymmetric wavelets (s2let's construction) of field 0 of a\n"
    "HEALPix map. Writes OUTDIR/scaling.fits, OUTDIR/scale-JJ.fits for each wavelet scale\n"
    "j = J_min..J_max (each at the NSIDE its band limit needs; all at the map's NSIDE with\n"
    "--full-resolution) and OUTDIR/wavelet.txt, which --synthesise reads to rebuild the map\n"
    "OUT from INDIR.\n"
    "\n"
    "Options:\n"
    "  --B B              dilation factor lambda > 1 (default 2)\n"
    "  --jmin J           first wavelet scale (default 2)\n"
    "  --lmax L           band limit lmax (default 3 NSIDE - 1; at most 4 NSIDE)\n"
    "  --full-resolution  every scale at the map's NSIDE\n"
    "  --iter N           iterations of each map2alm (healpy's iter, default 3)\n"
    "  --tol T            conjugate gradients to relative residual T instead of --iter\n"
    "  --synthesise       rebuild a map from a directory written by this command\n"
    "  -h, --help         this help\n";

enum { OPT_B = 0x300, OPT_JMIN, OPT_LMAX, OPT_FULL, OPT_ITER, OPT_TOL, OPT_SYNTH };

typedef struct {
  double B;
  int64_t j_min, lmax, iter;
  double tol;
  bool full, synthesise, have_iter, have_tol;
} WaveletArgs;

static const char manifest_name[] = "wavelet.txt";

static void band_path(char *buf, size_t size, const char *dir, int j)
{
  if (j < 0)
    snprintf(buf, size, "%s/scaling.fits", dir);
  else
    snprintf(buf, size, "%s/scale-%02d.fits", dir, j);
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
      {0, 0, 0, 0}};
  *a = (WaveletArgs){.B = 2, .j_min = 2, .lmax = -1, .iter = 3};
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
  SphWaveletPlan *plan = g ? sph_wavelet_plan_new(g, a->B, (int)lmax + 1, (int)a->j_min,
                                                  a->full ? SPH_WAVELET_FULL_RESOLUTION
                                                          : SPH_WAVELET_MULTIRESOLUTION,
                                                  &err)
                           : NULL;
  sph_ring_geometry_free(g);
  if (!plan) {
    sph_map_free(map);
    return cli_fail_error(&err);
  }
  int status = 0;
  double *coeffs = malloc((size_t)sph_wavelet_plan_size(plan) * sizeof *coeffs);
  SphShtIterOptions options = iter_options(a);
  if (!coeffs)
    status = cli_fail("wavelet: out of memory for the wavelet coefficients");
  else if (sph_wavelet_analysis(plan, map->fields[0].values, coeffs, &options, NULL, &err) !=
           SPH_OK)
    status = cli_fail_error(&err);
  char path[4096];
  for (int b = 0; status == 0 && b < sph_wavelet_plan_nbands(plan); b++) {
    int j = sph_wavelet_plan_band_scale(plan, b);
    band_path(path, sizeof path, out_dir, j);
    status = write_band(path, coeffs + sph_wavelet_plan_band_offset(plan, b),
                        sph_wavelet_plan_band_geometry(plan, b), map->coordsys,
                        j < 0 ? "SCALING" : "WAVELET");
  }
  if (status == 0) {
    snprintf(path, sizeof path, "%s/%s", out_dir, manifest_name);
    FILE *f = fopen(path, "w");
    if (!f)
      status = cli_fail("wavelet: cannot write %s: %s", path, strerror(errno));
    else {
      fprintf(f, "B %.17g\nL %d\njmin %d\nnside %" PRId64 "\nresolution %s\n", a->B,
              (int)lmax + 1, (int)a->j_min, map->nside, a->full ? "full" : "multi");
      if (fclose(f) != 0)
        status = cli_fail("wavelet: cannot write %s: %s", path, strerror(errno));
    }
  }
  free(coeffs);
  sph_wavelet_plan_free(plan);
  sph_map_free(map);
  return status;
}

static int read_manifest(const char *dir, double *B, int *L, int *j_min, int64_t *nside,
                         bool *full)
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
  fclose(f);
  if (n != 5 || (strcmp(res, "full") != 0 && strcmp(res, "multi") != 0))
    return cli_fail("wavelet: %s is not a wavelet manifest (B, L, jmin, nside, resolution)",
                    path);
  *full = strcmp(res, "full") == 0;
  return 0;
}

static int synthesise(const WaveletArgs *a, const char *in_dir, const char *out_path)
{
  double B = 0;
  int L = 0, j_min = 0;
  int64_t nside = 0;
  bool full = false;
  if (read_manifest(in_dir, &B, &L, &j_min, &nside, &full) != 0)
    return 1;
  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = sph_ring_geometry_healpix(nside, &err);
  SphWaveletPlan *plan = g ? sph_wavelet_plan_new(g, B, L, j_min,
                                                  full ? SPH_WAVELET_FULL_RESOLUTION
                                                       : SPH_WAVELET_MULTIRESOLUTION,
                                                  &err)
                           : NULL;
  sph_ring_geometry_free(g);
  if (!plan)
    return cli_fail_error(&err);
  int status = 0;
  double *coeffs = malloc((size_t)sph_wavelet_plan_size(plan) * sizeof *coeffs);
  if (!coeffs)
    status = cli_fail("wavelet: out of memory for the wavelet coefficients");
  SphCoordSys coordsys = SPH_COORD_UNKNOWN;
  char path[4096];
  for (int b = 0; status == 0 && b < sph_wavelet_plan_nbands(plan); b++) {
    band_path(path, sizeof path, in_dir, sph_wavelet_plan_band_scale(plan, b));
    SphMap *band = cli_read_map(path, NULL, &err);
    if (!band || sph_map_reorder(band, SPH_ORDER_RING, &err) != SPH_OK) {
      status = cli_fail_error(&err);
    } else if (band->npix != sph_wavelet_plan_band_npix(plan, b)) {
      status = cli_fail("wavelet: %s has NSIDE %" PRId64 ", the manifest implies NSIDE %" PRId64,
                        path, band->nside,
                        sph_ring_geometry_nside(sph_wavelet_plan_band_geometry(plan, b)));
    } else {
      memcpy(coeffs + sph_wavelet_plan_band_offset(plan, b), band->fields[0].values,
             (size_t)band->npix * sizeof *coeffs);
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
      sph_wavelet_synthesis(plan, coeffs, out->fields[0].values, &options, NULL, &err) != SPH_OK)
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
  sph_wavelet_plan_free(plan);
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

const CliCommand cli_wavelet_commands[] = {
    {"wavelet", "scale-discretised wavelet maps of a map, and the map back from them",
     wavelet_usage, run_wavelet},
};
const int cli_wavelet_command_count =
    (int)(sizeof cli_wavelet_commands / sizeof cli_wavelet_commands[0]);
