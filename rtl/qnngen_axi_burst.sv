// SPDX-License-Identifier: Apache-2.0
// qnngen_axi_burst: plans the AXI4 INCR bursts that cover WORDS memory words from byte address
// BASE (aligned to DATA_WIDTH/8): each burst has 1..256 beats and never crosses a 4 KB boundary.
//
// Cycle behaviour
//   * start (a pulse) loads base and words; the first burst is offered two cycles later.
//   * valid, addr and len are registers; they hold until take (the consumer's address handshake),
//     and the next burst is offered two cycles after take. finished: every word was taken.
//   * Address arithmetic is on word addresses (64 - log2(DATA_WIDTH/8) bits), one adder per cycle.
module qnngen_axi_burst #(
    parameter int DATA_WIDTH = 64
) (
    input  logic        clk,
    input  logic        rst_n,
    input  logic        start,
    input  logic [63:0] base,
    input  logic [63:0] words,
    output logic        valid,
    output logic        finished,
    output logic [63:0] addr,
    output logic [ 8:0] len,
    input  logic        take
);
  localparam int SIZE = $clog2(DATA_WIDTH / 8);
  localparam int PAGE_WORDS = 4096 / (DATA_WIDTH / 8);
  localparam int PW = $clog2(PAGE_WORDS);
  localparam int MAX_BURST = (PAGE_WORDS < 256) ? PAGE_WORDS : 256;

  logic [63-SIZE:0] waddr;  // word address of the next burst
  logic [63:0] left;  // words not yet in a burst
  logic fresh;  // len and valid follow waddr and left
  logic more;
  logic [10:0] to_page;
  logic [10:0] cap;
  logic unused_low;  // base is word aligned

  assign to_page = 11'(PAGE_WORDS) - 11'(waddr[PW-1:0]);
  assign cap = (left > 64'(MAX_BURST)) ? 11'(MAX_BURST) : 11'(left);
  assign valid = fresh && more;
  assign finished = fresh && !more;
  assign addr = {waddr, SIZE'(0)};
  assign unused_low = ^base[SIZE-1:0];

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      fresh <= 1'b1;
      more <= 1'b0;
      left <= '0;
    end else if (start) begin
      fresh <= 1'b0;
      left <= words;
    end else if (take) begin
      fresh <= 1'b0;
      left <= left - 64'(len);
    end else if (!fresh) begin
      fresh <= 1'b1;
      more <= (left != '0);
    end
  end

  always_ff @(posedge clk) begin
    if (start) waddr <= base[63:SIZE];
    else if (take) waddr <= waddr + (64 - SIZE)'(len);
    if (!fresh) len <= 9'((cap < to_page) ? cap : to_page);
  end

endmodule
