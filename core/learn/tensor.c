/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tensor storage and the BLAS matrix product. */
#include "sphaera/tensor.h"

#include <cblas.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sphaera/mem.h"

/* Which thread count a product runs with; see choose_threads(). */
typedef struct {
  int slot;    /* the product's measurement slot, or -1 */
  int threads; /* the count chosen */
  bool timed;  /* whether this call is one of the slot's measurements */
} ThreadChoice;

static ThreadChoice choose_threads(size_t m, size_t n, size_t k, bool trans_a, bool trans_b);
static void record_product_time(ThreadChoice choice, double seconds);
static double monotonic_seconds(void);

static size_t dtype_size(SphDType dtype)
{
  return dtype == SPH_F32 ? sizeof(float) : sizeof(double);
}

static SphTensor *tensor_new(SphDType dtype, int ndim, const size_t *shape, bool zero,
                             SphError *err)
{
  if (ndim < 1 || ndim > SPH_TENSOR_MAX_DIM) {
    sph_error_set(err, SPH_ERR_INVALID, "tensor: %d dimensions (1 to %d supported)", ndim,
                  SPH_TENSOR_MAX_DIM);
    return NULL;
  }
  if (dtype != SPH_F32 && dtype != SPH_F64) {
    sph_error_set(err, SPH_ERR_INVALID, "tensor: unknown dtype %d", (int)dtype);
    return NULL;
  }
  size_t size = 1;
  for (int d = 0; d < ndim; d++) {
    if (shape[d] == 0 || size > SIZE_MAX / shape[d]) {
      sph_error_set(err, SPH_ERR_INVALID, "tensor: dimension %d of size %zu is not allowed", d,
                    shape[d]);
      return NULL;
    }
    size *= shape[d];
  }
  SphTensor *t = calloc(1, sizeof *t);
  if (t == NULL) {
    sph_error_set(err, SPH_ERR_NOMEM, "tensor: out of memory");
    return NULL;
  }
  t->data = zero ? sph_calloc_aligned(size, dtype_size(dtype), err)
               : sph_alloc_aligned(size, dtype_size(dtype), err);
  if (t->data == NULL) {
    free(t);
    return NULL;
  }
  t->dtype = dtype;
  t->ndim = ndim;
  t->size = size;
  size_t stride = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    t->shape[d] = shape[d];
    t->strides[d] = stride;
    stride *= shape[d];
  }
  return t;
}

SphTensor *sph_tensor_new(SphDType dtype, int ndim, const size_t *shape, SphError *err)
{
  return tensor_new(dtype, ndim, shape, true, err);
}

SphTensor *sph_tensor_new_uninit(SphDType dtype, int ndim, const size_t *shape, SphError *err)
{
  return tensor_new(dtype, ndim, shape, false, err);
}

SphTensor *sph_tensor_new2(SphDType dtype, size_t rows, size_t cols, SphError *err)
{
  size_t shape[2] = {rows, cols};
  return sph_tensor_new(dtype, 2, shape, err);
}

SphTensor *sph_tensor_zeros_like(const SphTensor *t, SphError *err)
{
  return sph_tensor_new(t->dtype, t->ndim, t->shape, err);
}

SphTensor *sph_tensor_clone(const SphTensor *t, SphError *err)
{
  SphTensor *c = sph_tensor_zeros_like(t, err);
  if (c != NULL)
    memcpy(c->data, t->data, t->size * dtype_size(t->dtype));
  return c;
}

void sph_tensor_free(SphTensor *t)
{
  if (t == NULL)
    return;
  sph_free_aligned(t->data);
  free(t);
}

bool sph_tensor_same_shape(const SphTensor *a, const SphTensor *b)
{
  if (a->ndim != b->ndim)
    return false;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != b->shape[d])
      return false;
  return true;
}

const char *sph_tensor_shape_str(const SphTensor *t, char *buf, size_t size)
{
  size_t used = 0;
  if (size == 0)
    return buf;
  buf[0] = '\0';
  for (int d = 0; d < t->ndim && used < size; d++) {
    int n = snprintf(buf + used, size - used, "%s%zu", d == 0 ? "[" : ", ", t->shape[d]);
    if (n < 0)
      break;
    used += (size_t)n;
  }
  if (used < size)
    snprintf(buf + used, size - used, "]");
  return buf;
}

void sph_tensor_fill(SphTensor *t, double v)
{
  for (size_t i = 0; i < t->size; i++)
    sph_tensor_set(t, i, v);
}

void sph_tensor_copy(SphTensor *dst, const SphTensor *src)
{
  if (dst->dtype == src->dtype) {
    memcpy(dst->data, src->data, src->size * dtype_size(src->dtype));
    return;
  }
  for (size_t i = 0; i < src->size; i++)
    sph_tensor_set(dst, i, sph_tensor_get(src, i));
}

void sph_tensor_axpy(SphTensor *y, double alpha, const SphTensor *x)
{
  if (y->dtype == SPH_F32 && x->dtype == SPH_F32) {
    cblas_saxpy((int)y->size, (float)alpha, x->data, 1, y->data, 1);
    return;
  }
  if (y->dtype == SPH_F64 && x->dtype == SPH_F64) {
    cblas_daxpy((int)y->size, alpha, x->data, 1, y->data, 1);
    return;
  }
  for (size_t i = 0; i < y->size; i++)
    sph_tensor_set(y, i, sph_tensor_get(y, i) + alpha * sph_tensor_get(x, i));
}

SphStatus sph_tensor_gemm(bool trans_a, bool trans_b, double alpha, const SphTensor *a,
                          const SphTensor *b, double beta, SphTensor *c, SphError *err)
{
  if (a->ndim != 2 || b->ndim != 2 || c->ndim != 2)
    return sph_error_set(err, SPH_ERR_INVALID, "matmul: operands must be 2-D");
  if (a->dtype != b->dtype || a->dtype != c->dtype)
    return sph_error_set(err, SPH_ERR_INVALID, "matmul: operands differ in dtype");
  size_t m = trans_a ? a->shape[1] : a->shape[0];
  size_t k = trans_a ? a->shape[0] : a->shape[1];
  size_t kb = trans_b ? b->shape[1] : b->shape[0];
  size_t n = trans_b ? b->shape[0] : b->shape[1];
  if (k != kb || c->shape[0] != m || c->shape[1] != n) {
    char sa[64], sb[64], sc[64];
    return sph_error_set(err, SPH_ERR_INVALID,
                         "matmul: shapes %s%s x %s%s -> %s do not match",
                         sph_tensor_shape_str(a, sa, sizeof sa), trans_a ? "^T" : "",
                         sph_tensor_shape_str(b, sb, sizeof sb), trans_b ? "^T" : "",
                         sph_tensor_shape_str(c, sc, sizeof sc));
  }
  if (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX)
    return sph_error_set(err, SPH_ERR_UNSUPPORTED, "matmul: dimension beyond BLAS's int");
  ThreadChoice choice = choose_threads(m, n, k, trans_a, trans_b);
  double t0 = choice.timed ? monotonic_seconds() : 0.0;
  enum CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
  enum CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
  int lda = (int)a->shape[1], ldb = (int)b->shape[1], ldc = (int)c->shape[1];
  if (a->dtype == SPH_F32)
    cblas_sgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, (float)alpha, a->data, lda,
                b->data, ldb, (float)beta, c->data, ldc);
  else
    cblas_dgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, alpha, a->data, lda, b->data,
                ldb, beta, c->data, ldc);
  if (choice.timed)
    record_product_time(choice, monotonic_seconds() - t0);
  return SPH_OK;
}

/* The thread budget of sph_learn_set_threads(); 0 until it is called, and then the
 * products leave OpenBLAS's setting alone. Process-wide because OpenBLAS's is. */
static _Atomic int learn_threads;

void sph_learn_blas_single_thread(void)
{
  learn_threads = 0;
  openblas_set_num_threads(1);
}

void sph_learn_set_threads(int n)
{
  if (n <= 1) {
    sph_learn_blas_single_thread();
    return;
  }
  /* OpenBLAS's count is raised only by the first product large enough: raising it wakes
   * the workers, which then spin for a while and slow a network of small products. */
  learn_threads = n;
}

/* Before a product of m x k by k x n: one thread for a small one; for a large one, the
 * faster of one thread and the budget, measured on this machine as it runs. A product
 * big enough to gain from two threads in principle often does not in practice: on
 * loaded cores a worker that is not scheduled stalls the product at its barrier, and
 * woken workers spin and take cycles from the single-threaded work between products.
 * So each large product shape (up to PRODUCT_SLOTS of them) is timed over its first
 * calls, alternately with the budget and with one thread, keeps the budget only when
 * its fastest call beat one thread's fastest by PARALLEL_MARGIN, and is measured
 * again after PRODUCT_REMEASURE calls, since the load changes. */
#define PRODUCT_SLOTS 32
#define PRODUCT_TRIALS 4 /* timed calls per thread count */
#define PRODUCT_REMEASURE 2000
#define PARALLEL_MARGIN 0.9

typedef struct {
  size_t m, n, k;
  bool trans_a, trans_b;
  int budget;
  unsigned calls;
  double fastest_single, fastest_parallel;
  int threads; /* the choice once measured */
} ProductSlot;

static ProductSlot product_slots[PRODUCT_SLOTS];
static int product_slot_count;
static pthread_mutex_t product_lock = PTHREAD_MUTEX_INITIALIZER;

static double monotonic_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int find_slot(size_t m, size_t n, size_t k, bool trans_a, bool trans_b, int budget)
{
  for (int i = 0; i < product_slot_count; i++) {
    const ProductSlot *p = &product_slots[i];
    if (p->m == m && p->n == n && p->k == k && p->trans_a == trans_a && p->trans_b == trans_b)
      return i;
  }
  if (product_slot_count == PRODUCT_SLOTS)
    return -1;
  product_slots[product_slot_count] =
      (ProductSlot){.m = m, .n = n, .k = k, .trans_a = trans_a, .trans_b = trans_b,
                    .budget = budget, .threads = budget};
  return product_slot_count++;
}

static ThreadChoice choose_threads(size_t m, size_t n, size_t k, bool trans_a, bool trans_b)
{
  ThreadChoice choice = {.slot = -1, .threads = 1, .timed = false};
  int budget = learn_threads;
  if (budget <= 1)
    return choice;
  if ((double)m * (double)n * (double)k < (double)SPH_LEARN_PARALLEL_MACS) {
    choice.threads = 1;
  } else {
    pthread_mutex_lock(&product_lock);
    int i = find_slot(m, n, k, trans_a, trans_b, budget);
    if (i < 0) {
      choice.threads = budget; /* more shapes than slots: the size rule alone */
    } else {
      ProductSlot *p = &product_slots[i];
      if (p->budget != budget || p->calls >= PRODUCT_REMEASURE)
        *p = (ProductSlot){.m = m, .n = n, .k = k, .trans_a = trans_a, .trans_b = trans_b,
                           .budget = budget, .threads = budget};
      if (p->calls < 2 * PRODUCT_TRIALS) {
        choice.timed = true;
        choice.threads = p->calls % 2 == 0 ? budget : 1;
      } else {
        choice.threads = p->threads;
      }
      p->calls++;
      choice.slot = i;
    }
    pthread_mutex_unlock(&product_lock);
  }
  if (openblas_get_num_threads() != choice.threads)
    openblas_set_num_threads(choice.threads);
  return choice;
}

static void record_product_time(ThreadChoice choice, double seconds)
{
  pthread_mutex_lock(&product_lock);
  ProductSlot *p = &product_slots[choice.slot];
  double *fastest = choice.threads == 1 ? &p->fastest_single : &p->fastest_parallel;
  if (*fastest == 0.0 || seconds < *fastest)
    *fastest = seconds;
  if (p->calls >= 2 * PRODUCT_TRIALS && p->fastest_single > 0.0 && p->fastest_parallel > 0.0)
    p->threads = p->fastest_parallel < PARALLEL_MARGIN * p->fastest_single ? p->budget : 1;
  pthread_mutex_unlock(&product_lock);
}
