// SPDX-License-Identifier: Apache-2.0
//
// qnngen_swu: sliding-window unit (im2col) for convolutions on an NHWC stream.
//
// Per frame: an IFM_H x IFM_W x C image (C = IFM_CH) in; for every output pixel (oy, ox) in
// row-major order, its K_H x K_W x C window of the image padded with PAD_VALUE out, where
//   OH = (IFM_H + PAD_TOP + PAD_BOTTOM - K_H) / STRIDE_H + 1,
//   OW = (IFM_W + PAD_LEFT + PAD_RIGHT - K_W) / STRIDE_W + 1.
//
// Streams (element 0 in the least significant bits, CF = C / SIMD channel groups):
//   s_axis_tdata: IN_BEATS = IFM_H*IFM_W*CF beats, for y, for x, for g: channels g*SIMD+s at
//     [s*BITS +: BITS].
//   m_axis_tdata: OUT_BEATS = OH*OW*WIN beats (WIN = K_H*K_W*CF), for oy, for ox, for ky, for kx,
//     for g: channels g*SIMD+s of padded-image position (oy*STRIDE_H + ky, ox*STRIDE_W + kx),
//     i.e. window element (ky*K_W + kx)*C + c; positions in the padding hold PAD_VALUE (masked to
//     BITS bits). Frames follow each other with no separator.
//   DEPTHWISE = 1 (for depthwise convolutions, qnngen_vvu): the same beats of each output pixel
//     in channel-group-major order, for g, for ky, for kx (element s of beat (g, ky, kx) is
//     channel g*SIMD+s; with SIMD = 1 this is window element order (c, ky, kx)). Only the order
//     within a window changes: which beats belong to an output row, the line buffer, padding and
//     all cycle behaviour below (so qnngen/layers/swu_timing.py) are identical.
//
// Line buffer: NR = K_H + STRIDE_H row slots of ROWB = IFM_W*CF beats (one SIMD*BITS-wide RAM of
//   NR*ROWB words, a qnngen_ram of style MEM_STYLE, which the compiler picks). Image rows
//   fill the slots round robin, continuing across frames; the writer and the reader run
//   concurrently and only exchange whole-row counts.
//   Reader row oy ("output row": its OW*WIN beats) uses image rows [lo(oy), need(oy)) with
//     lo(oy)   = clamp(oy*STRIDE_H - PAD_TOP, 0, IFM_H),
//     need(oy) = clamp(oy*STRIDE_H - PAD_TOP + max(K_H, STRIDE_H), 0, IFM_H) for oy < OH-1,
//     need(OH-1) = IFM_H (rows skipped by the stride or cropped at the bottom are waited for, so
//     every row is released by the reader).
//   Issuing the last beat of output row oy releases rows [lo(oy), lo(oy+1)) (up to IFM_H for the
//   last output row) back to the writer.
//
// Cycle behaviour (cycle t: rising edge t ends it; "accepted" = handshake in that cycle):
//   Writer: s_axis_tready = (complete, unreleased rows < NR), from registers only. The writer
//     stores a beat whenever one is accepted; a row completes at the accept of its last beat.
//   Reader: one issue stage plus one output register stage, enabled by adv = !m_axis_tvalid ||
//     m_axis_tready. A beat of output row oy issues in cycle t when adv holds and need(oy) rows of
//     the reader's frame completed before cycle t (a row completed in cycle t' counts from t'+1).
//     An issued beat is valid on m_axis from cycle t+1 (RAM read register; padded positions are
//     muxed to PAD_VALUE after it), so m_axis_tvalid/tdata depend on registers only.
//   Beat times, output always ready (the compiler's model, qnngen/layers/swu_timing.py):
//     out[j] = max(out[j-1] + 1, in[need(oy_j)*ROWB - 1] + 2), out[-1] = 0 after reset,
//     where in[i] is the cycle input beat i of the frame is accepted and out[j] the cycle output
//     beat j is accepted (no dependency when need(oy_j) = 0).
//   Row-level recurrences with input always valid (all rows and output rows counted globally
//   over back-to-back frames; ws/wc = first/last accept cycle of image row r, is/ie = issue cycle
//   of the first/last beat of output row q, Rel(r) = ie of the output row releasing row r):
//     ws(r) = max(wc(r-1) + 1, Rel(r-NR) + 1),  wc(r) = ws(r) + ROWB - 1,
//     is(q) = max(ie(q-1) + 1, wc(last needed row) + 1),  ie(q) = is(q) + OW*WIN - 1,
//     terms with negative indices dropped, ws(0) = is(0) = 0 after reset; the last output beat
//     of a frame is accepted at ie(q) + 1.
//   Interval: the steady state of these recurrences (swu_interval). Neither process idles on its
//     own, so it is max(IN_BEATS, OUT_BEATS) plus the cycles one side waits on the other. When
//     STRIDE_H <= K_H, no row is cropped ((PH - K_H) % STRIDE_H == 0, PH = padded height) and
//     OW*WIN >= STRIDE_H*ROWB (each output row outlasts the input of its new rows), it is exactly
//       max(IN_BEATS, OUT_BEATS + B*ROWB),
//       B = max(0, clamp(K_H - PAD_TOP, 0, IFM_H) + clamp(K_H - PAD_BOTTOM, 0, IFM_H) - NR):
//     the rows of the next frame's first output row that do not fit beside those of the current
//     frame's last one are written while the reader waits. So a 3x3 stride-1 "same" convolution
//     runs at OUT_BEATS and a "valid" one at OUT_BEATS + 2*ROWB. Other shapes (cropped rows, rows
//     skipped by STRIDE_H > K_H, nearly balanced rows) wait a few rows more per frame.
//   Latency: the first output beat of a frame is accepted 2 cycles after the last beat of image
//     row need(0)-1 is accepted (when the reader is idle).
// Reset (rst_n synchronous, active low) clears the counters; stored data is not cleared.

module qnngen_swu #(
  parameter int IFM_CH = 1,
  parameter int IFM_H = 4,
  parameter int IFM_W = 4,
  parameter int K_H = 3,
  parameter int K_W = 3,
  parameter int STRIDE_H = 1,
  parameter int STRIDE_W = 1,
  parameter int PAD_TOP = 0,
  parameter int PAD_BOTTOM = 0,
  parameter int PAD_LEFT = 0,
  parameter int PAD_RIGHT = 0,
  parameter int PAD_VALUE = 0,
  parameter int SIMD = 1,
  parameter int BITS = 1,
  parameter int DEPTHWISE = 0,
  // Untyped string parameter: Yosys does not accept `parameter string`.
  parameter MEM_STYLE = "block"  // qnngen_ram STYLE of the line buffer
) (
  input  logic                   clk,
  input  logic                   rst_n,
  input  logic [SIMD*BITS-1:0]   s_axis_tdata,
  input  logic                   s_axis_tvalid,
  output logic                   s_axis_tready,
  output logic [SIMD*BITS-1:0]   m_axis_tdata,
  output logic                   m_axis_tvalid,
  input  logic                   m_axis_tready
);
  localparam int CF = IFM_CH / SIMD;
  localparam int WB = SIMD * BITS;
  localparam int PH = IFM_H + PAD_TOP + PAD_BOTTOM;
  localparam int PW = IFM_W + PAD_LEFT + PAD_RIGHT;
  localparam int OH = (PH - K_H) / STRIDE_H + 1;
  localparam int OW = (PW - K_W) / STRIDE_W + 1;
  localparam int ROWB = IFM_W * CF;
  localparam int NR = K_H + STRIDE_H;
  localparam int DEPTH = NR * ROWB;
  localparam int K_AHEAD = K_H > STRIDE_H ? K_H : STRIDE_H;  // rows read or skipped per output row
  localparam int AW = DEPTH > 1 ? $clog2(DEPTH) : 1;
  localparam int CW = ROWB > 1 ? $clog2(ROWB) : 1;
  localparam int GW = CF > 1 ? $clog2(CF) : 1;
  localparam int KYW = K_H > 1 ? $clog2(K_H) : 1;
  localparam int KXW = K_W > 1 ? $clog2(K_W) : 1;
  localparam int OYW = OH > 1 ? $clog2(OH) : 1;
  localparam int OXW = OW > 1 ? $clog2(OW) : 1;
  localparam int YW = $clog2(PH + STRIDE_H + 1);  // padded row coordinates
  localparam int XW = $clog2(PW + STRIDE_W + 1);  // padded column coordinates
  localparam int SW = $clog2(NR);                 // NR >= 2
  localparam int HW = $clog2(IFM_H + 1);          // row counts within a frame
  localparam int RW = $clog2(IFM_H + NR + 1);     // rows_ready
  localparam int FW = $clog2(NR + 1);             // full_rows
  localparam logic [BITS-1:0] PAD_ELEM = BITS'(PAD_VALUE);
  localparam logic [SW-1:0] H_STEP = SW'(IFM_H % NR);       // slot advance per frame
  localparam logic [SW-1:0] S_STEP = SW'(STRIDE_H);         // slot advance per output row
  localparam logic [SW-1:0] TOP_STEP = SW'((NR - PAD_TOP % NR) % NR);  // -PAD_TOP mod NR

  if (SIMD < 1 || IFM_CH % SIMD != 0) begin : g_bad_simd
    $error("qnngen_swu: SIMD must divide IFM_CH");
  end
  if (K_H < 1 || K_W < 1 || STRIDE_H < 1 || STRIDE_W < 1 || K_H > PH || K_W > PW) begin : g_bad_k
    $error("qnngen_swu: need 1 <= K <= padded image size and STRIDE >= 1");
  end
  if (PAD_TOP < 0 || PAD_BOTTOM < 0 || PAD_LEFT < 0 || PAD_RIGHT < 0) begin : g_bad_pad
    $error("qnngen_swu: padding must not be negative");
  end

  // Image rows above padded row py: clamp(py - PAD_TOP, 0, IFM_H).
  function automatic logic [HW-1:0] rows_above(input int py);
    int r;
    r = py - PAD_TOP;
    if (r < 0) r = 0;
    if (r > IFM_H) r = IFM_H;
    rows_above = HW'(r);
  endfunction

  // (a + b) mod NR for a, b < NR.
  function automatic logic [SW-1:0] add_slot(input logic [SW-1:0] a, input logic [SW-1:0] b);
    logic [SW:0] s;
    s = {1'b0, a} + {1'b0, b};
    add_slot = s >= (SW + 1)'(NR) ? SW'(s - (SW + 1)'(NR)) : SW'(s);
  endfunction

  // ---------------------------------------------------------------- writer
  logic [FW-1:0] full_rows;   // complete rows not yet released
  logic [RW-1:0] rows_ready;  // complete rows counted from the reader's frame start
  logic [AW-1:0] wr_addr;
  logic [CW-1:0] wr_col;
  logic accept;
  logic row_done;

  assign s_axis_tready = full_rows != FW'(NR);
  assign accept = s_axis_tvalid && s_axis_tready;
  assign row_done = accept && wr_col == CW'(ROWB - 1);

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      wr_addr <= '0;
      wr_col <= '0;
    end else if (accept) begin
      wr_addr <= wr_addr == AW'(DEPTH - 1) ? '0 : wr_addr + 1'b1;
      wr_col <= row_done ? '0 : wr_col + 1'b1;
    end
  end

  // ---------------------------------------------------------------- reader counters
  logic [GW-1:0] g;
  logic [KXW-1:0] kx;
  logic [KYW-1:0] ky;
  logic [OXW-1:0] ox;
  logic [OYW-1:0] oy;
  logic [XW-1:0] px0;         // ox*STRIDE_W
  logic [YW-1:0] py0;         // oy*STRIDE_H
  logic [SW-1:0] base_slot;   // slot of image row 0 of the reader's frame
  logic [SW-1:0] top_slot;    // slot of padded row py0 (row py0 - PAD_TOP, modulo NR)
  logic end_g, end_kx, end_ky, end_ox, end_oy, row_end;
  logic adv;
  logic issue;
  logic [HW-1:0] lo, lo_next, need;
  logic [FW-1:0] release_rows;  // at most NR: released rows are complete

  assign end_g = g == GW'(CF - 1);
  assign end_kx = kx == KXW'(K_W - 1);
  assign end_ky = ky == KYW'(K_H - 1);
  assign end_ox = ox == OXW'(OW - 1);
  assign end_oy = oy == OYW'(OH - 1);
  assign row_end = end_g && end_kx && end_ky && end_ox;

  assign lo = rows_above(int'(py0));
  assign lo_next = end_oy ? HW'(IFM_H) : rows_above(int'(py0) + STRIDE_H);
  assign need = end_oy ? HW'(IFM_H) : rows_above(int'(py0) + K_AHEAD);
  assign release_rows = FW'(lo_next - lo);

  assign adv = !m_axis_tvalid || m_axis_tready;
  assign issue = adv && rows_ready >= RW'(need);

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      g <= '0;
      kx <= '0;
      ky <= '0;
      ox <= '0;
      oy <= '0;
      px0 <= '0;
      py0 <= '0;
      base_slot <= '0;
      top_slot <= TOP_STEP;
    end else if (issue) begin
      // The window counters nest as (ky, kx, g), or (g, ky, kx) for DEPTHWISE; either way the
      // window ends when all three end, so the pixel and row counters below are shared.
      if (DEPTHWISE == 0) begin
        g <= end_g ? '0 : g + 1'b1;
        if (end_g) kx <= end_kx ? '0 : kx + 1'b1;
        if (end_g && end_kx) ky <= end_ky ? '0 : ky + 1'b1;
      end else begin
        kx <= end_kx ? '0 : kx + 1'b1;
        if (end_kx) ky <= end_ky ? '0 : ky + 1'b1;
        if (end_kx && end_ky) g <= end_g ? '0 : g + 1'b1;
      end
      if (end_g && end_kx && end_ky) begin
        ox <= end_ox ? '0 : ox + 1'b1;
        px0 <= end_ox ? '0 : px0 + XW'(STRIDE_W);
      end
      if (row_end) begin
        oy <= end_oy ? '0 : oy + 1'b1;
        py0 <= end_oy ? '0 : py0 + YW'(STRIDE_H);
        if (end_oy) begin
          base_slot <= add_slot(base_slot, H_STEP);
          top_slot <= add_slot(add_slot(base_slot, H_STEP), TOP_STEP);
        end else begin
          top_slot <= add_slot(top_slot, S_STEP);
        end
      end
    end
  end

  // Row hand-over: a row completes into both counts; the reader's last beat of an output row
  // releases rows, and its last beat of a frame rebases rows_ready to the next frame.
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      full_rows <= '0;
      rows_ready <= '0;
    end else begin
      full_rows <= full_rows + FW'(row_done) - (issue && row_end ? release_rows : '0);
      rows_ready <= rows_ready + RW'(row_done) - (issue && row_end && end_oy ? RW'(IFM_H) : '0);
    end
  end

  // ---------------------------------------------------------------- line buffer and output
  logic [YW-1:0] py;
  logic [XW-1:0] px;
  logic pad;
  logic [SW-1:0] slot;
  logic [AW-1:0] rd_addr;
  logic [WB-1:0] rd_q;
  logic pad_q;

  assign py = py0 + YW'(ky);
  assign px = px0 + XW'(kx);
  assign pad = int'(py) < PAD_TOP || int'(py) >= PAD_TOP + IFM_H
            || int'(px) < PAD_LEFT || int'(px) >= PAD_LEFT + IFM_W;
  assign slot = add_slot(top_slot, SW'(ky));
  assign rd_addr = AW'(int'(slot) * ROWB + (int'(px) - PAD_LEFT) * CF + int'(g));

  qnngen_ram #(
    .WIDTH(WB), .DEPTH(DEPTH), .STYLE(MEM_STYLE)
  ) u_mem (
    .clk, .we(accept), .waddr(wr_addr), .wdata(s_axis_tdata),
    .re(issue && !pad), .raddr(rd_addr), .q(rd_q)
  );

  always_ff @(posedge clk) begin
    if (!rst_n) m_axis_tvalid <= 1'b0;
    else if (adv) m_axis_tvalid <= issue;
  end

  always_ff @(posedge clk) if (adv) pad_q <= pad;

  assign m_axis_tdata = pad_q ? {SIMD{PAD_ELEM}} : rd_q;
endmodule
