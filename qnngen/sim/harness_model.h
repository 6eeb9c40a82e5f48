// SPDX-License-Identifier: Apache-2.0
// What both qnngen harnesses (harness.cpp, kernel_harness.cpp) share: the verilated model
// (class Vtop) in its own context with an optional VCD trace, and the seeded stall generator.
#pragma once

#include <cstdint>
#include <memory>

#include "Vtop.h"
#include "verilated.h"
#ifdef QNNGEN_TRACE
#include "verilated_vcd_c.h"
#endif

namespace qnngen {

// The model and its context; with QNNGEN_TRACE, a VCD trace that open_trace starts.
struct Model {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vtop> top;
#ifdef QNNGEN_TRACE
    std::unique_ptr<VerilatedVcdC> vcd;
#endif

    Model() : ctx(std::make_unique<VerilatedContext>()) {
        ctx->debug(0);
        ctx->randReset(0);
#ifdef QNNGEN_TRACE
        ctx->traceEverOn(true);
#endif
        top = std::make_unique<Vtop>(ctx.get(), "top");
    }

    ~Model() {
        close_trace();
        top->final();
    }

    // Dump the signals at the current time, if tracing.
    void dump() {
#ifdef QNNGEN_TRACE
        if (vcd) vcd->dump(ctx->time());
#endif
    }

    // Start a VCD trace: 0, -1 without QNNGEN_TRACE, -2 when the file does not open.
    int open_trace(const char* path) {
#ifdef QNNGEN_TRACE
        close_trace();
        vcd = std::make_unique<VerilatedVcdC>();
        top->trace(vcd.get(), 99);
        vcd->open(path);
        return vcd->isOpen() ? 0 : -2;
#else
        (void)path;
        return -1;
#endif
    }

    void close_trace() {
#ifdef QNNGEN_TRACE
        if (vcd) vcd->close();
        vcd.reset();
#endif
    }
};

inline uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// A stall happens when the next splitmix64 draw is below this threshold (0: never).
inline uint64_t stall_threshold(double stalls) {
    if (stalls >= 1.0) return UINT64_MAX;
    if (stalls > 0.0) return static_cast<uint64_t>(stalls * 18446744073709551616.0);
    return 0;
}

}  // namespace qnngen
