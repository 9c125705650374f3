/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <epoxy/gl.h>
#include <glib.h>

G_BEGIN_DECLS

/* A linked GL program from a vertex and a fragment shader stored in the GResource,
 * each prefixed with header (the #version line and precision statements, which differ
 * between GLSL 1.50 and GLSL ES 3.00). The current GL context must be the one to use
 * it. 0 with error set (the driver's log included) on failure. */
GLuint sph_gl_program_from_resources(const char *header, const char *vertex_resource,
                                     const char *fragment_resource, GError **error);

G_END_DECLS
