/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-wavelet-page.h"

#include <math.h>
#include <string.h>

#include "sph-job-status.h"
#include "sphaera/mem.h"

#define POLL_MS 100
#define IMAGE_MAX_SIDE 256

struct _SphWaveletPage {
  GtkBox parent_instance;
  GtkSpinButton *b_spin, *jmin_spin, *l_spin, *n_spin, *plane_j_spin, *orientations_spin;
  GtkDropDown *oversample_dropdown;
  SphJobStatus *job_status;
  SphKernelPlot *kernel_plot;
  SphScatteringPlot *scattering_plot;
  SphCoefficientGrid *grid;
  GtkLabel *heading_label;

  SphSkyPage *sky; /* weak */
  SphJob *job;
  SphWaveletWork *result;
  SphStatus last_status;
  char *source_title;   /* the map's or image's name, for the layer titles */
  char *running_title;
  gboolean disposed;
};

G_DEFINE_FINAL_TYPE(SphWaveletPage, sph_wavelet_page, GTK_TYPE_BOX)

static void update_actions(SphWaveletPage *self)
{
  GtkWidget *w = GTK_WIDGET(self);
  gtk_widget_action_set_enabled(w, "wavelets.compute", self->job == NULL);
  gtk_widget_action_set_enabled(w, "wavelets.open-image", self->job == NULL);
  gtk_widget_action_set_enabled(w, "wavelets.demo-image", self->job == NULL);
  gtk_widget_action_set_enabled(w, "wavelets.cancel", self->job != NULL);
}

static SphSkyPage *find_sky_page(SphWaveletPage *self)
{
  if (self->sky != NULL)
    return self->sky;
  GtkWidget *stack = gtk_widget_get_ancestor(GTK_WIDGET(self), GTK_TYPE_STACK);
  if (stack == NULL)
    return NULL;
  GtkWidget *sky = gtk_stack_get_child_by_name(GTK_STACK(stack), "sky");
  return sky != NULL && SPH_IS_SKY_PAGE(sky) ? SPH_SKY_PAGE(sky) : NULL;
}

void sph_wavelet_page_set_sky_page(SphWaveletPage *self, SphSkyPage *sky)
{
  g_return_if_fail(SPH_IS_WAVELET_PAGE(self));
  if (self->sky != NULL)
    g_object_remove_weak_pointer(G_OBJECT(self->sky), (gpointer *)&self->sky);
  self->sky = sky;
  if (sky != NULL)
    g_object_add_weak_pointer(G_OBJECT(sky), (gpointer *)&self->sky);
}

static int oversample_value(SphWaveletPage *self)
{
  return gtk_drop_down_get_selected(self->oversample_dropdown) == 1 ? 2 : 1;
}

/* The kernel plot follows the controls at once: the kernels are cheap. */
static void refresh_kernels(SphWaveletPage *self, int L)
{
  SphError err = SPH_ERROR_INIT;
  double B = gtk_spin_button_get_value(self->b_spin);
  int j_min = gtk_spin_button_get_value_as_int(self->jmin_spin);
  SphWaveletKernels *k = sph_wavelet_kernels_new(B, L, j_min, &err);
  sph_kernel_plot_set_kernels(self->kernel_plot, k);
  if (k == NULL && self->job == NULL)
    sph_job_status_finish(self->job_status, NULL, err.message);
  sph_wavelet_kernels_free(k);
}

static void on_control_changed(GtkSpinButton *spin, gpointer data)
{
  (void)spin;
  SphWaveletPage *self = data;
  refresh_kernels(self, gtk_spin_button_get_value_as_int(self->l_spin));
}

void sph_wavelet_page_configure(SphWaveletPage *self, double B, int j_min, int L,
                                int oversample)
{
  g_return_if_fail(SPH_IS_WAVELET_PAGE(self));
  gtk_spin_button_set_value(self->b_spin, B);
  gtk_spin_button_set_value(self->jmin_spin, j_min);
  gtk_spin_button_set_value(self->l_spin, L);
  gtk_drop_down_set_selected(self->oversample_dropdown, oversample == 2 ? 1 : 0);
  refresh_kernels(self, gtk_spin_button_get_value_as_int(self->l_spin));
}

void sph_wavelet_page_set_directions(SphWaveletPage *self, int N)
{
  g_return_if_fail(SPH_IS_WAVELET_PAGE(self));
  gtk_spin_button_set_value(self->n_spin, N);
}

void sph_wavelet_page_configure_plane(SphWaveletPage *self, int J, int orientations)
{
  g_return_if_fail(SPH_IS_WAVELET_PAGE(self));
  gtk_spin_button_set_value(self->plane_j_spin, J);
  gtk_spin_button_set_value(self->orientations_spin, orientations);
}

static GdkTexture *thumb_texture(const SphWaveletThumb *t)
{
  GBytes *bytes = g_bytes_new(t->rgba, (gsize)t->width * t->height * 4);
  GdkTexture *texture = gdk_memory_texture_new(t->width, t->height, GDK_MEMORY_R8G8B8A8, bytes,
                                               (gsize)t->width * 4);
  g_bytes_unref(bytes);
  return texture;
}

static void show_result(SphWaveletPage *self)
{
  const SphWaveletWork *r = self->result;
  sph_coefficient_grid_clear(self->grid);
  for (int i = 0; i < r->nthumbs; i++) {
    GdkTexture *texture = thumb_texture(&r->thumbs[i]);
    sph_coefficient_grid_append(self->grid, texture, r->thumbs[i].caption, r->thumbs[i].tooltip);
    g_object_unref(texture);
  }
  char *heading, *title;
  if (r->kind == SPH_WAVELET_WORK_SPHERE) {
    refresh_kernels(self, r->L_used);
    char *bands = r->ndirections > 1
                      ? g_strdup_printf("N = %d: %d scales × %d directions + scaling = %d maps",
                                        r->N, r->nbands - 1, r->ndirections, r->nmaps)
                      : g_strdup_printf("%d bands", r->nbands);
    heading = g_strdup_printf(
        "%s: NSIDE %lld, band limit L = %d, B = %g, J_min = %d, %s (click one to open "
        "it in the sky view); %lld %sscattering coefficients to order %d%s%s, S0 = %.4g",
        self->source_title, (long long)r->nside_used, r->L_used, r->B, r->j_min, bands,
        (long long)r->ncoeffs, r->ndirections > 1 ? "axisymmetric " : "", r->max_order,
        r->oversample == 2 ? " (modulus on the 2× grid)" : "",
        r->max_order < 2 ? " (too many scales for the second order: raise B)" : "", r->s0);
    title = g_strdup_printf("Spherical scattering of %s", self->source_title);
    g_free(bands);
  } else {
    heading = g_strdup_printf(
        "%s: %lld × %lld pixels, Morlet bank J = %d, %d orientations (reflecting boundary): "
        "%lld scattering coefficients, S0 = %.4g; the plots average over orientations",
        self->source_title, (long long)r->image->height, (long long)r->image->width, r->J,
        r->orientations, (long long)r->ncoeffs, r->s0);
    title = g_strdup_printf("Planar scattering of %s", self->source_title);
  }
  gtk_label_set_text(self->heading_label, heading);
  sph_scattering_plot_set(self->scattering_plot, title, r->j_lo, r->nj, r->first, r->second);
  g_free(heading);
  g_free(title);
}

typedef struct {
  SphJob *job;
  SphWaveletWork *work;
  SphStatus status;
  char message[512];
} WaveletRequest;

static void wavelet_request_free(gpointer data)
{
  WaveletRequest *r = data;
  sph_job_unref(r->job);
  sph_wavelet_work_free(r->work);
  g_free(r);
}

static void wavelet_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
  (void)source;
  (void)cancel;
  WaveletRequest *r = data;
  SphError err = SPH_ERROR_INIT;
  r->status = sph_wavelet_work_run(r->work, r->job, &err);
  if (r->status != SPH_OK)
    g_strlcpy(r->message, err.message, sizeof r->message);
  g_task_return_boolean(task, TRUE);
}

static void wavelet_done(GObject *source, GAsyncResult *res, gpointer data)
{
  (void)data;
  SphWaveletPage *self = SPH_WAVELET_PAGE(source);
  WaveletRequest *r = g_task_get_task_data(G_TASK(res));
  g_task_propagate_boolean(G_TASK(res), NULL);
  g_clear_pointer(&self->job, sph_job_unref);
  self->last_status = r->status;
  if (self->disposed)
    return;
  char *message;
  if (r->status == SPH_OK) {
    sph_wavelet_work_free(self->result);
    self->result = r->work;
    r->work = NULL;
    g_free(self->source_title);
    self->source_title = g_strdup(self->running_title);
    show_result(self);
    message = g_strdup_printf("Computed the wavelets of %s", self->source_title);
  } else if (r->status == SPH_ERR_CANCELLED) {
    message = g_strdup("Cancelled: the last result is still shown");
  } else {
    message = g_strdup_printf("The wavelet transform failed: %s", r->message);
  }
  sph_job_status_finish(self->job_status, r->job, message);
  g_free(message);
  update_actions(self);
}

static void start(SphWaveletPage *self, SphWaveletWork *work, const char *title)
{
  WaveletRequest *r = g_new0(WaveletRequest, 1);
  r->work = work;
  r->job = sph_job_new();
  self->job = sph_job_ref(r->job);
  g_free(self->running_title);
  self->running_title = g_strdup(title);
  char *status = g_strdup_printf("Wavelets of %s", title);
  sph_job_status_watch(self->job_status, r->job, status);
  g_free(status);
  GTask *task = g_task_new(self, NULL, wavelet_done, NULL);
  g_task_set_name(task, "sphaera: wavelets");
  g_task_set_task_data(task, r, wavelet_request_free);
  g_task_run_in_thread(task, wavelet_thread);
  g_object_unref(task);
  update_actions(self);
}

gboolean sph_wavelet_page_compute(SphWaveletPage *self)
{
  g_return_val_if_fail(SPH_IS_WAVELET_PAGE(self), FALSE);
  if (self->job != NULL)
    return FALSE;
  SphSkyPage *sky = find_sky_page(self);
  const SphMap *map = sky != NULL ? sph_sky_view_get_map(sph_sky_page_get_view(sky)) : NULL;
  if (map == NULL) {
    sph_job_status_finish(self->job_status, NULL,
                          "No map: open one in the Sky page first (or open a planar image)");
    return FALSE;
  }
  int field = sph_sky_view_get_field(sph_sky_page_get_view(sky));
  if (field < 0 || field >= map->nfields)
    field = 0;
  SphError err = SPH_ERROR_INIT;
  SphMap *copy = sph_map_new_uninit(map->nside, map->ordering, 1, &err);
  if (copy == NULL) {
    sph_job_status_finish(self->job_status, NULL, err.message);
    return FALSE;
  }
  copy->coordsys = map->coordsys;
  memcpy(copy->fields[0].values, map->fields[field].values, sizeof(double) * (size_t)map->npix);
  sph_map_set_field_name(copy, 0, map->fields[field].name);
  sph_map_set_field_unit(copy, 0, map->fields[field].unit);
  SphWaveletWork *work = sph_wavelet_work_new_sphere(
      copy, gtk_spin_button_get_value(self->b_spin),
      gtk_spin_button_get_value_as_int(self->jmin_spin),
      gtk_spin_button_get_value_as_int(self->l_spin), oversample_value(self));
  if (work == NULL)
    return FALSE;
  sph_wavelet_work_set_directions(work, gtk_spin_button_get_value_as_int(self->n_spin));
  const char *title = sph_sky_page_get_title(sky);
  char *name = g_strdup_printf("%s [%s]", title != NULL && *title ? title : "map",
                               map->fields[field].name);
  start(self, work, name);
  g_free(name);
  return TRUE;
}

/* Rec. 709 luma of the decoded pixels, in [0, 1]. */
static SphImage *luminance_image(GdkPixbuf *pixbuf, GError **error)
{
  int w = gdk_pixbuf_get_width(pixbuf), h = gdk_pixbuf_get_height(pixbuf);
  int channels = gdk_pixbuf_get_n_channels(pixbuf), stride = gdk_pixbuf_get_rowstride(pixbuf);
  if (gdk_pixbuf_get_bits_per_sample(pixbuf) != 8 || channels < 3) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                "only 8-bit RGB images can be analysed");
    return NULL;
  }
  SphError err = SPH_ERROR_INIT;
  SphImage *image = sph_image_new(h, w, &err);
  if (image == NULL) {
    g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, err.message);
    return NULL;
  }
  const guint8 *pixels = gdk_pixbuf_read_pixels(pixbuf);
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      const guint8 *p = pixels + (gsize)y * stride + (gsize)x * channels;
      image->data[(gsize)y * w + x] = (0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2]) / 255.0;
    }
  }
  return image;
}

gboolean sph_wavelet_page_open_image(SphWaveletPage *self, const char *path, GError **error)
{
  g_return_val_if_fail(SPH_IS_WAVELET_PAGE(self), FALSE);
  if (self->job != NULL) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_BUSY, "a wavelet computation is running");
    return FALSE;
  }
  GError *local = NULL;
  GdkPixbuf *pixbuf =
      gdk_pixbuf_new_from_file_at_scale(path, IMAGE_MAX_SIDE, IMAGE_MAX_SIDE, TRUE, &local);
  SphImage *image = pixbuf != NULL ? luminance_image(pixbuf, &local) : NULL;
  g_clear_object(&pixbuf);
  if (image == NULL) {
    char *base = g_path_get_basename(path);
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", base, local->message);
    sph_job_status_finish(self->job_status, NULL, (*error)->message);
    g_free(base);
    g_error_free(local);
    return FALSE;
  }
  SphWaveletWork *work =
      sph_wavelet_work_new_plane(image, gtk_spin_button_get_value_as_int(self->plane_j_spin),
                                 gtk_spin_button_get_value_as_int(self->orientations_spin));
  if (work == NULL)
    return FALSE;
  char *base = g_path_get_basename(path);
  start(self, work, base);
  g_free(base);
  return TRUE;
}

void sph_wavelet_page_cancel(SphWaveletPage *self)
{
  g_return_if_fail(SPH_IS_WAVELET_PAGE(self));
  if (self->job != NULL)
    sph_job_cancel(self->job);
}

gboolean sph_wavelet_page_is_running(SphWaveletPage *self)
{
  g_return_val_if_fail(SPH_IS_WAVELET_PAGE(self), FALSE);
  return self->job != NULL;
}

SphStatus sph_wavelet_page_get_last_status(SphWaveletPage *self)
{
  g_return_val_if_fail(SPH_IS_WAVELET_PAGE(self), SPH_ERR_INVALID);
  return self->last_status;
}

const SphWaveletWork *sph_wavelet_page_get_result(SphWaveletPage *self)
{
  g_return_val_if_fail(SPH_IS_WAVELET_PAGE(self), NULL);
  return self->result;
}

SphKernelPlot *sph_wavelet_page_get_kernel_plot(SphWaveletPage *self)
{
  g_return_val_if_fail(SPH_IS_WAVELET_PAGE(self), NULL);
  return self->kernel_plot;
}

SphCoefficientGrid *sph_wavelet_page_get_grid(SphWaveletPage *self)
{
  g_return_val_if_fail(SPH_IS_WAVELET_PAGE(self), NULL);
  return self->grid;
}

SphScatteringPlot *sph_wavelet_page_get_scattering_plot(SphWaveletPage *self)
{
  g_return_val_if_fail(SPH_IS_WAVELET_PAGE(self), NULL);
  return self->scattering_plot;
}

/* A click on a sphere band opens a copy of its map as a Sky page layer and shows it. */
static void on_grid_activated(SphCoefficientGrid *grid, guint index, gpointer data)
{
  (void)grid;
  SphWaveletPage *self = data;
  const SphWaveletWork *r = self->result;
  if (r == NULL || r->kind != SPH_WAVELET_WORK_SPHERE || (int)index >= r->nmaps)
    return;
  SphSkyPage *sky = find_sky_page(self);
  if (sky == NULL)
    return;
  SphError err = SPH_ERROR_INIT;
  SphMap *copy = sph_map_copy(r->bands[index], &err);
  if (copy == NULL) {
    sph_job_status_finish(self->job_status, NULL, err.message);
    return;
  }
  char *title = g_strdup_printf("%s %s (B %g, L %d)", self->source_title,
                                index == 0 ? "scaling" : r->thumbs[index].caption, r->B,
                                r->L_used);
  sph_sky_page_add_map(sky, copy, title);
  g_free(title);
  GtkWidget *stack = gtk_widget_get_ancestor(GTK_WIDGET(sky), GTK_TYPE_STACK);
  if (stack != NULL)
    gtk_stack_set_visible_child(GTK_STACK(stack), GTK_WIDGET(sky));
}

static void open_response(GtkNativeDialog *dialog, int response, gpointer data)
{
  SphWaveletPage *self = data;
  if (response == GTK_RESPONSE_ACCEPT) {
    GFile *file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(dialog));
    char *path = file != NULL ? g_file_get_path(file) : NULL;
    GError *error = NULL;
    if (path != NULL && !sph_wavelet_page_open_image(self, path, &error))
      g_clear_error(&error); /* the status line shows it */
    g_free(path);
    g_clear_object(&file);
  }
  gtk_native_dialog_destroy(dialog);
  g_object_unref(dialog);
  g_object_unref(self);
}

static void open_image_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void)name;
  (void)param;
  GtkRoot *root = gtk_widget_get_root(widget);
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new(
      "Open a planar image", GTK_IS_WINDOW(root) ? GTK_WINDOW(root) : NULL,
      GTK_FILE_CHOOSER_ACTION_OPEN, "_Open", "_Cancel");
  GtkFileFilter *filter = gtk_file_filter_new();
  gtk_file_filter_set_name(filter, "PNG and JPEG images");
  gtk_file_filter_add_mime_type(filter, "image/png");
  gtk_file_filter_add_mime_type(filter, "image/jpeg");
  gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(dialog), filter);
  g_object_unref(filter);
  gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(dialog), TRUE);
  g_signal_connect(dialog, "response", G_CALLBACK(open_response), g_object_ref(widget));
  gtk_native_dialog_show(GTK_NATIVE_DIALOG(dialog));
}

static void demo_image_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void)name;
  (void)param;
  const char *dir = g_getenv("SPHAERA_DATA_DIR");
  char *path = g_build_filename(dir != NULL ? dir : SPH_DATA_DIR, "hubble_deep_field_256.jpg",
                                NULL);
  GError *error = NULL;
  if (!sph_wavelet_page_open_image(SPH_WAVELET_PAGE(widget), path, &error))
    g_clear_error(&error);
  g_free(path);
}

static void compute_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void)name;
  (void)param;
  sph_wavelet_page_compute(SPH_WAVELET_PAGE(widget));
}

static void cancel_action(GtkWidget *widget, const char *name, GVariant *param)
{
  (void)name;
  (void)param;
  sph_wavelet_page_cancel(SPH_WAVELET_PAGE(widget));
}

GtkWidget *sph_wavelet_page_new(void)
{
  return g_object_new(SPH_TYPE_WAVELET_PAGE, NULL);
}

static void sph_wavelet_page_dispose(GObject *object)
{
  SphWaveletPage *self = SPH_WAVELET_PAGE(object);
  self->disposed = TRUE;
  if (self->job != NULL)
    sph_job_cancel(self->job);
  sph_wavelet_page_set_sky_page(self, NULL);
  gtk_widget_dispose_template(GTK_WIDGET(self), SPH_TYPE_WAVELET_PAGE);
  G_OBJECT_CLASS(sph_wavelet_page_parent_class)->dispose(object);
}

static void sph_wavelet_page_finalize(GObject *object)
{
  SphWaveletPage *self = SPH_WAVELET_PAGE(object);
  g_clear_pointer(&self->job, sph_job_unref);
  sph_wavelet_work_free(self->result);
  g_free(self->source_title);
  g_free(self->running_title);
  G_OBJECT_CLASS(sph_wavelet_page_parent_class)->finalize(object);
}

static void sph_wavelet_page_class_init(SphWaveletPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = sph_wavelet_page_dispose;
  object_class->finalize = sph_wavelet_page_finalize;
  g_type_ensure(SPH_TYPE_JOB_STATUS);
  g_type_ensure(SPH_TYPE_KERNEL_PLOT);
  g_type_ensure(SPH_TYPE_SCATTERING_PLOT);
  g_type_ensure(SPH_TYPE_COEFFICIENT_GRID);
  gtk_widget_class_set_template_from_resource(widget_class,
                                              "/org/sphaera/Sphaera/ui/sph-wavelet-page.ui");
  gtk_widget_class_bind_template_child(widget_class, SphWaveletPage, b_spin);
  gtk_widget_class_bind_template_child(widget_class, SphWaveletPage, jmin_spin);
  gtk_widget_class_bind_template_child(widget_class, SphWaveletPage, l_spin);
  gtk_widget_class_bind_template_child(widget_class, SphWaveletPage, n_spin);
  gtk_widget_class_bind_template_child(widget_class, SphWaveletPage, oversample_dropdown);
  gtk_widget_class_bind_template_child(widget_class, SphWaveletPage, plane_j_spin);
  gtk_widget_class_bind_template_child(widget_class, SphWaveletPage, orientations_spin);
  gtk_widget_class_bind_template_child(widget_class, SphWaveletPage, job_status);
  gtk_widget_class_bind_template_child(widget_class, SphWaveletPage, kernel_plot);
  gtk_widget_class_bind_template_child(widget_class, SphWaveletPage, scattering_plot);
  gtk_widget_class_bind_template_child(widget_class, SphWaveletPage, grid);
  gtk_widget_class_bind_template_child(widget_class, SphWaveletPage, heading_label);
  gtk_widget_class_install_action(widget_class, "wavelets.compute", NULL, compute_action);
  gtk_widget_class_install_action(widget_class, "wavelets.cancel", NULL, cancel_action);
  gtk_widget_class_install_action(widget_class, "wavelets.open-image", NULL, open_image_action);
  gtk_widget_class_install_action(widget_class, "wavelets.demo-image", NULL, demo_image_action);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                      "wavelets.compute", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_period, GDK_CONTROL_MASK,
                                      "wavelets.cancel", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_O, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                      "wavelets.open-image", NULL);
  gtk_widget_class_add_binding_action(widget_class, GDK_KEY_H, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                      "wavelets.demo-image", NULL);
}

static void sph_wavelet_page_init(SphWaveletPage *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  g_signal_connect(self->b_spin, "value-changed", G_CALLBACK(on_control_changed), self);
  g_signal_connect(self->jmin_spin, "value-changed", G_CALLBACK(on_control_changed), self);
  g_signal_connect(self->l_spin, "value-changed", G_CALLBACK(on_control_changed), self);
  g_signal_connect(self->grid, "activated", G_CALLBACK(on_grid_activated), self);
  refresh_kernels(self, gtk_spin_button_get_value_as_int(self->l_spin));
  update_actions(self);
}
