// SPDX-License-Identifier: Apache-2.0
// qnngen_axi_join: SLICE_WIDTH-bit slices, SLICES per frame, to memory words (MEM_WIDTH bits):
// slices fill a word LSB first, and a frame's last word is zero above its last slice.
// SLICE_WIDTH divides MEM_WIDTH; with SLICE_WIDTH == MEM_WIDTH it is a wire.
//
// Cycle behaviour
//   * One slice in per cycle: each slice is written in place (a clock enable per slice
//     position, no data mux), a full word or a frame's last one moves to the output register
//     and the filling register is cleared, so the cost grows with MEM_WIDTH only.
//   * s_axis_tready depends combinationally on m_axis_tready; m_axis_* on registers only.
module qnngen_axi_join #(
    parameter int SLICE_WIDTH = 8,
    parameter int SLICES      = 1,
    parameter int MEM_WIDTH   = 64
) (
    input  logic                   clk,
    input  logic                   rst_n,
    input  logic [SLICE_WIDTH-1:0] s_axis_tdata,
    input  logic                   s_axis_tvalid,
    output logic                   s_axis_tready,
    output logic [  MEM_WIDTH-1:0] m_axis_tdata,
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
  end else begin : g_join
    localparam int PW = $clog2(PER_WORD);
    localparam int SW = $clog2(SLICES + 1);
    logic [MEM_WIDTH-1:0] filling;
    logic [PW-1:0] pos;  // slice position the next slice takes in `filling`
    logic [SW-1:0] taken;  // slices of the current frame taken
    logic push, close;

    // a slice enters when the word it closes can move to a free (or freed) output register
    assign s_axis_tready = !close || !m_axis_tvalid || m_axis_tready;
    assign close = (pos == PW'(PER_WORD - 1)) || (taken == SW'(SLICES - 1));
    assign push = s_axis_tvalid && s_axis_tready;

    always_ff @(posedge clk) begin
      if (!rst_n) begin
        pos <= '0;
        taken <= '0;
        m_axis_tvalid <= 1'b0;
      end else begin
        if (push) begin
          pos <= close ? '0 : pos + 1'b1;
          taken <= (taken == SW'(SLICES - 1)) ? '0 : taken + 1'b1;
        end
        if (push && close) m_axis_tvalid <= 1'b1;
        else if (m_axis_tready) m_axis_tvalid <= 1'b0;
      end
    end

    always_ff @(posedge clk) begin
      if (!rst_n) filling <= '0;
      else if (push && close) filling <= '0;
      else if (push) begin
        for (int k = 0; k < PER_WORD; k++) begin
          if (pos == PW'(k)) filling[k*SLICE_WIDTH+:SLICE_WIDTH] <= s_axis_tdata;
        end
      end
    end

    always_ff @(posedge clk) begin
      if (push && close) begin
        for (int k = 0; k < PER_WORD; k++) begin
          m_axis_tdata[k*SLICE_WIDTH+:SLICE_WIDTH] <=
              (pos == PW'(k)) ? s_axis_tdata : filling[k*SLICE_WIDTH+:SLICE_WIDTH];
        end
      end
    end
  end

endmodule
