// SPDX-License-Identifier: Apache-2.0
//
// qnngen_gap: streaming global accumulating pool on an NHWC stream, the integer half of
// GlobalAveragePool (the compiler applies the 1 / (IFM_H*IFM_W) scale later, as thresholds).
//
// Per frame: an IFM_H x IFM_W x C image in; out[c] = sum over y < IFM_H, x < IFM_W of in[y][x][c],
//   computed modulo 2^OUT_BITS. The compiler sizes OUT_BITS to hold N = IFM_H*IFM_W times the
//   input range, so no sum wraps; OUT_BITS < IN_BITS stops elaboration.
//
// Streams (element 0 in the least significant bits, CF = C / SIMD channel groups):
//   s_axis_tdata: IN_BEATS = N*CF beats, for y, for x, for g: channel g*SIMD+s at
//     [s*IN_BITS +: IN_BITS].
//   m_axis_tdata: OUT_BEATS = CF beats, beat g: the sum of channel g*SIMD+s at
//     [s*OUT_BITS +: OUT_BITS].
//   Inputs are two's complement when IN_SIGNED (sign-extended), else unsigned (zero-extended);
//   sums have the same signedness. BIPOLAR elements (1 bit, 1 = +1) are passed as unsigned 1-bit:
//   the unit then counts the +1s, P, and the compiler folds the bipolar sum 2P - N into the
//   thresholds.
//
// Storage: one accumulator word (SIMD*OUT_BITS) per channel group, CF words in a qnngen_ram (one
//   write, one registered read port) of style MEM_STYLE, which the compiler picks. A word is
//   overwritten by the frame's first pixel (x, y = 0) and add-updated by the others; the last
//   pixel's sums go to the output.
//
// Cycle behaviour: two stages, both enabled by adv = !m_axis_tvalid || m_axis_tready.
//   s_axis_tready = adv (depends combinationally on m_axis_tready).
//   S1: an accepted beat is registered with its accumulator word read from the RAM; a word written
//       in the same cycle by the previous beat is forwarded, so back-to-back updates of one word
//       (CF = 1) see each other.
//   S2: the updated word is written back; a beat of the last pixel (y = IFM_H-1, x = IFM_W-1)
//       loads the output register, which drives m_axis_tdata / m_axis_tvalid.
//   Overlap: the output beats of frame f share the two stages with frame f+1's first beats, so
//     they leave while frame f+1 is being accepted; no cycle is lost between frames.
//   Beat times, output always ready (qnngen/layers/gap_timing.py): output beat g is accepted
//     exactly 2 cycles after input beat (N-1)*CF + g (last pixel, group g) is accepted.
//   Interval: IN_BEATS = N*CF cycles per frame with input always valid and output always ready
//     (one input beat per cycle, frames back to back).
//   Latency: the last output beat of a frame is accepted 2 cycles after the frame's last input
//     beat, IN_BEATS + 1 cycles after its first.
// Reset (rst_n synchronous, active low) clears the counters and valids; stored data is not cleared.

module qnngen_gap #(
  parameter int C = 1,
  parameter int IFM_H = 4,
  parameter int IFM_W = 4,
  parameter int SIMD = 1,
  parameter int IN_BITS = 4,
  parameter int IN_SIGNED = 0,
  parameter int OUT_BITS = 8,
  // Untyped string parameter: Yosys does not accept `parameter string`.
  parameter MEM_STYLE = "block"  // qnngen_ram STYLE of the accumulator words
) (
  input  logic                       clk,
  input  logic                       rst_n,
  input  logic [SIMD*IN_BITS-1:0]    s_axis_tdata,
  input  logic                       s_axis_tvalid,
  output logic                       s_axis_tready,
  output logic [SIMD*OUT_BITS-1:0]   m_axis_tdata,
  output logic                       m_axis_tvalid,
  input  logic                       m_axis_tready
);
  localparam int CF = C / SIMD;
  localparam int N = IFM_H * IFM_W;
  localparam int WI = SIMD * IN_BITS;
  localparam int WO = SIMD * OUT_BITS;
  localparam int AW = CF > 1 ? $clog2(CF) : 1;
  localparam int PW = N > 1 ? $clog2(N) : 1;

  if (SIMD < 1 || C % SIMD != 0) begin : g_bad_simd
    $error("qnngen_gap: SIMD must divide C");
  end
  if (IFM_H < 1 || IFM_W < 1) begin : g_bad_size
    $error("qnngen_gap: need IFM_H, IFM_W >= 1");
  end
  if (IN_BITS < 1 || OUT_BITS < IN_BITS) begin : g_bad_bits
    $error("qnngen_gap: need 1 <= IN_BITS <= OUT_BITS");
  end

  // ---------------------------------------------------------------- input position
  logic adv;
  logic accept;
  logic [AW-1:0] g;
  logic [PW-1:0] p;  // pixel index y*IFM_W + x; the order within a frame is all that matters
  logic end_g, end_p;

  assign adv = !m_axis_tvalid || m_axis_tready;
  assign s_axis_tready = adv;
  assign accept = s_axis_tvalid && adv;
  assign end_g = g == AW'(CF - 1);
  assign end_p = p == PW'(N - 1);

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      g <= '0;
      p <= '0;
    end else if (accept) begin
      g <= end_g ? '0 : g + 1'b1;
      if (end_g) p <= end_p ? '0 : p + 1'b1;
    end
  end

  // ---------------------------------------------------------------- S1: accumulator read
  logic s1_valid;
  logic s1_first;  // first pixel: the beat starts its groups' sums
  logic s1_last;   // last pixel: the beat completes its groups' sums
  logic [AW-1:0] s1_addr;
  logic [WI-1:0] s1_x;
  logic [WO-1:0] acc_q;
  logic [WO-1:0] fwd_q;
  logic fwd_hit;
  logic [WO-1:0] updated;
  logic write;

  assign write = adv && s1_valid;

  always_ff @(posedge clk) begin
    if (!rst_n) s1_valid <= 1'b0;
    else if (adv) s1_valid <= accept;
  end

  always_ff @(posedge clk) begin
    if (adv) begin
      s1_first <= p == '0;
      s1_last <= end_p;
      s1_addr <= g;
      s1_x <= s_axis_tdata;
      fwd_hit <= write && s1_addr == g;
      fwd_q <= updated;
    end
  end

  // ---------------------------------------------------------------- S2: update and output
  logic [WO-1:0] acc;
  logic [WO-1:0] out_q;

  assign acc = fwd_hit ? fwd_q : acc_q;

  always_comb begin
    for (int s = 0; s < SIMD; s++) begin
      logic [IN_BITS-1:0] b;
      logic [OUT_BITS-1:0] ext;
      b = s1_x[s*IN_BITS+:IN_BITS];
      if (IN_SIGNED != 0) ext = OUT_BITS'($signed(b));
      else ext = OUT_BITS'(b);
      updated[s*OUT_BITS+:OUT_BITS] = (s1_first ? '0 : acc[s*OUT_BITS+:OUT_BITS]) + ext;
    end
  end

  qnngen_ram #(
    .WIDTH(WO), .DEPTH(CF), .STYLE(MEM_STYLE)
  ) u_mem (
    .clk, .we(write), .waddr(s1_addr), .wdata(updated), .re(adv), .raddr(g), .q(acc_q)
  );

  always_ff @(posedge clk) begin
    if (!rst_n) m_axis_tvalid <= 1'b0;
    else if (adv) m_axis_tvalid <= s1_valid && s1_last;
  end

  always_ff @(posedge clk) if (adv) out_q <= updated;

  assign m_axis_tdata = out_q;
endmodule
