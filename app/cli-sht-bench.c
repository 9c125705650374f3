/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli bench sht: the time of one alm2map and one map2alm (iter 0) on a plan made
 * once, the median of several runs, for comparing machines, threads and kernels. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sphaera/alm.h"
#include "sphaera/healpix.h"
#include "sphaera/mem.h"
#include "sphaera/rng.h"
#include "sphaera/sht.h"

const char cli_bench_sht_usage[] =
    "Usage: " CLI_NAME " bench sht --lmax L [--nside N] [OPTIONS]\n"
    "\n"
    "Times the spherical harmonic transforms on random alm (a fixed seed): a plan made\n"
    "once, then alm2map and map2alm (no iterations), each run several times. Prints\n"
    "key=value lines; alm2map_s= and map2alm_s= are the median times in seconds of the\n"
    "transforms alone.\n"
    "\n"
    "Options:\n"
    "  --lmax L       the largest l (required)\n"
    "  --nside N      HEALPix NSIDE (required for --grid healpix; lmax <= 4 NSIDE)\n"
    "  --grid G       healpix (default), gl (Gauss-Legendre, L + 1 rings) or mw\n"
    "                 (McEwen-Wiaux, band limit L + 1)\n"
    "  --threads T    OpenMP threads (default: OpenMP's default)\n"
    "  --runs R       runs of each transform (default 5)\n"
    "  --seed S       seed of the random alm (default 1)\n"
    "  -h, --help     show this help\n";

enum { OPT_LMAX = 0x300, OPT_NSIDE, OPT_GRID, OPT_THREADS, OPT_RUNS, OPT_SEED };

static double now_s(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n)
{
  qsort(v, (size_t)n, sizeof *v, compare_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static SphRingGeometry *bench_geometry(const char *grid, int64_t nside, int lmax, SphError *err)
{
  if (strcmp(grid, "healpix") == 0)
    return sph_ring_geometry_healpix(nside, err);
  if (strcmp(grid, "gl") == 0)
    return sph_ring_geometry_gauss_legendre(lmax + 1, 0, err);
  return sph_ring_geometry_mw(lmax + 1, err);
}

int cli_run_bench_sht(int argc, char **argv)
{
  const CliContext ctx = {"bench sht", cli_bench_sht_usage};
  static const struct option opts[] = {
      {"help", no_argument, NULL, 'h'},
      {"lmax", required_argument, NULL, OPT_LMAX},
      {"nside", required_argument, NULL, OPT_NSIDE},
      {"grid", required_argument, NULL, OPT_GRID},
      {"threads", required_argument, NULL, OPT_THREADS},
      {"runs", required_argument, NULL, OPT_RUNS},
      {"seed", required_argument, NULL, OPT_SEED},
      {0, 0, 0, 0}};
  if (argc < 2 || strcmp(argv[1], "sht") != 0)
    return cli_fail("bench: the one benchmark is 'sht' (see '" CLI_NAME " bench --help')");
  argc--;
  argv++;
  int64_t lmax = -1, nside = 0, threads = 0, runs = 5, seed = 1;
  const char *grid = "healpix";
  int c;
  cli_getopt_begin();
  while ((c = cli_getopt(argc, argv, opts)) != -1) {
    switch (c) {
    case 'h':
      return cli_help(&ctx);
    case OPT_LMAX:
      if (!cli_parse_int64(optarg, 0, 1 << 16, &lmax))
        return cli_fail("bench sht: --lmax %s is not an integer in 0..%d", optarg, 1 << 16);
      break;
    case OPT_NSIDE:
      if (!cli_parse_int64(optarg, 1, 1 << 16, &nside))
        return cli_fail("bench sht: --nside %s is not an integer in 1..%d", optarg, 1 << 16);
      break;
    case OPT_GRID:
      if (strcmp(optarg, "healpix") != 0 && strcmp(optarg, "gl") != 0 && strcmp(optarg, "mw") != 0)
        return cli_fail("bench sht: --grid %s is not healpix, gl or mw", optarg);
      grid = optarg;
      break;
    case OPT_THREADS:
      if (!cli_parse_int64(optarg, 1, 1024, &threads))
        return cli_fail("bench sht: --threads %s is not an integer in 1..1024", optarg);
      break;
    case OPT_RUNS:
      if (!cli_parse_int64(optarg, 1, 1000, &runs))
        return cli_fail("bench sht: --runs %s is not an integer in 1..1000", optarg);
      break;
    case OPT_SEED:
      if (!cli_parse_int64(optarg, 0, INT64_MAX, &seed))
        return cli_fail("bench sht: --seed %s is not a non-negative integer", optarg);
      break;
    default:
      return cli_option_error(&ctx, c, argv);
    }
  }
  int first;
  int rc = cli_file_args(&ctx, argc, 0, 0, &first);
  if (rc >= 0)
    return rc;
  if (lmax < 0)
    return cli_fail("bench sht: --lmax L is required");
  if (strcmp(grid, "healpix") == 0 && nside == 0)
    return cli_fail("bench sht: --grid healpix needs --nside N");

  SphError err = SPH_ERROR_INIT;
  SphRingGeometry *g = bench_geometry(grid, nside, (int)lmax, &err);
  double t0 = now_s();
  SphShtPlan *plan = g != NULL ? sph_sht_plan_new(g, (int)lmax, (int)lmax, SPH_SHT_DEFAULT, &err) : NULL;
  double plan_s = now_s() - t0;
  SphAlm *alm = plan != NULL ? sph_alm_new((int)lmax, (int)lmax, &err) : NULL;
  SphAlm *out = alm != NULL ? sph_alm_new((int)lmax, (int)lmax, &err) : NULL;
  int64_t npix = g != NULL ? sph_ring_geometry_npix(g) : 0;
  double *map = out != NULL ? sph_alloc_aligned((size_t)npix, sizeof(double), &err) : NULL;
  double *times = calloc(2 * (size_t)runs, sizeof *times);
  rc = 0;
  if (map == NULL || times == NULL) {
    rc = times == NULL ? cli_fail("bench sht: out of memory") : cli_fail_error(&err);
  } else {
    if (threads > 0)
      sph_sht_plan_set_threads(plan, (int)threads);
    SphRng rng;
    sph_rng_init(&rng, (uint64_t)seed, 0);
    sph_alm_fill_gaussian(alm, &rng);
    for (int64_t r = 0; r < runs && rc == 0; r++) {
      t0 = now_s();
      if (sph_sht_alm2map(plan, alm, map, NULL, &err) != SPH_OK)
        rc = cli_fail_error(&err);
      times[r] = now_s() - t0;
      t0 = now_s();
      if (rc == 0 && sph_sht_map2alm(plan, map, out, NULL, &err) != SPH_OK)
        rc = cli_fail_error(&err);
      times[runs + r] = now_s() - t0;
    }
    if (rc == 0) {
      printf("grid=%s\nnside=%" PRId64 "\nlmax=%" PRId64 "\nnpix=%" PRId64 "\nthreads=%" PRId64
             "\nkernel=%s\nruns=%" PRId64 "\nplan_s=%.6f\n",
             grid, nside, lmax, npix, threads, sph_sht_plan_kernel_name(plan), runs, plan_s);
      printf("alm2map_s=%.6f\n", median(times, (int)runs));
      printf("map2alm_s=%.6f\n", median(times + runs, (int)runs));
    }
  }
  free(times);
  sph_free_aligned(map);
  sph_alm_free(out);
  sph_alm_free(alm);
  sph_sht_plan_free(plan);
  sph_ring_geometry_free(g);
  return rc;
}
