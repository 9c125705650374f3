/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "sphaera/error.h"
#include "sphaera/image.h"
#include "sphaera/job.h"
#include "sphaera/map.h"
#include "sphaera/scattering.h"
#include "sphaera/wavelet_kernels.h"

/* The Wavelets page's worker: everything it shows, computed on a worker thread by the
 * core transforms (no GTK here), with progress and cancellation through the SphJob.
 *
 * Sphere: the map is degraded to NSIDE <= 128 and band-limited to L <= 2 NSIDE (and
 * <= 256), so a run takes seconds; its axisymmetric (N = 1) or directional (N >= 2,
 * 2N - 1 maps per scale) wavelet coefficients (full resolution: every map a HEALPix map
 * of the working NSIDE) and its (axisymmetric) spherical
 * scattering coefficients up to order 2.
 * Plane: the image's Morlet-filtered moduli |x * psi_{j,l}| per scale and orientation
 * and its planar scattering coefficients (kymatio's, reflecting boundaries). */

#define SPH_WAVELET_WORK_MAX_NSIDE 128
#define SPH_WAVELET_WORK_MAX_L 256
#define SPH_WAVELET_THUMB_WIDTH 200
/* Second-order spherical scattering has n (n - 1) / 2 paths for n scales and cannot be
 * cancelled midway: beyond this many scales (B close to 1) only the first order runs. */
#define SPH_WAVELET_WORK_MAX_SECOND_ORDER_SCALES 12

typedef enum { SPH_WAVELET_WORK_SPHERE, SPH_WAVELET_WORK_PLANE } SphWaveletWorkKind;

/* One picture of the grid: RGBA rows of width * 4 bytes. */
typedef struct {
  int width, height;
  uint8_t *rgba;
  char caption[48];
  char tooltip[256];
} SphWaveletThumb;

typedef struct {
  SphWaveletWorkKind kind;
  /* inputs: sphere */
  SphMap *map; /* one field (owned); any ordering */
  double B;
  int j_min, L, oversample;
  int N; /* directions: 1 (default) axisymmetric, >= 2 directional (wavelet_sphere_dir.h) */
  /* inputs: plane */
  SphImage *image; /* owned */
  int J, orientations;

  /* outputs */
  int L_used;         /* sphere: the band limit used */
  int64_t nside_used; /* sphere: the working NSIDE */
  int nbands;         /* sphere: scaling + wavelet bands (scales) */
  int ndirections;    /* sphere: maps per wavelet scale, 2N - 1 (1 when N = 1) */
  int nmaps;          /* sphere: 1 + (nbands - 1) ndirections */
  SphMap **bands;     /* sphere: nmaps one-field maps, RING: the scaling map, then per
                       * scale its ndirections maps (gamma_k = 2 pi k / (2N - 1)); the
                       * sphere thumbnails follow the same order */
  int nthumbs;
  SphWaveletThumb *thumbs;
  /* Scattering: S0; S1 per scale (planar: averaged over orientations); S2 per (j1, j2),
   * NAN where no path (planar: averaged over both orientations). */
  int64_t ncoeffs;
  int max_order; /* the scattering's highest order, 1 or 2 */
  double s0;
  int j_lo, nj;
  double *first;  /* nj */
  double *second; /* nj * nj, [(j1 - j_lo) nj + (j2 - j_lo)] */
} SphWaveletWork;

/* Takes ownership of map (sphere) or image (plane). */
SphWaveletWork *sph_wavelet_work_new_sphere(SphMap *map, double B, int j_min, int L,
                                            int oversample);
/* Directions N (1..8) of the sphere wavelets; 1 unless set. N >= 2 computes the
 * directional coefficients (s2let's normalisation); the scattering stays axisymmetric. */
void sph_wavelet_work_set_directions(SphWaveletWork *work, int N);
SphWaveletWork *sph_wavelet_work_new_plane(SphImage *image, int J, int orientations);
void sph_wavelet_work_free(SphWaveletWork *work);

/* Fills the outputs; SPH_ERR_CANCELLED when the job is cancelled on the way. */
SphStatus sph_wavelet_work_run(SphWaveletWork *work, SphJob *job, SphError *err);

/* The band limit the sphere run uses for a map of this NSIDE when L is asked:
 * min(L, 2 min(NSIDE, 128), 256). */
int sph_wavelet_work_band_limit(int64_t nside, int L);
