/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-regression-panel.h"

#include <math.h>

#include "sph-resources.h"
#include "sphaera/job.h"

#define REDRAW_INTERVAL_MS 100 /* at most ten redraws a second */
#define MARGIN_LEFT 50.0
#define MARGIN_RIGHT 14.0
#define MARGIN_TOP 14.0
#define MARGIN_BOTTOM 30.0
#define FONT_SIZE 11.0

static const double model_rgb[SPH_REG_MODEL_COUNT][3] = {
    {0.12, 0.47, 0.71}, /* MC dropout: blue */
    {0.84, 0.37, 0.00}, /* Bayes by backprop: orange */
    {0.17, 0.63, 0.17}, /* deep ensemble: green */
};
static const char *const model_labels[SPH_REG_MODEL_COUNT] = {"MC dropout", "Bayes by backprop",
                                                              "Deep ensemble"};

typedef struct {
  SphRegModel model;
  SphJob *job;
  SphSnapshot *shown;
  uint64_t generation;
  gboolean running;
  char status[256];
} ModelRun;

struct _SphRegressionPanel {
  GtkBox parent_instance;
  GtkWidget *area, *seed_spin, *epochs_spin, *status_label, *train_button, *cancel_button;
  SphRegressionData train, test;
  ModelRun runs[SPH_REG_MODEL_COUNT];
  guint timer;
  guint updates;
  char *status;
};

G_DEFINE_FINAL_TYPE(SphRegressionPanel, sph_regression_panel, GTK_TYPE_BOX)

void sph_regression_panel_model_colour(SphRegModel model, double rgb[3])
{
  for (int k = 0; k < 3; k++)
    rgb[k] = (unsigned)model < SPH_REG_MODEL_COUNT ? model_rgb[model][k] : 0.5;
}

/* ---- the training tasks ---- */

typedef struct {
  SphRegressionConfig config;
  SphRegressionData train, test;
  SphJob *job;
  SphStatus status;
  char message[256];
} TrainRequest;

static void copy_data(SphRegressionData *dst, const SphRegressionData *src)
{
  dst->n = src->n;
  dst->x = g_memdup2(src->x, src->n * sizeof(double));
  dst->y = g_memdup2(src->y, src->n * sizeof(double));
}

static void train_request_free(gpointer data)
{
  TrainRequest *req = data;
  g_free(req->train.x);
  g_free(req->train.y);
  g_free(req->test.x);
  g_free(req->test.y);
  sph_job_unref(req->job);
  g_free(req);
}

static void train_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  (void)source;
  (void)cancellable;
  TrainRequest *req = task_data;
  SphError err = SPH_ERROR_INIT;
  SphRegressor *reg = sph_regressor_new(&req->config, &err);
  req->status = reg != NULL ? sph_regression_train(reg, &req->train, &req->test, req->job, NULL,
                                                   NULL, &err)
                            : err.code;
  if (req->status != SPH_OK)
    g_strlcpy(req->message, err.message, sizeof req->message);
  sph_regressor_free(reg);
  g_task_return_boolean(task, TRUE);
}

static void update_status(SphRegressionPanel *self)
{
  GString *s = g_string_new(NULL);
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++)
    if (self->runs[m].status[0] != '\0')
      g_string_append_printf(s, "%s%s", s->len ? "   " : "", self->runs[m].status);
  g_free(self->status);
  self->status = g_string_free(s, FALSE);
  gtk_label_set_text(GTK_LABEL(self->status_label), self->status);
  gboolean running = sph_regression_panel_running(self);
  gtk_widget_action_set_enabled(GTK_WIDGET(self), "regression.cancel", running);
}

/* Takes up the newest snapshot of each model; returns whether any still trains. */
static gboolean take_snapshots(SphRegressionPanel *self)
{
  gboolean changed = FALSE, any = FALSE;
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++) {
    ModelRun *run = &self->runs[m];
    if (run->job == NULL)
      continue;
    any = any || run->running;
    uint64_t gen = sph_job_generation(run->job);
    if (gen == run->generation)
      continue;
    SphSnapshot *snap = sph_job_acquire_snapshot(run->job, &run->generation);
    if (snap == NULL)
      continue;
    if (run->shown != NULL)
      sph_snapshot_release(run->shown);
    run->shown = snap;
    const SphRegressionSnapshot *s = sph_snapshot_data(snap);
    g_snprintf(run->status, sizeof run->status, "%s: epoch %zu/%zu", sph_reg_model_name(s->model),
               s->epoch, s->epochs_planned);
    changed = TRUE;
  }
  if (changed) {
    self->updates++;
    update_status(self);
    gtk_widget_queue_draw(self->area);
  }
  return any;
}

/* The timer's tick: the plot redraws at most ten times a second however fast the jobs
 * publish. */
static gboolean poll_snapshots(gpointer data)
{
  SphRegressionPanel *self = data;
  if (take_snapshots(self))
    return G_SOURCE_CONTINUE;
  self->timer = 0;
  return G_SOURCE_REMOVE;
}

static void train_done(GObject *source, GAsyncResult *result, gpointer data)
{
  (void)data;
  SphRegressionPanel *self = SPH_REGRESSION_PANEL(source);
  TrainRequest *req = g_task_get_task_data(G_TASK(result));
  g_task_propagate_boolean(G_TASK(result), NULL);
  ModelRun *run = &self->runs[req->config.model];
  if (run->job != req->job)
    return; /* a newer run replaced this one */
  run->running = FALSE;
  take_snapshots(self); /* the last snapshot, published just before the end */
  if (req->status == SPH_ERR_CANCELLED)
    g_snprintf(run->status, sizeof run->status, "%s: cancelled", sph_reg_model_name(run->model));
  else if (req->status != SPH_OK)
    g_snprintf(run->status, sizeof run->status, "%s: %s", sph_reg_model_name(run->model),
               req->message);
  else
    g_snprintf(run->status, sizeof run->status, "%s: done", sph_reg_model_name(run->model));
  update_status(self);
}

void sph_regression_panel_cancel(SphRegressionPanel *self)
{
  g_return_if_fail(SPH_IS_REGRESSION_PANEL(self));
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++)
    if (self->runs[m].running)
      sph_job_cancel(self->runs[m].job);
}

void sph_regression_panel_train(SphRegressionPanel *self)
{
  g_return_if_fail(SPH_IS_REGRESSION_PANEL(self));
  if (self->train.n == 0)
    return;
  sph_regression_panel_cancel(self);
  /* three networks train at once, each on its own thread: OpenBLAS threads of its own
   * inside each would oversubscribe the cores (set here, once, not racing in the tasks) */
  sph_learn_blas_single_thread();
  guint64 seed = (guint64)gtk_spin_button_get_value_as_int(GTK_SPIN_BUTTON(self->seed_spin));
  guint epochs = (guint)gtk_spin_button_get_value_as_int(GTK_SPIN_BUTTON(self->epochs_spin));
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++) {
    ModelRun *run = &self->runs[m];
    TrainRequest *req = g_new0(TrainRequest, 1);
    req->config = sph_regression_defaults((SphRegModel)m);
    req->config.seed = seed;
    req->config.epochs = epochs;
    copy_data(&req->train, &self->train);
    copy_data(&req->test, &self->test);
    req->job = sph_job_new();
    if (run->job != NULL)
      sph_job_unref(run->job);
    if (run->shown != NULL)
      sph_snapshot_release(run->shown); /* the old band would pass for the new run's */
    run->shown = NULL;
    run->job = sph_job_ref(req->job);
    run->generation = 0;
    run->running = TRUE;
    g_snprintf(run->status, sizeof run->status, "%s: starting", sph_reg_model_name(run->model));
    GTask *task = g_task_new(self, NULL, train_done, NULL);
    g_task_set_name(task, "sphaera: regression training");
    g_task_set_task_data(task, req, train_request_free);
    g_task_run_in_thread(task, train_thread);
    g_object_unref(task);
  }
  if (self->timer == 0)
    self->timer = g_timeout_add(REDRAW_INTERVAL_MS, poll_snapshots, self);
  update_status(self);
  gtk_widget_queue_draw(self->area);
}

gboolean sph_regression_panel_running(SphRegressionPanel *self)
{
  g_return_val_if_fail(SPH_IS_REGRESSION_PANEL(self), FALSE);
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++)
    if (self->runs[m].running)
      return TRUE;
  return FALSE;
}

const SphRegressionSnapshot *sph_regression_panel_get_snapshot(SphRegressionPanel *self,
                                                               SphRegModel model)
{
  g_return_val_if_fail(SPH_IS_REGRESSION_PANEL(self), NULL);
  g_return_val_if_fail((unsigned)model < SPH_REG_MODEL_COUNT, NULL);
  SphSnapshot *s = self->runs[model].shown;
  return s != NULL ? sph_snapshot_data(s) : NULL;
}

guint sph_regression_panel_get_updates(SphRegressionPanel *self)
{
  g_return_val_if_fail(SPH_IS_REGRESSION_PANEL(self), 0);
  return self->updates;
}

const char *sph_regression_panel_get_status(SphRegressionPanel *self)
{
  g_return_val_if_fail(SPH_IS_REGRESSION_PANEL(self), NULL);
  return self->status != NULL ? self->status : "";
}

void sph_regression_panel_set_seed(SphRegressionPanel *self, guint64 seed)
{
  g_return_if_fail(SPH_IS_REGRESSION_PANEL(self));
  gtk_spin_button_set_value(GTK_SPIN_BUTTON(self->seed_spin), (double)seed);
}

void sph_regression_panel_set_epochs(SphRegressionPanel *self, guint epochs)
{
  g_return_if_fail(SPH_IS_REGRESSION_PANEL(self));
  gtk_spin_button_set_value(GTK_SPIN_BUTTON(self->epochs_spin), (double)epochs);
}

/* ---- drawing ---- */

typedef struct {
  double x0, x1, y0, y1;       /* plot area in device units */
  double xmin, xmax, ymin, ymax; /* data units */
} Frame;

static double fx(const Frame *f, double x)
{
  return f->x0 + (f->x1 - f->x0) * (x - f->xmin) / (f->xmax - f->xmin);
}

static double fy(const Frame *f, double y)
{
  return f->y1 - (f->y1 - f->y0) * (y - f->ymin) / (f->ymax - f->ymin);
}

static void draw_axes(cairo_t *cr, const Frame *f)
{
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  cairo_set_line_width(cr, 1.0);
  cairo_rectangle(cr, f->x0 + 0.5, f->y0 + 0.5, f->x1 - f->x0, f->y1 - f->y0);
  cairo_stroke(cr);
  cairo_set_font_size(cr, FONT_SIZE);
  char text[32];
  for (double x = ceil(f->xmin / 2) * 2; x <= f->xmax + 1e-9; x += 2) {
    double px = fx(f, x);
    cairo_move_to(cr, px, f->y1);
    cairo_line_to(cr, px, f->y1 + 4);
    cairo_stroke(cr);
    g_snprintf(text, sizeof text, "%g", x);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, text, &ext);
    cairo_move_to(cr, px - ext.width / 2 - ext.x_bearing, f->y1 + 6 + ext.height);
    cairo_show_text(cr, text);
  }
  for (double y = ceil(f->ymin / 2) * 2; y <= f->ymax + 1e-9; y += 2) {
    double py = fy(f, y);
    cairo_move_to(cr, f->x0 - 4, py);
    cairo_line_to(cr, f->x0, py);
    cairo_stroke(cr);
    g_snprintf(text, sizeof text, "%g", y);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, text, &ext);
    cairo_move_to(cr, f->x0 - 7 - ext.width - ext.x_bearing, py + ext.height / 2);
    cairo_show_text(cr, text);
  }
  cairo_move_to(cr, (f->x0 + f->x1) / 2, f->y1 + 26);
  cairo_show_text(cr, "x");
}

static void draw_band(cairo_t *cr, const Frame *f, const SphRegressionSnapshot *s, const double rgb[3])
{
  /* mean + 2 sigma along the grid, back along mean - 2 sigma */
  cairo_new_path(cr);
  for (size_t i = 0; i < s->ngrid; i++)
    cairo_line_to(cr, fx(f, s->x[i]), fy(f, s->mean[i] + 2 * s->sd[i]));
  for (size_t i = s->ngrid; i-- > 0;)
    cairo_line_to(cr, fx(f, s->x[i]), fy(f, s->mean[i] - 2 * s->sd[i]));
  cairo_close_path(cr);
  cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], 0.22);
  cairo_fill(cr);
}

static void draw_mean(cairo_t *cr, const Frame *f, const SphRegressionSnapshot *s, const double rgb[3])
{
  cairo_new_path(cr);
  for (size_t i = 0; i < s->ngrid; i++)
    cairo_line_to(cr, fx(f, s->x[i]), fy(f, s->mean[i]));
  cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
  cairo_set_line_width(cr, 2.0);
  cairo_stroke(cr);
}

static void draw_legend(cairo_t *cr, SphRegressionPanel *self, const Frame *f)
{
  cairo_set_font_size(cr, FONT_SIZE);
  double x = f->x0 + 10, y = f->y0 + 10, row = FONT_SIZE + 7;
  cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
  cairo_rectangle(cr, x - 4, y - 4, 330, row * (SPH_REG_MODEL_COUNT + 1) + 4);
  cairo_fill(cr);
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++) {
    const SphRegressionSnapshot *s = sph_regression_panel_get_snapshot(self, (SphRegModel)m);
    cairo_set_source_rgba(cr, model_rgb[m][0], model_rgb[m][1], model_rgb[m][2], 0.6);
    cairo_rectangle(cr, x, y + m * row, 22, row - 6);
    cairo_fill(cr);
    char text[160];
    if (s != NULL && isfinite(s->coverage95))
      g_snprintf(text, sizeof text, "%s   rmse %.3f   coverage95 %.3f", model_labels[m],
                 s->test_rmse, s->coverage95);
    else
      g_snprintf(text, sizeof text, "%s", model_labels[m]);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_move_to(cr, x + 30, y + m * row + FONT_SIZE - 1);
    cairo_show_text(cr, text);
  }
  double yy = y + SPH_REG_MODEL_COUNT * row;
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_arc(cr, x + 11, yy + (row - 6) / 2, 2.2, 0, 2 * M_PI);
  cairo_fill(cr);
  cairo_move_to(cr, x + 30, yy + FONT_SIZE - 1);
  cairo_show_text(cr, "training data   (bands: mean \xc2\xb1 2\xcf\x83; dashed: x sin x)");
}

int sph_regression_panel_draw(SphRegressionPanel *self, cairo_t *cr, int width, int height)
{
  g_return_val_if_fail(SPH_IS_REGRESSION_PANEL(self), 0);
  cairo_save(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  SphRegressionConfig c = sph_regression_defaults(SPH_REG_MCDROPOUT);
  Frame f = {.x0 = MARGIN_LEFT, .x1 = width - MARGIN_RIGHT, .y0 = MARGIN_TOP,
             .y1 = height - MARGIN_BOTTOM, .xmin = c.grid_min, .xmax = c.grid_max,
             .ymin = -9.0, .ymax = 9.0};
  if (f.x1 - f.x0 < 20 || f.y1 - f.y0 < 20) {
    cairo_restore(cr);
    return 0;
  }
  cairo_select_font_face(cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  /* the gap, shaded */
  cairo_set_source_rgb(cr, 0.95, 0.95, 0.95);
  cairo_rectangle(cr, fx(&f, SPH_REGRESSION_GAP_MIN), f.y0, fx(&f, SPH_REGRESSION_GAP_MAX) - fx(&f, SPH_REGRESSION_GAP_MIN), f.y1 - f.y0);
  cairo_fill(cr);
  cairo_save(cr);
  cairo_rectangle(cr, f.x0, f.y0, f.x1 - f.x0, f.y1 - f.y0);
  cairo_clip(cr);
  int bands = 0;
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++) {
    const SphRegressionSnapshot *s = sph_regression_panel_get_snapshot(self, (SphRegModel)m);
    if (s != NULL) {
      draw_band(cr, &f, s, model_rgb[m]);
      bands++;
    }
  }
  /* the lines over all the bands, so no band tints another model's line */
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++) {
    const SphRegressionSnapshot *s = sph_regression_panel_get_snapshot(self, (SphRegModel)m);
    if (s != NULL)
      draw_mean(cr, &f, s, model_rgb[m]);
  }
  /* the truth, dashed */
  cairo_new_path(cr);
  for (int i = 0; i <= 400; i++) {
    double x = f.xmin + (f.xmax - f.xmin) * i / 400.0;
    cairo_line_to(cr, fx(&f, x), fy(&f, x * sin(x)));
  }
  double dash[2] = {5, 4};
  cairo_set_dash(cr, dash, 2, 0);
  cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
  cairo_set_line_width(cr, 1.2);
  cairo_stroke(cr);
  cairo_set_dash(cr, NULL, 0, 0);
  cairo_set_source_rgba(cr, 0.15, 0.15, 0.15, 0.75);
  for (size_t i = 0; i < self->train.n; i++) {
    cairo_arc(cr, fx(&f, self->train.x[i]), fy(&f, self->train.y[i]), 1.8, 0, 2 * M_PI);
    cairo_fill(cr);
  }
  cairo_restore(cr);
  draw_axes(cr, &f);
  draw_legend(cr, self, &f);
  cairo_restore(cr);
  return bands;
}

static void draw_area(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  (void)area;
  sph_regression_panel_draw(SPH_REGRESSION_PANEL(data), cr, width, height);
}

/* ---- the widget ---- */

static void action_train(GtkWidget *widget, const char *name, GVariant *param)
{
  (void)name;
  (void)param;
  sph_regression_panel_train(SPH_REGRESSION_PANEL(widget));
}

static void action_cancel(GtkWidget *widget, const char *name, GVariant *param)
{
  (void)name;
  (void)param;
  sph_regression_panel_cancel(SPH_REGRESSION_PANEL(widget));
}

static void sph_regression_panel_dispose(GObject *object)
{
  SphRegressionPanel *self = SPH_REGRESSION_PANEL(object);
  /* the tasks hold references to the panel, so this runs only after they ended */
  if (self->timer != 0) {
    g_source_remove(self->timer);
    self->timer = 0;
  }
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++) {
    ModelRun *run = &self->runs[m];
    if (run->shown != NULL)
      sph_snapshot_release(run->shown);
    if (run->job != NULL)
      sph_job_unref(run->job);
    run->shown = NULL;
    run->job = NULL;
  }
  G_OBJECT_CLASS(sph_regression_panel_parent_class)->dispose(object);
}

static void sph_regression_panel_finalize(GObject *object)
{
  SphRegressionPanel *self = SPH_REGRESSION_PANEL(object);
  sph_regression_data_clear(&self->train);
  sph_regression_data_clear(&self->test);
  g_free(self->status);
  G_OBJECT_CLASS(sph_regression_panel_parent_class)->finalize(object);
}

static void sph_regression_panel_class_init(SphRegressionPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = sph_regression_panel_dispose;
  object_class->finalize = sph_regression_panel_finalize;
  (void)sph_get_resource(); /* links the resource object out of the static library */
  gtk_widget_class_set_template_from_resource(widget_class,
                                              "/org/sphaera/Sphaera/ui/sph-regression-panel.ui");
  gtk_widget_class_bind_template_child(widget_class, SphRegressionPanel, area);
  gtk_widget_class_bind_template_child(widget_class, SphRegressionPanel, seed_spin);
  gtk_widget_class_bind_template_child(widget_class, SphRegressionPanel, epochs_spin);
  gtk_widget_class_bind_template_child(widget_class, SphRegressionPanel, status_label);
  gtk_widget_class_bind_template_child(widget_class, SphRegressionPanel, train_button);
  gtk_widget_class_bind_template_child(widget_class, SphRegressionPanel, cancel_button);
  gtk_widget_class_install_action(widget_class, "regression.train", NULL, action_train);
  gtk_widget_class_install_action(widget_class, "regression.cancel", NULL, action_cancel);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                      "regression.train", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Escape, 0, "regression.cancel", NULL);
}

static void sph_regression_panel_init(SphRegressionPanel *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  for (int m = 0; m < SPH_REG_MODEL_COUNT; m++)
    self->runs[m].model = (SphRegModel)m;
  gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(self->area), draw_area, self, NULL);
  SphError err = SPH_ERROR_INIT;
  if (sph_regression_dataset(&self->train, &self->test, &err) != SPH_OK) {
    g_strlcpy(self->runs[0].status, err.message, sizeof self->runs[0].status);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "regression.train", FALSE);
  }
  update_status(self);
}

GtkWidget *sph_regression_panel_new(void)
{
  return g_object_new(SPH_TYPE_REGRESSION_PANEL, NULL);
}
