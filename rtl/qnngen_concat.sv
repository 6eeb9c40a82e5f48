// SPDX-License-Identifier: Apache-2.0
// qnngen_concat: channel concatenation of two NHWC AXI-Stream streams with the same pixels.
//
// Per pixel: out channels 0..C0-1 are the C0 channels of the pixel on s0_axis, out channels
//   C0..C0+C1-1 the C1 channels of the same pixel on s1_axis. The module is frame-agnostic: it
//   alternates B0 = C0/PE beats from s0_axis with B1 = C1/PE beats from s1_axis forever, so
//   PIXELS only states the frame size for checks and the interval; it changes no logic.
//
// Streams (element 0 in the least significant bits, all elements BITS wide, passed unchanged):
//   s0_axis_tdata: per pixel B0 beats, beat g holding channels g*PE + i at [i*BITS +: BITS].
//   s1_axis_tdata: per pixel B1 beats in the same layout.
//   m_axis_tdata:  per pixel B0 + B1 beats: the pixel's s0 beats, then its s1 beats.
//
// Storage: a beat counter idx (0 .. B0+B1-1), a source flag sel = (idx >= B0) and the output
//   register (m_axis_tdata, m_axis_tvalid).
//
// Cycle behaviour
//   * Only the selected input handshakes; the other sees tready low:
//       adv = !m_axis_tvalid || m_axis_tready (the output register is free or emptying),
//       s0_axis_tready = adv && !sel, s1_axis_tready = adv && sel.
//     Each tready depends on registers and combinationally on m_axis_tready only (never on any
//     tvalid); m_axis_tdata / m_axis_tvalid depend on registers only.
//   * Latency: a beat accepted at cycle t is visible on m_axis at cycle t+1.
//   * Throughput: one beat per cycle while the selected input is valid and the output ready;
//     an idle selected input stalls the output even if the other input is valid.
//   * Beat times, output always ready (qnngen/layers/concat_timing.py): output beat j, taken from
//     input beat k of its source, is accepted at a_j = max(a_{j-1} + 1, v_k + 1), where v_k is
//     the cycle input beat k is first valid on its s*_axis port.
//   * Interval: (C0 + C1) / PE * PIXELS cycles per frame with both inputs always valid and the
//     output always ready.
//   * Reset (rst_n low at a rising edge) clears m_axis_tvalid and restarts at beat 0 of a pixel
//     on s0_axis; the data is not cleared.
module qnngen_concat #(
    parameter int PIXELS = 1,
    parameter int C0 = 1,
    parameter int C1 = 1,
    parameter int PE = 1,
    parameter int BITS = 8
) (
    input  logic                 clk,
    input  logic                 rst_n,
    input  logic [PE*BITS-1:0]   s0_axis_tdata,
    input  logic                 s0_axis_tvalid,
    output logic                 s0_axis_tready,
    input  logic [PE*BITS-1:0]   s1_axis_tdata,
    input  logic                 s1_axis_tvalid,
    output logic                 s1_axis_tready,
    output logic [PE*BITS-1:0]   m_axis_tdata,
    output logic                 m_axis_tvalid,
    input  logic                 m_axis_tready
);
  localparam int B0 = C0 / PE;
  localparam int B1 = C1 / PE;
  localparam int IW = $clog2(B0 + B1);  // B0 + B1 >= 2, so IW >= 1

  if (PE < 1 || C0 < PE || C1 < PE || C0 % PE != 0 || C1 % PE != 0) begin : g_bad_pe
    $error("qnngen_concat: PE=%0d must divide C0=%0d and C1=%0d", PE, C0, C1);
  end
  if (PIXELS < 1) begin : g_bad_pixels
    $error("qnngen_concat: PIXELS=%0d must be at least 1", PIXELS);
  end

  localparam logic [IW-1:0] LAST = IW'(B0 + B1 - 1);
  localparam logic [IW-1:0] LAST0 = IW'(B0 - 1);

  logic          adv;
  logic          in_valid;  // the selected input's tvalid
  logic          take;
  logic          sel;  // 0: reading s0_axis, 1: reading s1_axis
  logic [IW-1:0] idx;  // output beat within the pixel

  assign adv = !m_axis_tvalid || m_axis_tready;
  assign s0_axis_tready = adv && !sel;
  assign s1_axis_tready = adv && sel;
  assign in_valid = sel ? s1_axis_tvalid : s0_axis_tvalid;
  assign take = adv && in_valid;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      idx <= '0;
      sel <= 1'b0;
      m_axis_tvalid <= 1'b0;
    end else begin
      if (adv) m_axis_tvalid <= in_valid;
      if (take) begin
        // B1 >= 1, so LAST != LAST0 and the two cases never coincide.
        if (idx == LAST) begin
          idx <= '0;
          sel <= 1'b0;
        end else begin
          idx <= idx + 1'b1;
          if (idx == LAST0) sel <= 1'b1;
        end
      end
    end
  end

  always_ff @(posedge clk) begin
    if (take) m_axis_tdata <= sel ? s1_axis_tdata : s0_axis_tdata;
  end

endmodule
