"""Writes for units and people: loading a unit directory (JSON, xlsx, csv), creating logins."""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import Person, Role, Unit, UnitAlias, UnitKind

DEFAULT_UNITS_FILE = Path(__file__).resolve().parent / "data" / "default_units.json"

KIND_WORDS = {
    "department": UnitKind.DEPARTMENT, "部门": UnitKind.DEPARTMENT, "单位": UnitKind.DEPARTMENT,
    "township": UnitKind.TOWNSHIP, "乡镇": UnitKind.TOWNSHIP, "乡": UnitKind.TOWNSHIP, "镇": UnitKind.TOWNSHIP,
    "街道": UnitKind.TOWNSHIP,
    "group": UnitKind.GROUP, "群体": UnitKind.GROUP, "分组": UnitKind.GROUP, "领导小组": UnitKind.GROUP,
    "enterprise": UnitKind.ENTERPRISE, "企业": UnitKind.ENTERPRISE, "国企": UnitKind.ENTERPRISE,
    "other": UnitKind.OTHER, "其他": UnitKind.OTHER, "": UnitKind.DEPARTMENT,
}
# header names an office's own sheet may use, matched loosely
COLUMNS = {
    "name": ("单位全称", "单位名称", "名称", "单位", "name"),
    "short_name": ("简称", "short_name"),
    "aliases": ("别名", "其他叫法", "aliases"),
    "kind": ("类型", "单位类型", "kind"),
    "parent": ("上级", "上级单位", "所属", "分组", "parent"),
}
ALIAS_SPLIT = re.compile(r"[、,，;；/|\s]+")


class DirectoryError(Exception):
    """A unit directory that cannot be loaded; `errors` are row-numbered Chinese messages."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("单位名录有误，未导入任何数据：\n" + "\n".join(errors))


@dataclass
class LoadResult:
    created: int
    updated: int
    aliases: int


def read_directory_file(path: str | Path) -> list[dict]:
    """Rows of a directory file (.json list, .xlsx or .csv) as entries with a `row` number."""
    path = Path(path)
    if not path.exists():
        raise DirectoryError([f"找不到文件：{path}"])
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DirectoryError([f"JSON 文件无法解析：{exc}"]) from None
        if not isinstance(data, list):
            raise DirectoryError(["JSON 文件应为单位列表。"])
        return [dict(e, row=i) for i, e in enumerate(data, start=1) if isinstance(e, dict)]
    if suffix == ".csv":
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DirectoryError(["CSV 文件编码无法识别（请使用 UTF-8 或 GBK）。"])
        rows = list(csv.reader(io.StringIO(text)))
    elif suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        from tasks.safezip import XLSX_LIMITS, ZipBombError, check_zip

        try:  # a zip bomb is refused before openpyxl unpacks anything
            check_zip(path, XLSX_LIMITS, what="该单位名录文件")
        except ZipBombError as exc:
            raise DirectoryError([exc.message if exc.code != "bad_zip" else "文件不是有效的 xlsx 工作簿。"]) from None
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook is the user's error
            raise DirectoryError(["文件不是有效的 xlsx 工作簿。"]) from None
        ws = wb.worksheets[0]
        rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
        wb.close()
    else:
        raise DirectoryError([f"不支持的文件类型 {suffix or '（无扩展名）'}：请使用 .xlsx、.csv 或 .json。"])
    return _rows_to_entries(rows)


def _rows_to_entries(rows: list[list[str]]) -> list[dict]:
    if not rows:
        raise DirectoryError(["文件是空的。"])
    header = [str(h).strip() for h in rows[0]]
    index = {}
    for key, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                index[key] = i
                break
    if "name" not in index:
        raise DirectoryError(["第1行：缺少“单位全称”列（表头应包含：单位全称、简称、别名、类型、上级）。"])
    entries = []
    for n, r in enumerate(rows[1:], start=2):
        cell = lambda k: (str(r[index[k]]).strip() if k in index and index[k] < len(r) and r[index[k]] is not None else "")  # noqa: E731
        if not any(str(c).strip() for c in r):
            continue
        entries.append({
            "row": n, "name": cell("name"), "short_name": cell("short_name"),
            "aliases": [a for a in ALIAS_SPLIT.split(cell("aliases")) if a],
            "kind": cell("kind"), "parent": cell("parent") or None,
        })
    return entries


def validate_directory(entries: list[dict]) -> list[dict]:
    """Normalised entries, or DirectoryError listing every problem with its row number."""
    errors: list[str] = []
    seen_names: dict[str, int] = {}
    alias_owner: dict[str, tuple[str, int]] = {}
    clean = []
    for i, e in enumerate(entries, start=1):
        row = e.get("row", i)
        name = str(e.get("name") or "").strip()
        if not name:
            errors.append(f"第{row}行：单位全称为空。")
            continue
        if name in seen_names:
            errors.append(f"第{row}行：单位“{name}”与第{seen_names[name]}行重复。")
            continue
        seen_names[name] = row
        kind_raw = str(e.get("kind") or "").strip()
        kind = KIND_WORDS.get(kind_raw)
        if kind is None:
            errors.append(f"第{row}行：类型“{kind_raw}”无法识别（可填：部门、乡镇、群体、企业、其他）。")
            continue
        short = str(e.get("short_name") or "").strip()
        aliases = []
        for a in [short, *(e.get("aliases") or [])]:
            a = str(a).strip()
            if a and a != name and a not in aliases:
                aliases.append(a)
        clean.append({"row": row, "name": name, "short_name": short, "aliases": aliases, "kind": kind,
                      "parent": (str(e.get("parent")).strip() if e.get("parent") else None)})
    for c in clean:
        for a in c["aliases"]:
            other = alias_owner.get(a)
            if other and other[0] != c["name"]:
                errors.append(f"第{c['row']}行：别名“{a}”已属于第{other[1]}行的“{other[0]}”，一个别名只能对应一个单位。")
            else:
                alias_owner[a] = (c["name"], c["row"])
    for c in clean:
        for a in c["aliases"]:
            if a in seen_names and a != c["name"]:
                errors.append(f"第{c['row']}行：别名“{a}”与第{seen_names[a]}行的单位全称相同。")
        if c["parent"] and c["parent"] not in seen_names and not Unit.objects.filter(name=c["parent"]).exists():
            errors.append(f"第{c['row']}行：上级单位“{c['parent']}”不在名录中。")
    # aliases already held by units that this file does not redefine
    if alias_owner:
        taken = UnitAlias.objects.filter(alias__in=list(alias_owner)).exclude(unit__name__in=list(seen_names)).select_related("unit")
        for ua in taken:
            name, row = alias_owner[ua.alias]
            errors.append(f"第{row}行：别名“{ua.alias}”已属于现有单位“{ua.unit.name}”。")
    if errors:
        raise DirectoryError(errors)
    return clean


@transaction.atomic
def load_units(entries: list[dict]) -> LoadResult:
    """Create or update the units of a directory, all or nothing."""
    clean = validate_directory(entries)
    existing = {u.name: u for u in Unit.objects.filter(name__in=[c["name"] for c in clean])}
    created = updated = 0
    units = {}
    for order, c in enumerate(clean, start=1):
        u = existing.get(c["name"])
        if u is None:
            u = Unit.objects.create(name=c["name"], short_name=c["short_name"], kind=c["kind"], sort_order=order)
            created += 1
        else:
            u.short_name, u.kind = c["short_name"], c["kind"]
            u.save(update_fields=["short_name", "kind"])
            updated += 1
        units[c["name"]] = u
    for c in clean:
        if c["parent"]:
            parent = units.get(c["parent"]) or Unit.objects.get(name=c["parent"])
            Unit.objects.filter(pk=units[c["name"]].pk).update(parent=parent)
    UnitAlias.objects.filter(unit__in=units.values()).delete()
    aliases = [UnitAlias(unit=units[c["name"]], alias=a) for c in clean for a in c["aliases"]]
    UnitAlias.objects.bulk_create(aliases)
    return LoadResult(created=created, updated=updated, aliases=len(aliases))


def load_units_file(path: str | Path = DEFAULT_UNITS_FILE) -> LoadResult:
    return load_units(read_directory_file(path))


class AccountError(ValueError):
    """A refused change to a login or a person; `message` is Chinese, `field` the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- logins: who may grant what ------------------------------------------------------------------
#
# Only the superuser grants rights: is_staff, is_superuser, groups, permissions, and the 督查室
# role of a person (Person.role=staff gives full access to the portal and the API). 督查室 staff
# manage the units' and leaders' logins through these functions, which refuse anything else.

def _require_manager(by, user=None) -> None:
    from accounts.selectors import can_manage_login

    if by is not None and user is not None and not can_manage_login(by, user):
        raise AccountError("只有系统管理员可以修改督查室工作人员或管理员的账号。")
    if by is not None and not (getattr(by, "is_superuser", False) or _is_staff_actor(by)):
        raise AccountError("只有督查室工作人员可以管理账号。")


def _is_staff_actor(by) -> bool:
    from accounts.selectors import is_supervisor

    return is_supervisor(by)


def _check_role_grant(role: str, by, unit) -> None:
    if role not in (Role.STAFF, Role.OPERATOR, Role.LEADER):
        raise AccountError(f"未知角色：{role}", "role")
    if by is not None:
        _require_manager(by)
        if role == Role.STAFF and not by.is_superuser:
            raise AccountError("只有系统管理员可以开通督查室工作人员账号。", "role")
    if role == Role.OPERATOR and unit is None:
        raise AccountError("单位联络员必须绑定一个单位。", "unit")


def _new_user(username: str, password: str, email: str, role: str):
    from django.contrib.auth.password_validation import validate_password

    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise AccountError(f"登录名“{username}”已被使用。", "login_username")
    user = User(username=username, email=email, is_staff=(role == Role.STAFF))
    validate_password(password, user)
    user.set_password(password)
    user.save()
    if role == Role.STAFF:
        user.groups.add(ensure_staff_group())
    return user


@transaction.atomic
def create_login(*, username: str, password: str, name: str, role: str, unit: Unit | None = None,
                 title: str = "", email: str = "", by=None) -> Person:
    """A user with a Person profile and role; staff get the admin (is_staff).

    `by` is who asks (None: the command line / bootstrap). Only a superuser creates a 督查室 login.
    """
    _check_role_grant(role, by, unit)
    user = _new_user(username, password, email, role)
    return Person.objects.create(name=name, title=title, unit=unit, user=user, role=role, email=email,
                                 is_leader=(role == Role.LEADER))


@transaction.atomic
def open_login(*, person: Person, username: str, password: str, by=None):
    """A login for an existing person (a unit's operator, a leader), with the person's role."""
    if person.user_id:
        raise AccountError("该人员已绑定登录账号，不能再新建。", "login_username")
    _check_role_grant(person.role, by, person.unit)
    user = _new_user(username, password, person.email, person.role)
    person.user = user
    person.save(update_fields=["user"])
    return user


@transaction.atomic
def save_login(*, user, by, changed: list[str] | tuple = (), previous_active: bool | None = None) -> None:
    """Save a login edited in the admin. Staff may only touch unprivileged logins and never the
    rights fields; switching a login off ends its sessions and API tokens."""
    from accounts.selectors import is_privileged

    if not by.is_superuser:
        rights = {"is_staff", "is_superuser", "groups", "user_permissions"} & set(changed)
        if rights:
            raise AccountError("只有系统管理员可以授予或修改账号权限。")
        if user.pk:
            before = type(user).objects.get(pk=user.pk)
            if is_privileged(before):
                raise AccountError("只有系统管理员可以修改督查室工作人员或管理员的账号。")
        if user.is_staff or user.is_superuser:
            raise AccountError("只有系统管理员可以授予或修改账号权限。")
        _require_manager(by)
    user.save()
    if previous_active and not user.is_active:
        revoke_access(user)


def set_login_password(*, user, password: str, by=None) -> None:
    """A new password; the old API tokens stop working (see tasks.api.authentication)."""
    from django.contrib.auth.password_validation import validate_password

    if by is not None:
        _require_manager(by, user)
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    revoke_tokens(user)


@transaction.atomic
def save_person(*, person: Person, by, changed: list[str] | tuple = (), previous: dict | None = None) -> Person:
    """Save a person edited in the admin. Staff may not give the 督查室 role, nor bind a person to
    a privileged login; marking a person 不在职 switches their login off."""
    from accounts.selectors import is_privileged

    previous = previous or {}
    if not by.is_superuser:
        _require_manager(by)
        if person.role == Role.STAFF and ("role" in changed or previous.get("role") != Role.STAFF):
            raise AccountError("只有系统管理员可以设置“督查室工作人员”角色。", "role")
        if previous.get("role") == Role.STAFF:
            raise AccountError("只有系统管理员可以修改督查室工作人员的人员信息。")
        if person.user_id and is_privileged(person.user):
            raise AccountError("不能把人员绑定到督查室工作人员或管理员的登录账号。", "user")
    if person.role == Role.OPERATOR and person.unit_id is None:
        raise AccountError("单位联络员必须绑定一个单位。", "unit")
    person.save()
    if previous.get("active", True) and not person.active:
        deactivate_person(person=person, by=by)
    return person


@transaction.atomic
def deactivate_person(*, person: Person, by=None) -> Person:
    """不在职: the person and their login are switched off; sessions and API tokens end now."""
    if person.active:
        person.active = False
        person.save(update_fields=["active"])
    if person.user_id:
        user = person.user
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        revoke_access(user)
    return person


def revoke_tokens(user) -> int:
    from rest_framework.authtoken.models import Token

    return Token.objects.filter(user=user).delete()[0]


def revoke_access(user) -> int:
    """End every session and API token of a login (deactivation). Returns how many ended."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    ended = revoke_tokens(user)
    pk = str(user.pk)
    stale = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        try:
            data = session.get_decoded()
        except Exception:  # noqa: BLE001 - an undecodable session belongs to nobody
            continue
        if data.get("_auth_user_id") == pk:
            stale.append(session.pk)
    Session.objects.filter(pk__in=stale).delete()
    return ended + len(stale)


def ensure_staff_group():
    """The 督查室 group: every permission on the tracker's own apps and the beat schedule, and
    the unit logins (through the restricted user admin: accounts/admin.py); never groups or
    permissions, which stay with the superuser."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="督查室")
    perms = Permission.objects.filter(content_type__app_label__in=["accounts", "tasks", "django_celery_beat"])
    user_perms = Permission.objects.filter(content_type__app_label="auth", codename__in=["view_user", "add_user", "change_user"])
    axes_perms = Permission.objects.filter(content_type__app_label="axes", codename__startswith="view_")
    group.permissions.set([*perms, *user_perms, *axes_perms])
    return group
