/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "sphaera/error.h"

/* Dense row-major tensors of up to four dimensions, in float32 (training) or float64
 * (the finite-difference gradient checker, whose central differences need the extra
 * digits). The dtype is a run-time field: every operation requires its operands to
 * share it, element loops read and write through sph_tensor_get/set (the branch on the
 * dtype is loop-invariant), and matrix products go to cblas_sgemm or cblas_dgemm.
 *
 * Threads: OpenBLAS spawns its own threads per call; inside worker threads that
 * oversubscribes the cores. Call sph_learn_blas_single_thread() once before training
 * on worker threads (the CLI does, and the tests run with OPENBLAS_NUM_THREADS=1). */

#define SPH_TENSOR_MAX_DIM 4

typedef enum { SPH_F32 = 0, SPH_F64 = 1 } SphDType;

typedef struct {
  SphDType dtype;
  int ndim;
  size_t shape[SPH_TENSOR_MAX_DIM];
  size_t strides[SPH_TENSOR_MAX_DIM]; /* in elements; row-major contiguous */
  size_t size;                        /* product of the shape */
  void *data;                         /* 64-byte aligned, owned */
} SphTensor;

/* A zero-filled tensor; NULL with err filled for ndim outside 1..4 or no memory. */
SphTensor *sph_tensor_new(SphDType dtype, int ndim, const size_t *shape, SphError *err);
/* As sph_tensor_new() with undefined contents, for outputs every element of which is
 * about to be written (zeroing them costs as much as a small operation). */
SphTensor *sph_tensor_new_uninit(SphDType dtype, int ndim, const size_t *shape, SphError *err);
SphTensor *sph_tensor_new2(SphDType dtype, size_t rows, size_t cols, SphError *err);
/* A new tensor with the same dtype and shape, zero-filled. */
SphTensor *sph_tensor_zeros_like(const SphTensor *t, SphError *err);
SphTensor *sph_tensor_clone(const SphTensor *t, SphError *err);
void sph_tensor_free(SphTensor *t);
bool sph_tensor_same_shape(const SphTensor *a, const SphTensor *b);
/* Writes "[2, 3]" into buf, for error messages. */
const char *sph_tensor_shape_str(const SphTensor *t, char *buf, size_t size);

static inline double sph_tensor_get(const SphTensor *t, size_t i)
{
  return t->dtype == SPH_F32 ? (double)((const float *)t->data)[i] : ((const double *)t->data)[i];
}
static inline void sph_tensor_set(SphTensor *t, size_t i, double v)
{
  if (t->dtype == SPH_F32)
    ((float *)t->data)[i] = (float)v;
  else
    ((double *)t->data)[i] = v;
}
void sph_tensor_fill(SphTensor *t, double v);
/* dst = src (same shape and size; dtypes may differ). */
void sph_tensor_copy(SphTensor *dst, const SphTensor *src);
/* y += alpha x elementwise (same size). */
void sph_tensor_axpy(SphTensor *y, double alpha, const SphTensor *x);

/* C = alpha op(A) op(B) + beta C for 2-D tensors of one dtype, op = transpose when the
 * flag is set. Shapes are checked. */
SphStatus sph_tensor_gemm(bool trans_a, bool trans_b, double alpha, const SphTensor *a,
                          const SphTensor *b, double beta, SphTensor *c, SphError *err);

/* Sets OpenBLAS to one thread for the whole process (see above). */
void sph_learn_blas_single_thread(void);
/* Lets matrix products use up to n OpenBLAS threads, each product choosing one thread
 * when it is too small to gain from more (below SPH_LEARN_PARALLEL_MACS multiply-adds:
 * there, waking a second thread costs more than it saves, and two threads would run
 * slower than one). A larger product keeps n threads only where its first calls,
 * timed with n threads and with one in turn, ran faster with n (re-timed every few
 * thousand calls, as the machine's load changes), so that n threads are never
 * measurably slower than one. OpenBLAS's thread count is process-wide, so this is too;
 * n <= 1 is sph_learn_blas_single_thread(). */
#define SPH_LEARN_PARALLEL_MACS ((size_t)1 << 22)
void sph_learn_set_threads(int n);
