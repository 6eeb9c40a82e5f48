// SPDX-License-Identifier: Apache-2.0
// qnngen_dwc: AXI-Stream data width converter (gearbox) from IN_WIDTH to OUT_WIDTH bits.
//
// The bit stream passes through unchanged and LSB-first: bit 0 of an input beat leaves before
// its bit 1, so element 0 of every beat stays in the LSBs. Any pair of widths works; with an
// element width E dividing both, elements are never split across a frame boundary as long as
// each frame holds a multiple of lcm(IN_WIDTH, OUT_WIDTH) bits.
//
// Cycle behaviour (G = gcd(IN_WIDTH, OUT_WIDTH))
//   * Buffer: IN_WIDTH + OUT_WIDTH - G bits plus a bit counter, the least that keeps both ports
//     busy; no other storage.
//   * Throughput: one input beat and/or one output beat per cycle as the ratio allows, so with
//     no stalls a frame of B_in input and B_out output beats takes max(B_in, B_out) cycles.
//   * Latency: a beat accepted at cycle t is first visible on m_axis at cycle t+1 (when it
//     completes an output beat).
//   * s_axis_tready depends combinationally on m_axis_tready (a beat leaving frees room this
//     cycle); m_axis_tvalid and m_axis_tdata depend on registers only. Put a qnngen_fifo next
//     to it where a ready chain must be broken.
//
// Layout: for IN_WIDTH >= OUT_WIDTH the valid bits sit in the buffer's LSBs, beats leave from
// bit 0 and arrive at one of OUT_WIDTH/G offsets. For IN_WIDTH < OUT_WIDTH they sit in the
// MSBs, beats arrive at the top and leave from one of IN_WIDTH/G offsets. Either way the only
// variable-offset mux has min(IN_WIDTH, OUT_WIDTH)/G inputs (one for integer ratios).
module qnngen_dwc #(
    parameter int IN_WIDTH  = 8,
    parameter int OUT_WIDTH = 8
) (
    input  logic                 clk,
    input  logic                 rst_n,
    input  logic [ IN_WIDTH-1:0] s_axis_tdata,
    input  logic                 s_axis_tvalid,
    output logic                 s_axis_tready,
    output logic [OUT_WIDTH-1:0] m_axis_tdata,
    output logic                 m_axis_tvalid,
    input  logic                 m_axis_tready
);
  function automatic int gcd(input int a, input int b);
    int x, y, t;
    x = a;
    y = b;
    // Euclid finishes in fewer than 48 steps for any pair of 32-bit ints.
    for (int i = 0; i < 48; i++) begin
      if (y != 0) begin
        t = x % y;
        x = y;
        y = t;
      end
    end
    gcd = x;
  endfunction

  localparam int G = gcd(IN_WIDTH, OUT_WIDTH);
  localparam int IN_G = IN_WIDTH / G;  // widths and counts below are in units of G bits
  localparam int OUT_G = OUT_WIDTH / G;
  localparam int BUF_G = IN_G + OUT_G - 1;
  localparam int BUF = BUF_G * G;
  localparam int CW = $clog2(BUF_G + 1);

  logic [CW-1:0] count;  // valid G-bit units in the buffer
  logic [CW-1:0] base;  // units left after this cycle's pop
  logic [BUF-1:0] buffer;
  logic [BUF-1:0] buffer_next;
  logic push;
  logic pop;

  assign m_axis_tvalid = (count >= CW'(OUT_G));
  assign pop = m_axis_tvalid && m_axis_tready;
  assign base = pop ? count - CW'(OUT_G) : count;
  assign s_axis_tready = (base < CW'(OUT_G));  // base + IN_G <= BUF_G
  assign push = s_axis_tvalid && s_axis_tready;

  always_ff @(posedge clk) begin
    if (!rst_n) count <= '0;
    else count <= push ? base + CW'(IN_G) : base;
  end

  always_ff @(posedge clk) begin
    buffer <= buffer_next;
  end

  if (IN_WIDTH >= OUT_WIDTH) begin : g_lsb_aligned
    assign m_axis_tdata = buffer[OUT_WIDTH-1:0];

    always_comb begin
      buffer_next = pop ? BUF'({OUT_WIDTH'(0), buffer} >> OUT_WIDTH) : buffer;
      if (push) begin
        for (int p = 0; p < OUT_G; p++) begin
          if (base == CW'(p)) buffer_next[p*G+:IN_WIDTH] = s_axis_tdata;
        end
      end
    end
  end else begin : g_msb_aligned
    always_comb begin
      buffer_next = push ? {s_axis_tdata, buffer[BUF-1:IN_WIDTH]} : buffer;
    end

    always_comb begin
      m_axis_tdata = buffer[OUT_WIDTH-1:0];
      for (int p = 1; p < IN_G; p++) begin
        if (count == CW'(BUF_G - p)) m_axis_tdata = buffer[p*G+:OUT_WIDTH];
      end
    end
  end

endmodule
