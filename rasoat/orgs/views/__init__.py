"""Views of the registry (units.py, registry_io.py) and of users (users.py)."""

from rasoat.orgs.views.account import (
    PasswordChangeView,
    account_profile,
    account_security,
    otp_disable,
    otp_enrol,
    otp_qr,
    otp_recovery_codes,
    otp_verify,
)
from rasoat.orgs.views.lockouts import lockout_lift, lockout_list
from rasoat.orgs.views.registry_io import registry_export, registry_import
from rasoat.orgs.views.units import unit_create, unit_detail, unit_edit, unit_list, unit_move, unit_set_active
from rasoat.orgs.views.users import (
    membership_grant,
    membership_revoke,
    user_create,
    user_detail,
    user_edit,
    user_list,
    user_reset_password,
    user_reset_second_factor,
)

__all__ = [
    "PasswordChangeView",
    "account_profile",
    "account_security",
    "lockout_lift",
    "lockout_list",
    "otp_disable",
    "otp_enrol",
    "otp_qr",
    "otp_recovery_codes",
    "otp_verify",
    "membership_grant",
    "membership_revoke",
    "registry_export",
    "registry_import",
    "unit_create",
    "unit_detail",
    "unit_edit",
    "unit_list",
    "unit_move",
    "unit_set_active",
    "user_create",
    "user_detail",
    "user_edit",
    "user_list",
    "user_reset_password",
    "user_reset_second_factor",
]
