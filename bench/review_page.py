"""The workbench's speech review page (/workbench/speeches/<id>/): response time and SQL statements
for a speech of 10, 50 and 200 candidates (issue 9: 50 candidates in < 300 ms, constant queries),
with the admin's review queue for the same speech (the page it replaces) measured as the peer in
the same run, on the same data.

    .venv/bin/python bench/review_page.py --db sqlite          # a fresh SQLite file under /tmp
    .venv/bin/python bench/review_page.py --db postgres        # database tracker_bench_review
    options: --sizes 10,50,200  --repeat 20

Data: the bundled county directory; one synthetic speech per size, built so that the engine finds
exactly that many directives (each a sentence with an owner — county units, and every fifth one
a city unit such as 市财政局 that the county directory does not hold — a deadline and a target,
between ordinary sentences), ingested through tasks.services.ingest.ingest_speech.
Requests go through django.test.Client (the whole middleware stack, no network) as a 督查室
officer. Each figure is the median of `repeat` requests after two warm-up requests.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _db import setup_django  # noqa: E402

OWNERS = ["县发改局", "县财政局", "县住建局", "县教体局", "市财政局", "县自然资源局", "县交通运输局", "县农业农村局", "县卫健局", "市发改委"]
MONTHS = ["3月底前", "6月底前", "9月底前", "年底前", "二季度", "10月底前"]


def speech_text(n: int) -> str:
    parts = ["全县经济运行分析会议上的讲话", "", "同志们：", "", "今天召开会议，主要任务是分析形势，安排部署下一阶段工作。"]
    for i in range(n):
        if i % 10 == 0:
            parts.append(f"\n{'一二三四五六七八九十'[min(i // 10, 9)]}、抓好第{i // 10 + 1}批重点工作\n")
        owner = OWNERS[i % len(OWNERS)]
        parts.append(f"前一阶段，各项工作总体平稳，第{i + 1}个项目进展顺利。"
                     f"{owner}要在{MONTHS[i % len(MONTHS)]}完成第{i + 1}批{i % 7 + 2}个项目的前期工作，确保投资{i % 9 + 1}亿元。")
    parts.append("\n同志们，任务艰巨，责任重大，希望大家认真抓好落实。")
    return "\n".join(parts)


def exact_speech(n: int, meeting_date) -> str:
    """A speech in which the engine finds exactly n candidates (the text cut after the n-th)."""
    from tasks.extraction import extract_text
    from tasks.services.ingest import current_directory

    text = speech_text(n * 2)
    ends = sorted(d["end"] for d in extract_text(text, meeting_date, current_directory())["directives"])
    return text[:ends[n - 1] + 1] + "\n同志们，任务艰巨，责任重大，希望大家认真抓好落实。"


def measure(client, url: str, repeat: int) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        r = client.get(url, secure=True)
        assert r.status_code == 200, (url, r.status_code)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get(url, secure=True)
        times.append(time.perf_counter() - t)
    with CaptureQueriesContext(connection) as q:
        client.get(url, secure=True)
    return statistics.median(times) * 1000, len(q.captured_queries), len(r.content)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--sizes", default="10,50,200")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    setup_django("tracker_bench_review", args.db, debug=True)

    import datetime as dt

    from django.test import Client
    from django.test.utils import override_settings

    from accounts.services import create_login, load_units_file
    from tasks.services.ingest import ingest_speech

    load_units_file()
    staff = create_login(username="bench-staff", password="Bench#2026-review", name="王督查", role="staff").user
    client = Client()
    client.force_login(staff)
    rows = []
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for n in [int(x) for x in args.sizes.split(",")]:
            speech = ingest_speech(data=exact_speech(n, dt.date(2026, 3, 1)).encode(), filename=f"bench-{n}.txt", meeting_title=f"测试会议{n}",
                                   meeting_date=dt.date(2026, 3, 1), by=staff)
            found = speech.directives.count()
            first = speech.directives.order_by("start").first()
            pages = [
                ("workbench review page", f"/workbench/speeches/{speech.pk}/"),
                ("workbench review page, one candidate open", f"/workbench/speeches/{speech.pk}/?d={first.pk}"),
                ("workbench editor alone (click on a candidate)", f"/workbench/speeches/{speech.pk}/?d={first.pk}&partial=editor"),
                ("peer: admin review queue of the speech", f"/admin/tasks/directive/?speech__id__exact={speech.pk}"),
            ]
            for label, url in pages:
                ms, q, size = measure(client, url, args.repeat)
                rows.append((n, found, label, ms, q, size))
                print(f"{n} {found} {label}: {ms:.1f} ms, {q} statements", file=sys.stderr)
    print(f"\n{args.db}, repeat {args.repeat}\n")
    print("| candidates wanted | candidates found | page | median ms | SQL statements | HTML bytes |")
    print("|---:|---:|---|---:|---:|---:|")
    for n, found, label, ms, q, size in rows:
        print(f"| {n} | {found} | {label} | {ms:.1f} | {q} | {size} |")


if __name__ == "__main__":
    main()
