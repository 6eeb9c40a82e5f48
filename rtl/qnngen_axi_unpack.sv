// SPDX-License-Identifier: Apache-2.0
// qnngen_axi_unpack: memory words (MEM_WIDTH bits) to the accelerator's input beats (BEAT_WIDTH
// bits, BEATS per frame), dropping the padding that ends each frame in memory.
//
// A frame is BEATS * BEAT_WIDTH bits packed LSB first into ceil(that / MEM_WIDTH) words, the
// last one zero-padded (qnngen/memlayout.py); bit 0 of a frame's first word is bit 0 of its
// first beat.
//
// Cycle behaviour (G = gcd(MEM_WIDTH, BEAT_WIDTH))
//   * Buffer: MEM_WIDTH + BEAT_WIDTH - G bits; one word in and one beat out per cycle as the
//     ratio allows. A word is placed at one of BEAT_WIDTH/G offsets, beats leave from bit 0.
//   * The last beat of a frame discards what is left (the padding); the next frame's first word
//     may enter in the same cycle.
//   * s_axis_tready depends combinationally on m_axis_tready; m_axis_* on registers only.
module qnngen_axi_unpack #(
    parameter int MEM_WIDTH  = 64,
    parameter int BEAT_WIDTH = 8,
    parameter int BEATS      = 1
) (
    input  logic                  clk,
    input  logic                  rst_n,
    input  logic [ MEM_WIDTH-1:0] s_axis_tdata,
    input  logic                  s_axis_tvalid,
    output logic                  s_axis_tready,
    output logic [BEAT_WIDTH-1:0] m_axis_tdata,
    output logic                  m_axis_tvalid,
    input  logic                  m_axis_tready
);
  function automatic int gcd(input int a, input int b);
    int x, y, t;
    x = a;
    y = b;
    for (int i = 0; i < 48; i++) begin
      if (y != 0) begin
        t = x % y;
        x = y;
        y = t;
      end
    end
    gcd = x;
  endfunction

  localparam int G = gcd(MEM_WIDTH, BEAT_WIDTH);
  localparam int WORDS = (BEATS * BEAT_WIDTH + MEM_WIDTH - 1) / MEM_WIDTH;  // per frame
  localparam int W_G = MEM_WIDTH / G;
  localparam int B_G = BEAT_WIDTH / G;
  localparam int BUF = MEM_WIDTH + BEAT_WIDTH - G;
  localparam int CW = $clog2(BUF / G + 1);
  localparam int WW = $clog2(WORDS + 1);
  localparam int BW = $clog2(BEATS + 1);

  logic [CW-1:0] count;  // valid G-bit units in the buffer
  logic [CW-1:0] base;  // units kept after this cycle's pop
  logic [WW-1:0] words;  // words of the current frame taken
  logic [BW-1:0] beats;  // beats of the current frame sent
  logic [BUF-1:0] buffer;
  logic [BUF-1:0] buffer_next;
  logic pop, push, last_pop;

  assign m_axis_tvalid = (count >= CW'(B_G));
  assign m_axis_tdata = buffer[BEAT_WIDTH-1:0];
  assign pop = m_axis_tvalid && m_axis_tready;
  assign last_pop = pop && (beats == BW'(BEATS - 1));
  assign base = last_pop ? '0 : pop ? count - CW'(B_G) : count;
  assign s_axis_tready = (base < CW'(B_G)) && ((words != WW'(WORDS)) || last_pop);
  assign push = s_axis_tvalid && s_axis_tready;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      count <= '0;
      words <= '0;
      beats <= '0;
    end else begin
      count <= push ? base + CW'(W_G) : base;
      if (last_pop) words <= WW'(push);
      else if (push) words <= words + 1'b1;
      if (pop) beats <= last_pop ? '0 : beats + 1'b1;
    end
  end

  always_comb begin
    buffer_next = pop ? BUF'({BEAT_WIDTH'(0), buffer} >> BEAT_WIDTH) : buffer;
    if (push) begin
      for (int p = 0; p < B_G; p++) begin
        if (base == CW'(p)) buffer_next[p*G+:MEM_WIDTH] = s_axis_tdata;
      end
    end
  end

  always_ff @(posedge clk) begin
    buffer <= buffer_next;
  end

endmodule
