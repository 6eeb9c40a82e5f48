// SPDX-License-Identifier: Apache-2.0
//
// qnngen_thresh: streaming multi-threshold activation on a channels-last stream.
//
// Per element: out[c] = OUT_BIAS + #{k < N_THRES : x[c] >= T[c][k]} as OUT_BITS two's complement.
//
// Streams (element 0 in the least significant bits, CF = C / PE channel groups):
//   s_axis_tdata: beats cycle through groups g = 0, 1, ..., CF-1, 0, 1, ... for as many pixels
//     as come (no frame length); beat of group g holds channel g*PE + p at [p*IN_BITS +: IN_BITS],
//     two's complement when IN_SIGNED, else unsigned.
//   m_axis_tdata: one beat per input beat, channel g*PE + p at [p*OUT_BITS +: OUT_BITS].
//
// Threshold memory ($readmemh of {MEM_DIR, T_FILE}, one hex word per line, element 0 in the
//   LSBs): CF words of PE*N_THRES*T_BITS bits; word g, element p*N_THRES + k = T[g*PE + p][k]
//   (T_BITS two's complement, ascending in k). Comparisons are exact for any T_BITS >= 1. A
//   threshold below min(x) acts like min(x) and one above max(x) + 1 like max(x) + 1 ("never
//   reached"), so clamped thresholds always fit the default T_BITS, the narrowest width holding
//   [min(x), max(x) + 1]: IN_BITS + 1 for signed inputs, IN_BITS + 2 for unsigned ones.
//
// Cycle behaviour: two stages, both enabled by adv = !m_axis_tvalid || m_axis_tready.
//   s_axis_tready = adv (depends combinationally on m_axis_tready).
//   S1: an accepted beat is registered together with its group's threshold word (registered,
//       enabled read of a qnngen_rom of style T_STYLE, which the compiler picks).
//   S2: comparisons and count into the output register, which drives m_axis_tdata /
//       m_axis_tvalid.
//   Latency: a beat accepted at cycle t is visible on m_axis at cycle t+2.
//   Throughput: one beat per cycle while the input is valid and the output is ready.
//   Reset (rst_n synchronous, active low) returns to group 0 and clears the valids.
module qnngen_thresh #(
  parameter int C = 1,
  parameter int PE = 1,
  parameter int IN_BITS = 8,
  parameter int IN_SIGNED = 0,
  parameter int T_BITS = IN_SIGNED != 0 ? IN_BITS + 1 : IN_BITS + 2,
  parameter int N_THRES = 1,
  parameter int OUT_BITS = 1,
  parameter int OUT_BIAS = 0,
  // Untyped string parameters: Yosys does not accept `parameter string`.
  parameter MEM_DIR = "",
  parameter T_FILE = "thresh_t.mem",
  parameter T_STYLE = "block"  // qnngen_rom STYLE of the thresholds
) (
  input  logic                   clk,
  input  logic                   rst_n,
  input  logic [PE*IN_BITS-1:0]  s_axis_tdata,
  input  logic                   s_axis_tvalid,
  output logic                   s_axis_tready,
  output logic [PE*OUT_BITS-1:0] m_axis_tdata,
  output logic                   m_axis_tvalid,
  input  logic                   m_axis_tready
);
  localparam int CF = C / PE;
  localparam int GW = CF > 1 ? $clog2(CF) : 1;
  localparam int TW = PE * N_THRES * T_BITS;
  // Signed compare width holding every input (unsigned ones gain a zero sign bit) and threshold.
  localparam int CW = T_BITS > IN_BITS + 1 ? T_BITS : IN_BITS + 1;
  localparam int CNT_W = $clog2(N_THRES + 1);

  if (PE < 1 || C % PE != 0) begin : g_bad_pe
    $error("qnngen_thresh: PE must divide C");
  end
  if (N_THRES < 1) begin : g_bad_thres
    $error("qnngen_thresh: N_THRES must be at least 1");
  end

  logic adv;
  logic take;
  logic [GW-1:0] g;

  assign adv = !m_axis_tvalid || m_axis_tready;
  assign s_axis_tready = adv;
  assign take = s_axis_tvalid && adv;

  always_ff @(posedge clk) begin
    if (!rst_n) g <= '0;
    else if (take) g <= g == GW'(CF - 1) ? '0 : g + 1'b1;
  end

  // ---------------------------------------------------------------- S1: input and thresholds
  logic s1_valid;
  logic [PE*IN_BITS-1:0] x_q;
  logic [TW-1:0] t_q;

  qnngen_rom #(
    .WIDTH(TW), .DEPTH(CF), .STYLE(T_STYLE), .MEM_FILE({MEM_DIR, T_FILE})
  ) u_tmem (
    .clk, .en(adv), .addr(g), .q(t_q)
  );

  always_ff @(posedge clk) begin
    if (!rst_n) s1_valid <= 1'b0;
    else if (adv) s1_valid <= s_axis_tvalid;
  end

  always_ff @(posedge clk) begin
    if (adv) begin
      x_q <= s_axis_tdata;
    end
  end

  // ---------------------------------------------------------------- S2: count
  logic [PE*OUT_BITS-1:0] act;
  logic [PE*CW-1:0] x_ext;

  for (genvar p = 0; p < PE; p++) begin : g_x
    if (IN_SIGNED != 0) begin : g_signed
      assign x_ext[p*CW+:CW] = CW'($signed(x_q[p*IN_BITS+:IN_BITS]));
    end else begin : g_unsigned
      assign x_ext[p*CW+:CW] = CW'(x_q[p*IN_BITS+:IN_BITS]);
    end
  end

  always_comb begin
    for (int p = 0; p < PE; p++) begin
      logic [CNT_W-1:0] cnt;
      cnt = '0;
      for (int k = 0; k < N_THRES; k++) begin
        cnt = cnt + CNT_W'($signed(x_ext[p*CW+:CW])
                           >= $signed(CW'($signed(t_q[(p*N_THRES+k)*T_BITS+:T_BITS]))));
      end
      act[p*OUT_BITS+:OUT_BITS] = OUT_BITS'(OUT_BIAS) + OUT_BITS'(cnt);
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n) m_axis_tvalid <= 1'b0;
    else if (adv) m_axis_tvalid <= s1_valid;
  end

  always_ff @(posedge clk) begin
    if (adv) m_axis_tdata <= act;
  end

endmodule
