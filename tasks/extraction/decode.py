"""Stage 1: bytes -> text.

.txt: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030 (a superset of GBK/GB2312).
.docx: python-docx (paragraphs, then table cells).  .pdf: the text layer, via pdfminer.six.
Every failure becomes an ExtractionError with a Chinese message; nothing else escapes.
"""
import io
import re
import zipfile
from dataclasses import dataclass

from .errors import ExtractionError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

TEXT_EXT = {".txt", ".text", ".md"}
SUPPORTED = ".txt、.docx、.pdf"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_CJK_OR_PRINT = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffefA-Za-z0-9]")


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
    try:
        from pdfminer.high_level import extract_text as pdf_text
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except Exception:  # pragma: no cover - dependency missing
        raise ExtractionError("服务器缺少 PDF 解析组件，暂时无法读取 PDF 文件，请上传 .docx 或 .txt。", "no_pdf")
    if re.search(rb"/Encrypt\s", data[-4096:] + data[:4096]) or b"/Encrypt" in data:
        raise ExtractionError("该 PDF 文件已加密，无法读取文字，请先解除密码保护后重新上传。", "encrypted")
    try:
        text = pdf_text(io.BytesIO(data))
    except (PDFEncryptionError, PDFPasswordIncorrect):
        raise ExtractionError("该 PDF 文件已加密，无法读取文字，请先解除密码保护后重新上传。", "encrypted")
    except Exception:
        raise ExtractionError("无法解析该 PDF 文件，文件可能已损坏。", "bad_pdf")
    text = (text or "").replace("\x0c", "\n")
    if len(re.sub(r"\s", "", text)) < 10:
        raise ExtractionError("该 PDF 没有可提取的文字层（可能是扫描件或图片），请上传带文字的 PDF、Word 或文本文件。", "image_pdf")
    return text, "pdf"


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
