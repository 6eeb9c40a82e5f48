// SPDX-License-Identifier: Apache-2.0
// qnngen_axi_split: memory words (MEM_WIDTH bits) to SLICE_WIDTH-bit slices, SLICES per frame:
// a frame's slices come LSB first from its words and the rest of its last word (padding) is
// dropped. SLICE_WIDTH divides MEM_WIDTH; with SLICE_WIDTH == MEM_WIDTH it is a wire.
//
// Cycle behaviour
//   * One slice out per cycle; a word is shifted out of one register (each bit holds, shifts or
//     loads), so the cost grows with MEM_WIDTH only, whatever the slice width.
//   * The next word enters in the cycle its predecessor's last slice leaves.
//   * s_axis_tready depends combinationally on m_axis_tready; m_axis_* on registers only.
module qnngen_axi_split #(
    parameter int MEM_WIDTH   = 64,
    parameter int SLICE_WIDTH = 8,
    parameter int SLICES      = 1
) (
    input  logic                   clk,
    input  logic                   rst_n,
    input  logic [  MEM_WIDTH-1:0] s_axis_tdata,
    input  logic                   s_axis_tvalid,
    output logic                   s_axis_tready,
    output logic [SLICE_WIDTH-1:0] m_axis_tdata,
    output logic                   m_axis_tvalid,
    input  logic                   m_axis_tready
);
  localparam int PER_WORD = MEM_WIDTH / SLICE_WIDTH;

  if (PER_WORD == 1) begin : g_wire
    logic unused_clock;
    assign unused_clock = clk ^ rst_n;
    assign m_axis_tdata  = s_axis_tdata;
    assign m_axis_tvalid = s_axis_tvalid;
    assign s_axis_tready = m_axis_tready;
  end else begin : g_split
    localparam int LW = $clog2(PER_WORD + 1);
    localparam int SW = $clog2(SLICES + 1);
    logic [MEM_WIDTH-1:0] word;
    logic [LW-1:0] left;  // slices of word still to send
    logic [SW-1:0] sent;  // slices of the current frame sent
    logic pop, push, last;

    assign m_axis_tvalid = (left != '0);
    assign m_axis_tdata = word[SLICE_WIDTH-1:0];
    assign pop = m_axis_tvalid && m_axis_tready;
    assign last = (sent == SW'(SLICES - 1));
    assign s_axis_tready = !m_axis_tvalid || (pop && (last || left == LW'(1)));
    assign push = s_axis_tvalid && s_axis_tready;

    always_ff @(posedge clk) begin
      if (!rst_n) begin
        left <= '0;
        sent <= '0;
      end else begin
        if (push) left <= LW'(PER_WORD);
        else if (pop) left <= last ? '0 : left - 1'b1;
        if (pop) sent <= last ? '0 : sent + 1'b1;
      end
    end

    always_ff @(posedge clk) begin
      if (push) word <= s_axis_tdata;
      else if (pop) word <= {SLICE_WIDTH'(0), word[MEM_WIDTH-1:SLICE_WIDTH]};
    end
  end

endmodule
