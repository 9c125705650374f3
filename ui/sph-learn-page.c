/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-learn-page.h"
#include "sph-regression-panel.h"
#include "sph-resources.h"

#include <math.h>
#include <string.h>

#include "sphaera/classify_eval.h"
#include "sphaera/cnn.h"
#include "sphaera/dataset.h"
#include "sphaera/job.h"
#include "sphaera/model_io.h"
#include "sphaera/tensor.h"
#include "sphaera/train.h"

#define DIGITS_FILE "digits.csv.gz"
#define N_CLASSES 10
#define DIGIT_PIXELS (SPH_DIGIT_GRID_SIDE * SPH_DIGIT_GRID_SIDE)
#define LIVE_INTERVAL_MS 100 /* at most ten redraws a second, however fast epochs go */
#define MAX_SHOWN_MISTAKES 24
#define BATCH_SIZE 32
#define HIDDEN 512
#define DROPOUT 0.5

G_DEFINE_QUARK(sph-learn-page-error-quark, sph_learn_page_error)

/* The networks offered, in the model drop-down's order. */
typedef enum { MODEL_MLP = 0, MODEL_CNN, N_MODELS } LearnModel;

static const char *const model_titles[N_MODELS] = {
  [MODEL_MLP] = "MLP 64–512–10",
  [MODEL_CNN] = "CNN (2 conv + dense)",
};

static const char *const model_names[N_MODELS] = {
  [MODEL_MLP] = "MLP",
  [MODEL_CNN] = "CNN",
};

/* Each network's settings as sphaera-cli train uses them (its documented results). */
static const struct {
  int epochs;
  double learning_rate;
} model_defaults[N_MODELS] = {
  [MODEL_MLP] = {30, 0.002},
  [MODEL_CNN] = {20, 0.003},
};

/* Everything a run needs and gives back; the worker thread writes the results, the main
 * thread reads them once the task is done. */
typedef struct {
  SphJob *job;
  char *data_path;
  size_t epochs;
  uint64_t seed;
  double learning_rate;
  LearnModel model;
  gint64 started_us;
  SphMlp *mlp; /* the network trained: one of the two */
  SphCnn *cnn;
  SphStatus status;
  char message[SPH_ERROR_MESSAGE_MAX];
  SphEpochStats last;
  size_t test_size, total_mistakes, nmistakes;
  size_t counts[N_CLASSES * N_CLASSES];
  SphMisclassified mistakes[MAX_SHOWN_MISTAKES];
  float images[MAX_SHOWN_MISTAKES * DIGIT_PIXELS];
} TrainRequest;

struct _SphLearnPage {
  GtkBox parent_instance;
  GtkNotebook *notebook;
  GtkWidget *digits_tab;
  GtkDropDown *model_dropdown;
  GtkStringList *model_names;
  GtkSpinButton *epochs_spin, *seed_spin, *lr_spin;
  GtkLabel *accuracy_label, *result_label;
  GtkAdjustment *smoothing_adjustment;
  SphCurvePlot *curve_plot;
  SphConfusionView *confusion_view;
  SphDigitGrid *digit_grid;
  SphJobStatus *job_status;
  GSimpleActionGroup *actions;
  SphJob *job; /* the running training, NULL when idle */
  guint live_id;
  uint64_t shown_generation;
  SphMlp *mlp; /* the last trained network (at most one of the two) */
  SphCnn *cnn;
  double test_accuracy;
  size_t test_size;
  gboolean disposed;
};

G_DEFINE_FINAL_TYPE(SphLearnPage, sph_learn_page, GTK_TYPE_BOX)

static void train_request_free(gpointer data)
{
  TrainRequest *req = data;
  sph_job_unref(req->job);
  g_free(req->data_path);
  sph_mlp_free(req->mlp);
  sph_cnn_free(req->cnn);
  g_free(req);
}

/* The same search as the application's: SPHAERA_DATA_DIR, the build's data folder, then
 * the system data folders. */
static char *find_digits(GError **error)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
  const char *env = g_getenv("SPHAERA_DATA_DIR");
  if (env != NULL && env[0] != '\0')
    g_ptr_array_add(dirs, g_strdup(env));
#ifdef SPH_DATA_DIR
  if (SPH_DATA_DIR[0] != '\0')
    g_ptr_array_add(dirs, g_strdup(SPH_DATA_DIR));
#endif
  for (const char *const *sys = g_get_system_data_dirs(); *sys != NULL; sys++)
    g_ptr_array_add(dirs, g_build_filename(*sys, "sphaera", NULL));
  for (guint i = 0; i < dirs->len; i++) {
    char *path = g_build_filename(g_ptr_array_index(dirs, i), DIGITS_FILE, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
      g_ptr_array_unref(dirs);
      return path;
    }
    g_free(path);
  }
  g_ptr_array_add(dirs, NULL);
  char *searched = g_strjoinv(", ", (char **)dirs->pdata);
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
              "%s is not in Sphaera's data directories (%s); set SPHAERA_DATA_DIR to the folder "
              "that holds it",
              DIGITS_FILE, searched);
  g_free(searched);
  g_ptr_array_unref(dirs);
  return NULL;
}

/* The confusion matrix and the ranked mistakes of the trained network on the test set. */
static SphStatus evaluate(TrainRequest *req, const SphNet *net, const SphDataset *test,
                          SphError *err)
{
  double *probs = g_try_new(double, test->n * N_CLASSES);
  int32_t *pred = g_try_new(int32_t, test->n);
  SphStatus st = SPH_OK;
  if (probs == NULL || pred == NULL)
    st = sph_error_set(err, SPH_ERR_NOMEM, "evaluation: out of memory");
  if (st == SPH_OK)
    st = sph_net_predict(net, test->x, test->n, probs, err);
  if (st == SPH_OK) {
    sph_argmax_rows(probs, test->n, N_CLASSES, pred);
    st = sph_confusion_matrix(test->y, pred, test->n, N_CLASSES, req->counts, err);
  }
  if (st == SPH_OK) {
    req->total_mistakes = sph_misclassified_top(probs, test->y, test->n, N_CLASSES,
                                                req->mistakes, MAX_SHOWN_MISTAKES);
    req->nmistakes = MIN(req->total_mistakes, (size_t)MAX_SHOWN_MISTAKES);
    for (size_t i = 0; i < req->nmistakes; i++)
      memcpy(req->images + i * DIGIT_PIXELS, test->x + req->mistakes[i].row * test->nfeatures,
             DIGIT_PIXELS * sizeof(float));
    req->test_size = test->n;
  }
  g_free(probs);
  g_free(pred);
  return st;
}

static void train_thread(GTask *task, gpointer source, gpointer task_data,
                         GCancellable *cancellable)
{
  (void)source;
  (void)cancellable;
  TrainRequest *req = task_data;
  SphError err = SPH_ERROR_INIT;
  SphDataset all = {0}, train = {0}, test = {0};
  /* OpenBLAS's own threads would fight this worker thread for the cores. */
  sph_learn_blas_single_thread();
  sph_job_set_progress(req->job, 0.0, "Reading the digits");
  SphStatus st = sph_digits_load(req->data_path, &all, &err);
  if (st == SPH_OK) {
    st = sph_dataset_split(&all, 0.25, SPH_DIGITS_SPLIT_SEED, &train, &test, &err);
    sph_dataset_clear(&all);
  }
  if (st == SPH_OK && train.nfeatures != DIGIT_PIXELS)
    st = sph_error_set(&err, SPH_ERR_FORMAT, "%s: %zu pixels per image, not 8 x 8",
                       req->data_path, train.nfeatures);
  SphNet net = {0};
  if (st == SPH_OK && req->model == MODEL_MLP) {
    SphMlpConfig cfg = {.nsizes = 3, .sizes = {DIGIT_PIXELS, HIDDEN, N_CLASSES},
                        .activation = SPH_ACT_RELU, .dropout = DROPOUT, .dtype = SPH_F32};
    req->mlp = sph_mlp_new(&cfg, req->seed, &err);
    if (req->mlp == NULL)
      st = err.code != SPH_OK ? err.code : SPH_ERR_NOMEM;
    else
      net = sph_mlp_net(req->mlp);
  } else if (st == SPH_OK) {
    SphCnnConfig cfg = sph_cnn_digits_config();
    req->cnn = sph_cnn_new(&cfg, req->seed, &err);
    if (req->cnn == NULL)
      st = err.code != SPH_OK ? err.code : SPH_ERR_NOMEM;
    else
      net = sph_cnn_net(req->cnn);
  }
  if (st == SPH_OK) {
    SphTrainConfig tc = {.epochs = req->epochs, .batch_size = BATCH_SIZE, .seed = req->seed,
                         .schedule = SPH_LR_COSINE};
    tc.optim = sph_optim_defaults(SPH_OPTIM_ADAM);
    tc.optim.learning_rate = req->learning_rate;
    char *text = g_strdup_printf("Training the %s", model_names[req->model]);
    sph_job_set_progress(req->job, 0.0, text);
    g_free(text);
    st = sph_train_net(&net, &train, &test, &tc, req->job, NULL, NULL, &req->last, &err);
  }
  if (st == SPH_OK) {
    sph_job_set_progress(req->job, 1.0, "Evaluating on the test images");
    st = evaluate(req, &net, &test, &err);
  }
  req->status = st;
  g_strlcpy(req->message, err.message, sizeof req->message);
  sph_dataset_clear(&train);
  sph_dataset_clear(&test);
  g_task_return_boolean(task, TRUE);
}

/* A focused entry that turns insensitive never hears it lost the focus (GTK warns): take
 * the focus away first. */
static void set_control_sensitive(GtkWidget *control, gboolean sensitive)
{
  GtkRoot *root = gtk_widget_get_root(control);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus(root) : NULL;
  if (!sensitive && focus != NULL && (focus == control || gtk_widget_is_ancestor(focus, control)))
    gtk_root_set_focus(root, NULL);
  gtk_widget_set_sensitive(control, sensitive);
}

static void update_actions(SphLearnPage *self)
{
  gboolean busy = self->job != NULL;
  GAction *a = g_action_map_lookup_action(G_ACTION_MAP(self->actions), "train");
  g_simple_action_set_enabled(G_SIMPLE_ACTION(a), !busy);
  a = g_action_map_lookup_action(G_ACTION_MAP(self->actions), "cancel");
  g_simple_action_set_enabled(G_SIMPLE_ACTION(a), busy);
  a = g_action_map_lookup_action(G_ACTION_MAP(self->actions), "save");
  gboolean trained = self->mlp != NULL || self->cnn != NULL;
  g_simple_action_set_enabled(G_SIMPLE_ACTION(a), !busy && trained);
  set_control_sensitive(GTK_WIDGET(self->model_dropdown), !busy);
  set_control_sensitive(GTK_WIDGET(self->epochs_spin), !busy);
  set_control_sensitive(GTK_WIDGET(self->seed_spin), !busy);
  set_control_sensitive(GTK_WIDGET(self->lr_spin), !busy);
}

static void set_result(SphLearnPage *self, const char *text, gboolean is_error)
{
  gtk_label_set_text(self->result_label, text);
  if (is_error)
    gtk_widget_add_css_class(GTK_WIDGET(self->result_label), "error");
  else
    gtk_widget_remove_css_class(GTK_WIDGET(self->result_label), "error");
}

/* Shows the job's newest curve if it is newer than the one shown. */
static void show_latest_curve(SphLearnPage *self, SphJob *job)
{
  if (sph_job_generation(job) == self->shown_generation)
    return;
  uint64_t generation = 0;
  SphSnapshot *snap = sph_job_acquire_snapshot(job, &generation);
  if (snap == NULL)
    return;
  const SphTrainCurve *curve = sph_snapshot_data(snap);
  sph_curve_plot_set_curve(self->curve_plot, curve);
  self->shown_generation = generation;
  if (curve->nepochs > 0 && self->job == job) {
    const SphEpochStats *s = &curve->epochs[curve->nepochs - 1];
    char *text = g_strdup_printf(
        "Epoch %zu of %zu: training loss %.4f, validation loss %.4f, test accuracy %.2f%%",
        s->epoch, curve->epochs_planned, s->train_loss, s->test_loss, 100.0 * s->test_accuracy);
    set_result(self, text, FALSE);
    g_free(text);
  }
  sph_snapshot_release(snap);
}

static gboolean on_live_tick(gpointer data)
{
  SphLearnPage *self = data;
  if (self->job == NULL) {
    self->live_id = 0;
    return G_SOURCE_REMOVE;
  }
  show_latest_curve(self, self->job);
  return G_SOURCE_CONTINUE;
}

static void show_results(SphLearnPage *self, TrainRequest *req)
{
  self->mlp = g_steal_pointer(&req->mlp);
  self->cnn = g_steal_pointer(&req->cnn);
  size_t correct = 0;
  for (size_t c = 0; c < N_CLASSES; c++)
    correct += req->counts[c * N_CLASSES + c];
  self->test_size = req->test_size;
  self->test_accuracy = req->test_size > 0 ? (double)correct / (double)req->test_size : NAN;
  char *text = g_strdup_printf("%.2f%%", 100.0 * self->test_accuracy);
  gtk_label_set_text(self->accuracy_label, text);
  g_free(text);
  double seconds = (double)(g_get_monotonic_time() - req->started_us) / G_USEC_PER_SEC;
  text = g_strdup_printf("Trained the %s for %zu epochs in %.1f s (seed %" G_GUINT64_FORMAT
                         "): %zu of %zu test images misclassified.",
                         model_names[req->model], req->last.epoch, seconds, req->seed,
                         req->total_mistakes, req->test_size);
  set_result(self, text, FALSE);
  g_free(text);
  sph_confusion_view_set_counts(self->confusion_view, req->counts, N_CLASSES);
  sph_digit_grid_set_digits(self->digit_grid, req->mistakes, req->images, req->nmistakes,
                            req->total_mistakes);
}

static void train_done(GObject *source, GAsyncResult *result, gpointer data)
{
  (void)data;
  SphLearnPage *self = SPH_LEARN_PAGE(source);
  TrainRequest *req = g_task_get_task_data(G_TASK(result));
  g_task_propagate_boolean(G_TASK(result), NULL);
  if (self->disposed || req->job != self->job)
    return;
  show_latest_curve(self, req->job);
  g_clear_handle_id(&self->live_id, g_source_remove);
  char *status = NULL;
  if (req->status == SPH_OK) {
    show_results(self, req);
    status = g_strdup_printf("Trained the %s: test accuracy %.2f%%", model_names[req->model],
                             100.0 * self->test_accuracy);
  } else if (req->status == SPH_ERR_CANCELLED) {
    size_t done = sph_curve_plot_get_n_epochs(self->curve_plot);
    char *text = g_strdup_printf("Cancelled after %zu finished epoch%s; train again to see the "
                                 "test results.",
                                 done, done == 1 ? "" : "s");
    set_result(self, text, FALSE);
    g_free(text);
    sph_confusion_view_set_message(self->confusion_view, "Training was cancelled");
    sph_digit_grid_set_message(self->digit_grid, "Training was cancelled");
    status = g_strdup("Cancelled training");
  } else {
    char *text = g_strdup_printf("Training failed: %s", req->message);
    set_result(self, text, TRUE);
    g_free(text);
    sph_confusion_view_set_message(self->confusion_view, "Training failed");
    sph_digit_grid_set_message(self->digit_grid, "Training failed");
    status = g_strdup("Training failed");
  }
  sph_job_status_finish(self->job_status, self->job, status);
  g_free(status);
  g_clear_pointer(&self->job, sph_job_unref);
  update_actions(self);
}

gboolean sph_learn_page_train(SphLearnPage *self)
{
  g_return_val_if_fail(SPH_IS_LEARN_PAGE(self), FALSE);
  if (self->job != NULL)
    return FALSE;
  GError *error = NULL;
  char *path = find_digits(&error);
  if (path == NULL) {
    char *text = g_strdup_printf("Cannot train: %s", error->message);
    set_result(self, text, TRUE);
    g_free(text);
    g_error_free(error);
    return FALSE;
  }
  TrainRequest *req = g_new0(TrainRequest, 1);
  req->job = sph_job_new();
  if (req->job == NULL) {
    set_result(self, "Cannot train: out of memory", TRUE);
    g_free(path);
    g_free(req);
    return FALSE;
  }
  req->data_path = path;
  req->epochs = (size_t)gtk_spin_button_get_value_as_int(self->epochs_spin);
  req->seed = (uint64_t)gtk_spin_button_get_value(self->seed_spin);
  req->learning_rate = gtk_spin_button_get_value(self->lr_spin);
  guint selected = gtk_drop_down_get_selected(self->model_dropdown);
  req->model = selected < N_MODELS ? (LearnModel)selected : MODEL_MLP;
  req->started_us = g_get_monotonic_time();

  g_clear_pointer(&self->mlp, sph_mlp_free);
  g_clear_pointer(&self->cnn, sph_cnn_free);
  self->test_accuracy = NAN;
  self->test_size = 0;
  self->shown_generation = 0;
  self->job = sph_job_ref(req->job);
  gtk_label_set_text(self->accuracy_label, "—");
  set_result(self, "Training…", FALSE);
  sph_curve_plot_set_curve(self->curve_plot, NULL);
  sph_curve_plot_set_message(self->curve_plot, "Waiting for the first epoch…");
  sph_confusion_view_set_counts(self->confusion_view, NULL, 0);
  sph_confusion_view_set_message(self->confusion_view, "Shown when training ends");
  sph_digit_grid_clear(self->digit_grid);
  sph_digit_grid_set_message(self->digit_grid, "Shown when training ends");
  char *title = g_strdup_printf("Training the %s for %zu epochs", model_names[req->model],
                                req->epochs);
  sph_job_status_watch(self->job_status, req->job, title);
  g_free(title);
  if (self->live_id == 0)
    self->live_id = g_timeout_add(LIVE_INTERVAL_MS, on_live_tick, self);
  update_actions(self);

  GTask *task = g_task_new(self, NULL, train_done, NULL);
  g_task_set_name(task, "sphaera: train digits");
  g_task_set_task_data(task, req, train_request_free);
  g_task_run_in_thread(task, train_thread);
  g_object_unref(task);
  return TRUE;
}

gboolean sph_learn_page_cancel(SphLearnPage *self)
{
  g_return_val_if_fail(SPH_IS_LEARN_PAGE(self), FALSE);
  if (self->job == NULL)
    return FALSE;
  if (!sph_job_status_cancel(self->job_status))
    sph_job_cancel(self->job);
  return TRUE;
}

gboolean sph_learn_page_is_training(SphLearnPage *self)
{
  g_return_val_if_fail(SPH_IS_LEARN_PAGE(self), FALSE);
  return self->job != NULL;
}

double sph_learn_page_get_test_accuracy(SphLearnPage *self, size_t *test_size)
{
  g_return_val_if_fail(SPH_IS_LEARN_PAGE(self), NAN);
  if (test_size != NULL)
    *test_size = self->test_size;
  return self->test_accuracy;
}

const char *sph_learn_page_get_result_text(SphLearnPage *self)
{
  g_return_val_if_fail(SPH_IS_LEARN_PAGE(self), NULL);
  return gtk_label_get_text(self->result_label);
}

gboolean sph_learn_page_save_model(SphLearnPage *self, const char *path, GError **error)
{
  g_return_val_if_fail(SPH_IS_LEARN_PAGE(self), FALSE);
  if (self->mlp == NULL && self->cnn == NULL) {
    g_set_error(error, sph_learn_page_error_quark(), SPH_ERR_INVALID,
                "There is no trained model to save: train one first");
    return FALSE;
  }
  SphError err = SPH_ERROR_INIT;
  SphStatus st = self->mlp != NULL ? sph_mlp_save(self->mlp, path, &err)
                                   : sph_cnn_save(self->cnn, path, &err);
  if (st != SPH_OK) {
    g_set_error(error, sph_learn_page_error_quark(), err.code, "%s", err.message);
    return FALSE;
  }
  return TRUE;
}

gboolean sph_learn_page_set_model(SphLearnPage *self, const char *model)
{
  g_return_val_if_fail(SPH_IS_LEARN_PAGE(self), FALSE);
  for (int m = 0; m < N_MODELS; m++)
    if (g_ascii_strcasecmp(model, model_names[m]) == 0) {
      gtk_drop_down_set_selected(self->model_dropdown, (guint)m);
      return TRUE;
    }
  return FALSE;
}

void sph_learn_page_set_epochs(SphLearnPage *self, guint epochs)
{
  g_return_if_fail(SPH_IS_LEARN_PAGE(self));
  gtk_spin_button_set_value(self->epochs_spin, epochs);
}

void sph_learn_page_set_seed(SphLearnPage *self, guint seed)
{
  g_return_if_fail(SPH_IS_LEARN_PAGE(self));
  gtk_spin_button_set_value(self->seed_spin, seed);
}

void sph_learn_page_set_learning_rate(SphLearnPage *self, double learning_rate)
{
  g_return_if_fail(SPH_IS_LEARN_PAGE(self));
  gtk_spin_button_set_value(self->lr_spin, learning_rate);
}

SphCurvePlot *sph_learn_page_get_curve_plot(SphLearnPage *self)
{
  g_return_val_if_fail(SPH_IS_LEARN_PAGE(self), NULL);
  return self->curve_plot;
}

SphConfusionView *sph_learn_page_get_confusion_view(SphLearnPage *self)
{
  g_return_val_if_fail(SPH_IS_LEARN_PAGE(self), NULL);
  return self->confusion_view;
}

SphDigitGrid *sph_learn_page_get_digit_grid(SphLearnPage *self)
{
  g_return_val_if_fail(SPH_IS_LEARN_PAGE(self), NULL);
  return self->digit_grid;
}

SphJobStatus *sph_learn_page_get_job_status(SphLearnPage *self)
{
  g_return_val_if_fail(SPH_IS_LEARN_PAGE(self), NULL);
  return self->job_status;
}

/* ---- actions ---- */

static void on_train(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  (void)parameter;
  sph_learn_page_train(data);
}

static void on_cancel(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  (void)parameter;
  sph_learn_page_cancel(data);
}

static void on_save_response(GtkNativeDialog *dialog, int response, gpointer data)
{
  SphLearnPage *self = data;
  GFile *file = response == GTK_RESPONSE_ACCEPT
                    ? gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog))
                    : NULL;
  char *path = file != NULL ? g_file_get_path(file) : NULL;
  if (path != NULL && !self->disposed) {
    if (!g_str_has_suffix(path, ".sphm")) {
      char *with_ext = g_strconcat(path, ".sphm", NULL);
      g_free(path);
      path = with_ext;
    }
    GError *error = NULL;
    if (!sph_learn_page_save_model(self, path, &error)) {
      char *text = g_strdup_printf("Could not save the model. %s", error->message);
      set_result(self, text, TRUE);
      g_free(text);
      g_error_free(error);
    } else {
      char *text = g_strdup_printf("Saved the model to %s", path);
      sph_job_status_finish(self->job_status, NULL, text);
      g_free(text);
    }
  }
  g_free(path);
  g_clear_object(&file);
  g_object_unref(dialog);
  g_object_unref(self);
}

static void on_save(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  (void)parameter;
  SphLearnPage *self = data;
  if (self->mlp == NULL && self->cnn == NULL)
    return;
  GtkRoot *root = gtk_widget_get_root(GTK_WIDGET(self));
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new(
      "Save the Model", GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL,
      GTK_FILE_CHOOSER_ACTION_SAVE, "_Save", "_Cancel");
  gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(chooser), TRUE);
  GtkFileFilter *filter = gtk_file_filter_new();
  gtk_file_filter_set_name(filter, "Sphaera models (*.sphm)");
  gtk_file_filter_add_suffix(filter, "sphm");
  gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(chooser), filter);
  g_object_unref(filter);
  char *name = g_strdup_printf("digits-%s-seed%d.sphm", self->mlp != NULL ? "mlp" : "cnn",
                               gtk_spin_button_get_value_as_int(self->seed_spin));
  gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(chooser), name);
  g_free(name);
  g_signal_connect(chooser, "response", G_CALLBACK(on_save_response), g_object_ref(self));
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(chooser));
}

static void on_log_loss(GSimpleAction *action, GVariant *value, gpointer data)
{
  SphLearnPage *self = data;
  g_simple_action_set_state(action, value);
  sph_curve_plot_set_log_loss(self->curve_plot, g_variant_get_boolean(value));
}

static void on_model_selected(GObject *object, GParamSpec *pspec, gpointer data)
{
  (void)object;
  (void)pspec;
  SphLearnPage *self = data;
  guint m = gtk_drop_down_get_selected(self->model_dropdown);
  if (m >= N_MODELS)
    return;
  gtk_spin_button_set_value(self->epochs_spin, model_defaults[m].epochs);
  gtk_spin_button_set_value(self->lr_spin, model_defaults[m].learning_rate);
}

/* The page's keys work wherever the focus is while the Digits tab shows; on other pages,
 * and on the Regression tab (which binds the same keys to its own actions), they are left
 * to others. */
static gboolean on_digits_shortcut(GtkWidget *widget, GVariant *args, gpointer action)
{
  (void)args;
  SphLearnPage *self = SPH_LEARN_PAGE(widget);
  if (!gtk_widget_is_drawable(widget))
    return FALSE;
  int current = gtk_notebook_get_current_page(self->notebook);
  if (gtk_notebook_get_nth_page(self->notebook, current) != self->digits_tab)
    return FALSE;
  return gtk_widget_activate_action(widget, action, NULL);
}

static void add_shortcut(GtkShortcutController *controller, const char *trigger,
                         const char *action)
{
  gtk_shortcut_controller_add_shortcut(
      controller,
      gtk_shortcut_new(gtk_shortcut_trigger_parse_string(trigger),
                       gtk_callback_action_new(on_digits_shortcut, g_strdup(action), g_free)));
}

/* ---- GObject ---- */

GtkWidget *sph_learn_page_new(void)
{
  return g_object_new(SPH_TYPE_LEARN_PAGE, NULL);
}

static void sph_learn_page_dispose(GObject *object)
{
  SphLearnPage *self = SPH_LEARN_PAGE(object);
  self->disposed = TRUE;
  /* The worker finishes on its own; its task holds the page until then. */
  if (self->job != NULL)
    sph_job_cancel(self->job);
  g_clear_pointer(&self->job, sph_job_unref);
  g_clear_handle_id(&self->live_id, g_source_remove);
  g_clear_pointer(&self->mlp, sph_mlp_free);
  g_clear_pointer(&self->cnn, sph_cnn_free);
  g_clear_object(&self->actions);
  gtk_widget_dispose_template(GTK_WIDGET(object), SPH_TYPE_LEARN_PAGE);
  G_OBJECT_CLASS(sph_learn_page_parent_class)->dispose(object);
}

static void sph_learn_page_class_init(SphLearnPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = sph_learn_page_dispose;
  /* Links the resource bundle in (and so registers it) for programs that use the page
   * alone, such as its test. */
  (void)sph_get_resource();
  g_type_ensure(SPH_TYPE_CURVE_PLOT);
  g_type_ensure(SPH_TYPE_CONFUSION_VIEW);
  g_type_ensure(SPH_TYPE_DIGIT_GRID);
  g_type_ensure(SPH_TYPE_JOB_STATUS);
  gtk_widget_class_set_template_from_resource(widget_class,
                                              "/org/sphaera/Sphaera/ui/sph-learn-page.ui");
  gtk_widget_class_bind_template_child(widget_class, SphLearnPage, notebook);
  gtk_widget_class_bind_template_child(widget_class, SphLearnPage, digits_tab);
  gtk_widget_class_bind_template_child(widget_class, SphLearnPage, model_dropdown);
  gtk_widget_class_bind_template_child(widget_class, SphLearnPage, model_names);
  gtk_widget_class_bind_template_child(widget_class, SphLearnPage, epochs_spin);
  gtk_widget_class_bind_template_child(widget_class, SphLearnPage, seed_spin);
  gtk_widget_class_bind_template_child(widget_class, SphLearnPage, lr_spin);
  gtk_widget_class_bind_template_child(widget_class, SphLearnPage, accuracy_label);
  gtk_widget_class_bind_template_child(widget_class, SphLearnPage, result_label);
  gtk_widget_class_bind_template_child(widget_class, SphLearnPage, smoothing_adjustment);
  gtk_widget_class_bind_template_child(widget_class, SphLearnPage, curve_plot);
  gtk_widget_class_bind_template_child(widget_class, SphLearnPage, confusion_view);
  gtk_widget_class_bind_template_child(widget_class, SphLearnPage, digit_grid);
  gtk_widget_class_bind_template_child(widget_class, SphLearnPage, job_status);
  gtk_widget_class_set_css_name(widget_class, "learnpage");
}

static void sph_learn_page_init(SphLearnPage *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  self->test_accuracy = NAN;
  for (int m = 0; m < N_MODELS; m++)
    gtk_string_list_append(self->model_names, model_titles[m]);
  gtk_drop_down_set_selected(self->model_dropdown, 0);
  g_signal_connect(self->model_dropdown, "notify::selected", G_CALLBACK(on_model_selected), self);

  static const GActionEntry entries[] = {
    { .name = "train", .activate = on_train },
    { .name = "cancel", .activate = on_cancel },
    { .name = "save", .activate = on_save },
    { .name = "log-loss", .state = "false", .change_state = on_log_loss },
  };
  self->actions = g_simple_action_group_new();
  g_action_map_add_action_entries(G_ACTION_MAP(self->actions), entries, G_N_ELEMENTS(entries),
                                  self);
  gtk_widget_insert_action_group(GTK_WIDGET(self), "learn", G_ACTION_GROUP(self->actions));
  update_actions(self);

  GtkEventController *shortcuts = gtk_shortcut_controller_new();
  add_shortcut(GTK_SHORTCUT_CONTROLLER(shortcuts), "<Control>Return", "learn.train");
  add_shortcut(GTK_SHORTCUT_CONTROLLER(shortcuts), "Escape", "learn.cancel");
  add_shortcut(GTK_SHORTCUT_CONTROLLER(shortcuts), "<Control>s", "learn.save");
  add_shortcut(GTK_SHORTCUT_CONTROLLER(shortcuts), "<Control>l", "learn.log-loss");
  gtk_shortcut_controller_set_scope(GTK_SHORTCUT_CONTROLLER(shortcuts),
                                    GTK_SHORTCUT_SCOPE_MANAGED);
  gtk_widget_add_controller(GTK_WIDGET(self), shortcuts);

  g_object_bind_property(self->smoothing_adjustment, "value", self->curve_plot, "smoothing",
                         G_BINDING_SYNC_CREATE);
  /* The status line shows a run in progress; the result label says how it ended. */
  g_object_bind_property(self->job_status, "busy", self->job_status, "visible",
                         G_BINDING_SYNC_CREATE);
  gtk_notebook_append_page(self->notebook, sph_regression_panel_new(),
                           gtk_label_new("Regression with uncertainty"));
  /* One tab needs no tab bar. */
  gtk_notebook_set_show_tabs(self->notebook, gtk_notebook_get_n_pages(self->notebook) > 1);
  sph_curve_plot_set_message(self->curve_plot, "Press Train (Ctrl+Return) to start");
}
