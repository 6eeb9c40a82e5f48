// SPDX-License-Identifier: Apache-2.0
// Host side of a verilated qnngen_kernel (class Vtop): an AXI4 slave memory model on
// m_axi_gmem0_* and an AXI4-Lite host on s_axi_control_*.
//
// Built into a shared library by qnngen.sim.build and driven through ctypes by
// qnngen.sim.kernel. The memory is sparse (4 KiB pages, 64-bit byte addresses) and only the
// buffers the host declared may be accessed. Every cycle: the host side drives its outputs
// (chosen from state registered at the previous edge and a seeded random generator), the
// design settles with the clock low, both sides' handshakes are sampled and checked, then the
// rising edge. Any AXI rule the kernel breaks stops the run with an error message.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "harness_model.h"

namespace {

constexpr uint64_t kPage = 4096;

// ---- port <-> little-endian bytes ------------------------------------------------------------
template <typename T>
void port_bytes(const T& port, uint8_t* b, int n) {
    uint64_t v = static_cast<uint64_t>(port);
    for (int i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
}
template <std::size_t N>
void port_bytes(const VlWide<N>& port, uint8_t* b, int n) {
    for (int i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(port[i / 4] >> (8 * (i % 4)));
}
template <typename T>
void set_port_bytes(T& port, const uint8_t* b, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(b[i]) << (8 * i);
    port = static_cast<T>(v);
}
template <std::size_t N>
void set_port_bytes(VlWide<N>& port, const uint8_t* b, int n) {
    for (std::size_t w = 0; w < N; ++w) port[w] = 0;
    for (int i = 0; i < n; ++i) port[i / 4] |= static_cast<uint32_t>(b[i]) << (8 * (i % 4));
}
template <typename T>
bool strobe(const T& port, int i) {
    return (static_cast<uint64_t>(port) >> i) & 1;
}
template <std::size_t N>
bool strobe(const VlWide<N>& port, int i) {
    return (port[i / 32] >> (i % 32)) & 1;
}

template <typename T>
constexpr int port_bits() {
    return 8 * static_cast<int>(sizeof(T) <= 4 ? 4 : 8);
}
template <typename T>
struct Bits {
    static constexpr int value = port_bits<T>();
};
template <std::size_t N>
struct Bits<VlWide<N>> {
    static constexpr int value = 32 * static_cast<int>(N);
};
using DataPort = std::remove_reference_t<decltype(std::declval<Vtop>().m_axi_gmem0_rdata)>;
constexpr int kMemBits = Bits<DataPort>::value;
constexpr int kMemBytes = kMemBits / 8;
constexpr int kSizeCode = __builtin_ctz(kMemBytes);

// ---- optional AXI ports (present in some port lists, not in others) ------------------------
template <typename T>
int ar_size(const T& t) {
    if constexpr (requires { t.m_axi_gmem0_arsize; }) {
        return t.m_axi_gmem0_arsize;
    } else {
        return kSizeCode;
    }
}
template <typename T>
int aw_size(const T& t) {
    if constexpr (requires { t.m_axi_gmem0_awsize; }) {
        return t.m_axi_gmem0_awsize;
    } else {
        return kSizeCode;
    }
}
template <typename T>
int ar_burst(const T& t) {
    if constexpr (requires { t.m_axi_gmem0_arburst; }) {
        return t.m_axi_gmem0_arburst;
    } else {
        return 1;
    }
}
template <typename T>
int aw_burst(const T& t) {
    if constexpr (requires { t.m_axi_gmem0_awburst; }) {
        return t.m_axi_gmem0_awburst;
    } else {
        return 1;
    }
}
template <typename T>
uint64_t ar_id(const T& t) {
    if constexpr (requires { t.m_axi_gmem0_arid; }) {
        return t.m_axi_gmem0_arid;
    } else {
        return 0;
    }
}
template <typename T>
uint64_t aw_id(const T& t) {
    if constexpr (requires { t.m_axi_gmem0_awid; }) {
        return t.m_axi_gmem0_awid;
    } else {
        return 0;
    }
}
template <typename T>
void set_r_id(T& t, uint64_t id) {
    if constexpr (requires { t.m_axi_gmem0_rid; }) t.m_axi_gmem0_rid = id;
}
template <typename T>
void set_b_id(T& t, uint64_t id) {
    if constexpr (requires { t.m_axi_gmem0_bid; }) t.m_axi_gmem0_bid = id;
}
template <typename T>
bool w_strobe(const T& t, int i) {
    if constexpr (requires { t.m_axi_gmem0_wstrb; }) {
        return strobe(t.m_axi_gmem0_wstrb, i);
    } else {
        return true;
    }
}
template <typename T>
void set_lite_strobe(T& t) {
    if constexpr (requires { t.s_axi_control_wstrb; }) t.s_axi_control_wstrb = 0xF;
}

// Verilator renames the port `interrupt` (a C++ keyword in some compilers) to __SYM__interrupt.
template <typename T>
bool irq(const T& t) {
    if constexpr (requires { t.__SYM__interrupt; }) {
        return t.__SYM__interrupt;
    } else {
        return t.interrupt;
    }
}

using qnngen::splitmix64;

struct Burst {
    uint64_t addr = 0;
    int beats = 0;
    int done = 0;
    uint64_t id = 0;
    int64_t ready_at = 0;  // reads: first cycle the first beat may be presented
};

struct Response {
    uint64_t id = 0;
    int64_t at = 0;
};

// An address-channel payload, to check it stays stable while valid waits for ready.
struct AddrBeat {
    uint64_t addr = 0;
    int len = 0, size = 0, burst = 0;
    bool operator==(const AddrBeat&) const = default;
};

using WBeat = std::array<uint8_t, 2 * kMemBytes + 1>;

struct Page {
    uint8_t bytes[kPage] = {};
    int64_t written[kPage / kMemBytes];  // cycle of the last write to each memory word, -1 never
    Page() { std::fill(std::begin(written), std::end(written), -1); }
};

enum class LiteOp { kNone, kWrite, kRead };

struct Sim : qnngen::Model {
    int64_t cycle = 0;
    std::string error;
    // configuration
    uint64_t rng = 0;
    uint64_t threshold = 0;  // a ready/valid gap when the next draw is below this
    int max_read_latency = 1, max_write_latency = 1, max_outstanding = 1;
    // memory
    std::unordered_map<uint64_t, std::unique_ptr<Page>> pages;
    std::vector<std::pair<uint64_t, uint64_t>> buffers;  // [base, end)
    // AXI4 slave state
    std::deque<Burst> reads, writes;
    std::deque<Response> responses;
    bool r_holding = false, b_holding = false;
    bool ar_waiting = false, aw_waiting = false, w_waiting = false;
    AddrBeat ar_last, aw_last;
    WBeat w_last{};
    int64_t read_bursts = 0, write_bursts = 0, max_reads_in_flight = 0;
    int64_t read_beats = 0, write_beats = 0;
    // AXI4-Lite host state
    LiteOp op = LiteOp::kNone;
    uint32_t lite_addr = 0, lite_data = 0;
    bool aw_sent = false, w_sent = false, ar_sent = false, lite_done = false;
    bool aw_up = false, w_up = false, ar_up = false;
    int lite_resp = 0;

    bool stall() { return threshold != 0 && splitmix64(rng) < threshold; }
    int64_t uniform(int64_t lo, int64_t hi) {
        return lo + static_cast<int64_t>(splitmix64(rng) % static_cast<uint64_t>(hi - lo + 1));
    }

    void fail(const char* fmt, unsigned long long a = 0, unsigned long long b = 0,
              unsigned long long c = 0) {
        if (!error.empty()) return;
        char msg[400];
        std::snprintf(msg, sizeof msg, fmt, a, b, c);
        error = "cycle " + std::to_string(cycle) + ": " + msg;
    }

    Page& page(uint64_t addr) {
        auto& p = pages[addr / kPage];
        if (!p) p = std::make_unique<Page>();
        return *p;
    }

    bool in_buffer(uint64_t addr, uint64_t n) const {
        for (auto [base, end] : buffers)
            if (addr >= base && n <= end - addr && addr < end) return true;
        return false;
    }

    // Check an AR/AW payload; returns its beat count or 0 after recording an error.
    int check_burst(const char* ch, uint64_t addr, int len, int size, int burst) {
        int beats = len + 1;
        if (beats > 256) fail("len %llu > 255 (more than 256 beats)", len);
        else if (size != kSizeCode)
            fail("size %llu, but the port is %llu bytes wide (size must be its log2)", size,
                 kMemBytes);
        else if (burst != 1) fail("burst type %llu, only INCR (1) is served", burst);
        else if (addr % kMemBytes)
            fail("address 0x%llx is not aligned to the %llu-byte port", addr, kMemBytes);
        else if (addr % kPage + uint64_t(beats) * kMemBytes > kPage)
            fail("burst at 0x%llx of %llu beats crosses a 4 KB boundary", addr, beats);
        else if (!in_buffer(addr, uint64_t(beats) * kMemBytes))
            fail("burst at 0x%llx of %llu bytes is outside every buffer the host set up", addr,
                 uint64_t(beats) * kMemBytes);
        else return beats;
        error += std::string(" (") + ch + " channel)";
        return 0;
    }

    // Drive the host side's outputs for this cycle.
    void drive() {
        Vtop& t = *top;
        t.m_axi_gmem0_arready = static_cast<int>(reads.size()) < max_outstanding && !stall();
        t.m_axi_gmem0_awready = static_cast<int>(writes.size()) < max_outstanding && !stall();
        t.m_axi_gmem0_wready = !writes.empty() && !stall();
        if (!r_holding && !reads.empty() && reads.front().ready_at <= cycle && !stall()) {
            Burst& rb = reads.front();
            uint64_t a = rb.addr + uint64_t(rb.done) * kMemBytes;
            set_port_bytes(t.m_axi_gmem0_rdata, page(a).bytes + a % kPage, kMemBytes);
            t.m_axi_gmem0_rlast = rb.done == rb.beats - 1;
            t.m_axi_gmem0_rresp = 0;
            set_r_id(t, rb.id);
            r_holding = true;
        }
        t.m_axi_gmem0_rvalid = r_holding;
        if (!b_holding && !responses.empty() && responses.front().at <= cycle && !stall()) {
            t.m_axi_gmem0_bresp = 0;
            set_b_id(t, responses.front().id);
            b_holding = true;
        }
        t.m_axi_gmem0_bvalid = b_holding;
        // AXI4-Lite: each valid rises after a random delay and holds until taken
        if (op == LiteOp::kWrite) {
            aw_up = aw_up || (!aw_sent && !stall());
            w_up = w_up || (!w_sent && !stall());
        } else if (op == LiteOp::kRead) {
            ar_up = ar_up || (!ar_sent && !stall());
        }
        t.s_axi_control_awvalid = aw_up;
        t.s_axi_control_awaddr = lite_addr;
        t.s_axi_control_wvalid = w_up;
        t.s_axi_control_wdata = lite_data;
        set_lite_strobe(t);
        t.s_axi_control_bready = op == LiteOp::kWrite && aw_sent && w_sent && !stall();
        t.s_axi_control_arvalid = ar_up;
        t.s_axi_control_araddr = lite_addr;
        t.s_axi_control_rready = op == LiteOp::kRead && ar_sent && !stall();
    }

    // Sample and check every handshake of the settled cycle.
    void sample() {
        Vtop& t = *top;
        AddrBeat ar{t.m_axi_gmem0_araddr, t.m_axi_gmem0_arlen, ar_size(t), ar_burst(t)};
        if (ar_waiting && !(t.m_axi_gmem0_arvalid && ar == ar_last))
            fail("arvalid dropped or the AR payload changed before arready");
        if (t.m_axi_gmem0_arvalid && t.m_axi_gmem0_arready) {
            if (int beats = check_burst("AR", ar.addr, ar.len, ar.size, ar.burst)) {
                // pipelined latency, served in order: never before the burst ahead of it
                int64_t at = cycle + uniform(1, max_read_latency);
                if (!reads.empty()) at = std::max(at, reads.back().ready_at);
                reads.push_back({ar.addr, beats, 0, ar_id(t), at});
                max_reads_in_flight = std::max<int64_t>(max_reads_in_flight, reads.size());
                ++read_bursts;
            }
        }
        ar_waiting = t.m_axi_gmem0_arvalid && !t.m_axi_gmem0_arready;
        ar_last = ar;

        AddrBeat aw{t.m_axi_gmem0_awaddr, t.m_axi_gmem0_awlen, aw_size(t), aw_burst(t)};
        if (aw_waiting && !(t.m_axi_gmem0_awvalid && aw == aw_last))
            fail("awvalid dropped or the AW payload changed before awready");
        if (t.m_axi_gmem0_awvalid && t.m_axi_gmem0_awready) {
            if (int beats = check_burst("AW", aw.addr, aw.len, aw.size, aw.burst)) {
                writes.push_back({aw.addr, beats, 0, aw_id(t), 0});
                ++write_bursts;
            }
        }
        aw_waiting = t.m_axi_gmem0_awvalid && !t.m_axi_gmem0_awready;
        aw_last = aw;

        WBeat w_now{};  // data bytes, wlast, strobes
        port_bytes(t.m_axi_gmem0_wdata, w_now.data(), kMemBytes);
        w_now[kMemBytes] = t.m_axi_gmem0_wlast;
        for (int i = 0; i < kMemBytes; ++i) w_now[kMemBytes + 1 + i] = w_strobe(t, i);
        if (w_waiting && !(t.m_axi_gmem0_wvalid && w_now == w_last))
            fail("wvalid dropped or the W payload changed before wready");
        if (t.m_axi_gmem0_wvalid && t.m_axi_gmem0_wready) {
            Burst& wb = writes.front();
            bool last = wb.done == wb.beats - 1;
            if (bool(t.m_axi_gmem0_wlast) != last) {
                fail("wlast=%llu on beat %llu of a %llu-beat burst", t.m_axi_gmem0_wlast,
                     wb.done + 1, wb.beats);
            } else {
                uint64_t a = wb.addr + uint64_t(wb.done) * kMemBytes;
                Page& p = page(a);
                for (int i = 0; i < kMemBytes; ++i)
                    if (w_now[kMemBytes + 1 + i]) p.bytes[a % kPage + i] = w_now[i];
                p.written[a % kPage / kMemBytes] = cycle;
                ++write_beats;
                if (++wb.done == wb.beats) {
                    responses.push_back({wb.id, cycle + uniform(1, max_write_latency)});
                    writes.pop_front();
                }
            }
        }
        w_waiting = t.m_axi_gmem0_wvalid && !t.m_axi_gmem0_wready;
        w_last = w_now;

        if (r_holding && t.m_axi_gmem0_rready) {
            r_holding = false;
            ++read_beats;
            if (++reads.front().done == reads.front().beats) reads.pop_front();
        }
        if (b_holding && t.m_axi_gmem0_bready) {
            b_holding = false;
            responses.pop_front();
        }

        // AXI4-Lite host
        if (t.s_axi_control_bvalid && !(op == LiteOp::kWrite && aw_sent && w_sent))
            fail("AXI4-Lite bvalid without a write awaiting its response");
        if (t.s_axi_control_rvalid && !(op == LiteOp::kRead && ar_sent))
            fail("AXI4-Lite rvalid without a read awaiting its data");
        if (aw_up && t.s_axi_control_awready) aw_up = false, aw_sent = true;
        if (w_up && t.s_axi_control_wready) w_up = false, w_sent = true;
        if (ar_up && t.s_axi_control_arready) ar_up = false, ar_sent = true;
        if (op == LiteOp::kWrite && t.s_axi_control_bready && t.s_axi_control_bvalid) {
            lite_resp = t.s_axi_control_bresp;
            lite_done = true;
        }
        if (op == LiteOp::kRead && t.s_axi_control_rready && t.s_axi_control_rvalid) {
            lite_resp = t.s_axi_control_rresp;
            lite_data = t.s_axi_control_rdata;
            lite_done = true;
        }
    }

    // One clock cycle: drive, settle, sample, rising edge.
    void tick() {
        drive();
        top->ap_clk = 0;
        top->eval();
        sample();
        dump();
        ctx->timeInc(1);
        top->ap_clk = 1;
        top->eval();
        dump();
        ctx->timeInc(1);
        ++cycle;
    }

    // Run one AXI4-Lite transaction to the end; false on timeout or error.
    bool lite(LiteOp kind, uint32_t addr, uint32_t data, int64_t timeout) {
        op = kind;
        lite_addr = addr;
        lite_data = data;
        aw_sent = w_sent = ar_sent = lite_done = false;
        aw_up = w_up = ar_up = false;
        int64_t end = cycle + timeout;
        while (!lite_done && error.empty() && cycle < end) tick();
        op = LiteOp::kNone;
        if (!error.empty()) return false;
        if (!lite_done) {
            fail(kind == LiteOp::kWrite
                     ? "no AXI4-Lite write response for offset 0x%llx within %llu cycles"
                     : "no AXI4-Lite read response for offset 0x%llx within %llu cycles",
                 addr, timeout);
            return false;
        }
        if (lite_resp != 0) {
            fail("AXI4-Lite response %llu (not OKAY) to offset 0x%llx", lite_resp, addr);
            return false;
        }
        tick();  // the cycle after the response: valids low again
        return error.empty();
    }
};

}  // namespace

extern "C" {

int qnngen_kernel_mem_bits() { return kMemBits; }

void* qnngen_kernel_new(uint64_t seed, double stalls, int max_read_latency,
                        int max_write_latency, int max_outstanding) {
    auto* sim = new Sim;
    sim->rng = seed;
    sim->threshold = qnngen::stall_threshold(stalls);
    sim->max_read_latency = std::max(1, max_read_latency);
    sim->max_write_latency = std::max(1, max_write_latency);
    sim->max_outstanding = std::max(1, max_outstanding);
    return sim;
}

void qnngen_kernel_free(void* handle) { delete static_cast<Sim*>(handle); }

int qnngen_kernel_open_trace(void* handle, const char* path) {
    return static_cast<Sim*>(handle)->open_trace(path);
}

// Hold ap_rst_n low for `cycles` cycles with every valid and ready of the host side low.
void qnngen_kernel_reset(void* handle, int cycles) {
    auto* sim = static_cast<Sim*>(handle);
    Vtop& t = *sim->top;
    t.ap_rst_n = 0;
    for (int i = 0; i < cycles; ++i) {
        t.ap_clk = 0;
        t.eval();
        sim->dump();
        sim->ctx->timeInc(1);
        t.ap_clk = 1;
        t.eval();
        sim->dump();
        sim->ctx->timeInc(1);
    }
    t.ap_rst_n = 1;
    sim->cycle = 0;
}

// Declare a buffer [addr, addr + n) the kernel may access; 0, or -1 if it overlaps one.
int qnngen_kernel_alloc(void* handle, uint64_t addr, uint64_t n) {
    auto* sim = static_cast<Sim*>(handle);
    for (auto [base, end] : sim->buffers)
        if (addr < end && base < addr + n) return -1;
    sim->buffers.emplace_back(addr, addr + n);
    return 0;
}

// Copy bytes between the host and declared memory (no clock); -1 outside the buffers.
int qnngen_kernel_mem(void* handle, uint64_t addr, uint8_t* data, uint64_t n, int write) {
    auto* sim = static_cast<Sim*>(handle);
    if (n && !sim->in_buffer(addr, n)) return -1;
    for (uint64_t done = 0; done < n;) {
        uint64_t a = addr + done, chunk = std::min(n - done, kPage - a % kPage);
        Page& p = sim->page(a);
        if (write) std::memcpy(p.bytes + a % kPage, data + done, chunk);
        else std::memcpy(data + done, p.bytes + a % kPage, chunk);
        done += chunk;
    }
    return 0;
}

// Cycle of the last kernel write to each memory word of [addr, addr + words * bytes).
void qnngen_kernel_write_cycles(void* handle, uint64_t addr, int64_t words, int64_t* out) {
    auto* sim = static_cast<Sim*>(handle);
    for (int64_t i = 0; i < words; ++i) {
        uint64_t a = addr + uint64_t(i) * kMemBytes;
        auto it = sim->pages.find(a / kPage);
        out[i] = it == sim->pages.end() ? -1 : it->second->written[a % kPage / kMemBytes];
    }
}

// One AXI4-Lite write / read; 0 on success, 1 on an error (see qnngen_kernel_error).
int qnngen_kernel_write_reg(void* handle, uint32_t offset, uint32_t value, int64_t timeout) {
    auto* sim = static_cast<Sim*>(handle);
    return sim->lite(LiteOp::kWrite, offset, value, timeout) ? 0 : 1;
}

int qnngen_kernel_read_reg(void* handle, uint32_t offset, uint32_t* value, int64_t timeout) {
    auto* sim = static_cast<Sim*>(handle);
    bool ok = sim->lite(LiteOp::kRead, offset, 0, timeout);
    *value = sim->lite_data;
    return ok ? 0 : 1;
}

// Clock `cycles` cycles, or until `interrupt` is high when until_irq; returns 0 when the
// interrupt is high (or the cycles ran with until_irq false), 2 when it never rose, 1 on error.
int qnngen_kernel_run(void* handle, int64_t cycles, int until_irq) {
    auto* sim = static_cast<Sim*>(handle);
    for (int64_t i = 0; i < cycles && sim->error.empty(); ++i) {
        if (until_irq && irq(*sim->top)) return 0;
        sim->tick();
    }
    if (!sim->error.empty()) return 1;
    return !until_irq || irq(*sim->top) ? 0 : 2;
}

int qnngen_kernel_interrupt(void* handle) { return irq(*static_cast<Sim*>(handle)->top); }
int64_t qnngen_kernel_cycle(void* handle) { return static_cast<Sim*>(handle)->cycle; }
const char* qnngen_kernel_error(void* handle) { return static_cast<Sim*>(handle)->error.c_str(); }

// read bursts, write bursts, most read bursts accepted and not yet fully returned, read
// beats, write beats
void qnngen_kernel_stats(void* handle, int64_t* out) {
    auto* sim = static_cast<Sim*>(handle);
    out[0] = sim->read_bursts;
    out[1] = sim->write_bursts;
    out[2] = sim->max_reads_in_flight;
    out[3] = sim->read_beats;
    out[4] = sim->write_beats;
}

}  // extern "C"
