/*
 * interp.h - the software-CPU back ends: "interp" (the reference
 * interpreter, cpu/) and "tcg" (tcg-lite plus the interpreter; until
 * tcg-lite exists it is the interpreter under that name).
 */
#ifndef VIREO_ACCEL_INTERP_H
#define VIREO_ACCEL_INTERP_H

#include "accel/accel.h"

extern const struct accel_ops accel_interp_ops;
extern const struct accel_ops accel_tcg_ops;

#endif
