/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Learn page: training the digits classifier from the page (a job on a worker thread)
 * draws the curves live while it runs, then shows a confusion matrix over the whole test
 * set and the misclassified digits; Cancel stops a run; the saved model reproduces the
 * page's accuracy. Runs under Xvfb. */
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "sph-learn-page.h"
#include "sph-regression-panel.h"
#include "sphaera/cnn.h"
#include "sphaera/dataset.h"
#include "sphaera/model_io.h"
#include "sphaera/train.h"

#define WAIT_TIMEOUT_S 120
#define N_CLASSES 10
#define TRAIN_EPOCHS 8

typedef struct {
  GtkWidget *window;
  SphLearnPage *page;
} Fixture;

static void fixture_show(Fixture *fx)
{
  fx->window = gtk_window_new();
  fx->page = SPH_LEARN_PAGE(sph_learn_page_new());
  gtk_window_set_default_size(GTK_WINDOW(fx->window), 1000, 700);
  gtk_window_set_child(GTK_WINDOW(fx->window), GTK_WIDGET(fx->page));
  gtk_window_present(GTK_WINDOW(fx->window));
  /* The first frame (fonts, layout) can take a while on a loaded machine: let it pass, so
   * that the main loop is free to follow the job from the start. */
  SphCurvePlot *plot = sph_learn_page_get_curve_plot(fx->page);
  gint64 deadline = g_get_monotonic_time() + WAIT_TIMEOUT_S * G_USEC_PER_SEC;
  while (sph_curve_plot_get_draw_count(plot) == 0) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_main_context_iteration(NULL, TRUE);
  }
  while (g_main_context_iteration(NULL, FALSE))
    ;
}

static void fixture_close(Fixture *fx)
{
  gtk_window_destroy(GTK_WINDOW(fx->window));
  while (g_main_context_iteration(NULL, FALSE))
    ;
}

static void load_test_split(SphDataset *test)
{
  const char *dir = g_getenv("SPHAERA_DATA_DIR");
  char *path = g_build_filename(dir ? dir : "data", "digits.csv.gz", NULL);
  SphError err = SPH_ERROR_INIT;
  SphDataset all, train;
  g_assert_cmpint(sph_digits_load(path, &all, &err), ==, SPH_OK);
  g_assert_cmpint(sph_dataset_split(&all, 0.25, SPH_DIGITS_SPLIT_SEED, &train, test, &err), ==,
                  SPH_OK);
  sph_dataset_clear(&all);
  sph_dataset_clear(&train);
  g_free(path);
}

static void test_train_live(void)
{
  Fixture fx;
  fixture_show(&fx);
  /* The page fits beside the window's sidebar on a 1280-pixel-wide screen. */
  int min_width = 0, min_height = 0;
  gtk_widget_measure(GTK_WIDGET(fx.page), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL,
                     NULL);
  gtk_widget_measure(GTK_WIDGET(fx.page), GTK_ORIENTATION_VERTICAL, -1, &min_height, NULL, NULL,
                     NULL);
  g_test_message("page minimum size %d x %d", min_width, min_height);
  g_assert_cmpint(min_width, <=, 1000);
  g_assert_cmpint(min_height, <=, 720);
  /* Two tabs: the digits and the regression panel. */
  GtkWidget *notebook = gtk_widget_get_first_child(GTK_WIDGET(fx.page));
  g_assert_true(GTK_IS_NOTEBOOK(notebook));
  g_assert_cmpint(gtk_notebook_get_n_pages(GTK_NOTEBOOK(notebook)), ==, 2);
  GtkWidget *second = gtk_notebook_get_nth_page(GTK_NOTEBOOK(notebook), 1);
  g_assert_true(SPH_IS_REGRESSION_PANEL(second));
  g_assert_cmpstr(gtk_notebook_get_tab_label_text(GTK_NOTEBOOK(notebook), second), ==,
                  "Regression with uncertainty");
  SphCurvePlot *plot = sph_learn_page_get_curve_plot(fx.page);
  /* Eight epochs: the page shows a snapshot at most every 100 ms, and on an idle machine
   * two epochs of the MLP end within 0.2 s, before anything could be drawn live. */
  sph_learn_page_set_epochs(fx.page, TRAIN_EPOCHS);
  sph_learn_page_set_seed(fx.page, 3);
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(fx.page), "learn.train", NULL));
  g_assert_true(sph_learn_page_is_training(fx.page));
  /* A second run cannot start while one goes. */
  g_assert_false(sph_learn_page_train(fx.page));

  gint64 start = g_get_monotonic_time(), deadline = start + WAIT_TIMEOUT_S * G_USEC_PER_SEC;
  guint draws_at_start = sph_curve_plot_get_draw_count(plot);
  guint live_draws = 0; /* draws after the first epoch arrived, while the job still ran */
  guint draws_at_first_epoch = 0;
  size_t epochs_seen_live = 0;
  while (sph_learn_page_is_training(fx.page)) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_main_context_iteration(NULL, TRUE);
    if (sph_learn_page_is_training(fx.page) && sph_curve_plot_get_n_epochs(plot) > 0) {
      if (epochs_seen_live == 0)
        draws_at_first_epoch = sph_curve_plot_get_draw_count(plot);
      epochs_seen_live = MAX(epochs_seen_live, sph_curve_plot_get_n_epochs(plot));
      live_draws = sph_curve_plot_get_draw_count(plot) - draws_at_first_epoch;
    }
  }
  double seconds = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
  guint draws = sph_curve_plot_get_draw_count(plot) - draws_at_start;
  g_test_message("trained %d epochs in %.2f s: %u curve draws, %u of them live, %zu epoch(s) "
                 "seen live",
                 TRAIN_EPOCHS, seconds, draws, live_draws, epochs_seen_live);
  g_assert_cmpuint(epochs_seen_live, >=, 1);
  g_assert_cmpuint(live_draws, >=, 1);
  /* At most ten curve updates a second, plus the frames around start and end. */
  g_assert_cmpfloat((double)draws, <=, 10.0 * seconds + 6.0);

  size_t nepochs = 0;
  const SphEpochStats *epochs = sph_curve_plot_get_epochs(plot, &nepochs);
  g_assert_cmpuint(nepochs, ==, TRAIN_EPOCHS);
  for (size_t e = 0; e < TRAIN_EPOCHS; e++) {
    g_assert_cmpuint(epochs[e].epoch, ==, e + 1);
    g_assert_true(isfinite(epochs[e].train_loss) && epochs[e].train_loss > 0.0);
    g_assert_cmpfloat(epochs[e].test_accuracy, >, 0.5);
    /* The validation loss drawn beside the training loss: a cross-entropy over ten
     * classes, below log 10 once the network beats chance. */
    g_assert_true(isfinite(epochs[e].test_loss) && epochs[e].test_loss > 0.0);
    g_assert_cmpfloat(epochs[e].test_loss, <, log(10.0));
  }

  /* The confusion matrix counts every test image once; its diagonal is the accuracy the
   * training loop measured on its own after the last epoch. */
  SphDataset test;
  load_test_split(&test);
  size_t test_size = 0, k = 0;
  double accuracy = sph_learn_page_get_test_accuracy(fx.page, &test_size);
  const size_t *counts = sph_confusion_view_get_counts(sph_learn_page_get_confusion_view(fx.page),
                                                       &k);
  g_assert_nonnull(counts);
  g_assert_cmpuint(k, ==, N_CLASSES);
  g_assert_cmpuint(test_size, ==, test.n);
  size_t total = 0, diagonal = 0, per_class[N_CLASSES] = {0};
  for (size_t r = 0; r < k; r++)
    for (size_t c = 0; c < k; c++) {
      total += counts[r * k + c];
      per_class[r] += counts[r * k + c];
      diagonal += r == c ? counts[r * k + c] : 0;
    }
  g_assert_cmpuint(total, ==, test.n);
  for (size_t i = 0; i < test.n; i++)
    per_class[test.y[i]]--;
  for (size_t c = 0; c < k; c++)
    g_assert_cmpuint(per_class[c], ==, 0); /* each row holds exactly its class's images */
  g_assert_cmpfloat_with_epsilon(accuracy, (double)diagonal / (double)test.n, 1e-15);
  g_assert_cmpfloat_with_epsilon(accuracy, epochs[TRAIN_EPOCHS - 1].test_accuracy, 1e-12);

  /* The misclassified digits: the most confident first, each really misclassified, its
   * image the test row it names. */
  size_t nshown = 0;
  const SphMisclassified *shown =
      sph_digit_grid_get_items(sph_learn_page_get_digit_grid(fx.page), &nshown);
  g_assert_cmpuint(nshown, ==, MIN(test.n - diagonal, (size_t)24));
  for (size_t i = 0; i < nshown; i++) {
    g_assert_cmpint(shown[i].truth, ==, test.y[shown[i].row]);
    g_assert_cmpint(shown[i].truth, !=, shown[i].predicted);
    g_assert_cmpfloat(shown[i].p_predicted, >=, shown[i].p_truth);
    if (i > 0)
      g_assert_cmpfloat(shown[i].p_predicted, <=, shown[i - 1].p_predicted);
  }

  /* The saved model gives the page's accuracy when evaluated on its own. */
  char *dir = g_dir_make_tmp("sph-learn-XXXXXX", NULL);
  char *path = g_build_filename(dir, "digits.sphm", NULL);
  GError *error = NULL;
  g_assert_true(sph_learn_page_save_model(fx.page, path, &error));
  g_assert_no_error(error);
  SphError err = SPH_ERROR_INIT;
  SphMlp *mlp = sph_mlp_load(path, &err);
  g_assert_nonnull(mlp);
  double reloaded = 0.0;
  g_assert_cmpint(sph_classifier_accuracy(mlp, &test, &reloaded, NULL, &err), ==, SPH_OK);
  g_assert_cmpfloat_with_epsilon(reloaded, accuracy, 1e-15);
  /* The last validation loss plotted is the saved network's cross-entropy on the test
   * split. */
  SphNet net = sph_mlp_net(mlp);
  double acc_again = 0.0, validation = 0.0;
  g_assert_cmpint(sph_net_evaluate(&net, &test, &acc_again, &validation, &err), ==, SPH_OK);
  g_test_message("validation loss plotted %.9g, of the saved model %.9g",
                 epochs[TRAIN_EPOCHS - 1].test_loss,
                 validation);
  g_assert_cmpfloat(fabs(validation - epochs[TRAIN_EPOCHS - 1].test_loss), <=, 1e-6 * validation);
  sph_mlp_free(mlp);
  g_remove(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);

  /* The log-scale action switches the plot's loss axis. */
  g_assert_false(sph_curve_plot_get_log_loss(plot));
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(fx.page), "learn.log-loss", NULL));
  g_assert_true(sph_curve_plot_get_log_loss(plot));

  sph_dataset_clear(&test);
  fixture_close(&fx);
}

/* The CNN trains through the same page; its saved file reproduces the page's accuracy. */
static void test_cnn_one_epoch(void)
{
  Fixture fx;
  fixture_show(&fx);
  g_assert_false(sph_learn_page_set_model(fx.page, "transformer"));
  g_assert_true(sph_learn_page_set_model(fx.page, "cnn"));
  sph_learn_page_set_epochs(fx.page, 1);
  g_assert_true(sph_learn_page_train(fx.page));
  gint64 deadline = g_get_monotonic_time() + WAIT_TIMEOUT_S * G_USEC_PER_SEC;
  while (sph_learn_page_is_training(fx.page)) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_main_context_iteration(NULL, TRUE);
  }
  g_assert_nonnull(strstr(sph_learn_page_get_result_text(fx.page), "Trained the CNN"));
  SphDataset test;
  load_test_split(&test);
  size_t test_size = 0, k = 0, total = 0;
  double accuracy = sph_learn_page_get_test_accuracy(fx.page, &test_size);
  const size_t *counts = sph_confusion_view_get_counts(sph_learn_page_get_confusion_view(fx.page),
                                                       &k);
  g_assert_nonnull(counts);
  for (size_t i = 0; i < k * k; i++)
    total += counts[i];
  g_assert_cmpuint(total, ==, test.n);
  g_assert_cmpuint(test_size, ==, test.n);

  char *dir = g_dir_make_tmp("sph-learn-XXXXXX", NULL);
  char *path = g_build_filename(dir, "digits-cnn.sphm", NULL);
  GError *error = NULL;
  g_assert_true(sph_learn_page_save_model(fx.page, path, &error));
  g_assert_no_error(error);
  SphError err = SPH_ERROR_INIT;
  SphCnn *cnn = sph_cnn_load(path, &err);
  g_assert_nonnull(cnn);
  SphNet net = sph_cnn_net(cnn);
  double reloaded = 0.0;
  g_assert_cmpint(sph_net_accuracy(&net, &test, &reloaded, NULL, &err), ==, SPH_OK);
  g_test_message("CNN, one epoch: test accuracy %.4f (reloaded %.4f)", accuracy, reloaded);
  g_assert_cmpfloat_with_epsilon(reloaded, accuracy, 1e-15);
  sph_cnn_free(cnn);
  g_remove(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
  sph_dataset_clear(&test);
  fixture_close(&fx);
}

static void test_cancel(void)
{
  Fixture fx;
  fixture_show(&fx);
  SphCurvePlot *plot = sph_learn_page_get_curve_plot(fx.page);
  sph_learn_page_set_epochs(fx.page, 500);
  g_assert_true(sph_learn_page_train(fx.page));
  gint64 deadline = g_get_monotonic_time() + WAIT_TIMEOUT_S * G_USEC_PER_SEC;
  while (sph_curve_plot_get_n_epochs(plot) < 1) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_assert_true(sph_learn_page_is_training(fx.page));
    g_main_context_iteration(NULL, TRUE);
  }
  g_assert_true(gtk_widget_activate_action(GTK_WIDGET(fx.page), "learn.cancel", NULL));
  gint64 cancelled_at = g_get_monotonic_time();
  while (sph_learn_page_is_training(fx.page)) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_main_context_iteration(NULL, TRUE);
  }
  g_test_message("stopped %.3f s after Cancel, %zu epochs in",
                 (double)(g_get_monotonic_time() - cancelled_at) / G_USEC_PER_SEC,
                 sph_curve_plot_get_n_epochs(plot));
  g_assert_cmpuint(sph_curve_plot_get_n_epochs(plot), <, 500);
  g_assert_nonnull(strstr(sph_learn_page_get_result_text(fx.page), "Cancelled"));
  g_assert_true(isnan(sph_learn_page_get_test_accuracy(fx.page, NULL)));
  g_assert_null(sph_confusion_view_get_counts(sph_learn_page_get_confusion_view(fx.page), NULL));
  GError *error = NULL;
  g_assert_false(sph_learn_page_save_model(fx.page, "/nonexistent/never.sphm", &error));
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, "train one first"));
  g_clear_error(&error);
  /* Nothing runs now, so there is nothing to cancel. */
  g_assert_false(sph_learn_page_cancel(fx.page));
  fixture_close(&fx);
}

/* The shortcuts window's Learn group lists exactly the keys the page binds: each
 * accelerator there parses to the key and modifiers of one of the page's shortcut
 * triggers, and every trigger is listed. */
static void test_shortcuts_listed(void)
{
  GtkBuilder *builder = gtk_builder_new_from_resource("/org/sphaera/Sphaera/gtk/help-overlay.ui");
  GSList *objects = gtk_builder_get_objects(builder);
  GPtrArray *listed = g_ptr_array_new_with_free_func(g_free);
  for (GSList *o = objects; o != NULL; o = o->next) {
    if (!GTK_IS_SHORTCUTS_SHORTCUT(o->data))
      continue;
    GtkWidget *group = gtk_widget_get_parent(GTK_WIDGET(o->data));
    while (group != NULL && !GTK_IS_SHORTCUTS_GROUP(group))
      group = gtk_widget_get_parent(group);
    g_assert_nonnull(group);
    char *title = NULL, *accel = NULL;
    g_object_get(group, "title", &title, NULL);
    g_object_get(o->data, "accelerator", &accel, NULL);
    if (g_strcmp0(title, "Learn") == 0)
      g_ptr_array_add(listed, g_steal_pointer(&accel));
    g_free(title);
    g_free(accel);
  }
  g_slist_free(objects);
  g_assert_cmpuint(listed->len, ==, 4);

  GtkWidget *page = g_object_ref_sink(sph_learn_page_new());
  GListModel *controllers = gtk_widget_observe_controllers(page);
  guint bound = 0, matched = 0;
  for (guint i = 0; i < g_list_model_get_n_items(controllers); i++) {
    GObject *controller = g_list_model_get_item(controllers, i);
    if (GTK_IS_SHORTCUT_CONTROLLER(controller)) {
      GListModel *shortcuts = G_LIST_MODEL(controller);
      for (guint j = 0; j < g_list_model_get_n_items(shortcuts); j++) {
        GtkShortcut *shortcut = g_list_model_get_item(shortcuts, j);
        GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger(shortcut);
        if (GTK_IS_KEYVAL_TRIGGER(trigger)) {
          bound++;
          guint key = gtk_keyval_trigger_get_keyval(GTK_KEYVAL_TRIGGER(trigger));
          GdkModifierType mods = gtk_keyval_trigger_get_modifiers(GTK_KEYVAL_TRIGGER(trigger));
          for (guint k = 0; k < listed->len; k++) {
            guint lkey;
            GdkModifierType lmods;
            g_assert_true(gtk_accelerator_parse(g_ptr_array_index(listed, k), &lkey, &lmods));
            if (gdk_keyval_to_lower(lkey) == gdk_keyval_to_lower(key) && lmods == mods) {
              matched++;
              break;
            }
          }
        }
        g_object_unref(shortcut);
      }
    }
    g_object_unref(controller);
  }
  g_object_unref(controllers);
  g_assert_cmpuint(bound, ==, 4);
  g_assert_cmpuint(matched, ==, bound);
  g_object_unref(page);
  g_ptr_array_unref(listed);
  g_object_unref(builder);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  /* Xvfb has no GPU: software GL makes every frame slow enough on a busy machine to miss
   * a two-epoch run entirely. Cairo draws the same widgets in a fraction of the time. */
  g_setenv("GSK_RENDERER", "cairo", FALSE);
  if (!gtk_init_check()) {
    g_printerr("test-ui-learn: cannot open a display; run it under xvfb-run\n");
    return 1;
  }
  g_test_add_func("/ui-learn/train-live", test_train_live);
  g_test_add_func("/ui-learn/cnn-one-epoch", test_cnn_one_epoch);
  g_test_add_func("/ui-learn/cancel", test_cancel);
  g_test_add_func("/ui-learn/shortcuts-listed", test_shortcuts_listed);
  return g_test_run();
}
