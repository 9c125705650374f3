/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli's spherical harmonic commands: map2alm, alm2map, anafast, synfast, smooth
 * and rotate, with healpy's conventions and files healpy reads back. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sphaera/coords.h"
#include "sphaera/fields.h"
#include "sphaera/fits_alm.h"
#include "sphaera/fits_map.h"
#include "sphaera/healpix.h"
#include "sphaera/power_spectrum.h"
#include "sphaera/ring_weights_io.h"
#include "sphaera/rotate.h"
#include "sphaera/spectrum.h"

enum {
  OPT_LMAX = 0x200,
  OPT_NSIDE,
  OPT_ITER,
  OPT_TOL,
  OPT_POL,
  OPT_MASK,
  OPT_REMOVE_MONOPOLE,
  OPT_REMOVE_DIPOLE,
  OPT_SEED,
  OPT_FWHM,
  OPT_EULER,
  OPT_FRAME,
  OPT_WEIGHTS,
  OPT_MASK_BAD,
  OPT_MMAX,
};

/* Every option any of these commands takes; each command accepts the ones its usage
 * lists. */
typedef struct {
  int64_t lmax, mmax, nside, iter, seed;
  double tol, fwhm_deg;
  bool pol, have_iter, have_tol, have_fwhm, have_seed, remove_monopole, remove_dipole, mask_bad;
  const char *mask, *euler, *frame, *weights;
} ShtArgs;

static const struct option all_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"lmax", required_argument, NULL, OPT_LMAX},
    {"nside", required_argument, NULL, OPT_NSIDE},
    {"iter", required_argument, NULL, OPT_ITER},
    {"tol", required_argument, NULL, OPT_TOL},
    {"pol", no_argument, NULL, OPT_POL},
    {"mask", required_argument, NULL, OPT_MASK},
    {"remove-monopole", no_argument, NULL, OPT_REMOVE_MONOPOLE},
    {"remove-dipole", no_argument, NULL, OPT_REMOVE_DIPOLE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"fwhm-deg", required_argument, NULL, OPT_FWHM},
    {"euler", required_argument, NULL, OPT_EULER},
    {"frame", required_argument, NULL, OPT_FRAME},
    {"weights", required_argument, NULL, OPT_WEIGHTS},
    {"mask-bad", no_argument, NULL, OPT_MASK_BAD},
    {"mmax", required_argument, NULL, OPT_MMAX},
    {0, 0, 0, 0}};

/* Parses argv with the options named in `allowed` (space-separated); the file arguments
 * are argv[*first..argc). Returns -1 to go on, else the exit status. */
static int parse_args(const CliContext *ctx, const char *allowed, int argc, char **argv,
                      ShtArgs *a, int nfiles, int *first)
{
  struct option opts[sizeof all_options / sizeof all_options[0]];
  cli_options_select(all_options, allowed, opts);
  *a = (ShtArgs){.lmax = -1, .mmax = -1, .iter = 3};
  int c;
  cli_getopt_begin();
  while ((c = cli_getopt(argc, argv, opts)) != -1) {
    switch (c) {
    case 'h':
      return cli_help(ctx);
    case OPT_LMAX:
      if (!cli_parse_int64(optarg, 0, 1 << 20, &a->lmax))
        return cli_fail("%s: --lmax %s is not an integer in 0..%d", ctx->command, optarg, 1 << 20);
      break;
    case OPT_NSIDE:
      if (!cli_parse_int64(optarg, 1, SPH_HP_MAX_NSIDE, &a->nside) || !sph_hp_nside_valid(a->nside))
        return cli_fail("%s: --nside %s is not a power of two in 1..%" PRId64, ctx->command,
                        optarg, (int64_t)SPH_HP_MAX_NSIDE);
      break;
    case OPT_ITER:
      if (!cli_parse_int64(optarg, 0, 1000, &a->iter))
        return cli_fail("%s: --iter %s is not an integer in 0..1000", ctx->command, optarg);
      a->have_iter = true;
      break;
    case OPT_TOL:
      if (!cli_parse_double(optarg, &a->tol) || !(a->tol > 0 && a->tol < 1))
        return cli_fail("%s: --tol %s is not a number between 0 and 1", ctx->command, optarg);
      a->have_tol = true;
      break;
    case OPT_POL:
      a->pol = true;
      break;
    case OPT_MASK:
      a->mask = optarg;
      break;
    case OPT_REMOVE_MONOPOLE:
      a->remove_monopole = true;
      break;
    case OPT_REMOVE_DIPOLE:
      a->remove_dipole = true;
      break;
    case OPT_SEED:
      if (!cli_parse_int64(optarg, 0, INT64_MAX, &a->seed))
        return cli_fail("%s: --seed %s is not a non-negative integer", ctx->command, optarg);
      a->have_seed = true;
      break;
    case OPT_FWHM:
      if (!cli_parse_double(optarg, &a->fwhm_deg) || a->fwhm_deg < 0 || a->fwhm_deg > 360)
        return cli_fail("%s: --fwhm-deg %s is not an angle in 0..360 degrees", ctx->command,
                        optarg);
      a->have_fwhm = true;
      break;
    case OPT_EULER:
      a->euler = optarg;
      break;
    case OPT_FRAME:
      a->frame = optarg;
      break;
    case OPT_WEIGHTS:
      a->weights = optarg;
      break;
    case OPT_MASK_BAD:
      a->mask_bad = true;
      break;
    case OPT_MMAX:
      if (!cli_parse_int64(optarg, 0, 1 << 20, &a->mmax))
        return cli_fail("%s: --mmax %s is not an integer in 0..%d", ctx->command, optarg, 1 << 20);
      break;
    default:
      return cli_option_error(ctx, c, argv);
    }
  }
  int rc = cli_file_args(ctx, argc, nfiles, nfiles, first);
  if (rc < 0 && a->have_iter && a->have_tol)
    return cli_fail("%s: --iter and --tol exclude each other", ctx->command);
  return rc;
}

/* The map in RING ordering (the transforms' layout). */
static SphMap *read_ring_map(const char *path, SphError *err)
{
  SphMap *map = cli_read_map(path, NULL, err);
  if (map != NULL && sph_map_reorder(map, SPH_ORDER_RING, err) != SPH_OK) {
    sph_map_free(map);
    return NULL;
  }
  return map;
}

/* --mask-bad: the NaN and UNSEEN pixels of the analysed fields become 0, as healpy's
 * map2alm treats UNSEEN, instead of being refused. */
static void mask_bad_pixels(SphMap *map, int nfields)
{
  for (int k = 0; k < nfields && k < map->nfields; k++)
    sph_sht_zero_bad_pixels(map->fields[k].values, map->npix);
}

static int fail_in(const char *path, SphError *err)
{
  if (strstr(err->message, path) == NULL)
    sph_error_prefix(err, "%s", path);
  return cli_fail_error(err);
}

static int write_map_or_fail(const char *path, const SphMap *map, SphError *err)
{
  if (sph_fits_write_map(path, map, NULL, err) != SPH_OK)
    return fail_in(path, err);
  return 0;
}

static int check_pol(const char *command, const char *path, const SphMap *map, bool pol)
{
  if (pol && map->nfields < 3)
    return cli_fail("%s: %s: --pol needs I, Q, U fields, the map has %d", command, path,
                    map->nfields);
  return 0;
}

static int check_lmax(const char *command, int64_t lmax, int64_t nside)
{
  if (lmax > 4 * nside)
    return cli_fail("%s: --lmax %" PRId64 " is beyond 4 NSIDE = %" PRId64
                    " for this HEALPix map",
                    command, lmax, 4 * nside);
  return 0;
}

/* HEALPix geometry with the ring weights --weights names: none (NULL or "none": 4 pi/npix
 * per pixel, healpy's default), "ring" (computed as HEALPix computed healpy-data's
 * tables) or the path of such a table. */
static SphRingGeometry *healpix_geometry(int64_t nside, const char *weights, SphError *err)
{
  if (weights == NULL || strcmp(weights, "none") == 0)
    return sph_ring_geometry_healpix(nside, err);
  double *dweight = malloc((size_t)(2 * nside) * sizeof *dweight);
  if (dweight == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "out of memory for ring weights at NSIDE=%" PRId64, nside);
    return NULL;
  }
  SphStatus st = strcmp(weights, "ring") == 0
                     ? sph_healpix_ring_weights(nside, -1, dweight, err)
                     : sph_read_healpix_ring_weights(weights, nside, dweight, err);
  SphRingGeometry *g = st == SPH_OK ? sph_ring_geometry_healpix_weighted(nside, dweight, err) : NULL;
  free(dweight);
  return g;
}

static SphShtPlan *healpix_weighted_plan(int64_t nside, int lmax, int mmax, const char *weights,
                                         SphError *err)
{
  SphRingGeometry *g = healpix_geometry(nside, weights, err);
  if (g == NULL)
    return NULL;
  SphShtPlan *plan = sph_sht_plan_new(g, lmax, mmax, SPH_SHT_DEFAULT, err);
  sph_ring_geometry_free(g);
  return plan;
}

/* ---- map2alm ---- */

static const char map2alm_usage[] =
    "Usage: " CLI_NAME " map2alm MAP OUT --lmax L [OPTIONS]\n"
    "\n"
    "Spherical harmonic coefficients of a HEALPix map, as healpy's map2alm: the first\n"
    "field (or, with --pol, T, E, B from fields I, Q, U), written as healpy's write_alm\n"
    "(one extension per set).\n"
    "\n"
    "Options:\n"
    "  --lmax L     the largest l (required; at most 4 NSIDE)\n"
    "  --mmax M     the largest m (default lmax)\n"
    "  --iter N     healpy's iterative refinement steps (default 3)\n"
    "  --tol T      instead: conjugate gradients to relative residual T\n"
    "  --pol        I, Q, U fields to T, E, B (spin 2)\n"
    "  --weights W  quadrature: none (4 pi/npix per pixel, the default, as healpy),\n"
    "               ring (HEALPix ring weights, healpy's use_weights=True, computed) or\n"
    "               the path of a healpy-data weight_ring_nNNNNN.fits table\n"
    "  --mask-bad   NaN and UNSEEN pixels count as 0 (masked, as healpy) instead of\n"
    "               being refused\n"
    "  -h, --help   show this help\n";

static int run_map2alm(int argc, char **argv)
{
  const CliContext ctx = {"map2alm", map2alm_usage};
  ShtArgs a;
  int first;
  int rc = parse_args(&ctx, "lmax mmax iter tol pol weights mask-bad", argc, argv, &a, 2, &first);
  if (rc >= 0)
    return rc;
  if (a.lmax < 0)
    return cli_fail("map2alm: --lmax L is required (see '" CLI_NAME " map2alm --help')");
  const char *in = argv[first], *out = argv[first + 1];
  SphError err = SPH_ERROR_INIT;
  SphMap *map = read_ring_map(in, &err);
  if (map == NULL)
    return cli_fail_error(&err);
  int n = a.pol ? 3 : 1;
  if ((rc = check_pol("map2alm", in, map, a.pol)) != 0 ||
      (rc = check_lmax("map2alm", a.lmax, map->nside)) != 0) {
    sph_map_free(map);
    return rc;
  }
  if (a.mask_bad)
    mask_bad_pixels(map, n);
  if (a.mmax > a.lmax) {
    sph_map_free(map);
    return cli_fail("map2alm: --mmax %" PRId64 " is beyond --lmax %" PRId64, a.mmax, a.lmax);
  }
  SphShtPlan *plan = healpix_weighted_plan(map->nside, (int)a.lmax, (int)a.mmax, a.weights, &err);
  SphAlm *alm[3] = {NULL, NULL, NULL};
  SphStatus st = plan != NULL ? SPH_OK : err.code;
  for (int k = 0; k < n && st == SPH_OK; k++)
    st = (alm[k] = sph_alm_new((int)a.lmax, (int)a.mmax, &err)) != NULL ? SPH_OK : err.code;
  if (st == SPH_OK) {
    SphShtIterOptions opt = SPH_SHT_ITER_DEFAULT;
    opt.iterations = (int)a.iter;
    opt.tolerance = a.have_tol ? a.tol : 0.0;
    const double *maps[3];
    for (int k = 0; k < n; k++)
      maps[k] = map->fields[k].values;
    st = sph_fields_map2alm(plan, n, maps, alm, &opt, NULL, &err);
  }
  rc = st == SPH_OK ? 0 : fail_in(in, &err);
  if (rc == 0 && sph_fits_write_alm(out, (const SphAlm *const *)alm, n, NULL, &err) != SPH_OK)
    rc = fail_in(out, &err);
  for (int k = 0; k < n; k++)
    sph_alm_free(alm[k]);
  sph_sht_plan_free(plan);
  sph_map_free(map);
  return rc;
}

/* ---- alm2map ---- */

static const char alm2map_usage[] =
    "Usage: " CLI_NAME " alm2map ALM OUT --nside N [OPTIONS]\n"
    "\n"
    "A HEALPix RING map from spherical harmonic coefficients in healpy's alm FITS layout,\n"
    "as healpy's alm2map: each set in ALM becomes a temperature field, or with --pol the\n"
    "sets T, E, B become I, Q, U (spin 2).\n"
    "\n"
    "Options:\n"
    "  --nside N    the map's NSIDE (required; lmax must be at most 4 NSIDE)\n"
    "  --pol        T, E, B to I, Q, U\n"
    "  -h, --help   show this help\n";

static int run_alm2map(int argc, char **argv)
{
  const CliContext ctx = {"alm2map", alm2map_usage};
  ShtArgs a;
  int first;
  int rc = parse_args(&ctx, "nside pol", argc, argv, &a, 2, &first);
  if (rc >= 0)
    return rc;
  if (a.nside == 0)
    return cli_fail("alm2map: --nside N is required (see '" CLI_NAME " alm2map --help')");
  const char *in = argv[first], *out = argv[first + 1];
  SphError err = SPH_ERROR_INIT;
  SphAlm **alms = NULL;
  int nsets = 0;
  if (sph_fits_read_alm_all(in, &alms, &nsets, NULL, &err) != SPH_OK)
    return fail_in(in, &err);
  if (a.pol && nsets < 3) {
    sph_fits_alm_sets_free(alms, nsets);
    return cli_fail("alm2map: %s: --pol needs T, E, B sets, the file has %d", in, nsets);
  }
  int lmax = alms[0]->lmax;
  SphMap *map = NULL;
  SphShtPlan *plan = NULL;
  int mmax = alms[0]->mmax;
  if (lmax > 4 * a.nside) {
    rc = cli_fail("alm2map: %s has lmax %d, beyond 4 NSIDE = %" PRId64 " for --nside %" PRId64,
                  in, lmax, 4 * a.nside, a.nside);
    goto out;
  }
  for (int k = 0; k < nsets; k++)
    if (alms[k]->lmax != lmax || alms[k]->mmax != mmax) {
      rc = cli_fail("alm2map: %s: set %d has lmax %d, mmax %d but set 1 has lmax %d, mmax %d; "
                    "the sets must agree",
                    in, k + 1, alms[k]->lmax, alms[k]->mmax, lmax, mmax);
      goto out;
    }
  plan = healpix_weighted_plan(a.nside, lmax, mmax, NULL, &err);
  int nfields = a.pol ? 3 : nsets;
  map = plan != NULL ? sph_map_new_uninit(a.nside, SPH_ORDER_RING, nfields, &err) : NULL;
  if (map == NULL) {
    rc = fail_in(in, &err);
    goto out;
  }
  SphStatus st = SPH_OK;
  if (a.pol) {
    double *maps[3] = {map->fields[0].values, map->fields[1].values, map->fields[2].values};
    st = sph_fields_alm2map(plan, 3, (const SphAlm *const *)alms, maps, NULL, &err);
    static const char *const names[3] = {"I_STOKES", "Q_STOKES", "U_STOKES"};
    for (int k = 0; k < 3; k++)
      sph_map_set_field_name(map, k, names[k]);
  } else {
    for (int k = 0; k < nsets && st == SPH_OK; k++)
      st = sph_sht_alm2map(plan, alms[k], map->fields[k].values, NULL, &err);
    if (nsets == 1)
      sph_map_set_field_name(map, 0, "TEMPERATURE");
  }
  rc = st == SPH_OK ? write_map_or_fail(out, map, &err) : fail_in(in, &err);
out:
  sph_map_free(map);
  sph_sht_plan_free(plan);
  sph_fits_alm_sets_free(alms, nsets);
  return rc;
}

/* ---- anafast ---- */

static const char anafast_usage[] =
    "Usage: " CLI_NAME " anafast MAP OUT [OPTIONS]\n"
    "\n"
    "The angular power spectrum of a HEALPix map as healpy's anafast, written as healpy's\n"
    "write_cl (FITS): TT, or with --pol TT, EE, BB, TE, EB, TB from fields I, Q, U.\n"
    "\n"
    "Options:\n"
    "  --lmax L            the largest l (default 3 NSIDE - 1)\n"
    "  --iter N            healpy's iterative refinement steps (default 3)\n"
    "  --mask M            a map whose first field weights the pixels (the map is\n"
    "                      multiplied by it; UNSEEN pixels then weigh 0)\n"
    "  --remove-monopole   fit and subtract the monopole over the kept pixels first\n"
    "  --remove-dipole     fit and subtract the monopole and dipole over the kept pixels\n"
    "  --pol               polarisation spectra from I, Q, U\n"
    "  --mask-bad          NaN and UNSEEN pixels count as 0 (as healpy's map2alm)\n"
    "                      instead of being refused\n"
    "  -h, --help          show this help\n";

static int run_anafast(int argc, char **argv)
{
  const CliContext ctx = {"anafast", anafast_usage};
  ShtArgs a;
  int first;
  int rc = parse_args(&ctx, "lmax iter mask remove-monopole remove-dipole pol mask-bad", argc,
                      argv, &a, 2, &first);
  if (rc >= 0)
    return rc;
  const char *in = argv[first], *out = argv[first + 1];
  SphError err = SPH_ERROR_INIT;
  SphMap *map = read_ring_map(in, &err), *mask = NULL;
  if (map == NULL)
    return cli_fail_error(&err);
  if ((rc = check_pol("anafast", in, map, a.pol)) != 0 ||
      (rc = check_lmax("anafast", a.lmax, map->nside)) != 0) {
    sph_map_free(map);
    return rc;
  }
  if (a.mask != NULL) {
    mask = read_ring_map(a.mask, &err);
    if (mask == NULL) {
      sph_map_free(map);
      return cli_fail_error(&err);
    }
    if (mask->nside != map->nside) {
      rc = cli_fail("anafast: the mask %s has NSIDE %" PRId64 ", the map %s has %" PRId64,
                    a.mask, mask->nside, in, map->nside);
      sph_map_free(map);
      sph_map_free(mask);
      return rc;
    }
  }
  if (a.mask_bad)
    mask_bad_pixels(map, a.pol ? 3 : 1);
  SphAnafastOptions o = SPH_ANAFAST_DEFAULT;
  o.lmax = (int)a.lmax;
  o.iterations = (int)a.iter;
  o.mask = mask;
  o.pol = a.pol;
  o.remove = a.remove_dipole     ? SPH_REMOVE_DIPOLE
             : a.remove_monopole ? SPH_REMOVE_MONOPOLE
                                 : SPH_REMOVE_NONE;
  SphSpectra *s = sph_anafast(map, NULL, &o, NULL, &err);
  rc = s != NULL ? 0 : fail_in(in, &err);
  if (rc == 0 && sph_cl_write_fits(out, s, SPH_FITS_FLOAT64, &err) != SPH_OK)
    rc = fail_in(out, &err);
  sph_spectra_free(s);
  sph_map_free(map);
  sph_map_free(mask);
  return rc;
}

/* ---- synfast ---- */

static const char synfast_usage[] =
    "Usage: " CLI_NAME " synfast CL OUT --nside N [OPTIONS]\n"
    "\n"
    "A Gaussian random HEALPix map with power spectrum CL, as healpy's synfast (new=False):\n"
    "CL is healpy's write_cl FITS (a name ending in .fits, .fit or .fits.gz) or the text\n"
    "layout of totcls.dat (l, then D_l = l(l+1)C_l/2pi per component). With TT alone the\n"
    "map is T; with TT, EE, BB, TE (and EB, TB) it is I, Q, U. The same seed gives the\n"
    "same map.\n"
    "\n"
    "Options:\n"
    "  --nside N      the map's NSIDE (required)\n"
    "  --lmax L       the largest l (default 3 NSIDE - 1)\n"
    "  --seed S       the random seed (default 0)\n"
    "  --fwhm-deg F   a Gaussian beam of FWHM F degrees (default 0: none)\n"
    "  -h, --help     show this help\n";

static bool has_suffix(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int run_synfast(int argc, char **argv)
{
  const CliContext ctx = {"synfast", synfast_usage};
  ShtArgs a;
  int first;
  int rc = parse_args(&ctx, "nside lmax seed fwhm-deg", argc, argv, &a, 2, &first);
  if (rc >= 0)
    return rc;
  if (a.nside == 0)
    return cli_fail("synfast: --nside N is required (see '" CLI_NAME " synfast --help')");
  if ((rc = check_lmax("synfast", a.lmax, a.nside)) != 0)
    return rc;
  const char *in = argv[first], *out = argv[first + 1];
  SphError err = SPH_ERROR_INIT;
  bool fits = has_suffix(in, ".fits") || has_suffix(in, ".fit") || has_suffix(in, ".fits.gz");
  SphSpectra *cls = fits ? sph_cl_read_fits(in, &err) : sph_cl_read_text(in, &err);
  if (cls == NULL)
    return fail_in(in, &err);
  if (cls->ncomp == 5 || cls->ncomp == 2 || cls->ncomp == 3) {
    rc = cli_fail("synfast: %s has %d spectra; need TT, or TT EE BB TE (and EB TB)", in,
                  cls->ncomp);
    sph_spectra_free(cls);
    return rc;
  }
  SphMap *map = sph_synfast(cls, a.nside, (int)a.lmax, a.fwhm_deg * M_PI / 180.0,
                            (uint64_t)a.seed, NULL, &err);
  rc = map != NULL ? write_map_or_fail(out, map, &err) : fail_in(in, &err);
  sph_map_free(map);
  sph_spectra_free(cls);
  return rc;
}

/* ---- smooth ---- */

static const char smooth_usage[] =
    "Usage: " CLI_NAME " smooth MAP OUT --fwhm-deg F [OPTIONS]\n"
    "\n"
    "Smooths a HEALPix map with a Gaussian beam as healpy's smoothing: map2alm, the beam\n"
    "(with healpy's spin-2 factors for E and B under --pol), alm2map. Every field is a\n"
    "temperature map unless --pol, where fields I, Q, U go together.\n"
    "\n"
    "Options:\n"
    "  --fwhm-deg F   the beam's full width at half maximum, degrees (required)\n"
    "  --lmax L       the largest l (default 3 NSIDE - 1)\n"
    "  --iter N       healpy's iterative refinement steps (default 3)\n"
    "  --pol          I, Q, U as a polarised field\n"
    "  -h, --help     show this help\n";

static int run_smooth(int argc, char **argv)
{
  const CliContext ctx = {"smooth", smooth_usage};
  ShtArgs a;
  int first;
  int rc = parse_args(&ctx, "fwhm-deg lmax iter pol", argc, argv, &a, 2, &first);
  if (rc >= 0)
    return rc;
  if (!a.have_fwhm)
    return cli_fail("smooth: --fwhm-deg F is required (see '" CLI_NAME " smooth --help')");
  const char *in = argv[first], *out = argv[first + 1];
  SphError err = SPH_ERROR_INIT;
  SphMap *map = cli_read_map(in, NULL, &err);
  if (map == NULL)
    return cli_fail_error(&err);
  if ((rc = check_pol("smooth", in, map, a.pol)) != 0 ||
      (rc = check_lmax("smooth", a.lmax, map->nside)) != 0) {
    sph_map_free(map);
    return rc;
  }
  SphMap *s = sph_smoothing(map, a.fwhm_deg * M_PI / 180.0, (int)a.lmax, (int)a.iter, a.pol,
                            NULL, &err);
  rc = s != NULL ? write_map_or_fail(out, s, &err) : fail_in(in, &err);
  sph_map_free(s);
  sph_map_free(map);
  return rc;
}

/* ---- rotate ---- */

static const char rotate_usage[] =
    "Usage: " CLI_NAME " rotate MAP OUT (--euler PSI,THETA,PHI | --frame FROM:TO) [OPTIONS]\n"
    "\n"
    "Rotates a HEALPix map through its spherical harmonics, as healpy's rotate_map_alms\n"
    "(use_pixel_weights=False): map2alm, rotate_alm, alm2map. The result is RING ordered.\n"
    "\n"
    "Options:\n"
    "  --euler PSI,THETA,PHI  healpy's rotate_alm angles in degrees: the active rotation\n"
    "                         R_z(PHI) R_y(THETA) R_z(PSI)\n"
    "  --frame FROM:TO        change frame, FROM and TO each G (Galactic), C (Equatorial)\n"
    "                         or E (Ecliptic); FROM must match the map's COORDSYS when it\n"
    "                         has one; the output's COORDSYS is TO\n"
    "  --lmax L               the largest l (default 3 NSIDE - 1)\n"
    "  --iter N               healpy's iterative refinement steps (default 3)\n"
    "  --pol                  I, Q, U as a polarised field (T, E, B rotated)\n"
    "  -h, --help             show this help\n";

static int run_rotate(int argc, char **argv)
{
  const CliContext ctx = {"rotate", rotate_usage};
  ShtArgs a;
  int first;
  int rc = parse_args(&ctx, "euler frame lmax iter pol", argc, argv, &a, 2, &first);
  if (rc >= 0)
    return rc;
  if ((a.euler == NULL) == (a.frame == NULL))
    return cli_fail("rotate: give exactly one of --euler PSI,THETA,PHI and --frame FROM:TO");
  double ang[3] = {0, 0, 0};
  SphCoordSys from = SPH_COORD_UNKNOWN, to = SPH_COORD_UNKNOWN;
  if (a.euler != NULL) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", a.euler);
    char *save = NULL, *tok = strtok_r(buf, ",", &save);
    int n = 0;
    for (; tok != NULL && n < 4; tok = strtok_r(NULL, ",", &save), n++)
      if (n < 3 && !cli_parse_double(tok, &ang[n]))
        n = 4;
    if (n != 3)
      return cli_fail("rotate: --euler %s is not three angles PSI,THETA,PHI in degrees",
                      a.euler);
  } else {
    const char *colon = strchr(a.frame, ':');
    char f[32] = "";
    if (colon != NULL && (size_t)(colon - a.frame) < sizeof f)
      snprintf(f, sizeof f, "%.*s", (int)(colon - a.frame), a.frame);
    if (colon == NULL || !sph_coordsys_from_name(f, &from) ||
        !sph_coordsys_from_name(colon + 1, &to))
      return cli_fail("rotate: --frame %s is not FROM:TO with each of G, C, E", a.frame);
  }
  const char *in = argv[first], *out = argv[first + 1];
  SphError err = SPH_ERROR_INIT;
  SphMap *map = cli_read_map(in, NULL, &err);
  if (map == NULL)
    return cli_fail_error(&err);
  if ((rc = check_pol("rotate", in, map, a.pol)) != 0 ||
      (rc = check_lmax("rotate", a.lmax, map->nside)) != 0) {
    sph_map_free(map);
    return rc;
  }
  SphMap *r;
  if (a.frame != NULL) {
    if (map->coordsys != SPH_COORD_UNKNOWN && map->coordsys != from) {
      rc = cli_fail("rotate: %s is in frame %c (COORDSYS), not %c as --frame says", in,
                    sph_coordsys_letter(map->coordsys), sph_coordsys_letter(from));
      sph_map_free(map);
      return rc;
    }
    map->coordsys = from;
    r = sph_rotate_map_frame(map, to, (int)a.lmax, (int)a.iter, a.pol, NULL, &err);
  } else {
    const double d = M_PI / 180.0;
    r = sph_rotate_map_alms(map, ang[0] * d, ang[1] * d, ang[2] * d, (int)a.lmax, (int)a.iter,
                            a.pol, NULL, &err);
  }
  rc = r != NULL ? write_map_or_fail(out, r, &err) : fail_in(in, &err);
  sph_map_free(r);
  sph_map_free(map);
  return rc;
}

const CliCommand cli_sht_commands[] = {
    {"map2alm", "spherical harmonic coefficients of a map (healpy's map2alm)", map2alm_usage,
     run_map2alm},
    {"alm2map", "a map from spherical harmonic coefficients (healpy's alm2map)", alm2map_usage,
     run_alm2map},
    {"anafast", "the angular power spectrum of a map (healpy's anafast)", anafast_usage,
     run_anafast},
    {"synfast", "a Gaussian random map from a power spectrum (healpy's synfast)",
     synfast_usage, run_synfast},
    {"smooth", "Gaussian-beam smoothing (healpy's smoothing)", smooth_usage, run_smooth},
    {"rotate", "rotate a map by Euler angles or between G, C, E frames", rotate_usage,
     run_rotate},
    {"bench", "time the spherical harmonic transforms (bench sht)", cli_bench_sht_usage,
     cli_run_bench_sht},
};
const int cli_sht_command_count = (int)(sizeof cli_sht_commands / sizeof cli_sht_commands[0]);
