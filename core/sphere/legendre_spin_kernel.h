/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Spin-weighted Legendre kernels, included by legendre_kernel.h with its helpers and
 * macros (KV, KNV, KN, VD, VL). The block's vectors are done one after the other: the
 * two sequences and eight accumulators of one vector fill the registers. */

/* x^n for a small exponent n >= 0. */
KINLINE VD KN(ipow)(VD x, int n)
{
  VD r = KN(splat)(1.0);
  for (int i = 0; i < n; i++)
    r *= x;
  return r;
}

/* f sin^e(theta) sin^a(theta/2) cos^b(theta/2) as a scaled value. The small powers
 * (a, b <= 2s) lower the value by at most 2^-2s of its exponent range near a pole and
 * cannot raise it past the tolerance by more than 2^2s; the first rescale check
 * normalises it either way. */
KINLINE void KN(spin_value)(double f, int e, int a, int b, VD s, VD s2, VD c2, VD *v, VD *scale)
{
  VD mant, sc;
  KN(lambda_mm)(e, f, s, &mant, &sc);
  *v = mant * (KN(ipow)(s2, a) * KN(ipow)(c2, b));
  *scale = sc;
}

KINLINE int KN(any_big2)(VD a, VD b)
{
  VD u[2] = { a, b };
  return KN(any_big_n)(u, 2);
}

/* Rescales both sequences where needed; returns whether some lane is significant. */
KINLINE int KN(spin_rescale)(VD *a1, VD *a2, VD *sa, VD *b1, VD *b2, VD *sb)
{
  KN(rescale)(a1, a2, sa);
  KN(rescale)(b1, b2, sb);
  return KN(any)((*sa > 0.5) | (*sb > 0.5));
}

/* The step factors f0 x +- f1 = f0 y + (sgn f0 +- f1) with y = x - sgn: near a pole
 * (sgn = +-1) y = -+2 sin^2 or cos^2 of theta/2 keeps the distance to the pole exact. */
#define KSPA(i) (sgn * coef[2 * (i)] + coef[2 * (i) + 1])
#define KSPB(i) (sgn * coef[2 * (i)] - coef[2 * (i) + 1])

KINLINE VD KN(spin_y)(int form, VD x, VD s2, VD c2)
{
  if (form > 0)
    return -2.0 * s2 * s2;
  if (form < 0)
    return 2.0 * c2 * c2;
  return x;
}

static void KN(spin_synthesis)(const SphLegSpinM *mm, const double *ct, const double *xs,
                               const double *ss, const double *s2s, const double *c2s, int form,
                               double *out)
{
  const double *coef = mm->coef;
  const int n = mm->nl;
  const double sgn = form;
  for (int v = 0; v < KNV; v++) {
    const int o = v * KV;
    VD s = KN(load)(ss + o), s2 = KN(load)(s2s + o), c2 = KN(load)(c2s + o);
    VD x = KN(spin_y)(form, KN(load)(xs + o), s2, c2);
    VD a1 = KN(splat)(0.0), b1 = KN(splat)(0.0), a2, b2, sa, sb;
    KN(spin_value)(mm->fa, mm->e_sin, mm->ea_s2, mm->ea_c2, s, s2, c2, &a2, &sa);
    KN(spin_value)(mm->fb, mm->e_sin, mm->eb_s2, mm->eb_c2, s, s2, c2, &b2, &sb);
    VD par = KN(splat)(0.0), pai = par, mar = par, mai = par, mbr = par, mbi = par, pbr = par,
       pbi = par;
    int l = 0;
    /* Nothing significant yet: run the recurrences only. */
    int significant = KN(any)((sa > 0.5) | (sb > 0.5));
    for (; l < n && !significant; l++) {
      if (KN(any_big2)(a2, b2)) {
        if (KN(spin_rescale)(&a1, &a2, &sa, &b1, &b2, &sb))
          break;
      }
      VD t = coef[2 * l] * x;
      VD an = (t + KSPA(l)) * a2 - a1;
      VD bn = (t + KSPB(l)) * b2 - b1;
      a1 = a2;
      a2 = an;
      b1 = b2;
      b2 = bn;
    }
    /* Mixed: weigh each lane by its correction factor until all are plain doubles. */
    VD cfa = KN(corfac)(sa), cfb = KN(corfac)(sb);
    for (; l < n && KN(any)((sa < -0.5) | (sb < -0.5)); l++) {
      const double *c = ct + 8 * l;
      VD wa = a2 * cfa, wb = b2 * cfb;
      par += wa * c[0];
      pai += wa * c[1];
      mar += wa * c[2];
      mai += wa * c[3];
      mbr += wb * c[4];
      mbi += wb * c[5];
      pbr += wb * c[6];
      pbi += wb * c[7];
      VD t = coef[2 * l] * x;
      VD an = (t + KSPA(l)) * a2 - a1;
      VD bn = (t + KSPB(l)) * b2 - b1;
      a1 = a2;
      a2 = an;
      b1 = b2;
      b2 = bn;
      if (KN(any_big2)(a2, b2)) {
        KN(spin_rescale)(&a1, &a2, &sa, &b1, &b2, &sb);
        cfa = KN(corfac)(sa);
        cfb = KN(corfac)(sb);
      }
    }
    if (l < n) {
      a1 *= cfa;
      a2 *= cfa;
      b1 *= cfb;
      b2 *= cfb;
      for (; l + 2 <= n; l += 2) {
        const double *c = ct + 8 * l;
        VD t = coef[2 * l] * x;
        par += a2 * c[0];
        pai += a2 * c[1];
        mar += a2 * c[2];
        mai += a2 * c[3];
        mbr += b2 * c[4];
        mbi += b2 * c[5];
        pbr += b2 * c[6];
        pbi += b2 * c[7];
        a1 = (t + KSPA(l)) * a2 - a1;
        b1 = (t + KSPB(l)) * b2 - b1;
        VD t2 = coef[2 * l + 2] * x;
        par += a1 * c[8];
        pai += a1 * c[9];
        mar += a1 * c[10];
        mai += a1 * c[11];
        mbr += b1 * c[12];
        mbi += b1 * c[13];
        pbr += b1 * c[14];
        pbi += b1 * c[15];
        a2 = (t2 + KSPA(l + 1)) * a1 - a2;
        b2 = (t2 + KSPB(l + 1)) * b1 - b2;
      }
      if (l < n) {
        const double *c = ct + 8 * l;
        par += a2 * c[0];
        pai += a2 * c[1];
        mar += a2 * c[2];
        mai += a2 * c[3];
        mbr += b2 * c[4];
        mbi += b2 * c[5];
        pbr += b2 * c[6];
        pbi += b2 * c[7];
      }
    }
    /* Q_N = -(Pa + Mb)/2, U_N = i (Pa - Mb)/2, Q_S = -(Pb + Ma)/2, U_S = i (Pb - Ma)/2. */
    KN(store)(out + SPH_SPIN_QNR * SPH_LEG_LANES_MAX + o, -0.5 * (par + mbr));
    KN(store)(out + SPH_SPIN_QNI * SPH_LEG_LANES_MAX + o, -0.5 * (pai + mbi));
    KN(store)(out + SPH_SPIN_UNR * SPH_LEG_LANES_MAX + o, -0.5 * (pai - mbi));
    KN(store)(out + SPH_SPIN_UNI * SPH_LEG_LANES_MAX + o, 0.5 * (par - mbr));
    KN(store)(out + SPH_SPIN_QSR * SPH_LEG_LANES_MAX + o, -0.5 * (pbr + mar));
    KN(store)(out + SPH_SPIN_QSI * SPH_LEG_LANES_MAX + o, -0.5 * (pbi + mai));
    KN(store)(out + SPH_SPIN_USR * SPH_LEG_LANES_MAX + o, -0.5 * (pbi - mai));
    KN(store)(out + SPH_SPIN_USI * SPH_LEG_LANES_MAX + o, 0.5 * (pbr - mar));
  }
}

/* acc[l][4][KV] += (E sum re, im, B sum re, im) of one vector of lanes. */
KINLINE void KN(spin_acc)(double *A, VD er, VD ei, VD br, VD bi)
{
  KN(store)(A, KN(load)(A) + er);
  KN(store)(A + KV, KN(load)(A + KV) + ei);
  KN(store)(A + 2 * KV, KN(load)(A + 2 * KV) + br);
  KN(store)(A + 3 * KV, KN(load)(A + 3 * KV) + bi);
}

/* The adjoint does two vectors at a time, so each degree's four sums reach memory once
 * per pair of vectors. */
#define KNP 2
#define KFOR_P _Pragma("GCC unroll 2") for (int v = 0; v < KNP; v++)

/* Rescales both sequences of a pair of vectors; returns whether a lane is significant. */
KINLINE int KN(spin_rescale_pair)(VD *a1, VD *a2, VD *sa, VD *b1, VD *b2, VD *sb)
{
  int significant = 0;
  KFOR_P significant |= KN(spin_rescale)(&a1[v], &a2[v], &sa[v], &b1[v], &b2[v], &sb[v]);
  return significant;
}

/* The E and B sums of one degree over a pair of vectors: E += a X1 + b X2, B += a Y1 - b Y2. */
KINLINE void KN(spin_acc_pair)(double *A, const VD *a, const VD *b, const VD *x1r, const VD *x1i,
                               const VD *x2r, const VD *x2i, const VD *y1r, const VD *y1i,
                               const VD *y2r, const VD *y2i)
{
  VD er = KN(load)(A), ei = KN(load)(A + KV), br = KN(load)(A + 2 * KV), bi = KN(load)(A + 3 * KV);
  KFOR_P {
    er += a[v] * x1r[v] + b[v] * x2r[v];
    ei += a[v] * x1i[v] + b[v] * x2i[v];
    br += a[v] * y1r[v] - b[v] * y2r[v];
    bi += a[v] * y1i[v] - b[v] * y2i[v];
  }
  KN(store)(A, er);
  KN(store)(A + KV, ei);
  KN(store)(A + 2 * KV, br);
  KN(store)(A + 3 * KV, bi);
}

static void KN(spin_adjoint)(const SphLegSpinM *mm, const double *xs, const double *ss,
                             const double *s2s, const double *c2s, int form, const double *in,
                             double *acc, int *acc_from)
{
  const double *coef = mm->coef;
  const int n = mm->nl;
  const double sgn = form;
  const double sigma = (mm->spin & 1) ? -1.0 : 1.0;
  /* eps_l = (-1)^(l + m + s): par0 is its parity at l = l0. */
  const int par0 = (mm->l0 + mm->m + mm->spin) & 1;
  for (int v0 = 0; v0 < KNV; v0 += KNP) {
    /* A = QN + i UN, B = QS - i US, C = QN - i UN, D = QS + i US; with eps = +1 the E sum
     * takes a (A + B) + sigma b (C + D) and the B sum a (A - B) - sigma b (C - D); eps = -1
     * swaps the sums and differences. */
    VD pr[KNP], pi[KNP], mr[KNP], mi[KNP], qr[KNP], qi[KNP], nr[KNP], ni[KNP];
    VD x[KNP], a1[KNP], a2[KNP], b1[KNP], b2[KNP], sa[KNP], sb[KNP];
    KFOR_P {
      const int o = (v0 + v) * KV;
#define IN(k) KN(load)(in + (k) * SPH_LEG_LANES_MAX + o)
      VD qnr = IN(SPH_SPIN_QNR), qni = IN(SPH_SPIN_QNI), unr = IN(SPH_SPIN_UNR), uni = IN(SPH_SPIN_UNI);
      VD qsr = IN(SPH_SPIN_QSR), qsi = IN(SPH_SPIN_QSI), usr = IN(SPH_SPIN_USR), usi = IN(SPH_SPIN_USI);
#undef IN
      VD ar = qnr - uni, ai = qni + unr, br_ = qsr + usi, bi_ = qsi - usr;
      VD cr = qnr + uni, ci = qni - unr, dr = qsr - usi, di = qsi + usr;
      pr[v] = ar + br_;
      pi[v] = ai + bi_;
      mr[v] = ar - br_;
      mi[v] = ai - bi_;
      qr[v] = sigma * (cr + dr);
      qi[v] = sigma * (ci + di);
      nr[v] = sigma * (cr - dr);
      ni[v] = sigma * (ci - di);
      VD s = KN(load)(ss + o), s2 = KN(load)(s2s + o), c2 = KN(load)(c2s + o);
      x[v] = KN(spin_y)(form, KN(load)(xs + o), s2, c2);
      a1[v] = b1[v] = KN(splat)(0.0);
      KN(spin_value)(mm->fa, mm->e_sin, mm->ea_s2, mm->ea_c2, s, s2, c2, &a2[v], &sa[v]);
      KN(spin_value)(mm->fb, mm->e_sin, mm->eb_s2, mm->eb_c2, s, s2, c2, &b2[v], &sb[v]);
    }
    /* The sets of the even and the odd degree indices. */
    const VD *e1r = par0 ? mr : pr, *e1i = par0 ? mi : pi, *e2r = par0 ? nr : qr, *e2i = par0 ? ni : qi;
    const VD *f1r = par0 ? pr : mr, *f1i = par0 ? pi : mi, *f2r = par0 ? qr : nr, *f2i = par0 ? qi : ni;
#define STEP(l)                                                                               \
    KFOR_P {                                                                                  \
      VD t = coef[2 * (l)] * x[v];                                                            \
      VD an = (t + KSPA(l)) * a2[v] - a1[v];                                                  \
      VD bn = (t + KSPB(l)) * b2[v] - b1[v];                                                  \
      a1[v] = a2[v];                                                                          \
      a2[v] = an;                                                                             \
      b1[v] = b2[v];                                                                          \
      b2[v] = bn;                                                                             \
    }
#define ANY_BIG() (KN(any_big2)(a2[0], b2[0]) || (KNP > 1 && KN(any_big2)(a2[1], b2[1])))
#define RESCALE_ALL() KN(spin_rescale_pair)(a1, a2, sa, b1, b2, sb)
    int l = 0;
    int significant = 0;
    KFOR_P significant |= KN(any)((sa[v] > 0.5) | (sb[v] > 0.5));
    for (; l < n && !significant; l++) {
      if (ANY_BIG() && RESCALE_ALL())
        break;
      STEP(l)
    }
    KN(acc_extend)(acc, l, acc_from);
    VD cfa[KNP], cfb[KNP], wa[KNP], wb[KNP];
    KFOR_P {
      cfa[v] = KN(corfac)(sa[v]);
      cfb[v] = KN(corfac)(sb[v]);
    }
    for (; l < n; l++) {
      int low = 0;
      KFOR_P low |= KN(any)((sa[v] < -0.5) | (sb[v] < -0.5));
      if (!low)
        break;
      KFOR_P {
        wa[v] = a2[v] * cfa[v];
        wb[v] = b2[v] * cfb[v];
      }
      if ((l & 1) == 0)
        KN(spin_acc_pair)(acc + 4 * KV * l, wa, wb, e1r, e1i, e2r, e2i, f1r, f1i, f2r, f2i);
      else
        KN(spin_acc_pair)(acc + 4 * KV * l, wa, wb, f1r, f1i, f2r, f2i, e1r, e1i, e2r, e2i);
      STEP(l)
      if (ANY_BIG()) {
        RESCALE_ALL();
        KFOR_P {
          cfa[v] = KN(corfac)(sa[v]);
          cfb[v] = KN(corfac)(sb[v]);
        }
      }
    }
    if (l < n) {
      KFOR_P {
        a1[v] *= cfa[v];
        a2[v] *= cfa[v];
        b1[v] *= cfb[v];
        b2[v] *= cfb[v];
      }
      if (l & 1) { /* start the two-degree loop on an even index */
        KN(spin_acc_pair)(acc + 4 * KV * l, a2, b2, f1r, f1i, f2r, f2i, e1r, e1i, e2r, e2i);
        STEP(l)
        l++;
      }
      for (; l + 2 <= n; l += 2) {
        double *A = acc + 4 * KV * l;
        KN(spin_acc_pair)(A, a2, b2, e1r, e1i, e2r, e2i, f1r, f1i, f2r, f2i);
        STEP(l)
        KN(spin_acc_pair)(A + 4 * KV, a2, b2, f1r, f1i, f2r, f2i, e1r, e1i, e2r, e2i);
        STEP(l + 1)
      }
      if (l < n)
        KN(spin_acc_pair)(acc + 4 * KV * l, a2, b2, e1r, e1i, e2r, e2i, f1r, f1i, f2r, f2i);
    }
#undef STEP
#undef ANY_BIG
#undef RESCALE_ALL
  }
}

#undef KNP
#undef KFOR_P

#undef KSPA
#undef KSPB
