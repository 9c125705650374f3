/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sphaera [FILE.fits ...]: the desktop workbench. With no file it shows the demo map. */
#include "sph-application.h"

int main(int argc, char **argv)
{
  SphApplication *app = sph_application_new();
  int status = g_application_run(G_APPLICATION(app), argc, argv);
  g_object_unref(app);
  return status;
}
