/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli's inference commands: sample, evidence and coverage. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sphaera/chain_io.h"
#include "sphaera/coverage.h"
#include "sphaera/diagnostics.h"
#include "sphaera/ensemble.h"
#include "sphaera/evidence.h"
#include "sphaera/hmc.h"
#include "sphaera/fits_map.h"
#include "sphaera/mem.h"
#include "sphaera/spectrum.h"

#ifndef SPH_DATA_DIR
#define SPH_DATA_DIR "."
#endif

enum {
  OPT_TARGET = 0x300,
  OPT_SAMPLER,
  OPT_WALKERS,
  OPT_STEPS,
  OPT_SEED,
  OPT_OUT,
  OPT_LOGP_OUT,
  OPT_LOGP,
  OPT_BURN,
  OPT_TEMPERATURE,
  OPT_METHOD,
  OPT_CASE,
  OPT_N,
  OPT_DIM,
  OPT_COMPONENTS,
};

/* Every option any of these commands takes; each accepts those its usage lists. */
typedef struct {
  const char *target, *sampler, *out, *logp_out, *logp, *method, *case_name;
  int64_t walkers, steps, seed, burn, n, dim, components;
  double temperature;
  bool have_walkers, have_steps, have_burn;
} InferArgs;

static const struct option all_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"target", required_argument, NULL, OPT_TARGET},
    {"sampler", required_argument, NULL, OPT_SAMPLER},
    {"walkers", required_argument, NULL, OPT_WALKERS},
    {"steps", required_argument, NULL, OPT_STEPS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"out", required_argument, NULL, OPT_OUT},
    {"logp-out", required_argument, NULL, OPT_LOGP_OUT},
    {"logp", required_argument, NULL, OPT_LOGP},
    {"burn", required_argument, NULL, OPT_BURN},
    {"temperature", required_argument, NULL, OPT_TEMPERATURE},
    {"method", required_argument, NULL, OPT_METHOD},
    {"case", required_argument, NULL, OPT_CASE},
    {"n", required_argument, NULL, OPT_N},
    {"dim", required_argument, NULL, OPT_DIM},
    {"components", required_argument, NULL, OPT_COMPONENTS},
    {0, 0, 0, 0}};

/* Parses argv with the options named in `allowed` (space-separated); the file arguments
 * are argv[*first..argc). Returns -1 to go on, else the exit status. */
static int parse_args(const CliContext *ctx, const char *allowed, int argc, char **argv,
                      InferArgs *a, int max_files, int *first)
{
  struct option opts[sizeof all_options / sizeof all_options[0]];
  cli_options_select(all_options, allowed, opts);
  *a = (InferArgs){.sampler = "ensemble", .method = "harmonic", .seed = 1, .n = 1000,
                   .dim = 2, .components = 1, .temperature = SPH_HARMONIC_DEFAULT_TEMPERATURE};
  int c;
  cli_getopt_begin();
  while ((c = cli_getopt(argc, argv, opts)) != -1) {
    switch (c) {
    case 'h':
      return cli_help(ctx);
    case OPT_TARGET:
      a->target = optarg;
      break;
    case OPT_SAMPLER:
      if (strcmp(optarg, "ensemble") != 0 && strcmp(optarg, "hmc") != 0 &&
          strcmp(optarg, "nuts") != 0)
        return cli_fail("%s: --sampler %s is not ensemble, hmc or nuts", ctx->command, optarg);
      a->sampler = optarg;
      break;
    case OPT_WALKERS:
      if (!cli_parse_int64(optarg, 1, 1 << 20, &a->walkers))
        return cli_fail("%s: --walkers %s is not an integer in 1..%d", ctx->command, optarg,
                        1 << 20);
      a->have_walkers = true;
      break;
    case OPT_STEPS:
      if (!cli_parse_int64(optarg, 1, INT64_C(1) << 40, &a->steps))
        return cli_fail("%s: --steps %s is not a positive integer", ctx->command, optarg);
      a->have_steps = true;
      break;
    case OPT_SEED:
      if (!cli_parse_int64(optarg, 0, INT64_MAX, &a->seed))
        return cli_fail("%s: --seed %s is not a non-negative integer", ctx->command, optarg);
      break;
    case OPT_OUT:
      a->out = optarg;
      break;
    case OPT_LOGP_OUT:
      a->logp_out = optarg;
      break;
    case OPT_LOGP:
      a->logp = optarg;
      break;
    case OPT_BURN:
      if (!cli_parse_int64(optarg, 0, INT64_C(1) << 40, &a->burn))
        return cli_fail("%s: --burn %s is not a non-negative integer", ctx->command, optarg);
      a->have_burn = true;
      break;
    case OPT_TEMPERATURE:
      if (!cli_parse_double(optarg, &a->temperature) || !(a->temperature > 0) ||
          a->temperature > 1)
        return cli_fail("%s: --temperature %s is not a number in (0, 1]", ctx->command,
                        optarg);
      break;
    case OPT_METHOD:
      if (strcmp(optarg, "harmonic") != 0 && strcmp(optarg, "nested") != 0)
        return cli_fail("%s: --method %s is not harmonic or nested", ctx->command, optarg);
      a->method = optarg;
      break;
    case OPT_CASE:
      a->case_name = optarg;
      break;
    case OPT_N:
      if (!cli_parse_int64(optarg, 20, 10000000, &a->n))
        return cli_fail("%s: --n %s is not an integer in 20..10000000", ctx->command, optarg);
      break;
    case OPT_DIM:
      if (!cli_parse_int64(optarg, 1, 1000, &a->dim))
        return cli_fail("%s: --dim %s is not an integer in 1..1000", ctx->command, optarg);
      break;
    case OPT_COMPONENTS:
      if (!cli_parse_int64(optarg, 1, 64, &a->components))
        return cli_fail("%s: --components %s is not an integer in 1..64", ctx->command,
                        optarg);
      break;
    default:
      return cli_option_error(ctx, c, argv);
    }
  }
  return cli_file_args(ctx, argc, 0, max_files, first);
}

/* A shipped data file: $SPHAERA_DATA_DIR, else the build's data folder. */
static void data_file(const char *name, char *path, size_t size)
{
  const char *dir = getenv("SPHAERA_DATA_DIR");
  snprintf(path, size, "%s/%s", dir != NULL && dir[0] != '\0' ? dir : SPH_DATA_DIR, name);
}

/* cl-fit[:MAP.fits[,MASK.fits]]: the map and mask read here (the infer module sits below
 * the file readers); bare cl-fit is the shipped WMAP W-band map (mK) with its
 * temperature analysis mask; a user's map without a mask is fitted over the full sky.
 * The theory is the shipped totcls.dat. */
static SphStatus make_cl_fit_target(const char *spec, SphTarget **out, SphError *err)
{
  char map_path[4096], mask_path[4096], theory_path[4096];
  const char *rest = spec + 6;
  SphClFitOptions o;
  sph_cl_fit_options_init(&o);
  bool have_mask = true;
  if (*rest == '\0') {
    data_file("wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits", map_path, sizeof map_path);
    data_file("wmap_temperature_analysis_mask_r9_7yr_v4_udgraded32.fits", mask_path,
              sizeof mask_path);
    o.unit_to_uk = 1e3; /* the WMAP band maps are in mK (thermodynamic); the file omits TUNIT */
  } else if (*rest == ':' && rest[1] != '\0') {
    const char *comma = strchr(rest + 1, ',');
    size_t n = comma != NULL ? (size_t)(comma - rest - 1) : strlen(rest + 1);
    snprintf(map_path, sizeof map_path, "%.*s", (int)n, rest + 1);
    have_mask = comma != NULL && comma[1] != '\0';
    if (have_mask)
      snprintf(mask_path, sizeof mask_path, "%s", comma + 1);
  } else {
    return sph_error_set(err, SPH_ERR_INVALID,
                         "target %s: write cl-fit, cl-fit:MAP.fits or cl-fit:MAP.fits,MASK.fits",
                         spec);
  }
  data_file("totcls.dat", theory_path, sizeof theory_path);
  SphMap *map = NULL, *mask = NULL;
  SphSpectra *theory = NULL;
  SphStatus st = SPH_OK;
  if ((map = sph_fits_read_map(map_path, NULL, err)) == NULL ||
      (have_mask && (mask = sph_fits_read_map(mask_path, NULL, err)) == NULL) ||
      (theory = sph_cl_read_text(theory_path, err)) == NULL)
    st = err->code;
  else
    st = sph_target_cl_fit_new(spec, map, mask, theory, &o, out, err);
  sph_map_free(map);
  sph_map_free(mask);
  sph_spectra_free(theory);
  return st;
}

static SphStatus make_target(const char *spec, SphTarget **out, SphError *err)
{
  if (strncmp(spec, "cl-fit", 6) == 0)
    return make_cl_fit_target(spec, out, err);
  return sph_target_new(spec, out, err);
}

/* Runs the named sampler on target. */
static SphStatus run_sampler(const SphTarget *target, const InferArgs *a, size_t steps,
                             SphChain **chain, SphHmcStats *stats, SphError *err)
{
  if (strcmp(a->sampler, "hmc") == 0 || strcmp(a->sampler, "nuts") == 0) {
    SphHmcOptions o;
    sph_hmc_options_init(&o);
    if (strcmp(a->sampler, "nuts") == 0)
      o.algorithm = SPH_HMC_NUTS;
    o.steps = steps;
    o.seed = (uint64_t)a->seed;
    if (a->have_walkers)
      o.chains = (size_t)a->walkers;
    return sph_hmc_run(target, &o, NULL, chain, stats, err);
  }
  SphEnsembleOptions o;
  sph_ensemble_options_init(&o);
  o.steps = steps;
  o.seed = (uint64_t)a->seed;
  if (a->have_walkers)
    o.walkers = (size_t)a->walkers;
  return sph_ensemble_run(target, &o, NULL, chain, err);
}

static const char sample_usage[] =
    "Usage: " CLI_NAME " sample --target T --out CHAIN.npy [OPTIONS]\n"
    "\n"
    "Samples a target and writes the chain as NumPy .npy (steps x walkers x dims, as\n"
    "emcee's get_chain()). Prints acceptance=, tau_max= (emcee's integrated_time over\n"
    "the whole saved chain, c = 5, tol = 50; when the chain is shorter than 50 tau the\n"
    "estimate is printed with a warning on stderr) and ess_min= (steps x walkers / tau).\n"
    "\n"
    "Options:\n"
    "  --target T       gauss:D, rosenbrock, bimodal, plugin:PATH.so or\n"
    "                   cl-fit[:MAP.fits[,MASK.fits]] (amplitude A and tilt n of the map's\n"
    "                   TT spectrum against totcls.dat; bare cl-fit: WMAP W band, masked)\n"
    "  --sampler S      ensemble (default; emcee's stretch move), hmc (10 leapfrog\n"
    "                   steps) or nuts (No-U-Turn, Stan's multinomial variant); both\n"
    "                   tune the step size by dual averaging over 500 warm-up steps\n"
    "  --walkers W      ensemble walkers (default 32) or HMC chains (default 4)\n"
    "  --steps N        steps kept (default 1000)\n"
    "  --seed S         random seed (default 1)\n"
    "  --out PATH       the chain .npy (required)\n"
    "  --logp-out PATH  also the log-densities .npy (steps x walkers)\n"
    "  -h, --help       show this help\n";

static int run_sample(int argc, char **argv)
{
  CliContext ctx = {"sample", sample_usage};
  InferArgs a;
  int first;
  int rc = parse_args(&ctx, "target sampler walkers steps seed out logp-out", argc, argv, &a,
                      0, &first);
  if (rc >= 0)
    return rc;
  if (a.target == NULL || a.out == NULL)
    return cli_fail("sample: --target and --out are required (see '" CLI_NAME
                    " sample --help')");
  SphError err = SPH_ERROR_INIT;
  SphTarget *target = NULL;
  if (make_target(a.target, &target, &err) != SPH_OK)
    return cli_fail_error(&err);
  SphChain *chain = NULL;
  size_t steps = a.have_steps ? (size_t)a.steps : 1000;
  double *tau = NULL, *ess = NULL;
  rc = 1;
  SphHmcStats hmc_stats = {0};
  if (run_sampler(target, &a, steps, &chain, &hmc_stats, &err) != SPH_OK) {
    rc = cli_fail_error(&err);
    goto done;
  }
  if (sph_chain_write_npy(chain, a.out, &err) != SPH_OK ||
      (a.logp_out != NULL && sph_chain_write_log_prob_npy(chain, a.logp_out, &err) != SPH_OK)) {
    rc = cli_fail_error(&err);
    goto done;
  }
  size_t dim = chain->dim;
  tau = malloc(dim * sizeof *tau);
  ess = malloc(dim * sizeof *ess);
  if (tau == NULL || ess == NULL) {
    rc = cli_fail("sample: out of memory");
    goto done;
  }
  size_t n_short = 0;
  if (sph_integrated_time(chain->samples, chain->steps, chain->walkers, dim, 5, 50, tau,
                          &n_short, &err) != SPH_OK) {
    rc = cli_fail("sample: the chain was written, but its autocorrelation time cannot be "
                  "estimated: %s", err.message);
    goto done;
  }
  sph_effective_sample_size(tau, chain->steps, chain->walkers, dim, ess);
  double tau_max = 0, ess_min = INFINITY;
  for (size_t i = 0; i < dim; i++) {
    tau_max = fmax(tau_max, tau[i]);
    ess_min = fmin(ess_min, ess[i]);
  }
  printf("acceptance=%.6f\n", sph_chain_acceptance_fraction(chain, NULL));
  printf("tau_max=%.9f\n", tau_max);
  printf("ess_min=%.3f\n", ess_min);
  if (strcmp(a.sampler, "ensemble") != 0) {
    /* For NUTS every transition moves, so acceptance= is near 1; this is what dual
     * averaging tunes. */
    printf("mean_accept_prob=%.6f\n", hmc_stats.mean_accept_prob);
    printf("step_size=%.6f\n", hmc_stats.step_size);
    printf("leapfrog_per_step=%.3f\n", hmc_stats.mean_leapfrog);
  }
  if (n_short > 0)
    fprintf(stderr,
            CLI_NAME ": warning: the chain of %zu steps is shorter than 50 tau (tau_max = "
            "%.1f) for %zu parameter(s): the tau estimate is unreliable; run at least %.0f "
            "steps\n", chain->steps, tau_max, n_short, ceil(50 * tau_max));
  rc = 0;
done:
  free(tau);
  free(ess);
  sph_chain_free(chain);
  sph_target_free(target);
  return rc;
}

static const char evidence_usage[] =
    "Usage: " CLI_NAME " evidence (--target T | CHAIN.npy --logp LOGP.npy) [OPTIONS]\n"
    "\n"
    "The Bayesian evidence ln z with its error, printed as ln_evidence= and\n"
    "ln_evidence_err=. By default the learned harmonic mean estimator (McEwen et al.\n"
    "2021): a Gaussian with covariance x T fitted on the first half of the walkers,\n"
    "1/z averaged over the second half. With --target the chain is sampled first (the\n"
    "ensemble sampler, 32 walkers); with a chain file its log-densities must be\n"
    "ln L + ln pi (as 'sample --logp-out' writes them). A warning on stderr says when the\n"
    "fitted Gaussian leaves the posterior. --method nested runs nested sampling on the\n"
    "target instead (Skilling 2004; error sqrt(H / N)).\n"
    "\n"
    "Options:\n"
    "  --target T         gauss:D, rosenbrock, bimodal, cl-fit[:MAP[,MASK]] or plugin:PATH.so\n"
    "  --logp PATH        the chain's log-densities (steps x walkers .npy)\n"
    "  --steps N          with --target: ensemble steps (default 4000)\n"
    "  --burn N           leading steps left out (default a quarter of the steps)\n"
    "  --temperature T    covariance factor of the fitted Gaussian (default 0.8)\n"
    "  --components K     fit a mixture of K Gaussians (default 1; 2 for bimodal)\n"
    "  --method M         harmonic (default) or nested (with --target)\n"
    "  --seed S           random seed (default 1)\n"
    "  -h, --help         show this help\n";

static int run_evidence(int argc, char **argv)
{
  CliContext ctx = {"evidence", evidence_usage};
  InferArgs a;
  int first;
  int rc = parse_args(&ctx, "target logp steps burn temperature components method seed", argc,
                      argv, &a, 1, &first);
  if (rc >= 0)
    return rc;
  const char *chain_path = first < argc ? argv[first] : NULL;
  if ((a.target == NULL) == (chain_path == NULL))
    return cli_fail("evidence: give either --target T or CHAIN.npy --logp LOGP.npy (see '" CLI_NAME
                    " evidence --help')");
  if (chain_path != NULL && a.logp == NULL)
    return cli_fail("evidence: %s needs its log-densities: --logp LOGP.npy", chain_path);
  if (chain_path != NULL && strcmp(a.method, "nested") == 0)
    return cli_fail("evidence: --method nested needs --target (it samples the target itself)");
  SphError err = SPH_ERROR_INIT;
  SphTarget *target = NULL;
  SphChain *chain = NULL;
  SphEvidence ev;
  rc = 1;
  if (a.target != NULL && make_target(a.target, &target, &err) != SPH_OK)
    return cli_fail_error(&err);
  if (strcmp(a.method, "nested") == 0) {
    SphNestedOptions o;
    sph_nested_options_init(&o);
    o.seed = (uint64_t)a.seed;
    if (sph_evidence_nested(target, &o, NULL, &ev, &err) != SPH_OK) {
      rc = cli_fail_error(&err);
      goto done;
    }
  } else {
    if (target != NULL) {
      a.sampler = "ensemble";
      if (run_sampler(target, &a, a.have_steps ? (size_t)a.steps : 4000, &chain, NULL, &err) !=
          SPH_OK) {
        rc = cli_fail_error(&err);
        goto done;
      }
    } else if (sph_chain_read_npy(chain_path, a.logp, &chain, &err) != SPH_OK) {
      rc = cli_fail_error(&err);
      goto done;
    }
    SphHarmonicOptions o;
    sph_harmonic_options_init(&o);
    o.temperature = a.temperature;
    o.components = (size_t)a.components;
    o.burn = a.have_burn ? (size_t)a.burn : chain->steps / 4;
    o.target = target;
    o.seed = (uint64_t)a.seed;
    if (sph_evidence_harmonic(chain, &o, &ev, &err) != SPH_OK) {
      sph_error_prefix(&err, "%s", chain_path != NULL ? chain_path : a.target);
      rc = cli_fail_error(&err);
      goto done;
    }
  }
  printf("ln_evidence=%.6f\n", ev.ln_evidence);
  printf("ln_evidence_err=%.6f\n", ev.ln_evidence_err);
  if (!ev.target_inside)
    fprintf(stderr, CLI_NAME ": warning: %s\n", ev.warning);
  rc = 0;
done:
  sph_chain_free(chain);
  sph_target_free(target);
  return rc;
}

static const char coverage_usage[] =
    "Usage: " CLI_NAME " coverage --case C --out CURVE.csv [OPTIONS]\n"
    "\n"
    "Calibration tests of a posterior on the conjugate Gaussian demo (prior N(0, I),\n"
    "x = theta + N(0, I), posterior N(x/2, I/2)): the exact posterior (calibrated), or\n"
    "its width x 0.5 (overconfident), x 2 (underconfident) or its mean shifted by one\n"
    "sigma in every coordinate (biased, as Lemos et al. 2023; in 2-D its expected\n"
    "deviations are 0.2936 for HPD and about 0.12 for TARP). Prints hpd_max_deviation= and tarp_max_deviation= (the largest\n"
    "distance of the expected coverage of highest-density regions and of TARP's curve\n"
    "from the diagonal), tarp_atc= (the area between TARP's curve and the diagonal over\n"
    "credibility 0.5..1: > 0 under-confident, < 0 over-confident) and sbc_pvalue= (the\n"
    "chi-square uniformity of simulation-based calibration ranks). Writes the curves as\n"
    "CSV: credibility,hpd_coverage,tarp_coverage.\n"
    "\n"
    "Options:\n"
    "  --case C     calibrated, overconfident, underconfident or biased (required)\n"
    "  --n N        test pairs (default 1000)\n"
    "  --dim D      parameters (default 2)\n"
    "  --seed S     random seed (default 1)\n"
    "  --out PATH   the curves, CSV (required)\n"
    "  -h, --help   show this help\n";

static int write_curves(const SphCoverageResult *r, const char *path)
{
  size_t len = strlen(path) + 8;
  char *tmp = malloc(len);
  if (tmp == NULL)
    return cli_fail("coverage: out of memory");
  snprintf(tmp, len, "%s.part", path);
  FILE *f = fopen(tmp, "w");
  if (f == NULL) {
    free(tmp);
    return cli_fail("coverage: cannot write %s: %s", path, strerror(errno));
  }
  fprintf(f, "credibility,hpd_coverage,tarp_coverage\n");
  for (size_t k = 0; k <= r->levels; k++)
    fprintf(f, "%.17g,%.17g,%.17g\n", r->credibility[k], r->hpd_coverage[k],
            r->tarp_coverage[k]);
  bool ok = !ferror(f);
  ok = fclose(f) == 0 && ok;
  if (!ok || rename(tmp, path) != 0) {
    int e = errno;
    remove(tmp);
    free(tmp);
    return cli_fail("coverage: cannot write %s: %s", path, strerror(e));
  }
  free(tmp);
  return 0;
}

static int run_coverage(int argc, char **argv)
{
  CliContext ctx = {"coverage", coverage_usage};
  InferArgs a;
  int first;
  int rc = parse_args(&ctx, "case n dim seed out", argc, argv, &a, 0, &first);
  if (rc >= 0)
    return rc;
  if (a.case_name == NULL || a.out == NULL)
    return cli_fail("coverage: --case and --out are required (see '" CLI_NAME
                    " coverage --help')");
  SphError err = SPH_ERROR_INIT;
  SphCoverageCase kind;
  if (sph_coverage_case_parse(a.case_name, &kind, &err) != SPH_OK)
    return cli_fail_error(&err);
  SphGaussianCase *gc = NULL;
  if (sph_gaussian_case_new(kind, (size_t)a.dim, &gc, &err) != SPH_OK)
    return cli_fail_error(&err);
  SphCoverageOptions o;
  sph_coverage_options_init(&o);
  o.tests = (size_t)a.n;
  o.seed = (uint64_t)a.seed;
  SphCoverageResult *r = NULL;
  if (sph_coverage_run(sph_gaussian_case_problem(gc), &o, NULL, &r, &err) != SPH_OK) {
    sph_coverage_result_free(r);
    sph_gaussian_case_free(gc);
    return cli_fail_error(&err);
  }
  rc = write_curves(r, a.out);
  if (rc == 0) {
    printf("hpd_max_deviation=%.6f\n", r->hpd_max_deviation);
    printf("tarp_max_deviation=%.6f\n", r->tarp_max_deviation);
    printf("tarp_atc=%.6f\n", r->tarp_atc);
    printf("sbc_pvalue=%.6g\n", r->sbc_pvalue);
  }
  sph_coverage_result_free(r);
  sph_gaussian_case_free(gc);
  return rc;
}

const CliCommand cli_infer_commands[] = {
    {"sample", "sample a target (ensemble or HMC) into a .npy chain", sample_usage,
     run_sample},
    {"evidence", "the Bayesian evidence of a target or chain, with its error", evidence_usage,
     run_evidence},
    {"coverage", "calibration tests (HPD, TARP, SBC) on the Gaussian demo cases",
     coverage_usage, run_coverage},
};
const int cli_infer_command_count =
    (int)(sizeof cli_infer_commands / sizeof cli_infer_commands[0]);
