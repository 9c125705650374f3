/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Planar scattering: kymatio's coefficient count and order, agreement with a direct
 * computation by spatial convolution sums over kymatio's spatial filters, invariance
 * under a 90-degree rotation, and the gradient against finite differences. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "morlet-test-helpers.h"
#include "sphaera/scattering.h"

static void test_count_and_labels(void)
{
  g_assert_cmpint(sph_scattering2d_count(4, 8, 2), ==, 1 + 32 + 64 * 6);
  g_assert_cmpint(sph_scattering2d_count(4, 8, 1), ==, 33);
  g_assert_cmpint(sph_scattering2d_count(3, 6, 2), ==, 1 + 18 + 36 * 3);
  g_assert_cmpint(sph_scattering2d_count(3, 6, 3), ==, -1);
  SphError err = SPH_ERROR_INIT;
  SphScattering2D *plan = sph_scattering2d_new(64, 64, 4, 3, 2, SPH_BOUNDARY_PERIODIC, &err);
  g_assert_nonnull(plan);
  int64_t n = sph_scattering2d_ncoeffs(plan);
  g_assert_cmpint(n, ==, 1 + 12 + 9 * 6);
  /* kymatio's order, rebuilt here by its loops. */
  int64_t index = 0;
  SphScatterLabel l0 = sph_scattering2d_label(plan, index++);
  g_assert_cmpint(l0.order, ==, 0);
  g_assert_cmpint(l0.j1, ==, -1);
  for (int j1 = 0; j1 < 4; j1++)
    for (int l1 = 0; l1 < 3; l1++) {
      SphScatterLabel lab = sph_scattering2d_label(plan, index++);
      g_assert_cmpint(lab.order, ==, 1);
      g_assert_cmpint(lab.j1, ==, j1);
      g_assert_cmpint(lab.l1, ==, l1);
      g_assert_cmpint(lab.j2, ==, -1);
    }
  for (int j1 = 0; j1 < 4; j1++)
    for (int l1 = 0; l1 < 3; l1++)
      for (int j2 = j1 + 1; j2 < 4; j2++)
        for (int l2 = 0; l2 < 3; l2++) {
          SphScatterLabel lab = sph_scattering2d_label(plan, index++);
          g_assert_cmpint(lab.order, ==, 2);
          g_assert_cmpint(lab.j1, ==, j1);
          g_assert_cmpint(lab.l1, ==, l1);
          g_assert_cmpint(lab.j2, ==, j2);
          g_assert_cmpint(lab.l2, ==, l2);
        }
  g_assert_cmpint(index, ==, n);
  int64_t h, w;
  sph_scattering2d_out_size(plan, &h, &w);
  g_assert_cmpint(h, ==, 4);
  g_assert_cmpint(w, ==, 4);
  sph_scattering2d_free(plan);

  plan = sph_scattering2d_new(256, 200, 4, 8, 1, SPH_BOUNDARY_REFLECT, &err);
  g_assert_nonnull(plan);
  g_assert_cmpint(sph_scattering2d_ncoeffs(plan), ==, 33);
  sph_scattering2d_out_size(plan, &h, &w);
  g_assert_cmpint(h, ==, 16); /* kymatio: 288 / 16 - 2 */
  g_assert_cmpint(w, ==, 12); /* ((200 + 16) / 16 + 1) 16 = 224 -> 224 / 16 - 2 */
  sph_scattering2d_free(plan);
}

/* ---- the direct computation: every convolution a sum over pixels ---- */

typedef struct {
  int64_t P, Q;
  int J, L;
  double complex **psi; /* J L spatial filters on the P x Q grid */
  double complex *phi;
} Direct;

static void direct_init(Direct *d, int64_t P, int64_t Q, int J, int L)
{
  d->P = P;
  d->Q = Q;
  d->J = J;
  d->L = L;
  d->psi = g_new(double complex *, J * L);
  for (int j = 0; j < J; j++)
    for (int l = 0; l < L; l++) {
      d->psi[j * L + l] = g_new(double complex, P * Q);
      test_morlet_2d(P, Q, J, L, j, l, d->psi[j * L + l]);
    }
  d->phi = g_new(double complex, P * Q);
  test_morlet_2d(P, Q, J, L, 0, -1, d->phi);
}

static void direct_clear(Direct *d)
{
  for (int i = 0; i < d->J * d->L; i++)
    g_free(d->psi[i]);
  g_free(d->psi);
  g_free(d->phi);
}

/* out[n] = sum_m u[m] 4^r f(2^s n - 2^r m) for u on the grid at resolution r and n on
 * the grid at resolution s: the periodic convolution on the fine grid, subsampled. */
static void direct_conv(const Direct *d, const double *u, int r, const double complex *f, int s,
                        double complex *out)
{
  int64_t pr = d->P >> r, qr = d->Q >> r, ps = d->P >> s, qs = d->Q >> s;
  double area = (double)(1 << (2 * r));
  for (int64_t a = 0; a < ps; a++)
    for (int64_t b = 0; b < qs; b++) {
      double complex sum = 0;
      for (int64_t m1 = 0; m1 < pr; m1++)
        for (int64_t m2 = 0; m2 < qr; m2++) {
          int64_t i1 = (((a << s) - (m1 << r)) % d->P + d->P) % d->P;
          int64_t i2 = (((b << s) - (m2 << r)) % d->Q + d->Q) % d->Q;
          sum += u[m1 * qr + m2] * f[i1 * d->Q + i2];
        }
      out[a * qs + b] = sum * area;
    }
}

/* The scattering coefficients (kymatio's order and unpadding) of the padded image xp. */
static double *direct_scattering(const Direct *d, const double *xp, int border, int64_t *count)
{
  int J = d->J, L = d->L;
  int64_t pJ = d->P >> J, qJ = d->Q >> J, oh = pJ - 2 * border, ow = qJ - 2 * border;
  int64_t n = 1 + J * L + L * L * J * (J - 1) / 2;
  double *out = g_new0(double, n * oh * ow);
  double complex *small = g_new(double complex, pJ * qJ);
  double complex *z = g_new(double complex, d->P * d->Q);
  double **u1 = g_new(double *, J * L);
  int64_t index = 0;
#define STORE()                                                                            \
  do {                                                                                     \
    for (int64_t a = 0; a < oh; a++)                                                       \
      for (int64_t b = 0; b < ow; b++)                                                     \
        out[index * oh * ow + a * ow + b] = creal(small[(a + border) * qJ + b + border]);  \
    index++;                                                                               \
  } while (0)
  direct_conv(d, xp, 0, d->phi, J, small);
  STORE();
  for (int j1 = 0; j1 < J; j1++)
    for (int l1 = 0; l1 < L; l1++) {
      int64_t m = (d->P >> j1) * (d->Q >> j1);
      direct_conv(d, xp, 0, d->psi[j1 * L + l1], j1, z);
      double *u = u1[j1 * L + l1] = g_new(double, m);
      for (int64_t i = 0; i < m; i++)
        u[i] = cabs(z[i]);
      direct_conv(d, u, j1, d->phi, J, small);
      STORE();
    }
  double *u2 = g_new(double, d->P * d->Q);
  for (int j1 = 0; j1 < J; j1++)
    for (int l1 = 0; l1 < L; l1++)
      for (int j2 = j1 + 1; j2 < J; j2++)
        for (int l2 = 0; l2 < L; l2++) {
          int64_t m = (d->P >> j2) * (d->Q >> j2);
          direct_conv(d, u1[j1 * L + l1], j1, d->psi[j2 * L + l2], j2, z);
          for (int64_t i = 0; i < m; i++)
            u2[i] = cabs(z[i]);
          direct_conv(d, u2, j2, d->phi, J, small);
          STORE();
        }
#undef STORE
  g_assert_cmpint(index, ==, n);
  for (int i = 0; i < J * L; i++)
    g_free(u1[i]);
  g_free(u1);
  g_free(u2);
  g_free(z);
  g_free(small);
  *count = n * oh * ow;
  return out;
}

static double *random_image(int64_t n, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed(seed);
  double *x = g_new(double, n);
  for (int64_t i = 0; i < n; i++)
    x[i] = g_rand_double_range(rand, -1, 1) + (i % 7 == 0 ? 2 : 0);
  g_rand_free(rand);
  return x;
}

static void check_direct(int64_t M, int64_t N, int J, int L, SphBoundary boundary)
{
  SphError err = SPH_ERROR_INIT;
  SphScattering2D *plan = sph_scattering2d_new(M, N, J, L, 2, boundary, &err);
  g_assert_nonnull(plan);
  int64_t P, Q, top, left, oh, ow;
  sph_morlet_bank_grid(sph_scattering2d_bank(plan), &P, &Q, &top, &left);
  sph_scattering2d_out_size(plan, &oh, &ow);
  double *image = random_image(M * N, 11);
  double *xp = g_new(double, P * Q);
  for (int64_t r = 0; r < P; r++)
    for (int64_t c = 0; c < Q; c++)
      xp[r * Q + c] = boundary == SPH_BOUNDARY_PERIODIC
                          ? image[r * N + c]
                          : image[test_reflect(r, top, M) * N + test_reflect(c, left, N)];
  Direct d;
  direct_init(&d, P, Q, J, L);
  int64_t count;
  double *want = direct_scattering(&d, xp, boundary == SPH_BOUNDARY_REFLECT, &count);
  g_assert_cmpint(count, ==, sph_scattering2d_ncoeffs(plan) * oh * ow);
  double *got = g_new(double, count);
  g_assert_cmpint(sph_scattering2d_forward(plan, image, got, &err), ==, SPH_OK);
  double scale = 0, worst = 0;
  for (int64_t i = 0; i < count; i++)
    scale = fmax(scale, fabs(want[i]));
  for (int64_t i = 0; i < count; i++)
    worst = fmax(worst, fabs(got[i] - want[i]) / scale);
  g_test_message("%s %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT ", J = %d, L = %d: %" G_GINT64_FORMAT
                 " coefficients vs direct convolution sums, max relative error %.2e",
                 boundary == SPH_BOUNDARY_PERIODIC ? "periodic" : "reflect", M, N, J, L,
                 sph_scattering2d_ncoeffs(plan), worst);
  g_assert_cmpfloat(worst, <, 1e-10);
  /* The second-order coefficients are not negligible: the test sees them. */
  double s2max = 0;
  for (int64_t i = (1 + J * L) * oh * ow; i < count; i++)
    s2max = fmax(s2max, fabs(want[i]));
  g_assert_cmpfloat(s2max, >, 1e-3 * scale);
  direct_clear(&d);
  g_free(want);
  g_free(got);
  g_free(xp);
  g_free(image);
  sph_scattering2d_free(plan);
}

static void test_direct_periodic(void)
{
  check_direct(32, 16, 3, 3, SPH_BOUNDARY_PERIODIC); /* odd L: an unpaired last orientation */
}

static void test_direct_reflect(void)
{
  check_direct(13, 18, 2, 6, SPH_BOUNDARY_REFLECT);
}

/* A 90-degree rotation about pixel 0 maps the periodic grid, every subsampled grid and
 * the bank onto themselves, orientation l onto l + L/2 (mod L: theta and theta + pi give
 * conjugate wavelets, whose moduli agree on real inputs). */
static void test_rotation(void)
{
  const int64_t M = 64;
  const int J = 3, L = 8;
  SphError err = SPH_ERROR_INIT;
  SphScattering2D *plan = sph_scattering2d_new(M, M, J, L, 2, SPH_BOUNDARY_PERIODIC, &err);
  g_assert_nonnull(plan);
  int64_t n = sph_scattering2d_ncoeffs(plan);
  double *image = random_image(M * M, 5);
  double *rotated = g_new(double, M * M);
  for (int64_t i = 0; i < M; i++)
    for (int64_t k = 0; k < M; k++)
      rotated[i * M + k] = image[k * M + (M - i) % M];
  double *a = g_new(double, n), *b = g_new(double, n);
  g_assert_cmpint(sph_scattering2d_means(plan, image, a, &err), ==, SPH_OK);
  g_assert_cmpint(sph_scattering2d_means(plan, rotated, b, &err), ==, SPH_OK);
  /* Direction-averaged: per order and scales, the mean over orientations. */
  double avg_worst = 0, perm_worst = 0, scale = 0, change = 0;
  for (int64_t i = 0; i < n; i++)
    scale = fmax(scale, fabs(a[i]));
  double sum_a[SPH_MORLET_MAX_SCALES][SPH_MORLET_MAX_SCALES] = {{0}};
  double sum_b[SPH_MORLET_MAX_SCALES][SPH_MORLET_MAX_SCALES] = {{0}};
  for (int64_t i = 0; i < n; i++) {
    SphScatterLabel la = sph_scattering2d_label(plan, i);
    int r = la.j1 + 1, c = la.j2 + 1;
    sum_a[r][c] += a[i];
    sum_b[r][c] += b[i];
    /* The coefficient the rotation maps this one onto. */
    for (int64_t k = 0; k < n; k++) {
      SphScatterLabel lb = sph_scattering2d_label(plan, k);
      if (lb.order == la.order && lb.j1 == la.j1 && lb.j2 == la.j2 &&
          (la.l1 < 0 || lb.l1 == (la.l1 + L / 2) % L) && (la.l2 < 0 || lb.l2 == (la.l2 + L / 2) % L)) {
        perm_worst = fmax(perm_worst, fabs(b[k] - a[i]) / scale);
        break;
      }
    }
    change = fmax(change, fabs(b[i] - a[i]) / scale);
  }
  for (int r = 0; r <= J; r++)
    for (int c = 0; c <= J; c++)
      avg_worst = fmax(avg_worst, fabs(sum_a[r][c] - sum_b[r][c]) / (L * L * scale));
  g_test_message("90-degree rotation, periodic %" G_GINT64_FORMAT "^2, J = %d, L = %d: "
                 "direction-averaged change %.2e, per coefficient after the orientation shift "
                 "%.2e (without the shift %.2e)", M, J, L, avg_worst, perm_worst, change);
  g_assert_cmpfloat(avg_worst, <, 1e-12);
  g_assert_cmpfloat(perm_worst, <, 1e-12);
  g_assert_cmpfloat(change, >, 1e-6); /* the image is not itself symmetric */
  g_free(a);
  g_free(b);
  g_free(image);
  g_free(rotated);
  sph_scattering2d_free(plan);
}

/* The hand-written adjoint against central differences along random directions. */
static void check_gradient(int64_t M, int64_t N, int J, int L, SphBoundary boundary)
{
  SphError err = SPH_ERROR_INIT;
  SphScattering2D *plan = sph_scattering2d_new(M, N, J, L, 2, boundary, &err);
  g_assert_nonnull(plan);
  int64_t oh, ow;
  sph_scattering2d_out_size(plan, &oh, &ow);
  int64_t total = sph_scattering2d_ncoeffs(plan) * oh * ow;
  double *image = random_image(M * N, 3);
  double *weights = random_image(total, 4);
  double *grad = g_new(double, M * N);
  double *coeffs = g_new(double, total);
  double *moved = g_new(double, M * N);
  g_assert_cmpint(sph_scattering2d_gradient(plan, image, weights, grad, &err), ==, SPH_OK);
  GRand *rand = g_rand_new_with_seed(9);
  double worst = 0;
  for (int trial = 0; trial < 4; trial++) {
    double *v = g_new(double, M * N);
    double predicted = 0;
    for (int64_t i = 0; i < M * N; i++) {
      /* A single pixel in the first trial: the padding's adjoint at an edge. */
      v[i] = trial == 0 ? (i == 0 ? 1 : 0) : g_rand_double_range(rand, -1, 1);
      predicted += grad[i] * v[i];
    }
    const double h = 1e-5;
    double f[2];
    for (int side = 0; side < 2; side++) {
      for (int64_t i = 0; i < M * N; i++)
        moved[i] = image[i] + (side == 0 ? h : -h) * v[i];
      g_assert_cmpint(sph_scattering2d_forward(plan, moved, coeffs, &err), ==, SPH_OK);
      f[side] = 0;
      for (int64_t i = 0; i < total; i++)
        f[side] += weights[i] * coeffs[i];
    }
    double fd = (f[0] - f[1]) / (2 * h);
    double rel = fabs(fd - predicted) / fmax(fabs(fd), 1e-3);
    worst = fmax(worst, rel);
    g_free(v);
  }
  g_test_message("%s gradient vs central differences: max relative difference %.2e",
                 boundary == SPH_BOUNDARY_PERIODIC ? "periodic" : "reflect", worst);
  g_assert_cmpfloat(worst, <, 1e-6);
  g_rand_free(rand);
  g_free(image);
  g_free(weights);
  g_free(grad);
  g_free(coeffs);
  g_free(moved);
  sph_scattering2d_free(plan);
}

static void test_gradient_periodic(void)
{
  check_gradient(32, 16, 3, 4, SPH_BOUNDARY_PERIODIC);
}

static void test_gradient_reflect(void)
{
  check_gradient(15, 12, 2, 6, SPH_BOUNDARY_REFLECT);
}

static void test_bad_input(void)
{
  SphError err = SPH_ERROR_INIT;
  g_assert_null(sph_scattering2d_new(32, 32, 2, 8, 3, SPH_BOUNDARY_PERIODIC, &err));
  g_assert_nonnull(strstr(err.message, "order 3"));
  g_assert_null(sph_scattering2d_new(0, 0, 2, 8, 2, SPH_BOUNDARY_REFLECT, &err));
  g_assert_nonnull(strstr(err.message, "empty"));
  g_assert_null(sph_scattering2d_new(30, 32, 2, 8, 2, SPH_BOUNDARY_PERIODIC, &err));
  g_assert_nonnull(strstr(err.message, "multiples of 2^J"));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/scatter-plane/count-labels", test_count_and_labels);
  g_test_add_func("/scatter-plane/direct-periodic", test_direct_periodic);
  g_test_add_func("/scatter-plane/direct-reflect", test_direct_reflect);
  g_test_add_func("/scatter-plane/rotation-90", test_rotation);
  g_test_add_func("/scatter-plane/gradient-periodic", test_gradient_periodic);
  g_test_add_func("/scatter-plane/gradient-reflect", test_gradient_reflect);
  g_test_add_func("/scatter-plane/bad-input", test_bad_input);
  return g_test_run();
}
