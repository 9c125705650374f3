/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The commands of sphaera-cli: each parses its own options, calls the core and prints
 * its result; the work itself lives in the core (and in ui/sph-figure for render). */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "sph-figure.h"
#include "sphaera/fits_map.h"
#include "sphaera/map.h"

/* ---- option parsing shared by the commands ---- */

/* Reports getopt_long's '?' or ':' for the option at argv[optind - 1]. */
int cli_option_error(const CliContext *ctx, int c, char **argv)
{
  const char *arg = argv[optind - 1];
  if (c == ':')
    return cli_fail("%s: option '%s' needs a value (see '" CLI_NAME " %s --help')",
                    ctx->command, arg, ctx->command);
  if (optopt != 0 && arg[0] == '-' && arg[1] != '-')
    return cli_fail("%s: unknown option '-%c' (see '" CLI_NAME " %s --help')", ctx->command,
                    optopt, ctx->command);
  return cli_fail("%s: unknown option '%s' (see '" CLI_NAME " %s --help')", ctx->command, arg,
                  ctx->command);
}

/* With too few or too many file arguments: the usage on stderr, status 1. */
int cli_usage_error(const CliContext *ctx, int nargs, int want)
{
  if (nargs == 0) {
    fputs(ctx->usage, stderr);
    return 1;
  }
  return cli_fail("%s: expected %d file argument%s, got %d (see '" CLI_NAME " %s --help')",
                  ctx->command, want, want == 1 ? "" : "s", nargs, ctx->command);
}

int cli_help(const CliContext *ctx)
{
  fputs(ctx->usage, stdout);
  return 0;
}

SphMap *cli_read_map(const char *path, SphFitsType *stored_type, SphError *err)
{
  SphMap *map = sph_fits_read_map(path, stored_type, err);
  /* Every message the user sees names the file. */
  if (map == NULL && strstr(err->message, path) == NULL)
    sph_error_prefix(err, "%s", path);
  return map;
}

static SphStatus write_map(const char *path, const SphMap *map, SphFitsType type, bool partial,
                           SphError *err)
{
  SphFitsWriteOptions options = {.type = type, .partial = partial};
  SphStatus status = sph_fits_write_map(path, map, &options, err);
  if (status != SPH_OK && strstr(err->message, path) == NULL)
    sph_error_prefix(err, "%s", path);
  return status;
}

bool cli_field_exists(const char *path, const SphMap *map, int64_t field)
{
  if (field >= 0 && field < map->nfields)
    return true;
  cli_fail("%s: field %" PRId64 " does not exist: the map has %d field%s, numbered from 0",
           path, field, map->nfields, map->nfields == 1 ? "" : "s");
  return false;
}

/* A one-field map holding a copy of field `field`. */
static SphMap *extract_field(const SphMap *map, int field, SphError *err)
{
  SphMap *out = sph_map_new(map->nside, map->ordering, 1, err);
  if (out == NULL)
    return NULL;
  out->coordsys = map->coordsys;
  sph_map_set_field_name(out, 0, map->fields[field].name);
  sph_map_set_field_unit(out, 0, map->fields[field].unit);
  memcpy(out->fields[0].values, map->fields[field].values, (size_t)map->npix * sizeof(double));
  return out;
}

/* ---- info ---- */

static const char info_usage[] =
    "Usage: " CLI_NAME " info FILE\n"
    "\n"
    "Prints what a HEALPix FITS file holds, one key=value per line:\n"
    "  file, nside, ordering (RING or NESTED), coordsys, npix, nfields, type (float32 or\n"
    "  float64, as stored), then for each field i, numbered from 0: field<i>_name,\n"
    "  field<i>_unit, field<i>_nseen, field<i>_unseen_fraction, and over the seen pixels\n"
    "  field<i>_min, field<i>_max, field<i>_mean, field<i>_rms (nan when none is seen).\n"
    "\n"
    "Options:\n"
    "  -h, --help   show this help\n";

static int run_info(int argc, char **argv)
{
  const CliContext ctx = {"info", info_usage};
  static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    if (c == 'h')
      return cli_help(&ctx);
    return cli_option_error(&ctx, c, argv);
  }
  if (argc - optind != 1)
    return cli_usage_error(&ctx, argc - optind, 1);
  const char *path = argv[optind];

  SphError err = SPH_ERROR_INIT;
  SphFitsType type;
  SphMap *map = cli_read_map(path, &type, &err);
  if (map == NULL)
    return cli_fail_error(&err);

  printf("file=%s\n", path);
  printf("nside=%" PRId64 "\n", map->nside);
  printf("ordering=%s\n", sph_ordering_name(map->ordering));
  printf("coordsys=%s\n", sph_coordsys_name(map->coordsys));
  printf("npix=%" PRId64 "\n", map->npix);
  printf("nfields=%d\n", map->nfields);
  printf("type=%s\n", type == SPH_FITS_FLOAT32 ? "float32" : "float64");
  for (int i = 0; i < map->nfields; i++) {
    SphMapStats stats;
    sph_map_field_stats(map, i, &stats);
    printf("field%d_name=%s\n", i, map->fields[i].name);
    printf("field%d_unit=%s\n", i, map->fields[i].unit);
    printf("field%d_nseen=%" PRId64 "\n", i, stats.nseen);
    printf("field%d_unseen_fraction=%.17g\n", i, stats.unseen_fraction);
    printf("field%d_min=%.17g\n", i, stats.min);
    printf("field%d_max=%.17g\n", i, stats.max);
    printf("field%d_mean=%.17g\n", i, stats.mean);
    printf("field%d_rms=%.17g\n", i, stats.rms);
  }
  sph_map_free(map);
  if (fflush(stdout) != 0)
    return cli_fail("info: cannot write the output");
  return 0;
}

/* ---- convert ---- */

static const char convert_usage[] =
    "Usage: " CLI_NAME " convert IN OUT [OPTIONS]\n"
    "\n"
    "Copies a HEALPix FITS map, changing what the options ask for.\n"
    "\n"
    "Options:\n"
    "  --ordering ring|nest   reorder the pixels (default: keep)\n"
    "  --field N              write only field N, numbered from 0 (default: all)\n"
    "  --float32, --float64   column type (default: the type IN stores)\n"
    "  --partial              write only the seen pixels, with a PIXEL column\n"
    "                         (INDXSCHM EXPLICIT, as healpy's partial=True)\n"
    "  -h, --help             show this help\n";

enum { OPT_ORDERING = 256, OPT_FIELD, OPT_FLOAT32, OPT_FLOAT64, OPT_PARTIAL, OPT_NSIDE };

static bool parse_ordering(const char *text, SphOrdering *ordering)
{
  if (strcasecmp(text, "ring") == 0) {
    *ordering = SPH_ORDER_RING;
    return true;
  }
  if (strcasecmp(text, "nest") == 0 || strcasecmp(text, "nested") == 0) {
    *ordering = SPH_ORDER_NEST;
    return true;
  }
  return false;
}

static int run_convert(int argc, char **argv)
{
  const CliContext ctx = {"convert", convert_usage};
  static const struct option longopts[] = {
      {"help", no_argument, NULL, 'h'},
      {"ordering", required_argument, NULL, OPT_ORDERING},
      {"field", required_argument, NULL, OPT_FIELD},
      {"float32", no_argument, NULL, OPT_FLOAT32},
      {"float64", no_argument, NULL, OPT_FLOAT64},
      {"partial", no_argument, NULL, OPT_PARTIAL},
      {0, 0, 0, 0}};
  bool have_ordering = false, have_type = false, partial = false;
  SphOrdering ordering = SPH_ORDER_RING;
  SphFitsType type = SPH_FITS_FLOAT64;
  int64_t field = -1;
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (c) {
    case 'h':
      return cli_help(&ctx);
    case OPT_ORDERING:
      if (!parse_ordering(optarg, &ordering))
        return cli_fail("convert: --ordering '%s' is not ring or nest", optarg);
      have_ordering = true;
      break;
    case OPT_FIELD:
      if (!cli_parse_int64(optarg, 0, INT32_MAX, &field))
        return cli_fail("convert: --field '%s' is not a field number (0, 1, ...)", optarg);
      break;
    case OPT_FLOAT32:
    case OPT_FLOAT64:
      if (have_type && type != (c == OPT_FLOAT32 ? SPH_FITS_FLOAT32 : SPH_FITS_FLOAT64))
        return cli_fail("convert: --float32 and --float64 exclude each other");
      type = c == OPT_FLOAT32 ? SPH_FITS_FLOAT32 : SPH_FITS_FLOAT64;
      have_type = true;
      break;
    case OPT_PARTIAL:
      partial = true;
      break;
    default:
      return cli_option_error(&ctx, c, argv);
    }
  }
  if (argc - optind != 2)
    return cli_usage_error(&ctx, argc - optind, 2);
  const char *in_path = argv[optind], *out_path = argv[optind + 1];

  SphError err = SPH_ERROR_INIT;
  SphFitsType stored_type;
  SphMap *map = cli_read_map(in_path, &stored_type, &err);
  if (map == NULL)
    return cli_fail_error(&err);
  if (!have_type)
    type = stored_type;
  if (field >= 0) {
    if (!cli_field_exists(in_path, map, field)) {
      sph_map_free(map);
      return 1;
    }
    SphMap *one = extract_field(map, (int)field, &err);
    sph_map_free(map);
    if (one == NULL)
      return cli_fail_error(&err);
    map = one;
  }
  SphStatus status = SPH_OK;
  if (have_ordering)
    status = sph_map_reorder(map, ordering, &err);
  if (status == SPH_OK)
    status = write_map(out_path, map, type, partial, &err);
  sph_map_free(map);
  return status == SPH_OK ? 0 : cli_fail_error(&err);
}

/* ---- udgrade ---- */

static const char udgrade_usage[] =
    "Usage: " CLI_NAME " udgrade IN OUT --nside N [OPTIONS]\n"
    "\n"
    "Changes a map's resolution as healpy's ud_grade (pess=False): degrading averages\n"
    "the seen sub-pixels of each pixel (UNSEEN where none is seen), upgrading copies\n"
    "each pixel into its children. Ordering, frame, names and units are kept.\n"
    "\n"
    "Options:\n"
    "  --nside N              the output NSIDE, a power of two (required)\n"
    "  --float32, --float64   column type (default: the type IN stores)\n"
    "  -h, --help             show this help\n";

static int run_udgrade(int argc, char **argv)
{
  const CliContext ctx = {"udgrade", udgrade_usage};
  static const struct option longopts[] = {
      {"help", no_argument, NULL, 'h'},
      {"nside", required_argument, NULL, OPT_NSIDE},
      {"float32", no_argument, NULL, OPT_FLOAT32},
      {"float64", no_argument, NULL, OPT_FLOAT64},
      {0, 0, 0, 0}};
  int64_t nside = 0;
  bool have_type = false;
  SphFitsType type = SPH_FITS_FLOAT64;
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (c) {
    case 'h':
      return cli_help(&ctx);
    case OPT_NSIDE:
      if (!cli_parse_int64(optarg, INT64_MIN, INT64_MAX, &nside) || !sph_hp_nside_valid(nside))
        return cli_fail("udgrade: --nside %s is not a power of two in 1..%" PRId64, optarg,
                        SPH_HP_MAX_NSIDE);
      break;
    case OPT_FLOAT32:
    case OPT_FLOAT64:
      if (have_type && type != (c == OPT_FLOAT32 ? SPH_FITS_FLOAT32 : SPH_FITS_FLOAT64))
        return cli_fail("udgrade: --float32 and --float64 exclude each other");
      type = c == OPT_FLOAT32 ? SPH_FITS_FLOAT32 : SPH_FITS_FLOAT64;
      have_type = true;
      break;
    default:
      return cli_option_error(&ctx, c, argv);
    }
  }
  if (argc - optind != 2)
    return cli_usage_error(&ctx, argc - optind, 2);
  if (nside == 0)
    return cli_fail("udgrade: --nside N is required (see '" CLI_NAME " udgrade --help')");
  const char *in_path = argv[optind], *out_path = argv[optind + 1];

  SphError err = SPH_ERROR_INIT;
  SphFitsType stored_type;
  SphMap *map = cli_read_map(in_path, &stored_type, &err);
  if (map == NULL)
    return cli_fail_error(&err);
  if (!have_type)
    type = stored_type;
  SphMap *out = sph_map_udgrade(map, nside, &err);
  sph_map_free(map);
  if (out == NULL) {
    if (strstr(err.message, in_path) == NULL)
      sph_error_prefix(&err, "%s", in_path);
    return cli_fail_error(&err);
  }
  SphStatus status = write_map(out_path, out, type, false, &err);
  sph_map_free(out);
  return status == SPH_OK ? 0 : cli_fail_error(&err);
}

const CliCommand cli_commands[] = {
    {"info", "print a map's header and per-field statistics", info_usage, run_info},
    {"convert", "change ordering, fields, column type or partial-sky form", convert_usage,
     run_convert},
    {"udgrade", "change a map's NSIDE as healpy's ud_grade", udgrade_usage, run_udgrade},
    {"render", "draw a map (Mollweide, globe, gnomonic, plate carree) to PNG, SVG or PDF",
     cli_render_usage, cli_run_render},
};
const int cli_command_count = (int)(sizeof cli_commands / sizeof cli_commands[0]);
