#!/usr/bin/env python3
"""Time the extraction engine over the whole corpus at 1x, 4x and 16x concatenated.

usage: .venv/bin/python bench/extract_speed.py [TEXT_DIR] [--repeat N]
Start-up (imports, loading the unit directory, compiling regexes) is timed separately and
excluded from the per-size figures; each size is extracted in one process, as one document
per speech (1x = every file once) and, to check that cost is linear, as ONE document made
of all speeches concatenated.
"""
import argparse
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _corpus import find_corpus  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    corpus = find_corpus()
    ap.add_argument("text_dir", nargs="?", default=str(corpus / "texts") if corpus else None)
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs")
    a = ap.parse_args()
    t0 = time.perf_counter()
    from tasks.extraction import extract_text
    from tasks.extraction.directory import default_directory
    directory = default_directory()
    extract_text("县发改局要在6月底前完成。", date(2024, 5, 28), directory)   # warm-up
    startup = time.perf_counter() - t0
    files = sorted(Path(a.text_dir).glob("*.txt"))
    if not files:
        sys.exit(f"no .txt files in {a.text_dir}")
    texts = [f.read_text(encoding="utf-8") for f in files]
    ref = date(2024, 5, 28)
    print(f"date {date.today().isoformat()}  {platform.machine()} {platform.system()}  "
          f"python {platform.python_version()}  cpus {os.cpu_count()}")
    print(f"corpus: {len(files)} files, {sum(len(t) for t in texts)} chars, "
          f"{sum(len(t.encode('utf-8')) for t in texts)} bytes (UTF-8)")
    print(f"start-up (import + directory + warm-up): {startup:.3f} s\n")
    try:
        load = os.getloadavg()[0]
        print(f"load average (1 min) before the run: {load:.2f}  (wall time suffers when other jobs share the cores)")
    except OSError:
        pass
    print(f"{'size':<6}{'mode':<22}{'chars':>10}{'directives':>12}{'wall s':>9}{'cpu s':>8}{'chars/s (cpu)':>15}")

    def timed(fn):
        best_w = best_c = None
        out = None
        for _ in range(a.repeat):
            w, c = time.perf_counter(), time.process_time()
            out = fn()
            w, c = time.perf_counter() - w, time.process_time() - c
            best_w = w if best_w is None else min(best_w, w)
            best_c = c if best_c is None else min(best_c, c)
        return out, best_w, best_c

    for k in (1, 4, 16):
        chars = k * sum(len(t) for t in texts)
        n, w, c = timed(lambda: sum(len(extract_text(t, ref, directory)["directives"]) for _ in range(k) for t in texts))
        print(f"{str(k) + 'x':<6}{'per speech':<22}{chars:>10}{n:>12}{w:>9.3f}{c:>8.3f}{chars / c:>15.0f}")
        big = "\n".join(texts * k)
        n, w, c = timed(lambda: len(extract_text(big, ref, directory)["directives"]))
        print(f"{str(k) + 'x':<6}{'one concatenated doc':<22}{len(big):>10}{n:>12}{w:>9.3f}{c:>8.3f}{len(big) / c:>15.0f}")
    one_sentence(extract_text, directory, ref)


def one_sentence(extract_text, directory, ref):
    """A text layer without full stops: one sentence of n comma pieces must also cost linear time."""
    print("\none sentence of n comma pieces (no full stop), CPU s:")
    for n in (4000, 16000, 64000):
        text = "县发改局负责，" + "推进项目建设，" * n + "6月底前完成。"
        c = time.process_time()
        extract_text(text, ref, directory)
        c = time.process_time() - c
        print(f"  n={n:<6} {len(text):>8} chars  {c:6.3f} s  {len(text) / max(c, 1e-9):>10.0f} chars/s")


if __name__ == "__main__":
    main()
