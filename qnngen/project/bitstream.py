"""`qnngen bitstream OUT`: run the vendor flow of OUT's project (OUT/project/project.json),
streaming its log and printing a progress line per phase, and check the files it writes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TextIO

from rich.console import Console

from ..errors import ToolError
from .flows import ProjectRecord, read_project

#: the progress lines the generated scripts print ("qnngen-phase: 3/9 block design")
PHASE = re.compile(r"^qnngen-phase: (\d+)/(\d+) (.*)$")
LOG = "bitstream.log"


def missing_tool(record: ProjectRecord, out: Path) -> ToolError | None:
    """The error naming the first tool of the flow not on PATH and the command to run where it
    is, or None when every tool is there."""
    missing = [t for t in record.requires if shutil.which(t) is None]
    if not missing:
        return None
    return ToolError(
        f"{missing[0]} ({record.flow.capitalize()} {record.tool_version}) is not on PATH; "
        f"on a machine that has it run: {record.shell_command(out)}"
    )


def run_bitstream(out: Path, console: Console, log_stream: TextIO | None = None) -> ProjectRecord:
    """Run OUT's vendor flow to the end: its log to `log_stream` (stdout) and to
    OUT/<workdir>/bitstream.log, a progress line per phase to `console`. ToolError if a tool is
    missing, fails or writes nothing."""
    log_stream = sys.stdout if log_stream is None else log_stream
    record = read_project(out)
    error = missing_tool(record, out)
    if error is not None:
        raise error
    workdir = out / record.workdir
    for name in record.outputs:  # a file left from an earlier run must not pass for a new one
        (out / name).unlink(missing_ok=True)
    t0, phase = time.perf_counter(), "start"
    with (workdir / LOG).open("w") as log, subprocess.Popen(
        list(record.command), cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, errors="replace", bufsize=1,
    ) as proc:  # fmt: skip
        try:
            for line in proc.stdout:
                log.write(line)
                log_stream.write(line)
                m = PHASE.match(line.strip())
                if m:
                    phase = m.group(3)
                    console.print(
                        f"[bold]{record.tool} phase {m.group(1)}/{m.group(2)}: {phase}[/] "
                        f"({time.perf_counter() - t0:.0f} s)"
                    )
        except BaseException:
            proc.kill()
            raise
    if proc.returncode != 0:
        raise ToolError(
            f"{record.tool} failed (exit {proc.returncode}) in phase '{phase}'; "
            f"log: {workdir / LOG}"
        )
    absent = [name for name in record.outputs if not (out / name).is_file()]
    if absent:
        raise ToolError(
            f"{record.tool} finished but did not write {', '.join(absent)} into {out}; "
            f"log: {workdir / LOG}"
        )
    return record
