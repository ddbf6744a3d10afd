"""督查室设置 (OfficeSettings) in the admin: the stored structures as forms a person fills in, never
a JSON textarea. 响应节点（13710） is a table, one row per checkpoint (名称, 天数, 按工作日计, 要求,
复杂事项的天数); 督办等级名称 three text boxes; 到期前提醒 a list of days. Every value goes through the
reminder policy's own parsers (tasks.reminders.policy) before it is stored: a value the policy
cannot use is refused next to its field, in Chinese, and nothing is saved.
"""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from tasks.models import OfficeSettings
from tasks.reminders import policy

MAX_ROWS = 20          # checkpoints an office may define (the 13710 set has three)
EXTRA_ROWS = 2         # empty rows offered for a new checkpoint
MAX_DAYS = 365
ROW_FIELDS = ("key", "name", "offset", "workdays", "requires", "complex_offset", "complex_workdays", "delete")
REQUIRES_CHOICES = list(policy.REQUIREMENTS.items())   # acknowledge → 签收并部署落实 …
LEVEL_LABELS = ("第一级（未升级）", "第二级", "第三级")
LEVEL_MAX_CHARS = 10


# --- 响应节点（13710）: one row per checkpoint ------------------------------------------------------

def _row(cp: dict | policy.Checkpoint) -> dict:
    """A stored (or default) checkpoint as the strings one table row shows."""
    get = cp.get if isinstance(cp, dict) else lambda k, d=None: getattr(cp, k, d)
    cx = get("complex_offset")
    return {"key": str(get("key") or ""), "name": str(get("name") or ""), "offset": "" if get("offset") is None else str(get("offset")),
            "workdays": bool(get("workdays", True)), "requires": str(get("requires") or ""),
            "complex_offset": "" if cx in (None, "") else str(cx), "complex_workdays": bool(get("complex_workdays", False)),
            "delete": False}


class Media:
    css = {"all": ["adminsite/office_settings.css"]}


def _is_blank(r: dict) -> bool:
    return not (r.get("name") or r.get("offset") or r.get("complex_offset"))


class CheckpointsWidget(forms.Widget):
    """The checkpoints as a table of inputs: `<name>-rows` rows of `<name>-<i>-<field>`."""

    template_name = "admin/tasks/widgets/checkpoints.html"
    Media = Media

    def format_value(self, value):
        if value in (None, "", []):  # nothing stored: the policy's default set is what is in force
            return [_row(cp) for cp in policy.checkpoints([])]
        if isinstance(value, (list, tuple)):
            return [r if "delete" in r else _row(r) for r in value if isinstance(r, dict)]
        return []

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = list(context["widget"]["value"] or [])
        blank = 0  # a form sent back keeps its empty rows: offer EXTRA_ROWS empty ones, not more
        while blank < len(rows) and _is_blank(rows[-1 - blank]):
            blank += 1
        rows = rows + [_row({}) for _ in range(max(0, EXTRA_ROWS - blank))]
        context["widget"].update(rows=rows[:MAX_ROWS + EXTRA_ROWS], requires_choices=REQUIRES_CHOICES,
                                 count=min(len(rows), MAX_ROWS + EXTRA_ROWS))
        return context

    def value_from_datadict(self, data, files, name):
        try:
            n = int(data.get(f"{name}-rows", ""))
        except ValueError:
            return None
        rows = []
        for i in range(max(0, min(n, MAX_ROWS + EXTRA_ROWS))):
            get = lambda f: (data.get(f"{name}-{i}-{f}") or "").strip()  # noqa: E731
            rows.append({"key": get("key"), "name": get("name"), "offset": get("offset"), "workdays": bool(get("workdays")),
                         "requires": get("requires"), "complex_offset": get("complex_offset"),
                         "complex_workdays": bool(get("complex_workdays")), "delete": bool(get("delete"))})
        return rows

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-rows" not in data


def _days(text: str, what: str) -> int:
    if not text.isdigit() or int(text) > MAX_DAYS:
        raise ValidationError(f"{what}应为 0 到 {MAX_DAYS} 之间的整数（天数）。")
    return int(text)


class CheckpointsField(forms.Field):
    widget = CheckpointsWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return value if isinstance(value, list) else []

    def clean(self, value) -> list[dict]:
        """The rows → what OfficeSettings.checkpoints stores ([] when they are the default set),
        checked by policy.checkpoints. Empty rows and rows marked 删除 are left out."""
        rows = [(i, r) for i, r in enumerate(self.to_python(value), start=1) if not r.get("delete") and not _is_blank(r)]
        if len(rows) > MAX_ROWS:
            raise ValidationError(f"响应节点最多 {MAX_ROWS} 个。")
        errors, entries, names = [], [], set()
        used = {r["key"] for _, r in rows if r.get("key")}
        for i, r in rows:
            name = r.get("name") or ""
            label = f"第{i}行“{name}”" if name else f"第{i}行"
            try:
                if not name:
                    raise ValidationError(f"{label}：请填写节点名称。")
                if len(name) > 20:
                    raise ValidationError(f"{label}：节点名称不能超过 20 个字。")
                if name in names:
                    raise ValidationError(f"{label}：节点名称重复。")
                names.add(name)
                offset = _days(r.get("offset") or "", f"{label}的天数")
                if r.get("requires") not in policy.REQUIREMENTS:
                    raise ValidationError(f"{label}：请选择该节点要求单位做到的事（签收、报送进展或办结）。")
                cx = r.get("complex_offset") or ""
                complex_offset = _days(cx, f"{label}的复杂事项天数") if cx else None
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            key = r.get("key") or next(f"cp{n}" for n in range(1, 10 * MAX_ROWS) if f"cp{n}" not in used)
            used.add(key)
            entry = {"key": key, "name": name, "offset": offset, "workdays": bool(r.get("workdays")), "requires": r["requires"]}
            if complex_offset is not None:
                entry.update(complex_offset=complex_offset, complex_workdays=bool(r.get("complex_workdays")))
            entries.append(entry)
        if errors:
            raise ValidationError(errors)
        try:
            parsed = policy.checkpoints(entries)
        except policy.PolicyError as exc:
            raise ValidationError(str(exc)) from None
        return [] if not entries or parsed == policy.checkpoints([]) else entries

    def has_changed(self, initial, data):
        try:
            new = self.clean(data)
        except ValidationError:
            return True
        old = policy.checkpoints(initial or [])
        return policy.checkpoints(new) != old


# --- 督办等级名称: three text boxes -------------------------------------------------------------------

class LevelNamesWidget(forms.MultiWidget):
    template_name = "admin/tasks/widgets/level_names.html"
    Media = Media

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput(attrs={"size": 8, "maxlength": LEVEL_MAX_CHARS, "placeholder": d})
                          for d in policy.DEFAULT_LEVEL_NAMES], attrs)

    def decompress(self, value):
        return policy.level_names(value if isinstance(value, (list, tuple)) else [])

    def get_context(self, name, value, attrs):
        if not isinstance(value, (list, tuple)) or len(value) != len(LEVEL_LABELS):
            value = self.decompress(value)  # stored: [] (the defaults) or fewer names; typed: three boxes as typed
        context = super().get_context(name, value, attrs)
        for sub, label in zip(context["widget"]["subwidgets"], LEVEL_LABELS):
            sub["label"] = label
        return context


class LevelNamesField(forms.MultiValueField):
    widget = LevelNamesWidget

    def __init__(self, **kwargs):
        fields = [forms.CharField(required=False, max_length=LEVEL_MAX_CHARS,
                                  error_messages={"max_length": f"{label}名称不能超过 {LEVEL_MAX_CHARS} 个字。"})
                  for label in LEVEL_LABELS]
        kwargs.setdefault("required", False)
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, values) -> list[str]:
        """Three names, a blank one taking the default of its place, all different (policy.level_names)."""
        typed = [(v or "").strip() for v in (values or [])] + [""] * 3
        names = policy.level_names([v or d for v, d in zip(typed[:3], policy.DEFAULT_LEVEL_NAMES)])
        if len(set(names)) < len(names):
            raise ValidationError("三级督办等级的名称不能相同。")
        return names


# --- the form ---------------------------------------------------------------------------------

class OfficeSettingsForm(forms.ModelForm):
    checkpoints = CheckpointsField(
        label=OfficeSettings._meta.get_field("checkpoints").verbose_name,
        help_text="每行一个节点：从交办之日起算的天数（勾选“按工作日”则跳过节假日），以及到期时单位应做到的事；"
                  "“复杂事项”可另设天数（留空同上）。删除全部节点即恢复系统默认（13710：1、3、7 个工作日）。"
                  "节点日期不会晚于事项自身的完成时限。")
    level_names = LevelNamesField(label=OfficeSettings._meta.get_field("level_names").verbose_name,
                                  help_text="督办等级依次升级时显示的名称；留空的一级用默认名称。")

    class Meta:
        model = OfficeSettings
        fields = "__all__"

    def clean_due_soon_days(self):
        raw = self.cleaned_data.get("due_soon_days", "")
        try:
            days = policy.due_soon_days(raw)
        except policy.PolicyError as exc:
            raise ValidationError(str(exc)) from None
        return ",".join(str(d) for d in sorted(days, reverse=True))


# the page in sections; a field added to OfficeSettings later appears under 其他 by itself
FIELDSETS = (
    ("亮灯与时限", ("warning_days", "schedule_tolerance", "asap_days")),
    ("领导批示件办理时限（工作日）", ("urgent_workdays", "normal_workdays", "complex_workdays")),
    ("响应节点（13710）", ("checkpoints",)),
    ("催办提醒", ("due_soon_days", "escalate_after_workdays", "level_names", "send_window_start", "send_window_end",
              "urgent_outside_window", "robot_mentions")),
    ("佐证材料", ("max_attachment_bytes",)),
    ("督查通报", ("rank_min_tasks", "rank_weight_on_time", "rank_weight_grade", "rank_weight_progress", "rank_weight_ack",
              "rank_co_weight_ack", "rank_co_weight_progress", "report_requirements", "report_issuer")),
)


def fieldsets(form_fields) -> list[tuple]:
    """FIELDSETS, keeping only the fields the form has, and every other field under 其他."""
    placed = {f for _, fields in FIELDSETS for f in fields}
    out = [(title, {"fields": [f for f in fields if f in form_fields]}) for title, fields in FIELDSETS]
    rest = [f for f in form_fields if f not in placed]
    if rest:
        out.append(("其他", {"fields": rest}))
    return [fs for fs in out if fs[1]["fields"]]
