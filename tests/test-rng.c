/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <math.h>

#include "sphaera/rng.h"

/* Known-answer vectors of Philox4x32-10 from Random123's kat_vectors file. */
static void test_known_answers(void)
{
  static const uint32_t counter[3][4] = {
    { 0, 0, 0, 0 },
    { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu },
    { 0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u },
  };
  static const uint32_t key[3][2] = {
    { 0, 0 }, { 0xffffffffu, 0xffffffffu }, { 0xa4093822u, 0x299f31d0u }
  };
  static const uint32_t expected[3][4] = {
    { 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u },
    { 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu },
    { 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u },
  };
  for (int i = 0; i < 3; i++) {
    uint32_t out[4];
    sph_philox4x32_10(counter[i], key[i], out);
    for (int j = 0; j < 4; j++)
      g_assert_cmphex(out[j], ==, expected[i][j]);
  }
}

static void test_stream_layout(void)
{
  /* The generator hands out Philox(counter = (block, stream), key = seed) word by word. */
  uint64_t seed = 0x0123456789abcdefull, stream = 0xfedcba9876543210ull;
  SphRng rng;
  sph_rng_init(&rng, seed, stream);
  uint32_t key[2] = { (uint32_t)seed, (uint32_t)(seed >> 32) };
  for (uint32_t block = 0; block < 3; block++) {
    uint32_t ctr[4] = { block, 0, (uint32_t)stream, (uint32_t)(stream >> 32) }, out[4];
    sph_philox4x32_10(ctr, key, out);
    for (int j = 0; j < 4; j++)
      g_assert_cmphex(sph_rng_u32(&rng), ==, out[j]);
  }
}

static void test_counter_carry(void)
{
  SphRng rng;
  sph_rng_init(&rng, 7, 3);
  rng.counter[0] = 0xffffffffu;
  for (int j = 0; j < 4; j++)
    sph_rng_u32(&rng);
  g_assert_cmphex(rng.counter[0], ==, 0);
  g_assert_cmphex(rng.counter[1], ==, 1);
  uint32_t ctr[4] = { 0, 1, 3, 0 }, key[2] = { 7, 0 }, out[4];
  sph_philox4x32_10(ctr, key, out);
  g_assert_cmphex(sph_rng_u32(&rng), ==, out[0]);
}

static void test_reproducible_and_split(void)
{
  SphRng a, b, parent, c;
  sph_rng_init(&a, 42, 5);
  sph_rng_init(&b, 42, 5);
  sph_rng_init(&parent, 42, 0);
  sph_rng_split(&parent, 5, &c);
  for (int i = 0; i < 1000; i++) {
    uint64_t x = sph_rng_u64(&a);
    g_assert_cmpuint(x, ==, sph_rng_u64(&b));
    g_assert_cmpuint(x, ==, sph_rng_u64(&c));
  }
  SphRng other_seed;
  sph_rng_init(&other_seed, 43, 5);
  sph_rng_init(&a, 42, 5);
  int equal = 0;
  for (int i = 0; i < 1000; i++)
    equal += sph_rng_u64(&a) == sph_rng_u64(&other_seed);
  g_assert_cmpint(equal, ==, 0);
}

static void test_uniform_moments_and_stream_independence(void)
{
  const int n = 200000;
  SphRng s0, s1;
  sph_rng_init(&s0, 2024, 0);
  sph_rng_init(&s1, 2024, 1);
  double sum0 = 0, sum1 = 0, sq0 = 0, sq1 = 0, cross = 0;
  for (int i = 0; i < n; i++) {
    double u = sph_rng_uniform(&s0), v = sph_rng_uniform(&s1);
    g_assert_true(u >= 0.0 && u < 1.0);
    sum0 += u;
    sum1 += v;
    sq0 += u * u;
    sq1 += v * v;
    cross += u * v;
  }
  double mean0 = sum0 / n, mean1 = sum1 / n;
  /* Five standard errors: the mean of U(0,1) has sd sqrt(1/12/n). */
  double se = sqrt(1.0 / 12.0 / n);
  g_assert_cmpfloat(fabs(mean0 - 0.5), <, 5 * se);
  g_assert_cmpfloat(fabs(mean1 - 0.5), <, 5 * se);
  double var0 = sq0 / n - mean0 * mean0, var1 = sq1 / n - mean1 * mean1;
  g_assert_cmpfloat(fabs(var0 - 1.0 / 12.0), <, 0.002);
  double corr = (cross / n - mean0 * mean1) / sqrt(var0 * var1);
  g_assert_cmpfloat(fabs(corr), <, 5.0 / sqrt(n));
}

static void test_below_is_uniform(void)
{
  /* Chi-square with 9 degrees of freedom; 40 is exceeded with probability ~7e-6. */
  const int n = 100000, k = 10;
  int counts[10] = { 0 };
  SphRng rng;
  sph_rng_init(&rng, 99, 0);
  for (int i = 0; i < n; i++) {
    uint64_t r = sph_rng_below(&rng, (uint64_t)k);
    g_assert_cmpuint(r, <, (uint64_t)k);
    counts[r]++;
  }
  double chi2 = 0, expected = (double)n / k;
  for (int i = 0; i < k; i++)
    chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
  g_assert_cmpfloat(chi2, <, 40.0);
  g_assert_cmpuint(sph_rng_below(&rng, 1), ==, 0);
}

static int compare_doubles(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void test_normal_distribution(void)
{
  /* Kolmogorov-Smirnov against the normal CDF: sqrt(n) D < 1.95 has p = 0.001. */
  const int n = 100000;
  double *x = g_new(double, n);
  SphRng rng;
  sph_rng_init(&rng, 12345, 7);
  double sum = 0, sq = 0;
  for (int i = 0; i < n; i++) {
    x[i] = sph_rng_normal(&rng);
    sum += x[i];
    sq += x[i] * x[i];
  }
  g_assert_cmpfloat(fabs(sum / n), <, 5.0 / sqrt(n));
  g_assert_cmpfloat(fabs(sq / n - 1.0), <, 5.0 * sqrt(2.0 / n));
  qsort(x, (size_t)n, sizeof *x, compare_doubles);
  double d = 0;
  for (int i = 0; i < n; i++) {
    double cdf = 0.5 * erfc(-x[i] / sqrt(2.0));
    d = fmax(d, fmax(fabs(cdf - (double)i / n), fabs(cdf - (double)(i + 1) / n)));
  }
  g_assert_cmpfloat(sqrt((double)n) * d, <, 1.95);
  g_free(x);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/rng/philox-known-answers", test_known_answers);
  g_test_add_func("/rng/stream-layout", test_stream_layout);
  g_test_add_func("/rng/counter-carry", test_counter_carry);
  g_test_add_func("/rng/reproducible-and-split", test_reproducible_and_split);
  g_test_add_func("/rng/uniform-and-independent-streams", test_uniform_moments_and_stream_independence);
  g_test_add_func("/rng/below-uniform", test_below_is_uniform);
  g_test_add_func("/rng/normal", test_normal_distribution);
  return g_test_run();
}
