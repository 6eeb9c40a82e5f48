// SPDX-License-Identifier: Apache-2.0
//
// qnngen_labelselect: top-K label selection at the end of a classifier (TopK / ArgMax).
//
// Per frame: N values in; out = the indices of the K largest values in descending order of
//   value, ties broken by the lower index first, i.e. numpy np.argsort(-x, kind="stable")[:K].
//
// Streams:
//   s_axis_tdata: IN_BEATS = N/PE beats, beat b holds value b*PE + p at [p*BITS +: BITS]; values
//     are two's complement when SIGNED, else unsigned (BIPOLAR: unsigned 1-bit, 1 = +1).
//   m_axis_tdata: K beats, beat k holds the index of the k-th largest value, zero-extended to
//     OUT_BITS (OUT_BITS >= clog2(N), at least 1).
//
// Storage: a sorted top-K list of (key, index, valid) registers, key = value with its sign bit
//   flipped when SIGNED so that unsigned order is value order; an output shift register of K
//   indices with a count of the beats left.
// Insertion: each accepted beat merges its PE values into the list in one cycle. The K list
//   entries and the PE new values are the candidates, in index order (list entries came from
//   earlier beats; the list is itself sorted in the tie order); candidate a before b beats b iff
//   key[a] >= key[b]. A candidate's rank is the number of valid candidates beating it, and list
//   slot j takes the candidate of rank j: (K+PE)^2 / 2 - K^2 / 2 comparators, no loop-carried
//   chain. On a frame's first beat the stored list is ignored (treated as empty).
//
// Cycle behaviour:
//   s_axis_tready = 1 for every beat but a frame's last; the last beat, whose merge result goes
//     straight to the output register, is ready iff the output register is empty or its final
//     beat is being accepted this cycle (depends combinationally on m_axis_tready).
//   Overlap: after a frame's last beat the list is free, so the next frame's beats are accepted
//     while the previous frame's K indices are still being emitted.
//   Beat times, output always ready (qnngen/layers/labelselect_timing.py): output beat k of a
//     frame is accepted exactly k + 1 cycles after the frame's last input beat is accepted.
//   Interval: max(N/PE, K) cycles per frame with input always valid and output always ready
//     (the first N/PE - 1 beats of frame f+1 enter while frame f drains; its last beat waits
//     for the drain to finish when K > N/PE).
//   Latency: the last output beat of a frame is accepted K cycles after its last input beat,
//     N/PE + K - 1 cycles after its first when the input is not stalled.
// Reset (rst_n synchronous, active low) clears the input position and the output count; stored
//   data is not cleared.

module qnngen_labelselect #(
  parameter int N = 10,
  parameter int PE = 1,
  parameter int BITS = 8,
  parameter int SIGNED = 0,
  parameter int K = 1,
  parameter int OUT_BITS = 4
) (
  input  logic                   clk,
  input  logic                   rst_n,
  input  logic [PE*BITS-1:0]     s_axis_tdata,
  input  logic                   s_axis_tvalid,
  output logic                   s_axis_tready,
  output logic [OUT_BITS-1:0]    m_axis_tdata,
  output logic                   m_axis_tvalid,
  input  logic                   m_axis_tready
);
  localparam int C = K + PE;  // merge candidates: the list, then the beat's values
  localparam int RW = $clog2(C + 1);
  localparam int CW = $clog2(K + 1);
  localparam logic [BITS-1:0] FLIP = SIGNED != 0 ? BITS'(1) << (BITS - 1) : '0;

  if (N < 1 || PE < 1 || N % PE != 0) begin : g_bad_pe
    $error("qnngen_labelselect: PE must divide N");
  end
  if (K < 1 || K > N) begin : g_bad_k
    $error("qnngen_labelselect: need 1 <= K <= N");
  end
  if (BITS < 1) begin : g_bad_bits
    $error("qnngen_labelselect: need BITS >= 1");
  end
  if (OUT_BITS < 1 || (OUT_BITS < 31 && (1 << OUT_BITS) < N)) begin : g_bad_out_bits
    $error("qnngen_labelselect: need OUT_BITS >= max(1, clog2(N))");
  end

  // ---------------------------------------------------------------- handshakes
  logic [OUT_BITS-1:0] base;  // index of the beat's value 0
  logic first, last;
  logic [CW-1:0] ocnt;        // output beats left
  logic out_free, accept, emit;

  assign first = base == '0;
  assign last = base == OUT_BITS'(N - PE);
  assign m_axis_tvalid = ocnt != '0;
  assign emit = m_axis_tvalid && m_axis_tready;
  assign out_free = ocnt == '0 || (m_axis_tready && ocnt == CW'(1));
  assign s_axis_tready = !last || out_free;
  assign accept = s_axis_tvalid && s_axis_tready;

  always_ff @(posedge clk) begin
    if (!rst_n) base <= '0;
    else if (accept) base <= last ? '0 : base + OUT_BITS'(PE);
  end

  // ---------------------------------------------------------------- merge
  logic [K-1:0][BITS-1:0] lk;
  logic [K-1:0][OUT_BITS-1:0] li;
  logic [K-1:0] lv;
  logic [C-1:0][BITS-1:0] ck;
  logic [C-1:0][OUT_BITS-1:0] ci;
  logic [C-1:0] cv;
  logic [C-1:0][RW-1:0] rank;
  logic [K-1:0][BITS-1:0] nk;
  logic [K-1:0][OUT_BITS-1:0] ni;
  logic [K-1:0] nv;

  always_comb begin
    for (int i = 0; i < K; i++) begin
      ck[i] = lk[i];
      ci[i] = li[i];
      cv[i] = lv[i] && !first;
    end
    for (int p = 0; p < PE; p++) begin
      ck[K+p] = s_axis_tdata[p*BITS+:BITS] ^ FLIP;
      ci[K+p] = base + OUT_BITS'(p);
      cv[K+p] = 1'b1;
    end
  end

  // rank[c] = number of valid candidates beating c; list entries are sorted, so among
  // themselves the earlier slot always wins and needs no comparator.
  always_comb begin
    for (int c = 0; c < C; c++) begin
      rank[c] = '0;
      for (int d = 0; d < C; d++) begin
        logic wins;
        if (d < K && c < K) wins = d < c;
        else if (d < c) wins = ck[d] >= ck[c];
        else wins = ck[d] > ck[c];
        if (d != c && cv[d] && wins) rank[c] = rank[c] + RW'(1);
      end
    end
  end

  always_comb begin
    nk = '0;
    ni = '0;
    nv = '0;
    for (int j = 0; j < K; j++) begin
      for (int c = 0; c < C; c++) begin
        if (cv[c] && rank[c] == RW'(j)) begin
          nk[j] = nk[j] | ck[c];
          ni[j] = ni[j] | ci[c];
          nv[j] = 1'b1;
        end
      end
    end
  end

  always_ff @(posedge clk) begin
    if (accept) begin
      lk <= nk;
      li <= ni;
      lv <= nv;
    end
  end

  // ---------------------------------------------------------------- output
  logic [K-1:0][OUT_BITS-1:0] ob;

  always_ff @(posedge clk) begin
    if (!rst_n) ocnt <= '0;
    else if (accept && last) ocnt <= CW'(K);
    else if (emit) ocnt <= ocnt - 1'b1;
  end

  always_ff @(posedge clk) begin
    if (accept && last) ob <= ni;
    else if (emit) ob <= ob >> OUT_BITS;
  end

  assign m_axis_tdata = ob[0];
endmodule
