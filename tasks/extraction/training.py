"""Train the decision layer (model.py) from the gold, with leave-one-document-out scores.

Pure Python (no Django, no numpy): every candidate clause of every annotated speech is labelled
by score.py's matching rule (it is a directive when it is matched one-to-one to a gold quote),
identical feature vectors are pooled with their counts, and an L2-regularised logistic
regression is fitted by Newton's method (a few dozen features, so the Hessian is small).
Deterministic: same gold, same features → same weights file, byte for byte.

Leave-one-document-out (LODO): for every document, weights are fitted on all the other
documents and only then is that document scored.  The shipped threshold is the one that gives
the best recall at a precision of at least ``MIN_PRECISION`` on the pooled LODO decisions.
"""
import json
import math
from dataclasses import dataclass
from pathlib import Path

from .directory import default_directory
from .engine import DIRECTIVE_KEYS, candidates
from .gold import add, load_docs, locate, matches, score_doc, strip, summary
from .model import WEIGHTS_PATH, Model

L2 = 10.0                  # strong shrinkage: the rules verdict stays the main evidence, features adjust it
MIN_PRECISION = 0.85       # the target: recall ≥ 0.85 with precision ≥ 0.85 (staff review every proposal)
MIN_COUNT = 3              # a feature seen on fewer candidates than this gets no weight


@dataclass
class DocData:
    doc: str
    text: str
    gold: list
    cands: list      # candidate dicts (engine.candidates)
    labels: list     # 1 when the candidate is matched to a gold directive
    source: str = ""


def build(docs=None, directory=None):
    directory = directory or default_directory()
    out = []
    for d in (docs if docs is not None else load_docs()):
        cands = list(candidates(d.text, d.date, directory))
        flat = strip(d.text)
        gs = [locate(flat, strip(g["quote"])) for g in d.gold]
        ss = [locate(flat, strip(c["text"])) for c in cands]
        labels = [0] * len(cands)
        for _, si in matches(gs, ss):
            labels[si] = 1
        out.append(DocData(d.doc, d.text, d.gold, cands, labels, d.source))
    return out


def _pool(data, skip=None):
    """{feature tuple: [positives, negatives]} over the documents, except ``skip``."""
    pooled = {}
    for dd in data:
        if dd.doc == skip:
            continue
        for c, y in zip(dd.cands, dd.labels):
            key = tuple(sorted(c["feats"]))
            cell = pooled.setdefault(key, [0, 0])
            cell[0 if y else 1] += 1
    return pooled


def _solve(a, b):
    """Solve a x = b for a symmetric positive definite a (Cholesky), lists of floats."""
    n = len(b)
    low = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            s = a[i][j] - sum(low[i][k] * low[j][k] for k in range(j))
            if i == j:
                low[i][i] = math.sqrt(max(s, 1e-12))
            else:
                low[i][j] = s / low[j][j]
    y = [0.0] * n
    for i in range(n):
        y[i] = (b[i] - sum(low[i][k] * y[k] for k in range(i))) / low[i][i]
    x = [0.0] * n
    for i in reversed(range(n)):
        x[i] = (y[i] - sum(low[k][i] * x[k] for k in range(i + 1, n))) / low[i][i]
    return x


def fit(pooled, l2=L2, iters=25, init=None):
    """Newton's method on the pooled rows; returns a Model (threshold 0.5)."""
    counts = {}
    for key, (pos, neg) in pooled.items():
        for k in key:
            counts[k] = counts.get(k, 0) + pos + neg
    names = sorted(k for k, n in counts.items() if n >= MIN_COUNT)
    index = {k: i + 1 for i, k in enumerate(names)}          # 0 is the bias
    rows = [([0] + [index[k] for k in key if k in index], pos, neg) for key, (pos, neg) in sorted(pooled.items())]
    n = len(names) + 1
    w = [0.0] * n
    if init is not None:
        w[0] = init.bias
        for k, i in index.items():
            w[i] = init.weights.get(k, 0.0)
    for _ in range(iters):
        grad = [l2 * w[i] if i else 0.0 for i in range(n)]
        hess = [[0.0] * n for _ in range(n)]
        for i in range(1, n):
            hess[i][i] = l2
        hess[0][0] = 1e-6
        for idx, pos, neg in rows:
            z = sum(w[i] for i in idx)
            p = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
            g = (pos + neg) * p - pos
            h = (pos + neg) * p * (1.0 - p)
            for a in idx:
                grad[a] += g
                ha = hess[a]
                for b in idx:
                    if b <= a:
                        ha[b] += h
        for a in range(n):
            for b in range(a):
                hess[b][a] = hess[a][b]
        step = _solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return Model({k: round(w[i], 6) for k, i in index.items()}, round(w[0], 6), 0.5)


def decide(dd, model, threshold):
    out = []
    for c in dd.cands:
        p = model.prob(c["feats"])
        if p >= threshold:
            d = {k: c[k] for k in DIRECTIVE_KEYS}
            d["confidence"] = round(p, 2)
            out.append(d)
    return out


def rules_only(dd):
    return [{**{k: c[k] for k in DIRECTIVE_KEYS}, "confidence": c["rule_conf"]} for c in dd.cands if c["rule"]]


def lodo_probs(data, full=None):
    """{doc: [probability of each candidate]} with weights that never saw that doc."""
    full = full or fit(_pool(data))
    probs = {}
    for dd in data:
        m = fit(_pool(data, skip=dd.doc), init=full)
        probs[dd.doc] = [m.prob(c["feats"]) for c in dd.cands]
    return probs


def _outputs(data, probs, threshold):
    return {dd.doc: [{**{k: c[k] for k in DIRECTIVE_KEYS}, "confidence": round(p, 2)}
                     for c, p in zip(dd.cands, probs[dd.doc]) if p >= threshold] for dd in data}


def pick_threshold(data, probs, min_precision=MIN_PRECISION):
    """The threshold (0.05 … 0.95) with the best recall whose pooled precision, scored like score.py, is at
    least ``min_precision``; the best F1 when none reaches it.  Ties go to the higher threshold."""
    best, best_f1 = None, (-1.0, 0.5)
    for i in range(5, 96):
        t = i / 100
        _, s = evaluate(data, _outputs(data, probs, t))
        if s["f1"] >= best_f1[0]:
            best_f1 = (s["f1"], t)
        if s["precision"] >= min_precision and (best is None or s["recall"] >= best[0]):
            best = (s["recall"], t)
    return best[1] if best is not None else best_f1[1]


def evaluate(data, outputs):
    """Per-document and overall score.py figures of {doc: [directives]}: ([(doc, figures, counts)], figures)."""
    per, tot = [], {}
    for dd in data:
        r = score_doc(dd.text, dd.gold, outputs[dd.doc])
        add(tot, r)
        per.append((dd.doc, summary(r), add({}, r)))
    return per, summary(tot)


def train(manifests=None, lodo=True, min_precision=MIN_PRECISION, path=WEIGHTS_PATH, log=print):
    """Fit the shipped weights on all the gold; with ``lodo`` also the leave-one-document-out report.

    Returns {"model", "lodo": (per, overall), "rules": (per, overall), "in_sample": (per, overall)}.
    """
    docs = load_docs(manifests)
    data = build(docs)
    full = fit(_pool(data))
    result = {}
    if lodo:
        probs = lodo_probs(data, full)
        thr = pick_threshold(data, probs, min_precision)
        result["lodo"] = evaluate(data, _outputs(data, probs, thr))
    else:
        thr = 0.5
    full.threshold = thr
    full.meta = {"trained_on": sorted(dd.doc for dd in data), "candidates": sum(len(dd.cands) for dd in data),
                 "min_precision": min_precision, "l2": L2}
    result["model"] = full
    result["rules"] = evaluate(data, {dd.doc: rules_only(dd) for dd in data})
    result["in_sample"] = evaluate(data, {dd.doc: decide(dd, full, thr) for dd in data})
    result["data"] = data
    if path is not None:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(full.as_json(), f, ensure_ascii=False, indent=1, sort_keys=True)
            f.write("\n")
    return result


def _part(source):
    return "c01–c19 (tests/gold)" if "tests" in Path(source).parts else "shared corpus (seed, c21–c37)"


def format_report(result, data=None):
    """Markdown: the overall figures (LODO, plain rules, in-sample; all and by corpus part) and the
    per-document LODO figures with the plain rules next to them."""
    cell = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731

    def figs(s):
        return (f"{s['gold']} | {s['sys']} | {s['tp']} | {cell(s['precision'])} | {cell(s['recall'])} | "
                f"{cell(s['f1'])} | {cell(s['owner_f1'])} | {cell(s['dated_deadline_acc'])} | {cell(s['target_acc'])}")

    parts = {dd.doc: _part(dd.source) for dd in data} if data else {}
    lines = ["| run | documents | gold | sys | tp | P | R | F1 | owner F1 | dated deadline | target |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    names = (("lodo", "**leave-one-document-out**"), ("rules", "plain rules"), ("in_sample", "in-sample (weights saw all)"))
    for key, title in names:
        if key not in result:
            continue
        per, overall = result[key]
        lines.append(f"| {title} | all {len(per)} | {figs(overall)} |")
        for part in sorted(set(parts.values())):
            tot = {}
            for doc, _, counts in per:
                if parts.get(doc) == part:
                    add(tot, counts)
            if tot:
                n = sum(1 for doc, _, _ in per if parts.get(doc) == part)
                lines.append(f"| {title} | {part}: {n} | {figs(summary(tot))} |")
    m = result["model"]
    lines += ["", f"Threshold {m.threshold} (best recall at pooled LODO precision ≥ {m.meta.get('min_precision')}), "
              f"{len(m.weights)} features with a weight, {m.meta.get('candidates')} candidates.", ""]
    if "lodo" in result:
        rules = {doc: s for doc, s, _ in result["rules"][0]}
        lines += ["| doc | gold | LODO sys | tp | P | R | F1 | owner F1 | dated deadline | target | rules P | rules R | rules F1 |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for doc, s, _ in result["lodo"][0]:
            r = rules[doc]
            lines.append(f"| {doc} | {figs(s)} | {cell(r['precision'])} | {cell(r['recall'])} | {cell(r['f1'])} |")
    return "\n".join(lines)
