/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Convolution, pooling, reshaping, the elementwise product and the activation
 * derivatives: forward values against direct loops and finite differences, gradients
 * against the float64 gradient checker (relative error below 1e-6), and the errors; the
 * CNN: training on a task it must solve, its job, save and load, and bad input. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sphaera/autodiff.h"
#include "sphaera/cnn.h"
#include "sphaera/layers.h"
#include "sphaera/model_io.h"
#include "sphaera/rng.h"
#include "sph-test-files.h"
#include "sph-test-python.h"

static SphTensor *randn4(size_t a, size_t b, size_t c, size_t d, SphRng *rng)
{
  size_t shape[4] = {a, b, c, d};
  SphTensor *t = sph_tensor_new(SPH_F64, 4, shape, NULL);
  for (size_t i = 0; i < t->size; i++)
    sph_tensor_set(t, i, sph_rng_normal(rng));
  return t;
}

/* out[n, o, y, x] = b[o] + sum_{c, i, j} in[n, c, y s + i - p, x s + j - p] w[o, c, i, j] */
static double direct_conv(const SphTensor *in, const SphTensor *w, const SphTensor *b, size_t s,
                          size_t p, size_t n, size_t o, size_t y, size_t x)
{
  double acc = b ? sph_tensor_get(b, o) : 0.0;
  for (size_t c = 0; c < in->shape[1]; c++)
    for (size_t i = 0; i < w->shape[2]; i++)
      for (size_t j = 0; j < w->shape[3]; j++) {
        long yy = (long)(y * s + i) - (long)p, xx = (long)(x * s + j) - (long)p;
        if (yy < 0 || xx < 0 || yy >= (long)in->shape[2] || xx >= (long)in->shape[3])
          continue;
        acc += sph_tensor_get(in, ((n * in->shape[1] + c) * in->shape[2] + (size_t)yy) *
                                      in->shape[3] + (size_t)xx) *
               sph_tensor_get(w, ((o * w->shape[1] + c) * w->shape[2] + i) * w->shape[3] + j);
      }
  return acc;
}

typedef struct {
  size_t n, c, h, w, cout, kh, kw, stride, pad;
} ConvCase;

static const ConvCase conv_cases[] = {
    {2, 3, 6, 5, 4, 3, 3, 1, 1}, /* "same" padding */
    {3, 2, 7, 7, 3, 3, 2, 2, 0}, /* stride 2, a rectangular kernel */
    {1, 1, 4, 4, 2, 1, 1, 1, 0}, /* a 1 x 1 kernel: a per-pixel matrix product */
    {2, 2, 5, 6, 2, 5, 5, 1, 2}, /* a kernel as large as the input */
};

static void test_conv_forward(void)
{
  SphRng rng;
  sph_rng_init(&rng, 7, 0);
  for (size_t k = 0; k < G_N_ELEMENTS(conv_cases); k++) {
    const ConvCase *cc = &conv_cases[k];
    SphTensor *x = randn4(cc->n, cc->c, cc->h, cc->w, &rng);
    SphTensor *w = randn4(cc->cout, cc->c, cc->kh, cc->kw, &rng);
    size_t nb = cc->cout;
    SphTensor *b = sph_tensor_new(SPH_F64, 1, &nb, NULL);
    for (size_t i = 0; i < nb; i++)
      sph_tensor_set(b, i, sph_rng_normal(&rng));
    SphTape *tape = sph_tape_new();
    SphVar *y = sph_conv2d(tape, sph_tape_input(tape, x, false), sph_tape_input(tape, w, false),
                           sph_tape_input(tape, b, false), cc->stride, cc->pad);
    g_assert_cmpint(sph_tape_status(tape, NULL), ==, SPH_OK);
    const SphTensor *yv = sph_var_value(y);
    size_t oh = (cc->h + 2 * cc->pad - cc->kh) / cc->stride + 1;
    size_t ow = (cc->w + 2 * cc->pad - cc->kw) / cc->stride + 1;
    g_assert_cmpuint(yv->shape[0], ==, cc->n);
    g_assert_cmpuint(yv->shape[1], ==, cc->cout);
    g_assert_cmpuint(yv->shape[2], ==, oh);
    g_assert_cmpuint(yv->shape[3], ==, ow);
    double worst = 0.0;
    for (size_t n = 0; n < cc->n; n++)
      for (size_t o = 0; o < cc->cout; o++)
        for (size_t r = 0; r < oh; r++)
          for (size_t q = 0; q < ow; q++) {
            double want = direct_conv(x, w, b, cc->stride, cc->pad, n, o, r, q);
            double got = sph_tensor_get(yv, ((n * cc->cout + o) * oh + r) * ow + q);
            worst = fmax(worst, fabs(got - want));
          }
    g_test_message("conv case %zu: max |im2col - direct| = %.2e", k, worst);
    g_assert_cmpfloat(worst, <, 1e-12);
    sph_tape_free(tape);
    sph_tensor_free(x);
    sph_tensor_free(w);
    sph_tensor_free(b);
  }
}

enum { G_CONV, G_CONV_NOBIAS, G_MAXPOOL, G_AVGPOOL, G_FLATTEN, G_MUL, G_ACT_D1, G_ACT_D2, G_COUNT };

typedef struct {
  int what;
  const ConvCase *cc;
  SphActivation act;
  SphVar *x, *w, *b;
  SphTensor *target;
} GradCase;

static SphVar *grad_loss(SphTape *tape, void *ctx)
{
  GradCase *g = ctx;
  SphVar *y = NULL;
  switch (g->what) {
  case G_CONV: y = sph_conv2d(tape, g->x, g->w, g->b, g->cc->stride, g->cc->pad); break;
  case G_CONV_NOBIAS: y = sph_conv2d(tape, g->x, g->w, NULL, g->cc->stride, g->cc->pad); break;
  case G_MAXPOOL: y = sph_max_pool2d(tape, sph_tanh(tape, g->x), 2); break;
  case G_AVGPOOL: y = sph_avg_pool2d(tape, g->x, 2); break;
  case G_FLATTEN: y = sph_flatten(tape, sph_tanh(tape, g->x)); break;
  case G_MUL: y = sph_mul(tape, g->x, g->w); break;
  case G_ACT_D1: y = sph_activation_derivative(tape, g->act, g->x, 1); break;
  case G_ACT_D2: y = sph_activation_derivative(tape, g->act, g->x, 2); break;
  default: break;
  }
  SphTensor *t = g->target;
  if (y != NULL && t == NULL) {
    /* a fixed random target of the output's shape, made on the first evaluation */
    SphRng rng;
    sph_rng_init(&rng, 11, (uint64_t)g->what);
    const SphTensor *yv = sph_var_value(y);
    g->target = t = sph_tensor_new(SPH_F64, yv->ndim, yv->shape, NULL);
    for (size_t i = 0; i < t->size; i++)
      sph_tensor_set(t, i, sph_rng_normal(&rng));
  }
  return sph_mse_loss(tape, y, t ? sph_tape_input(tape, t, false) : NULL);
}

static double run_gradcheck(GradCase *g)
{
  SphVar *wrt[3];
  size_t n = 0;
  wrt[n++] = g->x;
  if (g->w)
    wrt[n++] = g->w;
  if (g->b)
    wrt[n++] = g->b;
  double rel = 1.0;
  SphError err = SPH_ERROR_INIT;
  g_assert_cmpint(sph_gradcheck(grad_loss, g, wrt, n, 1e-5, &rel, &err), ==, SPH_OK);
  return rel;
}

static void grad_case_clear(GradCase *g)
{
  sph_var_free(g->x);
  sph_var_free(g->w);
  sph_var_free(g->b);
  sph_tensor_free(g->target);
}

static void test_gradcheck_conv(void)
{
  SphRng rng;
  sph_rng_init(&rng, 8, 0);
  for (size_t k = 0; k < G_N_ELEMENTS(conv_cases); k++) {
    for (int what = G_CONV; what <= G_CONV_NOBIAS; what++) {
      const ConvCase *cc = &conv_cases[k];
      GradCase g = {.what = what, .cc = cc};
      g.x = sph_var_new_param(randn4(cc->n, cc->c, cc->h, cc->w, &rng), NULL);
      g.w = sph_var_new_param(randn4(cc->cout, cc->c, cc->kh, cc->kw, &rng), NULL);
      if (what == G_CONV) {
        size_t nb = cc->cout;
        SphTensor *b = sph_tensor_new(SPH_F64, 1, &nb, NULL);
        for (size_t i = 0; i < nb; i++)
          sph_tensor_set(b, i, sph_rng_normal(&rng));
        g.b = sph_var_new_param(b, NULL);
      }
      double rel = run_gradcheck(&g);
      g_test_message("conv case %zu%s: gradient relative error %.2e", k,
                     what == G_CONV ? "" : " (no bias)", rel);
      g_assert_cmpfloat(rel, <, 1e-6);
      grad_case_clear(&g);
    }
  }
}

static void test_gradcheck_pool_reshape(void)
{
  static const char *const names[] = {[G_MAXPOOL] = "max_pool2d", [G_AVGPOOL] = "avg_pool2d",
                                      [G_FLATTEN] = "flatten", [G_MUL] = "mul"};
  SphRng rng;
  sph_rng_init(&rng, 9, 0);
  for (int what = G_MAXPOOL; what <= G_MUL; what++) {
    GradCase g = {.what = what};
    /* 5 x 7: the last row and column fall outside every window and get no gradient */
    g.x = sph_var_new_param(randn4(2, 3, 5, 7, &rng), NULL);
    if (what == G_MUL)
      g.w = sph_var_new_param(randn4(2, 3, 5, 7, &rng), NULL);
    double rel = run_gradcheck(&g);
    g_test_message("%s: gradient relative error %.2e", names[what], rel);
    g_assert_cmpfloat(rel, <, 1e-6);
    grad_case_clear(&g);
  }
}

/* Each activation derivative against central differences of the order below it, and
 * its gradient (the next order) against the checker. */
static void test_activation_derivatives(void)
{
  SphRng rng;
  sph_rng_init(&rng, 10, 0);
  for (int a = 0; a < SPH_ACT_COUNT; a++) {
    SphActivation act = (SphActivation)a;
    SphTensor *x = randn4(1, 1, 4, 6, &rng);
    if (act == SPH_ACT_RELU) /* keep away from the kink, where differences straddle it */
      for (size_t i = 0; i < x->size; i++)
        sph_tensor_set(x, i, sph_tensor_get(x, i) + copysign(0.1, sph_tensor_get(x, i)));
    const double h = 1e-5;
    double worst = 0.0;
    for (int order = 1; order <= 2; order++) {
      SphTape *tape = sph_tape_new();
      SphTensor *xp = sph_tensor_clone(x, NULL), *xm = sph_tensor_clone(x, NULL);
      for (size_t i = 0; i < x->size; i++) {
        sph_tensor_set(xp, i, sph_tensor_get(x, i) + h);
        sph_tensor_set(xm, i, sph_tensor_get(x, i) - h);
      }
      SphVar *d = sph_activation_derivative(tape, act, sph_tape_input(tape, x, false), order);
      SphVar *lp = sph_tape_input(tape, xp, false), *lm = sph_tape_input(tape, xm, false);
      SphVar *fp = order == 1 ? sph_activate(tape, act, lp) : sph_activation_derivative(tape, act, lp, 1);
      SphVar *fm = order == 1 ? sph_activate(tape, act, lm) : sph_activation_derivative(tape, act, lm, 1);
      g_assert_cmpint(sph_tape_status(tape, NULL), ==, SPH_OK);
      for (size_t i = 0; i < x->size; i++) {
        double fd = (sph_tensor_get(sph_var_value(fp), i) - sph_tensor_get(sph_var_value(fm), i)) / (2 * h);
        worst = fmax(worst, fabs(fd - sph_tensor_get(sph_var_value(d), i)));
      }
      sph_tape_free(tape);
      sph_tensor_free(xp);
      sph_tensor_free(xm);
    }
    g_test_message("%s: derivatives 1 and 2 vs differences: max error %.2e",
                   sph_activation_name(act), worst);
    g_assert_cmpfloat(worst, <, 1e-8);
    for (int what = G_ACT_D1; what <= G_ACT_D2; what++) {
      GradCase g = {.what = what, .act = act, .x = sph_var_new_param(sph_tensor_clone(x, NULL), NULL)};
      double rel = run_gradcheck(&g);
      g_test_message("%s derivative %d: gradient relative error %.2e", sph_activation_name(act),
                     what - G_ACT_D1 + 1, rel);
      g_assert_cmpfloat(rel, <, 1e-6);
      grad_case_clear(&g);
    }
    sph_tensor_free(x);
  }
}

/* The float32 path gives the float64 answer to float32 rounding. */
static void test_conv_float32(void)
{
  SphRng rng;
  sph_rng_init(&rng, 12, 0);
  SphTensor *x = randn4(4, 3, 8, 8, &rng), *w = randn4(5, 3, 3, 3, &rng);
  size_t sx[4] = {4, 3, 8, 8}, sw[4] = {5, 3, 3, 3};
  SphTensor *x32 = sph_tensor_new(SPH_F32, 4, sx, NULL), *w32 = sph_tensor_new(SPH_F32, 4, sw, NULL);
  sph_tensor_copy(x32, x);
  sph_tensor_copy(w32, w);
  SphTape *tape = sph_tape_new();
  SphVar *y64 = sph_max_pool2d(tape, sph_conv2d(tape, sph_tape_input(tape, x, false),
                                                sph_tape_input(tape, w, false), NULL, 1, 1), 2);
  SphVar *y32 = sph_max_pool2d(tape, sph_conv2d(tape, sph_tape_input(tape, x32, false),
                                                sph_tape_input(tape, w32, false), NULL, 1, 1), 2);
  g_assert_cmpint(sph_tape_status(tape, NULL), ==, SPH_OK);
  double worst = 0.0;
  for (size_t i = 0; i < sph_var_value(y64)->size; i++)
    worst = fmax(worst, fabs(sph_tensor_get(sph_var_value(y64), i) -
                             sph_tensor_get(sph_var_value(y32), i)));
  g_assert_cmpfloat(worst, <, 1e-4);
  sph_tape_free(tape);
  sph_tensor_free(x);
  sph_tensor_free(w);
  sph_tensor_free(x32);
  sph_tensor_free(w32);
}

static void test_errors(void)
{
  SphRng rng;
  sph_rng_init(&rng, 13, 0);
  SphTensor *x = randn4(2, 3, 8, 8, &rng), *w = randn4(4, 2, 3, 3, &rng);
  SphTape *tape = sph_tape_new();
  SphError err = SPH_ERROR_INIT;
  SphVar *y = sph_conv2d(tape, sph_tape_input(tape, x, false), sph_tape_input(tape, w, false),
                         NULL, 1, 0);
  g_assert_null(y);
  g_assert_cmpint(sph_tape_status(tape, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "[2, 3, 8, 8]"));
  g_assert_nonnull(strstr(err.message, "[4, 2, 3, 3]"));
  /* every later operation passes the failure on */
  g_assert_null(sph_max_pool2d(tape, sph_relu(tape, y), 2));
  sph_tape_reset(tape);
  g_assert_null(sph_max_pool2d(tape, sph_tape_input(tape, x, false), 9));
  g_assert_cmpint(sph_tape_status(tape, &err), ==, SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "9 x 9"));
  sph_tape_reset(tape);
  size_t bad[2] = {5, 7};
  g_assert_null(sph_reshape(tape, sph_tape_input(tape, x, false), 2, bad));
  g_assert_cmpint(sph_tape_status(tape, &err), ==, SPH_ERR_INVALID);
  sph_tape_free(tape);
  sph_tensor_free(x);
  sph_tensor_free(w);
}

/* 6 x 6 images of a bright horizontal or vertical bar at a random place plus noise:
 * class 0 horizontal, 1 vertical. A dense layer on raw pixels cannot tell them apart
 * position by position; convolution and pooling can. */
static void make_bars(SphDataset *d, size_t n, uint64_t seed)
{
  d->n = n;
  d->nfeatures = 36;
  d->nclasses = 2;
  d->x = g_new0(float, n * 36);
  d->y = g_new0(int32_t, n);
  SphRng rng;
  sph_rng_init(&rng, seed, 0);
  for (size_t i = 0; i < n; i++) {
    int cls = (int)sph_rng_below(&rng, 2);
    size_t at = (size_t)sph_rng_below(&rng, 6), from = (size_t)sph_rng_below(&rng, 3);
    for (size_t j = 0; j < 36; j++)
      d->x[i * 36 + j] = (float)(0.2 * sph_rng_normal(&rng));
    for (size_t t = from; t < from + 4; t++)
      d->x[i * 36 + (cls == 0 ? at * 6 + t : t * 6 + at)] += 1.0f;
    d->y[i] = cls;
  }
}

static void bars_clear(SphDataset *d)
{
  g_free(d->x);
  g_free(d->y);
}

static SphCnnConfig bars_config(void)
{
  return (SphCnnConfig){.channels = 1, .height = 6, .width = 6, .nblocks = 1,
                        .block_channels = {4}, .kernel = 3, .pool = 2, .hidden = 0,
                        .nclasses = 2, .dtype = SPH_F32};
}

static void on_epoch(const SphEpochStats *s, void *user)
{
  (void)s;
  (*(int *)user)++;
}

static void test_cnn_train_save_load(void)
{
  SphDataset train, test;
  make_bars(&train, 256, 1);
  make_bars(&test, 128, 2);
  SphCnnConfig c = bars_config();
  SphError err = SPH_ERROR_INIT;
  SphCnn *cnn = sph_cnn_new(&c, 5, &err);
  g_assert_nonnull(cnn);
  SphNet net = sph_cnn_net(cnn);
  SphTrainConfig tc = {.epochs = 8, .batch_size = 16, .seed = 3};
  tc.optim = sph_optim_defaults(SPH_OPTIM_ADAM);
  tc.optim.learning_rate = 1e-2;
  SphLrScheduleConfig sched = {.kind = SPH_SCHEDULE_WARMUP_COSINE, .base = 1e-2, .warmup = 16,
                               .total = 8 * 16, .final = 1e-4};
  tc.step_schedule = &sched;
  SphJob *job = sph_job_new();
  SphEpochStats last;
  int epochs_seen = 0;
  g_assert_cmpint(sph_train_net(&net, &train, &test, &tc, job, on_epoch, &epochs_seen, &last, &err),
                  ==, SPH_OK);
  g_test_message("bars CNN: test accuracy %.4f after %d epochs", last.test_accuracy, epochs_seen);
  g_assert_cmpint(epochs_seen, ==, 8);
  g_assert_cmpfloat(last.test_accuracy, >=, 0.95);
  SphSnapshot *snap = sph_job_acquire_snapshot(job, NULL);
  g_assert_nonnull(snap);
  const SphTrainCurve *curve = sph_snapshot_data(snap);
  g_assert_cmpuint(curve->nepochs, ==, 8);
  g_assert_cmpfloat(curve->epochs[7].train_loss, <, curve->epochs[0].train_loss);
  sph_snapshot_release(snap);
  g_assert_cmpfloat(fabs(sph_job_get_progress(job, NULL, 0) - 1.0), <, 1e-12);
  sph_job_unref(job);

  /* save and load: the same probabilities, bit for bit */
  char *dir = g_dir_make_tmp("sphaera-conv-XXXXXX", NULL);
  g_assert_nonnull(dir);
  char *path = g_build_filename(dir, "bars.sphm", NULL);
  g_assert_cmpint(sph_cnn_save(cnn, path, &err), ==, SPH_OK);
  g_assert_cmpint(sph_model_file_kind(path, &err), ==, SPH_MODEL_CNN);
  SphCnn *back = sph_cnn_load(path, &err);
  g_assert_nonnull(back);
  SphNet net_back = sph_cnn_net(back);
  double *p1 = g_new(double, test.n * 2), *p2 = g_new(double, test.n * 2);
  g_assert_cmpint(sph_net_predict(&net, test.x, test.n, p1, &err), ==, SPH_OK);
  g_assert_cmpint(sph_net_predict(&net_back, test.x, test.n, p2, &err), ==, SPH_OK);
  g_assert_cmpint(memcmp(p1, p2, test.n * 2 * sizeof *p1), ==, 0);
  for (size_t i = 0; i < test.n; i++)
    g_assert_cmpfloat(fabs(p1[2 * i] + p1[2 * i + 1] - 1.0), <, 1e-6);
  /* a damaged file and an MLP file are refused with reasons */
  gchar *bytes;
  gsize len;
  g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
  bytes[len - 20] ^= 1;
  g_assert_true(g_file_set_contents(path, bytes, (gssize)len, NULL));
  g_assert_null(sph_cnn_load(path, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_FORMAT);
  g_assert_nonnull(strstr(err.message, "damaged"));
  g_assert_true(g_file_set_contents(path, bytes, 40, NULL));
  g_assert_null(sph_cnn_load(path, &err));
  g_assert_cmpint(err.code, ==, SPH_ERR_FORMAT);
  SphMlpConfig mc = {.nsizes = 2, .sizes = {36, 2}, .dtype = SPH_F32};
  SphMlp *mlp = sph_mlp_new(&mc, 1, &err);
  g_assert_cmpint(sph_mlp_save(mlp, path, &err), ==, SPH_OK);
  g_assert_cmpint(sph_model_file_kind(path, &err), ==, SPH_MODEL_MLP);
  g_assert_null(sph_cnn_load(path, &err));
  g_assert_nonnull(strstr(err.message, "SPHCNN"));
  sph_mlp_free(mlp);
  g_free(bytes);
  g_free(p1);
  g_free(p2);
  sph_cnn_free(back);
  sph_test_remove_tree(dir);
  g_free(path);
  g_free(dir);
  sph_cnn_free(cnn);
  bars_clear(&train);
  bars_clear(&test);
}

static void test_cnn_bad_input(void)
{
  SphDataset train;
  make_bars(&train, 64, 1);
  SphError err = SPH_ERROR_INIT;
  SphCnnConfig c = bars_config();
  /* pooling that leaves nothing */
  c.nblocks = 3;
  c.block_channels[1] = c.block_channels[2] = 4;
  g_assert_null(sph_cnn_new(&c, 1, &err));
  g_assert_nonnull(strstr(err.message, "block 3"));
  c = bars_config();
  c.kernel = 4;
  g_assert_null(sph_cnn_new(&c, 1, &err));
  g_assert_nonnull(strstr(err.message, "kernel 4"));
  /* data of another shape than the network's input */
  c = bars_config();
  c.height = c.width = 8;
  SphCnn *cnn = sph_cnn_new(&c, 1, &err);
  SphNet net = sph_cnn_net(cnn);
  SphTrainConfig tc = {.epochs = 1, .batch_size = 16, .seed = 1};
  tc.optim = sph_optim_defaults(SPH_OPTIM_ADAM);
  g_assert_cmpint(sph_train_net(&net, &train, NULL, &tc, NULL, NULL, NULL, NULL, &err), ==,
                  SPH_ERR_INVALID);
  g_assert_nonnull(strstr(err.message, "36 features"));
  g_assert_nonnull(strstr(err.message, "64 inputs"));
  sph_cnn_free(cnn);
  /* NaN data stops training, saying where (ReLU maps NaN to 0, so here the loss stays
   * finite and the gradient check of the optimiser stops it) */
  cnn = sph_cnn_new((c = bars_config(), &c), 1, &err);
  net = sph_cnn_net(cnn);
  for (size_t i = 0; i < train.n * train.nfeatures; i++)
    train.x[i] = NAN;
  g_assert_cmpint(sph_train_net(&net, &train, NULL, &tc, NULL, NULL, NULL, NULL, &err), ==,
                  SPH_ERR_INVALID);
  g_test_message("NaN data: %s", err.message);
  g_assert_nonnull(strstr(err.message, "not finite"));
  g_assert_nonnull(strstr(err.message, "epoch 1, step 1: optimiser"));
  /* Cancel before the first step */
  bars_clear(&train);
  make_bars(&train, 64, 1);
  SphJob *job = sph_job_new();
  sph_job_cancel(job);
  g_assert_cmpint(sph_train_net(&net, &train, NULL, &tc, job, NULL, NULL, NULL, &err), ==,
                  SPH_ERR_CANCELLED);
  sph_job_unref(job);
  sph_cnn_free(cnn);
  bars_clear(&train);
}

/* torch's conv2d (stride 2, padding 1), max and average pooling in float64 on the same
 * numbers: the loss and every gradient element. Skipped without torch (CI has none). */
static const char torch_script[] =
    "import sys\n"
    "try:\n"
    "    import torch\n"
    "except ImportError:\n"
    "    sys.exit(77)\n"
    "import math\n"
    "torch.set_default_dtype(torch.float64)\n"
    "def seq(n, f):\n"
    "    return torch.tensor([f(i) for i in range(n)])\n"
    "x = seq(2*3*9*9, lambda i: math.sin(0.37*i + 0.1)).reshape(2, 3, 9, 9).requires_grad_()\n"
    "w = seq(4*3*3*3, lambda i: 0.5*math.cos(0.23*i)).reshape(4, 3, 3, 3).requires_grad_()\n"
    "b = seq(4, lambda i: 0.1*i).requires_grad_()\n"
    "y = torch.nn.functional.conv2d(x, w, b, stride=2, padding=1)\n"
    "m = torch.nn.functional.max_pool2d(y, 2)\n"
    "a = torch.nn.functional.avg_pool2d(y, 2)\n"
    "t = seq(m.numel(), lambda i: math.sin(0.11*i)).reshape(m.shape)\n"
    "loss = (m*t).sum() + (a*a).sum()\n"
    "loss.backward()\n"
    "print(repr(loss.item()))\n"
    "for g in (x.grad, w.grad, b.grad):\n"
    "    print(' '.join(repr(v) for v in g.flatten().tolist()))\n";

typedef struct {
  SphVar *x, *w, *b;
  SphTensor *t;
} TorchCase;

static SphVar *torch_case_loss(SphTape *tape, TorchCase *c)
{
  SphVar *y = sph_conv2d(tape, c->x, c->w, c->b, 2, 1);
  SphVar *m = sph_max_pool2d(tape, y, 2), *a = sph_avg_pool2d(tape, y, 2);
  return sph_add(tape, sph_sum(tape, sph_mul(tape, m, sph_tape_input(tape, c->t, false))),
                 sph_sum(tape, sph_mul(tape, a, a)));
}

static SphVar *seq_param(int ndim, const size_t *shape, double (*f)(size_t))
{
  SphTensor *t = sph_tensor_new(SPH_F64, ndim, shape, NULL);
  for (size_t i = 0; i < t->size; i++)
    sph_tensor_set(t, i, f(i));
  return sph_var_new_param(t, NULL);
}

static double seq_x(size_t i) { return sin(0.37 * (double)i + 0.1); }
static double seq_w(size_t i) { return 0.5 * cos(0.23 * (double)i); }
static double seq_b(size_t i) { return 0.1 * (double)i; }
static double seq_t(size_t i) { return sin(0.11 * (double)i); }

static void test_vs_torch(void)
{
  char *out = sph_test_run_python_or_77(torch_script);
  if (out == NULL) {
    g_test_skip("no SPHAERA_PYTHON or no torch");
    return;
  }
  char **lines = g_strsplit(out, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), >=, 4);
  size_t sx[4] = {2, 3, 9, 9}, sw[4] = {4, 3, 3, 3}, sb = 4;
  TorchCase c = {.x = seq_param(4, sx, seq_x), .w = seq_param(4, sw, seq_w), .b = seq_param(1, &sb, seq_b)};
  size_t st[4] = {2, 4, 2, 2}; /* conv: 5 x 5, pooled: 2 x 2 */
  c.t = sph_tensor_new(SPH_F64, 4, st, NULL);
  for (size_t i = 0; i < c.t->size; i++)
    sph_tensor_set(c.t, i, seq_t(i));
  SphTape *tape = sph_tape_new();
  SphVar *loss = torch_case_loss(tape, &c);
  g_assert_cmpint(sph_backward(tape, loss, NULL), ==, SPH_OK);
  double want = g_ascii_strtod(lines[0], NULL);
  double worst = fabs(sph_var_scalar(loss) - want) / fabs(want);
  SphVar *vars[3] = {c.x, c.w, c.b};
  for (int k = 0; k < 3; k++) {
    char **vals = g_strsplit(lines[1 + k], " ", -1);
    const SphTensor *g = sph_var_grad(vars[k]);
    g_assert_cmpuint(g_strv_length(vals), ==, g->size);
    for (size_t i = 0; i < g->size; i++) {
      double ref = g_ascii_strtod(vals[i], NULL);
      worst = fmax(worst, fabs(sph_tensor_get(g, i) - ref) / fmax(fabs(ref), 1.0));
    }
    g_strfreev(vals);
  }
  g_test_message("conv2d + pooling vs torch (float64): max relative difference %.2e", worst);
  g_assert_cmpfloat(worst, <, 1e-12);
  sph_tape_free(tape);
  sph_var_free(c.x);
  sph_var_free(c.w);
  sph_var_free(c.b);
  sph_tensor_free(c.t);
  g_strfreev(lines);
  g_free(out);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/conv/forward-direct", test_conv_forward);
  g_test_add_func("/conv/gradcheck-conv", test_gradcheck_conv);
  g_test_add_func("/conv/gradcheck-pool-reshape", test_gradcheck_pool_reshape);
  g_test_add_func("/conv/activation-derivatives", test_activation_derivatives);
  g_test_add_func("/conv/float32", test_conv_float32);
  g_test_add_func("/conv/vs-torch", test_vs_torch);
  g_test_add_func("/conv/errors", test_errors);
  g_test_add_func("/conv/cnn-train-save-load", test_cnn_train_save_load);
  g_test_add_func("/conv/cnn-bad-input", test_cnn_bad_input);
  return g_test_run();
}
