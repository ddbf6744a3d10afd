"""Directive extraction engine for tracker (pure Python, no Django).

Stages, one module each: decode -> normalise -> segment -> classify -> annotate
(owners, deadline, recurrence, target).  See docs/extraction.md.
"""
from .errors import ExtractionError
from .decode import DEFAULT_MAX_BYTES, Decoded, decode
from .directory import DEFAULT_UNITS_PATH, Directory, default_directory
from .deadline import resolve_deadline
from .engine import extract_bytes, extract_text, format_table

__all__ = ["ExtractionError", "Directory", "decode", "extract_text", "extract_bytes", "resolve_deadline",
           "format_table", "DEFAULT_MAX_BYTES", "DEFAULT_UNITS_PATH", "Decoded", "default_directory"]
