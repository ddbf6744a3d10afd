#!/usr/bin/env python3
"""The whole extraction engine vs JioNLP's time-only entity extraction, on the same texts, in one run.

usage: .venv/bin/python bench/extract_vs_jionlp.py [TEXT_DIR] [--repeat N] [--cli N]
(needs `pip install -r bench/requirements.txt` for jionlp; the engine itself does not use it)

Both sides get every speech of the corpus (shared/corpus/texts by default) as one string each.
Ours: tasks.extraction.extract_text (normalise, segment, owners, deadlines, targets, recurrence and
the learned decision layer) — what `python -m tasks.extraction` runs after reading the file.
JioNLP: jionlp.ner.extract_time(text, with_parsing=False) — it only finds time expressions and
does not even resolve them.  Start-up (imports, dictionaries, the unit directory, the weights) is
timed apart; each side is timed as CPU time, best of N passes over the corpus, after one warm-up pass.
Then, as a user runs them, one process per speech for each side (start-up included): our CLI
`python -m tasks.extraction SPEECH --date D --format json` and a one-line JioNLP script.
"""
import argparse
import contextlib
import io
import logging
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


def best_of(n, fn):
    best_c = best_w = None
    out = None
    for _ in range(n):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        w, c = time.perf_counter() - w, time.process_time() - c
        best_c = c if best_c is None else min(best_c, c)
        best_w = w if best_w is None else min(best_w, w)
    return out, best_c, best_w


def main():
    corpus = find_corpus()
    ap = argparse.ArgumentParser()
    ap.add_argument("text_dir", nargs="?", default=str(corpus / "texts") if corpus else None)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cli", type=int, default=1, metavar="N",
                    help="also time one process per speech, best of N (0: skip)")
    a = ap.parse_args()
    if not a.text_dir:
        sys.exit("no corpus: give TEXT_DIR")
    files = sorted(Path(a.text_dir).glob("*.txt"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    chars = sum(len(t) for t in texts)

    t0 = time.process_time()
    from tasks.extraction import extract_text
    from tasks.extraction.directory import default_directory
    from tasks.extraction.model import default_model
    directory, model = default_directory(), default_model()
    ours_start = time.process_time() - t0
    t0 = time.process_time()
    try:
        logging.disable(logging.CRITICAL)     # JioNLP logs a traceback for every phrase it cannot parse
        with contextlib.redirect_stdout(io.StringIO()):
            from jionlp.algorithm.ner import extract_time
    except Exception as e:  # noqa: BLE001 — not installed: measure ours alone and say so
        extract_time = None
        missing = f"{type(e).__name__}: {e}"
    jio_start = time.process_time() - t0
    ref = date(2024, 5, 28)
    base = time.mktime(ref.timetuple())

    def ours():
        return sum(len(extract_text(t, ref, directory, model=model)["directives"]) for t in texts)

    def jio():
        return sum(len(extract_time(t, time_base=base, with_parsing=False)) for t in texts)

    ours()
    n_ours, c_ours, w_ours = best_of(a.repeat, ours)
    if extract_time is not None:
        jio()   # warm-up: JioNLP loads its dictionaries lazily on first call
        n_jio, c_jio, w_jio = best_of(a.repeat, jio)
    try:
        load = f"{os.getloadavg()[0]:.2f}"
    except OSError:
        load = "?"
    print(f"date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  {platform.machine()} {platform.system()}  "
          f"python {platform.python_version()}  cpus {os.cpu_count()}  load {load}")
    print(f"corpus: {len(files)} speeches, {chars} chars; best of {a.repeat} passes after a warm-up pass\n")
    print(f"{'':<44}{'found':>8}{'cpu s':>9}{'wall s':>9}{'chars/s (cpu)':>15}{'start-up s':>12}")
    print(f"{'ours: extract_text (whole engine)':<44}{n_ours:>8}{c_ours:>9.3f}{w_ours:>9.3f}{chars / c_ours:>15.0f}"
          f"{ours_start:>12.3f}")
    if extract_time is None:
        print(f"\nJioNLP is not installed ({missing}): pip install -r bench/requirements.txt for the comparison")
        return
    print(f"{'JioNLP: extract_time(with_parsing=False)':<44}{n_jio:>8}{c_jio:>9.3f}{w_jio:>9.3f}{chars / c_jio:>15.0f}"
          f"{jio_start:>12.3f}")
    print(f"\nin one process: ours is {c_jio / c_ours:.1f}x faster (CPU), {w_jio / w_ours:.1f}x (wall)")
    if a.cli:
        cli(files, a.cli)


JIO_CLI = ("import sys, time, logging, contextlib, io; logging.disable(logging.CRITICAL)\n"
           "with contextlib.redirect_stdout(io.StringIO()):\n"
           "    from jionlp.algorithm.ner import extract_time\n"
           "text = open(sys.argv[1], encoding='utf-8').read()\n"
           "print(len(extract_time(text, time_base=time.time(), with_parsing=False)))\n")


def cli(files, n):
    """As a user runs it: one process per speech, start-up included (best of n per side, summed)."""
    import resource
    import subprocess

    def run(cmd):
        best_w = best_c = None
        for _ in range(n):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            w = time.perf_counter()
            p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            w = time.perf_counter() - w
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            if p.returncode != 0:
                sys.exit(f"failed: {cmd}: {p.stderr[-300:]}")
            c = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
            best_w = w if best_w is None else min(best_w, w)
            best_c = c if best_c is None else min(best_c, c)
        return best_c, best_w

    tot = {"ours": [0.0, 0.0], "jio": [0.0, 0.0]}
    for f in files:
        c, w = run([sys.executable, "-m", "tasks.extraction", str(f), "--date", "2024-05-28", "--format", "json"])
        tot["ours"][0] += c
        tot["ours"][1] += w
        c, w = run([sys.executable, "-c", JIO_CLI, str(f)])
        tot["jio"][0] += c
        tot["jio"][1] += w
    print(f"\nas a user runs it, one process per speech ({len(files)} speeches, best of {n} each, start-up included):")
    print(f"{'':<58}{'cpu s':>9}{'wall s':>9}")
    print(f"{'ours: python -m tasks.extraction SPEECH --format json':<58}{tot['ours'][0]:>9.2f}{tot['ours'][1]:>9.2f}")
    print(f"{'JioNLP: python -c extract_time(open(SPEECH).read())':<58}{tot['jio'][0]:>9.2f}{tot['jio'][1]:>9.2f}")
    print(f"per process: ours is {tot['jio'][0] / tot['ours'][0]:.1f}x faster (CPU), {tot['jio'][1] / tot['ours'][1]:.1f}x (wall)")


if __name__ == "__main__":
    main()
