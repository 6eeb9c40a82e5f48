// SPDX-License-Identifier: Apache-2.0
// qnngen_fifo: first-word fall-through AXI-Stream FIFO holding up to DEPTH beats.
//
// Cycle behaviour
//   * Throughput: one beat in and one beat out per cycle, also when pushing and popping at once.
//   * Latency (beat accepted at cycle t -> first visible on m_axis at cycle t+L):
//       DEPTH <= 64: L = 1 (LUT RAM with asynchronous read),
//       DEPTH >  64: L = 2 (block RAM with registered read, then a two-entry output skid).
//   * s_axis_tready = "fewer than DEPTH beats stored"; it depends on registers only, never on
//     m_axis_tready, so a FIFO breaks combinational ready chains between layers. A full FIFO
//     therefore accepts again one cycle after a pop.
//   * Reset (rst_n low at a rising edge) empties the FIFO; stored data is not cleared.
//
// Block-RAM variant: the RAM read is issued ahead of demand whenever the output stage (the RAM
// read register plus a two-entry skid) holds at most one beat, so a continuously popped FIFO
// reads the RAM every cycle and a stalled one parks up to three beats outside the RAM.
module qnngen_fifo #(
    parameter int WIDTH = 8,
    parameter int DEPTH = 2
) (
    input  logic             clk,
    input  logic             rst_n,
    input  logic [WIDTH-1:0] s_axis_tdata,
    input  logic             s_axis_tvalid,
    output logic             s_axis_tready,
    output logic [WIDTH-1:0] m_axis_tdata,
    output logic             m_axis_tvalid,
    input  logic             m_axis_tready
);
  localparam int BRAM_MIN_DEPTH = 65;
  localparam int AW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam int CW = $clog2(DEPTH + 1);
  localparam logic [AW-1:0] LAST = AW'(DEPTH - 1);
  localparam logic [CW-1:0] FULL = CW'(DEPTH);

  if (DEPTH < 2) begin : g_bad_depth
    $error("qnngen_fifo: DEPTH=%0d must be at least 2", DEPTH);
  end

  logic [CW-1:0] count;  // beats stored anywhere in the FIFO
  logic [AW-1:0] wr_ptr;
  logic          push;
  logic          pop;

  assign s_axis_tready = (count != FULL);
  assign push = s_axis_tvalid && s_axis_tready;
  assign pop = m_axis_tvalid && m_axis_tready;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      count  <= '0;
      wr_ptr <= '0;
    end else begin
      if (push && !pop) count <= count + 1'b1;
      else if (pop && !push) count <= count - 1'b1;
      if (push) wr_ptr <= (wr_ptr == LAST) ? '0 : wr_ptr + 1'b1;
    end
  end

  if (DEPTH < BRAM_MIN_DEPTH) begin : g_lutram
    (* ram_style = "distributed" *) logic [WIDTH-1:0] mem[DEPTH];
    logic [AW-1:0] rd_ptr;

    always_ff @(posedge clk) begin
      if (push) mem[wr_ptr] <= s_axis_tdata;
    end

    always_ff @(posedge clk) begin
      if (!rst_n) rd_ptr <= '0;
      else if (pop) rd_ptr <= (rd_ptr == LAST) ? '0 : rd_ptr + 1'b1;
    end

    assign m_axis_tdata  = mem[rd_ptr];
    assign m_axis_tvalid = (count != '0);
  end else begin : g_bram
    (* ram_style = "block" *) logic [WIDTH-1:0] mem[DEPTH];
    logic [AW-1:0] rd_ptr;
    logic [CW-1:0] ram_count;  // beats written to the RAM and not yet read out of it
    logic [WIDTH-1:0] rd_data;  // RAM read register
    logic rd_valid;  // rd_data holds a beat read last cycle
    logic [WIDTH-1:0] skid[2];
    logic [1:0] skid_count;
    logic skid_head;  // index of the oldest skid entry
    logic read;
    logic skid_push;
    logic skid_pop;

    // Beats leave in order: skid entries are older than rd_data, which is older than the RAM.
    assign read = (ram_count != '0) && ({1'b0, skid_count} + {2'b0, rd_valid} <= 3'd1);
    assign skid_pop = pop && (skid_count != 2'd0);
    assign skid_push = rd_valid && !(pop && skid_count == 2'd0);
    assign m_axis_tvalid = (skid_count != 2'd0) || rd_valid;
    assign m_axis_tdata = (skid_count != 2'd0) ? skid[skid_head] : rd_data;

    always_ff @(posedge clk) begin
      if (push) mem[wr_ptr] <= s_axis_tdata;
      if (read) rd_data <= mem[rd_ptr];
    end

    always_ff @(posedge clk) begin
      if (skid_push) skid[skid_head ^ (skid_count == 2'd1)] <= rd_data;
    end

    always_ff @(posedge clk) begin
      if (!rst_n) begin
        rd_ptr <= '0;
        ram_count <= '0;
        rd_valid <= 1'b0;
        skid_count <= 2'd0;
        skid_head <= 1'b0;
      end else begin
        if (read) rd_ptr <= (rd_ptr == LAST) ? '0 : rd_ptr + 1'b1;
        if (push && !read) ram_count <= ram_count + 1'b1;
        else if (read && !push) ram_count <= ram_count - 1'b1;
        rd_valid <= read;
        if (skid_push && !skid_pop) skid_count <= skid_count + 2'd1;
        else if (skid_pop && !skid_push) skid_count <= skid_count - 2'd1;
        if (skid_pop) skid_head <= !skid_head;
      end
    end
  end

endmodule
