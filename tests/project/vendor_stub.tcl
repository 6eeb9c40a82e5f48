# A stand-in for Vivado's Tcl commands: every command Tcl does not know is recorded (one line per
# call, arguments separated by \x1f) and returns its last argument (the object it names), so a
# generated script runs to its end in a plain Tcl interpreter. The commands whose results the
# scripts use answer like Vivado would. The runner sets stub_log, stub_version, stub_mhz and
# stub_board_parts ("exact", "newest" or "none") before sourcing this file.

set stub_fh [open $stub_log w]
set stub_proj_name ""
set stub_proj_dir ""

proc stub_record {args} {
    puts $::stub_fh [string map {"\n" " "} [join $args "\x1f"]]
    flush $::stub_fh
}

proc unknown {args} {
    stub_record {*}$args
    return [lindex $args end]
}

proc version {args} {
    stub_record version {*}$args
    return $::stub_version
}

# two versions of each IP, so a script must pick one (the newest is 9.9)
proc get_ipdefs {args} {
    stub_record get_ipdefs {*}$args
    set pattern [lindex $args end]
    return [list [string map {* 1.0} $pattern] [string map {* 9.9} $pattern]]
}

proc get_board_parts {args} {
    stub_record get_board_parts {*}$args
    set latest [expr {[lsearch -exact $args -latest_file_version] >= 0}]
    switch -- $::stub_board_parts {
        exact { return [lindex $args end] }
        newest { if {$latest} { return [string map {* 9.9} [lindex $args end]] } }
    }
    return ""
}

proc create_project {args} {
    stub_record create_project {*}$args
    set positional [lsearch -all -inline -not -glob $args -*]
    set ::stub_proj_name [lindex $positional 0]
    set ::stub_proj_dir [lindex $positional 1]
    return $::stub_proj_name
}

# implementation writes the bitstream and the hardware handoff where Vivado >= 2020.2 puts them
proc launch_runs {args} {
    stub_record launch_runs {*}$args
    if {[lsearch -exact $args impl_1] >= 0} {
        set runs [file join $::stub_proj_dir $::stub_proj_name.runs impl_1]
        set hwh [file join $::stub_proj_dir $::stub_proj_name.gen sources_1 bd qnngen_bd hw_handoff]
        file mkdir $runs $hwh
        close [open [file join $runs qnngen_bd_wrapper.bit] w]
        close [open [file join $hwh qnngen_bd.hwh] w]
    }
}

proc get_property {args} {
    stub_record get_property {*}$args
    set name [lindex $args 0]
    switch -glob -- $name {
        PROGRESS { return "100%" }
        DIRECTORY { return [file join $::stub_proj_dir $::stub_proj_name.runs [lindex $args end]] }
        STATS.WNS { return 0.125 }
        *ACT*FREQMHZ { return $::stub_mhz }
    }
    return ""
}
