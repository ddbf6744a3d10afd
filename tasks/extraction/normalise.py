"""Stage 2: undo PDF/Word layout damage while keeping a map back to the source.

* a line broken mid-sentence is joined to the next one, across blank lines;
* a page number alone on a line ("3", "- 3 -", "第3页", "3/12") is dropped;
* whitespace next to a Chinese character or Chinese punctuation ("XX 市", "分析 会上") is removed;
* every other line break (after 。！？；：, after a heading, before a heading or list item) is kept as "\\n".

``Normalised.to_src(i)`` maps an offset in the normalised text to the decoded source text.
"""
import bisect
from dataclasses import dataclass, field

from .recache import rx

PAGE_NO = rx(r"^\s*(?:[-—–－·•]?\s*\d{1,4}\s*[-—–－·•]?|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$")
CJKP = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\u2018-\u201d\u2014\u2026"
# (the leading look-ahead lets every position that is not a blank fail at once)
INNER_WS = rx(rf"(?=[ \t\u3000\xa0])(?:(?<=[{CJKP}])[ \t\u3000\xa0]+|[ \t\u3000\xa0]+(?=[{CJKP}]))")
TERMINAL = rx(r"(?:[。！？；：!?;:…]|[。！？!?][”’」』）)])\s*$")
CN_NUM = "一二三四五六七八九十"
HEAD_START = rx(
    rf"^\s*(?:[①-⑳❶-❿⑴-⒇]|[{CN_NUM}]{{1,3}}[、．.]|[（(][{CN_NUM}\d]{{1,3}}[)）]|\d{{1,2}}[、．.](?!\d)|第[{CN_NUM}]{{1,3}}[，,、是部分条]|[{CN_NUM}]{{1,2}}(?:是|要|抓|则)|——|[一二三四五六七八九十]+、)")
HEADING_LINE = rx(rf"^\s*(?:[{CN_NUM}]{{1,3}}、|[（(][{CN_NUM}\d]{{1,3}}[)）]|\d{{1,2}}[、．.](?!\d))[^。！？；]{{0,60}}$")


SALUTE = rx(r"^(?:各位[^，。]{0,12}|同志们|尊敬的[^，。]{0,20})[：:，,]")
TITLE_END = rx(r"^.{0,70}(?:讲话|发言|报告|致辞|讲话稿|（[^）]{0,12}[年月日稿]）)$")


@dataclass
class Normalised:
    text: str
    norm_starts: list = field(default_factory=list)
    src_starts: list = field(default_factory=list)

    def to_src(self, i):
        k = bisect.bisect_right(self.norm_starts, i) - 1
        if k < 0:
            return i
        return self.src_starts[k] + (i - self.norm_starts[k])

    def span_to_src(self, start, end):
        if end <= start:
            s = self.to_src(start)
            return s, s
        return self.to_src(start), self.to_src(end - 1) + 1


def normalise(text):
    out = []          # pieces of normalised text
    norm_starts = []
    src_starts = []
    n = 0

    def emit(piece, src):
        nonlocal n
        if not piece:
            return
        out.append(piece)
        norm_starts.append(n)
        src_starts.append(src)
        n += len(piece)

    lines = []
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, raw))
        pos += len(raw) + 1

    prev_line = None   # text of the previous kept non-blank line
    prev_nl = 0        # source offset of the newline after it
    for start, raw in lines:
        if not raw.strip() or PAGE_NO.match(raw):
            continue
        # strip the line, remembering the offset
        lstrip = len(raw) - len(raw.lstrip())
        body = raw.strip()
        bstart = start + lstrip
        if prev_line is not None:
            hard = (TERMINAL.search(prev_line) is not None or HEAD_START.match(body) is not None
                    or HEADING_LINE.match(prev_line) is not None or SALUTE.match(body) is not None
                    or prev_line.startswith(("——", "—")) or TITLE_END.search(prev_line) is not None)
            if hard:
                emit("\n", prev_nl)
        # remove whitespace inside the line next to Chinese text
        last = 0
        for m in INNER_WS.finditer(body):
            emit(body[last:m.start()], bstart + last)
            last = m.end()
        emit(body[last:], bstart + last)
        prev_line = body
        prev_nl = bstart + len(body)
        if prev_nl >= len(text):
            prev_nl = len(text) - 1
    return Normalised("".join(out), norm_starts, src_starts)
