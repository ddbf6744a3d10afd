"""The learned decision layer: a logistic regression over the clause features (features.py).

``weights.json`` (next to this file) holds {"bias", "weights": {feature: weight}, "threshold",
"trained_on", …}; it is rebuilt by ``python manage.py train_extractor`` (training.py).  When the
file is missing the engine falls back to the plain rules.
"""
import json
import math
from pathlib import Path

WEIGHTS_PATH = Path(__file__).resolve().parent / "weights.json"


class Model:
    def __init__(self, weights, bias=0.0, threshold=0.5, meta=None):
        self.weights = dict(weights)
        self.bias = bias
        self.threshold = threshold
        self.meta = meta or {}

    def score(self, feats):
        w = self.weights
        return self.bias + sum(w.get(k, 0.0) * v for k, v in feats.items())

    def prob(self, feats):
        z = self.score(feats)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def as_json(self):
        return {"bias": self.bias, "threshold": self.threshold, **self.meta,
                "weights": {k: self.weights[k] for k in sorted(self.weights)}}

    @classmethod
    def from_json(cls, data):
        meta = {k: v for k, v in data.items() if k not in ("bias", "threshold", "weights")}
        return cls(data["weights"], data.get("bias", 0.0), data.get("threshold", 0.5), meta)

    @classmethod
    def load(cls, path=WEIGHTS_PATH):
        with open(path, encoding="utf-8") as f:
            return cls.from_json(json.load(f))


_default = None


def default_model():
    """The shipped weights, or False (plain rules) when there is no weights file."""
    global _default
    if _default is None:
        _default = Model.load() if WEIGHTS_PATH.exists() else False
    return _default
