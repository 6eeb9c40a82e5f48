// SPDX-License-Identifier: Apache-2.0
// qnngen_axi_pack: the accelerator's output beats (BEAT_WIDTH bits, BEATS per frame) to memory
// words (MEM_WIDTH bits), each frame ending in a word zero-padded above its last bit.
//
// The inverse of qnngen_axi_unpack (qnngen/memlayout.py): bit 0 of a frame's first beat is bit 0
// of its first word, and the frame occupies ceil(BEATS * BEAT_WIDTH / MEM_WIDTH) words.
//
// Cycle behaviour (G = gcd(MEM_WIDTH, BEAT_WIDTH))
//   * Buffer: MEM_WIDTH + BEAT_WIDTH - G bits, zero above the valid bits; one beat in and one
//     word out per cycle as the ratio allows. A beat is placed at one of MEM_WIDTH/G offsets,
//     words leave from bit 0.
//   * After a frame's last beat no beat enters until its last (padded) word has left.
//   * s_axis_tready depends combinationally on m_axis_tready; m_axis_* on registers only.
module qnngen_axi_pack #(
    parameter int BEAT_WIDTH = 8,
    parameter int BEATS      = 1,
    parameter int MEM_WIDTH  = 64
) (
    input  logic                  clk,
    input  logic                  rst_n,
    input  logic [BEAT_WIDTH-1:0] s_axis_tdata,
    input  logic                  s_axis_tvalid,
    output logic                  s_axis_tready,
    output logic [ MEM_WIDTH-1:0] m_axis_tdata,
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
  localparam int W_G = MEM_WIDTH / G;
  localparam int B_G = BEAT_WIDTH / G;
  localparam int BUF = MEM_WIDTH + BEAT_WIDTH - G;
  localparam int CW = $clog2(BUF / G + 1);
  localparam int BW = $clog2(BEATS + 1);

  logic [CW-1:0] count;  // valid G-bit units in the buffer
  logic [CW-1:0] base;  // units kept after this cycle's pop
  logic [BW-1:0] beats;  // beats of the current frame taken
  logic flush;  // the frame's last beat is in; its remaining words are leaving
  logic [BUF-1:0] buffer;
  logic [BUF-1:0] buffer_next;
  logic pop, push, last_push;

  assign m_axis_tvalid = (count >= CW'(W_G)) || (flush && count != '0);
  assign m_axis_tdata = buffer[MEM_WIDTH-1:0];
  assign pop = m_axis_tvalid && m_axis_tready;
  assign base = !pop ? count : (count < CW'(W_G)) ? '0 : count - CW'(W_G);  // < : a padded word
  assign s_axis_tready = !flush && (base < CW'(W_G));
  assign push = s_axis_tvalid && s_axis_tready;
  assign last_push = push && (beats == BW'(BEATS - 1));

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      count <= '0;
      beats <= '0;
      flush <= 1'b0;
    end else begin
      count <= push ? base + CW'(B_G) : base;
      if (push) beats <= last_push ? '0 : beats + 1'b1;
      if (last_push) flush <= 1'b1;
      else if (pop && base == '0) flush <= 1'b0;
    end
  end

  always_comb begin
    buffer_next = pop ? BUF'({MEM_WIDTH'(0), buffer} >> MEM_WIDTH) : buffer;
    if (push) begin
      for (int p = 0; p < W_G; p++) begin
        if (base == CW'(p)) buffer_next[p*G+:BEAT_WIDTH] = s_axis_tdata;
      end
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n) buffer <= '0;
    else buffer <= buffer_next;
  end

endmodule
