"""The compiled-regex cache (tasks/extraction/recache.py) gives exactly re.compile's patterns."""
import re

import pytest

from tasks.extraction import recache
from tasks.extraction.deadline import DEADLINE_RE

PATTERNS = [
    (r"(?P<year>\d{4})年(?P<m>\d{1,2})月", 0),
    (r"[\u4e00-\u9fff]{2,4}(?:局|委|办)(?=[、，])", 0),
    (r"(?=[今明])(?:今年 | 明年)  # verbose", re.X),
    (r"abc", re.I),
]


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty cache file in tmp_path, as a new process sees it."""
    monkeypatch.setattr(recache, "_PATH", tmp_path / "regex.marshal")
    monkeypatch.setattr(recache, "_ENABLED", True)
    monkeypatch.setattr(recache, "_stored", None)
    monkeypatch.setattr(recache, "_new", {})
    monkeypatch.setattr(recache, "_used", set())
    monkeypatch.setattr(recache, "_can_write", None)
    return tmp_path / "regex.marshal"


def _new_process(monkeypatch):
    monkeypatch.setattr(recache, "_stored", None)
    monkeypatch.setattr(recache, "_new", {})
    monkeypatch.setattr(recache, "_used", set())


def test_patterns_from_the_cache_equal_re_compile(fresh, monkeypatch):
    first = [recache.rx(p, f) for p, f in PATTERNS + [(DEADLINE_RE.pattern, DEADLINE_RE.flags)]]
    recache.save()
    assert fresh.exists()
    _new_process(monkeypatch)
    again = [recache.rx(p, f) for p, f in PATTERNS + [(DEADLINE_RE.pattern, DEADLINE_RE.flags)]]
    assert recache._used and not recache._new          # every pattern came from the file
    for a, b, (p, f) in zip(first, again, PATTERNS + [(DEADLINE_RE.pattern, DEADLINE_RE.flags)]):
        assert a == b == re.compile(p, f)
        assert b.groupindex == re.compile(p, f).groupindex
    m = again[0].search("在2024年6月底前")
    assert (m.group("year"), m.group("m")) == ("2024", "6")


@pytest.mark.parametrize("content", [b"", b"not marshal", b"\xe9\x00\x00\x00"])
def test_an_unreadable_cache_falls_back_to_re_compile(fresh, monkeypatch, content):
    fresh.write_bytes(content)
    assert recache.rx(*PATTERNS[0]) == re.compile(*PATTERNS[0])


def test_a_corrupt_entry_falls_back_to_re_compile(fresh, monkeypatch):
    p, f = PATTERNS[0]
    recache._stored = {(p, f): (f, b"\x01\x02\x03\x04", 0, {}, (None,))}
    assert recache.rx(p, f) == re.compile(p, f)


def test_disabled_cache_writes_nothing(fresh, monkeypatch):
    monkeypatch.setattr(recache, "_ENABLED", False)
    assert recache.rx(*PATTERNS[1]) == re.compile(*PATTERNS[1])
    recache.save()
    assert not fresh.exists()


def test_a_read_only_place_compiles_once_and_writes_nothing(fresh, monkeypatch):
    monkeypatch.setattr(recache, "_can_write", False)
    assert recache.rx(*PATTERNS[0]) == re.compile(*PATTERNS[0])
    assert not recache._new
    recache.save()
    assert not fresh.exists()
