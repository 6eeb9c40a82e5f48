"""Output paths the user names: checked before any work starts and written atomically (a
temporary sibling renamed into place), so a failure is one QnnGenError line and leaves no
half-written file."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import numpy as np

from .errors import QnnGenError


def _probe(folder: Path, what: str) -> None:
    """Fail unless a file can be created in `folder`."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise QnnGenError(
            f"{what}: cannot write into {folder} ({exc.strerror}); choose another place"
        ) from None


def check_output_file(path: Path, option: str) -> Path:
    """A file the command will write: its folder exists and is writable, and it is not a folder
    or a device. Returns the path; QnnGenError naming `option` otherwise."""
    what = f"{option} {path}"
    if path.is_dir():
        raise QnnGenError(f"{what}: is a folder; give a file name")
    if path.exists() and not path.is_file():
        raise QnnGenError(f"{what}: exists and is not a regular file; choose another name")
    parent = path.parent
    if not parent.is_dir():
        problem = "is not a folder" if parent.exists() else "does not exist; create it first"
        raise QnnGenError(f"{what}: {parent} {problem}")
    _probe(parent, what)
    return path


def check_output_dir(path: Path, option: str, marker: str) -> Path:
    """A folder the command will (re)create: absent, or an earlier output holding `marker`; its
    nearest existing ancestor is a writable folder. Returns the path; QnnGenError otherwise."""
    what = f"{option} {path}"
    if path.exists() and not path.is_dir():
        raise QnnGenError(f"{what}: exists and is not a folder; choose another {option}")
    if path.is_dir() and not (path / marker).is_file():
        raise QnnGenError(
            f"{what}: exists and is not a qnngen build folder; choose another {option}"
        )
    ancestor = path.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise QnnGenError(f"{what}: {ancestor} is a file, not a folder; choose another {option}")
    _probe(ancestor, what)
    return path


def write_output(path: Path, data: str | bytes, option: str) -> None:
    """Write `data` to `path` through a temporary sibling; QnnGenError (one line) on failure."""
    raw = data.encode() if isinstance(data, str) else data
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise QnnGenError(
            f"{option} {path}: cannot write ({exc.strerror}); check the place and free space"
        ) from None


def npy_bytes(array: np.ndarray) -> bytes:
    """The .npy file content of an array."""
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()
