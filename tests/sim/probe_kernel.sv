// SPDX-License-Identifier: Apache-2.0
// A tiny hand-written AXI master with the qnngen_kernel port list, to test the simulation
// harness's memory model and protocol checker independently of the real shell.
// On ap_start: one write burst of wlen beats to out_addr (beat i = 32-bit words 0xA5000000 + i,
// wlast on beat wlast_at), wait for its response, one read burst of rlen beats from in_addr
// (the XOR of the low 32 bits of the beats it returns is readable at 0x30), then ap_done.
// wlen, wlast_at and rlen are registers at 0x40, 0x44 and 0x48 (default 4).
module qnngen_kernel #(
  parameter int MEM_BITS = 64
) (
  input  logic                  ap_clk,
  input  logic                  ap_rst_n,
  output logic                  interrupt,
  input  logic                  s_axi_control_awvalid,
  output logic                  s_axi_control_awready,
  input  logic [11:0]           s_axi_control_awaddr,
  input  logic                  s_axi_control_wvalid,
  output logic                  s_axi_control_wready,
  input  logic [31:0]           s_axi_control_wdata,
  input  logic [3:0]            s_axi_control_wstrb,
  output logic                  s_axi_control_bvalid,
  input  logic                  s_axi_control_bready,
  output logic [1:0]            s_axi_control_bresp,
  input  logic                  s_axi_control_arvalid,
  output logic                  s_axi_control_arready,
  input  logic [11:0]           s_axi_control_araddr,
  output logic                  s_axi_control_rvalid,
  input  logic                  s_axi_control_rready,
  output logic [31:0]           s_axi_control_rdata,
  output logic [1:0]            s_axi_control_rresp,
  output logic                  m_axi_gmem0_awvalid,
  input  logic                  m_axi_gmem0_awready,
  output logic [63:0]           m_axi_gmem0_awaddr,
  output logic [7:0]            m_axi_gmem0_awlen,
  output logic [2:0]            m_axi_gmem0_awsize,
  output logic [1:0]            m_axi_gmem0_awburst,
  output logic                  m_axi_gmem0_wvalid,
  input  logic                  m_axi_gmem0_wready,
  output logic [MEM_BITS-1:0]   m_axi_gmem0_wdata,
  output logic [MEM_BITS/8-1:0] m_axi_gmem0_wstrb,
  output logic                  m_axi_gmem0_wlast,
  input  logic                  m_axi_gmem0_bvalid,
  output logic                  m_axi_gmem0_bready,
  input  logic [1:0]            m_axi_gmem0_bresp,
  output logic                  m_axi_gmem0_arvalid,
  input  logic                  m_axi_gmem0_arready,
  output logic [63:0]           m_axi_gmem0_araddr,
  output logic [7:0]            m_axi_gmem0_arlen,
  output logic [2:0]            m_axi_gmem0_arsize,
  output logic [1:0]            m_axi_gmem0_arburst,
  input  logic                  m_axi_gmem0_rvalid,
  output logic                  m_axi_gmem0_rready,
  input  logic [MEM_BITS-1:0]   m_axi_gmem0_rdata,
  input  logic [1:0]            m_axi_gmem0_rresp,
  input  logic                  m_axi_gmem0_rlast
);
  typedef enum logic [2:0] {IDLE, AW, W, B, AR, R} state_t;
  state_t state;
  logic [63:0] in_addr, out_addr;
  logic [31:0] sum;
  logic [8:0] beat;
  logic start, done, gie, ier, isr;
  logic aw_got, w_got;
  logic [11:0] aw_addr;
  logic [31:0] w_data;
  logic [8:0] wlen, wlast_at, rlen;

  // AXI4-Lite slave
  assign s_axi_control_awready = !aw_got;
  assign s_axi_control_wready = !w_got;
  assign s_axi_control_bresp = 2'b00;
  assign s_axi_control_rresp = 2'b00;
  assign s_axi_control_arready = !s_axi_control_rvalid;
  assign interrupt = gie && ier && isr;
  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      {aw_got, w_got, start, gie, ier, isr, done} <= '0;
      {s_axi_control_bvalid, s_axi_control_rvalid} <= '0;
      in_addr <= '0;
      out_addr <= '0;
      {wlen, wlast_at, rlen} <= {3{9'd4}};
    end else begin
      if (s_axi_control_awvalid && s_axi_control_awready) begin
        aw_got <= 1'b1;
        aw_addr <= s_axi_control_awaddr;
      end
      if (s_axi_control_wvalid && s_axi_control_wready) begin
        w_got <= 1'b1;
        w_data <= s_axi_control_wdata;
      end
      if (aw_got && w_got && !s_axi_control_bvalid) begin
        {aw_got, w_got} <= '0;
        s_axi_control_bvalid <= 1'b1;
        case (aw_addr)
          12'h00: start <= w_data[0];
          12'h04: gie <= w_data[0];
          12'h08: ier <= w_data[0];
          12'h0C: isr <= isr ^ w_data[0];
          12'h10: in_addr[31:0] <= w_data;
          12'h14: in_addr[63:32] <= w_data;
          12'h1C: out_addr[31:0] <= w_data;
          12'h20: out_addr[63:32] <= w_data;
          12'h40: wlen <= w_data[8:0];
          12'h44: wlast_at <= w_data[8:0];
          12'h48: rlen <= w_data[8:0];
          default: ;
        endcase
      end
      if (s_axi_control_bvalid && s_axi_control_bready) s_axi_control_bvalid <= 1'b0;
      if (s_axi_control_arvalid && s_axi_control_arready) begin
        s_axi_control_rvalid <= 1'b1;
        case (s_axi_control_araddr)
          12'h00: s_axi_control_rdata <= {29'b0, state == IDLE, done, start};
          12'h0C: s_axi_control_rdata <= {31'b0, isr};
          12'h30: s_axi_control_rdata <= sum;
          default: s_axi_control_rdata <= '0;
        endcase
        if (s_axi_control_araddr == 12'h00) done <= 1'b0;
      end
      if (s_axi_control_rvalid && s_axi_control_rready) s_axi_control_rvalid <= 1'b0;
      if (state == R && m_axi_gmem0_rvalid && m_axi_gmem0_rlast) begin
        done <= 1'b1;
        isr <= 1'b1;
      end
      if (state == IDLE && start) start <= 1'b0;
    end
  end

  // AXI4 master: AW, W beats, B, AR, R beats
  assign m_axi_gmem0_awvalid = state == AW;
  assign m_axi_gmem0_awaddr = out_addr;
  assign m_axi_gmem0_awlen = 8'(wlen - 1'b1);
  assign m_axi_gmem0_awsize = 3'($clog2(MEM_BITS / 8));
  assign m_axi_gmem0_awburst = 2'b01;
  assign m_axi_gmem0_wvalid = state == W;
  assign m_axi_gmem0_wdata = {(MEM_BITS / 32){32'hA5000000 + 32'(beat)}};
  assign m_axi_gmem0_wstrb = '1;
  assign m_axi_gmem0_wlast = beat == wlast_at - 1'b1;
  assign m_axi_gmem0_bready = state == B;
  assign m_axi_gmem0_arvalid = state == AR;
  assign m_axi_gmem0_araddr = in_addr;
  assign m_axi_gmem0_arlen = 8'(rlen - 1'b1);
  assign m_axi_gmem0_arsize = 3'($clog2(MEM_BITS / 8));
  assign m_axi_gmem0_arburst = 2'b01;
  assign m_axi_gmem0_rready = state == R;
  always_ff @(posedge ap_clk) begin
    if (!ap_rst_n) begin
      state <= IDLE;
      beat <= '0;
      sum <= '0;
    end else begin
      case (state)
        IDLE: if (start) state <= AW;
        AW: if (m_axi_gmem0_awready) state <= W;
        W: if (m_axi_gmem0_wready) begin
          beat <= beat + 1'b1;
          if (beat == wlen - 1'b1) state <= B;
        end
        B: if (m_axi_gmem0_bvalid) state <= AR;
        AR: if (m_axi_gmem0_arready) state <= R;
        R: if (m_axi_gmem0_rvalid) begin
          sum <= sum ^ m_axi_gmem0_rdata[31:0];
          if (m_axi_gmem0_rlast) state <= IDLE;
        end
        default: state <= IDLE;
      endcase
    end
  end
endmodule
