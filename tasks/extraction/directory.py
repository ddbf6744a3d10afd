"""The unit directory: canonical names, abbreviations and aliases -> unit.

Lookup is by longest match from a given position, through a character trie compiled
into one regular expression (linear time, no per-alias scan).
"""
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ExtractionError
from .recache import rx

KINDS = {"department", "township", "group", "enterprise", "other"}
DEFAULT_UNITS_PATH = Path(__file__).resolve().parent.parent.parent / "accounts" / "data" / "default_units.json"


@dataclass
class Unit:
    id: int | None
    name: str
    short_name: str | None
    aliases: list
    kind: str
    parent: str | None = None


def trie_regex(words):
    """A regex source matching any of ``words``, longest first, built from a character trie."""
    trie = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node):
        end = "" in node
        alts = []
        for ch in sorted(k for k in node if k):
            alts.append(re.escape(ch) + build(node[ch]))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            body = "(?:" + body + ")?"
        return body

    src = build(trie)
    return src


@dataclass
class Directory:
    units: list = field(default_factory=list)

    def __post_init__(self):
        self._by_alias = {}
        for u in self.units:
            for a in {u.name, u.short_name, *u.aliases} - {None, ""}:
                a = a.strip()
                other = self._by_alias.get(a)
                if other is not None and other is not u:
                    raise ExtractionError(f"单位目录有误：别名“{a}”同时属于“{other.name}”和“{u.name}”。", "directory")
                self._by_alias[a] = u
        self._re = rx(trie_regex(sorted(self._by_alias))) if self._by_alias else None
        self._group_by_name = {u.name: u for u in self.units if u.kind == "group"}
        self.level = self._own_level()

    def _own_level(self):
        """The administrative level of the directory (县, 区, 市, 州, 省): the commonest first
        character of its department names; 县 for an empty directory."""
        counts = {}
        for u in self.units:
            if u.kind != "township" and u.name[:1] in "县区市州省":
                counts[u.name[0]] = counts.get(u.name[0], 0) + 1
        return max(sorted(counts), key=lambda k: counts[k]) if counts else "县"

    @classmethod
    def from_entries(cls, entries):
        units = []
        for e in entries:
            name = (e.get("name") or "").strip()
            if not name:
                raise ExtractionError("单位目录有误：存在没有名称的单位。", "directory")
            kind = e.get("kind") or "department"
            if kind not in KINDS:
                kind = "other"
            units.append(Unit(id=e.get("id"), name=name, short_name=(e.get("short_name") or None),
                              aliases=[a for a in (e.get("aliases") or []) if a and a.strip()],
                              kind=kind, parent=e.get("parent")))
        return cls(units)

    @classmethod
    def from_json_file(cls, path):
        try:
            with open(path, encoding="utf-8") as f:
                entries = json.load(f)
        except (OSError, ValueError):
            raise ExtractionError(f"无法读取单位目录文件：{path}", "directory")
        return cls.from_entries(entries)

    def __len__(self):
        return len(self.units)

    def lookup(self, alias):
        return self._by_alias.get(alias)

    def match_at(self, text, pos):
        """Longest alias starting at ``pos``: (end, unit) or None."""
        if self._re is None:
            return None
        m = self._re.match(text, pos)
        if not m or m.end() == pos:
            return None
        # the trie regex is greedy per branch; make sure the match is a whole alias
        end = m.end()
        while end > pos and text[pos:end] not in self._by_alias:
            end -= 1
        if end == pos:
            return None
        return end, self._by_alias[text[pos:end]]

    def group_of(self, unit):
        """The directory group a unit belongs to (by parent name), if any."""
        if unit and unit.parent:
            return self._group_by_name.get(unit.parent)
        return None


_default = None


def default_directory():
    global _default
    if _default is None:
        _default = Directory.from_json_file(DEFAULT_UNITS_PATH)
    return _default
