"""Who may use the API: every request needs a login with a tracker role; writes are checked
again by the services (an operator only for their own unit, leaders never write)."""
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.selectors import is_supervisor, user_role


class HasTrackerRole(BasePermission):
    """Logged in with a role: admin, staff (督查室), leader or operator (单位联络员)."""

    message = "您的账号没有开通督查督办系统的访问权限。"

    def has_permission(self, request, view):
        return user_role(request.user) is not None


class IsSupervisor(BasePermission):
    message = "只有督查室工作人员可以进行此操作。"

    def has_permission(self, request, view):
        return is_supervisor(request.user)


class SupervisorOrLeaderRead(BasePermission):
    """Staff do anything; leaders read; operators nothing (speeches, directives, report files)."""

    message = "您没有查看此内容的权限。"

    def has_permission(self, request, view):
        role = user_role(request.user)
        if role in ("admin", "staff"):
            return True
        if role == "leader" and request.method in SAFE_METHODS:
            return True
        if role == "leader":
            self.message = "领导账号为只读，不能进行此操作。"
        return False


class ReadOrSupervisorWrite(BasePermission):
    """Every role reads (visibility is filtered by the queryset); only staff write."""

    message = "只有督查室工作人员可以进行此操作。"

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or is_supervisor(request.user)
