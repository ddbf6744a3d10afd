import io
import zipfile

import pytest

from tasks.extraction import DEFAULT_MAX_BYTES, ExtractionError, decode, extract_bytes

SAMPLE = "县发改局要在6月底前完成项目入库工作。\n各乡镇要尽快上报数据。"


def _is_chinese(msg):
    return any("\u4e00" <= c <= "\u9fff" for c in msg)


@pytest.mark.parametrize("data,enc", [
    (SAMPLE.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), "utf-8-sig"),
    (SAMPLE.encode("gb18030"), "gb18030"),
    (SAMPLE.encode("gbk"), "gb18030"),
    (SAMPLE.encode("utf-16"), "utf-16"),          # with BOM (LE)
    (b"\xfe\xff" + SAMPLE.encode("utf-16-be"), "utf-16"),
])
def test_decode_text_encodings(data, enc):
    d = decode(data, "speech.txt")
    assert d.text == SAMPLE
    assert d.encoding == enc
    assert d.title == "县发改局要在6月底前完成项目入库工作。"


def test_decode_crlf_is_normalised():
    d = decode(SAMPLE.replace("\n", "\r\n").encode("utf-8"), "a.txt")
    assert "\r" not in d.text


def test_decode_docx(tmp_path):
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_paragraph("在全县经济工作会议上的讲话")
    doc.add_paragraph("县财政局要在10月底前完成资金拨付。")
    table = doc.add_table(rows=1, cols=1)
    table.rows[0].cells[0].text = "投促中心要尽快对接客商。"
    path = tmp_path / "s.docx"
    doc.save(path)
    d = decode(path.read_bytes(), "s.docx")
    assert d.encoding == "docx"
    assert "县财政局要在10月底前完成资金拨付。" in d.text
    assert "投促中心要尽快对接客商。" in d.text
    res = extract_bytes(path.read_bytes(), "s.docx", __import__("datetime").date(2024, 7, 1))
    assert any(x["deadline"] == "2024-10-31" for x in res["directives"])


def _pdf_with_text(text_ops):
    """A minimal one-page PDF whose content stream is ``text_ops`` (Helvetica)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = text_ops
    objs[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
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
    return out.getvalue()


def test_decode_pdf_text_layer():
    pdf = _pdf_with_text(b"BT /F1 12 Tf 20 100 Td (Project deadline is end of June) Tj ET")
    d = decode(pdf, "x.pdf")
    assert d.encoding == "pdf"
    assert "Project deadline is end of June" in d.text


def test_pdf_without_text_layer_is_rejected():
    pdf = _pdf_with_text(b"0 0 m 100 100 l S")   # a line, no text
    with pytest.raises(ExtractionError) as e:
        decode(pdf, "scan.pdf")
    assert "文字层" in e.value.message


def test_encrypted_pdf_is_rejected():
    pdf = _pdf_with_text(b"BT /F1 12 Tf 20 100 Td (secret) Tj ET")
    pdf = pdf.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Encrypt << /Filter /Standard /V 1 /R 2 /O (x) /U (y) /P -4 >> >>")
    with pytest.raises(ExtractionError) as e:
        decode(pdf, "locked.pdf")
    assert "加密" in e.value.message


@pytest.mark.parametrize("data,name,word", [
    (b"", "a.txt", "为空"),
    (bytes(range(256)) * 40, "a.txt", "无法识别"),
    (b"\x00\x01\x02\x03" * 500, "a.txt", "无法识别"),
    (b"this is not a zip file", "a.docx", "zip"),
    (b"PK\x03\x04garbage", "a.docx", "Word"),
    (b"not a pdf", "a.pdf", "PDF"),
    (SAMPLE.encode("utf-8"), "a.xlsx", "不支持"),
])
def test_bad_files_give_chinese_errors(data, name, word):
    with pytest.raises(ExtractionError) as e:
        decode(data, name)
    assert word in e.value.message
    assert _is_chinese(e.value.message)


def test_oversize_file_is_rejected():
    with pytest.raises(ExtractionError) as e:
        decode(b"a" * 2048, "a.txt", max_bytes=1024)
    assert "过大" in e.value.message
    assert DEFAULT_MAX_BYTES == 10 * 1024 * 1024


def test_cli_reports_error_without_traceback(tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    p = subprocess.run([sys.executable, "-m", "tasks.extraction", str(empty), "--date", "2024-07-01"],
                       cwd=root, capture_output=True, text=True)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert "文件为空" in p.stderr


def test_cli_json_output(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    f = tmp_path / "s.txt"
    f.write_bytes(SAMPLE.encode("gb18030"))
    p = subprocess.run([sys.executable, "-m", "tasks.extraction", str(f), "--date", "2024-05-28", "--format", "json"],
                       cwd=root, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    assert res["document"]["encoding"] == "gb18030"
    assert res["document"]["meeting_date"] == "2024-05-28"
    assert [d["deadline"] for d in res["directives"]] == ["2024-06-30", "asap"]
