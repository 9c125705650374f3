/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Legendre kernels of legendre.c, written once with GCC vector extensions and
 * compiled once per instruction set: legendre.c includes this file with
 *   KV   doubles per vector,
 *   KNV  vectors per block (the block's lanes stay in registers),
 *   KSUF the suffix of the generated names,
 * under the matching `#pragma GCC target`. See legendre.h for the mathematics. */

#define KCAT2(a, b) a##_##b
#define KCAT(a, b) KCAT2(a, b)
#define KN(x) KCAT(x, KSUF)
#define VD KN(vd)
#define VL KN(vl)
#define KLANES (KV * KNV)
#define KINLINE static inline __attribute__((always_inline))
/* Every loop over the block's vectors is unrolled, so the arrays live in registers. */
#define KFOR_V _Pragma("GCC unroll 8") for (int v = 0; v < KNV; v++)

typedef double VD __attribute__((vector_size(KV * sizeof(double))));
typedef long long VL __attribute__((vector_size(KV * sizeof(long long))));

KINLINE VD KN(splat)(double a)
{
  VD v = { 0 };
  return v + a;
}

KINLINE VD KN(load)(const double *p)
{
  VD v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

KINLINE void KN(store)(double *p, VD v)
{
  __builtin_memcpy(p, &v, sizeof v);
}

KINLINE VD KN(select)(VL mask, VD a, VD b)
{
  return (VD)(((VL)a & mask) | ((VL)b & ~mask));
}

KINLINE int KN(any)(VL mask)
{
  long long r = 0;
  for (int i = 0; i < KV; i++)
    r |= mask[i];
  return r != 0;
}

/* x = mantissa 2^exponent, mantissa in [0.5, 1), for positive normal x. */
KINLINE VD KN(frexp)(VD x, VD *exponent)
{
  VL bits = (VL)x;
  VL e = (bits >> 52) & 0x7ff;
  *exponent = __builtin_convertvector(e - 1022, VD);
  return (VD)((bits & 0x000fffffffffffffLL) | 0x3fe0000000000000LL);
}

/* 2^e for integer-valued e in [-1022, 1023]. */
KINLINE VD KN(exp2i)(VD e)
{
  VL bits = (__builtin_convertvector(e, VL) + 1023) << 52;
  return (VD)bits;
}

/* lambda_mm = c s^m as a scaled value (v, scale): v 2^(800 scale), |v| <= 2^-60. */
KINLINE void KN(lambda_mm)(int m, double c, VD s, VD *v, VD *scale)
{
  VD r = KN(splat)(1.0), re = KN(splat)(0.0);
  if (m > 0) {
    VD be, t;
    VD b = KN(frexp)(s, &be);
    for (int p = m;; ) {
      if (p & 1) {
        r = KN(frexp)(r * b, &t);
        re += be + t;
      }
      p >>= 1;
      if (p == 0)
        break;
      b = KN(frexp)(b * b, &t);
      be = be + be + t;
    }
  }
  /* |c r| < 2^4: choose the scale so that the exponent shift lands in (-864, -64]. */
  VD n = re + 64.0;
  VD sc = __builtin_convertvector(__builtin_convertvector(n * (1.0 / 800.0), VL), VD);
  sc = KN(select)(n > 0.0, KN(splat)(1.0), sc);
  VD val = (c * r) * KN(exp2i)(re - 800.0 * sc);
  /* An exact pole has lambda_mm = 0 for m > 0: a plain zero, never to be rescaled. */
  if (m > 0) {
    VL zero = (s == 0.0);
    val = KN(select)(zero, KN(splat)(0.0), val);
    sc = KN(select)(zero, KN(splat)(0.0), sc);
  }
  *v = val;
  *scale = sc;
}

/* The step factor a_k x^2 + b_k, in one of two forms: with z = x^2 near the equator, or
 * with z = sin^2 theta near the poles as (a_k + b_k) - a_k z, where x^2 = 1 - sin^2 would
 * lose the distance to the pole that the recurrence is most sensitive to there. */
#define KSTEP(k, A, B)                                                                      \
  do {                                                                                      \
    double a_ = coef[2 * (k)], b_ = coef[2 * (k) + 1];                                      \
    A = polar ? -a_ : a_;                                                                   \
    B = polar ? a_ + b_ : b_;                                                               \
  } while (0)

#define SPH_LEG_TOL 0x1p-60
#define SPH_LEG_SMALL 0x1p-800
#define SPH_LEG_BIG 0x1p800

/* Scales (u1, u2) down by 2^800 in the lanes where u2 has outgrown the tolerance. */
KINLINE void KN(rescale)(VD *u1, VD *u2, VD *scale)
{
  VL big = (*u2 > SPH_LEG_TOL) | (*u2 < -SPH_LEG_TOL);
  if (KN(any)(big)) {
    VD f = KN(select)(big, KN(splat)(SPH_LEG_SMALL), KN(splat)(1.0));
    *u1 *= f;
    *u2 *= f;
    *scale += KN(select)(big, KN(splat)(1.0), KN(splat)(0.0));
  }
}

/* The factor that turns a scaled value into a double: 0 below the range, 1 or 2^800. */
KINLINE VD KN(corfac)(VD scale)
{
  return KN(select)(scale < -0.5, KN(splat)(0.0),
                    KN(select)(scale > 0.5, KN(splat)(SPH_LEG_BIG), KN(splat)(1.0)));
}

/* Lanes of u that have outgrown the tolerance, in any of the block's vectors: the
 * largest |u| of the block against the tolerance, one mask test (this runs once per
 * step while the values are still negligible). */
KINLINE int KN(any_big_n)(const VD *u, int n)
{
  const VL absmask = (VL){ 0 } + 0x7fffffffffffffffLL;
  VD m = (VD)((VL)u[0] & absmask);
  for (int v = 1; v < n; v++) {
    VD a = (VD)((VL)u[v] & absmask);
    m = KN(select)(a > m, a, m);
  }
#if defined(__x86_64__) && KV == 8
  return _mm512_cmp_pd_mask((__m512d)m, _mm512_set1_pd(SPH_LEG_TOL), _CMP_GT_OQ) != 0;
#elif defined(__x86_64__) && KV == 4
  return _mm256_movemask_pd(_mm256_cmp_pd((__m256d)m, _mm256_set1_pd(SPH_LEG_TOL), _CMP_GT_OQ)) != 0;
#elif defined(__x86_64__) && KV == 2
  return _mm_movemask_pd(_mm_cmpgt_pd((__m128d)m, _mm_set1_pd(SPH_LEG_TOL))) != 0;
#else
  return KN(any)(m > SPH_LEG_TOL);
#endif
}

KINLINE int KN(any_big)(const VD *u)
{
  return KN(any_big_n)(u, KNV);
}

/* Runs the recurrence (without using its values) until some lane becomes significant.
 * Returns the step k reached; K when nothing in the block ever does. The scale only
 * changes when a value outgrows the tolerance, so one test per step suffices. */
KINLINE int KN(skip_insignificant)(const SphLegM *mm, int polar, const VD *csq, VD *u1, VD *u2,
                                   VD *scale)
{
  const double *coef = mm->coef;
  int K = mm->nsteps;
  int k = 0;
  int significant = 0;
  KFOR_V significant |= KN(any)(scale[v] > 0.5);
  if (significant)
    return 0;
  for (; k < K; k++) {
    if (KN(any_big)(u2)) {
      KFOR_V {
        KN(rescale)(&u1[v], &u2[v], &scale[v]);
        significant |= KN(any)(scale[v] > 0.5);
      }
      if (significant)
        break;
    }
    double a, b;
    KSTEP(k, a, b);
    KFOR_V {
      VD t = (a * csq[v] + b) * u2[v] + u1[v];
      u1[v] = u2[v];
      u2[v] = t;
    }
  }
  return k;
}

KINLINE int KN(all_in_range)(const VD *scale)
{
  int out = 0;
  KFOR_V
    out |= KN(any)(scale[v] < -0.5);
  return !out;
}

KINLINE void KN(start)(const SphLegM *mm, int polar, const double *xs, const double *ss, VD *x,
                       VD *csq, VD *u1, VD *u2, VD *scale)
{
  KFOR_V {
    x[v] = KN(load)(xs + v * KV);
    VD sv = KN(load)(ss + v * KV);
    csq[v] = polar ? sv * sv : x[v] * x[v];
    u1[v] = KN(splat)(0.0);
    KN(lambda_mm)(mm->m, mm->lambda_mm, sv, &u2[v], &scale[v]);
  }
}

static void KN(synthesis)(const SphLegM *mm, const double *ct, const double *xs, const double *ss,
                          int form, double *nr, double *ni, double *sr, double *si)
{
  VD x[KNV], csq[KNV], u1[KNV], u2[KNV], scale[KNV];
  VD p1r[KNV], p1i[KNV], p2r[KNV], p2i[KNV];
  const double *coef = mm->coef;
  const int K = mm->nsteps;
  const int polar = form != 0;
  KN(start)(mm, polar, xs, ss, x, csq, u1, u2, scale);
  KFOR_V
    p1r[v] = p1i[v] = p2r[v] = p2i[v] = KN(splat)(0.0);

  int k = KN(skip_insignificant)(mm, polar, csq, u1, u2, scale);

  /* Some lanes are significant, others may still be below the range: weigh each by its
   * correction factor until all are representable as plain doubles. */
  VD cf[KNV];
  KFOR_V
    cf[v] = KN(corfac)(scale[v]);
  for (; k < K && !KN(all_in_range)(scale); k++) {
    double ar1 = ct[4 * k], ai1 = ct[4 * k + 1], ar2 = ct[4 * k + 2], ai2 = ct[4 * k + 3];
    double a, b;
    KSTEP(k, a, b);
    KFOR_V {
      VD w = u2[v] * cf[v];
      p1r[v] += w * ar1;
      p1i[v] += w * ai1;
      p2r[v] += w * ar2;
      p2i[v] += w * ai2;
      VD t = (a * csq[v] + b) * u2[v] + u1[v];
      u1[v] = u2[v];
      u2[v] = t;
    }
    if (KN(any_big)(u2)) {
      KFOR_V {
        KN(rescale)(&u1[v], &u2[v], &scale[v]);
        cf[v] = KN(corfac)(scale[v]);
      }
    }
  }

  if (k < K) {
    KFOR_V {
      u1[v] *= cf[v];
      u2[v] *= cf[v];
    }
    /* The hot loop: two steps (four degrees) per pass, every value in registers. */
    for (; k + 2 <= K; k += 2) {
      const double *c = ct + 4 * k;
      double a1, b1, a2, b2;
      KSTEP(k, a1, b1);
      KSTEP(k + 1, a2, b2);
      KFOR_V {
        p1r[v] += u2[v] * c[0];
        p1i[v] += u2[v] * c[1];
        p2r[v] += u2[v] * c[2];
        p2i[v] += u2[v] * c[3];
        u1[v] = (a1 * csq[v] + b1) * u2[v] + u1[v];
        p1r[v] += u1[v] * c[4];
        p1i[v] += u1[v] * c[5];
        p2r[v] += u1[v] * c[6];
        p2i[v] += u1[v] * c[7];
        u2[v] = (a2 * csq[v] + b2) * u1[v] + u2[v];
      }
    }
    if (k < K) {
      const double *c = ct + 4 * k;
      KFOR_V {
        p1r[v] += u2[v] * c[0];
        p1i[v] += u2[v] * c[1];
        p2r[v] += u2[v] * c[2];
        p2i[v] += u2[v] * c[3];
      }
    }
  }

  KFOR_V {
    VD tr = x[v] * p2r[v], ti = x[v] * p2i[v];
    KN(store)(nr + v * KV, p1r[v] + tr);
    KN(store)(ni + v * KV, p1i[v] + ti);
    KN(store)(sr + v * KV, p1r[v] - tr);
    KN(store)(si + v * KV, p1i[v] - ti);
  }
}

/* acc holds valid sums from step *acc_from on; a block that starts earlier zeroes the
 * steps in between first, so nobody clears the whole array. */
KINLINE void KN(acc_extend)(double *acc, int k, int *acc_from)
{
  if (k < *acc_from) {
    __builtin_memset(acc + 4 * KV * k, 0, (size_t)(*acc_from - k) * 4 * KV * sizeof(double));
    *acc_from = k;
  }
}

static void KN(adjoint)(const SphLegM *mm, const double *xs, const double *ss, int form,
                        const double *nr, const double *ni, const double *sr, const double *si,
                        double *acc, int *acc_from)
{
  VD x[KNV], csq[KNV], u1[KNV], u2[KNV], scale[KNV];
  VD p1r[KNV], p1i[KNV], p2r[KNV], p2i[KNV];
  const double *coef = mm->coef;
  const int K = mm->nsteps;
  const int polar = form != 0;
  KN(start)(mm, polar, xs, ss, x, csq, u1, u2, scale);
  KFOR_V {
    VD n_r = KN(load)(nr + v * KV), n_i = KN(load)(ni + v * KV);
    VD s_r = KN(load)(sr + v * KV), s_i = KN(load)(si + v * KV);
    p1r[v] = n_r + s_r;
    p1i[v] = n_i + s_i;
    p2r[v] = x[v] * (n_r - s_r);
    p2i[v] = x[v] * (n_i - s_i);
  }

  int k = KN(skip_insignificant)(mm, polar, csq, u1, u2, scale);
  KN(acc_extend)(acc, k, acc_from);

  VD cf[KNV];
  KFOR_V
    cf[v] = KN(corfac)(scale[v]);
  for (; k < K && !KN(all_in_range)(scale); k++) {
    double *A = acc + 4 * KV * k;
    VD s0 = KN(load)(A), s1 = KN(load)(A + KV), s2 = KN(load)(A + 2 * KV), s3 = KN(load)(A + 3 * KV);
    double a, b;
    KSTEP(k, a, b);
    KFOR_V {
      VD w = u2[v] * cf[v];
      s0 += w * p1r[v];
      s1 += w * p1i[v];
      s2 += w * p2r[v];
      s3 += w * p2i[v];
      VD t = (a * csq[v] + b) * u2[v] + u1[v];
      u1[v] = u2[v];
      u2[v] = t;
    }
    if (KN(any_big)(u2)) {
      KFOR_V {
        KN(rescale)(&u1[v], &u2[v], &scale[v]);
        cf[v] = KN(corfac)(scale[v]);
      }
    }
    KN(store)(A, s0);
    KN(store)(A + KV, s1);
    KN(store)(A + 2 * KV, s2);
    KN(store)(A + 3 * KV, s3);
  }

  if (k < K) {
    KFOR_V {
      u1[v] *= cf[v];
      u2[v] *= cf[v];
    }
    for (; k + 2 <= K; k += 2) {
      double *A = acc + 4 * KV * k;
      double a1, b1, a2, b2;
      KSTEP(k, a1, b1);
      KSTEP(k + 1, a2, b2);
      VD s0 = KN(load)(A), s1 = KN(load)(A + KV), s2 = KN(load)(A + 2 * KV), s3 = KN(load)(A + 3 * KV);
      VD t0 = KN(load)(A + 4 * KV), t1 = KN(load)(A + 5 * KV), t2 = KN(load)(A + 6 * KV),
         t3 = KN(load)(A + 7 * KV);
      KFOR_V {
        s0 += u2[v] * p1r[v];
        s1 += u2[v] * p1i[v];
        s2 += u2[v] * p2r[v];
        s3 += u2[v] * p2i[v];
        u1[v] = (a1 * csq[v] + b1) * u2[v] + u1[v];
        t0 += u1[v] * p1r[v];
        t1 += u1[v] * p1i[v];
        t2 += u1[v] * p2r[v];
        t3 += u1[v] * p2i[v];
        u2[v] = (a2 * csq[v] + b2) * u1[v] + u2[v];
      }
      KN(store)(A, s0);
      KN(store)(A + KV, s1);
      KN(store)(A + 2 * KV, s2);
      KN(store)(A + 3 * KV, s3);
      KN(store)(A + 4 * KV, t0);
      KN(store)(A + 5 * KV, t1);
      KN(store)(A + 6 * KV, t2);
      KN(store)(A + 7 * KV, t3);
    }
    if (k < K) {
      double *A = acc + 4 * KV * k;
      VD s0 = KN(load)(A), s1 = KN(load)(A + KV), s2 = KN(load)(A + 2 * KV), s3 = KN(load)(A + 3 * KV);
      KFOR_V {
        s0 += u2[v] * p1r[v];
        s1 += u2[v] * p1i[v];
        s2 += u2[v] * p2r[v];
        s3 += u2[v] * p2i[v];
      }
      KN(store)(A, s0);
      KN(store)(A + KV, s1);
      KN(store)(A + 2 * KV, s2);
      KN(store)(A + 3 * KV, s3);
    }
  }
}

/* ct[4k + c] += sum over the lanes of acc[k][c], for k < nsteps: the four sums of a step
 * come out of one transposing tree of shuffles and adds. */
static void KN(reduce)(int from, int nsteps, const double *acc, double *ct)
{
  for (int k = from; k < nsteps; k++) {
    const double *A = acc + 4 * KV * k;
#if defined(__clang__) /* no __builtin_shuffle: plain sums */
    for (int c = 0; c < 4; c++)
      for (int i = 0; i < KV; i++)
        ct[4 * k + c] += A[c * KV + i];
#else
    VD s0 = KN(load)(A), s1 = KN(load)(A + KV), s2 = KN(load)(A + 2 * KV), s3 = KN(load)(A + 3 * KV);
#if KV == 8
    VD a = __builtin_shuffle(s0, s1, (VL){ 0, 1, 2, 3, 8, 9, 10, 11 }) +
           __builtin_shuffle(s0, s1, (VL){ 4, 5, 6, 7, 12, 13, 14, 15 });
    VD b = __builtin_shuffle(s2, s3, (VL){ 0, 1, 2, 3, 8, 9, 10, 11 }) +
           __builtin_shuffle(s2, s3, (VL){ 4, 5, 6, 7, 12, 13, 14, 15 });
    /* a = [s0 x4, s1 x4], b = [s2 x4, s3 x4] */
    VD c = __builtin_shuffle(a, b, (VL){ 0, 1, 4, 5, 8, 9, 12, 13 }) +
           __builtin_shuffle(a, b, (VL){ 2, 3, 6, 7, 10, 11, 14, 15 });
    /* c = [s0 x2, s1 x2, s2 x2, s3 x2] */
    VD d = __builtin_shuffle(c, (VL){ 0, 2, 4, 6, 0, 2, 4, 6 }) +
           __builtin_shuffle(c, (VL){ 1, 3, 5, 7, 1, 3, 5, 7 });
    ct[4 * k] += d[0];
    ct[4 * k + 1] += d[1];
    ct[4 * k + 2] += d[2];
    ct[4 * k + 3] += d[3];
#elif KV == 4
    VD a = __builtin_shuffle(s0, s1, (VL){ 0, 1, 4, 5 }) + __builtin_shuffle(s0, s1, (VL){ 2, 3, 6, 7 });
    VD b = __builtin_shuffle(s2, s3, (VL){ 0, 1, 4, 5 }) + __builtin_shuffle(s2, s3, (VL){ 2, 3, 6, 7 });
    VD c = __builtin_shuffle(a, b, (VL){ 0, 2, 4, 6 }) + __builtin_shuffle(a, b, (VL){ 1, 3, 5, 7 });
    VD t = KN(load)(ct + 4 * k);
    KN(store)(ct + 4 * k, t + c);
#elif KV == 2
    VD a = __builtin_shuffle(s0, s1, (VL){ 0, 2 }) + __builtin_shuffle(s0, s1, (VL){ 1, 3 });
    VD b = __builtin_shuffle(s2, s3, (VL){ 0, 2 }) + __builtin_shuffle(s2, s3, (VL){ 1, 3 });
    KN(store)(ct + 4 * k, KN(load)(ct + 4 * k) + a);
    KN(store)(ct + 4 * k + 2, KN(load)(ct + 4 * k + 2) + b);
#else
#error "unsupported vector width"
#endif
#endif
  }
}

#include "legendre_spin_kernel.h"

#undef KCAT2
#undef KCAT
#undef KN
#undef VD
#undef VL
#undef KLANES
#undef KINLINE
#undef KFOR_V
#undef KSTEP
