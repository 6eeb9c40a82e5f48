// SPDX-License-Identifier: Apache-2.0
//
// qnngen_maxpool: streaming K x K max pooling with stride K on an NHWC stream.
//
// Per frame: an IFM_H x IFM_W x C image in; out[oy][ox][c] = max over ky, kx < K of
//   in[oy*K + ky][ox*K + kx][c] for oy < OH = IFM_H / K, ox < OW = IFM_W / K (floor, no padding:
//   rows and columns beyond OH*K, OW*K are consumed and dropped, as in PyTorch).
//   Only STRIDE == K is supported (non-overlapping windows); other values stop elaboration.
//
// Streams (element 0 in the least significant bits, CF = C / SIMD channel groups):
//   s_axis_tdata: IN_BEATS = IFM_H*IFM_W*CF beats, for y, for x, for g: channels g*SIMD+s at
//     [s*BITS +: BITS].
//   m_axis_tdata: OUT_BEATS = OH*OW*CF beats in the same order (oy, ox, g).
//   Elements are two's complement when SIGNED, else unsigned. BIPOLAR elements (1 bit, 1 = +1)
//   are passed as unsigned 1-bit: their max is the OR, which unsigned max computes.
//
// Storage: one accumulator word (SIMD*BITS) per output column and channel group, OW*CF words
//   in a qnngen_ram (one write, one registered read port) of style MEM_STYLE, which the compiler
//   picks. A word is overwritten by the first beat of its window (ky = kx = 0) and max-updated
//   by the others.
//
// Cycle behaviour: two stages, both enabled by adv = !m_axis_tvalid || m_axis_tready.
//   s_axis_tready = adv (depends combinationally on m_axis_tready).
//   S1: an accepted beat is registered with its accumulator word read from the RAM; a word written
//       in the same cycle by the previous beat is forwarded, so back-to-back updates of one word
//       (CF = 1) see each other.
//   S2: the updated word is written back; the beat completing a window (ky = kx = K-1) loads the
//       output register, which drives m_axis_tdata / m_axis_tvalid.
//   Beat times, output always ready (qnngen/layers/pool_timing.py): output beat (oy, ox, g) is
//     accepted exactly 2 cycles after input beat (oy*K + K-1, ox*K + K-1, g) is accepted.
//   Interval: IN_BEATS cycles per frame with input always valid and output always ready (one
//     input beat per cycle, frames back to back, output beats emitted while input continues).
//   Latency: the last output beat of a frame is accepted 2 cycles after the input beat of
//     position (OH*K - 1, OW*K - 1, CF - 1); with nothing cropped that is the frame's last beat,
//     IN_BEATS + 1 cycles after its first.
// Reset (rst_n synchronous, active low) clears the counters and valids; stored data is not cleared.

module qnngen_maxpool #(
  parameter int C = 1,
  parameter int IFM_H = 4,
  parameter int IFM_W = 4,
  parameter int K = 2,
  parameter int STRIDE = 2,
  parameter int SIMD = 1,
  parameter int BITS = 1,
  parameter int SIGNED = 0,
  // Untyped string parameter: Yosys does not accept `parameter string`.
  parameter MEM_STYLE = "block"  // qnngen_ram STYLE of the accumulator words
) (
  input  logic                   clk,
  input  logic                   rst_n,
  input  logic [SIMD*BITS-1:0]   s_axis_tdata,
  input  logic                   s_axis_tvalid,
  output logic                   s_axis_tready,
  output logic [SIMD*BITS-1:0]   m_axis_tdata,
  output logic                   m_axis_tvalid,
  input  logic                   m_axis_tready
);
  localparam int CF = C / SIMD;
  localparam int WB = SIMD * BITS;
  localparam int OH = IFM_H / K;
  localparam int OW = IFM_W / K;
  localparam int DEPTH = OW * CF;
  localparam int AW = DEPTH > 1 ? $clog2(DEPTH) : 1;
  localparam int GW = CF > 1 ? $clog2(CF) : 1;
  localparam int KW = K > 1 ? $clog2(K) : 1;
  localparam int XW = IFM_W > 1 ? $clog2(IFM_W) : 1;
  localparam int YW = IFM_H > 1 ? $clog2(IFM_H) : 1;
  localparam int OXW = $clog2(OW + 1);  // ox == OW marks cropped columns
  localparam int OYW = $clog2(OH + 1);  // oy == OH marks cropped rows

  if (STRIDE != K) begin : g_bad_stride
    $error("qnngen_maxpool: STRIDE must equal K (non-overlapping windows only)");
  end
  if (SIMD < 1 || C % SIMD != 0) begin : g_bad_simd
    $error("qnngen_maxpool: SIMD must divide C");
  end
  if (K < 1 || K > IFM_H || K > IFM_W) begin : g_bad_k
    $error("qnngen_maxpool: need 1 <= K <= IFM_H, IFM_W");
  end

  // ---------------------------------------------------------------- input position
  logic adv;
  logic accept;
  logic [GW-1:0] g;
  logic [KW-1:0] kx, ky;
  logic [XW-1:0] x;
  logic [YW-1:0] y;
  logic [OXW-1:0] ox;
  logic [OYW-1:0] oy;
  logic end_g, end_kx, end_ky, end_x, end_y;

  assign adv = !m_axis_tvalid || m_axis_tready;
  assign s_axis_tready = adv;
  assign accept = s_axis_tvalid && adv;
  assign end_g = g == GW'(CF - 1);
  assign end_kx = kx == KW'(K - 1);
  assign end_ky = ky == KW'(K - 1);
  assign end_x = x == XW'(IFM_W - 1);
  assign end_y = y == YW'(IFM_H - 1);

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      g <= '0;
      kx <= '0;
      ox <= '0;
      x <= '0;
      ky <= '0;
      oy <= '0;
      y <= '0;
    end else if (accept) begin
      g <= end_g ? '0 : g + 1'b1;
      if (end_g) begin
        x <= end_x ? '0 : x + 1'b1;
        kx <= end_x || end_kx ? '0 : kx + 1'b1;
        ox <= end_x ? '0 : ox + OXW'(end_kx);
      end
      if (end_g && end_x) begin
        y <= end_y ? '0 : y + 1'b1;
        ky <= end_y || end_ky ? '0 : ky + 1'b1;
        oy <= end_y ? '0 : oy + OYW'(end_ky);
      end
    end
  end

  // ---------------------------------------------------------------- S1: accumulator read
  logic s1_valid;
  logic s1_first;  // ky = kx = 0: the beat starts its window
  logic s1_last;   // ky = kx = K-1: the beat completes its window
  logic s1_keep;   // inside the OH x OW windows
  logic [AW-1:0] s1_addr;
  logic [WB-1:0] s1_x;
  logic [WB-1:0] acc_q;
  logic [WB-1:0] fwd_q;
  logic fwd_hit;
  logic [AW-1:0] rd_addr;
  logic [WB-1:0] updated;
  logic write;

  assign rd_addr = AW'(int'(ox) * CF + int'(g));
  assign write = adv && s1_valid && s1_keep;

  always_ff @(posedge clk) begin
    if (!rst_n) s1_valid <= 1'b0;
    else if (adv) s1_valid <= accept;
  end

  always_ff @(posedge clk) begin
    if (adv) begin
      s1_first <= ky == '0 && kx == '0;
      s1_last <= end_ky && end_kx;
      s1_keep <= ox != OXW'(OW) && oy != OYW'(OH);
      s1_addr <= rd_addr;
      s1_x <= s_axis_tdata;
      fwd_hit <= write && s1_addr == rd_addr;
      fwd_q <= updated;
    end
  end

  // ---------------------------------------------------------------- S2: update and output
  logic [WB-1:0] acc;
  logic [WB-1:0] out_q;

  assign acc = fwd_hit ? fwd_q : acc_q;

  always_comb begin
    for (int s = 0; s < SIMD; s++) begin
      logic [BITS-1:0] a, b;
      logic a_less;
      a = acc[s*BITS+:BITS];
      b = s1_x[s*BITS+:BITS];
      a_less = SIGNED != 0 ? $signed(a) < $signed(b) : a < b;
      updated[s*BITS+:BITS] = s1_first || a_less ? b : a;
    end
  end

  qnngen_ram #(
    .WIDTH(WB), .DEPTH(DEPTH), .STYLE(MEM_STYLE)
  ) u_mem (
    .clk, .we(write), .waddr(s1_addr), .wdata(updated), .re(adv), .raddr(rd_addr), .q(acc_q)
  );

  always_ff @(posedge clk) begin
    if (!rst_n) m_axis_tvalid <= 1'b0;
    else if (adv) m_axis_tvalid <= s1_valid && s1_keep && s1_last;
  end

  always_ff @(posedge clk) if (adv) out_q <= updated;

  assign m_axis_tdata = out_q;
endmodule
