"""Bulk decisions on the staff queues (延期申请, 办结申请), all or nothing.

Each request goes through tasks.services.workflow.decide_extension / decide_completion (their
rules, history and notices); when any of a batch is refused, the whole batch is undone and
BatchError lists every refusal, so the officer never sees a half-done batch.
"""
from __future__ import annotations

from django.db import transaction

from tasks.models import CompletionRequest, ExtensionRequest
from tasks.services import workflow
from tasks.services.workflow import WorkflowError


class BatchError(WorkflowError):
    """A refused batch; `errors` maps a request id to its reason. Nothing was stored."""

    def __init__(self, message: str, errors: dict[int, str], field: str | None = None):
        super().__init__(message, field=field)
        self.errors = errors


def _ids(ids) -> list[int]:
    try:
        ids = sorted({int(i) for i in ids})
    except (TypeError, ValueError):
        raise WorkflowError("所选申请无效，请刷新页面后重试。") from None
    if not ids:
        raise WorkflowError("请先勾选要审批的申请。")
    return ids


def _run(model, ids, label: str, decide) -> list:
    ids = _ids(ids)
    found = model.objects.select_related("task").in_bulk(ids)
    done, errors = [], {}
    with transaction.atomic():
        for i in ids:
            req = found.get(i)
            if req is None:
                errors[i] = f"{label}（编号{i}）不存在。"
                continue
            try:
                done.append(decide(req))
            except WorkflowError as exc:
                errors[i] = f"{req.task.code}（{req.unit}）：{exc.message}"
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise BatchError(f"{len(errors)} 份{label}未能处理，本次审批未作任何修改：" + "；".join(errors.values()), errors)
    return done


def decide_extensions(*, ids, by, approve: bool, reason: str = "") -> list[ExtensionRequest]:
    """同意 or 退回 many 延期申请; a refusal needs a reason (asked once for the whole batch)."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise WorkflowError("退回延期申请时请填写理由。", field="reason")
    return _run(ExtensionRequest, ids, "延期申请",
                lambda r: workflow.decide_extension(request=r, by=by, approve=approve, reason=reason))


def decide_completions(*, ids, by, approve: bool, grade: str = "", reason: str = "") -> list[CompletionRequest]:
    """同意办结（销号，with one grade for the batch）or 退回重办 many 办结申请."""
    reason = (reason or "").strip()
    if approve and str(grade or "").strip() not in workflow.GRADE_WORDS:
        raise WorkflowError("同意办结时请选择评定等次：优秀、良好、合格或不合格。", field="grade")
    if not approve and not reason:
        raise WorkflowError("退回重办时请填写理由。", field="reason")
    return _run(CompletionRequest, ids, "办结申请",
                lambda r: workflow.decide_completion(request=r, by=by, approve=approve, grade=grade, reason=reason))
