"""Template helpers for the consolidated export link (shown on the campaign board)."""

from django import template

register = template.Library()


@register.filter
def may_export(user) -> bool:
    """Whether the user holds "export:run" somewhere (the export itself is limited to that scope)."""
    return bool(user and user.is_authenticated and user.has_any_perm("export:run"))
