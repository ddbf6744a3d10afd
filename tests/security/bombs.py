"""Hostile files for the bounded readers: small uploads that unpack to hundreds of megabytes.

Everything is written in chunks, so building a bomb never holds its unpacked size in memory.
"""
from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

MB = 1024 * 1024


def _copy_except(src: bytes, out: zipfile.ZipFile, skip: str) -> None:
    with zipfile.ZipFile(io.BytesIO(src)) as z:
        for info in z.infolist():
            if info.filename != skip:
                out.writestr(info, z.read(info))


def _write_repeated(out: zipfile.ZipFile, name: str, head: bytes, unit: bytes, size: int, tail: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    block = unit * max(1, (1 * MB) // len(unit))
    with out.open(info, "w", force_zip64=True) as f:
        f.write(head)
        written = 0
        while written < size:
            f.write(block)
            written += len(block)
        f.write(tail)


def docx_bomb(path: Path, unpacked: int = 200 * MB) -> Path:
    """A real .docx whose word/document.xml is `unpacked` bytes of paragraphs (ratio ~ 1000)."""
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("县发改局要在年底前完成项目储备。")
    d.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        xml = z.read("word/document.xml")
    head, rest = xml.split(b"<w:body>", 1)
    tail = b"</w:body>" + rest.split(b"</w:body>", 1)[1]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        _copy_except(buf.getvalue(), out, "word/document.xml")
        _write_repeated(out, "word/document.xml", head + b"<w:body>",
                        "<w:p><w:r><w:t>县发改局要在年底前完成项目储备。</w:t></w:r></w:p>".encode(), unpacked, tail)
    return path


def docx_many_entries(path: Path, entries: int = 5000) -> Path:
    """A .docx with thousands of (empty) members: each costs the parser a lookup and memory."""
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("县发改局要在年底前完成项目储备。")
    d.save(buf)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        _copy_except(buf.getvalue(), out, "")
        for i in range(entries):
            out.writestr(f"word/padding/part{i}.xml", b"")
    return path


def xlsx_bomb(path: Path, unpacked: int = 300 * MB) -> Path:
    """A real .xlsx (header 督办事项 | 责任单位) whose styles.xml — which openpyxl parses whole,
    even in read-only mode — holds `unpacked` bytes of <font> elements (ratio ~ 1000); every one
    becomes a Python object."""
    from openpyxl import Workbook

    buf = io.BytesIO()
    wb = Workbook()
    ws = wb.active
    ws.append(["督办事项", "责任单位"])
    ws.append(["推进县城污水管网改造", "县发展和改革局"])
    wb.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        styles = z.read("xl/styles.xml")
    start = styles.index(b"<fonts")
    cut = styles.index(b">", start) + 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        _copy_except(buf.getvalue(), out, "xl/styles.xml")
        _write_repeated(out, "xl/styles.xml", styles[:cut], b'<font><sz val="11"/><name val="Calibri"/></font>',
                        unpacked, styles[cut:])
    return path


def pdf_flate_bomb(path: Path, unpacked: int = 1024 * MB) -> Path:
    """A one-page PDF whose FlateDecode content stream inflates to `unpacked` bytes (~1 MB on disk)."""
    comp = zlib.compressobj(9)
    parts = []
    block = b" " * (4 * MB)
    for _ in range(unpacked // len(block)):
        parts.append(comp.compress(block))
    parts.append(comp.compress(b"BT /F1 12 Tf 20 100 Td (bomb) Tj ET"))
    parts.append(comp.flush())
    stream = b"".join(parts)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return _write_pdf(path, objs)


def pdf_many_pages(path: Path, pages: int = 2000) -> Path:
    """A PDF of `pages` pages that share one small content stream."""
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    content = b"BT /F1 12 Tf 20 100 Td (page) Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 3 0 R /Resources << /Font << /F1 4 0 R >> >> >>"] * pages
    return _write_pdf(path, objs)


def _write_pdf(path: Path, objs: list[bytes]) -> Path:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + o + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    path.write_bytes(out.getvalue())
    return path
