"""Reads about units, people and roles."""
from __future__ import annotations

from django.db.models import Prefetch

from accounts.models import Person, Role, Unit, UnitAlias


def unit_directory_entries(active_only: bool = True) -> list[dict]:
    """The unit directory in the shape the extraction engine takes (Directory.from_entries)."""
    qs = Unit.objects.select_related("parent").prefetch_related(Prefetch("aliases", queryset=UnitAlias.objects.only("alias", "unit_id")))
    if active_only:
        qs = qs.filter(active=True)
    return [
        {
            "id": u.id,
            "name": u.name,
            "short_name": u.short_name or None,
            "aliases": [a.alias for a in u.aliases.all()],
            "kind": u.kind,
            "parent": u.parent.name if u.parent_id else None,
        }
        for u in qs
    ]


def person_of(user) -> Person | None:
    if not user or not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def user_role(user) -> str | None:
    """'admin' | 'staff' | 'leader' | 'operator' | None (no access).

    A login whose person is 不在职, or an operator whose unit is switched off, has no role: every
    view and API endpoint refuses it, whatever session or token it still holds.
    """
    if not user or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return "admin"
    person = person_of(user)
    if person is not None and not person.active:
        return None
    if person is not None and person.role == Role.OPERATOR and person.unit_id and not person.unit.active:
        return None
    if person is not None and person.role in (Role.STAFF, Role.LEADER, Role.OPERATOR):
        return person.role
    if user.is_staff:
        return Role.STAFF
    return None


def is_privileged(user) -> bool:
    """A login with rights only the superuser may give or change: admin access, superuser, any
    group or permission, or a 督查室 person."""
    if user is None or not getattr(user, "pk", None):
        return False
    if user.is_staff or user.is_superuser:
        return True
    if user.groups.exists() or user.user_permissions.exists():
        return True
    person = person_of(user)
    return person is not None and person.role == Role.STAFF


def can_manage_login(by, user) -> bool:
    """May `by` edit `user` (details, password, on/off)? The superuser any; 督查室 staff only
    unprivileged logins (units' operators, leaders), never their own or another staff's."""
    if by is None or not by.is_authenticated:
        return False
    if by.is_superuser:
        return True
    return is_supervisor(by) and not is_privileged(user)


def is_supervisor(user) -> bool:
    """督查室 staff or admin: full access."""
    return user_role(user) in ("admin", Role.STAFF)


def operator_unit(user) -> Unit | None:
    """The unit an operator acts for; None for other roles."""
    person = person_of(user)
    if person is not None and person.role == Role.OPERATOR:
        return person.unit
    return None


def township_members(group: Unit) -> list[Unit]:
    """A group's member units (各乡镇 → every active township under it)."""
    return list(Unit.objects.filter(parent=group, active=True).order_by("sort_order", "id"))
