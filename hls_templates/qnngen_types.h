// qnngen_types.h: the Vitis HLS types every generated file uses (ap_uint / ap_int, hls::stream).
// Part of qnngen's hls_templates, copied unchanged into OUT/hls.
//
// The C models of ap_int read a word before setting it in their default constructors (HLS types
// have no reset value); g++ reports that wherever it inlines them, so the includes below are
// wrapped to keep the -Wall -Wextra build of the generated code free of the headers' warnings.
// Vitis HLS takes the same file unchanged (its clang front end ignores these GCC pragmas' effect
// on synthesis).
#ifndef QNNGEN_TYPES_H
#define QNNGEN_TYPES_H

#include <stdint.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <ap_int.h>
#include <hls_stream.h>
#pragma GCC diagnostic pop

#endif
