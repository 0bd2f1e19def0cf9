"""Every path a command reads or writes goes through here, so that no command loses a user file.

Inputs: `input_file` refuses anything that is not a readable regular file (a FIFO or a device
would hang the reader) before it is opened, and records it as an input of the running command.
Outputs are written whole or not at all (a temporary name beside, then a rename), and replace
only what tinycompress made itself:
- a folder output (`atomic_dir`) replaces an existing folder only when it is empty or holds the
  MARKER file that tinycompress writes into every folder it generates, never the folder the
  command runs in (or one above it), never a folder holding an input of the command;
- a file output (`atomic_file`) never replaces a folder, nor an input of the command.
Refusals are one-line TinyCompressErrors naming the path and what to do.
"""
from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path

from .errors import TinyCompressError

MARKER = ".tinycompress"     # written into every folder tinycompress generates
_MARKER_TEXT = "This folder was written by tinycompress, which may replace it as a whole.\n"

# The inputs of the running command (resolved paths); None outside a command_scope.
_INPUTS: contextvars.ContextVar = contextvars.ContextVar("tinycompress_inputs", default=None)

_HINTS = {   # errno -> what the user should do
    errno.ENOENT: "no such file or folder; check the path",
    errno.EACCES: "permission denied; choose a path you can read or write, or fix its permissions",
    errno.EPERM: "operation not permitted; choose another path",
    errno.ENOTDIR: "a part of the path is a file, not a folder; choose another path",
    errno.EISDIR: "is a folder; give a file name",
    errno.ENAMETOOLONG: "name too long; choose a shorter name",
    errno.EROFS: "read-only file system; choose a writable place",
    errno.ENOSPC: "no space left on the device; free some space or write elsewhere",
    errno.EEXIST: "already exists; choose another path",
    errno.ELOOP: "too many symbolic links; give the real path",
}


def os_error_message(exc: OSError, path=None) -> str:
    """One line for an operating-system error: the path, what happened, what to do."""
    where = path if path is not None else (exc.filename if exc.filename is not None else "")
    where = str(where)
    what = _HINTS.get(exc.errno, (exc.strerror or type(exc).__name__).lower())
    return f"{where}: {what}" if where != "" else what


@contextlib.contextmanager
def command_scope():
    """Record the inputs of one command, so that its outputs never replace one of them."""
    token = _INPUTS.set(set())
    try:
        yield
    finally:
        _INPUTS.reset(token)


def _record(path: Path):
    inputs = _INPUTS.get()
    if inputs is not None:
        inputs.add(Path(os.path.realpath(path)))


def input_file(path, *, folder_ok: bool = False, what: str = "file") -> Path:
    """`path` as a Path once it is known to be a readable regular file (or a folder, when
    `folder_ok`); a one-line TinyCompressError otherwise. Nothing is opened before the check."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise TinyCompressError(f"{path}: no such file; give a {what}") from None
    except OSError as exc:
        raise TinyCompressError(os_error_message(exc, path)) from None
    if stat.S_ISDIR(st.st_mode):
        if not folder_ok:
            raise TinyCompressError(f"{path}: is a folder, expected a {what}")
    elif not stat.S_ISREG(st.st_mode):
        raise TinyCompressError(f"{path}: is not a regular file (a FIFO, device or socket); "
                                f"give a {what} on disk")
    if not os.access(path, os.R_OK | (os.X_OK if stat.S_ISDIR(st.st_mode) else 0)):
        raise TinyCompressError(f"{path}: cannot be read (permission denied); fix its "
                                "permissions or copy it somewhere readable")
    _record(path)
    return path


def _inputs_under(real: Path) -> list:
    return sorted(p for p in (_INPUTS.get() or ()) if p == real or real in p.parents)


def _check_parent(path: Path):
    """The folder `path` goes into must be a folder (or creatable as one)."""
    for parent in [path.parent, *path.parent.parents]:
        if parent.exists():
            if not parent.is_dir():
                raise TinyCompressError(f"{path}: {parent} is a file, not a folder; choose "
                                        "another output path")
            return


def check_output_file(path) -> Path:
    """Refuse a file output that would replace a folder or an input of this command."""
    path = Path(path)
    if path.is_dir():
        raise TinyCompressError(f"{path}: is an existing folder, but a file is written here; "
                                "give a file name (e.g. inside that folder)")
    if path.exists() and _inputs_under(Path(os.path.realpath(path))):
        raise TinyCompressError(f"{path}: is an input of this command and would be "
                                "overwritten; give another output name")
    _check_parent(path)
    return path


def check_output_dir(path) -> Path:
    """Refuse a folder output that would replace anything tinycompress did not make."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        if not path.is_dir():
            raise TinyCompressError(f"{path}: exists and is not a folder; give a new folder "
                                    "for the output")
        real = Path(os.path.realpath(path))
        cwd = Path(os.path.realpath(os.getcwd()))
        if real == cwd or real in cwd.parents:
            raise TinyCompressError(f"{path}: is the folder this command runs in (or holds it) "
                                    "and would be replaced; give a new folder, e.g. -o out")
        held = _inputs_under(real)
        if held:
            raise TinyCompressError(f"{path}: holds {held[0]}, an input of this command, and "
                                    "would be replaced; give another output folder")
        if not (path / MARKER).is_file() and any(path.iterdir()):
            raise TinyCompressError(f"{path}: is a folder tinycompress did not write (no {MARKER} "
                                    "in it) and is not empty; give a new or empty folder")
    _check_parent(path)
    return path


def _tmp_beside(path: Path) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # a short prefix: the temporary name must fit wherever the final name fits
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise TinyCompressError(f"{path}: cannot be written: {os_error_message(exc, '')}") from None
    os.close(fd)
    os.unlink(tmp)  # the block creates the file or the folder
    return Path(tmp)


def _replace(tmp: Path, path: Path):
    try:
        os.replace(tmp, path)
    except OSError as exc:
        raise TinyCompressError(f"{path}: cannot be written: {os_error_message(exc, '')}") from None


def _remove(path: Path):
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink()


@contextlib.contextmanager
def atomic_file(path):
    """Yield a temporary file path beside `path`; rename it onto `path` if the block succeeds."""
    path = check_output_file(path)
    tmp = _tmp_beside(path)
    try:
        yield tmp
        check_output_file(path)     # inputs read inside the block count too
        _replace(tmp, path)
    finally:
        _remove(tmp)


@contextlib.contextmanager
def atomic_dir(path):
    """Yield a new temporary folder beside `path`; if the block succeeds, mark it as ours and
    put it in place of `path` (which check_output_dir allows to replace)."""
    path = check_output_dir(path)
    tmp = _tmp_beside(path)
    tmp.mkdir()
    old = None
    try:
        yield tmp
        (tmp / MARKER).write_text(_MARKER_TEXT)
        check_output_dir(path)      # inputs read inside the block count too
        if path.exists() or path.is_symlink():
            old = _tmp_beside(path)
            _replace(path, old)     # moved aside, removed only once the new one is in place
        _replace(tmp, path)
    except BaseException:
        if old is not None and not (path.exists() or path.is_symlink()):
            os.replace(old, path)   # the new one could not take its place: keep the old one
            old = None
        raise
    finally:
        _remove(tmp)
        if old is not None:
            _remove(old)


def write_bytes(path, data: bytes):
    with atomic_file(path) as tmp:
        tmp.write_bytes(data)


def write_text(path, text: str):
    with atomic_file(path) as tmp:
        tmp.write_text(text)
