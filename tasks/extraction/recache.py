"""Compiled regular expressions kept between processes (start-up of `python -m tasks.extraction`).

Python compiles every pattern with a pure-Python compiler (re._parser, re._compiler) at each start:
the engine's ~150 patterns (CJK classes and the long word alternations above all) cost about half
of the CLI's start-up.  ``rx(pattern, flags)`` keeps, per Python version, the compiled program that
re._compiler produces (a list of opcodes) in one marshal file under ``__pycache__`` next to this
file, and the next process builds the Pattern from it with ``_sre.compile`` — the very call that
``re.compile`` ends with — instead of compiling again.

Only what re.compile itself produced is ever stored: on a miss the pattern is compiled by re.compile
and by the same steps as re._compiler.compile, and the two must be equal (Pattern equality compares
the pattern, the flags and the program).  The file is keyed by the interpreter (cache tag and the
regex engine's magic number); anything unexpected — another Python, an unreadable, corrupt or
unwritable file, a changed pattern — falls back to plain ``re.compile``.  TRACKER_RE_CACHE=0
disables the file.
"""
import atexit
import marshal
from array import array
import os
import re
import sys
import tempfile
from pathlib import Path

try:
    import _sre
    from re import _compiler, _parser
except ImportError:   # another implementation: plain re.compile
    _sre = _compiler = _parser = None

_ENABLED = _sre is not None and os.environ.get("TRACKER_RE_CACHE", "1") != "0"
_PATH = Path(__file__).resolve().parent / "__pycache__" / (
    f"regex.{sys.implementation.cache_tag}.{getattr(_sre, 'MAGIC', 0)}.marshal")
_CODE = next((t for t in "IL" if array(t).itemsize == getattr(_sre, "CODESIZE", 4)), "I")
_stored = None        # {(pattern, flags): (flags, code, groups, groupindex, indexgroup)}
_new = {}
_used = set()
_can_write = None


def _load():
    global _stored
    _stored = {}
    if not _ENABLED:
        return
    try:
        with open(_PATH, "rb") as f:
            data = marshal.load(f)
        if isinstance(data, dict):
            _stored = data
    except (OSError, EOFError, ValueError, TypeError):
        _stored = {}


def _writable():
    """Can this process write the cache file (checked once)?"""
    global _can_write
    if _can_write is None:
        d = _PATH.parent if _PATH.parent.exists() else _PATH.parent.parent
        _can_write = os.access(d, os.W_OK)
    return _can_write


def _program(pattern, flags):
    """The arguments of _sre.compile for pattern, computed as re._compiler.compile does."""
    p = _parser.parse(pattern, flags)
    code = _compiler._code(p, flags)
    groupindex = dict(p.state.groupdict)
    indexgroup = [None] * p.state.groups
    for k, i in groupindex.items():
        indexgroup[i] = k
    return (int(flags | p.state.flags), list(code), int(p.state.groups - 1),
            {str(k): int(v) for k, v in groupindex.items()}, tuple(indexgroup))


def rx(pattern, flags=0):
    """re.compile(pattern, flags), from the cache file when this interpreter compiled it before."""
    flags = int(flags)
    if not _ENABLED:
        return re.compile(pattern, flags)
    if _stored is None:
        _load()
    key = (pattern, flags)
    hit = _stored.get(key)
    if hit is not None:
        _used.add(key)
        try:
            f, code, groups, groupindex, indexgroup = hit
            return _sre.compile(pattern, f, array(_CODE, code).tolist(), groups, groupindex, indexgroup)
        except (TypeError, ValueError, RuntimeError):
            pass
    compiled = re.compile(pattern, flags)
    if not _writable():
        return compiled   # nowhere to keep it: do not pay for a second compilation
    try:
        prog = _program(pattern, flags)
        if _sre.compile(pattern, *prog) == compiled:
            # the program as machine words (one bytes object loads far faster than a list of ints)
            _new[key] = (prog[0], array(_CODE, prog[1]).tobytes()) + prog[2:]
    except Exception:  # noqa: BLE001 — an internal API changed: just do not cache
        pass
    return compiled


@atexit.register
def save():
    """Write the programs compiled by this process (atomically; silently nothing when not writable)."""
    if not _new or not _ENABLED:
        return
    data = dict(_stored or {})
    data.update(_new)
    if len(data) > 2000:      # patterns of other unit directories or of older code: keep this process's only
        data = {k: data[k] for k in _used | set(_new)}
    _new.clear()
    tmp = None
    try:
        _PATH.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=_PATH.parent, prefix=".regex-")
        with os.fdopen(fd, "wb") as f:
            marshal.dump(data, f)
        os.chmod(tmp, 0o644)
        os.replace(tmp, _PATH)
    except (OSError, ValueError):
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
