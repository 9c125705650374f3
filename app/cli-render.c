/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli render: a map to a figure (ui/sph-figure), with healpy's mollview,
 * orthview, gnomview and cartview options. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "sph-figure.h"
#include "sphaera/coords.h"

const char cli_render_usage[] =
    "Usage: " CLI_NAME " render IN OUT [OPTIONS]\n"
    "\n"
    "Draws a map as healpy's mollview does: Mollweide projection centred on longitude 0,\n"
    "longitude growing to the left, UNSEEN pixels grey, a colour bar with the range and\n"
    "the unit below. OUT's extension chooses the format: .png, .svg or .pdf.\n"
    "\n"
    "Options:\n"
    "  --field N      the field to draw, numbered from 0 (default 0)\n"
    "  --cmap NAME    viridis (default), planck, greys, magma or rdbu (diverging: its\n"
    "                 automatic range is symmetric about zero)\n"
    "  --min X        value at the bottom of the colour scale (default: automatic)\n"
    "  --max Y        value at the top (default: automatic)\n"
    "  --percentile[=LO,HI]  automatic range from the LO and HI percentiles of the seen\n"
    "                 pixels (default 0.5,99.5) instead of their minimum and maximum\n"
    "  --symmetric, --no-symmetric  an automatic range symmetric about zero, or not\n"
    "  --norm NAME    colour scale: linear (default), log (values <= 0 bad), hist\n"
    "                 (histogram-equalised) or symlog (linear within +-linthresh)\n"
    "  --linthresh X  symlog's linear threshold (default 1, healpy's)\n"
    "  --ticks        intermediate ticks on the colour bar\n"
    "  --width W      figure width in pixels (PNG) or points (SVG, PDF), 16..20000\n"
    "                 (default 800); the height is W * 54 / 85, as mollview's figure,\n"
    "                 for 2:1 projections\n"
    "  --size WxH     figure width and height\n"
    "  --format F     png, svg or pdf (default: from OUT's extension)\n"
    "  --title T      title above the map (default: none)\n"
    "  --unit U       label under the colour bar (default: the field's unit)\n"
    "\n"
    "View (healpy's conventions):\n"
    "  --proj NAME    mollweide (default), ortho (a globe), gnomonic or cart (plate carree)\n"
    "  --two-globes   ortho: both hemispheres side by side (healpy's half_sky=False)\n"
    "  --rot LON,LAT[,PSI]  the view centre and roll in degrees, as healpy's rot\n"
    "  --flip astro|geo  longitude growing to the left (astro, default) or right (geo)\n"
    "  --coord F      show the map in frame F: G (Galactic), C (Equatorial) or E\n"
    "                 (Ecliptic); --coord IN,OUT also says the map's own frame (as healpy's\n"
    "                 coord=['G','C']), needed when the file has no COORDSYS\n"
    "  --reso ARCMIN  gnomonic: arcmin per pixel (point) of the figure (default 1.5)\n"
    "  --graticule[=DEG]  meridians and parallels, labelled, every DEG degrees (default:\n"
    "                 automatic), as vector paths in SVG and PDF\n"
    "  --graticule-coord F  the graticule's frame (default: the view's)\n"
    "  --overlay FILE draw FILE's map over the map (a mask, for instance)\n"
    "  --overlay-field N, --overlay-alpha A (opacity, default 0.5),\n"
    "  --overlay-cmap NAME (default greys)\n"
    "  -h, --help     show this help\n";

enum {
  OPT_FIELD = 256, OPT_CMAP, OPT_MIN, OPT_MAX, OPT_WIDTH, OPT_TITLE, OPT_UNIT, OPT_PERCENTILE,
  OPT_SYMMETRIC, OPT_NO_SYMMETRIC, OPT_NORM, OPT_LINTHRESH, OPT_TICKS, OPT_SIZE, OPT_FORMAT,
  OPT_PROJ, OPT_TWO_GLOBES, OPT_ROT, OPT_FLIP, OPT_COORD, OPT_RESO, OPT_GRATICULE,
  OPT_GRATICULE_COORD, OPT_OVERLAY, OPT_OVERLAY_FIELD, OPT_OVERLAY_ALPHA, OPT_OVERLAY_CMAP,
};

/* Up to max comma-separated finite numbers; how many, or -1 when malformed. */
static int parse_numbers(const char *text, double *values, int max)
{
  char *copy = strdup(text);
  if (copy == NULL)
    return -1;
  int n = 0;
  char *save = NULL;
  for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
    if (n == max || !cli_parse_double(tok, &values[n])) {
      free(copy);
      return -1;
    }
    n++;
  }
  free(copy);
  /* "1,,2" and a trailing comma are mistakes too. */
  size_t commas = 0;
  for (const char *c = text; *c != '\0'; c++)
    commas += *c == ',';
  return (size_t)n == commas + 1 ? n : -1;
}

static bool parse_frame(const char *text, SphCoordSys *frame)
{
  return sph_coordsys_from_name(text, frame);
}

/* "F" or "IN,OUT". */
static bool parse_coord(const char *text, SphCoordSys *map_frame, SphCoordSys *view_frame)
{
  const char *comma = strchr(text, ',');
  if (comma == NULL) {
    *map_frame = SPH_COORD_UNKNOWN;
    return parse_frame(text, view_frame);
  }
  char in[32];
  size_t len = (size_t)(comma - text);
  if (len == 0 || len >= sizeof in)
    return false;
  memcpy(in, text, len);
  in[len] = '\0';
  return parse_frame(in, map_frame) && parse_frame(comma + 1, view_frame);
}

static bool parse_size(const char *text, int64_t *width, int64_t *height)
{
  const char *x = strpbrk(text, "xX");
  if (x == NULL)
    return false;
  char w[32];
  size_t len = (size_t)(x - text);
  if (len == 0 || len >= sizeof w)
    return false;
  memcpy(w, text, len);
  w[len] = '\0';
  return cli_parse_int64(w, SPH_FIGURE_MIN_WIDTH, SPH_FIGURE_MAX_WIDTH, width) &&
         cli_parse_int64(x + 1, SPH_FIGURE_MIN_WIDTH, SPH_FIGURE_MAX_WIDTH, height);
}

static bool parse_format(const char *text, SphFigureFormat *format)
{
  static const struct {
    const char *name;
    SphFigureFormat format;
  } names[] = {{"png", SPH_FIGURE_PNG}, {"svg", SPH_FIGURE_SVG}, {"pdf", SPH_FIGURE_PDF}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcasecmp(text, names[i].name) == 0) {
      *format = names[i].format;
      return true;
    }
  }
  return false;
}

typedef struct {
  SphFigureOptions fig;
  int64_t field, width, height, overlay_field;
  bool have_format, symmetric_set, have_reso, two_globes;
  SphFigureFormat format;
  SphCoordSys map_frame;
  const char *overlay_path;
} RenderArgs;

/* Parses one option; 0 when it was fine, else the exit status of its failure. */
static int parse_option(RenderArgs *a, int c, const char *arg)
{
  SphFigureOptions *o = &a->fig;
  double v[3];
  switch (c) {
  case OPT_FIELD:
  case OPT_OVERLAY_FIELD:
    if (!cli_parse_int64(arg, 0, INT32_MAX, c == OPT_FIELD ? &a->field : &a->overlay_field))
      return cli_fail("render: --%sfield '%s' is not a field number (0, 1, ...)",
                      c == OPT_FIELD ? "" : "overlay-", arg);
    return 0;
  case OPT_CMAP:
  case OPT_OVERLAY_CMAP:
    if (!sph_colormap_from_name(arg, c == OPT_CMAP ? &o->cmap : &o->overlay_cmap))
      return cli_fail("render: unknown colormap '%s' (use viridis, planck, greys, magma "
                      "or rdbu)",
                      arg);
    return 0;
  case OPT_MIN:
  case OPT_MAX:
    if (!cli_parse_double(arg, c == OPT_MIN ? &o->vmin : &o->vmax))
      return cli_fail("render: --%s '%s' is not a finite number", c == OPT_MIN ? "min" : "max",
                      arg);
    return 0;
  case OPT_PERCENTILE:
    o->percentile = true;
    if (arg != NULL) {
      if (parse_numbers(arg, v, 2) != 2 || !(v[0] >= 0 && v[0] < v[1] && v[1] <= 100))
        return cli_fail("render: --percentile=%s is not LO,HI with 0 <= LO < HI <= 100", arg);
      o->percentile_lo = v[0];
      o->percentile_hi = v[1];
    }
    return 0;
  case OPT_SYMMETRIC:
  case OPT_NO_SYMMETRIC:
    o->symmetric = c == OPT_SYMMETRIC;
    a->symmetric_set = true;
    return 0;
  case OPT_NORM:
    if (!sph_norm_from_name(arg, &o->norm))
      return cli_fail("render: unknown --norm '%s' (use linear, log, hist or symlog)", arg);
    return 0;
  case OPT_LINTHRESH:
    if (!cli_parse_double(arg, &o->linthresh) || !(o->linthresh > 0))
      return cli_fail("render: --linthresh '%s' is not a positive number", arg);
    return 0;
  case OPT_TICKS:
    o->colorbar_ticks = true;
    return 0;
  case OPT_WIDTH:
    if (!cli_parse_int64(arg, INT64_MIN, INT64_MAX, &a->width) ||
        a->width < SPH_FIGURE_MIN_WIDTH || a->width > SPH_FIGURE_MAX_WIDTH)
      return cli_fail("render: --width %s is not a whole number in %d..%d", arg,
                      SPH_FIGURE_MIN_WIDTH, SPH_FIGURE_MAX_WIDTH);
    return 0;
  case OPT_SIZE:
    if (!parse_size(arg, &a->width, &a->height))
      return cli_fail("render: --size '%s' is not WxH with each in %d..%d", arg,
                      SPH_FIGURE_MIN_WIDTH, SPH_FIGURE_MAX_WIDTH);
    return 0;
  case OPT_FORMAT:
    if (!parse_format(arg, &a->format))
      return cli_fail("render: unknown --format '%s' (use png, svg or pdf)", arg);
    a->have_format = true;
    return 0;
  case OPT_TITLE:
    o->title = arg;
    return 0;
  case OPT_UNIT:
    o->unit = arg;
    return 0;
  case OPT_PROJ: {
    SphProjectionKind kind;
    if (!sph_projection_kind_from_name(arg, &kind))
      return cli_fail("render: unknown --proj '%s' (use mollweide, ortho, gnomonic or cart)",
                      arg);
    o->projection.kind = kind;
    return 0;
  }
  case OPT_TWO_GLOBES:
    a->two_globes = true;
    return 0;
  case OPT_ROT: {
    int n = parse_numbers(arg, v, 3);
    if (n < 2 || fabs(v[1]) > 90)
      return cli_fail("render: --rot '%s' is not LON,LAT[,PSI] in degrees with LAT in "
                      "[-90, 90]",
                      arg);
    o->projection.rot[0] = v[0];
    o->projection.rot[1] = v[1];
    o->projection.rot[2] = n == 3 ? v[2] : 0.0;
    return 0;
  }
  case OPT_FLIP:
    if (strcasecmp(arg, "astro") == 0)
      o->projection.flip = SPH_FLIP_ASTRO;
    else if (strcasecmp(arg, "geo") == 0)
      o->projection.flip = SPH_FLIP_GEO;
    else
      return cli_fail("render: --flip '%s' is not astro or geo", arg);
    return 0;
  case OPT_COORD:
    if (!parse_coord(arg, &a->map_frame, &o->projection.coord))
      return cli_fail("render: --coord '%s' is not a frame (G, C or E) or a pair IN,OUT",
                      arg);
    return 0;
  case OPT_RESO:
    if (!cli_parse_double(arg, &o->projection.reso) || !(o->projection.reso > 0))
      return cli_fail("render: --reso '%s' is not a positive number of arcmin", arg);
    a->have_reso = true;
    return 0;
  case OPT_GRATICULE:
    o->graticule = true;
    if (arg != NULL) {
      if (parse_numbers(arg, v, 1) != 1 || !(v[0] > 0 && v[0] <= 90))
        return cli_fail("render: --graticule=%s is not a spacing in (0, 90] degrees", arg);
      o->graticule_dlon = o->graticule_dlat = v[0];
    }
    return 0;
  case OPT_GRATICULE_COORD:
    if (!parse_frame(arg, &o->graticule_frame))
      return cli_fail("render: --graticule-coord '%s' is not G, C or E", arg);
    o->graticule = true;
    return 0;
  case OPT_OVERLAY:
    a->overlay_path = arg;
    return 0;
  case OPT_OVERLAY_ALPHA:
    if (!cli_parse_double(arg, &o->overlay_alpha) ||
        !(o->overlay_alpha >= 0 && o->overlay_alpha <= 1))
      return cli_fail("render: --overlay-alpha '%s' is not an opacity in [0, 1]", arg);
    return 0;
  default:
    return -1;
  }
}

/* Checks that need the map (its range, its frame); 0 when all is well. */
static int check_against_map(const RenderArgs *a, const char *in_path, const SphMap *map)
{
  const SphFigureOptions *o = &a->fig;
  if (o->projection.coord != SPH_COORD_UNKNOWN && map->coordsys == SPH_COORD_UNKNOWN)
    return cli_fail("%s: the map does not say its coordinate frame (no COORDSYS): name it "
                    "with --coord IN,%c, e.g. --coord G,%c",
                    in_path, sph_coordsys_letter(o->projection.coord),
                    sph_coordsys_letter(o->projection.coord));
  /* With one end given, the other comes from the map: they must still be in order. */
  double vmin, vmax;
  sph_figure_resolve_range(map, (int)a->field, o, &vmin, &vmax);
  if (!isnan(o->vmin) != !isnan(o->vmax) && !(vmin < vmax)) {
    if (!isnan(o->vmin))
      return cli_fail("render: --min %g is not below the map's maximum %g (give --max too)",
                      vmin, vmax);
    return cli_fail("render: --max %g is not above the map's minimum %g (give --min too)",
                    vmax, vmin);
  }
  if (o->norm == SPH_NORM_LOG && !(vmin > 0))
    return cli_fail("render: a log scale needs a minimum above 0, not %g (give --min)", vmin);
  return 0;
}

int cli_run_render(int argc, char **argv)
{
  const CliContext ctx = {"render", cli_render_usage};
  static const struct option longopts[] = {
      {"help", no_argument, NULL, 'h'},
      {"field", required_argument, NULL, OPT_FIELD},
      {"cmap", required_argument, NULL, OPT_CMAP},
      {"min", required_argument, NULL, OPT_MIN},
      {"max", required_argument, NULL, OPT_MAX},
      {"percentile", optional_argument, NULL, OPT_PERCENTILE},
      {"symmetric", no_argument, NULL, OPT_SYMMETRIC},
      {"no-symmetric", no_argument, NULL, OPT_NO_SYMMETRIC},
      {"norm", required_argument, NULL, OPT_NORM},
      {"linthresh", required_argument, NULL, OPT_LINTHRESH},
      {"ticks", no_argument, NULL, OPT_TICKS},
      {"width", required_argument, NULL, OPT_WIDTH},
      {"size", required_argument, NULL, OPT_SIZE},
      {"format", required_argument, NULL, OPT_FORMAT},
      {"title", required_argument, NULL, OPT_TITLE},
      {"unit", required_argument, NULL, OPT_UNIT},
      {"proj", required_argument, NULL, OPT_PROJ},
      {"two-globes", no_argument, NULL, OPT_TWO_GLOBES},
      {"rot", required_argument, NULL, OPT_ROT},
      {"flip", required_argument, NULL, OPT_FLIP},
      {"coord", required_argument, NULL, OPT_COORD},
      {"reso", required_argument, NULL, OPT_RESO},
      {"graticule", optional_argument, NULL, OPT_GRATICULE},
      {"graticule-coord", required_argument, NULL, OPT_GRATICULE_COORD},
      {"overlay", required_argument, NULL, OPT_OVERLAY},
      {"overlay-field", required_argument, NULL, OPT_OVERLAY_FIELD},
      {"overlay-alpha", required_argument, NULL, OPT_OVERLAY_ALPHA},
      {"overlay-cmap", required_argument, NULL, OPT_OVERLAY_CMAP},
      {0, 0, 0, 0}};
  RenderArgs a;
  memset(&a, 0, sizeof a);
  sph_figure_options_init(&a.fig);
  a.width = SPH_FIGURE_DEFAULT_WIDTH;
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    if (c == 'h')
      return cli_help(&ctx);
    int status = parse_option(&a, c, optarg);
    if (status < 0)
      return cli_option_error(&ctx, c, argv);
    if (status > 0)
      return status;
  }
  SphFigureOptions *o = &a.fig;
  o->width = (int)a.width;
  o->height = (int)a.height;
  o->overlay_field = (int)a.overlay_field;
  o->projection.half_sky = !a.two_globes;
  if (o->projection.kind == SPH_PROJ_GNOMONIC) {
    /* The field fills the map area, one cell of reso arcmin per pixel or point. */
    o->projection.xsize = 0;
    o->projection.ysize = 0;
  } else if (a.have_reso) {
    return cli_fail("render: --reso is for --proj gnomonic");
  }
  if (a.two_globes && o->projection.kind != SPH_PROJ_ORTHOGRAPHIC)
    return cli_fail("render: --two-globes is for --proj ortho");
  /* A diverging colormap is centred on zero unless told otherwise. */
  if (!a.symmetric_set && o->cmap == SPH_CMAP_RDBU)
    o->symmetric = true;
  if (argc - optind != 2)
    return cli_usage_error(&ctx, argc - optind, 2);
  if (!isnan(o->vmin) && !isnan(o->vmax) && !(o->vmin < o->vmax))
    return cli_fail("render: --min %g must be below --max %g", o->vmin, o->vmax);
  const char *in_path = argv[optind], *out_path = argv[optind + 1];
  SphFigureFormat format = a.format;
  if (!a.have_format && !sph_figure_format_from_path(out_path, &format))
    return cli_fail("%s: unknown figure format: name it .png, .svg or .pdf (or give --format)",
                    out_path);

  SphError err = SPH_ERROR_INIT;
  SphMap *map = cli_read_map(in_path, NULL, &err);
  if (map == NULL)
    return cli_fail_error(&err);
  SphMap *overlay = NULL;
  int status = 0;
  if (!cli_field_exists(in_path, map, a.field)) {
    status = 1;
    goto done;
  }
  if (a.map_frame != SPH_COORD_UNKNOWN)
    map->coordsys = a.map_frame;
  if (a.overlay_path != NULL) {
    overlay = cli_read_map(a.overlay_path, NULL, &err);
    if (overlay == NULL) {
      status = cli_fail_error(&err);
      goto done;
    }
    if (!cli_field_exists(a.overlay_path, overlay, a.overlay_field)) {
      status = 1;
      goto done;
    }
    o->overlay = overlay;
  }
  status = check_against_map(&a, in_path, map);
  if (status == 0 && sph_figure_write(out_path, format, map, (int)a.field, o, &err) != SPH_OK)
    status = cli_fail_error(&err);
done:
  sph_map_free(overlay);
  sph_map_free(map);
  return status;
}
