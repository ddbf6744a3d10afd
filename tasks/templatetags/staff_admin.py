"""Template tags of the 督查室's admin pages (tasks/adminsite/)."""
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_home(context):
    from tasks.adminsite.home import staff_home as build

    return build(context.get("app_list") or [], context["request"].user)


@register.simple_tag
def workbench_url(name="register"):
    from tasks.adminsite.home import workbench_url as url

    return url(name)
