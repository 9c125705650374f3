/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-application.h"

#include "sph-window.h"

#ifndef SPH_DATA_DIR
#define SPH_DATA_DIR ""
#endif
#ifndef SPH_VERSION
#define SPH_VERSION NULL
#endif

struct _SphApplication {
  GtkApplication parent_instance;
};

G_DEFINE_FINAL_TYPE(SphApplication, sph_application, GTK_TYPE_APPLICATION)

char *sph_application_find_data_file(const char *name, GError **error)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
  const char *env = g_getenv("SPHAERA_DATA_DIR");
  if (env != NULL && env[0] != '\0')
    g_ptr_array_add(dirs, g_strdup(env));
  if (SPH_DATA_DIR[0] != '\0')
    g_ptr_array_add(dirs, g_strdup(SPH_DATA_DIR));
  for (const char *const *sys = g_get_system_data_dirs(); *sys != NULL; sys++)
    g_ptr_array_add(dirs, g_build_filename(*sys, "sphaera", NULL));

  for (guint i = 0; i < dirs->len; i++) {
    char *path = g_build_filename(g_ptr_array_index(dirs, i), name, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
      g_ptr_array_unref(dirs);
      return path;
    }
    g_free(path);
  }
  g_ptr_array_add(dirs, NULL);
  char *searched = g_strjoinv(", ", (char **)dirs->pdata);
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
              "%s is not in Sphaera's data directories (%s); set SPHAERA_DATA_DIR to the "
              "folder that holds it", name, searched);
  g_free(searched);
  g_ptr_array_unref(dirs);
  return NULL;
}

static void sph_application_activate(GApplication *application)
{
  SphWindow *window = sph_window_new(GTK_APPLICATION(application));
  gtk_window_present(GTK_WINDOW(window));
  sph_window_open_cmb_demo(window);
}

/* All the files in one new window, as layers in the order given. */
static void sph_application_open(GApplication *application, GFile **files, int n_files,
                                 const char *hint)
{
  (void)hint;
  SphWindow *window = sph_window_new(GTK_APPLICATION(application));
  gtk_window_present(GTK_WINDOW(window));
  for (int i = 0; i < n_files; i++)
    sph_window_open_file(window, files[i]);
}

static void on_quit(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  (void)parameter;
  GApplication *application = data;
  /* Closing the windows lets each drop its running job before the loop ends. */
  GList *windows = g_list_copy(gtk_application_get_windows(GTK_APPLICATION(application)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy(GTK_WINDOW(l->data));
  g_list_free(windows);
  g_application_quit(application);
}

static void on_new_window(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  (void)parameter;
  sph_application_activate(G_APPLICATION(data));
}

static void on_about(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action;
  (void)parameter;
  GtkWindow *parent = gtk_application_get_active_window(GTK_APPLICATION(data));
  static const char *authors[] = { "The Sphaera developers", NULL };
  gtk_show_about_dialog(parent, "program-name", "Sphaera", "version", SPH_VERSION,
                        "comments",
                        "A workbench for physical machine learning on the sphere: HEALPix "
                        "maps, harmonic transforms, wavelets, sampling and explanations.",
                        "license-type", GTK_LICENSE_GPL_3_0, "authors", authors,
                        "logo-icon-name", SPH_APPLICATION_ID, NULL);
}

static void sph_application_startup(GApplication *application)
{
  G_APPLICATION_CLASS(sph_application_parent_class)->startup(application);

  GtkCssProvider *css = gtk_css_provider_new();
  gtk_css_provider_load_from_resource(css, "/org/sphaera/Sphaera/style.css");
  gtk_style_context_add_provider_for_display(gdk_display_get_default(), GTK_STYLE_PROVIDER(css),
                                             GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_unref(css);

  static const GActionEntry entries[] = {
    { .name = "quit", .activate = on_quit },
    { .name = "new-window", .activate = on_new_window },
    { .name = "about", .activate = on_about },
  };
  g_action_map_add_action_entries(G_ACTION_MAP(application), entries, G_N_ELEMENTS(entries),
                                  application);

  static const struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.new-window", { "<Control>n", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.open-demo", { "<Control>d", NULL } },
    { "win.export", { "<Control>e", NULL } },
    { "win.smooth", { "<Control>m", NULL } },
    { "win.cancel-job", { "Escape", NULL } },
    { "win.close", { "<Control>w", NULL } },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(accels); i++)
    gtk_application_set_accels_for_action(GTK_APPLICATION(application), accels[i].action,
                                          accels[i].accels);
}

static void sph_application_class_init(SphApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS(klass);
  app_class->startup = sph_application_startup;
  app_class->activate = sph_application_activate;
  app_class->open = sph_application_open;
}

static void sph_application_init(SphApplication *self)
{
  (void)self;
}

SphApplication *sph_application_new(void)
{
  return g_object_new(SPH_TYPE_APPLICATION, "application-id", SPH_APPLICATION_ID, "flags",
                      G_APPLICATION_HANDLES_OPEN, NULL);
}
