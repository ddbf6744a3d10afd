"""Deadlines and recurrence (GUIDELINE "deadline" rules).

``find_deadlines(text)`` yields every time-limit phrase in a clause;
``resolve_deadline(phrase, ref, events)`` turns one phrase into an ISO date or
"asap" / "event" / "unresolved" / None;  ``find_recurrence(text)`` gives the cadence.
"""
import calendar
import re
from datetime import date, timedelta

from .recache import rx

CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
            "六": 6, "七": 7, "八": 8, "九": 9}
CNN = "〇零○一二两三四五六七八九十"
ANON = "X×xＸ*＊某"
NUM = rf"(?:\d{{1,2}}|[{CNN}]{{1,3}}|[{ANON}]{{1,2}})"
YEAR = rf"(?:(?:19|20)\d\d|(?:20)?[{ANON}]{{2}}|[〇零○一二三四五六七八九]{{4}}|[今明本当]|这一?)年度?"
EVENT_WORDS = ("供暖季|供暖期|采暖季|主汛期|汛期|汛前|雨季|旱季|春节|元旦|国庆|中秋|端午|清明|五一|十一|开学|秋季开学|春季开学|"
               "春耕|秋收|三夏|夏收|麦收|冬季|冬春|农忙|两会|党代会|人代会|博览会|交易会|迎检|小长假|长假|"
               "闭库|封冻期|封冻|上冻|国检|普查")

# One alternation, longest/most specific forms first.
_P = rf"""
(?P<recur>(?:从{NUM}月份?(?:起|开始)[，,]?)?每(?:个)?(?:月|季度?|年|周|旬)(?:的)?(?:{NUM}[日号]|底|末|初|上旬|中旬|下旬|最后一天|第一周|周?[一二三四五六日天](?![^，。；]{{0,2}}[次督通报考调]))(?:前|之前|以前)?)
|(?P<md>(?<![\d.—\-－~至到每个几数半岁正前第])(?:{YEAR})?(?:{NUM}月份?)(?!一[次督通报考调]|度|薪|票|光|饼|亮|球|子|刊)(?:{NUM}[日号])?(?:(?:至|到|—|－|-|~|～)(?:{NUM}月份?)?{NUM}[日号])?(?:(?<=[月份])(?:底|末|初|中上旬|上中旬|中下旬|上旬|中旬|下旬|中(?![央国心])))?(?:、{NUM}月份?(?!{NUM}[日号]))*(?:前|之前|以前|为止|内|以内|之内|左右)?)
|(?P<dayonly>(?:本月|这个月|当月|下个?月|(?<![\d月.]))(?:\d{{1,2}}|[一二三四五六七八九十]{{1,3}}|[{ANON}]{{1,2}})[日号](?:之前|前|以前|为止))
|(?P<quarter>(?<![前后每按个])(?:{YEAR})?(?:第?[一二三四1-4１-４{ANON}](?:、第?[一二三四1-4])?季度|下半年第[一二三四]季度|首季度?)(?:末|底)?(?:前|之前|以前|内)?)
|(?P<half>(?:{YEAR})?[上下]半年(?:末|底)?(?:前|之前|以前|内)?)
|(?P<yearend>(?:{YEAR})?(?:年底|年末|年内|年终|全年)(?:前|之前|以前|内)?|今年|明年|年度(?![一二三四]季|\d季)|(?:{YEAR})(?:底|末)?(?:前|以前|之前|内)?(?![一二三四五六七八九十\d前]|季|个|半)|(?<![\d{ANON}])[{ANON}]{{1,4}}年(?![一二三四五六七八九十\d前]|季|个|半))
|(?P<rel>(?<![\d一二三四五六七八九十XＸ*＊])月[底末](?:前|之前|以前)?|(?:约|大约)?(?:{NUM}|\d+)个月的时间|(?:约|大约)(?:{NUM}|\d+)个月|本周内?|这周|下周|下个?星期|本月(?:内|底|末)?|剩下的?(?:\d+|[一二三四五六七八九十]+)天|这个月(?:底|内|末)?|当月|下个?月(?:底|末|内)?|(?:{NUM}|\d+)(?:个工作日|天|日|周|个星期|个?月)内|后几个月|剩下的?几个月|余下的?几个月)
|(?P<multi>[“"]?十[一二三四五六七八九]五[”"]?(?:期间|时期|末期?|初期|前期|中期|期末)|[一二三四五六七八九十两\d]+(?:到|至|—|-)[一二三四五六七八九十\d]+年(?:内|之内|以内|时间)?|(?<![\d])[二三四五六七八九十两\d]年(?:内|之内|以内|时间))
|(?P<event>(?:今冬|今年冬季?|明年|今年|年前)?[“"]?(?:{EVENT_WORDS})[”"]?(?:节|季|期)?(?:到来|来临|开始)?(?:之?前|以前|期间|过后|之后)|即将(?:举行|召开|到来|开始|来临)|小长假|黄金周)
|(?P<asap>尽快|尽早|立即|立刻|马上|即刻|迅速|抓紧时间|抓紧|今天会后|今天的会议之后|会后|近期|第一时间|早日|限期|争分夺秒|分秒必争|刻不容缓|只争朝夕)
"""
# every alternative starts with one of these characters: a cheap first test at each position …
_FIRST = "\\d０-９" + ANON + CNN + "今明本当这首剩后余尽立马即近早限从每约"
# … or with a character common in any text that only starts these forms, then one of their second
# characters (全年, 会后, 抓紧, 上半年/上冻, 下半年/下周/下个月, 年底…, 第一时间/第三季度, 月底, “春节前”) …
_EVENT_FIRST = "".join(sorted({w[0] for w in EVENT_WORDS.split("|")}))
_SECOND = {"全": "年", "会": "后", "抓": "紧", "上": "半冻", "下": "半个月周星", "年": "底末内终度前",
           "第": "一二三四1234１２３４" + ANON, "月": "底末", "“": _EVENT_FIRST + "十", "\"": _EVENT_FIRST + "十"}
# … or is a literal word whose first character is common (大 of 大约, 中 of 中秋, 开 of 开学): that word's second character
_WORDS = EVENT_WORDS.split("|") + ["大约", "迅速", "争分夺秒", "分秒必争", "刻不容缓", "只争朝夕", "小长假", "黄金周"]
for _w in _WORDS:
    if not re.match(f"[{_FIRST}]", _w):
        _SECOND[_w[0]] = _SECOND.get(_w[0], "") + _w[1]
DEADLINE_RE = rx(rf"(?=[{_FIRST}]|[{''.join(sorted(_SECOND))}][{''.join(sorted(set(''.join(_SECOND.values()))))}])"
                 rf"(?:{_P})", re.X)
RECUR_RE = rx(
    r"(?=[每天日一逐周按旬月季年定])(?:(?P<daily>每天|每日|天天|日报|一日一|每一天|逐日)|(?P<weekly>每周|每星期|每个星期|周报|一周一|周调度|周通报|按周)"
    r"|(?P<dekad>每旬|旬报|一旬一)|(?P<monthly>每月|每个月|月度|按月|月督查|月通报|月调度|月报|月考核|一月一|每一个月)"
    r"|(?P<quarterly>每季度?|每个季度|按季|季度一|季报|季点评|季通报|季度通报|一季一)|(?P<yearly>每年|每一年|年度一次|一年一)"
    r"|(?P<periodic>定期))")
RECUR_ORDER = ["daily", "weekly", "dekad", "monthly", "quarterly", "yearly", "periodic"]


def cn2int(s):
    """'十' -> 10, '二十五' -> 25, '12' -> 12, '二〇二四' -> 2024; None for anonymised digits."""
    s = s.strip()
    if not s:
        return None
    if any(c in ANON for c in s):
        return None
    if s.isdigit():
        return int(s)
    if s.translate(str.maketrans("０１２３４５６７８９", "0123456789")).isdigit():
        return int(s.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    if "十" in s:
        a, _, b = s.partition("十")
        hi = CN_DIGIT.get(a, None) if a else 1
        lo = CN_DIGIT.get(b, None) if b else 0
        if hi is None or lo is None:
            return None
        return hi * 10 + lo
    if all(c in CN_DIGIT for c in s):
        v = 0
        for c in s:
            v = v * 10 + CN_DIGIT[c]
        return v
    return None


def month_end(y, m):
    return date(y, m, calendar.monthrange(y, m)[1])


def _add_months(d, k):
    y, m = divmod(d.month - 1 + k, 12)
    y += d.year
    m += 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


_YEAR_PART = rx(rf"^(?P<y>(?:19|20)\d\d|(?:20)?[{ANON}]{{2}}|[〇零○一二三四五六七八九]{{4}}|[今明本当后去]|这一?)年度?")
_MD = rx(rf"(?P<m>{NUM})月份?(?:(?P<d>{NUM})[日号])?(?:(?:至|到|—|－|-|~|～)(?:(?P<m2>{NUM})月份?)?(?P<d2>{NUM})[日号])?(?P<part>底|末|初|中上旬|上中旬|中下旬|上旬|中旬|下旬|中)?(?P<more>(?:、{NUM}月份?)+)?")
_Q = rx(r"第?(?P<q>[一二三四1-4１-４])季度")


def _year_of(phrase, ref):
    """(explicit_year or None, anonymised: bool, relative_shift or None)."""
    m = _YEAR_PART.match(phrase)
    if not m:
        return None, False, None
    y = m.group("y")
    if y in ("今", "本", "当", "这", "这一"):
        return ref.year, False, 0
    if y == "明":
        return ref.year + 1, False, 1
    if y in ("后",):
        return ref.year + 2, False, 2
    if y == "去":
        return ref.year - 1, False, -1
    if any(c in ANON for c in y):
        return None, True, None
    v = cn2int(y)
    if v is not None and v < 100:
        v += 2000
    return v, False, None


def _first_on_or_after(cands, ref, explicit_year):
    """cands: function year -> date. First date on or after ref in ref.year or ref.year+1."""
    if explicit_year is not None:
        return cands(explicit_year)
    d = cands(ref.year)
    if d >= ref:
        return d
    return cands(ref.year + 1)


def _event_date(phrase, events):
    if not events:
        return None
    for k, v in events.items():
        if k and k in phrase:
            return v
    return None


_CACHE = {}


def resolve_deadline(phrase, ref, events=None):
    """Resolve a time-limit phrase against the reference date (GUIDELINE rules)."""
    if not phrase:
        return None
    if not events:        # the common case: memoised (a speech repeats its phrases)
        key = (phrase, ref)
        if key not in _CACHE:
            if len(_CACHE) > 20000:
                _CACHE.clear()
            _CACHE[key] = _resolve_deadline(phrase, ref, None)
        return _CACHE[key]
    return _resolve_deadline(phrase, ref, events)


def _resolve_deadline(phrase, ref, events=None):
    if hasattr(ref, "date") and callable(ref.date):   # a datetime
        ref = ref.date()
    p = re.sub(r"\s+", "", phrase)
    ev = _event_date(p, events)
    if ev is not None:
        return ev.isoformat()
    ms = list(DEADLINE_RE.finditer(p))
    if not ms:
        return None
    out = []
    for m in ms:
        try:
            out.append(_resolve(m.lastgroup, m.group(0), ref, events))
        except (ValueError, OverflowError):
            out.append("unresolved")
    val = out[0]
    # "这个月底或者下个月": alternatives -> the later one
    for k in range(1, len(ms)):
        if re.fullmatch(r"或者?|或是", p[ms[k - 1].end():ms[k].start()]) and out[k] and val and out[k][:1].isdigit() and val[:1].isdigit():
            val = max(val, out[k])
    return val


def _resolve(kind, t, ref, events):
    if kind == "asap":
        return "unresolved" if t == "限期" else "asap"
    if kind == "event":
        return "event"
    if kind == "multi":
        return "unresolved"
    if kind == "rel":
        return _resolve_rel(t, ref)
    if kind == "dayonly":
        m = re.search(rf"({NUM})[日号]", t)
        day = cn2int(m.group(1)) if m else None
        if day is None or not 1 <= day <= 31:
            return "unresolved"
        base = ref.replace(day=1)
        if t.startswith(("下个月", "下月")):
            base = _add_months(base, 1)
        for k in range(3):
            b = _add_months(base, k)
            if day <= calendar.monthrange(b.year, b.month)[1]:
                d = b.replace(day=day)
                if d >= ref or t.startswith(("本月", "这个月", "当月", "下")):
                    return d.isoformat()
        return "unresolved"
    if kind == "recur":
        return _resolve_recur(t, ref)
    year, anon, shift = _year_of(t, ref)
    if anon or any(c in ANON for c in t):
        return "unresolved"
    if kind == "yearend":
        if t in ("今年", "年度"):
            return date(ref.year, 12, 31).isoformat()
        if t == "明年":
            return date(ref.year + 1, 12, 31).isoformat()
        return date(year or ref.year, 12, 31).isoformat()
    if kind == "half":
        if "上半年" in t:
            return _first_on_or_after(lambda y: date(y, 6, 30), ref, year).isoformat()
        return date(year or ref.year, 12, 31).isoformat()
    if kind == "quarter":
        if "下半年" in t:
            return date(year or ref.year, 12, 31).isoformat()
        if "首季" in t:
            return _first_on_or_after(lambda y: month_end(y, 3), ref, year).isoformat()
        qs = _Q.findall(t) or re.findall(r"第?([一二三四1-4])", t)
        if any(c in ANON for c in t.replace("季度", "")):
            return "unresolved"
        q = max(cn2int(x) for x in qs) if qs else None
        if q is None or not 1 <= q <= 4:
            return "unresolved"
        return _first_on_or_after(lambda y: month_end(y, q * 3), ref, year).isoformat()
    if kind == "md":
        mm = _MD.search(t)
        if not mm:
            return "unresolved"
        if mm.group("more"):
            months = [mm.group("m")] + re.findall(rf"({NUM})月", mm.group("more"))
            if any(cn2int(x) is None for x in months):
                return "unresolved"
            months = [cn2int(x) for x in months]
            mo, day, part = max(months), None, None
        else:
            mo = cn2int(mm.group("m"))
            if mm.group("d2"):
                day = cn2int(mm.group("d2"))
                if mm.group("m2"):
                    mo = cn2int(mm.group("m2"))
                if day is None:
                    return "unresolved"
            elif mm.group("d"):
                day = cn2int(mm.group("d"))
                if day is None:
                    return "unresolved"
            else:
                day = None
            part = mm.group("part")
        if mo is None or not 1 <= mo <= 12:
            return "unresolved"
        if day is not None:
            fn = lambda y: date(y, mo, min(day, calendar.monthrange(y, mo)[1]))
        elif part in ("上旬", "初"):
            fn = lambda y: date(y, mo, 10)
        elif part in ("中旬", "中", "中上旬", "上中旬"):
            fn = lambda y: date(y, mo, 20)
        else:
            fn = lambda y: month_end(y, mo)
        if shift is not None:
            return fn(ref.year + shift).isoformat()
        return _first_on_or_after(fn, ref, year).isoformat()
    return None


def _resolve_rel(t, ref):
    if t.startswith(("本周", "这周")):
        return (ref + timedelta(days=6 - ref.weekday())).isoformat()
    if t.startswith(("下周", "下个星期", "下星期")):
        return (ref + timedelta(days=13 - ref.weekday())).isoformat()
    if t.startswith(("本月", "这个月", "当月", "月底", "月末")):
        return month_end(ref.year, ref.month).isoformat()
    if t.startswith(("下个月", "下月")):
        n = _add_months(ref.replace(day=1), 1)
        return month_end(n.year, n.month).isoformat()
    m = re.match(r"剩下的?(\d+|[一二三四五六七八九十]+)天", t)
    if m and cn2int(m.group(1)) is not None:
        return (ref + timedelta(days=cn2int(m.group(1)))).isoformat()
    if t.startswith(("后几个月", "剩下", "余下")):
        return date(ref.year, 12, 31).isoformat()
    m = re.match(rf"(?:约|大约)?({NUM}|\d+)个月", t)
    if m and cn2int(m.group(1)) is not None:
        return _add_months(ref, cn2int(m.group(1))).isoformat()
    m = re.match(rf"({NUM}|\d+)(个工作日|天|日|周|个星期|个?月)内", t)
    if m:
        n = cn2int(m.group(1))
        if n is None:
            return "unresolved"
        unit = m.group(2)
        if unit == "个工作日":
            return _workdays(ref, n).isoformat()
        if unit in ("天", "日"):
            return (ref + timedelta(days=n)).isoformat()
        if unit in ("周", "个星期"):
            return (ref + timedelta(days=7 * n)).isoformat()
        return _add_months(ref, n).isoformat()
    return None


def _workdays(ref, n):
    try:
        from chinese_calendar import is_workday
    except Exception:  # pragma: no cover
        is_workday = lambda d: d.weekday() < 5
    d = ref
    k = 0
    while k < n:
        d += timedelta(days=1)
        try:
            w = is_workday(d)
        except Exception:  # outside the calendar's range
            w = d.weekday() < 5
        if w:
            k += 1
    return d


def _resolve_recur(t, ref):
    start = re.match(rf"从({NUM})月份?", t)
    if start:
        mo = cn2int(start.group(1))
        if mo is None:
            return "unresolved"
        return _first_on_or_after(lambda y: month_end(y, mo), ref, None).isoformat()
    if re.search(r"每(?:个)?月", t):
        m = re.search(rf"({NUM})[日号]", t)
        if m:
            day = cn2int(m.group(1))
            if day is None:
                return "unresolved"
            d = date(ref.year, ref.month, min(day, calendar.monthrange(ref.year, ref.month)[1]))
            if d < ref:
                n = _add_months(ref.replace(day=1), 1)
                d = date(n.year, n.month, min(day, calendar.monthrange(n.year, n.month)[1]))
            return d.isoformat()
        if re.search(r"底|末|最后一天", t):
            return month_end(ref.year, ref.month).isoformat()
        if "上旬" in t or "初" in t:
            d = date(ref.year, ref.month, 10)
        elif "中旬" in t:
            d = date(ref.year, ref.month, 20)
        elif "下旬" in t:
            d = month_end(ref.year, ref.month)
        else:
            return None
        if d < ref:
            n = _add_months(ref.replace(day=1), 1)
            d = d.replace(year=n.year, month=n.month, day=min(d.day, calendar.monthrange(n.year, n.month)[1]))
        return d.isoformat()
    if re.search(r"每(?:个)?季度?", t) and re.search(r"末|底", t):
        for q in range(1, 9):
            y = ref.year + (q - 1) // 4
            d = month_end(y, ((q - 1) % 4 + 1) * 3)
            if d >= ref:
                return d.isoformat()
    if "每年" in t:
        m = _MD.search(t)
        if m and cn2int(m.group("m")):
            mo = cn2int(m.group("m"))
            day = cn2int(m.group("d")) if m.group("d") else None
            fn = (lambda y: date(y, mo, day)) if day else (lambda y: month_end(y, mo))
            return _first_on_or_after(fn, ref, None).isoformat()
        if re.search(r"底|末", t):
            return date(ref.year, 12, 31).isoformat()
    wd = re.search(r"周([一二三四五六日天])", t)
    if wd:
        k = "一二三四五六日".index(wd.group(1).replace("天", "日"))
        return (ref + timedelta(days=(k - ref.weekday()) % 7)).isoformat()
    return None


def find_recurrence(text):
    best = None
    for m in RECUR_RE.finditer(text):
        k = RECUR_ORDER.index(m.lastgroup)
        if best is None or k < best:
            best = k
    return RECUR_ORDER[best] if best is not None else None
