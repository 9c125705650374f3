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

KINLINE int KN(any_big1)(VD u)
{
  return KN(any)((u > SPH_LEG_TOL) | (u < -SPH_LEG_TOL));
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
      if (KN(any_big1)(a2) || KN(any_big1)(b2)) {
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
      if (KN(any_big1)(a2) || KN(any_big1)(b2)) {
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
  for (int v = 0; v < KNV; v++) {
    const int o = v * KV;
#define IN(k) KN(load)(in + (k) * SPH_LEG_LANES_MAX + o)
    VD qnr = IN(SPH_SPIN_QNR), qni = IN(SPH_SPIN_QNI), unr = IN(SPH_SPIN_UNR), uni = IN(SPH_SPIN_UNI);
    VD qsr = IN(SPH_SPIN_QSR), qsi = IN(SPH_SPIN_QSI), usr = IN(SPH_SPIN_USR), usi = IN(SPH_SPIN_USI);
#undef IN
    /* A = QN + i UN, B = QS - i US, C = QN - i UN, D = QS + i US; with eps = +1 the E sum
     * takes a (A + B) + sigma b (C + D) and the B sum a (A - B) - sigma b (C - D); eps = -1
     * swaps the sums and differences. */
    VD ar = qnr - uni, ai = qni + unr, br_ = qsr + usi, bi_ = qsi - usr;
    VD cr = qnr + uni, ci = qni - unr, dr = qsr - usi, di = qsi + usr;
    VD pr = ar + br_, pi = ai + bi_, mr = ar - br_, mi = ai - bi_;
    VD qr = sigma * (cr + dr), qi = sigma * (ci + di), nr = sigma * (cr - dr), ni = sigma * (ci - di);
    /* Even-parity and odd-parity coefficient sets. */
    VD e1r = pr, e1i = pi, e2r = qr, e2i = qi, f1r = mr, f1i = mi, f2r = nr, f2i = ni;
    VD o1r = mr, o1i = mi, o2r = nr, o2i = ni, g1r = pr, g1i = pi, g2r = qr, g2i = qi;
    if (par0) {
      VD t;
#define SWAP(a, b) (t = a, a = b, b = t)
      SWAP(e1r, o1r); SWAP(e1i, o1i); SWAP(e2r, o2r); SWAP(e2i, o2i);
      SWAP(f1r, g1r); SWAP(f1i, g1i); SWAP(f2r, g2r); SWAP(f2i, g2i);
#undef SWAP
    }
    VD s = KN(load)(ss + o), s2 = KN(load)(s2s + o), c2 = KN(load)(c2s + o);
    VD x = KN(spin_y)(form, KN(load)(xs + o), s2, c2);
    VD a1 = KN(splat)(0.0), b1 = KN(splat)(0.0), a2, b2, sa, sb;
    KN(spin_value)(mm->fa, mm->e_sin, mm->ea_s2, mm->ea_c2, s, s2, c2, &a2, &sa);
    KN(spin_value)(mm->fb, mm->e_sin, mm->eb_s2, mm->eb_c2, s, s2, c2, &b2, &sb);
    int l = 0;
    int significant = KN(any)((sa > 0.5) | (sb > 0.5));
    for (; l < n && !significant; l++) {
      if (KN(any_big1)(a2) || KN(any_big1)(b2)) {
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
    KN(acc_extend)(acc, l, acc_from);
    VD cfa = KN(corfac)(sa), cfb = KN(corfac)(sb);
    for (; l < n && KN(any)((sa < -0.5) | (sb < -0.5)); l++) {
      VD wa = a2 * cfa, wb = b2 * cfb;
      if ((l & 1) == 0)
        KN(spin_acc)(acc + 4 * KV * l, wa * e1r + wb * e2r, wa * e1i + wb * e2i,
                     wa * f1r - wb * f2r, wa * f1i - wb * f2i);
      else
        KN(spin_acc)(acc + 4 * KV * l, wa * o1r + wb * o2r, wa * o1i + wb * o2i,
                     wa * g1r - wb * g2r, wa * g1i - wb * g2i);
      VD t = coef[2 * l] * x;
      VD an = (t + KSPA(l)) * a2 - a1;
      VD bn = (t + KSPB(l)) * b2 - b1;
      a1 = a2;
      a2 = an;
      b1 = b2;
      b2 = bn;
      if (KN(any_big1)(a2) || KN(any_big1)(b2)) {
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
      if (l & 1) { /* start the two-degree loop on an even index */
        KN(spin_acc)(acc + 4 * KV * l, a2 * o1r + b2 * o2r, a2 * o1i + b2 * o2i,
                     a2 * g1r - b2 * g2r, a2 * g1i - b2 * g2i);
        VD t = coef[2 * l] * x;
        VD an = (t + KSPA(l)) * a2 - a1;
        VD bn = (t + KSPB(l)) * b2 - b1;
        a1 = a2;
        a2 = an;
        b1 = b2;
        b2 = bn;
        l++;
      }
      for (; l + 2 <= n; l += 2) {
        double *A = acc + 4 * KV * l;
        VD t = coef[2 * l] * x;
        KN(spin_acc)(A, a2 * e1r + b2 * e2r, a2 * e1i + b2 * e2i, a2 * f1r - b2 * f2r,
                     a2 * f1i - b2 * f2i);
        a1 = (t + KSPA(l)) * a2 - a1;
        b1 = (t + KSPB(l)) * b2 - b1;
        VD t2 = coef[2 * l + 2] * x;
        KN(spin_acc)(A + 4 * KV, a1 * o1r + b1 * o2r, a1 * o1i + b1 * o2i, a1 * g1r - b1 * g2r,
                     a1 * g1i - b1 * g2i);
        a2 = (t2 + KSPA(l + 1)) * a1 - a2;
        b2 = (t2 + KSPB(l + 1)) * b1 - b2;
      }
      if (l < n)
        KN(spin_acc)(acc + 4 * KV * l, a2 * e1r + b2 * e2r, a2 * e1i + b2 * e2i,
                     a2 * f1r - b2 * f2r, a2 * f1i - b2 * f2i);
    }
  }
}

#undef KSPA
#undef KSPB
