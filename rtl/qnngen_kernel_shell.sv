// SPDX-License-Identifier: Apache-2.0
// qnngen_kernel_shell: everything of the kernel but the accelerator: the AXI4-Lite control slave
// (ap_ctrl_hs), an AXI4 read master and width converter feeding the accelerator's input stream,
// and a width converter and AXI4 write master storing its output stream.
//
// A run (ap_start while idle) reads `frames` input frames from in_addr and writes as many output
// frames to out_addr, each frame laid out as qnngen/memlayout.py defines (dense, LSB first,
// padded to whole MEM_WIDTH-bit words; addresses aligned to MEM_WIDTH/8 bytes, lower bits
// ignored). ap_done rises after the last write response (and once every input word has been
// read). Reads and writes overlap: the core runs on while inputs are fetched and outputs stored.
//
// The register offsets are parameters: the generated qnngen_kernel sets them from
// qnngen/shell/regmap.py.
module qnngen_kernel_shell #(
    parameter logic [11:0] ADDR_CTRL = 12'h000,
    parameter logic [11:0] ADDR_GIE = 12'h000,
    parameter logic [11:0] ADDR_IER = 12'h000,
    parameter logic [11:0] ADDR_ISR = 12'h000,
    parameter logic [11:0] ADDR_IN_ADDR_LO = 12'h000,
    parameter logic [11:0] ADDR_IN_ADDR_HI = 12'h000,
    parameter logic [11:0] ADDR_OUT_ADDR_LO = 12'h000,
    parameter logic [11:0] ADDR_OUT_ADDR_HI = 12'h000,
    parameter logic [11:0] ADDR_FRAMES = 12'h000,
    parameter logic [11:0] ADDR_CYCLES_LO = 12'h000,
    parameter logic [11:0] ADDR_CYCLES_HI = 12'h000,
    parameter int MEM_WIDTH = 64,
    parameter int IN_WIDTH = 8,
    parameter int IN_BEATS = 1,
    parameter int OUT_WIDTH = 8,
    parameter int OUT_BEATS = 1,
    // words of read / write buffering: twice the longest burst (256 beats, fewer within 4 KB)
    parameter int FIFO_DEPTH = 2 * ((4096 / (MEM_WIDTH / 8) < 256) ? 4096 / (MEM_WIDTH / 8) : 256),
    parameter int OUTSTANDING_WRITES = 8
) (
    input  logic                   ap_clk,
    input  logic                   ap_rst_n,
    output logic                   interrupt,
    input  logic                   s_axi_control_awvalid,
    output logic                   s_axi_control_awready,
    input  logic [           11:0] s_axi_control_awaddr,
    input  logic                   s_axi_control_wvalid,
    output logic                   s_axi_control_wready,
    input  logic [           31:0] s_axi_control_wdata,
    input  logic [            3:0] s_axi_control_wstrb,
    output logic                   s_axi_control_bvalid,
    input  logic                   s_axi_control_bready,
    output logic [            1:0] s_axi_control_bresp,
    input  logic                   s_axi_control_arvalid,
    output logic                   s_axi_control_arready,
    input  logic [           11:0] s_axi_control_araddr,
    output logic                   s_axi_control_rvalid,
    input  logic                   s_axi_control_rready,
    output logic [           31:0] s_axi_control_rdata,
    output logic [            1:0] s_axi_control_rresp,
    output logic                   m_axi_gmem0_awvalid,
    input  logic                   m_axi_gmem0_awready,
    output logic [           63:0] m_axi_gmem0_awaddr,
    output logic [            7:0] m_axi_gmem0_awlen,
    output logic [            2:0] m_axi_gmem0_awsize,
    output logic [            1:0] m_axi_gmem0_awburst,
    output logic [            3:0] m_axi_gmem0_awcache,
    output logic [            2:0] m_axi_gmem0_awprot,
    output logic                   m_axi_gmem0_wvalid,
    input  logic                   m_axi_gmem0_wready,
    output logic [  MEM_WIDTH-1:0] m_axi_gmem0_wdata,
    output logic [MEM_WIDTH/8-1:0] m_axi_gmem0_wstrb,
    output logic                   m_axi_gmem0_wlast,
    input  logic                   m_axi_gmem0_bvalid,
    output logic                   m_axi_gmem0_bready,
    input  logic [            1:0] m_axi_gmem0_bresp,
    output logic                   m_axi_gmem0_arvalid,
    input  logic                   m_axi_gmem0_arready,
    output logic [           63:0] m_axi_gmem0_araddr,
    output logic [            7:0] m_axi_gmem0_arlen,
    output logic [            2:0] m_axi_gmem0_arsize,
    output logic [            1:0] m_axi_gmem0_arburst,
    output logic [            3:0] m_axi_gmem0_arcache,
    output logic [            2:0] m_axi_gmem0_arprot,
    input  logic                   m_axi_gmem0_rvalid,
    output logic                   m_axi_gmem0_rready,
    input  logic [  MEM_WIDTH-1:0] m_axi_gmem0_rdata,
    input  logic [            1:0] m_axi_gmem0_rresp,
    input  logic                   m_axi_gmem0_rlast,
    output logic [   IN_WIDTH-1:0] core_in_tdata,
    output logic                   core_in_tvalid,
    input  logic                   core_in_tready,
    input  logic [  OUT_WIDTH-1:0] core_out_tdata,
    input  logic                   core_out_tvalid,
    output logic                   core_out_tready
);
  localparam int IN_WORDS = (IN_BEATS * IN_WIDTH + MEM_WIDTH - 1) / MEM_WIDTH;  // per frame
  localparam int OUT_WORDS = (OUT_BEATS * OUT_WIDTH + MEM_WIDTH - 1) / MEM_WIDTH;
  // Words are cut into (assembled from) slices of a power of two just covering a beat, so the
  // variable-offset gearboxes work at that width and not at the memory's.
  localparam int IN_SLICE = (IN_WIDTH < MEM_WIDTH) ? 1 << $clog2(IN_WIDTH) : MEM_WIDTH;
  localparam int OUT_SLICE = (OUT_WIDTH < MEM_WIDTH) ? 1 << $clog2(OUT_WIDTH) : MEM_WIDTH;
  localparam int IN_SLICES = (IN_BEATS * IN_WIDTH + IN_SLICE - 1) / IN_SLICE;  // per frame
  localparam int OUT_SLICES = (OUT_BEATS * OUT_WIDTH + OUT_SLICE - 1) / OUT_SLICE;

  if (MEM_WIDTH < 32 || MEM_WIDTH > 512 || (MEM_WIDTH & (MEM_WIDTH - 1)) != 0) begin : g_bad_width
    $error("qnngen_kernel_shell: MEM_WIDTH=%0d must be a power of two in 32..512", MEM_WIDTH);
  end

  logic start, done, busy, read_finished, write_finished;
  logic [63:0] in_addr, out_addr, in_words, out_words;
  logic [31:0] frames;
  logic [MEM_WIDTH-1:0] rd_tdata, wr_tdata;
  logic rd_tvalid, rd_tready, wr_tvalid, wr_tready;
  logic [IN_SLICE-1:0] in_slice_tdata;
  logic [OUT_SLICE-1:0] out_slice_tdata;
  logic in_slice_tvalid, in_slice_tready, out_slice_tvalid, out_slice_tready;
  // error responses and rlast carry nothing the shell acts on (bursts are counted)
  logic unused;
  assign unused = ^{m_axi_gmem0_bresp, m_axi_gmem0_rresp, m_axi_gmem0_rlast};

  assign m_axi_gmem0_awsize = 3'($clog2(MEM_WIDTH / 8));
  assign m_axi_gmem0_arsize = 3'($clog2(MEM_WIDTH / 8));
  assign m_axi_gmem0_awburst = 2'b01;  // INCR
  assign m_axi_gmem0_arburst = 2'b01;
  assign m_axi_gmem0_awcache = 4'b0011;  // bufferable, modifiable
  assign m_axi_gmem0_arcache = 4'b0011;
  assign m_axi_gmem0_awprot = 3'b000;
  assign m_axi_gmem0_arprot = 3'b000;

  qnngen_axi_ctrl #(
      .ADDR_CTRL(ADDR_CTRL),
      .ADDR_GIE(ADDR_GIE),
      .ADDR_IER(ADDR_IER),
      .ADDR_ISR(ADDR_ISR),
      .ADDR_IN_ADDR_LO(ADDR_IN_ADDR_LO),
      .ADDR_IN_ADDR_HI(ADDR_IN_ADDR_HI),
      .ADDR_OUT_ADDR_LO(ADDR_OUT_ADDR_LO),
      .ADDR_OUT_ADDR_HI(ADDR_OUT_ADDR_HI),
      .ADDR_FRAMES(ADDR_FRAMES),
      .ADDR_CYCLES_LO(ADDR_CYCLES_LO),
      .ADDR_CYCLES_HI(ADDR_CYCLES_HI)
  ) control (
      .clk(ap_clk),
      .rst_n(ap_rst_n),
      .interrupt(interrupt),
      .s_axi_awvalid(s_axi_control_awvalid),
      .s_axi_awready(s_axi_control_awready),
      .s_axi_awaddr(s_axi_control_awaddr),
      .s_axi_wvalid(s_axi_control_wvalid),
      .s_axi_wready(s_axi_control_wready),
      .s_axi_wdata(s_axi_control_wdata),
      .s_axi_wstrb(s_axi_control_wstrb),
      .s_axi_bvalid(s_axi_control_bvalid),
      .s_axi_bready(s_axi_control_bready),
      .s_axi_bresp(s_axi_control_bresp),
      .s_axi_arvalid(s_axi_control_arvalid),
      .s_axi_arready(s_axi_control_arready),
      .s_axi_araddr(s_axi_control_araddr),
      .s_axi_rvalid(s_axi_control_rvalid),
      .s_axi_rready(s_axi_control_rready),
      .s_axi_rdata(s_axi_control_rdata),
      .s_axi_rresp(s_axi_control_rresp),
      .start(start),
      .done(done),
      .in_addr(in_addr),
      .out_addr(out_addr),
      .frames(frames)
  );

  // Setup after start: the word counts frames * IN_WORDS and frames * OUT_WORDS by shift and add,
  // one constant bit per cycle from the top (no multiplier), then launch the reader and writer.
  localparam int MAX_WORDS = (IN_WORDS > OUT_WORDS) ? IN_WORDS : OUT_WORDS;
  localparam int STEPS = $clog2(MAX_WORDS + 1);
  localparam int SW = $clog2(STEPS + 1);
  localparam logic [31:0] IN_WORDS_BITS = 32'(IN_WORDS);
  localparam logic [31:0] OUT_WORDS_BITS = 32'(OUT_WORDS);
  logic [SW-1:0] step;  // constant bits left to add
  logic [4:0] bit_index;
  logic launch;

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      step <= '0;
      launch <= 1'b0;
    end else begin
      step <= start ? SW'(STEPS) : (step != '0) ? step - 1'b1 : step;
      launch <= (step == SW'(1));
    end
  end

  assign bit_index = 5'(step - 1'b1);

  always_ff @(posedge ap_clk) begin
    if (start) begin
      in_words <= '0;
      out_words <= '0;
    end else if (step != '0) begin
      in_words <= {in_words[62:0], 1'b0} + (IN_WORDS_BITS[bit_index] ? 64'(frames) : '0);
      out_words <= {out_words[62:0], 1'b0} + (OUT_WORDS_BITS[bit_index] ? 64'(frames) : '0);
    end
  end

  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) busy <= 1'b0;
    else if (launch) busy <= 1'b1;
    else if (done) busy <= 1'b0;
  end
  assign done = busy && read_finished && write_finished;

  qnngen_axi_reader #(
      .DATA_WIDTH(MEM_WIDTH),
      .FIFO_DEPTH(FIFO_DEPTH)
  ) reader (
      .clk(ap_clk),
      .rst_n(ap_rst_n),
      .start(launch),
      .base(in_addr),
      .words(in_words),
      .finished(read_finished),
      .m_axi_arvalid(m_axi_gmem0_arvalid),
      .m_axi_arready(m_axi_gmem0_arready),
      .m_axi_araddr(m_axi_gmem0_araddr),
      .m_axi_arlen(m_axi_gmem0_arlen),
      .m_axi_rvalid(m_axi_gmem0_rvalid),
      .m_axi_rready(m_axi_gmem0_rready),
      .m_axi_rdata(m_axi_gmem0_rdata),
      .m_axis_tdata(rd_tdata),
      .m_axis_tvalid(rd_tvalid),
      .m_axis_tready(rd_tready)
  );

  qnngen_axi_split #(
      .MEM_WIDTH(MEM_WIDTH),
      .SLICE_WIDTH(IN_SLICE),
      .SLICES(IN_SLICES)
  ) slicer (
      .clk(ap_clk),
      .rst_n(ap_rst_n),
      .s_axis_tdata(rd_tdata),
      .s_axis_tvalid(rd_tvalid),
      .s_axis_tready(rd_tready),
      .m_axis_tdata(in_slice_tdata),
      .m_axis_tvalid(in_slice_tvalid),
      .m_axis_tready(in_slice_tready)
  );

  qnngen_axi_unpack #(
      .MEM_WIDTH(IN_SLICE),
      .BEAT_WIDTH(IN_WIDTH),
      .BEATS(IN_BEATS)
  ) unpack (
      .clk(ap_clk),
      .rst_n(ap_rst_n),
      .s_axis_tdata(in_slice_tdata),
      .s_axis_tvalid(in_slice_tvalid),
      .s_axis_tready(in_slice_tready),
      .m_axis_tdata(core_in_tdata),
      .m_axis_tvalid(core_in_tvalid),
      .m_axis_tready(core_in_tready)
  );

  qnngen_axi_pack #(
      .BEAT_WIDTH(OUT_WIDTH),
      .BEATS(OUT_BEATS),
      .MEM_WIDTH(OUT_SLICE)
  ) pack (
      .clk(ap_clk),
      .rst_n(ap_rst_n),
      .s_axis_tdata(core_out_tdata),
      .s_axis_tvalid(core_out_tvalid),
      .s_axis_tready(core_out_tready),
      .m_axis_tdata(out_slice_tdata),
      .m_axis_tvalid(out_slice_tvalid),
      .m_axis_tready(out_slice_tready)
  );

  qnngen_axi_join #(
      .SLICE_WIDTH(OUT_SLICE),
      .SLICES(OUT_SLICES),
      .MEM_WIDTH(MEM_WIDTH)
  ) joiner (
      .clk(ap_clk),
      .rst_n(ap_rst_n),
      .s_axis_tdata(out_slice_tdata),
      .s_axis_tvalid(out_slice_tvalid),
      .s_axis_tready(out_slice_tready),
      .m_axis_tdata(wr_tdata),
      .m_axis_tvalid(wr_tvalid),
      .m_axis_tready(wr_tready)
  );

  qnngen_axi_writer #(
      .DATA_WIDTH(MEM_WIDTH),
      .FIFO_DEPTH(FIFO_DEPTH),
      .OUTSTANDING(OUTSTANDING_WRITES)
  ) writer (
      .clk(ap_clk),
      .rst_n(ap_rst_n),
      .start(launch),
      .base(out_addr),
      .words(out_words),
      .finished(write_finished),
      .s_axis_tdata(wr_tdata),
      .s_axis_tvalid(wr_tvalid),
      .s_axis_tready(wr_tready),
      .m_axi_awvalid(m_axi_gmem0_awvalid),
      .m_axi_awready(m_axi_gmem0_awready),
      .m_axi_awaddr(m_axi_gmem0_awaddr),
      .m_axi_awlen(m_axi_gmem0_awlen),
      .m_axi_wvalid(m_axi_gmem0_wvalid),
      .m_axi_wready(m_axi_gmem0_wready),
      .m_axi_wdata(m_axi_gmem0_wdata),
      .m_axi_wstrb(m_axi_gmem0_wstrb),
      .m_axi_wlast(m_axi_gmem0_wlast),
      .m_axi_bvalid(m_axi_gmem0_bvalid),
      .m_axi_bready(m_axi_gmem0_bready)
  );

endmodule
