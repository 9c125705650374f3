/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scale-discretised wavelet kernels: the partition of unity |Phi_l|^2 + sum_j |Psi^j_l|^2
 * = 1, the supports, J_max and band limits, the limits and monotonicity of k_B, and the
 * values against an independent Python reimplementation of s2let's construction with
 * scipy's adaptive quadrature; the directional profile's normalisation, support,
 * reality and closed forms for N = 1, 2, 3. */
#include <complex.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/wavelet_kernels.h"

static SphWaveletKernels *kernels_or_die(double B, int L, int j_min)
{
  SphError err = SPH_ERROR_INIT;
  SphWaveletKernels *k = sph_wavelet_kernels_new(B, L, j_min, &err);
  if (!k)
    g_error("sph_wavelet_kernels_new: %s", err.message);
  return k;
}

static void test_partition_of_unity(void)
{
  const double Bs[] = { 2.0, 3.0, 1.5, 1.2 };
  const int Ls[] = { 2, 3, 17, 64, 257, 1024 };
  for (size_t b = 0; b < G_N_ELEMENTS(Bs); b++)
    for (size_t i = 0; i < G_N_ELEMENTS(Ls); i++) {
      int L = Ls[i];
      int jmax = sph_wavelet_j_max(Bs[b], L);
      for (int j_min = 0; j_min <= jmax; j_min += jmax / 4 + 1) {
        SphWaveletKernels *k = kernels_or_die(Bs[b], L, j_min);
        double worst = 0;
        for (int l = 0; l < L; l++) {
          double sum = k->scaling[l] * k->scaling[l];
          for (int j = k->j_min; j <= k->j_max; j++) {
            double psi = sph_wavelet_kernels_scale(k, j)[l];
            sum += psi * psi;
          }
          worst = fmax(worst, fabs(sum - 1));
        }
        g_assert_cmpfloat(worst, <=, 1e-14);
        sph_wavelet_kernels_free(k);
      }
    }
}

static void test_j_max_and_band_limits(void)
{
  /* ceil(log_B(L - 1)) at and around exact powers. */
  g_assert_cmpint(sph_wavelet_j_max(2, 2), ==, 0);
  g_assert_cmpint(sph_wavelet_j_max(2, 3), ==, 1);
  g_assert_cmpint(sph_wavelet_j_max(2, 64), ==, 6);
  g_assert_cmpint(sph_wavelet_j_max(2, 65), ==, 6);
  g_assert_cmpint(sph_wavelet_j_max(2, 66), ==, 7);
  g_assert_cmpint(sph_wavelet_j_max(3, 244), ==, 5);
  g_assert_cmpint(sph_wavelet_j_max(3, 245), ==, 6);
  g_assert_cmpint(sph_wavelet_j_max(1.0, 64), ==, -1);
  for (double B = 1.05; B < 5; B += 0.37)
    for (int L = 2; L < 3000; L += 17) {
      int j = sph_wavelet_j_max(B, L);
      g_assert_cmpfloat(pow(B, j), >=, L - 1);
      if (j > 0)
        g_assert_cmpfloat(pow(B, j - 1), <, L - 1);
    }
  g_assert_cmpint(sph_wavelet_band_limit(2, 64, 2), ==, 8);
  g_assert_cmpint(sph_wavelet_band_limit(2, 64, 6), ==, 64);
  g_assert_cmpint(sph_wavelet_band_limit(1.5, 64, 2), ==, 4); /* ceil(3.375) */
}

static void test_supports(void)
{
  const double Bs[] = { 2.0, 1.5, 3.0 };
  for (size_t b = 0; b < G_N_ELEMENTS(Bs); b++) {
    double B = Bs[b];
    int L = 300;
    SphWaveletKernels *k = kernels_or_die(B, L, 1);
    for (int j = k->j_min; j <= k->j_max; j++) {
      const double *psi = sph_wavelet_kernels_scale(k, j);
      int nonzero = 0;
      for (int l = 0; l < L; l++) {
        gboolean inside = l > pow(B, j - 1) && l < pow(B, j + 1);
        if (!inside) {
          g_assert_cmpfloat(psi[l], ==, 0);
        } else {
          nonzero += psi[l] > 0;
          g_assert_cmpint(l, <, sph_wavelet_band_limit(B, L, j));
        }
      }
      g_assert_cmpint(nonzero, >, 0);
    }
    for (int l = 0; l < L; l++) {
      if (l >= pow(B, k->j_min))
        g_assert_cmpfloat(k->scaling[l], ==, 0);
      if (l <= pow(B, k->j_min - 1))
        g_assert_cmpfloat(k->scaling[l], ==, 1);
    }
    sph_wavelet_kernels_free(k);
  }
}

static void test_kernel_function(void)
{
  for (double B = 1.3; B < 4; B += 0.7) {
    g_assert_cmpfloat(sph_wavelet_kernel_k(B, 0), ==, 1);
    g_assert_cmpfloat(sph_wavelet_kernel_k(B, 1 / B), ==, 1);
    g_assert_cmpfloat(sph_wavelet_kernel_k(B, 1), ==, 0);
    g_assert_cmpfloat(sph_wavelet_kernel_k(B, 2), ==, 0);
    double prev = 1;
    for (int i = 1; i < 200; i++) {
      double x = 1 / B + (1 - 1 / B) * i / 200.0;
      double v = sph_wavelet_kernel_k(B, x);
      g_assert_cmpfloat(v, <=, prev + 1e-15);
      g_assert_cmpfloat(v, >=, 0);
      prev = v;
    }
    /* Symmetric profile in t, weighted by 1/u: k at the midpoint of (1/B, 1) is the
     * share of the integral above it, which the 1/u weight pushes below one half. */
    double mid = sph_wavelet_kernel_k(B, 0.5 * (1 + 1 / B));
    g_assert_cmpfloat(mid, <, 0.5);
    g_assert_cmpfloat(mid, >, 0.2);
  }
  g_assert_true(isnan(sph_wavelet_kernel_k(1.0, 0.5)));
}

static void test_harmonic(void)
{
  SphWaveletKernels *k = kernels_or_die(2, 32, 2);
  int ns = sph_wavelet_kernels_nscales(k);
  double *wav = g_new(double, (size_t)ns * 32);
  double *scal = g_new(double, 32);
  sph_wavelet_kernels_harmonic(k, wav, scal);
  for (int l = 0; l < 32; l++) {
    double f = sqrt(4 * M_PI / (2 * l + 1));
    g_assert_cmpfloat(fabs(f * scal[l] - k->scaling[l]), <=, 1e-15);
    for (int s = 0; s < ns; s++)
      g_assert_cmpfloat(fabs(f * wav[s * 32 + l] - k->wavelet[s * 32 + l]), <=, 1e-15);
  }
  g_free(wav);
  g_free(scal);
  sph_wavelet_kernels_free(k);
}

static const char python_kernels[] =
  "import sys, numpy as np\n"
  "from scipy.integrate import quad\n"
  "B = float(sys.argv[1]); L = int(sys.argv[2]); jmin = int(sys.argv[3])\n"
  "def s2(u):\n"
  "    t = 2*B/(B-1)*(u - 1/B) - 1\n"
  "    return np.exp(-2/(1 - t*t))/u if abs(t) < 1 else 0.0\n"
  "def integ(a):\n"
  "    return quad(s2, a, 1, epsabs=0, epsrel=1e-13, limit=400)[0]\n"
  "norm = integ(1/B)\n"
  "def k(x):\n"
  "    return 1.0 if x <= 1/B else (0.0 if x >= 1 else integ(x)/norm)\n"
  "J = int(np.ceil(np.log(L - 1)/np.log(B)))\n"
  "phi2 = [[k(l/B**j) for l in range(L)] for j in range(jmin, J + 2)]\n"
  "out = [np.sqrt(phi2[0][l]) for l in range(L)]\n"
  "for r in range(J - jmin + 1):\n"
  "    out += [np.sqrt(max(phi2[r+1][l] - phi2[r][l], 0.0)) for l in range(L)]\n"
  "print(J); print(' '.join(repr(v) for v in out))\n";

static void test_against_python(gconstpointer data)
{
  const double *params = data;
  const char *py = g_getenv("SPHAERA_PYTHON");
  if (!py) {
    g_test_skip("SPHAERA_PYTHON is not set");
    return;
  }
  double B = params[0];
  int L = (int)params[1], j_min = (int)params[2];
  char sb[32], sl[16], sj[16];
  g_snprintf(sb, sizeof sb, "%.17g", B);
  g_snprintf(sl, sizeof sl, "%d", L);
  g_snprintf(sj, sizeof sj, "%d", j_min);
  const char *argv[] = { py, "-c", python_kernels, sb, sl, sj, NULL };
  char *out = NULL, *errout = NULL;
  int status = 0;
  GError *error = NULL;
  if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &errout,
                    &status, &error))
    g_error("spawn python: %s", error->message);
  if (!g_spawn_check_wait_status(status, NULL)) {
    if (strstr(errout, "No module named"))
      g_test_skip("scipy is not installed for SPHAERA_PYTHON");
    else
      g_error("python failed: %s", errout);
    g_free(out);
    g_free(errout);
    return;
  }
  char **lines = g_strsplit(out, "\n", 3);
  int J = atoi(lines[0]);
  char **vals = g_strsplit(lines[1], " ", -1);
  SphWaveletKernels *k = kernels_or_die(B, L, j_min);
  g_assert_cmpint(J, ==, k->j_max);
  int ns = sph_wavelet_kernels_nscales(k);
  g_assert_cmpint(g_strv_length(vals), ==, (ns + 1) * L);
  double worst = 0;
  for (int l = 0; l < L; l++)
    worst = fmax(worst, fabs(g_ascii_strtod(vals[l], NULL) - k->scaling[l]));
  for (int i = 0; i < ns * L; i++) {
    double ref = g_ascii_strtod(vals[L + i], NULL);
    double got = k->wavelet[i];
    /* Where Psi^2 is tiny, sqrt turns scipy's absolute error into a larger one:
     * there compare the squares, which are what the quadrature computes. */
    worst = fmax(worst, ref * ref > 1e-6 ? fabs(ref - got) : fabs(ref * ref - got * got));
  }
  g_test_message("B = %g, L = %d, J_min = %d: max |difference| from scipy %.3g", B, L, j_min,
                 worst);
  g_assert_cmpfloat(worst, <=, 1e-10);
  sph_wavelet_kernels_free(k);
  g_strfreev(vals);
  g_strfreev(lines);
  g_free(out);
  g_free(errout);
}

static void test_bad_input(void)
{
  SphError err = SPH_ERROR_INIT;
  g_assert_null(sph_wavelet_kernels_new(1.0, 64, 0, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "B = 1"));
  sph_error_clear(&err);
  g_assert_null(sph_wavelet_kernels_new(NAN, 64, 0, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  sph_error_clear(&err);
  g_assert_null(sph_wavelet_kernels_new(2, 1, 0, &err));
  g_assert_nonnull(strstr(err.message, "L = 1"));
  sph_error_clear(&err);
  g_assert_null(sph_wavelet_kernels_new(2, 64, 7, &err));
  g_assert_nonnull(strstr(err.message, "0..6"));
  sph_error_clear(&err);
  g_assert_null(sph_wavelet_kernels_new(2, 64, -1, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  sph_error_clear(&err);
  g_assert_null(sph_wavelet_kernels_new(1 + 1e-9, 64, 0, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "too close to 1"));
  g_assert_cmpint(sph_wavelet_j_max(1 + 1e-9, 64), ==, -1);
}

static void test_directional_profile(void)
{
  const int L = 40;
  double _Complex *s = g_new(double _Complex, L * L);
  for (int N = 1; N <= 12; N++) {
    SphError err = SPH_ERROR_INIT;
    g_assert_cmpint(sph_wavelet_directional_profile(L, N, s, &err), ==, SPH_OK);
    g_assert_true(s[0] == 0);
    for (int l = 1; l < L; l++) {
      double sum = 0;
      for (int m = -l; m <= l; m++) {
        double _Complex v = s[l * l + l + m], w = s[l * l + l - m];
        sum += creal(v * conj(v));
        if (abs(m) >= N || (N + m) % 2 == 0)
          g_assert_true(v == 0);
        /* reality: s_l,-m = (-1)^m conj(s_lm) */
        g_assert_cmpfloat(cabs(w - (m % 2 ? -1 : 1) * conj(v)), <=, 1e-15);
        /* nu = 1 for odd N (real), i for even N (imaginary) */
        g_assert_cmpfloat(N % 2 ? fabs(cimag(v)) : fabs(creal(v)), ==, 0);
      }
      g_assert_cmpfloat(fabs(sum - 1), <=, 1e-14);
    }
    if (N == 1)
      for (int l = 1; l < L; l++)
        g_assert_true(s[l * l + l] == 1);
    if (N == 2) /* gamma = 1: s_l,+-1 = i / sqrt 2 */
      for (int l = 1; l < L; l++) {
        g_assert_cmpfloat(cabs(s[l * l + l + 1] - I / sqrt(2)), <=, 3e-16);
        g_assert_cmpfloat(cabs(s[l * l + l - 1] - I / sqrt(2)), <=, 3e-16);
      }
    if (N == 3) { /* l = 1: gamma = 0 (s_10 = 1); l >= 2: gamma = 2, (1/4, 1/2, 1/4) */
      g_assert_true(s[2] == 1);
      for (int l = 2; l < L; l++) {
        g_assert_cmpfloat(fabs(creal(s[l * l + l]) - sqrt(0.5)), <=, 3e-16);
        g_assert_cmpfloat(fabs(creal(s[l * l + l + 2]) - 0.5), <=, 3e-16);
      }
    }
  }
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_wavelet_directional_profile(L, 0, s, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "N = 0"));
  g_assert_cmpint(sph_wavelet_directional_profile(L, L + 1, s, &err), ==, SPH_ERR_INVALID);
  g_free(s);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  static const double case_b2[] = { 2.0, 64, 2 };
  static const double case_b15[] = { 1.5, 40, 1 };
  static const double case_b3[] = { 3.0, 60, 0 };
  g_test_add_func("/wavelet-kernels/partition-of-unity", test_partition_of_unity);
  g_test_add_func("/wavelet-kernels/j-max-band-limits", test_j_max_and_band_limits);
  g_test_add_func("/wavelet-kernels/supports", test_supports);
  g_test_add_func("/wavelet-kernels/kernel-function", test_kernel_function);
  g_test_add_func("/wavelet-kernels/harmonic", test_harmonic);
  g_test_add_data_func("/wavelet-kernels/python/B2-L64-J2", case_b2, test_against_python);
  g_test_add_data_func("/wavelet-kernels/python/B1.5-L40-J1", case_b15, test_against_python);
  g_test_add_data_func("/wavelet-kernels/python/B3-L60-J0", case_b3, test_against_python);
  g_test_add_func("/wavelet-kernels/bad-input", test_bad_input);
  g_test_add_func("/wavelet-kernels/directional-profile", test_directional_profile);
  return g_test_run();
}
