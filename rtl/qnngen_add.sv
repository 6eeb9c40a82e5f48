// SPDX-License-Identifier: Apache-2.0
// qnngen_add: elementwise join of two AXI-Stream streams in lock-step (residual addition).
//
// Per beat: out[i] = A_MUL*a[i] + B_MUL*b[i] + OFFSET for i < PE, where a[i] is element i of
//   an s0_axis beat and b[i] element i of the s1_axis beat taken with it.
//
// Streams (element 0 in the least significant bits):
//   s0_axis_tdata: a[i] at [i*A_BITS +: A_BITS], two's complement when A_SIGNED, else unsigned.
//   s1_axis_tdata: b[i] at [i*B_BITS +: B_BITS], two's complement when B_SIGNED, else unsigned.
//   m_axis_tdata:  out[i] at [i*OUT_BITS +: OUT_BITS], two's complement.
//   A_MUL, B_MUL and OFFSET are integers and may be negative. OUT_BITS must hold every result;
//   the sum is then computed modulo 2**OUT_BITS, which is exact and keeps all adders OUT_BITS
//   wide (operands wider than OUT_BITS are truncated, narrower ones sign/zero extended).
//
// Cycle behaviour
//   * A beat moves on both inputs in the same cycle or on neither:
//       adv = !m_axis_tvalid || m_axis_tready (the output register is free or emptying),
//       s0_axis_tready = adv && s1_axis_tvalid, s1_axis_tready = adv && s0_axis_tvalid.
//     Each tready depends combinationally on m_axis_tready and on the other input's tvalid
//     (never on its own tvalid); m_axis_tdata / m_axis_tvalid depend on registers only.
//   * Latency: a beat pair accepted at cycle t is visible on m_axis at cycle t+1.
//   * Throughput: one beat per cycle while both inputs are valid and the output is ready.
//   * Reset (rst_n low at a rising edge) clears m_axis_tvalid; the data is not cleared.
module qnngen_add #(
    parameter int PE = 1,
    parameter int A_BITS = 8,
    parameter int A_SIGNED = 0,
    parameter int B_BITS = 8,
    parameter int B_SIGNED = 0,
    parameter int A_MUL = 1,
    parameter int B_MUL = 1,
    parameter int OFFSET = 0,
    parameter int OUT_BITS = 9
) (
    input  logic                   clk,
    input  logic                   rst_n,
    input  logic [  PE*A_BITS-1:0] s0_axis_tdata,
    input  logic                   s0_axis_tvalid,
    output logic                   s0_axis_tready,
    input  logic [  PE*B_BITS-1:0] s1_axis_tdata,
    input  logic                   s1_axis_tvalid,
    output logic                   s1_axis_tready,
    output logic [PE*OUT_BITS-1:0] m_axis_tdata,
    output logic                   m_axis_tvalid,
    input  logic                   m_axis_tready
);
  localparam logic [OUT_BITS-1:0] AM = OUT_BITS'(A_MUL);
  localparam logic [OUT_BITS-1:0] BM = OUT_BITS'(B_MUL);
  localparam logic [OUT_BITS-1:0] OFS = OUT_BITS'(OFFSET);

  logic                   adv;
  logic                   take;
  logic [PE*OUT_BITS-1:0] sum;

  assign adv = !m_axis_tvalid || m_axis_tready;
  assign s0_axis_tready = adv && s1_axis_tvalid;
  assign s1_axis_tready = adv && s0_axis_tvalid;
  assign take = adv && s0_axis_tvalid && s1_axis_tvalid;

  for (genvar i = 0; i < PE; i++) begin : g_pe
    logic [OUT_BITS-1:0] a;
    logic [OUT_BITS-1:0] b;
    if (A_SIGNED != 0) begin : g_a_signed
      assign a = OUT_BITS'($signed(s0_axis_tdata[i*A_BITS+:A_BITS]));
    end else begin : g_a_unsigned
      assign a = OUT_BITS'(s0_axis_tdata[i*A_BITS+:A_BITS]);
    end
    if (B_SIGNED != 0) begin : g_b_signed
      assign b = OUT_BITS'($signed(s1_axis_tdata[i*B_BITS+:B_BITS]));
    end else begin : g_b_unsigned
      assign b = OUT_BITS'(s1_axis_tdata[i*B_BITS+:B_BITS]);
    end
    assign sum[i*OUT_BITS+:OUT_BITS] = AM * a + BM * b + OFS;
  end

  always_ff @(posedge clk) begin
    if (!rst_n) m_axis_tvalid <= 1'b0;
    else if (adv) m_axis_tvalid <= s0_axis_tvalid && s1_axis_tvalid;
  end

  always_ff @(posedge clk) begin
    if (take) m_axis_tdata <= sum;
  end

endmodule
