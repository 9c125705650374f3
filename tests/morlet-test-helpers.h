/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An independent construction of kymatio's Morlet filters for the tests: literally
 * kymatio's gabor_2d (the Gaussian summed over 5 x 5 periodic copies in space) and
 * morlet_2d (the zero-mean correction), with the exact pi, plus a naive DFT. */
#pragma once

#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static inline void test_gabor_2d(int64_t M, int64_t N, double sigma, double theta, double xi,
                                 double slant, double complex *out)
{
  double c = cos(theta), s = sin(theta);
  /* curv = R diag(1, slant^2) R^T / (2 sigma^2) */
  double d2 = slant * slant;
  double c00 = (c * c + s * s * d2) / (2 * sigma * sigma);
  double c01 = (c * s - s * c * d2) / (2 * sigma * sigma);
  double c11 = (s * s + c * c * d2) / (2 * sigma * sigma);
  for (int64_t i = 0; i < M * N; i++)
    out[i] = 0;
  for (int ex = -2; ex <= 2; ex++)
    for (int ey = -2; ey <= 2; ey++)
      for (int64_t i = 0; i < M; i++)
        for (int64_t k = 0; k < N; k++) {
          double xx = (double)(i + ex * M), yy = (double)(k + ey * N);
          double re = -(c00 * xx * xx + 2 * c01 * xx * yy + c11 * yy * yy);
          double im = xx * c * xi + yy * s * xi;
          out[i * N + k] += cexp(re + I * im);
        }
  double norm = 2 * M_PI * sigma * sigma / slant;
  for (int64_t i = 0; i < M * N; i++)
    out[i] /= norm;
}

/* kymatio's psi_{j,l} (l >= 0) or phi (l < 0) in space on an M x N periodic grid. */
static inline void test_morlet_2d(int64_t M, int64_t N, int J, int L, int j, int l,
                                  double complex *out)
{
  if (l < 0) {
    test_gabor_2d(M, N, 0.8 * pow(2, J - 1), 0, 0, 1, out);
    return;
  }
  double sigma = 0.8 * pow(2, j), xi = 0.75 * M_PI / pow(2, j), slant = 4.0 / L;
  double theta = (double)((L - L / 2 - 1) - l) * M_PI / L;
  double complex *mod = malloc((size_t)(M * N) * sizeof *mod);
  test_gabor_2d(M, N, sigma, theta, xi, slant, out);
  test_gabor_2d(M, N, sigma, theta, 0, slant, mod);
  double complex sw = 0, sm = 0;
  for (int64_t i = 0; i < M * N; i++) {
    sw += out[i];
    sm += mod[i];
  }
  double complex K = sw / sm;
  for (int64_t i = 0; i < M * N; i++)
    out[i] -= K * mod[i];
  free(mod);
}

/* The unnormalised forward DFT by its definition. */
static inline void test_naive_dft(int64_t M, int64_t N, const double complex *in, double complex *out)
{
  for (int64_t k1 = 0; k1 < M; k1++)
    for (int64_t k2 = 0; k2 < N; k2++) {
      double complex sum = 0;
      for (int64_t n1 = 0; n1 < M; n1++)
        for (int64_t n2 = 0; n2 < N; n2++) {
          double phase = -2 * M_PI * ((double)((k1 * n1) % M) / (double)M +
                                      (double)((k2 * n2) % N) / (double)N);
          sum += in[n1 * N + n2] * cexp(I * phase);
        }
      out[k1 * N + k2] = sum;
    }
}

/* numpy's 'reflect' padding index, as kymatio pads. */
static inline int64_t test_reflect(int64_t t, int64_t before, int64_t size)
{
  int64_t s = t - before;
  while (s < 0 || s >= size) {
    if (s < 0)
      s = -s;
    if (s >= size)
      s = 2 * (size - 1) - s;
  }
  return s;
}
