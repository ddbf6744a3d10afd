"""Meetings, speeches, directives, tasks and their workflow, reminders and reports.

Models hold data and constraints only; every write goes through tasks/services/, every
non-trivial read through tasks/selectors/.
"""
import datetime

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from accounts.models import Person, Unit


class DeadlineKind(models.TextChoices):
    DATE = "date", "具体日期"
    ASAP = "asap", "尽快"
    EVENT = "event", "事件节点"
    UNRESOLVED = "unresolved", "待定（需设置日期）"
    NONE = "none", "无时限"


class Recurrence(models.TextChoices):
    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    DEKAD = "dekad", "每旬"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    YEARLY = "yearly", "每年"
    PERIODIC = "periodic", "定期"


class Meeting(models.Model):
    class Level(models.TextChoices):
        COUNTY = "county", "县级"
        CITY = "city", "市（州）级"
        PROVINCE = "province", "省级"
        TOWNSHIP = "township", "乡镇级"
        DEPARTMENT = "department", "部门"

    title = models.CharField("会议名称", max_length=200)
    date = models.DateField("会议日期")
    speaker = models.CharField("讲话人", max_length=100, blank=True)
    level = models.CharField("会议层级", max_length=20, choices=Level.choices, default=Level.COUNTY)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"


class Speech(models.Model):
    """An uploaded speech document; `sha256` keeps the same file from being ingested twice."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.PROTECT, related_name="speeches")
    title = models.CharField("标题", max_length=300, blank=True)
    file = models.FileField("原始文件", upload_to="speeches/%Y/%m/", blank=True)
    original_name = models.CharField("原文件名", max_length=255)
    text = models.TextField("解码后的全文")
    encoding = models.CharField("编码/格式", max_length=40)
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    chars = models.PositiveIntegerField("字数", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "讲话稿"
        verbose_name_plural = "讲话稿"
        ordering = ["-id"]

    def __str__(self):
        return self.title or self.original_name


class Directive(models.Model):
    """A candidate task found in a speech, waiting for staff review."""

    class Review(models.TextChoices):
        PENDING = "pending", "待审核"
        ACCEPTED = "accepted", "已采纳"
        REJECTED = "rejected", "已驳回"

    class Origin(models.TextChoices):  # workbench: a sentence the engine missed, added by a reviewer
        ENGINE = "engine", "自动抽取"
        MANUAL = "manual", "人工补充"

    speech = models.ForeignKey(Speech, verbose_name="讲话稿", on_delete=models.CASCADE, related_name="directives")
    seq = models.PositiveIntegerField("序号")
    text = models.TextField("原文语句")
    start = models.PositiveIntegerField("起始位置")
    end = models.PositiveIntegerField("结束位置")
    section = models.CharField("所在章节", max_length=500, blank=True)
    owners = models.JSONField("建议责任主体", default=list, blank=True)
    deadline = models.DateField("完成时限（日期）", null=True, blank=True)
    deadline_kind = models.CharField("时限类型", max_length=20, choices=DeadlineKind.choices, default=DeadlineKind.NONE)
    deadline_text = models.CharField("时限原话", max_length=100, blank=True)
    recurrence = models.CharField("周期", max_length=20, choices=Recurrence.choices, blank=True)
    target = models.CharField("目标值", max_length=100, blank=True)
    confidence = models.FloatField("置信度", default=0.0)
    title = models.CharField("事项名称（审核时拟定）", max_length=300, blank=True)
    origin = models.CharField("来源", max_length=10, choices=Origin.choices, default=Origin.ENGINE)
    review_state = models.CharField("审核状态", max_length=20, choices=Review.choices, default=Review.PENDING, db_index=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True, on_delete=models.SET_NULL)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "抽取的交办语句"
        verbose_name_plural = "抽取的交办语句（审核队列）"
        ordering = ["speech_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["speech", "seq"], name="directive_seq_unique")]

    def __str__(self):
        return self.text[:40]


class Task(models.Model):
    """督办事项: one supervised task (五定: 项目, 人员, 责任, 要求, 时限)."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "已交办"
        IN_PROGRESS = "in_progress", "推进中"
        COMPLETION_REQUESTED = "completion_requested", "申请办结"
        CLOSED = "closed", "已办结（销号）"
        CANCELLED = "cancelled", "已撤销"

    class Source(models.TextChoices):
        SPEECH = "speech", "会议讲话"
        MANUAL = "manual", "手工录入"
        INSTRUCTION = "instruction", "领导批示件"
        LEDGER = "ledger", "台账导入"

    class Urgency(models.TextChoices):
        URGENT = "urgent", "紧急"
        NORMAL = "normal", "一般"
        COMPLEX = "complex", "复杂"

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", "优秀"
        GOOD = "good", "良好"
        PASS = "pass", "合格"
        FAIL = "fail", "不合格"

    class Level(models.IntegerChoices):
        NORMAL = 0, "正常"
        YELLOW = 1, "黄牌"
        RED = 2, "红牌"

    code = models.CharField("编号", max_length=30, unique=True)
    title = models.CharField("事项名称", max_length=300)
    requirement = models.TextField("工作要求", blank=True)
    category = models.CharField("类别", max_length=50, blank=True)
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.MANUAL)
    source_directive = models.OneToOneField(
        Directive, verbose_name="来源语句", null=True, blank=True, on_delete=models.SET_NULL, related_name="task"
    )
    meeting = models.ForeignKey(Meeting, verbose_name="会议", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    units = models.ManyToManyField(Unit, through="Assignment", verbose_name="责任单位", related_name="tasks")
    leaders = models.ManyToManyField(Person, verbose_name="责任领导", blank=True, related_name="led_tasks")
    urgency = models.CharField("缓急程度", max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    deadline = models.DateField("完成时限", null=True, blank=True, db_index=True)
    deadline_text = models.CharField("时限原话", max_length=100, blank=True)
    deadline_kind = models.CharField("时限类型", max_length=20, choices=DeadlineKind.choices, default=DeadlineKind.DATE)
    target = models.CharField("目标值", max_length=100, blank=True)
    recurrence = models.CharField("周期", max_length=20, choices=Recurrence.choices, blank=True)
    flagged = models.BooleanField("挂牌督办", default=False, db_index=True)
    level = models.IntegerField("督办等级", choices=Level.choices, default=Level.NORMAL)
    status = models.CharField("状态", max_length=30, choices=Status.choices, default=Status.ASSIGNED, db_index=True)
    progress = models.PositiveSmallIntegerField("最新进度(%)", default=0)
    assigned_at = models.DateTimeField("交办时间", db_index=True)
    start_date = models.DateField("起始日期", help_text="时序进度的起点，一般为交办日期")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    grade = models.CharField("办结评定", max_length=20, choices=Grade.choices, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(m2m_fields=[leaders])

    class Meta:
        verbose_name = "督办事项"
        verbose_name_plural = "督办事项"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="task_status_deadline")]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="task_progress_max_100")]

    def __str__(self):
        return f"{self.code} {self.title}"


class Assignment(models.Model):
    """A unit's part in a task: lead (主办/牵头) or co (协办/配合), and its 签收."""

    class Role(models.TextChoices):
        LEAD = "lead", "主办（牵头）"
        CO = "co", "协办（配合）"

    task = models.ForeignKey(Task, verbose_name="事项", on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField("角色", max_length=10, choices=Role.choices, default=Role.LEAD)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签收人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "责任分工"
        verbose_name_plural = "责任分工"
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="assignment_task_unit_unique")]
        indexes = [models.Index(fields=["unit", "task"], name="assignment_unit_task")]

    def __str__(self):
        return f"{self.unit} / {self.get_role_display()}"


class TaskFile(models.Model):
    """A document registered with a task by 督查室 (the scanned 领导批示, 来文). Served only through
    tasks.workbench.views.task_file, to those who may see the task."""

    task = models.ForeignKey(Task, verbose_name="事项", on_delete=models.CASCADE, related_name="files")
    file = models.FileField("文件", upload_to="instructions/%Y/%m/")
    name = models.CharField("文件名", max_length=255)
    size = models.PositiveIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "交办附件（批示件扫描件等）"
        verbose_name_plural = "交办附件（批示件扫描件等）"
        ordering = ["id"]

    def __str__(self):
        return self.name


class Chase(models.Model):
    """One 人工催办 by 督查室: who chased (by), whom (units), how (channels), when (created_at)."""

    task = models.ForeignKey(Task, verbose_name="事项", on_delete=models.CASCADE, related_name="chases")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="催办人", null=True, on_delete=models.SET_NULL, related_name="+")
    units = models.ManyToManyField(Unit, verbose_name="被催办单位", related_name="chases")
    message = models.TextField("催办内容", blank=True)
    channels = models.CharField("方式", max_length=100, blank=True, help_text="如：站内通知、邮件、企业微信")
    created_at = models.DateTimeField("催办时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "人工催办记录"
        verbose_name_plural = "人工催办记录"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"催办 {self.task_id}"


class ProgressReport(models.Model):
    task = models.ForeignKey(Task, verbose_name="事项", on_delete=models.CASCADE, related_name="progress_reports")
    unit = models.ForeignKey(Unit, verbose_name="报送单位", on_delete=models.PROTECT, related_name="progress_reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField("进展情况")
    percent = models.PositiveSmallIntegerField("完成进度(%)")
    period = models.CharField("报送周期", max_length=20, blank=True, help_text="周期性事项的期次，如 2024-06")
    created_at = models.DateTimeField("报送时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(percent__lte=100), name="progress_percent_max_100")]

    def __str__(self):
        return f"{self.unit} 报送进展 {self.percent}%"


class LeaderComment(models.Model):
    """领导批示: a leader's written instruction on a task, for its units and the 督查室 (tasks.services.comments)."""

    task = models.ForeignKey(Task, verbose_name="事项", on_delete=models.CASCADE, related_name="leader_comments")
    author = models.ForeignKey(Person, verbose_name="批示领导", on_delete=models.PROTECT, related_name="leader_comments")
    text = models.TextField("批示内容")
    created_at = models.DateTimeField("批示时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.author} 批示：{self.text[:30]}"


class Attachment(models.Model):
    report = models.ForeignKey(ProgressReport, verbose_name="进展报告", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="evidence/%Y/%m/")
    name = models.CharField("文件名", max_length=255)
    size = models.PositiveIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100, blank=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"

    def __str__(self):
        return self.name


class RequestState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REJECTED = "rejected", "已退回"


class ExtensionRequest(models.Model):
    task = models.ForeignKey(Task, verbose_name="事项", on_delete=models.CASCADE, related_name="extension_requests")
    unit = models.ForeignKey(Unit, verbose_name="申请单位", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+")
    old_deadline = models.DateField("原时限", null=True, blank=True)
    proposed_deadline = models.DateField("申请延至")
    reason = models.TextField("延期理由")
    state = models.CharField("状态", max_length=20, choices=RequestState.choices, default=RequestState.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_reason = models.TextField("审批意见", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.unit} 申请延期至{self.proposed_deadline:%Y-%m-%d}"


class CompletionRequest(models.Model):
    task = models.ForeignKey(Task, verbose_name="事项", on_delete=models.CASCADE, related_name="completion_requests")
    unit = models.ForeignKey(Unit, verbose_name="申请单位", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.TextField("办结情况")
    state = models.CharField("状态", max_length=20, choices=RequestState.choices, default=RequestState.PENDING, db_index=True)
    grade = models.CharField("办结评定", max_length=20, choices=Task.Grade.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_reason = models.TextField("审批意见", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)

    class Meta:
        verbose_name = "办结申请"
        verbose_name_plural = "办结申请"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.unit} 申请办结"


class OfficeSettings(models.Model):
    """The office's own rules (one row). Read through tasks.selectors.office_settings()."""

    warning_days = models.PositiveSmallIntegerField("临期预警天数（黄灯）", default=3)
    schedule_tolerance = models.PositiveSmallIntegerField("时序进度容差（百分点）", default=20)
    asap_days = models.PositiveSmallIntegerField("“尽快”类默认期限（天）", default=7)
    urgent_workdays = models.PositiveSmallIntegerField("批示件紧急办理时限（工作日）", default=5)
    normal_workdays = models.PositiveSmallIntegerField("批示件一般办理时限（工作日）", default=15)
    complex_workdays = models.PositiveSmallIntegerField("批示件复杂办理时限（工作日）", default=30)
    due_soon_days = models.CharField("到期前提醒（天，逗号分隔；0=当天）", max_length=50, default="3,1,0")
    escalate_after_workdays = models.PositiveSmallIntegerField("逾期多少个工作日后二次督办", default=3)
    checkpoints = models.JSONField(
        "响应节点（13710）",
        default=list,
        blank=True,
        help_text='如 [{"key":"deploy","name":"部署签收","offset":1,"workdays":true}, …]',
    )
    level_names = models.JSONField("督办等级名称", default=list, blank=True, help_text='如 ["正常","黄牌","红牌"]')
    max_attachment_bytes = models.PositiveIntegerField("佐证材料大小上限（字节）", default=20 * 1024 * 1024)
    # reminders: the sending window (working days only), see docs/reminders.md
    send_window_start = models.TimeField("提醒发送时段开始", default=datetime.time(8, 30),
                                         help_text="邮件、群机器人和站内提醒只在工作日的发送时段内发出")
    send_window_end = models.TimeField("提醒发送时段结束", default=datetime.time(18, 0))
    urgent_outside_window = models.BooleanField("紧急批示件不受发送时段限制", default=True,
                                                help_text="勾选后，紧急的领导批示件的提醒在非工作时间也立即发出")
    robot_mentions = models.BooleanField("群机器人消息@单位联络员", default=True,
                                         help_text="单位联络员登记了手机号时，企业微信/钉钉群消息中@提醒本人")
    # 督查通报: unit ranking (tasks.selectors.stats.unit_ranking) and the 通报 document (docs/reports.md)
    rank_min_tasks = models.PositiveSmallIntegerField(
        "参与排名的最少应考核事项数", default=1,
        help_text="本期应考核事项（本期到期、本期办结或已逾期）少于此数的单位列为“不参与排名”")
    rank_weight_on_time = models.PositiveSmallIntegerField("主办权重：按时办结率", default=50)
    rank_weight_grade = models.PositiveSmallIntegerField("主办权重：办结评定", default=20)
    rank_weight_progress = models.PositiveSmallIntegerField("主办权重：进展报送率", default=20)
    rank_weight_ack = models.PositiveSmallIntegerField("主办权重：签收率", default=10)
    rank_co_weight_ack = models.PositiveSmallIntegerField("协办权重：签收率", default=50)
    rank_co_weight_progress = models.PositiveSmallIntegerField("协办权重：进展报送率", default=50)
    report_requirements = models.TextField(
        "通报“下步要求”模板", blank=True,
        default=("一、各责任单位要对照逾期和滞后事项，逐项分析原因，明确整改措施和完成时限，{overdue_units}要于{reply_date}前"
                 "向县委督查室书面说明情况。\n"
                 "二、尚未签收的事项，责任单位要于{ack_date}前完成签收并报送工作计划。\n"
                 "三、各责任单位要按时报送进展情况，本期未报送进展的单位要及时补报。\n"
                 "四、县委督查室将持续跟踪督办，对连续两期逾期的事项按程序进行二次督办。"),
        help_text="每行一条；可用占位符：{overdue_units}（有逾期事项的单位）、{reply_date}（通报日期后3天）、"
                  "{ack_date}（通报日期后1天）、{as_of}（统计截至日）")
    report_issuer = models.CharField("发文落款（通报、交办单）", max_length=50, default="县委督查室")

    class Meta:
        verbose_name = "督查室设置"
        verbose_name_plural = "督查室设置"

    def __str__(self):
        return "督查室设置"


class Holiday(models.Model):
    """Holidays and make-up working days entered by staff, for years chinesecalendar does not know."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("调休上班日", default=False, help_text="勾选表示该日为调休上班；不勾选表示放假")
    name = models.CharField("名称", max_length=50, blank=True)

    class Meta:
        verbose_name = "节假日（手工维护）"
        verbose_name_plural = "节假日（手工维护）"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name or ('调休上班' if self.is_workday else '放假')}"


class NamedEvent(models.Model):
    """A named event or season that speeches use as a deadline (供暖季, 主汛期…), resolved by the office."""

    name = models.CharField("事件/节点名称", max_length=50, unique=True, help_text="如 供暖季、主汛期、春节")
    date = models.DateField("对应日期")

    class Meta:
        verbose_name = "事件节点"
        verbose_name_plural = "事件节点"
        ordering = ["date"]

    def __str__(self):
        return f"{self.name}（{self.date:%Y-%m-%d}）"


class Notice(models.Model):
    """An in-app notice (portal inbox) for a unit or a person."""

    unit = models.ForeignKey(Unit, verbose_name="接收单位", null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    person = models.ForeignKey(Person, verbose_name="接收人", null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    task = models.ForeignKey(Task, verbose_name="事项", null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class Reminder(models.Model):
    """One reminder on one channel. The unique key makes every reminder go out exactly once."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "临期提醒"
        OVERDUE = "overdue", "逾期催办"
        ESCALATION = "escalation", "二次督办"
        CHECKPOINT = "checkpoint", "响应节点提醒"
        RECURRING = "recurring", "周期报送提醒"
        REPORT = "report", "督查通报"
        CALENDAR = "calendar", "日历提醒"
        DIGEST = "digest", "汇总提醒"
        MANUAL = "manual", "人工催办"

    class Channel(models.TextChoices):
        INBOX = "inbox", "站内通知"
        EMAIL = "email", "邮件"
        WECOM = "wecom", "企业微信"
        DINGTALK = "dingtalk", "钉钉"

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败（将重试）"
        GIVEN_UP = "given_up", "已放弃"
        MERGED = "merged", "已并入汇总"

    key = models.CharField("去重键", max_length=255, unique=True, help_text="事项或汇总/接收方/类型/期次/渠道")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, db_index=True)
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    period = models.CharField("期次", max_length=40)
    task = models.ForeignKey(Task, verbose_name="事项", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    unit = models.ForeignKey(Unit, verbose_name="接收单位", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    person = models.ForeignKey(Person, verbose_name="接收人", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    target = models.CharField("发送地址", max_length=500, blank=True)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True, db_index=True)
    priority = models.PositiveSmallIntegerField("发送顺序", default=5, help_text="小的先发：逾期、二次督办在前")
    urgent = models.BooleanField("紧急", default=False, help_text="紧急批示件：督查室设置允许时不受发送时段限制")
    digest = models.ForeignKey("self", verbose_name="所属汇总", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="items")

    class Meta:
        verbose_name = "催办提醒"
        verbose_name_plural = "催办提醒"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.subject


class ReportFile(models.Model):
    """An exported 督查通报 workbook."""

    class Trigger(models.TextChoices):
        BEAT = "beat", "定时生成"
        COMMAND = "command", "命令行"
        ADMIN = "admin", "后台操作"
        API = "api", "接口"

    title = models.CharField("标题", max_length=200)
    as_of = models.DateField("统计截至")
    period_start = models.DateField("本期开始")
    period_end = models.DateField("本期结束")
    file = models.FileField("文件", upload_to="reports/%Y/")
    filename = models.CharField("文件名", max_length=200)
    docx = models.FileField("通报文稿（.docx）", upload_to="reports/%Y/", blank=True)
    docx_filename = models.CharField("文稿文件名", max_length=200, blank=True)
    issue_year = models.PositiveSmallIntegerField("期号年份", null=True, blank=True)
    issue_no = models.PositiveSmallIntegerField("期号", null=True, blank=True, help_text="按年编号，同一周重新生成沿用原期号")
    size = models.PositiveIntegerField("大小（字节）", default=0)
    task_count = models.PositiveIntegerField("事项数", default=0)
    trigger = models.CharField("生成方式", max_length=20, choices=Trigger.choices, default=Trigger.COMMAND)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="生成人", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "督查通报"
        verbose_name_plural = "督查通报"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.filename
