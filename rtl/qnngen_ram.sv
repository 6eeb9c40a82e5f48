// SPDX-License-Identifier: Apache-2.0
//
// qnngen_ram: DEPTH x WIDTH simple dual-port RAM, one write port and one registered read port.
//
// Write: mem[waddr] <= wdata at a rising edge with we high.
// Read: q <= mem[raddr] at a rising edge with re high; q holds otherwise. Read-first: a read of
//   the address written at the same edge returns the old word. Neither q nor the contents are
//   reset or initialised.
// Style (chosen by the compiler, qnngen/layers/memory.py memory_style, so that its resource
//   estimate is exact): STYLE = "block" puts the array in block RAM (ram_style = "block"),
//   "distributed" in LUTRAM (ram_style = "distributed"), "logic" in flip-flops
//   (ram_style = "logic"); q is a register in every style. Any other STYLE stops elaboration.
//   The attribute is a literal per branch: Yosys does not take a parameter as an attribute value.
// Addresses >= DEPTH are not used by callers (writes to them are dropped, reads undefined).

module qnngen_ram #(
  parameter int WIDTH = 8,
  parameter int DEPTH = 16,
  // Untyped string parameter: Yosys does not accept `parameter string`.
  parameter STYLE = "block"
) (
  input  logic                                      clk,
  input  logic                                      we,
  input  logic [(DEPTH > 1 ? $clog2(DEPTH) : 1)-1:0] waddr,
  input  logic [WIDTH-1:0]                          wdata,
  input  logic                                      re,
  input  logic [(DEPTH > 1 ? $clog2(DEPTH) : 1)-1:0] raddr,
  output logic [WIDTH-1:0]                          q
);
  // STYLE as a fixed-width vector (a string parameter is a vector of its own length), so that
  // comparing it with literals of other lengths needs no width waiver.
  localparam logic [8*11-1:0] STYLE_V = (8*11)'(STYLE);

  if (STYLE_V == "block") begin : g_block
    (* ram_style = "block" *) logic [WIDTH-1:0] mem [0:DEPTH-1];
    always_ff @(posedge clk) begin
      if (we) mem[waddr] <= wdata;
      if (re) q <= mem[raddr];
    end
  end else if (STYLE_V == "distributed") begin : g_distributed
    (* ram_style = "distributed" *) logic [WIDTH-1:0] mem [0:DEPTH-1];
    always_ff @(posedge clk) begin
      if (we) mem[waddr] <= wdata;
      if (re) q <= mem[raddr];
    end
  end else if (STYLE_V == "logic") begin : g_logic
    (* ram_style = "logic" *) logic [WIDTH-1:0] mem [0:DEPTH-1];
    always_ff @(posedge clk) begin
      if (we) mem[waddr] <= wdata;
      if (re) q <= mem[raddr];
    end
  end else begin : g_bad_style
    $error("qnngen_ram: STYLE must be \"block\", \"distributed\" or \"logic\"");
  end
endmodule
