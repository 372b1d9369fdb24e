"""What every page of the appendix editor shares: who may use it, loading a version, saving an edit."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from rasoat.appendix import services, versions
from rasoat.appendix.checks import Fault, normalize_definition
from rasoat.appendix.contract import check_contract
from rasoat.appendix.definition import Definition
from rasoat.appendix.editing import EditError
from rasoat.appendix.models import AppendixVersion
from rasoat.appendix.spec import Appendix, UnknownAppendixVersion

FIELD_ALIASES = {"list": "list_name"}
"""Definition workbook column names that a form field of the editor calls differently."""


def require_admin(user) -> None:
    """The editor is for administrators of the whole province; anyone else gets 403 (the versions are
    not secret: every campaign page names its version)."""
    if not user.has_global_perm("campaign:manage"):
        raise PermissionDenied


@dataclass
class Version:
    """A version as the editor shows it: stored or built in, its definition, and why it is frozen."""

    code: str
    title: str
    definition: Definition
    stored: AppendixVersion | None
    frozen: str | None
    appendix: Appendix = field(repr=False, default=None)


def load_version(code: str) -> Version:
    """The version of the URL, or 404."""
    try:
        definition = versions.definition_for(code)
        appendix = versions.get_appendix(code)
    except UnknownAppendixVersion:
        raise Http404 from None
    stored = AppendixVersion.objects.filter(code=code).first()
    title = stored.title if stored else (appendix.title or f"Phụ lục {code} (theo PHU_LUC.md)")
    return Version(
        code=code,
        title=title,
        definition=copy.deepcopy(definition),
        stored=stored,
        frozen=services.frozen_reason(code),
        appendix=appendix,
    )


def _attach(form: forms.Form | None, fault: Fault, target: tuple[str, int | None] | None) -> str | None:
    """Put a fault on the form field it names when it is about the edited row; else return its text."""
    name = FIELD_ALIASES.get(fault.column or "", fault.column)
    about_target = target is not None and fault.sheet == target[0] and fault.row in (None, target[1])
    if form is not None and name in form.fields and about_target:
        form.add_error(name, fault.message)
        return None
    return fault.message


def _with_contract(definition: Definition, faults: list[Fault]) -> list[Fault]:
    """The faults, with the assessment's first: the checks stop before the contract when they find
    a fault, but a retyped column a rule reads also breaks every condition on it, and the editor
    must say which rule forbids the edit rather than only what follows from it."""
    try:
        contract = check_contract(normalize_definition(definition))
    except (ValueError, TypeError, KeyError, AttributeError):
        contract = []
    listed: list[Fault] = []
    seen: set[tuple[str, str | None, str]] = set()
    for fault in [*contract, *faults]:
        # A retyped column a rule reads breaks each condition on it: the rule's fault says it once.
        if contract and fault.column == "required_if" and fault not in contract:
            continue
        # A fault repeated for several rows of the workbook reads as one on a web form.
        if (fault.sheet, fault.column, fault.message) in seen:
            continue
        seen.add((fault.sheet, fault.column, fault.message))
        listed.append(fault)
    return listed


RETRIES = 3


def _apply(request, version: Version, change: Callable[[Definition], Any]) -> Definition:
    """Apply the edit to the stored definition and save it, under an optimistic lock on the revision:
    when another administrator saved in between, the edit is applied again to what they saved (each
    edit is an operation — add this column, move that one — so both survive). Returns the definition
    as last edited (the faults of a refusal are about it)."""
    for attempt in range(RETRIES):
        if attempt:
            version = load_version(version.code)
        definition = copy.deepcopy(version.definition)
        change(definition)
        revision = version.stored.revision if version.stored is not None else None
        try:
            services.save_definition(version.code, definition, actor=request.user, expected_revision=revision)
        except services.VersionChanged:
            continue
        except services.DefinitionRefused as refused:
            refused.definition = definition
            raise
        return definition
    raise services.VersionFrozen(
        _("The version was changed by someone else at the same time. Reload the page and try again.")
    )


def save_edit(
    request,
    version: Version,
    change: Callable[[Definition], Any],
    *,
    form: forms.Form | None = None,
    target: Callable[[Definition], tuple[str, int | None] | None] | None = None,
) -> bool:
    """Apply `change` to a copy of the version's definition and save it through the same checks as a
    definition workbook; True when saved. Faults go onto `form` (`target` gives the workbook sheet and
    row of the edited item, so only its own faults land on its fields) or into the page's messages."""
    try:
        _apply(request, version, change)
    except EditError as error:
        if form is not None and error.field in form.fields:
            form.add_error(error.field, error.message)
        else:
            messages.error(request, error.message)
        return False
    except services.VersionFrozen as frozen:
        messages.error(request, str(frozen))
        return False
    except ValidationError as invalid:
        for message in invalid.messages:
            messages.error(request, message)
        return False
    except services.DefinitionRefused as refused:
        definition = refused.definition
        where = target(definition) if target is not None else None
        for fault in _with_contract(definition, refused.faults):
            text = _attach(form, fault, where)
            if text is None:
                continue
            if form is not None:
                form.add_error(None, text)
            else:
                messages.error(request, text)
        return False
    return True
