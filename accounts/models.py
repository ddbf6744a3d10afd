"""Units (责任单位), their aliases, people and roles."""
from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", "部门"
    TOWNSHIP = "township", "乡镇"
    GROUP = "group", "群体/领导小组"
    ENTERPRISE = "enterprise", "企业"
    OTHER = "other", "其他"


class WebhookKind(models.TextChoices):
    NONE = "", "不推送"
    WECOM = "wecom", "企业微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"


class Unit(models.Model):
    name = models.CharField("单位全称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("类型", max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", verbose_name="上级/所属分组", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    email = models.EmailField("通知邮箱", blank=True)
    webhook_kind = models.CharField("群机器人类型", max_length=20, choices=WebhookKind.choices, blank=True, default="")
    webhook_url = models.URLField("群机器人 Webhook 地址", blank=True, max_length=500)
    webhook_secret = models.CharField("钉钉加签密钥", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "责任单位"
        verbose_name_plural = "责任单位"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.short_name or self.name


class UnitAlias(models.Model):
    """Another way a speech names a unit (发改, 发改局, 县发改局…). An alias belongs to one unit only."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases", verbose_name="单位")
    alias = models.CharField("别名", max_length=50, unique=True)

    class Meta:
        verbose_name = "单位别名"
        verbose_name_plural = "单位别名"

    def __str__(self):
        return self.alias


class Role(models.TextChoices):
    STAFF = "staff", "督查室工作人员"
    OPERATOR = "operator", "单位联络员"
    LEADER = "leader", "领导"
    NONE = "none", "无登录角色"


class Person(models.Model):
    """A leader or a unit contact. With a login (`user`), `role` decides what the login may do."""

    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=100, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="所在单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.NONE)
    is_leader = models.BooleanField("县领导/责任领导", default=False)
    email = models.EmailField("邮箱", blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    active = models.BooleanField("在职", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="operator") | models.Q(unit__isnull=False), name="operator_has_unit"
            )
        ]

    def __str__(self):
        return f"{self.title}{self.name}" if self.title else self.name
