"""Annotated speeches (gold) and the matching rules of shared/eval/score.py, in pure Python.

Used by the trainer (labels, leave-one-document-out scores) and by the regression tests.
A manifest is a JSON list of {"doc", "text", "date", "gold"} with paths relative to it.  Where a
relative text path does not exist (a git worktree sits one level deeper than the checkout the
paths were written for), the text is looked up by file name in the shared corpus.
"""
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WS = re.compile(r"\s+")
OWNER_AFFIX = re.compile(r"^(?:县|市|区|州|省|全县|全市)|(?:同志|等部门|等单位|部门|单位)$")


def strip(s):
    return WS.sub("", s or "")


def find_corpus():
    """shared/corpus: $TRACKER_CORPUS, else the first ancestor of the repository holding shared/corpus."""
    env = os.environ.get("TRACKER_CORPUS")
    if env:
        p = Path(env)
        return p if (p / "manifest.json").exists() else None
    for parent in REPO.parents:
        p = parent / "shared" / "corpus"
        if (p / "manifest.json").exists():
            return p
    return None


def default_manifests():
    """The shared corpus manifest (seed + c21–c37) and tests/gold (c01–c19), those that exist."""
    out = []
    corpus = find_corpus()
    if corpus is not None:
        out.append(corpus / "manifest.json")
    tg = REPO / "tests" / "gold" / "manifest.json"
    if tg.exists():
        out.append(tg)
    return out


@dataclass
class GoldDoc:
    doc: str
    text: str
    date: date
    gold: list = field(default_factory=list)
    source: str = ""      # the manifest the document comes from


def load_manifest(path):
    path = Path(path)
    corpus = find_corpus()
    docs = []
    for m in json.loads(path.read_text(encoding="utf-8")):
        tp = path.parent / m["text"]
        if not tp.exists() and corpus is not None:
            tp = corpus / "texts" / Path(m["text"]).name
        gp = path.parent / m["gold"]
        if not tp.exists() or not gp.exists():
            continue
        gold = [json.loads(line) for line in gp.read_text(encoding="utf-8").splitlines() if line.strip()]
        docs.append(GoldDoc(m["doc"], tp.read_text(encoding="utf-8"), date.fromisoformat(m["date"]), gold, str(path)))
    return docs


def load_docs(manifests=None):
    docs, seen = [], set()
    for mf in (manifests or default_manifests()):
        for d in load_manifest(mf):
            if d.doc not in seen:
                seen.add(d.doc)
                docs.append(d)
    return docs


def locate(doc, piece):
    """Span of piece in doc (both whitespace-free), the first one; None if absent."""
    if not piece:
        return None
    i = doc.find(piece)
    return None if i < 0 else (i, i + len(piece))


def matches(gspans, sspans):
    """score.py's one-to-one matching: overlap ≥ half the shorter span, largest overlap first."""
    pairs = []
    for gi, g in enumerate(gspans):
        if g is None:
            continue
        for si, s in enumerate(sspans):
            if s is None:
                continue
            ov = min(g[1], s[1]) - max(g[0], s[0])
            if ov > 0 and ov * 2 >= min(g[1] - g[0], s[1] - s[0]):
                pairs.append((ov, gi, si))
    pairs.sort(reverse=True)
    gu, su, out = set(), set(), []
    for ov, gi, si in pairs:
        if gi in gu or si in su:
            continue
        gu.add(gi)
        su.add(si)
        out.append((gi, si))
    return out


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


COUNTS = ("gold", "sys", "tp", "dl_n", "dl_ok", "dd_n", "dd_ok", "own_tp", "own_gold", "own_sys",
          "rec_n", "rec_ok", "tgt_n", "tgt_ok")


def score_doc(text, gold, sysd):
    """Counts for one document (the fields score.py sums), plus the unmatched items."""
    doc = strip(text)
    gs = [locate(doc, strip(g["quote"])) for g in gold]
    ss = [locate(doc, strip(s["text"])) for s in sysd]
    r = dict.fromkeys(COUNTS, 0)
    r["gold"], r["sys"] = len(gold), len(sysd)
    pairs = matches(gs, ss)
    for gi, si in pairs:
        g, s = gold[gi], sysd[si]
        r["tp"] += 1
        ok = str(g.get("deadline")) == str(s.get("deadline"))
        r["dl_n"] += 1
        r["dl_ok"] += ok
        if g.get("deadline") and re.match(r"\d{4}-", str(g["deadline"])):
            r["dd_n"] += 1
            r["dd_ok"] += ok
        so = s.get("owners") or []
        r["own_gold"] += len(g["owners"])
        r["own_sys"] += len(so)
        r["own_tp"] += sum(1 for o in g["owners"] if owner_match(o, so))
        r["rec_n"] += 1
        r["rec_ok"] += (g.get("recurrence") or None) == (s.get("recurrence") or None)
        if g.get("target"):
            r["tgt_n"] += 1
            st, gt = strip(s.get("target") or ""), strip(g["target"])
            r["tgt_ok"] += bool(st) and (gt in st or st in gt)
    gu = {gi for gi, _ in pairs}
    su = {si for _, si in pairs}
    r["misses"] = [gold[i] for i in range(len(gold)) if i not in gu]
    r["false"] = [sysd[i] for i in range(len(sysd)) if i not in su]
    r["pairs"] = [(gold[gi], sysd[si]) for gi, si in pairs]
    return r


def f1(tp, ns, ng):
    p = tp / ns if ns else 0.0
    r = tp / ng if ng else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def summary(tot):
    """Headline figures from summed counts (score.py's names)."""
    p, r, f = f1(tot["tp"], tot["sys"], tot["gold"])
    op, orr, of = f1(tot["own_tp"], tot["own_sys"], tot["own_gold"])
    div = lambda a, b: (a / b if b else None)  # noqa: E731
    return {"gold": tot["gold"], "sys": tot["sys"], "tp": tot["tp"], "precision": p, "recall": r, "f1": f,
            "owner_f1": of, "deadline_acc": div(tot["dl_ok"], tot["dl_n"]),
            "dated_deadline_acc": div(tot["dd_ok"], tot["dd_n"]), "recurrence_acc": div(tot["rec_ok"], tot["rec_n"]),
            "target_acc": div(tot["tgt_ok"], tot["tgt_n"])}


def add(tot, r):
    for k in COUNTS:
        tot[k] = tot.get(k, 0) + r[k]
    return tot
