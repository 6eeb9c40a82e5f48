// qnngen_npy.h: testbench I/O, not synthesised. Frames of packed beats as uint32 .npy arrays
// (frames, beats, words per beat), beat b's bit i in word i / 32 at bit i % 32 (what
// qnngen.packing.pack_beats writes), moved in and out of hls::stream<ap_uint<W> > one frame at a time.
// Part of qnngen's hls_templates, copied unchanged into OUT/hls.
#ifndef QNNGEN_NPY_H
#define QNNGEN_NPY_H

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "qnngen_types.h"

//! a C-order uint32 array read from or written to a .npy file
struct NpyWords {
  std::vector<size_t> shape;
  std::vector<uint32_t> data;
};

//! 32-bit words holding one beat of W bits
template <int W>
size_t words_per_beat() {
  return (W + 31) / 32;
}

//! read a little-endian uint32 C-order .npy file; false (with a message) when it is not one
inline bool npy_read(const char *path, NpyWords &a) {
  FILE *f = std::fopen(path, "rb");
  if (f == NULL) {
    std::fprintf(stderr, "%s: cannot open\n", path);
    return false;
  }
  unsigned char pre[10];
  bool ok = std::fread(pre, 1, 10, f) == 10 && std::memcmp(pre, "\x93NUMPY", 6) == 0;
  size_t header_len = ok ? pre[8] | (pre[9] << 8) : 0;
  if (ok && pre[6] >= 2) {
    unsigned char more[2];
    ok = std::fread(more, 1, 2, f) == 2;
    header_len |= static_cast<size_t>(more[0]) << 16 | static_cast<size_t>(more[1]) << 24;
  }
  std::string header(header_len, ' ');
  ok = ok && std::fread(&header[0], 1, header_len, f) == header_len;
  ok = ok && header.find("'descr': '<u4'") != std::string::npos;
  ok = ok && header.find("'fortran_order': False") != std::string::npos;
  size_t pos = header.find("'shape': (");
  ok = ok && pos != std::string::npos;
  a.shape.clear();
  size_t count = 1;
  if (ok) {
    const char *p = header.c_str() + pos + 10;
    while (*p != ')') {
      char *end;
      unsigned long d = std::strtoul(p, &end, 10);
      if (end == p) {
        break;
      }
      a.shape.push_back(d);
      count *= d;
      p = end;
      while (*p == ',' || *p == ' ') {
        p++;
      }
    }
  }
  a.data.resize(ok ? count : 0);
  ok = ok && std::fread(a.data.data(), sizeof(uint32_t), count, f) == count;
  std::fclose(f);
  if (!ok) {
    std::fprintf(stderr, "%s: not a uint32 C-order .npy array\n", path);
  }
  return ok;
}

//! write a uint32 C-order .npy file (format 1.0)
inline bool npy_write(const char *path, const NpyWords &a) {
  std::string header = "{'descr': '<u4', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < a.shape.size(); i++) {
    header += std::to_string(a.shape[i]) + (a.shape.size() == 1 ? ",)" : (i + 1 < a.shape.size() ? ", " : ")"));
  }
  header += ", }";
  while ((10 + header.size() + 1) % 64 != 0) {
    header += ' ';
  }
  header += '\n';
  FILE *f = std::fopen(path, "wb");
  if (f == NULL) {
    std::fprintf(stderr, "%s: cannot write\n", path);
    return false;
  }
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
  pre[8] = header.size() & 0xff;
  pre[9] = header.size() >> 8;
  bool ok = std::fwrite(pre, 1, 10, f) == 10 && std::fwrite(header.data(), 1, header.size(), f) == header.size();
  ok = ok && std::fwrite(a.data.data(), sizeof(uint32_t), a.data.size(), f) == a.data.size();
  return std::fclose(f) == 0 && ok;
}

//! whether a holds frames of `beats` beats of W bits
template <int W>
bool npy_holds_frames(const NpyWords &a, size_t beats, const char *what) {
  if (a.shape.size() == 3 && a.shape[1] == beats && a.shape[2] == words_per_beat<W>()) {
    return true;
  }
  std::fprintf(stderr, "%s: expected shape (frames, %zu, %zu)\n", what, beats, words_per_beat<W>());
  return false;
}

//! write frame f of a (frames, beats, words) into s
template <int W>
void push_frame(const NpyWords &a, size_t f, hls::stream<ap_uint<W> > &s) {
  const size_t words = words_per_beat<W>();
  for (size_t b = 0; b < a.shape[1]; b++) {
    const uint32_t *w = &a.data[(f * a.shape[1] + b) * words];
    ap_uint<W> beat = 0;
    for (size_t i = 0; i < words; i++) {
      beat |= ap_uint<W>(w[i]) << (32 * i);
    }
    s.write(beat);
  }
}

//! read frame f of a (frames, beats, words) from s; false (with a message) when s runs dry
template <int W>
bool pop_frame(hls::stream<ap_uint<W> > &s, size_t f, NpyWords &a, const char *what) {
  const size_t words = words_per_beat<W>();
  for (size_t b = 0; b < a.shape[1]; b++) {
    if (s.empty()) {
      std::fprintf(stderr, "%s: frame %zu ended after %zu of %zu beats\n", what, f, b, a.shape[1]);
      return false;
    }
    ap_uint<W> beat = s.read();
    uint32_t *w = &a.data[(f * a.shape[1] + b) * words];
    for (size_t i = 0; i < words; i++) {
      w[i] = static_cast<uint32_t>((beat >> (32 * i)).to_uint64() & 0xffffffffu);
    }
  }
  return true;
}

//! an output array of `frames` frames of `beats` beats of W bits, zeroed
template <int W>
NpyWords frames_of(size_t frames, size_t beats) {
  NpyWords a;
  a.shape = {frames, beats, words_per_beat<W>()};
  a.data.assign(frames * beats * words_per_beat<W>(), 0);
  return a;
}

#endif
