// SPDX-License-Identifier: Apache-2.0
//
// qnngen_vvu: streaming vector-vector-threshold unit for depthwise convolutions.
//
// Per output pixel: its K2 = K_H*K_W window of C channels in (from qnngen_swu with DEPTHWISE=1),
//   out[c] = act(sum_k x[k][c] * w[c][k]) for c < C out. Pixels (and frames) follow each other
//   with no separator; the unit only counts beats.
//
// Streams (element 0 in the least significant bits, CF = C/PE channel groups):
//   s_axis_tdata: CF*K2 beats per pixel, for g < CF, for k < K2; beat (g, k) holds x[k][g*PE + p]
//     at [p*IN_BITS +: IN_BITS].
//   m_axis_tdata: CF beats per pixel; beat g holds channel g*PE + p at [p*OUT_BITS +: OUT_BITS].
//
// Operands and activation exactly as qnngen_mvtu:
//   *_BIPOLAR = 1-bit value, bit 1 = +1, bit 0 = -1 (BITS must be 1); otherwise two's complement
//   when *_SIGNED, else unsigned. Bipolar x bipolar products are XNOR: +1 on a match, else -1.
//   N_THRES = 0 -> out = acc (OUT_BITS must equal ACC_BITS);
//   N_THRES > 0 -> out = OUT_BIAS + #{j : acc >= T[c][j]} as OUT_BITS two's complement.
//   ACC_BITS is a signed width that must hold every dot product and every threshold.
//   MUL_STYLE (integer x integer products only): "dsp" writes x * w (DSP slices), "lut" the
//   same product as a shift-and-add over the narrower decoded operand (LUTs); any other value
//   stops elaboration. The compiler picks it (qnngen/layers/mvtu.py mul_style).
//
// Memory files ($readmemh, one hex word per line, element 0 in the LSBs of a word):
//   {MEM_DIR, W_FILE}: CF*K2 words of PE*W_BITS bits; word g*K2 + k, element p = w[g*PE + p][k].
//   {MEM_DIR, T_FILE} (only read when N_THRES > 0): CF words of PE*N_THRES*ACC_BITS bits;
//     word g, element p*N_THRES + j = T[g*PE + p][j] (two's complement, ascending in j).
//
// Schedule: every input beat is one step (g, k); the weight address runs 0 .. CF*K2-1 and wraps
//   per pixel. s_axis_tready = adv, so it depends combinationally on m_axis_tready.
// Pipeline: three register stages, all enabled by the single stall enable
//   adv = !m_axis_tvalid || m_axis_tready (backpressure freezes the unit cycle for cycle).
//   issue: counters k, g and the weight address; a step issues when adv && s_axis_tvalid,
//          otherwise a bubble enters S1.
//   S1:    weight word read; input beat registered.
//   S2:    accumulators = (k == 0 ? 0 : accumulators) + PE lane products; threshold word read.
//   S3:    activation (threshold count + OUT_BIAS, or acc) into the output register, which
//          drives m_axis_tdata / m_axis_tvalid.
// Timing (cycle t: rising edge t ends it; "accepted" = handshake in that cycle):
//   Output always ready: the output beat of group g of a pixel is valid and accepted exactly
//     L = 3 cycles after the cycle its last input beat (g, K2-1) is accepted, for any input
//     timing (qnngen/layers/vvu_timing.py). With backpressure the whole pipeline holds.
//   Input always valid and output always ready: one beat per cycle, so the interval is exactly
//     pixels*CF*K2 cycles per frame with frames back to back; the last output beat of a frame is
//     accepted pixels*CF*K2 + 2 cycles after its first input beat.
// Storage: weights are a qnngen_rom (registered, enabled read) of style W_STYLE; thresholds
//   likewise (CF words, T_STYLE); the compiler picks both (qnngen/layers/memory.py). Counters, pipeline registers, accumulators and
//   the output beat are flip-flops; only control flip-flops are reset (rst_n synchronous, active
//   low).

module qnngen_vvu #(
  parameter int C = 4,
  parameter int K2 = 9,
  parameter int PE = 1,
  parameter int IN_BITS = 1,
  parameter int IN_SIGNED = 0,
  parameter int IN_BIPOLAR = 1,
  parameter int W_BITS = 1,
  parameter int W_SIGNED = 0,
  parameter int W_BIPOLAR = 1,
  parameter int ACC_BITS = 5,
  parameter int N_THRES = 0,
  parameter int OUT_BITS = 5,
  parameter int OUT_BIAS = 0,
  // Untyped string parameters: Yosys does not accept `parameter string`.
  parameter MEM_DIR = "",
  parameter W_FILE = "vvu_w.mem",
  parameter T_FILE = "vvu_t.mem",
  parameter W_STYLE = "block",  // qnngen_rom STYLE of the weights
  parameter T_STYLE = "block",  // qnngen_rom STYLE of the thresholds
  parameter MUL_STYLE = "lut"   // integer products: "lut" shift-and-add or "dsp" multiply
) (
  input  logic                     clk,
  input  logic                     rst_n,
  input  logic [PE*IN_BITS-1:0]    s_axis_tdata,
  input  logic                     s_axis_tvalid,
  output logic                     s_axis_tready,
  output logic [PE*OUT_BITS-1:0]   m_axis_tdata,
  output logic                     m_axis_tvalid,
  input  logic                     m_axis_tready
);
  localparam int CF = C / PE;
  localparam int WDEPTH = CF * K2;
  localparam int CF_W = CF > 1 ? $clog2(CF) : 1;
  localparam int K_W = K2 > 1 ? $clog2(K2) : 1;
  localparam int WA_W = WDEPTH > 1 ? $clog2(WDEPTH) : 1;
  localparam int IN_W = PE * IN_BITS;
  localparam int WW = PE * W_BITS;
  // Decoded operand widths: unsigned gains a zero sign bit; a bipolar operand stays its raw
  // bit (1 = +1), which only selects the other operand or its negation.
  localparam int XD = IN_BIPOLAR != 0 ? 1 : (IN_SIGNED != 0 ? IN_BITS : IN_BITS + 1);
  localparam int WD = W_BIPOLAR != 0 ? 1 : (W_SIGNED != 0 ? W_BITS : W_BITS + 1);
  // Product width: negating the other operand of a +-1 needs one extra bit.
  localparam int PW = IN_BIPOLAR != 0 ? WD + 1 : (W_BIPOLAR != 0 ? XD + 1 : XD + WD);
  // Shift-and-add products (MUL_STYLE "lut") loop over the bits of the narrower operand.
  localparam int NB = WD <= XD ? WD : XD;
  // MUL_STYLE as a fixed-width vector, so comparing it with literals needs no width waiver.
  localparam logic [8*8-1:0] MUL_STYLE_V = (8*8)'(MUL_STYLE);

  if (PE < 1 || C % PE != 0 || K2 < 1) begin : g_bad_fold
    $error("qnngen_vvu: PE must divide C and K2 must be at least 1");
  end
  if ((IN_BIPOLAR != 0 && IN_BITS != 1) || (W_BIPOLAR != 0 && W_BITS != 1)) begin : g_bad_bipolar
    $error("qnngen_vvu: bipolar operands must be 1 bit wide");
  end
  if (MUL_STYLE_V != "lut" && MUL_STYLE_V != "dsp") begin : g_bad_mul_style
    $error("qnngen_vvu: MUL_STYLE must be \"lut\" or \"dsp\"");
  end
  if (N_THRES == 0 && OUT_BITS != ACC_BITS) begin : g_bad_out
    $error("qnngen_vvu: OUT_BITS must equal ACC_BITS when N_THRES = 0");
  end

  // a * b mod 2^PW for two's complement a (sign-extended to PW bits) and b, without a `*`:
  // sum of a << i over the set bits of b, the MSB's term subtracted (it weighs -2^(NB-1)).
  // The result is assigned to the function name: Yosys has no `return`.
  function automatic logic [PW-1:0] shift_add(logic [PW-1:0] a, logic [NB-1:0] b);
    shift_add = b[NB-1] ? -(a << (NB - 1)) : '0;
    for (int i = 0; i < NB - 1; i++) shift_add = shift_add + (b[i] ? a << i : '0);
  endfunction

  // ---------------------------------------------------------------- step issue
  logic adv;        // the whole pipeline moves this cycle
  logic step;       // a step (g, k) issues this cycle, consuming an input beat
  logic end_k;      // k == K2-1: the step completes a channel group
  logic [K_W-1:0] k;
  logic [WA_W-1:0] waddr;

  assign adv = !m_axis_tvalid || m_axis_tready;
  assign step = adv && s_axis_tvalid;
  assign s_axis_tready = adv;
  assign end_k = k == K_W'(K2 - 1);

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      k <= '0;
      waddr <= '0;
    end else if (step) begin
      k <= end_k ? '0 : k + 1'b1;
      waddr <= waddr == WA_W'(WDEPTH - 1) ? '0 : waddr + 1'b1;
    end
  end

  // ---------------------------------------------------------------- S1: reads
  logic s1_valid;
  logic s1_first;   // k == 0: restart the accumulators
  logic s1_last;    // k == K2-1: the accumulators complete after this step
  logic [IN_W-1:0] s1_x;
  logic [PE-1:0][W_BITS-1:0] s1_w;

  qnngen_rom #(
    .WIDTH(WW), .DEPTH(WDEPTH), .STYLE(W_STYLE), .MEM_FILE({MEM_DIR, W_FILE})
  ) u_wmem (
    .clk, .en(adv), .addr(waddr), .q(s1_w)
  );

  always_ff @(posedge clk) begin
    if (!rst_n) s1_valid <= 1'b0;
    else if (adv) s1_valid <= step;
  end

  always_ff @(posedge clk) begin
    if (adv) begin
      s1_first <= k == '0;
      s1_last <= end_k;
      s1_x <= s_axis_tdata;
    end
  end

  // ---------------------------------------------------------------- S2: MAC
  logic s2_valid;
  logic [PE-1:0][ACC_BITS-1:0] prod;
  logic [PE-1:0][ACC_BITS-1:0] acc;

  // Signals local to generate blocks are flat vectors: Yosys cannot size accesses to packed
  // multi-dimensional arrays declared inside generate blocks.
  for (genvar p = 0; p < PE; p++) begin : g_lane
    if (IN_BIPOLAR != 0 && W_BIPOLAR != 0) begin : g_xnor
      assign prod[p] = s1_x[p] ~^ s1_w[p][0] ? ACC_BITS'(1) : '1;
    end else begin : g_mul
      logic signed [XD-1:0] x;
      logic signed [WD-1:0] wd;
      logic [PW-1:0] pr;
      if (IN_BIPOLAR != 0) begin : g_bip
        assign x = s1_x[p];
      end else if (IN_SIGNED != 0) begin : g_sgn
        assign x = s1_x[p*IN_BITS+:IN_BITS];
      end else begin : g_uns
        assign x = {1'b0, s1_x[p*IN_BITS+:IN_BITS]};
      end
      if (W_BIPOLAR != 0 || W_SIGNED != 0) begin : g_wraw
        assign wd = s1_w[p];
      end else begin : g_wuns
        assign wd = {1'b0, s1_w[p]};
      end
      // -(N'(v)) is parenthesised because Yosys rejects -N'(v).
      if (IN_BIPOLAR != 0) begin : g_negw
        assign pr = x[0] ? PW'(wd) : -(PW'(wd));
      end else if (W_BIPOLAR != 0) begin : g_negx
        assign pr = wd[0] ? PW'(x) : -(PW'(x));
      end else if (MUL_STYLE_V == "dsp") begin : g_prod
        assign pr = PW'(x * wd);
      end else if (WD <= XD) begin : g_prod_lut_w
        assign pr = shift_add(PW'(x), wd);
      end else begin : g_prod_lut_x
        assign pr = shift_add(PW'(wd), x);
      end
      assign prod[p] = ACC_BITS'($signed(pr));
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n) s2_valid <= 1'b0;
    else if (adv) s2_valid <= s1_valid && s1_last;
  end

  // Two's complement wrap-around is exact: the final sum fits ACC_BITS by contract.
  always_ff @(posedge clk) begin
    if (adv && s1_valid) begin
      for (int p = 0; p < PE; p++) acc[p] <= (s1_first ? '0 : acc[p]) + prod[p];
    end
  end

  // ---------------------------------------------------------------- S3: activation
  logic [PE-1:0][OUT_BITS-1:0] act;
  logic [PE-1:0][OUT_BITS-1:0] out_q;

  if (N_THRES == 0) begin : g_no_thres
    assign act = acc;
  end else begin : g_thres
    localparam int CNT_W = $clog2(N_THRES + 1);
    logic [PE*N_THRES*ACC_BITS-1:0] t_q;
    logic [CF_W-1:0] g;    // channel group of the issuing step
    logic [CF_W-1:0] t_g;  // channel group of the step in S1

    always_ff @(posedge clk) begin
      if (!rst_n) g <= '0;
      else if (step && end_k) g <= g == CF_W'(CF - 1) ? '0 : g + 1'b1;
    end

    // Read with S1's group so the thresholds line up with the accumulators in S2.
    always_ff @(posedge clk) if (adv) t_g <= g;

    qnngen_rom #(
      .WIDTH(PE * N_THRES * ACC_BITS), .DEPTH(CF), .STYLE(T_STYLE), .MEM_FILE({MEM_DIR, T_FILE})
    ) u_tmem (
      .clk, .en(adv), .addr(t_g), .q(t_q)
    );

    always_comb begin
      for (int p = 0; p < PE; p++) begin
        logic [CNT_W-1:0] cnt;
        cnt = '0;
        for (int j = 0; j < N_THRES; j++) begin
          cnt = cnt + CNT_W'($signed(acc[p]) >= $signed(t_q[(p*N_THRES+j)*ACC_BITS+:ACC_BITS]));
        end
        act[p] = OUT_BITS'(OUT_BIAS) + OUT_BITS'(cnt);
      end
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n) m_axis_tvalid <= 1'b0;
    else if (adv) m_axis_tvalid <= s2_valid;
  end

  always_ff @(posedge clk) if (adv) out_q <= act;

  assign m_axis_tdata = out_q;
endmodule
