/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* FFTW's planner is process-wide state and not thread-safe (executing a plan is). Every
 * module that creates or destroys FFTW plans holds this one lock around those calls, so
 * a transform planned in one worker thread cannot corrupt a plan made in another. */
void sph_fftw_planner_lock(void);
void sph_fftw_planner_unlock(void);
