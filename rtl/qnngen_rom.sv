// SPDX-License-Identifier: Apache-2.0
//
// qnngen_rom: DEPTH x WIDTH read-only memory with one registered, enabled read port.
//
// Contents: $readmemh(MEM_FILE), one hex word per line, word i at address i.
// Read: q <= mem[addr] at a rising edge with en high; q holds otherwise. q is not reset and is
//   undefined until the first enabled read.
// Style (chosen by the compiler, qnngen/layers/memory.py memory_style, so that its resource
//   estimate is exact): STYLE = "block" puts the array in block RAM (rom_style = "block"),
//   "logic" in LUTs (rom_style = "logic"); q is a register either way. Any other STYLE stops
//   elaboration. The attribute is a literal per branch: Yosys does not take a parameter as an
//   attribute value.
// Addresses >= DEPTH read an undefined value (callers never issue them).

module qnngen_rom #(
  parameter int WIDTH = 8,
  parameter int DEPTH = 16,
  // Untyped string parameters: Yosys does not accept `parameter string`.
  parameter STYLE = "block",
  parameter MEM_FILE = "rom.mem"
) (
  input  logic                                  clk,
  input  logic                                  en,
  input  logic [(DEPTH > 1 ? $clog2(DEPTH) : 1)-1:0] addr,
  output logic [WIDTH-1:0]                      q
);
  // STYLE as a fixed-width vector (a string parameter is a vector of its own length), so that
  // comparing it with literals of other lengths needs no width waiver.
  localparam logic [8*11-1:0] STYLE_V = (8*11)'(STYLE);

  if (STYLE_V == "block") begin : g_block
    (* rom_style = "block" *) logic [WIDTH-1:0] mem [0:DEPTH-1];
    initial $readmemh(MEM_FILE, mem);
    always_ff @(posedge clk) if (en) q <= mem[addr];
  end else if (STYLE_V == "logic") begin : g_logic
    (* rom_style = "logic" *) logic [WIDTH-1:0] mem [0:DEPTH-1];
    initial $readmemh(MEM_FILE, mem);
    always_ff @(posedge clk) if (en) q <= mem[addr];
  end else begin : g_bad_style
    $error("qnngen_rom: STYLE must be \"block\" or \"logic\"");
  end
endmodule
