"""Query parameters of the list endpoints. The task filter only parses the parameters; the
filtering itself is tasks.selectors.tasks.task_list (one definition for API and portal)."""
import django_filters as df
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from tasks.models import CompletionRequest, Directive, ExtensionRequest, Meeting, ProgressReport, RequestState, Task
from tasks.selectors.lights import LIGHT_LABELS
from tasks.selectors.tasks import task_list


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(df.NumberFilter):
    """A database id: a whole number within a 64-bit column (anything else is a 400, never a
    value the database cannot compare — SQLite overflowed on 1e200)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -(2 ** 63))
        kwargs.setdefault("max_value", 2 ** 63 - 1)
        super().__init__(*args, **kwargs)


class TaskFilter(df.FilterSet):
    unit = IdFilter(label="责任单位ID（主办或协办）", method="_noop")
    status = df.MultipleChoiceFilter(choices=Task.Status.choices, label="状态（可多选）", method="_noop")
    light = df.MultipleChoiceFilter(choices=list(LIGHT_LABELS.items()), label="红黄绿灯（可多选）", method="_noop")
    deadline_from = df.DateFilter(label="完成时限不早于", method="_noop")
    deadline_to = df.DateFilter(label="完成时限不晚于", method="_noop")
    meeting = df.ModelChoiceFilter(queryset=Meeting.objects.all(), label="会议ID", method="_noop")
    flagged = df.BooleanFilter(label="挂牌督办", method="_noop")
    q = df.CharFilter(label="搜索：编号、事项名称、工作要求、单位名称", method="_noop")

    class Meta:
        model = Task
        fields = []

    def _noop(self, queryset, name, value):  # pragma: no cover - filter_queryset does the work
        return queryset

    def filter_queryset(self, queryset):
        c = self.form.cleaned_data
        return task_list(
            self.request.user, unit=c.get("unit"), status=c.get("status") or None, light=c.get("light") or None,
            deadline_from=c.get("deadline_from"), deadline_to=c.get("deadline_to"), meeting=c.get("meeting"),
            q=c.get("q") or None, flagged=c.get("flagged"),
        )


class ExtensionFilter(df.FilterSet):
    task = IdFilter(field_name="task_id", label="事项ID")
    unit = IdFilter(field_name="unit_id", label="单位ID")
    state = df.ChoiceFilter(choices=RequestState.choices, label="审批状态")

    class Meta:
        model = ExtensionRequest
        fields = []


class CompletionFilter(ExtensionFilter):
    class Meta:
        model = CompletionRequest
        fields = []


class ProgressFilter(df.FilterSet):
    task = IdFilter(field_name="task_id", label="事项ID")
    unit = IdFilter(field_name="unit_id", label="单位ID")
    period = df.CharFilter(field_name="period", label="报送周期")

    class Meta:
        model = ProgressReport
        fields = []


class DirectiveFilter(df.FilterSet):
    speech = IdFilter(field_name="speech_id", label="讲话稿ID")
    review_state = df.ChoiceFilter(choices=Directive.Review.choices, label="审核状态")

    class Meta:
        model = Directive
        fields = []
