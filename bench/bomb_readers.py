"""Decompression bombs: the bounded readers against the unbounded libraries on the same files.

    .venv/bin/python bench/bomb_readers.py            # prints a Markdown table
    options: --cap-gb 3 --timeout 90

For each bomb (built by tests/security/bombs.py: a .docx whose document.xml unpacks to 200 MB, a
.xlsx whose styles.xml unpacks to 300 MB, a .pdf whose content stream inflates to 1 GB, a .pdf of
2,000 pages) two fresh processes read it:
  ours   the project's reader (tasks.extraction.decode, tasks.reports.ledger.read_ledger)
  peer   the library as the project called it before the bounds (python-docx Document(),
         openpyxl load_workbook(read_only=True), pdfminer extract_text), in a process capped at
         --cap-gb of address space and --timeout seconds so that the machine survives it
Each line: wall time, peak resident memory of the process (VmHWM; for ours, plus the pdfminer
child's own peak), and how it ended.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.security import bombs  # noqa: E402

PROBE = r"""
import json, resource, sys, time
cap = int(sys.argv[3])
if cap:
    resource.setrlimit(resource.RLIMIT_AS, (cap, resource.RLIM_INFINITY))
who, path = sys.argv[1], sys.argv[2]
def hwm():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM:"))
t = time.monotonic()
try:
    if who == "ours-docx" or who == "ours-pdf":
        from tasks.extraction import decode, ExtractionError
        try:
            decode(open(path, "rb").read(), path.rsplit("/", 1)[-1]); end = "read"
        except ExtractionError as e:
            end = "refused: " + e.message[:40]
    elif who == "ours-xlsx":
        from tasks.reports.ledger import read_ledger, LedgerFormatError
        try:
            s, rows = read_ledger(path, max_rows=2000); list(rows); end = "read"
        except LedgerFormatError as e:
            end = "refused: " + e.message[:40]
    elif who == "peer-docx":
        import docx; d = docx.Document(path); n = len(d.paragraphs); end = f"read ({n} paragraphs)"
    elif who == "peer-xlsx":
        from openpyxl import load_workbook; wb = load_workbook(path, read_only=True, data_only=True); wb.close(); end = "read"
    elif who == "peer-pdf":
        from pdfminer.high_level import extract_text; n = len(extract_text(path)); end = f"read ({n} chars)"
except MemoryError:
    end = "MemoryError at the cap"
except Exception as e:  # lxml reports a failed allocation as a syntax error
    end = f"{type(e).__name__}: {str(e)[:30]}"
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"end": end, "seconds": time.monotonic() - t, "peak": hwm(), "child_peak": child}, ensure_ascii=False))
"""


def run(who: str, path: Path, cap: int, timeout: float) -> dict:
    t = time.monotonic()
    try:
        p = subprocess.run([sys.executable, "-c", PROBE, who, str(path), str(cap)], cwd=ROOT, capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"end": f"stopped after {timeout:.0f} s (timeout)", "seconds": timeout, "peak": None, "child_peak": 0}
    if p.returncode != 0 or not p.stdout.strip():
        return {"end": f"died ({p.stderr.strip().splitlines()[-1][:60] if p.stderr.strip() else p.returncode})",
                "seconds": time.monotonic() - t, "peak": None, "child_peak": 0}
    return json.loads(p.stdout.strip().splitlines()[-1])


def mb(n) -> str:
    return "—" if n is None else f"{n / 1048576:,.0f} MB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cap-gb", type=float, default=3.0)
    ap.add_argument("--timeout", type=float, default=90.0)
    args = ap.parse_args()
    cap = int(args.cap_gb * 1024 ** 3)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        files = [
            ("docx", "word/document.xml → 200 MB", bombs.docx_bomb(d / "b.docx")),
            ("xlsx", "xl/styles.xml → 300 MB of font elements", bombs.xlsx_bomb(d / "b.xlsx")),
            ("pdf", "content stream → 1 GB", bombs.pdf_flate_bomb(d / "b.pdf")),
            ("pdf", "2,000 pages", bombs.pdf_many_pages(d / "p.pdf")),
        ]
        print("| bomb | upload | reader | time | peak memory | pdfminer child peak | result |")
        print("|---|---|---|---|---|---|---|")
        for kind, what, path in files:
            for who in (f"ours-{kind}", f"peer-{kind}"):
                r = run(who, path, 0 if who.startswith("ours") else cap, args.timeout)
                child = mb(r["child_peak"]) if who == "ours-pdf" else ""
                print(f"| .{kind} {what} | {path.stat().st_size / 1024:,.0f} KB | {who.split('-')[0]} | "
                      f"{r['seconds']:.1f} s | {mb(r['peak'])} | {child} | {r['end']} |", flush=True)


if __name__ == "__main__":
    main()
