// SPDX-License-Identifier: Apache-2.0
// Generic qnngen simulation harness: drives one AXI-Stream design verilated as class Vtop.
//
// Built into a shared library by qnngen.sim.build and driven through ctypes by
// qnngen.sim.harness. Data crosses the boundary as little-endian uint32 words. One cycle is:
// apply inputs, settle (clk low), sample both handshakes, rising edge. Cycle numbers count
// rising edges since reset was released.
#include <cstdint>
#include <type_traits>
#include <utility>

#include "harness_model.h"

namespace {

template <typename T>
void put_port(T& port, const uint32_t* w) {
    if constexpr (sizeof(T) <= 4) {
        port = static_cast<T>(w[0]);
    } else {
        port = static_cast<T>(w[0]) | (static_cast<T>(w[1]) << 32);
    }
}

template <std::size_t N>
void put_port(VlWide<N>& port, const uint32_t* w) {
    for (std::size_t i = 0; i < N; ++i) port[i] = w[i];
}

template <typename T>
void get_port(const T& port, uint32_t* w) {
    if constexpr (sizeof(T) <= 4) {
        w[0] = static_cast<uint32_t>(port);
    } else {
        w[0] = static_cast<uint32_t>(port);
        w[1] = static_cast<uint32_t>(static_cast<uint64_t>(port) >> 32);
    }
}

template <std::size_t N>
void get_port(const VlWide<N>& port, uint32_t* w) {
    for (std::size_t i = 0; i < N; ++i) w[i] = port[i];
}

template <typename T>
constexpr int port_words() {
    return sizeof(T) <= 4 ? 1 : 2;
}

template <typename T>
struct WideWords {
    static constexpr int value = port_words<T>();
};

template <std::size_t N>
struct WideWords<VlWide<N>> {
    static constexpr int value = static_cast<int>(N);
};

using InPort = std::remove_reference_t<decltype(std::declval<Vtop>().s_axis_tdata)>;
using OutPort = std::remove_reference_t<decltype(std::declval<Vtop>().m_axis_tdata)>;
constexpr int kInWords = WideWords<InPort>::value;
constexpr int kOutWords = WideWords<OutPort>::value;

using qnngen::splitmix64;

// Persistent state of one batch run, so Python can advance it in chunks of frames.
struct Batch {
    const uint32_t* frames = nullptr;
    uint32_t* outputs = nullptr;
    int64_t* in_first = nullptr;
    int64_t* out_last = nullptr;
    int64_t in_beats = 0;
    int64_t out_beats = 0;
    int64_t total_in = 0;
    int64_t total_out = 0;
    int64_t n_in = 0;   // input beats accepted
    int64_t n_out = 0;  // output beats accepted
    uint64_t threshold = 0;  // stall when the next random draw is below this
    uint64_t rng = 0;
    bool holding = false;  // s_axis_tvalid raised with beat n_in
};

struct Sim : qnngen::Model {
    int64_t cycle = 0;
    Batch batch;

    // Settle combinational logic for the current inputs with the clock low.
    void settle() {
        top->clk = 0;
        top->eval();
    }

    // Finish the cycle whose inputs were settled with a rising edge. The falling edge is left
    // to the next settle(): all logic is posedge, so one eval serves both and saves a third.
    void edge() {
        dump();
        ctx->timeInc(1);
        top->clk = 1;
        top->eval();
        dump();
        ctx->timeInc(1);
        ++cycle;
    }
};

}  // namespace

extern "C" {

int qnngen_in_words() { return kInWords; }
int qnngen_out_words() { return kOutWords; }

void* qnngen_new() { return new Sim; }

void qnngen_free(void* handle) { delete static_cast<Sim*>(handle); }

int qnngen_open_trace(void* handle, const char* path) {
    return static_cast<Sim*>(handle)->open_trace(path);
}

void qnngen_close_trace(void* handle) { static_cast<Sim*>(handle)->close_trace(); }

void qnngen_reset(void* handle, int cycles) {
    auto* sim = static_cast<Sim*>(handle);
    sim->top->rst_n = 0;
    sim->top->s_axis_tvalid = 0;
    sim->top->m_axis_tready = 0;
    for (int i = 0; i < cycles; ++i) {
        sim->settle();
        sim->edge();
    }
    sim->top->rst_n = 1;
    sim->settle();
    sim->cycle = 0;
}

void qnngen_poke(void* handle, int s_valid, const uint32_t* s_data, int m_ready) {
    auto* sim = static_cast<Sim*>(handle);
    sim->top->s_axis_tvalid = s_valid ? 1 : 0;
    put_port(sim->top->s_axis_tdata, s_data);
    sim->top->m_axis_tready = m_ready ? 1 : 0;
    sim->settle();
}

void qnngen_step(void* handle, int64_t n) {
    auto* sim = static_cast<Sim*>(handle);
    for (int64_t i = 0; i < n; ++i) {
        sim->settle();
        sim->edge();
    }
    sim->settle();
}

void qnngen_peek(void* handle, int* s_ready, int* m_valid, uint32_t* m_data) {
    auto* sim = static_cast<Sim*>(handle);
    *s_ready = sim->top->s_axis_tready;
    *m_valid = sim->top->m_axis_tvalid;
    get_port(sim->top->m_axis_tdata, m_data);
}

int64_t qnngen_cycle(void* handle) { return static_cast<Sim*>(handle)->cycle; }

void qnngen_batch_begin(void* handle, const uint32_t* frames, int64_t n_frames,
                        int64_t in_beats, uint32_t* outputs, int64_t out_beats,
                        int64_t* in_first, int64_t* out_last, double stalls, uint64_t seed) {
    Batch& b = static_cast<Sim*>(handle)->batch;
    b = Batch{};
    b.frames = frames;
    b.outputs = outputs;
    b.in_first = in_first;
    b.out_last = out_last;
    b.in_beats = in_beats;
    b.out_beats = out_beats;
    b.total_in = n_frames * in_beats;
    b.total_out = n_frames * out_beats;
    b.rng = seed;
    b.threshold = qnngen::stall_threshold(stalls);
}

// Run until out_target output beats have been accepted (0) or idle_limit cycles pass with no
// beat moving on either port (1). Reports beats moved so far through n_in / n_out.
int qnngen_batch_run(void* handle, int64_t out_target, int64_t idle_limit, int64_t* n_in,
                     int64_t* n_out) {
    auto* sim = static_cast<Sim*>(handle);
    Batch& b = sim->batch;
    Vtop& top = *sim->top;
    int64_t idle = 0;
    int status = 0;
    while (b.n_out < out_target) {
        if (!b.holding && b.n_in < b.total_in) {
            if (b.threshold == 0 || splitmix64(b.rng) >= b.threshold) {
                b.holding = true;
                put_port(top.s_axis_tdata, b.frames + b.n_in * kInWords);
            }
        }
        bool ready = b.threshold == 0 || splitmix64(b.rng) >= b.threshold;
        top.s_axis_tvalid = b.holding ? 1 : 0;
        top.m_axis_tready = ready ? 1 : 0;
        sim->settle();
        bool moved = false;
        if (ready && top.m_axis_tvalid && b.n_out < b.total_out) {
            get_port(top.m_axis_tdata, b.outputs + b.n_out * kOutWords);
            if (b.n_out % b.out_beats == b.out_beats - 1) b.out_last[b.n_out / b.out_beats] = sim->cycle;
            ++b.n_out;
            moved = true;
        }
        if (b.holding && top.s_axis_tready) {
            if (b.n_in % b.in_beats == 0) b.in_first[b.n_in / b.in_beats] = sim->cycle;
            ++b.n_in;
            b.holding = false;
            moved = true;
        }
        sim->edge();
        idle = moved ? 0 : idle + 1;
        if (idle >= idle_limit) {
            status = 1;
            break;
        }
    }
    top.s_axis_tvalid = b.holding ? 1 : 0;
    top.m_axis_tready = 0;
    sim->settle();
    *n_in = b.n_in;
    *n_out = b.n_out;
    return status;
}

}  // extern "C"
