// SPDX-License-Identifier: Apache-2.0
// qnngen_axi_reader: AXI4 read master streaming WORDS memory words from byte address BASE out of
// m_axis, in address order.
//
// Cycle behaviour
//   * Bursts come from qnngen_axi_burst (1..256 beats, none crossing 4 KB), one address every
//     two cycles at most, as many in flight as FIFO_DEPTH words of buffer allow: an address is
//     issued only when the FIFO has room for its whole burst, so rready stays high and the
//     memory is never held up by the consumer. FIFO_DEPTH of twice the longest burst keeps one
//     burst arriving while the previous one drains.
//   * finished: every word was requested, received and has left m_axis.
//   * arvalid and the address depend on registers and a compare of registers only.
module qnngen_axi_reader #(
    parameter int DATA_WIDTH = 64,
    parameter int FIFO_DEPTH = 512
) (
    input  logic                  clk,
    input  logic                  rst_n,
    input  logic                  start,
    input  logic [          63:0] base,
    input  logic [          63:0] words,
    output logic                  finished,
    output logic                  m_axi_arvalid,
    input  logic                  m_axi_arready,
    output logic [          63:0] m_axi_araddr,
    output logic [           7:0] m_axi_arlen,
    input  logic                  m_axi_rvalid,
    output logic                  m_axi_rready,
    input  logic [DATA_WIDTH-1:0] m_axi_rdata,
    output logic [DATA_WIDTH-1:0] m_axis_tdata,
    output logic                  m_axis_tvalid,
    input  logic                  m_axis_tready
);
  localparam int CW = $clog2(FIFO_DEPTH + 1);

  logic burst_valid, burst_finished, take;
  logic [8:0] len;
  logic [CW-1:0] room;  // FIFO words neither filled nor promised to an issued burst

  qnngen_axi_burst #(
      .DATA_WIDTH(DATA_WIDTH)
  ) plan (
      .clk(clk),
      .rst_n(rst_n),
      .start(start),
      .base(base),
      .words(words),
      .valid(burst_valid),
      .finished(burst_finished),
      .addr(m_axi_araddr),
      .len(len),
      .take(take)
  );

  assign m_axi_arvalid = burst_valid && (room >= CW'(len));
  assign m_axi_arlen = 8'(len - 9'd1);
  assign take = m_axi_arvalid && m_axi_arready;
  assign finished = burst_finished && (room == CW'(FIFO_DEPTH));

  always_ff @(posedge clk) begin
    if (!rst_n) room <= CW'(FIFO_DEPTH);
    else room <= room - (take ? CW'(len) : '0) + CW'(m_axis_tvalid && m_axis_tready);
  end

  qnngen_fifo #(
      .WIDTH(DATA_WIDTH),
      .DEPTH(FIFO_DEPTH)
  ) buffer (
      .clk(clk),
      .rst_n(rst_n),
      .s_axis_tdata(m_axi_rdata),
      .s_axis_tvalid(m_axi_rvalid),
      .s_axis_tready(m_axi_rready),
      .m_axis_tdata(m_axis_tdata),
      .m_axis_tvalid(m_axis_tvalid),
      .m_axis_tready(m_axis_tready)
  );

endmodule
