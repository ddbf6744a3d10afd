"""The text layer of a PDF, read by pdfminer.six in a child process with hard limits.

pdfminer inflates every stream whole (`zlib.decompress`), so a 500 KB PDF can ask for gigabytes,
and a crafted content stream can keep it busy for minutes. The parent (tasks.extraction.decode)
runs this file as `python -I pdf_sandbox.py MAX_PAGES MAX_CHARS MAX_MEMORY` with the PDF on
stdin and a wall-clock timeout; here the address space is capped with RLIMIT_AS (and CPU time
with RLIMIT_CPU) before pdfminer is imported. Whatever the PDF does, the server's own process
does not grow and the child is gone when it answers.

Answer on stdout: one JSON object, {"ok": true, "text": …} or {"ok": false, "code": …}.
Pure Python, no Django; only the standard library and pdfminer.six.
"""
import json
import resource
import sys


def _limit(max_memory: int, max_cpu: int) -> None:
    for what, value in ((resource.RLIMIT_AS, max_memory), (resource.RLIMIT_CPU, max_cpu)):
        soft, hard = resource.getrlimit(what)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(what, (value, hard))


def extract(data: bytes, max_pages: int, max_chars: int) -> dict:
    from io import BytesIO, StringIO

    from pdfminer.converter import TextConverter
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    out = StringIO()
    try:
        # the same pipeline as pdfminer.high_level.extract_text, with a page count of our own
        rsrcmgr = PDFResourceManager(caching=True)
        device = TextConverter(rsrcmgr, out, codec="utf-8", laparams=LAParams())
        interpreter = PDFPageInterpreter(rsrcmgr, device)
        for n, page in enumerate(PDFPage.get_pages(BytesIO(data), caching=True), start=1):
            if n > max_pages:
                return {"ok": False, "code": "too_many_pages"}
            interpreter.process_page(page)
            if out.tell() > max_chars:
                return {"ok": False, "code": "too_much_text"}
    except (PDFEncryptionError, PDFPasswordIncorrect):
        return {"ok": False, "code": "encrypted"}
    except MemoryError:
        return {"ok": False, "code": "memory"}
    except Exception:  # noqa: BLE001 - a broken PDF is the user's error, never a traceback
        return {"ok": False, "code": "bad_pdf"}
    return {"ok": True, "text": out.getvalue()}


def main(argv) -> int:
    max_pages, max_chars, max_memory, max_cpu = (int(x) for x in argv[1:5])
    data = sys.stdin.buffer.read()
    _limit(max_memory, max_cpu)
    try:
        answer = extract(data, max_pages, max_chars)
    except MemoryError:
        answer = {"ok": False, "code": "memory"}
    except ImportError:  # pdfminer.six missing from the server
        answer = {"ok": False, "code": "no_pdf"}
    del data
    sys.stdout.write(json.dumps(answer, ensure_ascii=True))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
