// SPDX-License-Identifier: Apache-2.0
// qnngen_dup: AXI-Stream fork; every input beat leaves once on m0_axis and once on m1_axis.
//
// Storage: one WIDTH-bit beat register shared by both outputs and one pending flag per output
//   (m0_axis_tvalid, m1_axis_tvalid): "this output has not yet taken the held beat".
//
// Cycle behaviour
//   * Outputs are registered: m*_axis_tdata and m*_axis_tvalid depend on registers only.
//   * Latency: a beat accepted at cycle t is visible on both outputs at cycle t+1.
//   * Each output handshakes on its own: m0 may take the held beat while m1 stalls, and the
//     other way round. A new beat is accepted once both outputs have taken the held one, so an
//     output waits for the other by at most the beat currently held; it never runs ahead.
//   * s_axis_tready = (!m0_axis_tvalid || m0_axis_tready) && (!m1_axis_tvalid || m1_axis_tready):
//     the held beat is gone or leaves on every pending output this cycle. It depends
//     combinationally on both m*_axis_tready; put a qnngen_fifo before the dup where that ready
//     chain must be broken.
//   * Throughput: one beat per cycle while the input is valid and both outputs are ready.
//   * Reset (rst_n low at a rising edge) clears both pending flags; the data is not cleared.
module qnngen_dup #(
    parameter int WIDTH = 8
) (
    input  logic             clk,
    input  logic             rst_n,
    input  logic [WIDTH-1:0] s_axis_tdata,
    input  logic             s_axis_tvalid,
    output logic             s_axis_tready,
    output logic [WIDTH-1:0] m0_axis_tdata,
    output logic             m0_axis_tvalid,
    input  logic             m0_axis_tready,
    output logic [WIDTH-1:0] m1_axis_tdata,
    output logic             m1_axis_tvalid,
    input  logic             m1_axis_tready
);
  logic [WIDTH-1:0] held;
  logic             take;

  assign s_axis_tready = (!m0_axis_tvalid || m0_axis_tready)
      && (!m1_axis_tvalid || m1_axis_tready);
  assign take = s_axis_tvalid && s_axis_tready;
  assign m0_axis_tdata = held;
  assign m1_axis_tdata = held;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      m0_axis_tvalid <= 1'b0;
      m1_axis_tvalid <= 1'b0;
    end else if (take) begin
      m0_axis_tvalid <= 1'b1;
      m1_axis_tvalid <= 1'b1;
    end else begin
      m0_axis_tvalid <= m0_axis_tvalid && !m0_axis_tready;
      m1_axis_tvalid <= m1_axis_tvalid && !m1_axis_tready;
    end
  end

  always_ff @(posedge clk) begin
    if (take) held <= s_axis_tdata;
  end

endmodule
