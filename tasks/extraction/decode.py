"""Stage 1: bytes -> text.

.txt: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030 (a superset of GBK/GB2312).
.docx: python-docx (paragraphs, then table cells), after tasks.safezip has checked the archive
(entries, unpacked size, compression ratio, time).  .pdf: the text layer, via pdfminer.six in a
child process with a memory cap, a page cap and a timeout (pdf_sandbox.py).
Every failure becomes an ExtractionError with a Chinese message; nothing else escapes.
"""
import io
import json
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tasks.safezip import DOCX_LIMITS, ZipBombError, check_zip

from .errors import ExtractionError
from .recache import rx

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# PDF bounds: pages, text, memory of the pdfminer child (address space), CPU and wall-clock time
PDF_MAX_PAGES = 300
PDF_MAX_CHARS = 2_000_000
PDF_MAX_MEMORY = 512 * 1024 * 1024
PDF_MAX_SECONDS = 20
_PDF_SANDBOX = Path(__file__).with_name("pdf_sandbox.py")

TEXT_EXT = {".txt", ".text", ".md"}
SUPPORTED = ".txt、.docx、.pdf"

_CONTROL = rx(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_CJK_OR_PRINT = rx(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffefA-Za-z0-9]")


@dataclass
class Decoded:
    text: str
    encoding: str
    title: str | None = None


def _ext(filename):
    name = (filename or "").lower().strip()
    i = name.rfind(".")
    return name[i:] if i >= 0 else ""


def _looks_like_text(text):
    if not text.strip():
        return False
    n = len(text)
    bad = len(_CONTROL.findall(text))
    if bad > max(2, n * 0.01):
        return False
    good = len(_CJK_OR_PRINT.findall(text))
    return good >= max(1, n * 0.3) or (n < 20 and good > 0)


def _decode_txt(data):
    if data.startswith(b"\xef\xbb\xbf"):
        cands = [("utf-8-sig", data)]
    elif data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        cands = [("utf-16", data)]
    else:
        cands = [("utf-8", data), ("gb18030", data)]
    for enc, raw in cands:
        try:
            text = raw.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if text.startswith("\ufeff"):
            text = text[1:]
        if _looks_like_text(text):
            return text, enc
        break  # decoded cleanly but is not text: do not try a laxer codec
    raise ExtractionError("无法识别文件内容：文件不是可读的文本（支持 UTF-8、GB18030/GBK、带 BOM 的 UTF-16 编码），请检查文件是否损坏。", "garbage")


def _decode_docx(data):
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ExtractionError("该 .docx 文件已损坏或不是 Word 文档（不是有效的 zip 包），请用 Word 另存为 .docx 后重新上传。", "bad_docx")
    try:
        check_zip(data, DOCX_LIMITS, what="该 Word 文档")
    except ZipBombError as exc:
        raise ExtractionError(exc.message, "bad_docx" if exc.code == "bad_zip" else "zip_bomb") from None
    try:
        import docx  # python-docx
        document = docx.Document(io.BytesIO(data))
    except Exception:
        raise ExtractionError("无法打开该 Word 文档，文件可能已损坏或不是 .docx 格式（旧版 .doc 请先另存为 .docx）。", "bad_docx")
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
    title = None
    try:
        title = document.core_properties.title or None
    except Exception:
        title = None
    text = "\n".join(parts)
    if not text.strip():
        raise ExtractionError("该 Word 文档中没有文字内容。", "empty")
    return text, "docx", title


def _decode_pdf(data):
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ExtractionError("该 .pdf 文件已损坏或不是 PDF 文件，请检查后重新上传。", "bad_pdf")
    if re.search(rb"/Encrypt\s", data[-4096:] + data[:4096]) or b"/Encrypt" in data:
        raise ExtractionError("该 PDF 文件已加密，无法读取文字，请先解除密码保护后重新上传。", "encrypted")
    text = _pdf_text(data)
    text = (text or "").replace("\x0c", "\n")
    if len(re.sub(r"\s", "", text)) < 10:
        raise ExtractionError("该 PDF 没有可提取的文字层（可能是扫描件或图片），请上传带文字的 PDF、Word 或文本文件。", "image_pdf")
    return text, "pdf"


PDF_ERRORS = {
    "encrypted": ("该 PDF 文件已加密，无法读取文字，请先解除密码保护后重新上传。", "encrypted"),
    "too_many_pages": (f"该 PDF 超过 {PDF_MAX_PAGES} 页，请只上传讲话稿部分。", "pdf_too_large"),
    "too_much_text": (f"该 PDF 的文字超过 {PDF_MAX_CHARS // 10000} 万字，请只上传讲话稿部分。", "pdf_too_large"),
    "memory": ("该 PDF 解析时需要的内存超过上限（可能含异常的压缩数据），已停止处理，请另存为 PDF 或 Word 后重新上传。", "pdf_too_large"),
    "timeout": (f"该 PDF 解析超过 {PDF_MAX_SECONDS} 秒，已停止处理（文件可能过于复杂或被恶意构造），请另存为 Word 或文本后重新上传。", "pdf_too_slow"),
    "bad_pdf": ("无法解析该 PDF 文件，文件可能已损坏。", "bad_pdf"),
    "no_pdf": ("服务器缺少 PDF 解析组件，暂时无法读取 PDF 文件，请上传 .docx 或 .txt。", "no_pdf"),
}


def _pdf_text(data):
    """The PDF's text from the pdfminer child (pdf_sandbox.py), or ExtractionError."""
    try:
        p = subprocess.run(
            [sys.executable, "-I", str(_PDF_SANDBOX), str(PDF_MAX_PAGES), str(PDF_MAX_CHARS), str(PDF_MAX_MEMORY),
             str(PDF_MAX_SECONDS)],
            input=bytes(data), capture_output=True, timeout=PDF_MAX_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise ExtractionError(*PDF_ERRORS["timeout"]) from None
    except OSError:  # pragma: no cover - no interpreter to run the child
        raise ExtractionError("服务器暂时无法读取 PDF 文件，请上传 .docx 或 .txt。", "no_pdf") from None
    try:
        answer = json.loads(p.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        # killed by a limit (CPU time, or memory outside Python's reach) before it could answer
        raise ExtractionError(*PDF_ERRORS["timeout" if p.returncode in (-9, -24, 137, 152) else "memory"]) from None
    if not answer.get("ok"):
        raise ExtractionError(*PDF_ERRORS.get(answer.get("code"), PDF_ERRORS["bad_pdf"]))
    return answer.get("text") or ""


def decode(data, filename, max_bytes=DEFAULT_MAX_BYTES):
    """Decode an uploaded file. Raises ExtractionError (Chinese message) on any problem."""
    if data is None or len(data) == 0:
        raise ExtractionError("文件为空，请选择包含讲话内容的文件。", "empty")
    if max_bytes is not None and len(data) > max_bytes:
        raise ExtractionError(
            f"文件过大（{len(data) / 1048576:.1f} MB），超过 {max_bytes / 1048576:.0f} MB 的上限，请拆分后再上传。", "too_large")
    ext = _ext(filename)
    try:
        if ext in TEXT_EXT or ext == "":
            text, enc = _decode_txt(data)
            title = None
        elif ext == ".docx":
            text, enc, title = _decode_docx(data)
        elif ext == ".pdf":
            text, enc = _decode_pdf(data)
            title = None
        else:
            raise ExtractionError(f"不支持的文件类型“{ext or filename}”，请上传 {SUPPORTED} 文件。", "unsupported")
    except ExtractionError:
        raise
    except Exception:  # never let a stack trace reach the user
        raise ExtractionError("读取文件时出错，文件可能已损坏，请检查后重新上传。", "unreadable")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ExtractionError("文件中没有文字内容。", "empty")
    if title is None:
        for line in text.split("\n"):
            if line.strip():
                title = line.strip()[:120]
                break
    return Decoded(text=text, encoding=enc, title=title)
