"""Portal forms: input shape only. Business rules (percent never going back, file types and
sizes, dates after the deadline, lead unit only…) live in tasks.services.workflow; its
WorkflowError messages are put next to the field they name (see `apply_error`)."""
from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from tasks.models import Task
from tasks.selectors.lights import LIGHT_LABELS

PAGE_SIZE = 50


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。注意：连续输错多次后账号将被暂时锁定。",
        "inactive": "该账号已停用，请联系督查室。",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].error_messages["required"] = "请输入用户名。"
        self.fields["password"].error_messages["required"] = "请输入密码。"


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *Task.Status.choices])
    light = forms.ChoiceField(label="亮灯", required=False, choices=[("", "全部"), *LIGHT_LABELS.items()])
    q = forms.CharField(label="关键词", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "事项名称、编号或要求"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.error_messages["invalid_choice"] = "选项“%(value)s”无效。"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class _VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AcknowledgeForm(_VersionedForm):
    pass


class ProgressForm(_VersionedForm):
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 4, "placeholder": "本期工作推进情况、存在问题及下步打算"}),
                           error_messages={"required": "请填写进展情况。"})
    percent = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100,
                                 widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "style": "width:7em"}),
                                 error_messages={"required": "请填写完成进度。", "invalid": "完成进度必须是 0 到 100 之间的整数。",
                                                 "min_value": "完成进度必须在 0 到 100 之间。", "max_value": "完成进度必须在 0 到 100 之间。"})
    period = forms.CharField(label="报送期次", required=False, max_length=20, help_text="周期性事项可留空，自动按当前期次记录。")
    files = MultipleFileField(label="佐证材料", required=False,
                              help_text="可多选；支持 PDF、Word（docx）、Excel（xlsx）、JPG、PNG。")


class ExtensionForm(_VersionedForm):
    proposed_deadline = forms.DateField(label="申请延至", widget=forms.DateInput(attrs={"type": "date"}),
                                        error_messages={"required": "请填写申请延至的日期。", "invalid": "日期格式不正确，应为 年-月-日。"})
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "请填写延期理由。"})


class CompletionForm(_VersionedForm):
    summary = forms.CharField(label="办结情况", widget=forms.Textarea(attrs={"rows": 4, "placeholder": "完成情况、取得成效、佐证材料说明"}),
                              error_messages={"required": "请填写办结情况。"})


class LeaderCommentForm(forms.Form):
    text = forms.CharField(label="批示内容", widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：请抓紧推进，月底前报送进展。"}),
                           error_messages={"required": "请填写批示内容。"})


def apply_error(form: forms.Form, exc) -> None:
    """Show a WorkflowError next to the field it names, or above the form."""
    field = getattr(exc, "field", None)
    message = getattr(exc, "message", None) or str(exc)
    form.add_error(field if field in form.fields and field != "version" else None, message)
