"""Regression guard: run the engine over hand gold with score.py's matching rules.

Seed gold lives in the shared corpus (../shared/corpus next to the repo); the c01–c19 gold in
tests/gold/.  Tests skip when a corpus is absent.  The floors sit a little under today's scores
so that a regression fails CI; the issue's targets are higher (see docs/extraction.md).
"""
import json
import re
from datetime import date
from pathlib import Path

import pytest

from tasks.extraction import extract_text
from tasks.extraction.directory import default_directory

ROOT = Path(__file__).resolve().parents[2]
SEED_MANIFEST = ROOT.parent / "shared" / "corpus" / "manifest.json"
WS = re.compile(r"\s+")
OWNER_AFFIX = re.compile(r"^(?:县|市|区|州|省|全县|全市)|(?:同志|等部门|等单位|部门|单位)$")


def strip(s):
    return WS.sub("", s or "")


def locate(doc, piece):
    if not piece:
        return None
    i = doc.find(piece)
    return None if i < 0 else (i, i + len(piece))


def norm_owner(s):
    s, prev = strip(s), None
    while prev != s:
        prev, s = s, OWNER_AFFIX.sub("", s)
    return s


def owner_match(g, sys_owners):
    ng = norm_owner(g)
    for o in sys_owners:
        for cand in (o.get("mention"), o.get("name")):
            nc = norm_owner(cand or "")
            if nc and ng and (nc == ng or (len(ng) >= 2 and ng in nc) or (len(nc) >= 2 and nc in ng)):
                return True
    return False


def score(manifest):
    base = manifest.parent
    tot = dict(gold=0, sys=0, tp=0, dl_n=0, dl_ok=0, own_tp=0, own_gold=0, own_sys=0)
    directory = default_directory()
    for m in json.loads(manifest.read_text(encoding="utf-8")):
        text = (base / m["text"]).read_text(encoding="utf-8")
        gold = [json.loads(l) for l in (base / m["gold"]).read_text(encoding="utf-8").splitlines() if l.strip()]
        sysd = extract_text(text, date.fromisoformat(m["date"]), directory)["directives"]
        doc = strip(text)
        gs = [locate(doc, strip(g["quote"])) for g in gold]
        ss = [locate(doc, strip(s["text"])) for s in sysd]
        assert all(s is not None for s in ss), "every directive text must be found in the document"
        pairs = []
        for gi, g in enumerate(gs):
            for si, s in enumerate(ss):
                if g is None:
                    continue
                ov = max(0, min(g[1], s[1]) - max(g[0], s[0]))
                if ov and ov * 2 >= min(g[1] - g[0], s[1] - s[0]):
                    pairs.append((ov, gi, si))
        pairs.sort(reverse=True)
        gu, su = set(), set()
        for ov, gi, si in pairs:
            if gi in gu or si in su:
                continue
            gu.add(gi)
            su.add(si)
            g, s = gold[gi], sysd[si]
            tot["tp"] += 1
            tot["dl_n"] += 1
            tot["dl_ok"] += str(g.get("deadline")) == str(s.get("deadline"))
            tot["own_gold"] += len(g["owners"])
            tot["own_sys"] += len(s["owners"])
            tot["own_tp"] += sum(1 for o in g["owners"] if owner_match(o, s["owners"]))
        tot["gold"] += len(gold)
        tot["sys"] += len(sysd)

    def f1(tp, ns, ng):
        p, r = (tp / ns if ns else 0), (tp / ng if ng else 0)
        return 2 * p * r / (p + r) if p + r else 0

    return {"f1": f1(tot["tp"], tot["sys"], tot["gold"]),
            "deadline": tot["dl_ok"] / tot["dl_n"] if tot["dl_n"] else 0,
            "owner_f1": f1(tot["own_tp"], tot["own_sys"], tot["own_gold"])}


@pytest.mark.skipif(not SEED_MANIFEST.exists(), reason="shared seed corpus not available")
def test_seed_gold_scores():
    s = score(SEED_MANIFEST)
    assert s["f1"] >= 0.86, s
    assert s["deadline"] >= 0.95, s
    assert s["owner_f1"] >= 0.88, s


@pytest.mark.parametrize("name", ["manifest-c01-c09.json", "manifest-c10-c19.json"])
def test_held_out_gold_scores(name):
    manifest = ROOT / "tests" / "gold" / name
    if not manifest.exists():
        pytest.skip("held-out gold not available")
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    if not all((manifest.parent / m["text"]).exists() and (manifest.parent / m["gold"]).exists() for m in entries):
        pytest.skip("held-out texts or gold files not available")
    s = score(manifest)
    assert s["f1"] >= 0.77, s
    assert s["deadline"] >= 0.87, s
    assert s["owner_f1"] >= 0.80, s


@pytest.mark.skipif(not SEED_MANIFEST.exists(), reason="shared corpus not available")
def test_every_span_of_the_corpus_points_at_its_text():
    directory = default_directory()
    for path in sorted((SEED_MANIFEST.parent / "texts").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for d in extract_text(text, date(2024, 1, 1), directory)["directives"]:
            assert strip(text[d["start"]:d["end"]]) == strip(d["text"]), (path.name, d["text"])
            assert d["deadline"] is None or re.match(r"\d{4}-\d\d-\d\d$|asap$|event$|unresolved$", d["deadline"])
            assert d["recurrence"] in (None, "daily", "weekly", "dekad", "monthly", "quarterly", "yearly", "periodic")
            for o in d["owners"]:
                assert o["kind"] in ("unit", "person", "group") and o["role"] in ("lead", "co")
