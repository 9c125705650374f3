/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sph-gl-program.h"

#include <gdk/gdk.h>
#include <string.h>

static GLuint compile_shader(GLenum type, const char *header, const char *resource,
                             GError **error)
{
  GBytes *bytes = g_resources_lookup_data(resource, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return 0;
  gsize size;
  const char *body = g_bytes_get_data(bytes, &size);
  const GLchar *sources[2] = { header, body };
  const GLint lengths[2] = { (GLint)strlen(header), (GLint)size };
  GLuint shader = glCreateShader(type);
  glShaderSource(shader, 2, sources, lengths);
  glCompileShader(shader);
  g_bytes_unref(bytes);

  GLint ok = GL_FALSE;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (ok != GL_TRUE) {
    GLint log_length = 0;
    glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &log_length);
    char *log = g_malloc0((gsize)MAX(log_length, 1));
    glGetShaderInfoLog(shader, MAX(log_length, 1), NULL, log);
    g_set_error(error, GDK_GL_ERROR, GDK_GL_ERROR_COMPILATION_FAILED,
                "compiling %s: %s", resource, log);
    g_free(log);
    glDeleteShader(shader);
    return 0;
  }
  return shader;
}

GLuint sph_gl_program_from_resources(const char *header, const char *vertex_resource,
                                     const char *fragment_resource, GError **error)
{
  GLuint vertex = compile_shader(GL_VERTEX_SHADER, header, vertex_resource, error);
  if (vertex == 0)
    return 0;
  GLuint fragment = compile_shader(GL_FRAGMENT_SHADER, header, fragment_resource, error);
  if (fragment == 0) {
    glDeleteShader(vertex);
    return 0;
  }
  GLuint program = glCreateProgram();
  glAttachShader(program, vertex);
  glAttachShader(program, fragment);
  glLinkProgram(program);
  glDetachShader(program, vertex);
  glDetachShader(program, fragment);
  glDeleteShader(vertex);
  glDeleteShader(fragment);

  GLint ok = GL_FALSE;
  glGetProgramiv(program, GL_LINK_STATUS, &ok);
  if (ok != GL_TRUE) {
    GLint log_length = 0;
    glGetProgramiv(program, GL_INFO_LOG_LENGTH, &log_length);
    char *log = g_malloc0((gsize)MAX(log_length, 1));
    glGetProgramInfoLog(program, MAX(log_length, 1), NULL, log);
    g_set_error(error, GDK_GL_ERROR, GDK_GL_ERROR_LINK_FAILED, "linking %s and %s: %s",
                vertex_resource, fragment_resource, log);
    g_free(log);
    glDeleteProgram(program);
    return 0;
  }
  return program;
}
