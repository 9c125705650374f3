/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sky view's two speed targets, in a window like the app's:
 *
 *   1. launch to first frame: from the moment the script started this process (--t0, the
 *      epoch seconds it read just before) to the end of the first GL frame showing the
 *      map, read from FITS in a worker thread as the app does (glFinish, so the frame is
 *      really drawn, not only queued);
 *   2. dragging the orthographic globe: a drag driven from the frame clock's tick (the
 *      pointer moving on a circle of 200 widget pixels every frame), counting the frames
 *      the frame clock presents per second and the frames the view draws, then the drag
 *      ends and the sharp frame is timed.
 *
 * Prints "key value" lines (seconds or frames per second) for bench/run-sky-view.sh.
 * Usage: bench-sky-view [--t0 EPOCH_S] [--size WxH] [--drag SECONDS] MAP.fits */
#include <epoxy/gl.h>
#include <gtk/gtk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sph-sky-view.h"
#include "sphaera/fits_map.h"

typedef enum {
  PHASE_LOADING,
  PHASE_FIRST_FRAME,
  PHASE_FULL_MAP,
  PHASE_IDLE,
  PHASE_DRAG_START,
  PHASE_DRAG,
  PHASE_SHARPEN,
  PHASE_DONE
} Phase;

typedef struct {
  double t0;       /* epoch seconds at launch */
  double drag_s;   /* how long to drag */
  int width, height;
  const char *path;
  GtkWidget *window;
  SphSkyView *view;
  Phase phase;
  double t_read_start, t_read_end, t_shown, t_first;
  guint64 frames_at_show;
  double drag_start;
  gint64 clock_frames_at_drag;
  guint64 view_frames_at_drag;
  guint64 view_frames_at_end;
  double drag_end;
  double idle_start;
  guint64 idle_frames;
  gboolean failed;
} Bench;

static double now_s(void)
{
  return (double)g_get_real_time() / G_USEC_PER_SEC;
}

static void read_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancel)
{
  (void)source;
  (void)cancel;
  Bench *bench = task_data;
  bench->t_read_start = now_s();
  SphError err = SPH_ERROR_INIT;
  SphMap *map = sph_fits_read_map(bench->path, NULL, &err);
  bench->t_read_end = now_s();
  if (map == NULL)
    g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", err.message);
  else
    g_task_return_pointer(task, map, (GDestroyNotify)sph_map_free);
}

static void read_done(GObject *source, GAsyncResult *result, gpointer data)
{
  (void)source;
  Bench *bench = data;
  GError *error = NULL;
  SphMap *map = g_task_propagate_pointer(G_TASK(result), &error);
  if (map == NULL) {
    fprintf(stderr, "bench-sky-view: %s\n", error->message);
    g_error_free(error);
    bench->failed = TRUE;
    bench->phase = PHASE_DONE;
    return;
  }
  bench->frames_at_show = sph_sky_view_get_frame_count(bench->view);
  sph_sky_view_set_map(bench->view, map, 0);
  bench->t_shown = now_s();
  bench->phase = PHASE_FIRST_FRAME;
}

/* The GL work queued for the frames drawn so far, finished. */
static void finish_gl(Bench *bench)
{
  if (sph_sky_view_get_renderer(bench->view) != SPH_SKY_RENDERER_GL)
    return;
  gtk_gl_area_make_current(GTK_GL_AREA(bench->view));
  glFinish();
}

/* A view left alone draws nothing: count what it drew in a second of idleness. */
static gboolean end_idle(gpointer data)
{
  Bench *bench = data;
  printf("idle_frames_per_s %.2f\n", (double)(sph_sky_view_get_frame_count(bench->view) -
                                               bench->idle_frames) /
                                        (now_s() - bench->idle_start));
  fflush(stdout);
  bench->phase = PHASE_DRAG_START;
  gtk_widget_queue_draw(GTK_WIDGET(bench->view)); /* a tick to go on from */
  return G_SOURCE_REMOVE;
}

static gboolean on_tick(GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  (void)widget;
  Bench *bench = data;
  guint64 frames = sph_sky_view_get_frame_count(bench->view);
  switch (bench->phase) {
  case PHASE_LOADING:
    return G_SOURCE_CONTINUE;
  case PHASE_FIRST_FRAME: {
    if (frames <= bench->frames_at_show)
      return G_SOURCE_CONTINUE;
    finish_gl(bench);
    double t = now_s();
    printf("renderer %s\n",
           sph_sky_view_get_renderer(bench->view) == SPH_SKY_RENDERER_GL ? "gl" : "cpu");
    printf("read_s %.4f\n", bench->t_read_end - bench->t_read_start);
    printf("set_map_s %.4f\n", bench->t_shown - bench->t_read_end);
    printf("first_draw_s %.4f\n", t - bench->t_shown);
    if (bench->t0 > 0.0)
      printf("launch_to_first_frame_s %.4f\n", t - bench->t0);
    fflush(stdout);
    bench->t_first = t;
    bench->phase = PHASE_FULL_MAP;
    return G_SOURCE_CONTINUE;
  }
  case PHASE_FULL_MAP: {
    /* A large map shows a preview first; the drag starts once all of it is in. */
    if (sph_sky_view_get_values_uploads(bench->view) == 0 &&
        sph_sky_view_get_renderer(bench->view) == SPH_SKY_RENDERER_GL)
      return G_SOURCE_CONTINUE;
    finish_gl(bench);
    printf("full_map_after_first_frame_s %.4f\n", now_s() - bench->t_first);
    fflush(stdout);
    bench->idle_start = now_s();
    bench->idle_frames = frames;
    bench->phase = PHASE_IDLE;
    g_timeout_add(1000, end_idle, bench);
    return G_SOURCE_CONTINUE;
  }
  case PHASE_IDLE:
    return G_SOURCE_CONTINUE;
  case PHASE_DRAG_START: {
    if (bench->drag_s <= 0.0) {
      bench->phase = PHASE_DONE;
      return G_SOURCE_REMOVE;
    }
    sph_sky_view_set_projection_kind(bench->view, SPH_PROJ_ORTHOGRAPHIC);
    sph_sky_view_drag_begin(bench->view, bench->width / 2.0, bench->height / 2.0);
    bench->drag_start = now_s();
    bench->clock_frames_at_drag = gdk_frame_clock_get_frame_counter(clock);
    bench->view_frames_at_drag = frames;
    bench->phase = PHASE_DRAG;
    return G_SOURCE_CONTINUE;
  }
  case PHASE_DRAG: {
    double t = now_s() - bench->drag_start;
    if (t < bench->drag_s) {
      /* A pointer going round a circle, a turn every two seconds. */
      double a = G_PI * t;
      sph_sky_view_drag_to(bench->view, 200.0 * sin(a), 200.0 * (1.0 - cos(a)));
      return G_SOURCE_CONTINUE;
    }
    double clock_fps =
      (double)(gdk_frame_clock_get_frame_counter(clock) - bench->clock_frames_at_drag) / t;
    double view_fps = (double)(frames - bench->view_frames_at_drag) / t;
    printf("drag_clock_fps %.2f\n", clock_fps);
    printf("drag_view_fps %.2f\n", view_fps);
    fflush(stdout);
    sph_sky_view_drag_end(bench->view);
    bench->drag_end = now_s();
    bench->view_frames_at_end = frames;
    bench->phase = PHASE_SHARPEN;
    return G_SOURCE_CONTINUE;
  }
  case PHASE_SHARPEN:
    if (frames <= bench->view_frames_at_end)
      return G_SOURCE_CONTINUE;
    finish_gl(bench);
    printf("sharpen_s %.4f\n", now_s() - bench->drag_end);
    fflush(stdout);
    bench->phase = PHASE_DONE;
    return G_SOURCE_REMOVE;
  case PHASE_DONE:
  default:
    return G_SOURCE_REMOVE;
  }
}

static gboolean parse_size(const char *text, int *width, int *height)
{
  return sscanf(text, "%dx%d", width, height) == 2 && *width > 0 && *height > 0;
}

int main(int argc, char **argv)
{
  Bench bench = { .width = 1280, .height = 800, .drag_s = 5.0, .phase = PHASE_LOADING };
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--t0") == 0 && i + 1 < argc)
      bench.t0 = g_ascii_strtod(argv[++i], NULL);
    else if (strcmp(argv[i], "--drag") == 0 && i + 1 < argc)
      bench.drag_s = g_ascii_strtod(argv[++i], NULL);
    else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
      if (!parse_size(argv[++i], &bench.width, &bench.height)) {
        fprintf(stderr, "bench-sky-view: --size wants WxH, got %s\n", argv[i]);
        return 2;
      }
    } else if (argv[i][0] != '-' && bench.path == NULL)
      bench.path = argv[i];
    else {
      fprintf(stderr, "usage: bench-sky-view [--t0 EPOCH_S] [--size WxH] [--drag S] MAP.fits\n");
      return 2;
    }
  }
  if (bench.path == NULL) {
    fprintf(stderr, "usage: bench-sky-view [--t0 EPOCH_S] [--size WxH] [--drag S] MAP.fits\n");
    return 2;
  }

  gtk_init();
  /* The read starts before the window exists, as the app starts it on launch. */
  GTask *task = g_task_new(NULL, NULL, read_done, &bench);
  g_task_set_task_data(task, &bench, NULL);
  g_task_run_in_thread(task, read_thread);
  g_object_unref(task);

  bench.window = gtk_window_new();
  gtk_window_set_decorated(GTK_WINDOW(bench.window), FALSE);
  gtk_window_set_resizable(GTK_WINDOW(bench.window), FALSE);
  bench.view = SPH_SKY_VIEW(sph_sky_view_new());
  gtk_widget_set_size_request(GTK_WIDGET(bench.view), bench.width, bench.height);
  gtk_window_set_child(GTK_WINDOW(bench.window), GTK_WIDGET(bench.view));
  gtk_widget_add_tick_callback(GTK_WIDGET(bench.view), on_tick, &bench, NULL);
  gtk_window_present(GTK_WINDOW(bench.window));

  while (bench.phase != PHASE_DONE)
    g_main_context_iteration(NULL, TRUE);
  gtk_window_destroy(GTK_WINDOW(bench.window));
  while (g_main_context_iteration(NULL, FALSE))
    ;
  return bench.failed ? 1 : 0;
}
