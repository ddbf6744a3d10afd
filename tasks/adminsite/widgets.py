"""Readable displays of stored structures the admin shows (never a raw JSON textarea)."""
from __future__ import annotations

from django.utils.html import format_html_join

ROLE_WORDS = {"lead": "主办", "co": "协办"}


def owner_words(o: dict) -> str:
    """“县财政局（主办）”, “刘卿（领导）”, “市财政局（协办·名录外）”."""
    name = str(o.get("name") or o.get("mention") or "？")
    if o.get("kind") == "person":
        return f"{name}（领导）"
    notes = [ROLE_WORDS.get(o.get("role") or "lead", "主办")]
    if not o.get("unit_id"):
        notes.append("名录外")
    return f"{name}（{'·'.join(notes)}）"


def owners_text(owners) -> str:
    return "、".join(owner_words(o) for o in owners or [] if isinstance(o, dict)) or "—"


def owners_html(owners):
    """Owners as tags: known units plain, unknown ones marked, leaders apart."""
    owners = [o for o in owners or [] if isinstance(o, dict)]
    if not owners:
        return "—（未识别出责任主体，请在下方“交办”中选择）"
    style = {"known": "background:#e8f0fe;color:#174ea6", "unknown": "background:#fdecea;color:#a50e0e",
             "person": "background:#f1f3f4;color:#202124"}
    def kind(o):
        return "person" if o.get("kind") == "person" else ("known" if o.get("unit_id") else "unknown")
    return format_html_join(
        " ", '<span style="display:inline-block;padding:1px 8px;border-radius:10px;margin:2px 0;{}" title="{}">{}</span>',
        ((style[kind(o)], "名录中没有这个单位，交办前请在下方选择对应的单位" if kind(o) == "unknown" else "", owner_words(o))
         for o in owners),
    )


__all__ = ["owner_words", "owners_text", "owners_html"]
