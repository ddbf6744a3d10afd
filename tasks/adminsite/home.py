"""The staff home page (admin index): the models grouped the way a 督查室 works, with what is
waiting for them, and quick links. Models this file does not know (added later by any app) still
appear, under 其他; what a user may not see is already left out of Django's app list."""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse

SECTIONS = [
    ("日常工作", "审核交办、跟踪办理、审批申请", [
        "tasks.directive", "tasks.task", "tasks.extensionrequest", "tasks.completionrequest", "tasks.speech", "tasks.meeting",
        "tasks.leadercomment",
    ]),
    ("催办与通报", "提醒发送情况、督查通报、站内通知", ["tasks.reminder", "tasks.reportfile", "tasks.notice"]),
    ("单位与人员", "责任单位名录、领导和联络员、登录账号", ["accounts.unit", "accounts.person", "auth.user"]),
    ("督查室设置", "预警与时限规则、节假日、事件节点", ["tasks.officesettings", "tasks.holiday", "tasks.namedevent"]),
]
SYSTEM_APPS = ("axes", "django_celery_beat", "authtoken", "auth")


def workbench_url(name: str = "register") -> str:
    """The workbench page of `name` once the workbench is installed; its front page until then."""
    try:
        return reverse(f"workbench:{name}")
    except NoReverseMatch:
        return "/workbench/"


def _pending_counts() -> dict[str, int]:
    """The workbench's counts (tasks.selectors.workbench.pending_counts), by admin model."""
    from tasks.selectors.workbench import pending_counts

    n = pending_counts()
    return {"tasks.directive": n["candidates"], "tasks.extensionrequest": n["extensions"],
            "tasks.completionrequest": n["completions"]}


PENDING_FILTER = {"tasks.directive": "?review_state__exact=pending", "tasks.extensionrequest": "?state__exact=pending",
                  "tasks.completionrequest": "?state__exact=pending"}
PENDING_WORD = {"tasks.directive": "条待审核", "tasks.extensionrequest": "件待审批", "tasks.completionrequest": "件待审批"}


def staff_home(app_list, user) -> dict:
    """{"sections": [{title, note, models: [{name, url, add_url, pending, pending_url, pending_word}]}], "links": [...]}"""
    models, app_names = {}, {}
    for app in app_list:
        for m in app["models"]:
            models[f"{app['app_label']}.{m['object_name'].lower()}"] = m
        app_names[app["app_label"]] = app["name"]
    counts = _pending_counts() if any(k in models for k in PENDING_FILTER) else {}
    placed, sections = set(), []
    for title, note, keys in SECTIONS:
        rows = [_row(k, models[k], counts) for k in keys if k in models]
        placed.update(k for k in keys if k in models)
        if rows:
            sections.append({"title": title, "note": note, "models": rows})
    rest = [k for k in models if k not in placed]
    other = [_row(k, models[k], counts) for k in rest if k.split(".")[0] not in SYSTEM_APPS]
    system = [{**_row(k, models[k], counts), "name": f"{app_names[k.split('.')[0]]} · {models[k]['name']}"}
              for k in rest if k.split(".")[0] in SYSTEM_APPS]
    if other:
        sections.append({"title": "其他", "note": "", "models": other})
    if system:
        sections.append({"title": "系统（仅系统管理员可见）", "note": "登录记录、定时任务、接口令牌、用户组", "models": system})
    links = [{"label": "督查工作台", "url": workbench_url("index"), "note": "审核讲话、登记交办、待办队列"},
             {"label": "登记督办事项 / 领导批示件", "url": workbench_url("register"), "note": "生成交办单"}]
    if "tasks.speech" in models and models["tasks.speech"].get("add_url"):
        links.append({"label": "上传讲话稿", "url": reverse("admin:tasks_speech_upload"), "note": "自动抽取交办语句"})
    if "tasks.task" in models:
        links.append({"label": "导入台账", "url": reverse("admin:tasks_task_import_ledger"), "note": "Excel 台账批量导入"})
    links.append({"label": "数据看板", "url": reverse("portal:dashboard"), "note": "红黄绿灯、单位排名"})
    return {"sections": sections, "links": links}


def _row(key, m, counts) -> dict:
    n = counts.get(key)
    return {"name": m["name"], "url": m.get("admin_url"), "add_url": m.get("add_url"), "pending": n,
            "pending_url": (m.get("admin_url") or "") + PENDING_FILTER.get(key, ""), "pending_word": PENDING_WORD.get(key, "")}
