// SPDX-License-Identifier: Apache-2.0
// qnngen_axi_ctrl: the kernel's AXI4-Lite control slave with ap_ctrl_hs, as Vitis RTL kernels have it.
//
// Registers (offsets are parameters set by the generated qnngen_kernel from qnngen/shell/regmap.py):
//   CTRL  bit 0 ap_start (host sets it; cleared by the kernel when the run ends, with ap_ready),
//         bit 1 ap_done (set at the end of a run, cleared on read), bit 2 ap_idle (read only),
//         bit 3 ap_ready (== ap_done as in the Vitis RTL Kernel Wizard, cleared on read);
//   GIE   bit 0; IER bits 0 (done), 1 (ready); ISR bits 0, 1: set by the event while enabled in
//         IER, a write of 1 toggles; interrupt = GIE & |(ISR & IER), registered;
//   in_addr, out_addr (64-bit, two words), frames (32-bit): read/write, byte strobes honoured;
//   cycles (64-bit, read only): clock cycles the last run was busy (from start to done).
//
// Cycle behaviour
//   * Writes: AW and W are taken independently (awready/wready high while the slot is empty and
//     no response is pending); the register changes one cycle after both are held, and B follows.
//   * Reads: arready while no read data is pending; rdata is registered at the AR handshake, so
//     a read of CTRL returns the bits before its own clear-on-read.
//   * start is a one-cycle pulse the cycle after ap_start is set while idle; done (a pulse from
//     the shell) makes the kernel idle again.
module qnngen_axi_ctrl #(
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
    parameter logic [11:0] ADDR_CYCLES_HI = 12'h000
) (
    input  logic        clk,
    input  logic        rst_n,
    output logic        interrupt,
    input  logic        s_axi_awvalid,
    output logic        s_axi_awready,
    input  logic [11:0] s_axi_awaddr,
    input  logic        s_axi_wvalid,
    output logic        s_axi_wready,
    input  logic [31:0] s_axi_wdata,
    input  logic [ 3:0] s_axi_wstrb,
    output logic        s_axi_bvalid,
    input  logic        s_axi_bready,
    output logic [ 1:0] s_axi_bresp,
    input  logic        s_axi_arvalid,
    output logic        s_axi_arready,
    input  logic [11:0] s_axi_araddr,
    output logic        s_axi_rvalid,
    input  logic        s_axi_rready,
    output logic [31:0] s_axi_rdata,
    output logic [ 1:0] s_axi_rresp,
    output logic        start,
    input  logic        done,
    output logic [63:0] in_addr,
    output logic [63:0] out_addr,
    output logic [31:0] frames
);
  logic aw_held, w_held, wr_en, ar_hs;
  logic [11:0] waddr;
  logic [31:0] wdata;
  logic [3:0] wstrb;
  logic ap_start, ap_done, ap_idle, gie;
  logic [1:0] ier, isr;
  logic [63:0] cycles;

  // the bus address falls in the register's 32-bit word
  function automatic logic hit(input logic [11:0] addr, input logic [11:0] reg_addr);
    hit = ((addr ^ reg_addr) & 12'hFFC) == '0;
  endfunction

  // old with the bytes enabled in strb replaced by data's
  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] data,
                                        input logic [3:0] strb);
    for (int b = 0; b < 4; b++) merge[8*b+:8] = strb[b] ? data[8*b+:8] : old[8*b+:8];
  endfunction

  assign s_axi_awready = !aw_held && !s_axi_bvalid;
  assign s_axi_wready = !w_held && !s_axi_bvalid;
  assign s_axi_bresp = 2'b00;
  assign s_axi_arready = !s_axi_rvalid;
  assign s_axi_rresp = 2'b00;
  assign wr_en = aw_held && w_held;
  assign ar_hs = s_axi_arvalid && s_axi_arready;
  assign start = ap_start && ap_idle;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      aw_held <= 1'b0;
      w_held <= 1'b0;
      s_axi_bvalid <= 1'b0;
    end else begin
      if (s_axi_awvalid && s_axi_awready) aw_held <= 1'b1;
      if (s_axi_wvalid && s_axi_wready) w_held <= 1'b1;
      if (wr_en) begin
        aw_held <= 1'b0;
        w_held <= 1'b0;
        s_axi_bvalid <= 1'b1;
      end else if (s_axi_bready) s_axi_bvalid <= 1'b0;
    end
  end

  always_ff @(posedge clk) begin
    if (s_axi_awvalid && s_axi_awready) waddr <= s_axi_awaddr;
    if (s_axi_wvalid && s_axi_wready) begin
      wdata <= s_axi_wdata;
      wstrb <= s_axi_wstrb;
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      ap_start <= 1'b0;
      ap_done <= 1'b0;
      ap_idle <= 1'b1;
      gie <= 1'b0;
      ier <= 2'b00;
      isr <= 2'b00;
      interrupt <= 1'b0;
      in_addr <= '0;
      out_addr <= '0;
      frames <= '0;
    end else begin
      if (wr_en && hit(waddr, ADDR_CTRL) && wstrb[0] && wdata[0]) ap_start <= 1'b1;
      else if (done) ap_start <= 1'b0;
      if (done) ap_done <= 1'b1;
      else if (ar_hs && hit(s_axi_araddr, ADDR_CTRL)) ap_done <= 1'b0;
      if (start) ap_idle <= 1'b0;
      else if (done) ap_idle <= 1'b1;
      if (wr_en && hit(waddr, ADDR_GIE) && wstrb[0]) gie <= wdata[0];
      if (wr_en && hit(waddr, ADDR_IER) && wstrb[0]) ier <= wdata[1:0];
      for (int b = 0; b < 2; b++) begin
        // done and ready are the same event here
        if (done && ier[b]) isr[b] <= 1'b1;
        else if (wr_en && hit(waddr, ADDR_ISR) && wstrb[0]) isr[b] <= isr[b] ^ wdata[b];
      end
      interrupt <= gie && |(isr & ier);
      if (wr_en && hit(waddr, ADDR_IN_ADDR_LO)) in_addr[31:0] <= merge(in_addr[31:0], wdata, wstrb);
      if (wr_en && hit(waddr, ADDR_IN_ADDR_HI)) in_addr[63:32] <= merge(in_addr[63:32], wdata, wstrb);
      if (wr_en && hit(waddr, ADDR_OUT_ADDR_LO)) out_addr[31:0] <= merge(out_addr[31:0], wdata, wstrb);
      if (wr_en && hit(waddr, ADDR_OUT_ADDR_HI)) out_addr[63:32] <= merge(out_addr[63:32], wdata, wstrb);
      if (wr_en && hit(waddr, ADDR_FRAMES)) frames <= merge(frames, wdata, wstrb);
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n) cycles <= '0;
    else if (start) cycles <= 64'd1;
    else if (!ap_idle && !done) cycles <= cycles + 64'd1;
  end

  always_ff @(posedge clk) begin
    if (!rst_n) s_axi_rvalid <= 1'b0;
    else if (ar_hs) s_axi_rvalid <= 1'b1;
    else if (s_axi_rready) s_axi_rvalid <= 1'b0;
  end

  always_ff @(posedge clk) begin
    if (ar_hs) begin
      s_axi_rdata <= '0;
      if (hit(s_axi_araddr, ADDR_CTRL)) s_axi_rdata[3:0] <= {ap_done, ap_idle, ap_done, ap_start};
      if (hit(s_axi_araddr, ADDR_GIE)) s_axi_rdata[0] <= gie;
      if (hit(s_axi_araddr, ADDR_IER)) s_axi_rdata[1:0] <= ier;
      if (hit(s_axi_araddr, ADDR_ISR)) s_axi_rdata[1:0] <= isr;
      if (hit(s_axi_araddr, ADDR_IN_ADDR_LO)) s_axi_rdata <= in_addr[31:0];
      if (hit(s_axi_araddr, ADDR_IN_ADDR_HI)) s_axi_rdata <= in_addr[63:32];
      if (hit(s_axi_araddr, ADDR_OUT_ADDR_LO)) s_axi_rdata <= out_addr[31:0];
      if (hit(s_axi_araddr, ADDR_OUT_ADDR_HI)) s_axi_rdata <= out_addr[63:32];
      if (hit(s_axi_araddr, ADDR_FRAMES)) s_axi_rdata <= frames;
      if (hit(s_axi_araddr, ADDR_CYCLES_LO)) s_axi_rdata <= cycles[31:0];
      if (hit(s_axi_araddr, ADDR_CYCLES_HI)) s_axi_rdata <= cycles[63:32];
    end
  end

endmodule
