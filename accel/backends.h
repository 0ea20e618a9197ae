/*
 * backends.h - the ops tables of the built-in accelerator back ends, for
 * the registry in accel.c only (everything else finds them by name with
 * accel_find).  Optional back ends are whole files CMake leaves out; the
 * registry names them under the matching VIREO_HAVE_* definition.
 */
#ifndef VIREO_ACCEL_BACKENDS_H
#define VIREO_ACCEL_BACKENDS_H

#include "accel/accel.h"
#include "accel/interp.h"

extern const struct accel_ops accel_null_ops;
#ifdef VIREO_HAVE_KVM
extern const struct accel_ops accel_kvm_ops;
#endif

#endif
