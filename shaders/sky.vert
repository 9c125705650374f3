/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One triangle covering the viewport; the fragment shader does all the work.
 * The #version line is prepended at run time (GLSL 1.50 core or GLSL ES 3.00). */

void main()
{
  vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
