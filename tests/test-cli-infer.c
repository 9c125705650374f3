/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera-cli sample, evidence and coverage, end to end. */
#include "cli-test-helpers.h"
#include "sphaera/chain_io.h"
#include "sphaera/mem.h"

static char *tmp_dir;

static char *tmp_path(const char *name)
{
  return g_build_filename(tmp_dir, name, NULL);
}

/* ln z of gauss:D: (D/2) ln 2 pi + 1/2 ln |S| - D ln 20, |S| = (1 - 0.81)^(D - 1). */
static double gauss_ln_z(int dim)
{
  return 0.5 * dim * log(2 * M_PI) + 0.5 * (dim - 1) * log(1 - 0.81) - dim * log(20.0);
}

static void test_sample_ensemble(void)
{
  char *chain = tmp_path("chain.npy"), *logp = tmp_path("logp.npy");
  CliRun run = run_cli("sample", "--target", "gauss:10", "--walkers", "32", "--steps", "3000",
                       "--seed", "5", "--out", chain, "--logp-out", logp, NULL);
  g_assert_cmpint(run.status, ==, 0);
  GHashTable *keys = parse_keys(run.out);
  double acc = key_double(keys, "acceptance"), tau = key_double(keys, "tau_max"),
         ess = key_double(keys, "ess_min");
  g_test_message("gauss:10 ensemble: acceptance %.4f tau_max %.2f ess_min %.1f", acc, tau, ess);
  /* emcee's stretch move on this target accepts 0.418; tau is about 100. */
  g_assert_cmpfloat(fabs(acc - 0.418), <, 0.02);
  g_assert_cmpfloat(tau, >, 40);
  g_assert_cmpfloat(tau, <, 200);
  /* tau_max and ess_min come from the same parameter: ess = steps x walkers / tau. */
  assert_rel(ess, 3000.0 * 32 / tau, 1e-4);
  /* 3000 steps < 50 tau: the estimate comes with a warning. */
  g_assert_nonnull(strstr(run.err, "shorter than 50 tau"));
  /* tau_max as emcee's integrated_time(chain) (quiet: the chain is short) on the file. */
  char *py = run_python("import sys\n"
                        "try:\n"
                        "    import numpy as np, emcee\n"
                        "except ImportError:\n"
                        "    sys.exit(77)\n"
                        "x = np.load(sys.argv[1])\n"
                        "print(repr(float(emcee.autocorr.integrated_time(x, quiet=True).max())))\n",
                        chain, NULL);
  if (py != NULL) {
    double emcee_tau = g_ascii_strtod(py, NULL);
    g_test_message("emcee integrated_time max %.9f, sphaera %.9f", emcee_tau, tau);
    g_assert_cmpfloat(fabs(tau - emcee_tau), <, 1e-8 * emcee_tau + 1e-9);
    g_free(py);
  }
  double *data = NULL;
  size_t shape[SPH_NPY_MAX_DIMS], ndim = 0;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_npy_read(chain, &data, shape, &ndim, &err), ==, SPH_OK);
  g_assert_cmpuint(ndim, ==, 3);
  g_assert_cmpuint(shape[0], ==, 3000);
  g_assert_cmpuint(shape[1], ==, 32);
  g_assert_cmpuint(shape[2], ==, 10);
  sph_free_aligned(data);
  g_assert_cmpint(sph_npy_read(logp, &data, shape, &ndim, &err), ==, SPH_OK);
  g_assert_cmpuint(ndim, ==, 2);
  sph_free_aligned(data);

  /* The saved chain and log-densities give the evidence. */
  CliRun ev = run_cli("evidence", chain, "--logp", logp, NULL);
  g_assert_cmpint(ev.status, ==, 0);
  GHashTable *k2 = parse_keys(ev.out);
  double lnz = key_double(k2, "ln_evidence"), lnz_err = key_double(k2, "ln_evidence_err");
  g_test_message("evidence from the file: %.4f +- %.4f (truth %.4f)", lnz, lnz_err,
                 gauss_ln_z(10));
  g_assert_cmpfloat(fabs(lnz - gauss_ln_z(10)), <, 0.1);
  g_assert_cmpfloat(lnz_err, >, 0);
  g_assert_cmpfloat(lnz_err, <, 0.1);
  g_hash_table_unref(k2);
  cli_run_clear(&ev);

  /* The same seed gives the same chain and figures. */
  CliRun again = run_cli("sample", "--target", "gauss:10", "--walkers", "32", "--steps",
                         "3000", "--seed", "5", "--out", chain, NULL);
  g_assert_cmpstr(again.out, ==, run.out);
  cli_run_clear(&again);
  g_hash_table_unref(keys);
  cli_run_clear(&run);
  g_free(chain);
  g_free(logp);
}

static void test_sample_hmc(void)
{
  char *chain = tmp_path("hmc.npy");
  CliRun run = run_cli("sample", "--target", "gauss:10", "--sampler", "hmc", "--steps", "2000",
                       "--seed", "2", "--out", chain, NULL);
  g_assert_cmpint(run.status, ==, 0);
  GHashTable *keys = parse_keys(run.out);
  double acc = key_double(keys, "acceptance");
  g_test_message("gauss:10 hmc: acceptance %.4f tau_max %.2f", acc,
                 key_double(keys, "tau_max"));
  /* Dual averaging aims at 0.8 mean acceptance probability. */
  g_assert_cmpfloat(acc, >, 0.65);
  g_assert_cmpfloat(acc, <, 0.95);
  g_assert_cmpfloat(key_double(keys, "tau_max"), <, 50);
  g_hash_table_unref(keys);
  cli_run_clear(&run);
  g_free(chain);
}

static void test_sample_nuts(void)
{
  char *chain = tmp_path("nuts.npy");
  CliRun run = run_cli("sample", "--target", "gauss:10", "--sampler", "nuts", "--steps", "1000",
                       "--seed", "4", "--out", chain, NULL);
  g_assert_cmpint(run.status, ==, 0);
  GHashTable *keys = parse_keys(run.out);
  double acc = key_double(keys, "mean_accept_prob"), tau = key_double(keys, "tau_max");
  g_test_message("gauss:10 nuts: mean accept_stat %.4f, tau_max %.2f, %.1f leapfrog/step", acc,
                 tau, key_double(keys, "leapfrog_per_step"));
  g_assert_cmpfloat(fabs(acc - 0.8), <, 0.08);
  g_assert_cmpfloat(tau, <, 20);
  g_hash_table_unref(keys);
  cli_run_clear(&run);
  g_free(chain);
}

static void test_sample_plugin(void)
{
  const char *plugin = g_getenv("SPHAERA_PLUGIN_EXAMPLE_TARGET");
  if (plugin == NULL || !g_file_test(plugin, G_FILE_TEST_EXISTS)) {
    g_test_skip("the example plugin was not built");
    return;
  }
  char *spec = g_strconcat("plugin:", plugin, NULL), *chain = tmp_path("plugin.npy");
  CliRun run = run_cli("sample", "--target", spec, "--steps", "500", "--out", chain, NULL);
  g_assert_cmpint(run.status, ==, 0);
  GHashTable *keys = parse_keys(run.out);
  g_assert_cmpfloat(key_double(keys, "acceptance"), >, 0.05);
  g_hash_table_unref(keys);
  cli_run_clear(&run);
  g_free(spec);
  g_free(chain);
}

static void test_sample_errors(void)
{
  char *chain = tmp_path("bad.npy");
  CliRun run = run_cli("sample", "--target", "gauss:0", "--out", chain, NULL);
  assert_one_line_failure(&run, "gauss:0", NULL);
  cli_run_clear(&run);
  run = run_cli("sample", "--target", "gauss:3", NULL);
  assert_one_line_failure(&run, "--out", NULL);
  cli_run_clear(&run);
  run = run_cli("sample", "--target", "gauss:3", "--sampler", "gibbs", "--out", chain, NULL);
  assert_one_line_failure(&run, "gibbs", NULL);
  cli_run_clear(&run);
  g_assert_false(g_file_test(chain, G_FILE_TEST_EXISTS));
  g_free(chain);
}

static void test_evidence_target(void)
{
  CliRun run = run_cli("evidence", "--target", "gauss:5", "--seed", "4", NULL);
  g_assert_cmpint(run.status, ==, 0);
  g_assert_cmpstr(run.err, ==, "");
  GHashTable *keys = parse_keys(run.out);
  double lnz = key_double(keys, "ln_evidence");
  g_test_message("gauss:5 harmonic: %.4f +- %.4f (truth %.4f)", lnz,
                 key_double(keys, "ln_evidence_err"), gauss_ln_z(5));
  g_assert_cmpfloat(fabs(lnz - gauss_ln_z(5)), <, 0.05);
  g_hash_table_unref(keys);
  cli_run_clear(&run);

  run = run_cli("evidence", "--target", "gauss:3", "--method", "nested", NULL);
  g_assert_cmpint(run.status, ==, 0);
  keys = parse_keys(run.out);
  lnz = key_double(keys, "ln_evidence");
  double err = key_double(keys, "ln_evidence_err");
  g_test_message("gauss:3 nested: %.4f +- %.4f (truth %.4f)", lnz, err, gauss_ln_z(3));
  g_assert_cmpfloat(fabs(lnz - gauss_ln_z(3)), <, 4 * err);
  g_hash_table_unref(keys);
  cli_run_clear(&run);

  /* A single Gaussian fitted to two modes: a warning, still an answer. */
  run = run_cli("evidence", "--target", "bimodal", NULL);
  g_assert_cmpint(run.status, ==, 0);
  g_assert_nonnull(strstr(run.err, "warning: the fitted target leaves the posterior"));
  cli_run_clear(&run);
  /* Two components fit the two modes: ln z = -2 ln 20, no warning. */
  run = run_cli("evidence", "--target", "bimodal", "--components", "2", NULL);
  g_assert_cmpint(run.status, ==, 0);
  g_assert_cmpstr(run.err, ==, "");
  keys = parse_keys(run.out);
  lnz = key_double(keys, "ln_evidence");
  g_test_message("bimodal, 2 components: %.4f (truth %.4f)", lnz, -2 * log(20.0));
  g_assert_cmpfloat(fabs(lnz + 2 * log(20.0)), <, 0.1);
  g_hash_table_unref(keys);
  cli_run_clear(&run);
}

static void test_evidence_errors(void)
{
  CliRun run = run_cli("evidence", NULL);
  assert_one_line_failure(&run, "--target", NULL);
  cli_run_clear(&run);
  run = run_cli("evidence", "chain.npy", NULL);
  assert_one_line_failure(&run, "--logp", NULL);
  cli_run_clear(&run);
  char *missing = tmp_path("missing.npy");
  run = run_cli("evidence", missing, "--logp", missing, NULL);
  assert_one_line_failure(&run, "missing.npy", NULL);
  cli_run_clear(&run);
  run = run_cli("evidence", "--target", "gauss:2", "--temperature", "1.5", NULL);
  assert_one_line_failure(&run, "temperature", NULL);
  cli_run_clear(&run);
  g_free(missing);
}

static void test_coverage(void)
{
  char *csv = tmp_path("curve.csv");
  CliRun run = run_cli("coverage", "--case", "calibrated", "--n", "1000", "--dim", "2",
                       "--seed", "2", "--out", csv, NULL);
  g_assert_cmpint(run.status, ==, 0);
  GHashTable *keys = parse_keys(run.out);
  g_test_message("calibrated: %s", run.out);
  g_assert_cmpfloat(key_double(keys, "hpd_max_deviation"), <, 0.05);
  g_assert_cmpfloat(key_double(keys, "tarp_max_deviation"), <, 0.05);
  g_assert_cmpfloat(fabs(key_double(keys, "tarp_atc")), <, 0.02);
  g_assert_cmpfloat(key_double(keys, "sbc_pvalue"), >, 1e-3);
  g_hash_table_unref(keys);
  cli_run_clear(&run);
  char *text = NULL;
  g_assert_true(g_file_get_contents(csv, &text, NULL, NULL));
  char **lines = g_strsplit(text, "\n", -1);
  g_assert_cmpstr(lines[0], ==, "credibility,hpd_coverage,tarp_coverage");
  g_assert_cmpuint(g_strv_length(lines), ==, 1 + 101 + 1);
  g_assert_cmpstr(lines[1], ==, "0,0,0");
  g_assert_cmpstr(lines[101], ==, "1,1,1");
  g_strfreev(lines);
  g_free(text);

  const char *broken[] = {"overconfident", "underconfident"};
  for (int i = 0; i < 2; i++) {
    run = run_cli("coverage", "--case", broken[i], "--out", csv, NULL);
    g_assert_cmpint(run.status, ==, 0);
    keys = parse_keys(run.out);
    g_test_message("%s: %s", broken[i], run.out);
    g_assert_cmpfloat(key_double(keys, "hpd_max_deviation"), >, 0.3);
    g_assert_cmpfloat(key_double(keys, "tarp_max_deviation"), >, 0.12);
    g_assert_cmpfloat(key_double(keys, "tarp_atc") * (i == 0 ? -1 : 1), >, 0.02);
    g_assert_cmpfloat(key_double(keys, "sbc_pvalue"), <, 1e-6);
    g_hash_table_unref(keys);
    cli_run_clear(&run);
  }
  run = run_cli("coverage", "--case", "biased", "--dim", "4", "--out", csv, NULL);
  g_assert_cmpint(run.status, ==, 0);
  keys = parse_keys(run.out);
  g_test_message("biased 4-D: %s", run.out);
  g_assert_cmpfloat(key_double(keys, "hpd_max_deviation"), >, 0.3);
  g_assert_cmpfloat(key_double(keys, "tarp_max_deviation"), >, 0.12);
  g_hash_table_unref(keys);
  cli_run_clear(&run);

  run = run_cli("coverage", "--case", "wobbly", "--out", csv, NULL);
  assert_one_line_failure(&run, "wobbly", NULL);
  cli_run_clear(&run);
  run = run_cli("coverage", "--case", "biased", "--n", "5", "--out", csv, NULL);
  assert_one_line_failure(&run, "--n", NULL);
  cli_run_clear(&run);
  g_free(csv);
}

/* The WMAP W-band spectrum fit, end to end: the shipped map, mask and theory. The
 * amplitude is relative to totcls.dat, whose low multipoles sit above WMAP's. */
static void test_sample_cl_fit(void)
{
  char *chain = tmp_path("clfit.npy");
  CliRun run = run_cli("sample", "--target", "cl-fit", "--walkers", "16", "--steps", "1500",
                       "--seed", "3", "--out", chain, NULL);
  g_assert_cmpint(run.status, ==, 0);
  GHashTable *keys = parse_keys(run.out);
  double acc = key_double(keys, "acceptance");
  g_assert_cmpfloat(acc, >, 0.4);
  g_assert_cmpfloat(acc, <, 0.9);
  double *data = NULL;
  size_t shape[SPH_NPY_MAX_DIMS], ndim = 0;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_npy_read(chain, &data, shape, &ndim, &err), ==, SPH_OK);
  g_assert_cmpuint(shape[2], ==, 2);
  double s1[2] = {0, 0}, s2[2] = {0, 0};
  size_t n = 0;
  for (size_t i = 500 * shape[1]; i < shape[0] * shape[1]; i++, n++)
    for (int d = 0; d < 2; d++) {
      s1[d] += data[i * 2 + d];
      s2[d] += data[i * 2 + d] * data[i * 2 + d];
    }
  double mean[2], sd[2];
  for (int d = 0; d < 2; d++) {
    mean[d] = s1[d] / (double)n;
    sd[d] = sqrt(s2[d] / (double)n - mean[d] * mean[d]);
  }
  g_test_message("WMAP W cl-fit: A = %.4f +- %.4f, n = %.4f +- %.4f (acceptance %.3f)",
                 mean[0], sd[0], mean[1], sd[1], acc);
  g_assert_true(isfinite(mean[0]) && isfinite(mean[1]));
  g_assert_cmpfloat(mean[0], >, 0.5);
  g_assert_cmpfloat(mean[0], <, 1.5);
  g_assert_cmpfloat(sd[0], >, 0.005);
  g_assert_cmpfloat(sd[0], <, 0.2);
  sph_free_aligned(data);
  g_hash_table_unref(keys);
  cli_run_clear(&run);

  /* A user's map that is not there, and one without a unit. */
  CliRun bad = run_cli("sample", "--target", "cl-fit:/nonexistent/map.fits", "--out", chain,
                       NULL);
  g_assert_cmpint(bad.status, ==, 1);
  g_assert_nonnull(strstr(bad.err, "/nonexistent/map.fits"));
  cli_run_clear(&bad);
  g_free(chain);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  tmp_dir = make_temp_dir();
  g_test_add_func("/cli-infer/sample/ensemble", test_sample_ensemble);
  g_test_add_func("/cli-infer/sample/hmc", test_sample_hmc);
  g_test_add_func("/cli-infer/sample/nuts", test_sample_nuts);
  g_test_add_func("/cli-infer/sample/plugin", test_sample_plugin);
  g_test_add_func("/cli-infer/sample/errors", test_sample_errors);
  g_test_add_func("/cli-infer/sample/cl-fit", test_sample_cl_fit);
  g_test_add_func("/cli-infer/evidence/target", test_evidence_target);
  g_test_add_func("/cli-infer/evidence/errors", test_evidence_errors);
  g_test_add_func("/cli-infer/coverage", test_coverage);
  int rc = g_test_run();
  remove_dir(tmp_dir);
  g_free(tmp_dir);
  return rc;
}
