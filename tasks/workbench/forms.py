"""Workbench forms: input shape and Chinese messages only; the rules live in the services
(tasks.services.ingest / registration / approvals / chase), whose messages are shown next to the
field they name (tasks.portal.forms.apply_error)."""
from __future__ import annotations

from django import forms

from accounts.models import Person
from tasks.models import DeadlineKind, Meeting, Recurrence, Task
from tasks.portal.forms import MultipleFileField
from tasks.selectors.workbench import leaders_qs

DATE_ERRORS = {"invalid": "日期格式不正确，应为 年-月-日（如 2026-06-30）。"}
PAGE_SIZE = 50


def _date(label, required=False, **kw):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={**DATE_ERRORS, "required": f"请填写{label}。"}, **kw)


class _Chinese(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if f.error_messages.get("required") == forms.Field.default_error_messages["required"]:
                f.error_messages["required"] = f"请填写{f.label}。"
            if not isinstance(f, forms.ModelMultipleChoiceField):
                f.error_messages["invalid_choice"] = "选项无效，请重新选择。"
            if isinstance(f, forms.CharField) and f.max_length:
                f.error_messages["max_length"] = f"{f.label}不能超过{f.max_length}字。"


class SpeechUploadForm(_Chinese):
    file = forms.FileField(label="讲话稿文件", help_text="txt（任意中文编码）、docx 或可复制文字的 pdf，不超过 10 MB",
                           error_messages={"required": "请选择讲话稿文件。", "empty": "文件是空的，请重新选择。",
                                           "invalid": "文件无效，请重新选择。"})
    meeting_title = forms.CharField(label="会议名称", max_length=200, help_text="如：全市经济运行分析会议")
    meeting_date = _date("会议日期", required=True, help_text="讲话中的“6月底前”等时限按会议日期换算")
    speaker = forms.CharField(label="讲话人", required=False, max_length=100)
    level = forms.ChoiceField(label="会议层级", choices=Meeting.Level.choices, initial=Meeting.Level.COUNTY,
                              help_text="上级会议的讲话中，“市财政局”等上级单位会标为“层级不符”，由您指定本级责任单位")


    def clean_file(self):
        """A file over the limit is refused before it is read into memory."""
        from django.conf import settings

        f = self.cleaned_data["file"]
        if f.size > settings.TRACKER_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件过大（{f.size / 1048576:.1f} MB），讲话稿不能超过 "
                                        f"{settings.TRACKER_MAX_UPLOAD_BYTES // 1048576} MB。")
        return f


class CandidateForm(_Chinese):
    """The editor beside the text. The owner chips come as lists (chip, chip_role, chip_remove);
    `add` / `add_role` / `add_leader` add one more without JavaScript."""

    title = forms.CharField(label="事项名称", required=False, max_length=300,
                            help_text="留空则用框中灰色的建议名称（原文第一分句）")
    text = forms.CharField(label="原文语句（工作要求）", widget=forms.Textarea(attrs={"rows": 4}), max_length=1000)
    deadline_kind = forms.ChoiceField(label="时限类型", choices=DeadlineKind.choices)
    deadline = _date("完成时限")
    deadline_text = forms.CharField(label="时限原话", required=False, max_length=100)
    target = forms.CharField(label="目标值", required=False, max_length=100)
    recurrence = forms.ChoiceField(label="周期", required=False, choices=[("", "不重复"), *Recurrence.choices])
    add = forms.CharField(label="添加责任单位", required=False, max_length=100,
                          widget=forms.TextInput(attrs={"placeholder": "输入单位名称、简称或别名，如“发改”", "autocomplete": "off",
                                                        "class": "unit-ac", "data-target": "editor"}))
    add_role = forms.ChoiceField(label="角色", required=False, choices=[("lead", "主办"), ("co", "协办")])
    add_leader = forms.ModelChoiceField(Person.objects.none(), label="添加责任领导", required=False, empty_label="选择领导…")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["add_leader"].queryset = leaders_qs()

    def clean(self):
        data = super().clean()
        if data.get("deadline_kind") == DeadlineKind.DATE and not data.get("deadline") and "deadline" not in self.errors:
            self.add_error("deadline", "时限类型为“具体日期”时请填写完成时限。")
        return data


class AddCandidateForm(_Chinese):
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    quote = forms.CharField(label="原文语句", required=False, max_length=1000,
                            widget=forms.Textarea(attrs={"rows": 2, "placeholder": "从左侧原文复制漏标的一句话，粘贴到这里"}))

    def clean(self):
        data = super().clean()
        if (data.get("start") is None or data.get("end") is None) and not (data.get("quote") or "").strip():
            raise forms.ValidationError("请先在原文中选中一句话（或粘贴原文语句），再点“设为交办事项”。")
        return data


def _units_input(label: str, target: str, placeholder: str) -> forms.CharField:
    """Unit names typed (without JavaScript) or picked as chips from the autocomplete (`target`)."""
    return forms.CharField(label=label, required=False, max_length=500, widget=forms.TextInput(attrs={
        "placeholder": placeholder, "autocomplete": "off", "class": "unit-ac", "data-target": target}))


LEAD_HINT = "输入单位名称或简称，多个用顿号分隔"
BULK_ACTIONS = [("set_units", "设置责任单位"), ("set_deadline", "设置时限"), ("accept", "采纳并交办"), ("reject", "驳回")]


class BulkForm(_Chinese):
    action = forms.ChoiceField(label="批量操作", choices=BULK_ACTIONS)
    lead_text = _units_input("主办单位", "bulk-lead", LEAD_HINT)
    co_text = _units_input("协办单位", "bulk-co", "可不填")
    mode = forms.ChoiceField(label="方式", choices=[("replace", "替换原有责任单位"), ("add", "追加")], initial="replace",
                             widget=forms.RadioSelect, required=False)
    deadline_kind = forms.ChoiceField(label="时限类型", choices=DeadlineKind.choices, initial=DeadlineKind.DATE, required=False)
    deadline = _date("完成时限")


class TaskRegisterForm(_Chinese):
    source = forms.ChoiceField(label="来源", choices=[(Task.Source.INSTRUCTION, "领导批示件"), (Task.Source.MANUAL, "手工录入")],
                               initial=Task.Source.INSTRUCTION, widget=forms.RadioSelect)
    title = forms.CharField(label="事项名称", max_length=300)
    requirement = forms.CharField(label="批示内容 / 工作要求", required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 5, "placeholder": "照录领导批示原文或工作要求"}))
    urgency = forms.ChoiceField(label="缓急程度", choices=Task.Urgency.choices, initial=Task.Urgency.NORMAL,
                                widget=forms.RadioSelect)
    lead_text = _units_input("主办单位", "reg-lead", LEAD_HINT)
    co_text = _units_input("协办单位", "reg-co", "可不填")
    leaders = forms.ModelMultipleChoiceField(Person.objects.none(), label="责任领导", required=False,
                                             widget=forms.CheckboxSelectMultiple,
                                             error_messages={"invalid_choice": "所选人员不是在职领导。",
                                                             "invalid_pk_value": "所选人员不存在。"})
    deadline = _date("完成时限", help_text="领导批示件可不填：按缓急程度的工作日时限自动计算")
    category = forms.CharField(label="类别", required=False, max_length=50)
    files = MultipleFileField(label="批示件扫描件 / 附件", required=False,
                              help_text="可多选；支持 PDF、JPG、PNG、Word（docx）、Excel（xlsx）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaders"].queryset = leaders_qs()


class DecisionForm(_Chinese):
    decision = forms.ChoiceField(label="审批", choices=[("approve", "同意"), ("reject", "退回")])
    reason = forms.CharField(label="审批意见", required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2, "placeholder": "退回时必填，将通知申请单位"}))
    grade = forms.ChoiceField(label="评定等次", required=False, choices=[("", "选择等次…"), *Task.Grade.choices])


class ChaseForm(_Chinese):
    message = forms.CharField(label="催办内容", required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2, "placeholder": "可不填，默认：请抓紧办理，及时签收并报送进展情况。"}))
