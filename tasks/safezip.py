"""Bounded reading of zip-based uploads (.docx, .xlsx): the one place that decides whether an
archive is safe to hand to python-docx or openpyxl. Pure Python, no Django import
(tasks.extraction uses it).

A "zip bomb" is a small upload that unpacks to gigabytes (a 344 KB .docx unpacked to 100 MB took
127 s and 2.7 GB). `check_zip` refuses one before any parser sees it:

1. the end record's entry count (before zipfile builds an object per entry), then the central
   directory: each member's declared size, the declared total and the compression ratio;
2. then every member is actually decompressed in 64 KB chunks and *counted* (declared sizes can
   lie; overlapping members can share one compressed kernel), against the same caps and a clock.

Memory stays at one chunk whatever the archive holds; nothing is written anywhere. A refusal is
a `ZipBombError` (a ValueError) with a Chinese message and a short `code`; the caller turns it
into its own error type (ExtractionError, LedgerFormatError, DirectoryError).
"""
from __future__ import annotations

import io
import os
import struct
import time
import zipfile
from dataclasses import dataclass

MB = 1024 * 1024
CHUNK = 64 * 1024


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 2000
    max_total: int = 100 * MB  # all members, unpacked
    max_member: int = 50 * MB  # one member, unpacked
    max_ratio: float = 100.0  # unpacked / packed, per member and overall
    ratio_floor: int = 1 * MB  # members smaller than this are not held to the ratio (tiny XML parts compress very well)
    max_seconds: float = 15.0  # for the whole check


# A speech .docx: python-docx holds ~7x a part's XML in memory, so one part is capped at 20 MB
# (a long speech is 1-3 MB); images do not compress, so the total stays close to the upload size.
DOCX_LIMITS = ZipLimits(max_entries=1000, max_total=64 * MB, max_member=20 * MB, max_ratio=100.0, max_seconds=10.0)
# A ledger or unit directory .xlsx: openpyxl (read-only) streams sheets but loads shared strings
# and styles whole.
XLSX_LIMITS = ZipLimits(max_entries=2000, max_total=100 * MB, max_member=64 * MB, max_ratio=100.0, max_seconds=15.0)


class ZipBombError(ValueError):
    """An archive refused before parsing; `message` is Chinese, `code` one of: bad_zip, encrypted,
    too_many_entries, too_large, ratio, too_slow."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def _mb(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n / 1024:.0f} KB"


def _open(source):
    """(file object, close?) for bytes, a path or a binary file object (rewound afterwards)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(source), True
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb"), True
    return source, False


def check_zip(source, limits: ZipLimits = ZipLimits(), what: str = "文件") -> int:
    """Raise ZipBombError unless `source` (bytes, path or binary file object) is a zip archive
    within `limits`. Returns the total unpacked size. A file object is rewound to where it was."""
    fh, close = _open(source)
    start_pos = None if close else fh.tell()
    started = time.monotonic()
    try:
        declared_entries = _declared_entries(fh)
        if declared_entries is not None and declared_entries > limits.max_entries:
            # refused before zipfile builds an object per entry of the central directory
            raise ZipBombError(f"{what}包含的文件条目过多（{declared_entries} 个，上限 {limits.max_entries} 个），"
                               "可能是恶意构造的压缩包，已拒绝。", "too_many_entries")
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise ZipBombError(f"{what}已损坏或不是有效的压缩包（Office 2007 及以上格式），请用 Office/WPS 另存后重新上传。", "bad_zip") from None
        with zf:
            infos = zf.infolist()
            if len(infos) > limits.max_entries:
                raise ZipBombError(f"{what}包含的文件条目过多（{len(infos)} 个，上限 {limits.max_entries} 个），"
                                   "可能是恶意构造的压缩包，已拒绝。", "too_many_entries")
            declared = 0
            packed_total = 0
            for info in infos:
                if info.flag_bits & 0x1:
                    raise ZipBombError(f"{what}已加密，请取消密码保护后重新上传。", "encrypted")
                _check_sizes(info.filename, info.file_size, info.compress_size, limits, what)
                declared += info.file_size
                packed_total += info.compress_size
                if declared > limits.max_total:
                    raise _too_large(limits, what)
            _check_ratio("", declared, packed_total, limits, what)
            # what the members really unpack to, counted chunk by chunk
            total = 0
            for info in infos:
                member = 0
                try:
                    with zf.open(info) as f:
                        while chunk := f.read(CHUNK):
                            member += len(chunk)
                            total += len(chunk)
                            if member > limits.max_member:
                                raise _member_too_large(info.filename, limits, what)
                            if total > limits.max_total:
                                raise _too_large(limits, what)
                            if time.monotonic() - started > limits.max_seconds:
                                raise ZipBombError(f"{what}解压耗时超过 {limits.max_seconds:.0f} 秒，已停止处理，"
                                                   "可能是恶意构造的压缩包。", "too_slow")
                except ZipBombError:
                    raise
                except RuntimeError:  # zipfile: an encrypted member
                    raise ZipBombError(f"{what}已加密，请取消密码保护后重新上传。", "encrypted") from None
                except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, KeyError):
                    raise ZipBombError(f"{what}已损坏（压缩包中的“{info.filename[:60]}”无法解压），请重新保存后上传。", "bad_zip") from None
                _check_ratio(info.filename, member, info.compress_size, limits, what)
            _check_ratio("", total, packed_total, limits, what)
            return total
    finally:
        if close:
            fh.close()
        else:
            try:
                fh.seek(start_pos)
            except (OSError, ValueError):
                pass


def _declared_entries(fh) -> int | None:
    """The entry count of the end-of-central-directory record (zip64 aware), or None."""
    try:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        tail_start = max(0, size - (65535 + 22 + 20))
        fh.seek(tail_start)
        tail = fh.read()
    except (OSError, ValueError):
        return None
    i = tail.rfind(b"PK\x05\x06")
    if i < 0 or len(tail) < i + 22:
        return None
    count = struct.unpack("<H", tail[i + 10:i + 12])[0]
    if count == 0xFFFF:  # zip64: the count is in the zip64 end record
        j = tail.rfind(b"PK\x06\x06", 0, i)
        if j >= 0 and len(tail) >= j + 40:
            count = struct.unpack("<Q", tail[j + 32:j + 40])[0]
    return count


def _too_large(limits: ZipLimits, what: str) -> ZipBombError:
    return ZipBombError(f"{what}解压后过大（超过 {_mb(limits.max_total)} 的上限），可能是“压缩炸弹”，已拒绝。"
                        "请删除其中的大图片或拆分后再上传。", "too_large")


def _member_too_large(name: str, limits: ZipLimits, what: str) -> ZipBombError:
    return ZipBombError(f"{what}中的“{name[:60]}”解压后超过 {_mb(limits.max_member)} 的上限，可能是“压缩炸弹”，已拒绝。"
                        "请拆分后再上传。", "too_large")


def _check_sizes(name: str, size: int, packed: int, limits: ZipLimits, what: str) -> None:
    if size > limits.max_member:
        raise _member_too_large(name, limits, what)
    _check_ratio(name, size, packed, limits, what)


def _check_ratio(name: str, size: int, packed: int, limits: ZipLimits, what: str) -> None:
    if size <= limits.ratio_floor:
        return
    ratio = size / max(packed, 1)
    if ratio > limits.max_ratio:
        where = f"中的“{name[:60]}”" if name else ""
        raise ZipBombError(f"{what}{where}压缩比异常（约 {ratio:.0f} 倍，上限 {limits.max_ratio:.0f} 倍），"
                           "可能是“压缩炸弹”，已拒绝。", "ratio")
