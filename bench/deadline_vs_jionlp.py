#!/usr/bin/env python3
"""Our resolve_deadline vs JioNLP's parse_time on every gold deadline_text, side by side.

usage: .venv/bin/python bench/deadline_vs_jionlp.py [MANIFEST ...] [--show-diff]
Default manifests: ../shared/corpus/manifest.json and tests/gold/manifest-*.json (when present).
A JioNLP answer counts as the end date of the span it returns; its exceptions and
non-date answers count as "no answer".  Gold "asap"/"event"/"unresolved" cannot be produced by
JioNLP (it has no such notion); they are reported separately.
"""
import argparse
import contextlib
import io
import json
import platform
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tasks.extraction import resolve_deadline  # noqa: E402


def load_cases(manifests):
    cases = []
    for mpath in manifests:
        mpath = Path(mpath)
        for m in json.loads(mpath.read_text(encoding="utf-8")):
            gpath = mpath.parent / m["gold"]
            if not gpath.exists():
                continue
            ref = date.fromisoformat(m["date"])
            for line in gpath.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                g = json.loads(line)
                if g.get("deadline_text"):
                    cases.append((m["doc"], g["deadline_text"], ref, g.get("deadline")))
    return cases


def jionlp_resolver():
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import jionlp
    except Exception as e:  # not installed / broken
        return None, f"{type(e).__name__}: {e}"

    def resolve(phrase, ref):
        ts = time.mktime(datetime(ref.year, ref.month, ref.day).timetuple())
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                r = jionlp.parse_time(phrase, time_base=ts)
        except Exception:
            return None
        t = r.get("time") if isinstance(r, dict) else None
        if r.get("type") in ("time_point", "time_span") and isinstance(t, list) and len(t) == 2 and isinstance(t[1], str):
            if t[1].startswith("inf"):
                return None
            return t[1][:10]
        return None
    return resolve, getattr(jionlp, "__version__", "?")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("manifests", nargs="*")
    ap.add_argument("--show-diff", action="store_true")
    a = ap.parse_args()
    manifests = a.manifests or [p for p in [ROOT.parent / "shared" / "corpus" / "manifest.json",
                                            *sorted((ROOT / "tests" / "gold").glob("manifest-*.json"))] if p.exists()]
    cases = load_cases(manifests)
    print(f"date {date.today().isoformat()}  machine {platform.machine()} {platform.system()} "
          f"python {platform.python_version()}  cpus {__import__('os').cpu_count()}")
    print(f"manifests: {', '.join(str(m) for m in manifests)}")
    print(f"gold deadline phrases: {len(cases)}")
    t0 = time.perf_counter()
    ours = [resolve_deadline(p, ref) for _, p, ref, _ in cases]
    t_ours = time.perf_counter() - t0
    jr, info = jionlp_resolver()
    if jr is None:
        print(f"JioNLP is NOT installed, so no comparison was run ({info}).")
        print("Install it with: .venv/bin/pip install -r bench/requirements.txt")
        theirs = [None] * len(cases)
        t_j = float("nan")
    else:
        t0 = time.perf_counter()
        theirs = [jr(p, ref) for _, p, ref, _ in cases]
        t_j = time.perf_counter() - t0
    groups = {"dated": [], "asap/event/unresolved": []}
    for case, o, j in zip(cases, ours, theirs):
        gold = case[3]
        key = "dated" if gold and gold[:2].isdigit() else "asap/event/unresolved"
        groups[key].append((case, o, j))
    print(f"\n{'gold kind':<24}{'n':>5}{'ours ok':>10}{'JioNLP ok':>11}")
    for k, rows in groups.items():
        n = len(rows)
        ok_o = sum(1 for c, o, j in rows if str(o) == str(c[3]))
        ok_j = sum(1 for c, o, j in rows if str(j) == str(c[3]))
        print(f"{k:<24}{n:>5}{ok_o:>6} {ok_o / n if n else 0:>4.0%}{ok_j:>6} {ok_j / n if n else 0:>4.0%}")
    n = len(cases)
    ok_o = sum(1 for c, o in zip(cases, ours) if str(o) == str(c[3]))
    ok_j = sum(1 for c, j in zip(cases, theirs) if str(j) == str(c[3]))
    print(f"{'all':<24}{n:>5}{ok_o:>6} {ok_o / n if n else 0:>4.0%}{ok_j:>6} {ok_j / n if n else 0:>4.0%}")
    print(f"\ntime: ours {t_ours * 1000:.1f} ms total ({t_ours / max(n, 1) * 1e6:.0f} µs/phrase); "
          f"JioNLP {t_j * 1000:.1f} ms total" + (f" ({t_j / max(n, 1) * 1e6:.0f} µs/phrase)" if jr else ""))
    if a.show_diff:
        print(f"\n{'doc':<8}{'phrase':<22}{'ref':<12}{'gold':<12}{'ours':<12}JioNLP")
        for (doc, p, ref, gold), o, j in zip(cases, ours, theirs):
            if str(o) != str(gold) or str(j) != str(gold):
                print(f"{doc:<8}{p[:20]:<22}{ref.isoformat():<12}{str(gold):<12}{str(o):<12}{j}")


if __name__ == "__main__":
    main()
