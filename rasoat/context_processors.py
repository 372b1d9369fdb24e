"""Template context shared by every page: what the navigation may show."""


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    if getattr(request, "signin_pending", None):
        # Signed in with a step left (code, new password, enrolment): only that step and log-out.
        return {"nav": {}, "signin_pending": True}
    return {
        "nav": {
            "units": user.has_any_perm("unit:view"),
            "campaigns": user.has_any_perm("campaign:view"),
            "users": user.has_global_perm("user:manage"),
            "manage_units": user.has_any_perm("unit:manage"),
            "audit": user.has_any_perm("audit:view"),
            "appendix": user.has_global_perm("campaign:manage"),
        }
    }
