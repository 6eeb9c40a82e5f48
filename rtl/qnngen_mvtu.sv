// SPDX-License-Identifier: Apache-2.0
//
// qnngen_mvtu: streaming matrix-vector-threshold unit (FINN MVAU style).
//
// Per frame: x (MW elements) in, out[j] = act(sum_i x[i] * w[j][i]) for j < MH out.
//
// Streams (element 0 in the least significant bits):
//   s_axis_tdata: MW/SIMD beats; beat b holds x[b*SIMD + s] at [s*IN_BITS +: IN_BITS].
//   m_axis_tdata: MH/PE beats; beat n holds channel n*PE + p at [p*OUT_BITS +: OUT_BITS].
//
// Operands: *_BIPOLAR = 1-bit value, bit 1 = +1, bit 0 = -1 (BITS must be 1);
//   otherwise two's complement when *_SIGNED, else unsigned.
//   Bipolar x bipolar uses XNOR-popcount, acc = 2*popcount - n.
// Products (integer x integer only; bipolar and XNOR products are selects): MUL_STYLE = "dsp"
//   writes x * w, which synthesis maps to DSP slices; "lut" writes the same two's complement
//   product as a shift-and-add over the bits of the narrower decoded operand (its MSB weighs
//   -2^(n-1)), which stays in LUTs. Any other MUL_STYLE stops elaboration. The compiler picks
//   the style (qnngen/layers/mvtu.py mul_style).
// Activation: N_THRES = 0 -> out = acc (OUT_BITS must equal ACC_BITS);
//   N_THRES > 0 -> out = OUT_BIAS + #{k : acc >= T[j][k]} as OUT_BITS two's complement.
//   ACC_BITS is a signed width that must hold every dot product and every threshold.
//
// Memory files ($readmemh, one hex word per line, element 0 in the LSBs of a word),
// with NF = MH/PE and SF = MW/SIMD:
//   {MEM_DIR, W_FILE}: NF*SF words of PE*SIMD*W_BITS bits; word nf*SF + sf,
//     element p*SIMD + s = w[nf*PE + p][sf*SIMD + s].
//   {MEM_DIR, T_FILE} (only read when N_THRES > 0): NF words of PE*N_THRES*ACC_BITS bits;
//     word nf, element p*N_THRES + k = T[nf*PE + p][k] (two's complement, ascending in k).
//
// Schedule: for nf < NF, for sf < SF, one step per cycle. Input beats are taken only while
//   nf == 0 and kept in an SF-entry buffer for nf > 0; a PE-wide output beat leaves per nf.
//   s_axis_tready = adv && nf == 0, so it depends combinationally on m_axis_tready.
// Pipeline: three register stages, all enabled by the single stall enable
//   adv = !m_axis_tvalid || m_axis_tready (backpressure freezes the unit cycle for cycle).
//   issue: counters nf, sf and the weight address; a step issues when adv && (nf > 0 ||
//          s_axis_tvalid), otherwise a bubble enters S1.
//   S1:    weight word read; input beat (live, or read back from the buffer).
//   S2:    accumulators = (sf == 0 ? 0 : accumulators) + SIMD-wide dot product;
//          threshold word read.
//   S3:    activation (threshold count + OUT_BIAS, or acc) into the output register,
//          which drives m_axis_tdata / m_axis_tvalid.
// Timing with input always valid and output always ready:
//   interval = NF*SF cycles per frame, frames back to back (no bubble between frames).
//   latency  = NF*SF + 2: the last output beat of a frame is valid (and taken) NF*SF + 2
//              cycles after the cycle in which its first input beat is accepted.
// Storage: weights are a qnngen_rom (registered, enabled read) of style W_STYLE; thresholds
//   likewise (NF wide words, T_STYLE). The input buffer (SF x SIMD*IN_BITS, only when NF > 1)
//   is a qnngen_ram (one write, one registered read port, read-first) of style BUF_STYLE. The
//   compiler picks every style (qnngen/layers/memory.py). Counters, pipeline registers,
//   accumulators and the output beat are flip-flops; only control flip-flops are reset (rst_n
//   synchronous, active low).

module qnngen_mvtu #(
  parameter int MW = 8,
  parameter int MH = 8,
  parameter int PE = 1,
  parameter int SIMD = 1,
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
  parameter W_FILE = "mvtu_w.mem",
  parameter T_FILE = "mvtu_t.mem",
  parameter W_STYLE = "block",    // qnngen_rom STYLE of the weights
  parameter T_STYLE = "block",    // qnngen_rom STYLE of the thresholds
  parameter BUF_STYLE = "block",  // qnngen_ram STYLE of the input buffer
  parameter MUL_STYLE = "lut"     // integer products: "lut" shift-and-add or "dsp" multiply
) (
  input  logic                     clk,
  input  logic                     rst_n,
  input  logic [SIMD*IN_BITS-1:0]  s_axis_tdata,
  input  logic                     s_axis_tvalid,
  output logic                     s_axis_tready,
  output logic [PE*OUT_BITS-1:0]   m_axis_tdata,
  output logic                     m_axis_tvalid,
  input  logic                     m_axis_tready
);
  localparam int NF = MH / PE;
  localparam int SF = MW / SIMD;
  localparam int WDEPTH = NF * SF;
  localparam int NF_W = NF > 1 ? $clog2(NF) : 1;
  localparam int SF_W = SF > 1 ? $clog2(SF) : 1;
  localparam int WA_W = WDEPTH > 1 ? $clog2(WDEPTH) : 1;
  localparam int IN_W = SIMD * IN_BITS;
  localparam int WW = PE * SIMD * W_BITS;
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
  localparam int PC_W = $clog2(SIMD + 1);

  if (MH % PE != 0 || MW % SIMD != 0) begin : g_bad_fold
    $error("qnngen_mvtu: PE must divide MH and SIMD must divide MW");
  end
  if ((IN_BIPOLAR != 0 && IN_BITS != 1) || (W_BIPOLAR != 0 && W_BITS != 1)) begin : g_bad_bipolar
    $error("qnngen_mvtu: bipolar operands must be 1 bit wide");
  end
  if (MUL_STYLE_V != "lut" && MUL_STYLE_V != "dsp") begin : g_bad_mul_style
    $error("qnngen_mvtu: MUL_STYLE must be \"lut\" or \"dsp\"");
  end
  if (N_THRES == 0 && OUT_BITS != ACC_BITS) begin : g_bad_out
    $error("qnngen_mvtu: OUT_BITS must equal ACC_BITS when N_THRES = 0");
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
  logic step;       // a schedule step (nf, sf) issues this cycle
  logic [NF_W-1:0] nf;
  logic [SF_W-1:0] sf;
  logic [WA_W-1:0] waddr;
  logic first_pass; // nf == 0: this step consumes an input beat

  assign adv = !m_axis_tvalid || m_axis_tready;
  assign first_pass = nf == '0;
  assign step = adv && (!first_pass || s_axis_tvalid);
  assign s_axis_tready = adv && first_pass;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      nf <= '0;
      sf <= '0;
      waddr <= '0;
    end else if (step) begin
      waddr <= waddr == WA_W'(WDEPTH - 1) ? '0 : waddr + 1'b1;
      if (sf == SF_W'(SF - 1)) begin
        sf <= '0;
        nf <= nf == NF_W'(NF - 1) ? '0 : nf + 1'b1;
      end else begin
        sf <= sf + 1'b1;
      end
    end
  end

  // ---------------------------------------------------------------- S1: reads
  logic s1_valid;
  logic s1_first;   // sf == 0: restart the accumulators
  logic s1_last;    // sf == SF-1: the accumulators complete after this step
  logic [IN_W-1:0] s1_x;
  logic [PE-1:0][SIMD-1:0][W_BITS-1:0] s1_w;

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
      s1_first <= sf == '0;
      s1_last <= sf == SF_W'(SF - 1);
    end
  end

  if (NF == 1) begin : g_no_ibuf
    always_ff @(posedge clk) if (adv) s1_x <= s_axis_tdata;
  end else begin : g_ibuf
    // Registered read of the buffer plus a bypass register for the live beat, so the
    // buffer keeps a plain synchronous read port (read-first).
    logic [IN_W-1:0] live_q;
    logic [IN_W-1:0] buf_q;
    logic from_live_q;

    qnngen_ram #(
      .WIDTH(IN_W), .DEPTH(SF), .STYLE(BUF_STYLE)
    ) u_ibuf (
      .clk, .we(step && first_pass), .waddr(sf), .wdata(s_axis_tdata),
      .re(adv), .raddr(sf), .q(buf_q)
    );

    always_ff @(posedge clk) begin
      if (adv) begin
        live_q <= s_axis_tdata;
        from_live_q <= first_pass;
      end
    end
    assign s1_x = from_live_q ? live_q : buf_q;
  end

  // ---------------------------------------------------------------- S2: MAC
  logic s2_valid;
  logic [PE-1:0][ACC_BITS-1:0] dot;
  logic [PE-1:0][ACC_BITS-1:0] acc;

  // Signals local to generate blocks are flat vectors: Yosys cannot size accesses to packed
  // multi-dimensional arrays declared inside generate blocks.
  if (IN_BIPOLAR != 0 && W_BIPOLAR != 0) begin : g_xnor
    logic [PE*SIMD-1:0] match;
    for (genvar p = 0; p < PE; p++) begin : g_pe
      assign match[p*SIMD+:SIMD] = s1_x ~^ s1_w[p];
    end
    always_comb begin
      for (int p = 0; p < PE; p++) begin
        logic [PC_W-1:0] pc;
        pc = '0;
        for (int s = 0; s < SIMD; s++) pc = pc + PC_W'(match[p*SIMD+s]);
        dot[p] = ACC_BITS'({pc, 1'b0}) - ACC_BITS'(SIMD);
      end
    end
  end else begin : g_mul
    logic [SIMD*XD-1:0] xd;
    logic [PE*SIMD*PW-1:0] prod;

    for (genvar s = 0; s < SIMD; s++) begin : g_x
      if (IN_BIPOLAR != 0) begin : g_bip
        assign xd[s*XD+:XD] = s1_x[s];
      end else if (IN_SIGNED != 0) begin : g_sgn
        assign xd[s*XD+:XD] = s1_x[s*IN_BITS+:IN_BITS];
      end else begin : g_uns
        assign xd[s*XD+:XD] = {1'b0, s1_x[s*IN_BITS+:IN_BITS]};
      end
    end

    for (genvar i = 0; i < PE * SIMD; i++) begin : g_ps
      logic signed [WD-1:0] wd;
      logic signed [XD-1:0] x;
      assign x = xd[(i%SIMD)*XD+:XD];
      if (W_BIPOLAR != 0) begin : g_wbip
        assign wd = s1_w[i/SIMD][i%SIMD];
      end else if (W_SIGNED != 0) begin : g_wsgn
        assign wd = s1_w[i/SIMD][i%SIMD];
      end else begin : g_wuns
        assign wd = {1'b0, s1_w[i/SIMD][i%SIMD]};
      end
      // -(N'(v)) is parenthesised because Yosys rejects -N'(v).
      if (IN_BIPOLAR != 0) begin : g_negw
        assign prod[i*PW+:PW] = x[0] ? PW'(wd) : -(PW'(wd));
      end else if (W_BIPOLAR != 0) begin : g_negx
        assign prod[i*PW+:PW] = wd[0] ? PW'(x) : -(PW'(x));
      end else if (MUL_STYLE_V == "dsp") begin : g_prod
        assign prod[i*PW+:PW] = PW'(x * wd);
      end else if (WD <= XD) begin : g_prod_lut_w
        assign prod[i*PW+:PW] = shift_add(PW'(x), wd);
      end else begin : g_prod_lut_x
        assign prod[i*PW+:PW] = shift_add(PW'(wd), x);
      end
    end

    always_comb begin
      for (int p = 0; p < PE; p++) begin
        dot[p] = '0;
        for (int s = 0; s < SIMD; s++) begin
          dot[p] = dot[p] + ACC_BITS'($signed(prod[(p*SIMD+s)*PW+:PW]));
        end
      end
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n) s2_valid <= 1'b0;
    else if (adv) s2_valid <= s1_valid && s1_last;
  end

  // Two's complement wrap-around is exact: the final sum fits ACC_BITS by contract.
  always_ff @(posedge clk) begin
    if (adv && s1_valid) begin
      for (int p = 0; p < PE; p++) acc[p] <= (s1_first ? '0 : acc[p]) + dot[p];
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
    logic [NF_W-1:0] t_nf;

    // Read with S1's nf so the thresholds line up with the accumulators in S2.
    always_ff @(posedge clk) if (adv) t_nf <= nf;

    qnngen_rom #(
      .WIDTH(PE * N_THRES * ACC_BITS), .DEPTH(NF), .STYLE(T_STYLE), .MEM_FILE({MEM_DIR, T_FILE})
    ) u_tmem (
      .clk, .en(adv), .addr(t_nf), .q(t_q)
    );

    always_comb begin
      for (int p = 0; p < PE; p++) begin
        logic [CNT_W-1:0] cnt;
        cnt = '0;
        for (int k = 0; k < N_THRES; k++) begin
          cnt = cnt + CNT_W'($signed(acc[p]) >= $signed(t_q[(p*N_THRES+k)*ACC_BITS+:ACC_BITS]));
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
