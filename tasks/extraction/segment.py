"""Stage 3: normalised text -> sentences with their heading path.

Headings: 一、 / （一） / 1. / （1）.  A heading line carries its title up to the first 。
(the rest of the line is body).  Inline list items 一是/二是, 一要/二要, 第一，/第二，, 首先/其次
start a new unit.  Sentences end at 。！？；!? (a closing quote stays with its sentence) or
at a line break.  A sentence ending in ： is a lead-in whose owner carries to the items after it.
"""
import re
from dataclasses import dataclass

from .recache import rx

CN = "一二三四五六七八九十"
H1 = rx(rf"[{CN}]{{1,3}}、")
H2 = rx(rf"[（(][{CN}]{{1,3}}[)）]")
H3 = rx(r"(?:\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[)）])")
ITEM = rx(rf"(?=[①-⑳❶-❿⑴-⒇{CN}第首其再最（(\d])(?:[①-⑳❶-❿⑴-⒇]|(?:(?<=[：:。；;！？，,\n])|^)(?:[{CN}]{{1,2}}(?:是|要)|第[{CN}]{{1,2}}[，,、：]|首先[，,]|其次[，,]|再次[，,]|最后[，,]|[（(]\d{{1,2}}[)）]|\d{{1,2}}[.．、](?!\d)))")
SENT_END = rx(r"[。！？；!?;]+[”’」』）)]*|[：:](?=[^”]|$)")
HEAD_MAX = 48
ANNOUNCED = rx(r"项|点|方面|工作|任务|意见|要求")   # what such a sentence ends with
# a sentence announcing the list that follows ("要重点抓好以下几项工作。", "我讲三个方面的意见。")
LIST_ANNOUNCE = rx(r"(?:以下|如下|下面)[^，。；]{0,8}(?:几项|几点|几个方面|工作|任务|意见|要求)[。：:]?$|"
                           r"(?:抓好|做好|讲|强调|提)[^，。；]{0,4}[几一二三四五六七八九十两](?:项|点|个方面)[^，。；]{0,6}[。：:]?$")


def _announces(piece):
    return ANNOUNCED.search(piece, max(0, len(piece) - 12)) is not None and LIST_ANNOUNCE.search(piece) is not None


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    section: str | None
    para: int
    heading: bool = False
    leadin: bool = False
    item: bool = False
    title: bool = False
    level: int = 0


def _heading_level(line):
    if H1.match(line):
        return 1
    if H2.match(line):
        return 2
    if H3.match(line):
        return 3
    return 0


def segment(text):
    out = []
    stack = {}
    pos = 0
    para = 0
    seen_body = False
    for line in text.split("\n"):
        lstart = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        para += 1
        level = _heading_level(line)
        body_from = 0
        if level:
            m = re.search(r"[。！？!?]", line)
            if m and m.start() <= HEAD_MAX:
                htext, body_from = line[:m.start()], m.end()
            elif not m and len(line) <= 80 and not re.search(r"[；;]", line):
                htext, body_from = line, len(line)
            else:
                # a long numbered paragraph: its first clause names the item
                m2 = re.search(r"[，,：:]", line)
                htext = line[:m2.start()] if m2 and m2.start() <= HEAD_MAX else None
                body_from = 0
            if htext:
                stack = {k: v for k, v in stack.items() if k < level}
                stack[level] = htext.strip().rstrip("。：:")
            section = " / ".join(stack[k] for k in sorted(stack)) or None
            if body_from:
                out.append(Sentence(lstart, lstart + body_from, line[:body_from], section, para, heading=True, level=level))
        section = " / ".join(stack[k] for k in sorted(stack)) or None
        if not level and not seen_body and not SENT_END.search(line) and len(line) <= 80:
            out.append(Sentence(lstart, lstart + len(line), line, None, para, title=True))
            continue
        body = line[body_from:]
        boff = lstart + body_from
        if not body.strip():
            continue
        seen_body = True
        # cut points: sentence ends and inline list items
        cuts = set()
        for m in SENT_END.finditer(body):
            cuts.add(m.end())
        for m in ITEM.finditer(body):
            if m.start() > 0:
                cuts.add(m.start())
        cuts = sorted(c for c in cuts if 0 < c < len(body))
        prev = 0
        for c in cuts + [len(body)]:
            piece = body[prev:c]
            st = prev
            prev = c
            # trim whitespace
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if not piece:
                continue
            s0 = boff + st + lead
            out.append(Sentence(s0, s0 + len(piece), piece, section, para,
                                leadin=piece.endswith(("：", ":")) or _announces(piece),
                                item=bool(ITEM.match(piece))))
    return out
