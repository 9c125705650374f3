/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sphaera/morlet.h"
#include "morlet_internal.h"

#include <fftw3.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sphaera/fftw_lock.h"
#include "sphaera/mem.h"

/* A term of the alias sum below e^-CUTOFF of the Gaussian's peak (1) is left out: the
 * filters are then exact to rounding. */
#define ALIAS_CUTOFF 40.0

struct SphMorletBank {
  int64_t height, width;   /* the image */
  int64_t rows, cols;      /* the padded grid, P x Q */
  int64_t pad_top, pad_left;
  int J, L;
  SphBoundary boundary;
  int64_t level_offset[SPH_MORLET_MAX_SCALES + 1]; /* start of resolution res in a filter */
  int64_t filter_size;     /* doubles per filter, all resolutions */
  double *spectra;         /* J L wavelets, then phi; each all resolutions */
  SphMorletSupport *supports; /* (J L + 1) J: filter-major, then resolution */
  fftw_plan forward, backward; /* P x Q in place */
};

double sph_morlet_angle(int L, int l)
{
  return (double)((L - L / 2 - 1) - l) * M_PI / L;
}

void sph_morlet_padding(int64_t size, int J, SphBoundary boundary, int64_t *padded,
                        int64_t *before)
{
  if (boundary == SPH_BOUNDARY_PERIODIC) {
    *padded = size;
    *before = 0;
    return;
  }
  int64_t step = INT64_C(1) << J;
  *padded = ((size + step) / step + 1) * step;
  *before = (*padded - size) / 2;
}

int64_t sph_morlet_source_index(int64_t t, int64_t before, int64_t size)
{
  int64_t s = t - before;
  if (s < 0)
    s = -s;
  if (s >= size)
    s = 2 * (size - 1) - s;
  return s;
}

/* The spectrum of the periodised, sampled Gabor function of morlet.h on the P x Q grid
 * (peak 1 at xi): the Poisson sum over the 2 pi aliases of each DFT frequency. */
static void gabor_spectrum(int64_t rows, int64_t cols, double sigma, double theta, double xi,
                           double slant, double *out)
{
  const double c = cos(theta), sn = sin(theta);
  const double xi1 = xi * c, xi2 = xi * sn;
  const double half_s2 = 0.5 * sigma * sigma;
  const double inv_slant2 = 1.0 / (slant * slant);
  /* The quadratic form is at least f |d|^2: enough aliases to pass the cutoff from the
   * worst frequency in [-pi, pi)^2 when |xi| < pi. */
  const double f = half_s2 * fmin(1.0, inv_slant2);
  int reach = 0;
  while (f * pow(2 * M_PI * (reach + 1) - 2 * M_PI, 2) <= ALIAS_CUTOFF)
    reach++;
  for (int64_t k1 = 0; k1 < rows; k1++) {
    double w1 = 2 * M_PI * (double)(k1 < (rows + 1) / 2 ? k1 : k1 - rows) / (double)rows;
    for (int64_t k2 = 0; k2 < cols; k2++) {
      double w2 = 2 * M_PI * (double)(k2 < (cols + 1) / 2 ? k2 : k2 - cols) / (double)cols;
      double sum = 0;
      for (int m1 = -reach; m1 <= reach; m1++) {
        double a = w1 + 2 * M_PI * m1 - xi1;
        if (f * a * a > ALIAS_CUTOFF)
          continue;
        for (int m2 = -reach; m2 <= reach; m2++) {
          double b = w2 + 2 * M_PI * m2 - xi2;
          double along = c * a + sn * b;
          double across = -sn * a + c * b;
          double q = half_s2 * (along * along + across * across * inv_slant2);
          if (q < ALIAS_CUTOFF)
            sum += exp(-q);
        }
      }
      out[k1 * cols + k2] = sum;
    }
  }
}

/* The runs of nonzero values of a spectrum of rows x cols; false when memory is short. */
static bool find_support(const double *spectrum, int64_t rows, int64_t cols, SphMorletSupport *out)
{
  int64_t count = 0;
  for (int64_t r = 0; r < rows; r++)
    for (int64_t c = 0; c < cols; c++)
      if (spectrum[r * cols + c] != 0 && (c == 0 || spectrum[r * cols + c - 1] == 0))
        count++;
  out->row_start = malloc((size_t)(rows + 1) * sizeof *out->row_start);
  out->spans = malloc((size_t)(count > 0 ? count : 1) * sizeof *out->spans);
  if (out->row_start == NULL || out->spans == NULL)
    return false;
  int64_t n = 0;
  for (int64_t r = 0; r < rows; r++) {
    out->row_start[r] = n;
    const double *row = spectrum + r * cols;
    for (int64_t c = 0; c < cols; c++) {
      if (row[c] == 0)
        continue;
      int64_t end = c;
      while (end < cols && row[end] != 0)
        end++;
      out->spans[n][0] = (int32_t)c;
      out->spans[n][1] = (int32_t)end;
      n++;
      c = end;
    }
  }
  out->row_start[rows] = n;
  return true;
}

const SphMorletSupport *sph_morlet_bank_support(const SphMorletBank *bank, int j, int l, int res)
{
  int filter = l < 0 ? bank->J * bank->L : j * bank->L + l;
  return &bank->supports[filter * bank->J + res];
}

/* The coarse resolutions of a filter: each the alias sum of the full spectrum. */
static void fill_levels(const SphMorletBank *bank, double *filter)
{
  const double *full = filter;
  for (int res = 1; res < bank->J; res++) {
    int64_t pr = bank->rows >> res, qr = bank->cols >> res;
    double *level = filter + bank->level_offset[res];
    memset(level, 0, (size_t)(pr * qr) * sizeof(double));
    for (int64_t k1 = 0; k1 < bank->rows; k1++)
      for (int64_t k2 = 0; k2 < bank->cols; k2++)
        level[(k1 % pr) * qr + k2 % qr] += full[k1 * bank->cols + k2];
  }
}

static SphStatus check_args(int64_t height, int64_t width, int J, int L, SphBoundary boundary,
                            SphError *err)
{
  if (height < 1 || width < 1)
    return sph_error_set(err, SPH_ERR_INVALID, "Morlet filters: the image (%" PRId64 " x %" PRId64
                         " pixels) is empty", height, width);
  if (J < 1 || J > SPH_MORLET_MAX_SCALES)
    return sph_error_set(err, SPH_ERR_INVALID, "Morlet filters: J = %d scales is outside 1..%d",
                         J, SPH_MORLET_MAX_SCALES);
  if (L < 1 || L > SPH_MORLET_MAX_ORIENTATIONS)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "Morlet filters: L = %d orientations is outside 1..%d", L,
                         SPH_MORLET_MAX_ORIENTATIONS);
  if (height > SPH_MORLET_MAX_SIDE || width > SPH_MORLET_MAX_SIDE)
    return sph_error_set(err, SPH_ERR_INVALID, "Morlet filters: an image of %" PRId64 " x %" PRId64
                         " pixels exceeds %d on a side", height, width, SPH_MORLET_MAX_SIDE);
  int64_t step = INT64_C(1) << J;
  if (boundary == SPH_BOUNDARY_PERIODIC) {
    if (height % step != 0 || width % step != 0)
      return sph_error_set(err, SPH_ERR_INVALID,
                           "Morlet filters: with periodic boundaries the image sides (%" PRId64
                           " x %" PRId64 ") must be multiples of 2^J = %" PRId64
                           "; use reflecting boundaries or crop the image", height, width, step);
  } else if (boundary == SPH_BOUNDARY_REFLECT) {
    int64_t sizes[2] = {height, width};
    for (int a = 0; a < 2; a++) {
      int64_t padded, before;
      sph_morlet_padding(sizes[a], J, boundary, &padded, &before);
      if (before >= sizes[a] || padded - sizes[a] - before >= sizes[a])
        return sph_error_set(err, SPH_ERR_INVALID,
                             "Morlet filters: an image of %" PRId64 " x %" PRId64
                             " pixels is too small to pad by reflection for J = %d (each side "
                             "needs more than %" PRId64 " pixels); lower J", height, width, J,
                             padded - sizes[a] - before);
    }
  } else {
    return sph_error_set(err, SPH_ERR_INVALID, "Morlet filters: unknown boundary %d", (int)boundary);
  }
  return SPH_OK;
}

SphMorletBank *sph_morlet_bank_new(int64_t height, int64_t width, int J, int L,
                                   SphBoundary boundary, SphError *err)
{
  if (check_args(height, width, J, L, boundary, err) != SPH_OK)
    return NULL;
  SphMorletBank *bank = calloc(1, sizeof *bank);
  if (bank == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "Morlet filters: out of memory");
    return NULL;
  }
  bank->height = height;
  bank->width = width;
  bank->J = J;
  bank->L = L;
  bank->boundary = boundary;
  sph_morlet_padding(height, J, boundary, &bank->rows, &bank->pad_top);
  sph_morlet_padding(width, J, boundary, &bank->cols, &bank->pad_left);
  int64_t offset = 0;
  for (int res = 0; res < J; res++) {
    bank->level_offset[res] = offset;
    offset += (bank->rows >> res) * (bank->cols >> res);
  }
  bank->level_offset[J] = offset;
  bank->filter_size = offset;
  int nfilters = J * L + 1;
  bank->spectra = sph_alloc_aligned((size_t)(offset * nfilters), sizeof(double), err);
  bank->supports = calloc((size_t)(nfilters * J), sizeof *bank->supports);
  double complex *scratch = sph_alloc_aligned((size_t)(bank->rows * bank->cols),
                                              sizeof(double complex), err);
  if (bank->spectra == NULL || bank->supports == NULL || scratch == NULL) {
    sph_free_aligned(scratch);
    sph_morlet_bank_free(bank);
    sph_error_set(err, SPH_ERR_NOMEM, "Morlet filters for %" PRId64 " x %" PRId64
                  " pixels: out of memory", height, width);
    return NULL;
  }
  const double slant = 4.0 / L;
  const int64_t npix = bank->rows * bank->cols;
  /* One filter per task: a parallel region per filter would cost more than it gains
   * on a busy machine. Each thread has its own buffer for the
   * Gaussian of the zero-mean correction. */
  bool short_of_memory = false;
#pragma omp parallel
  {
    double *gauss = sph_alloc_aligned((size_t)npix, sizeof(double), NULL);
    if (gauss == NULL) {
#pragma omp atomic write
      short_of_memory = true;
    }
#pragma omp for schedule(dynamic)
    for (int f = 0; f < J * L; f++) {
      if (gauss == NULL)
        continue;
      int j = f / L, l = f % L;
      double sigma = 0.8 * ldexp(1.0, j), xi = 0.75 * M_PI / ldexp(1.0, j);
      double theta = sph_morlet_angle(L, l);
      double *psi = bank->spectra + (int64_t)f * offset;
      gabor_spectrum(bank->rows, bank->cols, sigma, theta, xi, slant, psi);
      gabor_spectrum(bank->rows, bank->cols, sigma, theta, 0, slant, gauss);
      /* The spectra at frequency 0 are the sums over the grid: K makes psi's zero. */
      double K = psi[0] / gauss[0];
      for (int64_t i = 0; i < npix; i++)
        psi[i] -= K * gauss[i];
      psi[0] = 0;
      fill_levels(bank, psi);
    }
    sph_free_aligned(gauss);
  }
  if (short_of_memory) {
    sph_free_aligned(scratch);
    sph_morlet_bank_free(bank);
    sph_error_set(err, SPH_ERR_NOMEM, "Morlet filters: out of memory");
    return NULL;
  }
  double *phi = bank->spectra + (int64_t)J * L * offset;
  gabor_spectrum(bank->rows, bank->cols, 0.8 * ldexp(1.0, J - 1), 0, 0, 1, phi);
  fill_levels(bank, phi);
  bool supported = true;
  for (int f = 0; f < nfilters && supported; f++)
    for (int res = 0; res < J && supported; res++)
      supported = find_support(bank->spectra + (int64_t)f * offset + bank->level_offset[res],
                               bank->rows >> res, bank->cols >> res, &bank->supports[f * J + res]);
  if (!supported) {
    sph_free_aligned(scratch);
    sph_morlet_bank_free(bank);
    sph_error_set(err, SPH_ERR_NOMEM, "Morlet filters: out of memory");
    return NULL;
  }

  sph_fftw_planner_lock();
  int n[2] = {(int)bank->rows, (int)bank->cols};
  bank->forward = fftw_plan_dft(2, n, (fftw_complex *)scratch, (fftw_complex *)scratch,
                                FFTW_FORWARD, FFTW_ESTIMATE);
  bank->backward = fftw_plan_dft(2, n, (fftw_complex *)scratch, (fftw_complex *)scratch,
                                 FFTW_BACKWARD, FFTW_ESTIMATE);
  sph_fftw_planner_unlock();
  sph_free_aligned(scratch);
  if (bank->forward == NULL || bank->backward == NULL) {
    sph_morlet_bank_free(bank);
    sph_error_set(err, SPH_ERR_UNSUPPORTED, "Morlet filters: FFTW cannot plan %d x %d", n[0], n[1]);
    return NULL;
  }
  return bank;
}

void sph_morlet_bank_free(SphMorletBank *bank)
{
  if (bank == NULL)
    return;
  sph_fftw_planner_lock();
  if (bank->forward != NULL)
    fftw_destroy_plan(bank->forward);
  if (bank->backward != NULL)
    fftw_destroy_plan(bank->backward);
  sph_fftw_planner_unlock();
  sph_free_aligned(bank->spectra);
  if (bank->supports != NULL) {
    for (int i = 0; i < (bank->J * bank->L + 1) * bank->J; i++) {
      free(bank->supports[i].row_start);
      free(bank->supports[i].spans);
    }
    free(bank->supports);
  }
  free(bank);
}

int sph_morlet_bank_J(const SphMorletBank *bank)
{
  return bank->J;
}

int sph_morlet_bank_L(const SphMorletBank *bank)
{
  return bank->L;
}

SphBoundary sph_morlet_bank_boundary(const SphMorletBank *bank)
{
  return bank->boundary;
}

void sph_morlet_bank_image_size(const SphMorletBank *bank, int64_t *height, int64_t *width)
{
  *height = bank->height;
  *width = bank->width;
}

void sph_morlet_bank_grid(const SphMorletBank *bank, int64_t *rows, int64_t *cols,
                          int64_t *pad_top, int64_t *pad_left)
{
  *rows = bank->rows;
  *cols = bank->cols;
  if (pad_top != NULL)
    *pad_top = bank->pad_top;
  if (pad_left != NULL)
    *pad_left = bank->pad_left;
}

const double *sph_morlet_bank_psi_at(const SphMorletBank *bank, int j, int l, int res)
{
  if (j < 0 || j >= bank->J || l < 0 || l >= bank->L || res < 0 || res >= bank->J)
    return NULL;
  return bank->spectra + (int64_t)(j * bank->L + l) * bank->filter_size + bank->level_offset[res];
}

const double *sph_morlet_bank_phi_at(const SphMorletBank *bank, int res)
{
  if (res < 0 || res >= bank->J)
    return NULL;
  return bank->spectra + (int64_t)bank->J * bank->L * bank->filter_size + bank->level_offset[res];
}

const double *sph_morlet_bank_psi(const SphMorletBank *bank, int j, int l)
{
  return sph_morlet_bank_psi_at(bank, j, l, 0);
}

const double *sph_morlet_bank_phi(const SphMorletBank *bank)
{
  return sph_morlet_bank_phi_at(bank, 0);
}

void sph_morlet_pad(const SphMorletBank *bank, const double *image, double complex *padded)
{
  int64_t *column = malloc((size_t)bank->cols * sizeof *column);
  for (int64_t c = 0; column != NULL && c < bank->cols; c++)
    column[c] = sph_morlet_source_index(c, bank->pad_left, bank->width);
  for (int64_t r = 0; r < bank->rows; r++) {
    const double *src = image + sph_morlet_source_index(r, bank->pad_top, bank->height) * bank->width;
    double complex *dst = padded + r * bank->cols;
    for (int64_t c = 0; c < bank->cols; c++)
      dst[c] = src[column != NULL ? column[c] : sph_morlet_source_index(c, bank->pad_left, bank->width)];
  }
  free(column);
}

void sph_morlet_pad_adjoint(const SphMorletBank *bank, const double *padded, double *image)
{
  memset(image, 0, (size_t)(bank->height * bank->width) * sizeof(double));
  for (int64_t r = 0; r < bank->rows; r++) {
    double *dst = image + sph_morlet_source_index(r, bank->pad_top, bank->height) * bank->width;
    for (int64_t c = 0; c < bank->cols; c++)
      dst[sph_morlet_source_index(c, bank->pad_left, bank->width)] += padded[r * bank->cols + c];
  }
}

SphStatus sph_morlet_bank_filter(const SphMorletBank *bank, const double *image, int j, int l,
                                 double complex *out, SphError *err)
{
  const double *spectrum = l == -1 ? sph_morlet_bank_phi(bank) : sph_morlet_bank_psi(bank, j, l);
  if (spectrum == NULL)
    return sph_error_set(err, SPH_ERR_INVALID,
                         "Morlet filtering: no wavelet (j = %d, l = %d) in a bank of J = %d, L = %d",
                         j, l, bank->J, bank->L);
  int64_t npix = bank->rows * bank->cols;
  double complex *work = sph_alloc_aligned((size_t)npix, sizeof(double complex), err);
  if (work == NULL)
    return sph_error_prefix(err, "Morlet filtering");
  sph_morlet_pad(bank, image, work);
  fftw_execute_dft(bank->forward, (fftw_complex *)work, (fftw_complex *)work);
  double scale = 1.0 / (double)npix;
  for (int64_t i = 0; i < npix; i++)
    work[i] *= spectrum[i] * scale;
  fftw_execute_dft(bank->backward, (fftw_complex *)work, (fftw_complex *)work);
  for (int64_t r = 0; r < bank->height; r++)
    memcpy(out + r * bank->width, work + (r + bank->pad_top) * bank->cols + bank->pad_left,
           (size_t)bank->width * sizeof(double complex));
  sph_free_aligned(work);
  return SPH_OK;
}
