// SPDX-License-Identifier: Apache-2.0
// qnngen_axi_writer: AXI4 write master storing the WORDS memory words arriving on s_axis at byte
// address BASE onwards, in address order.
//
// Cycle behaviour
//   * Bursts come from qnngen_axi_burst (1..256 beats, none crossing 4 KB). A burst's address is
//     issued once all its words are in the FIFO (so W never waits for the core), its data follows
//     its address handshake at one beat per cycle; up to OUTSTANDING bursts may await their
//     write response, so the next address does not wait for B.
//   * finished: every word was written and every response received.
//   * awvalid, the address and wvalid depend on registers and a compare of registers only.
module qnngen_axi_writer #(
    parameter int DATA_WIDTH  = 64,
    parameter int FIFO_DEPTH  = 512,
    parameter int OUTSTANDING = 8
) (
    input  logic                    clk,
    input  logic                    rst_n,
    input  logic                    start,
    input  logic [            63:0] base,
    input  logic [            63:0] words,
    output logic                    finished,
    input  logic [  DATA_WIDTH-1:0] s_axis_tdata,
    input  logic                    s_axis_tvalid,
    output logic                    s_axis_tready,
    output logic                    m_axi_awvalid,
    input  logic                    m_axi_awready,
    output logic [            63:0] m_axi_awaddr,
    output logic [             7:0] m_axi_awlen,
    output logic                    m_axi_wvalid,
    input  logic                    m_axi_wready,
    output logic [  DATA_WIDTH-1:0] m_axi_wdata,
    output logic [DATA_WIDTH/8-1:0] m_axi_wstrb,
    output logic                    m_axi_wlast,
    input  logic                    m_axi_bvalid,
    output logic                    m_axi_bready
);
  localparam int CW = $clog2(FIFO_DEPTH + 1);
  localparam int OW = $clog2(OUTSTANDING + 1);

  logic burst_valid, burst_finished, take;
  logic [8:0] len;
  logic [CW-1:0] unclaimed;  // FIFO words not yet covered by an issued burst address
  logic [OW-1:0] pending;  // bursts issued whose write response has not come
  logic [7:0] beat;  // beats of the current burst sent
  logic [7:0] last_beat;  // awlen of the burst whose data is being sent
  logic lens_valid, data_valid, w_hs, push;
  logic unused_lens_ready;  // never full: it holds at most the OUTSTANDING bursts in flight

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
      .addr(m_axi_awaddr),
      .len(len),
      .take(take)
  );

  assign m_axi_awvalid = burst_valid && (unclaimed >= CW'(len)) && (pending != OW'(OUTSTANDING));
  assign m_axi_awlen = 8'(len - 9'd1);
  assign take = m_axi_awvalid && m_axi_awready;
  assign push = s_axis_tvalid && s_axis_tready;
  assign m_axi_wvalid = data_valid && lens_valid;
  assign m_axi_wstrb = '1;
  assign m_axi_wlast = (beat == last_beat);
  assign w_hs = m_axi_wvalid && m_axi_wready;
  assign m_axi_bready = 1'b1;
  assign finished = burst_finished && (pending == '0);

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      unclaimed <= '0;
      pending <= '0;
      beat <= '0;
    end else begin
      unclaimed <= unclaimed - (take ? CW'(len) : '0) + CW'(push);
      pending <= pending + OW'(take) - OW'(m_axi_bvalid);
      if (w_hs) beat <= m_axi_wlast ? '0 : beat + 8'd1;
    end
  end

  qnngen_fifo #(
      .WIDTH(DATA_WIDTH),
      .DEPTH(FIFO_DEPTH)
  ) buffer (
      .clk(clk),
      .rst_n(rst_n),
      .s_axis_tdata(s_axis_tdata),
      .s_axis_tvalid(s_axis_tvalid),
      .s_axis_tready(s_axis_tready),
      .m_axis_tdata(m_axi_wdata),
      .m_axis_tvalid(data_valid),
      .m_axis_tready(w_hs)
  );

  qnngen_fifo #(
      .WIDTH(8),
      .DEPTH(OUTSTANDING)
  ) lens (
      .clk(clk),
      .rst_n(rst_n),
      .s_axis_tdata(m_axi_awlen),
      .s_axis_tvalid(take),
      .s_axis_tready(unused_lens_ready),
      .m_axis_tdata(last_beat),
      .m_axis_tvalid(lens_valid),
      .m_axis_tready(w_hs && m_axi_wlast)
  );

endmodule
