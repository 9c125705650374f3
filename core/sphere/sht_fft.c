/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ring stage of the SHT: per ring, the real FFT between pixel values and the
 * Fourier coefficients F_m, m = 0..mmax, with the ring's phase offset phi0 and the
 * aliasing of m >= nphi/2 on short rings (HEALPix polar rings). */
#include "sht_internal.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/mem.h"
#include "sphaera/fftw_lock.h"

/* Complex products written out: ISO C's complex multiply checks every result for NaN
 * and calls a library routine to recover infinities, which costs more than the product
 * in these loops. */
static inline double _Complex cmul(double _Complex a, double _Complex b)
{
  return CMPLX(creal(a) * creal(b) - cimag(a) * cimag(b), creal(a) * cimag(b) + cimag(a) * creal(b));
}

/* a * conj(b) */
static inline double _Complex cmulc(double _Complex a, double _Complex b)
{
  return CMPLX(creal(a) * creal(b) + cimag(a) * cimag(b), cimag(a) * creal(b) - creal(a) * cimag(b));
}

typedef struct {
  double phi0;
  int ring;
} PhiRing;

static int compare_phi(const void *a, const void *b)
{
  const PhiRing *x = a, *y = b;
  if (x->phi0 < y->phi0)
    return -1;
  if (x->phi0 > y->phi0)
    return 1;
  return x->ring - y->ring;
}

typedef struct {
  int64_t n;
  int ring;
} NRing;

static int compare_n(const void *a, const void *b)
{
  const NRing *x = a, *y = b;
  if (x->n != y->n)
    return x->n < y->n ? -1 : 1;
  return x->ring - y->ring;
}

/* e^{i j phi0} with the argument reduced in long double: j phi0 is exact there, so the
 * table is accurate to rounding even for j phi0 in the thousands. */
static double _Complex expi(long double angle)
{
  const long double two_pi = 6.28318530717958647692528676655900577L;
  angle = fmodl(angle, two_pi);
  return CMPLX((double)cosl(angle), (double)sinl(angle));
}

static void fill_twiddles(double _Complex *w, int64_t n, int64_t count);

SphStatus sph_ring_ffts_init(SphRingFfts *f, const SphRingGeometry *geometry, int mmax,
                             unsigned fftw_flags, SphError *err)
{
  memset(f, 0, sizeof *f);
  int nrings = sph_ring_geometry_nrings(geometry);
  const SphRing *rings = sph_ring_geometry_rings(geometry);
  f->ring_plan = malloc((size_t)nrings * sizeof *f->ring_plan);
  f->ring_shift = malloc((size_t)nrings * sizeof *f->ring_shift);
  f->ring_parity = malloc((size_t)nrings * sizeof *f->ring_parity);
  NRing *byn = malloc((size_t)nrings * sizeof *byn);
  PhiRing *byphi = malloc((size_t)nrings * sizeof *byphi);
  if (f->ring_plan == NULL || f->ring_shift == NULL || f->ring_parity == NULL || byn == NULL ||
      byphi == NULL) {
    free(byn);
    free(byphi);
    sph_ring_ffts_free(f);
    return sph_error_set(err, SPH_ERR_NOMEM, "SHT plan: out of memory for %d rings", nrings);
  }

  /* One FFTW plan pair per distinct ring length. */
  for (int r = 0; r < nrings; r++)
    byn[r] = (NRing){ rings[r].nphi, r };
  qsort(byn, (size_t)nrings, sizeof *byn, compare_n);
  int nplans = 0;
  for (int i = 0; i < nrings; i++)
    if (i == 0 || byn[i].n != byn[i - 1].n)
      nplans++;
  f->plans = calloc((size_t)nplans, sizeof *f->plans);
  if (f->plans == NULL) {
    free(byn);
    free(byphi);
    sph_ring_ffts_free(f);
    return sph_error_set(err, SPH_ERR_NOMEM, "SHT plan: out of memory for %d FFT plans", nplans);
  }
  f->max_nphi = byn[nrings - 1].n;
  f->mmax = mmax;
  double *rbuf = sph_alloc_aligned((size_t)f->max_nphi + 2, sizeof(double), err);
  double _Complex *cbuf = sph_alloc_aligned((size_t)f->max_nphi / 2 + 1, sizeof(double _Complex), err);
  double _Complex *cbuf2 = sph_alloc_aligned((size_t)f->max_nphi / 2 + 1, sizeof(double _Complex), err);
  if (rbuf == NULL || cbuf == NULL || cbuf2 == NULL) {
    sph_free_aligned(rbuf);
    sph_free_aligned(cbuf);
    sph_free_aligned(cbuf2);
    free(byn);
    free(byphi);
    sph_ring_ffts_free(f);
    return sph_error_prefix(err, "SHT plan: FFT scratch");
  }
  /* Few lengths: FFTW's real transforms. Many: complex half-length plans (see
   * sht_internal.h) for even lengths. */
  int use_half = nplans > 16;
  SphStatus status = SPH_OK;
  sph_fftw_planner_lock();
  int p = -1;
  for (int i = 0; i < nrings; i++) {
    if (i == 0 || byn[i].n != byn[i - 1].n) {
      p++;
      int n = (int)byn[i].n;
      SphRingFftPlan *fp = &f->plans[p];
      fp->n = n;
      f->nplans = p + 1;
      if (use_half && n % 2 == 0) {
        fp->half = fftw_plan_dft_1d(n / 2, (fftw_complex *)cbuf, (fftw_complex *)cbuf2,
                                    FFTW_FORWARD, fftw_flags);
        if (fp->half == NULL) {
          status = sph_error_set(err, SPH_ERR_UNSUPPORTED, "SHT plan: FFTW cannot plan length %d", n / 2);
          break;
        }
      } else {
        fp->r2c = fftw_plan_dft_r2c_1d(n, rbuf, (fftw_complex *)cbuf, fftw_flags);
        fp->c2r = fftw_plan_dft_c2r_1d(n, (fftw_complex *)cbuf, rbuf, fftw_flags);
        if (fp->r2c == NULL || fp->c2r == NULL) {
          status = sph_error_set(err, SPH_ERR_UNSUPPORTED, "SHT plan: FFTW cannot plan length %d", n);
          break;
        }
      }
    }
    f->ring_plan[byn[i].ring] = p;
  }
  sph_fftw_planner_unlock();
  sph_free_aligned(rbuf);
  sph_free_aligned(cbuf);
  sph_free_aligned(cbuf2);
  free(byn);
  if (status != SPH_OK) {
    free(byphi);
    sph_ring_ffts_free(f);
    return status;
  }
  /* The packing twiddles of the half-length transforms, while they fit in a budget
   * (HEALPix NSIDE 1024: 8 MB); beyond it they are made per ring and call. */
  size_t budget = (size_t)64 << 20;
  for (int k = 0; k < f->nplans; k++) {
    SphRingFftPlan *fp = &f->plans[k];
    size_t count = (size_t)(fp->n / 4 + 1);
    if (fp->half == NULL || count * sizeof(double _Complex) > budget)
      continue;
    fp->twiddle = sph_alloc_aligned(count, sizeof(double _Complex), NULL);
    if (fp->twiddle == NULL)
      break;
    fill_twiddles(fp->twiddle, fp->n, (int64_t)count);
    budget -= count * sizeof(double _Complex);
  }

  /* A ring whose phi0 is a multiple p of half a pixel (HEALPix: p = 1) shifts its
   * aliased coefficients by whole periods: e^{i (k + q n) phi0} = (-1)^(q p) e^{i k phi0},
   * so its shift can be applied to the n/2 + 1 folded bins instead of every m. */
  for (int r = 0; r < nrings; r++) {
    double p = rings[r].phi0 * (double)rings[r].nphi / M_PI;
    double pr = nearbyint(p);
    f->ring_parity[r] = (fabs(p - pr) <= 1e-9 * fmax(1.0, fabs(p))) ? (int)fmod(fabs(pr), 2.0) : -1;
  }

  /* One e^{i m phi0} table per distinct phi0, split as hi[m / lo] lo[m % lo], and the
   * whole table for a phi0 that many rings share (HEALPix's equatorial belt). */
  int nz = 0;
  for (int r = 0; r < nrings; r++) {
    f->ring_shift[r] = -1;
    if (rings[r].phi0 != 0.0)
      byphi[nz++] = (PhiRing){ rings[r].phi0, r };
  }
  qsort(byphi, (size_t)nz, sizeof *byphi, compare_phi);
  int nshift = 0, nfull = 0;
  for (int i = 0, run = 0; i < nz; i++) {
    if (i == 0 || byphi[i].phi0 != byphi[i - 1].phi0) {
      nshift++;
      run = 0;
    }
    if (++run == 8)
      nfull++;
  }
  f->shift_lo = (int)ceil(sqrt((double)mmax + 1.0));
  f->shift_hi = mmax / f->shift_lo + 1;
  int per = f->shift_lo + f->shift_hi;
  f->nshift = nshift;
  if (nshift > 0) {
    f->shift = sph_alloc_aligned((size_t)nshift * per, sizeof(double _Complex), err);
    f->shift_full = malloc((size_t)nshift * sizeof *f->shift_full);
    f->full = sph_alloc_aligned((size_t)nfull * ((size_t)mmax + 1), sizeof(double _Complex), err);
    if (f->shift == NULL || f->shift_full == NULL || f->full == NULL) {
      free(byphi);
      sph_ring_ffts_free(f);
      return sph_error_set(err, SPH_ERR_NOMEM, "SHT plan: out of memory for the phase tables");
    }
  }
  int s = -1, nf = 0;
  for (int i = 0; i < nz; i++) {
    if (i == 0 || byphi[i].phi0 != byphi[i - 1].phi0) {
      s++;
      long double phi0 = byphi[i].phi0;
      double _Complex *t = f->shift + (size_t)s * per;
      for (int j = 0; j < f->shift_lo; j++)
        t[j] = expi(j * phi0);
      for (int j = 0; j < f->shift_hi; j++)
        t[f->shift_lo + j] = expi((long double)j * f->shift_lo * phi0);
      int run = 1;
      while (i + run < nz && byphi[i + run].phi0 == byphi[i].phi0)
        run++;
      f->shift_full[s] = -1;
      if (run >= 8) {
        double _Complex *w = f->full + (size_t)nf * ((size_t)mmax + 1);
        for (int m = 0; m <= mmax; m++)
          w[m] = t[f->shift_lo + m / f->shift_lo] * t[m % f->shift_lo];
        f->shift_full[s] = (int64_t)nf * ((int64_t)mmax + 1);
        nf++;
      }
    }
    f->ring_shift[byphi[i].ring] = s;
  }
  free(byphi);
  return SPH_OK;
}

void sph_ring_ffts_free(SphRingFfts *f)
{
  if (f->plans != NULL) {
    sph_fftw_planner_lock();
    for (int p = 0; p < f->nplans; p++) {
      if (f->plans[p].r2c != NULL)
        fftw_destroy_plan(f->plans[p].r2c);
      if (f->plans[p].c2r != NULL)
        fftw_destroy_plan(f->plans[p].c2r);
      if (f->plans[p].half != NULL)
        fftw_destroy_plan(f->plans[p].half);
      sph_free_aligned(f->plans[p].twiddle);
    }
    sph_fftw_planner_unlock();
  }
  free(f->plans);
  free(f->ring_plan);
  free(f->ring_shift);
  free(f->ring_parity);
  sph_free_aligned(f->shift);
  free(f->shift_full);
  sph_free_aligned(f->full);
  memset(f, 0, sizeof *f);
}

int sph_ring_fft_scratch_init(SphRingFftScratch *s, const SphRingFfts *f)
{
  size_t nc = (size_t)f->max_nphi / 2 + 1;
  s->spectrum = sph_alloc_aligned(nc, sizeof(double _Complex), NULL);
  s->work = sph_alloc_aligned(nc, sizeof(double _Complex), NULL);
  s->twiddle = sph_alloc_aligned(nc, sizeof(double _Complex), NULL);
  s->real = sph_alloc_aligned((size_t)f->max_nphi + 2, sizeof(double), NULL);
  s->shifted = sph_alloc_aligned((size_t)f->mmax + 1, sizeof(double _Complex), NULL);
  if (s->spectrum == NULL || s->work == NULL || s->twiddle == NULL || s->real == NULL ||
      s->shifted == NULL) {
    sph_ring_fft_scratch_free(s);
    return -1;
  }
  return 0;
}

void sph_ring_fft_scratch_free(SphRingFftScratch *s)
{
  sph_free_aligned(s->spectrum);
  sph_free_aligned(s->work);
  sph_free_aligned(s->twiddle);
  sph_free_aligned(s->real);
  sph_free_aligned(s->shifted);
  memset(s, 0, sizeof *s);
}

/* w[k] = e^{-2 pi i k/n}, k = 0..count-1, as hi[k / S] lo[k % S]: 2 sqrt(count) sines
 * and cosines instead of count, each value within a few ulp. */
static void fill_twiddles(double _Complex *w, int64_t n, int64_t count)
{
  int64_t S = (int64_t)ceil(sqrt((double)count));
  if (S < 1)
    S = 1;
  double _Complex lo[S];
  for (int64_t j = 0; j < S; j++)
    lo[j] = CMPLX(cos(2.0 * M_PI * j / n), -sin(2.0 * M_PI * j / n));
  for (int64_t h = 0; h * S < count; h++) {
    double a = 2.0 * M_PI * (double)((h * S) % n) / n;
    double _Complex hi = CMPLX(cos(a), -sin(a));
    int64_t end = (h + 1) * S < count ? (h + 1) * S : count;
    for (int64_t k = h * S; k < end; k++)
      w[k] = cmul(hi, lo[k - h * S]);
  }
}

/* FFTW's r2c of scale * in: spectrum[k] = scale sum_j in[j] e^{-2 pi i j k/n}, k = 0..n/2.
 * The ring is read where it lies when FFTW can take it (SIMD-aligned like the arrays it
 * was planned with), else through the aligned scratch. */
static void real_forward(const SphRingFftPlan *fp, const double *in, double scale,
                         SphRingFftScratch *s)
{
  int64_t n = fp->n, N = n / 2;
  if (fp->half == NULL) {
    const double *src = in;
    if (fftw_alignment_of((double *)in) != 0) {
      memcpy(s->real, in, (size_t)n * sizeof *in);
      src = s->real;
    }
    fftw_execute_dft_r2c(fp->r2c, (double *)src, (fftw_complex *)s->spectrum);
    if (scale != 1.0)
      for (int64_t k = 0; k <= N; k++)
        s->spectrum[k] *= scale;
    return;
  }
  double _Complex *z = s->work, *Z = s->spectrum, *w = fp->twiddle;
  for (int64_t j = 0; j < N; j++)
    z[j] = CMPLX(scale * in[2 * j], scale * in[2 * j + 1]);
  fftw_execute_dft(fp->half, (fftw_complex *)z, (fftw_complex *)Z);
  if (w == NULL) {
    w = s->twiddle;
    fill_twiddles(w, n, N / 2 + 1);
  }
  /* X_k = E_k + w^k O_k with E_k = (Z_k + conj Z_{N-k})/2, O_k = (Z_k - conj Z_{N-k})/(2i);
   * k and N - k are done together, in place. */
  double z0r = creal(Z[0]), z0i = cimag(Z[0]);
  for (int64_t k = 1; 2 * k <= N; k++) {
    int64_t q = N - k;
    double _Complex a = Z[k], b = conj(Z[q]);
    double _Complex d = a - b;
    double _Complex e = 0.5 * (a + b), o = CMPLX(0.5 * cimag(d), -0.5 * creal(d)); /* -i/2 d */
    /* w^q = e^{-2 pi i (N - k)/n} = -conj(w^k) */
    double _Complex wk = w[k], wq = -conj(wk);
    double _Complex eq = conj(e), oq = conj(o);
    Z[k] = e + cmul(wk, o);
    Z[q] = eq + cmul(wq, oq);
  }
  Z[0] = z0r + z0i;
  Z[N] = z0r - z0i;
}

/* FFTW's c2r: out[j] = sum_{k=0}^{n-1} X_k e^{2 pi i j k/n} for the Hermitian X whose
 * half is spectrum[0..n/2]. Destroys spectrum. */
static void real_backward(const SphRingFftPlan *fp, double *out, SphRingFftScratch *s)
{
  if (fp->half == NULL) {
    if (fftw_alignment_of(out) == 0) {
      fftw_execute_dft_c2r(fp->c2r, (fftw_complex *)s->spectrum, out);
    } else {
      fftw_execute_dft_c2r(fp->c2r, (fftw_complex *)s->spectrum, s->real);
      memcpy(out, s->real, (size_t)fp->n * sizeof *out);
    }
    return;
  }
  int64_t n = fp->n, N = n / 2;
  double _Complex *X = s->spectrum, *Z = s->work, *w = fp->twiddle;
  if (w == NULL) {
    w = s->twiddle;
    fill_twiddles(w, n, N / 2 + 1);
  }
  /* Z_k = A_k + i B_k e^{2 pi i k/n}, A_k = X_k + conj X_{N-k}, B_k = X_k - conj X_{N-k};
   * the backward FFT is the forward one of the conjugate, so Z is stored conjugated. */
  for (int64_t k = 0; 2 * k <= N; k++) {
    int64_t q = N - k;
    double _Complex xk = X[k], xq = X[q];
    double _Complex ak = xk + conj(xq), bk = xk - conj(xq);
    double _Complex wk = conj(w[k]); /* e^{2 pi i k/n} */
    double _Complex t = cmul(bk, wk);
    Z[k] = conj(ak + CMPLX(-cimag(t), creal(t))); /* a + i b w */
    if (q != k && q < N) {
      double _Complex aq = conj(ak), bq = -conj(bk);
      double _Complex wq = -conj(wk); /* e^{2 pi i (N-k)/n} */
      double _Complex tq = cmul(bq, wq);
      Z[q] = conj(aq + CMPLX(-cimag(tq), creal(tq)));
    }
  }
  fftw_execute_dft(fp->half, (fftw_complex *)Z, (fftw_complex *)X);
  for (int64_t j = 0; j < N; j++) {
    out[2 * j] = creal(X[j]);
    out[2 * j + 1] = -cimag(X[j]);
  }
}

/* out[m] = in[m] e^{+-i m phi0} for m = 1..mmax (conj: the minus sign), from ring r's
 * whole table when it has one, else from the split table e^{i m phi0} = hi[m / lo]
 * lo[m % lo], walked without divisions. */
static void shift_phases(const SphRingFfts *f, int r, const double _Complex *in,
                         double _Complex *out, int mmax, int conjugate)
{
  int s = f->ring_shift[r];
  if (f->shift_full[s] >= 0) {
    const double _Complex *w = f->full + f->shift_full[s];
    if (conjugate)
      for (int m = 1; m <= mmax; m++)
        out[m] = cmulc(in[m], w[m]);
    else
      for (int m = 1; m <= mmax; m++)
        out[m] = cmul(in[m], w[m]);
    return;
  }
  const int S = f->shift_lo;
  const double _Complex *lo = f->shift + (size_t)s * (f->shift_lo + f->shift_hi), *hi = lo + S;
  for (int h = 0; h * S <= mmax; h++) {
    int j0 = h == 0 ? 1 : 0;
    int j1 = (h + 1) * S - 1 <= mmax ? S : mmax - h * S + 1;
    double _Complex base = hi[h];
    const double _Complex *src = in + h * S;
    double _Complex *dst = out + h * S;
    if (conjugate)
      for (int j = j0; j < j1; j++)
        dst[j] = cmulc(src[j], cmul(base, lo[j]));
    else
      for (int j = j0; j < j1; j++)
        dst[j] = cmul(src[j], cmul(base, lo[j]));
  }
}

void sph_ring_phase_to_ring(const SphRingFfts *f, const SphRing *ring, int r, int mmax,
                            const double _Complex *phase, double *out, SphRingFftScratch *s)
{
  int64_t n = ring->nphi;
  int64_t half = n / 2;
  double _Complex *c = s->spectrum;
  int shifted = f->ring_shift[r] >= 0, parity = f->ring_parity[r];
  if (2 * (int64_t)mmax < n) {
    /* No aliasing: c[m] = F_m e^{i m phi0}. */
    c[0] = creal(phase[0]);
    if (!shifted)
      memcpy(c + 1, phase + 1, (size_t)mmax * sizeof *c);
    else
      shift_phases(f, r, phase, c, mmax, 0);
    memset(c + mmax + 1, 0, (size_t)(half - mmax) * sizeof *c);
  } else {
    /* F_m lands at m mod n and its conjugate at -m mod n of the full spectrum; keep
     * the half that the real FFT takes. With phi0 = pi p/n the shift of m = k + q n
     * is (-1)^(q p) that of k: fold with the signs, then shift the bins. */
    const double _Complex *g = phase;
    if (shifted && parity < 0) {
      shift_phases(f, r, phase, s->shifted, mmax, 0);
      g = s->shifted;
    }
    int odd = parity == 1;
    memset(c, 0, (size_t)(half + 1) * sizeof *c);
    c[0] = creal(phase[0]);
    /* Period by period: m = q n + i with i <= n/2 goes to c[i] with (-1)^(q p); its
     * conjugate goes to c[n - i] for i >= n - n/2 (sign of q + 1), or to c[0] for i = 0. */
    for (int64_t base = 0, q = 0; base <= mmax; base += n, q++) {
      double sq = (odd && (q & 1)) ? -1.0 : 1.0, sq1 = odd ? -sq : sq;
      int64_t i0 = base == 0 ? 1 : 0;
      int64_t iend = half < mmax - base ? half : mmax - base;
      for (int64_t i = i0; i <= iend; i++)
        c[i] += sq * g[base + i];
      if (base > 0)
        c[0] += sq * conj(g[base]);
      /* i = n - k for k = 1..n/2 */
      for (int64_t k = 1; k <= half; k++) {
        int64_t m = base + n - k;
        if (m > mmax || m < 1)
          continue;
        c[k] += sq1 * conj(g[m]);
      }
    }
    if (shifted && parity >= 0)
      shift_phases(f, r, c, c, (int)half, 0);
    c[0] = creal(c[0]);
  }
  real_backward(&f->plans[f->ring_plan[r]], out, s);
}

void sph_ring_ring_to_phase(const SphRingFfts *f, const SphRing *ring, int r, int mmax,
                            const double *in, double scale, double _Complex *phase,
                            SphRingFftScratch *s)
{
  int64_t n = ring->nphi;
  int64_t half = n / 2;
  double _Complex *c = s->spectrum;
  int shifted = f->ring_shift[r] >= 0, parity = f->ring_parity[r];
  real_forward(&f->plans[f->ring_plan[r]], in, scale, s);
  phase[0] = creal(c[0]);
  if (2 * (int64_t)mmax < n) {
    if (!shifted)
      memcpy(phase + 1, c + 1, (size_t)mmax * sizeof *c);
    else
      shift_phases(f, r, c, phase, mmax, 1);
  } else if (!shifted || parity >= 0) {
    /* The transpose of the fold above: shift the bins, then unfold with the signs
     * (e^{-i k phi0} of k > n/2 is (-1)^p e^{i (n-k) phi0}). */
    if (shifted)
      shift_phases(f, r, c, c, (int)half, 1);
    int odd = parity == 1;
    for (int64_t base = 0, q = 0; base <= mmax; base += n, q++) {
      double sq = (odd && (q & 1)) ? -1.0 : 1.0, sqc = odd ? -sq : sq;
      int64_t i0 = base == 0 ? 1 : 0;
      int64_t iend = n - 1 < mmax - base ? n - 1 : mmax - base;
      int64_t ih = half < iend ? half : iend;
      for (int64_t i = i0; i <= ih; i++)
        phase[base + i] = sq * c[i];
      for (int64_t i = ih + 1; i <= iend; i++)
        phase[base + i] = sqc * conj(c[n - i]);
    }
  } else {
    int64_t i1 = 0;
    for (int m = 1; m <= mmax; m++) {
      i1 = (i1 + 1 == n) ? 0 : i1 + 1;
      phase[m] = (i1 <= half) ? c[i1] : conj(c[n - i1]);
    }
    shift_phases(f, r, phase, phase, mmax, 1);
  }
}
