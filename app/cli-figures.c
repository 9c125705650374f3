/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli's inference figures: corner, trace and coverage-plot, drawn by the same
 * Cairo code as the app's Inference page. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sph-corner-draw.h"
#include "sph-figure.h"
#include "sph-coverage-draw.h"
#include "sph-trace-draw.h"
#include "sphaera/chain_io.h"
#include "sphaera/corner.h"

enum {
  OPT_BURN = 0x400,
  OPT_TRUTH,
  OPT_NAMES,
  OPT_SIZE,
  OPT_BINS,
  OPT_SMOOTH,
  OPT_TESTS,
  OPT_TITLE,
};

typedef struct {
  int64_t burn, bins, tests;
  double smooth;
  const char *truth, *names, *size, *title;
  int width, height;
} FigureArgs;

static const struct option all_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"burn", required_argument, NULL, OPT_BURN},
    {"truth", required_argument, NULL, OPT_TRUTH},
    {"names", required_argument, NULL, OPT_NAMES},
    {"size", required_argument, NULL, OPT_SIZE},
    {"bins", required_argument, NULL, OPT_BINS},
    {"smooth", required_argument, NULL, OPT_SMOOTH},
    {"tests", required_argument, NULL, OPT_TESTS},
    {"title", required_argument, NULL, OPT_TITLE},
    {0, 0, 0, 0}};

static bool parse_size(const char *text, int *w, int *h)
{
  int64_t a, b;
  const char *x = strchr(text, 'x');
  if (x == NULL || x - text > 15)
    return false;
  char first[16];
  memcpy(first, text, (size_t)(x - text));
  first[x - text] = '\0';
  if (!cli_parse_int64(first, 16, 20000, &a) || !cli_parse_int64(x + 1, 16, 20000, &b))
    return false;
  *w = (int)a;
  *h = (int)b;
  return true;
}

static int parse_args(const CliContext *ctx, const char *allowed, int argc, char **argv,
                      FigureArgs *a, int default_w, int default_h, int *first)
{
  struct option opts[sizeof all_options / sizeof all_options[0]];
  cli_options_select(all_options, allowed, opts);
  *a = (FigureArgs){.bins = SPH_CORNER_DEFAULT_BINS, .smooth = 1.0, .width = default_w,
                    .height = default_h};
  int c;
  cli_getopt_begin();
  while ((c = cli_getopt(argc, argv, opts)) != -1) {
    switch (c) {
    case 'h':
      return cli_help(ctx);
    case OPT_BURN:
      if (!cli_parse_int64(optarg, 0, INT64_C(1) << 40, &a->burn))
        return cli_fail("%s: --burn %s is not a non-negative integer", ctx->command, optarg);
      break;
    case OPT_BINS:
      if (!cli_parse_int64(optarg, 2, 1000, &a->bins))
        return cli_fail("%s: --bins %s is not an integer in 2..1000", ctx->command, optarg);
      break;
    case OPT_TESTS:
      if (!cli_parse_int64(optarg, 1, INT64_C(1) << 40, &a->tests))
        return cli_fail("%s: --tests %s is not a positive integer", ctx->command, optarg);
      break;
    case OPT_SMOOTH:
      if (!cli_parse_double(optarg, &a->smooth) || a->smooth < 0.0 || a->smooth > 100.0)
        return cli_fail("%s: --smooth %s is not a number of bins in 0..100", ctx->command,
                        optarg);
      break;
    case OPT_TRUTH:
      a->truth = optarg;
      break;
    case OPT_NAMES:
      a->names = optarg;
      break;
    case OPT_TITLE:
      a->title = optarg;
      break;
    case OPT_SIZE:
      if (!parse_size(optarg, &a->width, &a->height))
        return cli_fail("%s: --size %s is not WxH with both in 16..20000", ctx->command, optarg);
      break;
    default:
      return cli_option_error(ctx, c, argv);
    }
  }
  return cli_file_args(ctx, argc, 2, 2, first);
}

/* Splits "a,b,c" into exactly n fields (a new NULL-terminated array of n copies). */
static char **split_list(const char *text, size_t n, const char *command, const char *option,
                         int *rc)
{
  char **fields = calloc(n + 1, sizeof *fields);
  char *copy = strdup(text);
  if (fields == NULL || copy == NULL) {
    free(fields);
    free(copy);
    *rc = cli_fail("%s: out of memory", command);
    return NULL;
  }
  size_t count = 0;
  char *save = NULL;
  for (char *f = strtok_r(copy, ",", &save); f != NULL; f = strtok_r(NULL, ",", &save)) {
    if (count < n)
      fields[count] = strdup(f);
    count++;
  }
  free(copy);
  if (count != n) {
    for (size_t i = 0; i < n; i++)
      free(fields[i]);
    free(fields);
    *rc = cli_fail("%s: --%s has %zu values, and the chain has %zu parameters", command, option,
                   count, n);
    return NULL;
  }
  return fields;
}

static void free_list(char **list)
{
  for (char **p = list; list != NULL && *p != NULL; p++)
    free(*p);
  free(list);
}

/* The truth values and names the options give for the first dim parameters. */
static int figure_labels(const FigureArgs *a, const char *command, size_t dim, double **truth,
                         char ***names)
{
  int rc = 0;
  *truth = NULL;
  *names = NULL;
  if (a->names != NULL && (*names = split_list(a->names, dim, command, "names", &rc)) == NULL)
    return rc;
  if (a->truth != NULL) {
    char **fields = split_list(a->truth, dim, command, "truth", &rc);
    if (fields == NULL)
      return rc;
    *truth = malloc(dim * sizeof **truth);
    for (size_t k = 0; *truth != NULL && k < dim; k++) {
      if (strcmp(fields[k], "-") == 0 || strcmp(fields[k], "nan") == 0) {
        (*truth)[k] = NAN;
      } else if (!cli_parse_double(fields[k], &(*truth)[k])) {
        rc = cli_fail("%s: --truth value '%s' is not a number (or '-' for none)", command,
                      fields[k]);
        break;
      }
    }
    free_list(fields);
    if (*truth == NULL)
      rc = cli_fail("%s: out of memory", command);
  }
  return rc;
}

static const char corner_usage[] =
    "Usage: " CLI_NAME " corner CHAIN.npy OUT.(png|svg|pdf) [OPTIONS]\n"
    "\n"
    "Draws the corner plot of a chain (.npy of steps x walkers x dims, as `sample --out`\n"
    "writes, or steps x dims): 1-D marginals with their 16/50/84% quantiles in the\n"
    "titles, 2-D contours holding 68% and 95% of the mass, and truth markers. Shows the\n"
    "first 10 parameters. The format follows the extension.\n"
    "\n"
    "Options:\n"
    "  --burn N        leave out the first N steps (default 0)\n"
    "  --truth a,b,... true values, one per parameter ('-' for none)\n"
    "  --names a,b,... parameter names (default x0, x1, ...)\n"
    "  --size WxH      figure size in pixels (PNG) or points (default 800x800)\n"
    "  --bins N        histogram bins per axis (default 40)\n"
    "  --smooth S      Gaussian smoothing of the histograms in bins (default 1)\n"
    "  --title T       a title above the legend\n"
    "  -h, --help      show this help\n";

static int run_corner(int argc, char **argv)
{
  CliContext ctx = {"corner", corner_usage};
  FigureArgs a;
  int first = 0;
  int rc = parse_args(&ctx, "burn truth names size bins smooth title", argc, argv, &a, 800, 800,
                      &first);
  if (rc >= 0)
    return rc;
  const char *chain_path = argv[first], *out = argv[first + 1];
  if (!sph_figure_format_from_path(out, NULL))
    return cli_fail("corner: %s: the name must end in .png, .svg or .pdf", out);
  SphError err = SPH_ERROR_INIT;
  SphChain *chain = NULL;
  if (sph_chain_read_npy(chain_path, NULL, &chain, &err) != SPH_OK)
    return cli_fail_error(&err);
  size_t dim = chain->dim < SPH_CORNER_MAX_DIM ? chain->dim : SPH_CORNER_MAX_DIM;
  double *truth = NULL;
  char **names = NULL;
  SphCorner *corner = NULL;
  rc = figure_labels(&a, "corner", dim, &truth, &names);
  if (rc == 0) {
    SphCornerOptions o;
    sph_corner_options_init(&o);
    o.bins = (size_t)a.bins;
    o.smooth = a.smooth;
    if (sph_corner_from_chain(chain, (size_t)a.burn, &o, &corner, &err) != SPH_OK) {
      sph_error_prefix(&err, "%s", chain_path);
      rc = cli_fail_error(&err);
    }
  }
  if (rc == 0) {
    SphCornerStyle style;
    sph_corner_style_init(&style);
    style.names = (const char *const *)names;
    style.truth = truth;
    style.title = a.title;
    if (sph_corner_write(out, a.width, a.height, corner, &style, &err) != SPH_OK)
      rc = cli_fail_error(&err);
    else
      printf("samples=%zu\n", corner->samples);
  }
  if (rc == 0)
    for (size_t k = 0; k < dim; k++)
      printf("%s=%.6g +%.6g -%.6g\n", names != NULL ? names[k] : chain->names[k],
             corner->quantiles[3 * k + 1],
             corner->quantiles[3 * k + 2] - corner->quantiles[3 * k + 1],
             corner->quantiles[3 * k + 1] - corner->quantiles[3 * k]);
  sph_corner_free(corner);
  free_list(names);
  free(truth);
  sph_chain_free(chain);
  return rc;
}

static const char trace_usage[] =
    "Usage: " CLI_NAME " trace CHAIN.npy OUT.(png|svg|pdf) [OPTIONS]\n"
    "\n"
    "Draws every walker's trace of each parameter (the first 10), the burn-in shaded.\n"
    "\n"
    "Options:\n"
    "  --burn N        shade the first N steps (default 0)\n"
    "  --truth a,b,... true values, one per parameter ('-' for none)\n"
    "  --names a,b,... parameter names (default x0, x1, ...)\n"
    "  --size WxH      figure size (default 900x700)\n"
    "  -h, --help      show this help\n";

static int run_trace(int argc, char **argv)
{
  CliContext ctx = {"trace", trace_usage};
  FigureArgs a;
  int first = 0;
  int rc = parse_args(&ctx, "burn truth names size", argc, argv, &a, 900, 700, &first);
  if (rc >= 0)
    return rc;
  const char *chain_path = argv[first], *out = argv[first + 1];
  if (!sph_figure_format_from_path(out, NULL))
    return cli_fail("trace: %s: the name must end in .png, .svg or .pdf", out);
  SphError err = SPH_ERROR_INIT;
  SphChain *chain = NULL;
  if (sph_chain_read_npy(chain_path, NULL, &chain, &err) != SPH_OK)
    return cli_fail_error(&err);
  size_t dim = chain->dim < 10 ? chain->dim : 10;
  double *truth = NULL;
  char **names = NULL;
  rc = figure_labels(&a, "trace", dim, &truth, &names);
  if (rc == 0) {
    SphTraceStyle style;
    sph_trace_style_init(&style);
    style.burn = (size_t)a.burn;
    style.names = (const char *const *)names;
    style.truth = truth;
    if (sph_trace_write(out, a.width, a.height, chain, &style, &err) != SPH_OK)
      rc = cli_fail_error(&err);
  }
  free_list(names);
  free(truth);
  sph_chain_free(chain);
  return rc;
}

static const char coverage_plot_usage[] =
    "Usage: " CLI_NAME " coverage-plot CURVE.csv OUT.(png|svg|pdf) [OPTIONS]\n"
    "\n"
    "Draws the curves `" CLI_NAME " coverage --out` writes (CSV with the header\n"
    "credibility,hpd_coverage,tarp_coverage): expected coverage against credibility,\n"
    "the diagonal, and the 95% band of the binomial noise of the number of tests.\n"
    "\n"
    "Options:\n"
    "  --tests N   the number of tests behind the curves (default: 10 per credibility\n"
    "              step, as `coverage` chooses its grid)\n"
    "  --size WxH  figure size (default 600x600)\n"
    "  --title T   a title above the plot\n"
    "  -h, --help  show this help\n";

/* Reads the coverage CSV into three new arrays of *n values. */
static int read_curves(const char *path, double **cred, double **hpd, double **tarp, size_t *n)
{
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return cli_fail("coverage-plot: cannot open %s: %s", path, strerror(errno));
  char line[512];
  if (fgets(line, sizeof line, f) == NULL ||
      strncmp(line, "credibility,hpd_coverage,tarp_coverage", 38) != 0) {
    fclose(f);
    return cli_fail("coverage-plot: %s: the first line is not the header "
                    "credibility,hpd_coverage,tarp_coverage",
                    path);
  }
  size_t cap = 0, count = 0;
  *cred = *hpd = *tarp = NULL;
  int rc = 0, lineno = 1;
  while (fgets(line, sizeof line, f) != NULL) {
    lineno++;
    if (line[0] == '\n' || line[0] == '\0')
      continue;
    double v[3];
    char *p = line, *end;
    for (int k = 0; k < 3 && rc == 0; k++) {
      errno = 0;
      v[k] = strtod(p, &end);
      if (end == p || errno != 0 || !isfinite(v[k]) || (k < 2 && *end != ',') ||
          v[k] < 0.0 || v[k] > 1.0)
        rc = cli_fail("coverage-plot: %s: line %d is not three numbers in [0, 1]", path,
                      lineno);
      p = end + 1;
    }
    if (rc != 0)
      break;
    if (count == cap) {
      cap = cap > 0 ? 2 * cap : 128;
      double *a = realloc(*cred, cap * sizeof *a), *b = a ? realloc(*hpd, cap * sizeof *b) : NULL;
      if (a != NULL)
        *cred = a;
      if (b != NULL)
        *hpd = b;
      double *c = b ? realloc(*tarp, cap * sizeof *c) : NULL;
      if (c == NULL) {
        rc = cli_fail("coverage-plot: out of memory");
        break;
      }
      *tarp = c;
    }
    (*cred)[count] = v[0];
    (*hpd)[count] = v[1];
    (*tarp)[count] = v[2];
    count++;
  }
  fclose(f);
  if (rc == 0 && count < 2)
    rc = cli_fail("coverage-plot: %s has %zu rows of curves, and a curve needs 2", path, count);
  if (rc != 0) {
    free(*cred);
    free(*hpd);
    free(*tarp);
    *cred = *hpd = *tarp = NULL;
  }
  *n = count;
  return rc;
}

static int run_coverage_plot(int argc, char **argv)
{
  CliContext ctx = {"coverage-plot", coverage_plot_usage};
  FigureArgs a;
  int first = 0;
  int rc = parse_args(&ctx, "tests size title", argc, argv, &a, 600, 600, &first);
  if (rc >= 0)
    return rc;
  const char *csv = argv[first], *out = argv[first + 1];
  if (!sph_figure_format_from_path(out, NULL))
    return cli_fail("coverage-plot: %s: the name must end in .png, .svg or .pdf", out);
  double *cred = NULL, *hpd = NULL, *tarp = NULL;
  size_t n = 0;
  rc = read_curves(csv, &cred, &hpd, &tarp, &n);
  if (rc != 0)
    return rc;
  SphCoverageFigure fig = {
      .npoints = n,
      .credibility = cred,
      .hpd = hpd,
      .tarp = tarp,
      .tests = a.tests > 0 ? (size_t)a.tests : 10 * (n - 1),
      .title = a.title,
  };
  SphError err = SPH_ERROR_INIT;
  if (sph_coverage_write(out, a.width, a.height, &fig, &err) != SPH_OK)
    rc = cli_fail_error(&err);
  free(cred);
  free(hpd);
  free(tarp);
  return rc;
}

const CliCommand cli_figure_commands[] = {
    {"corner", "corner plot of a chain (.npy) to PNG, SVG or PDF", corner_usage, run_corner},
    {"trace", "walker traces of a chain (.npy) to PNG, SVG or PDF", trace_usage, run_trace},
    {"coverage-plot", "coverage curves (CSV from coverage) to PNG, SVG or PDF",
     coverage_plot_usage, run_coverage_plot},
};
const int cli_figure_command_count = sizeof cli_figure_commands / sizeof cli_figure_commands[0];
