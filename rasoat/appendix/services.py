"""Changing appendix versions: copy, save, import, and loading the versions shipped as workbooks.

Every change goes through here, whoever asks (the web editor, `rasoat appendix import`, `rasoat
init`), so that the same rules hold everywhere:

- a version is *frozen* — 2026.1 (code), a shipped version, or one a campaign's unit already has
  data or a snapshot in — and refuses every change (`VersionFrozen`, with the reason); to change
  it, copy it;
- a definition is saved only without faults (`checks.check_definition`) and without breaking what
  the assessment reads (`contract.check_contract`): `DefinitionRefused` carries all the faults and
  nothing is saved;
- a changed header keeps the old one in `old_headers`, so workbooks made before still read;
- every change is audited (`rasoat.audit.services.log`) in its own transaction.
"""

from __future__ import annotations

import copy
import hashlib
import re
import threading
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from rasoat.audit.services import log

from .checks import Fault, check_definition, normalize_definition
from .contract import check_contract
from .definition import Definition, build_appendix
from .models import AppendixVersion
from .spec import UnknownAppendixVersion
from .versions import BUILTIN, definition_for

VERSIONS_DIR = Path(__file__).resolve().parent / "versions"
"""The definition workbooks shipped with rasoat: `<code>.xlsx`, loaded by `ensure_shipped`."""

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CODE_MAX = 20
"""A version code is written into every campaign and snapshot (`appendix_version`, 20 characters)."""
TITLE_MAX = 300


class VersionFrozen(Exception):
    """The version may not change (its message, in Vietnamese, says why and what to do)."""


class DefinitionRefused(Exception):
    """The definition has faults; `faults` lists every one, with sheet, row and column."""

    def __init__(self, faults: list[Fault]) -> None:
        self.faults = list(faults)
        super().__init__(
            _("The definition has %(count)d fault(s); nothing was saved.") % {"count": len(self.faults)}
        )


# --- frozen versions -------------------------------------------------------------------------------


def _campaign_with_data(code: str) -> str | None:
    """The code of a campaign pinned to the version in which some unit has data or a snapshot."""
    from rasoat.campaigns.models import Campaign, Snapshot
    from rasoat.inventory.models import ALL_MODELS

    campaigns = Campaign.objects.filter(appendix_version=code).order_by("code")
    if not campaigns.exists():
        return None
    for model in ALL_MODELS:
        found = (
            model.objects.filter(assignment__campaign__appendix_version=code)
            .order_by()
            .values_list("assignment__campaign__code", flat=True)
            .first()
        )
        if found is not None:
            return found
    return (
        Snapshot.objects.filter(assignment__campaign__appendix_version=code)
        .order_by()
        .values_list("assignment__campaign__code", flat=True)
        .first()
    )


def frozen_reason(code: str) -> str | None:
    """Why the version may not change (Vietnamese), or None when it may (or does not exist yet)."""
    if code in BUILTIN:
        return _(
            "Version %(code)s ships with rasoat as code and is read-only. Copy it to make a version you "
            "can change."
        ) % {"code": code}
    shipped = AppendixVersion.objects.filter(code=code, shipped=True).exists()
    if shipped:
        return _(
            "Version %(code)s ships with rasoat and is read-only. Copy it to make a version you can change."
        ) % {"code": code}
    campaign = _campaign_with_data(code)
    if campaign is not None:
        return _(
            "Version %(code)s is read-only: units of campaign %(campaign)s already hold data in it. Copy "
            "it to make a version you can change."
        ) % {"code": code, "campaign": campaign}
    return None


def is_frozen(code: str) -> bool:
    return frozen_reason(code) is not None


# --- helpers ---------------------------------------------------------------------------------------


def validate_code(code: str) -> None:
    """A new version's code: short, URL-safe, not used yet (ignoring case). ValidationError if not."""
    if not code or not CODE_PATTERN.match(code) or len(code) > CODE_MAX:
        raise ValidationError(
            _(
                "The version code “%(code)s” must start with a letter or digit and hold only letters "
                "without accents, digits, dots, dashes and underscores, at most %(max)d characters."
            )
            % {"code": code, "max": CODE_MAX},
            code="invalid",
        )
    if any(known.lower() == code.lower() for known in BUILTIN) or (
        AppendixVersion.objects.filter(code__iexact=code).exists()
    ):
        raise ValidationError(_("Version %(code)s already exists.") % {"code": code}, code="unique")


def validate_title(title: str | None) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError(_("The version needs a title."), code="required")
    if len(title) > TITLE_MAX:
        raise ValidationError(
            _("The title is too long: at most %(max)d characters.") % {"max": TITLE_MAX}, code="max_length"
        )
    return title


def _checked(definition: Any) -> Definition:
    """The definition normalised, or DefinitionRefused with every fault of checks and contract."""
    faults = check_definition(definition)
    if faults:
        raise DefinitionRefused(faults)
    clean = normalize_definition(definition)
    faults = check_contract(clean)
    if faults:
        raise DefinitionRefused(faults)
    try:
        build_appendix("check", "check", clean)
    except (ValueError, KeyError, TypeError) as error:  # a fault the checks missed: never save it
        raise DefinitionRefused([Fault("columns", None, None, str(error))]) from error
    return clean


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _keep_old_headers(before: Definition, after: Definition) -> Definition:
    """`after` with every header that `before` had for the same sheet and key added to old_headers,
    so workbooks made before the change still read. A header another column of the sheet now uses
    (as its header or an old one) is left out: the reader must find one column by one header."""
    earlier: dict[tuple[str, str], list[str]] = {}
    for row in before.get("columns", ()):
        earlier[row["sheet"], row["key"]] = [row["header"], *(row.get("old_headers") or ())]
    owners: dict[tuple[str, str], str] = {}
    for row in after["columns"]:
        for text in (row["header"], *(row.get("old_headers") or ())):
            owners.setdefault((row["sheet"], _fold(text)), row["key"])
    for row in after["columns"]:
        old = list(row.get("old_headers") or ())
        for header in earlier.get((row["sheet"], row["key"]), ()):
            owner = owners.setdefault((row["sheet"], _fold(header)), row["key"])
            if header and header != row["header"] and header not in old and owner == row["key"]:
                old.append(header)
        row["old_headers"] = old
    return after


def _summary(before: Definition | None, after: Definition) -> dict[str, list]:
    """What the audit entry records of a change: counts, and the keys added and removed per sheet."""

    def keys(definition: Definition | None) -> set[str]:
        return {f"{row['sheet']}.{row['key']}" for row in (definition or {}).get("columns", ())}

    old, new = keys(before), keys(after)
    changes: dict[str, list] = {}
    if new - old:
        changes["columns_added"] = [None, sorted(new - old)]
    if old - new:
        changes["columns_removed"] = [sorted(old - new), None]
    old_sheets = [row["code"] for row in (before or {}).get("sheets", ())]
    new_sheets = [row["code"] for row in after.get("sheets", ())]
    if old_sheets != new_sheets:
        changes["sheets"] = [old_sheets or None, new_sheets]
    if before is not None:
        rows = {(row["sheet"], row["key"]): row for row in before.get("columns", ())}
        changed = [
            f"{row['sheet']}.{row['key']}"
            for row in after["columns"]
            if (row["sheet"], row["key"]) in rows and rows[row["sheet"], row["key"]] != row
        ]
        if changed:
            changes["columns_changed"] = [None, changed]
        if before.get("choices") != after.get("choices"):
            changes["choices"] = [len(before.get("choices", ())), len(after["choices"])]
    return changes


def _locked(code: str) -> AppendixVersion:
    version = AppendixVersion.objects.select_for_update().filter(code=code).first()
    if version is None:
        raise UnknownAppendixVersion(f"unknown appendix version {code!r}")
    return version


def _lock_assignments(code: str) -> None:
    """Lock the assignments of the campaigns pinned to the version, as every data save locks its own
    (`inventory.services`): a save of data and a change of the version then happen one after the
    other, so no data is ever stored under a definition that changed beneath it."""
    from rasoat.campaigns.models import Assignment

    list(
        # Only the assignment rows, in id order, as `inventory.services` and `remove_units` lock them.
        Assignment.objects.select_for_update(of=("self",))
        .filter(campaign__appendix_version=code)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- operations ------------------------------------------------------------------------------------


def copy_version(source: str, code: str, title: str, actor=None) -> AppendixVersion:
    """A new unfrozen version with the definition of `source` (any version, 2026.1 included)."""
    definition = copy.deepcopy(definition_for(source))
    code = (code or "").strip()
    validate_code(code)
    title = validate_title(title)
    with transaction.atomic():
        version = AppendixVersion.objects.create(
            code=code,
            title=title,
            definition=normalize_definition(definition),
            based_on=source,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        log(actor, "appendix_version.copied", version, {"code": [source, code], "title": [None, title]})
    return version


class VersionChanged(Exception):
    """The version was saved by someone else since `expected_revision` was read."""


def save_definition(
    code: str,
    definition: Any,
    *,
    actor=None,
    title: str | None = None,
    expected_revision: int | None = None,
) -> AppendixVersion:
    """Replace the definition (and title) of an unfrozen version; revision + 1, audited.

    VersionFrozen when the version may not change, DefinitionRefused with every fault, and
    UnknownAppendixVersion when there is no stored version by that code. With `expected_revision`
    (the web editor's optimistic lock), VersionChanged when the stored revision is another one.
    """
    reason = frozen_reason(code)
    if reason is not None:
        raise VersionFrozen(reason)
    new_title = validate_title(title) if title is not None else None
    clean = _checked(definition)
    with transaction.atomic():
        version = _locked(code)
        if expected_revision is not None and version.revision != expected_revision:
            raise VersionChanged(code)
        _lock_assignments(code)
        # Again under the locks: a unit may have saved data since the first look.
        reason = frozen_reason(code)
        if reason is not None:
            raise VersionFrozen(reason)
        before = version.definition
        clean = _keep_old_headers(before, clean)
        faults = check_definition(clean)  # what was added is checked as the rest was
        if faults:
            raise DefinitionRefused(faults)
        changes = _summary(before, clean)
        if new_title is not None and new_title != version.title:
            changes["title"] = [version.title, new_title]
            version.title = new_title
        changes["revision"] = [version.revision, version.revision + 1]
        version.definition = clean
        version.revision += 1
        version.save()
        log(actor, "appendix_version.saved", version, changes)
    return version


def import_definition(code: str, definition: Any, *, title: str, actor=None) -> AppendixVersion:
    """Create the version `code` from a definition, or replace the definition of an unfrozen one."""
    code = (code or "").strip()
    if code in BUILTIN or AppendixVersion.objects.filter(code=code).exists():
        return save_definition(code, definition, actor=actor, title=title)
    validate_code(code)
    title = validate_title(title)
    clean = _checked(definition)
    with transaction.atomic():
        version = AppendixVersion.objects.create(
            code=code,
            title=title,
            definition=clean,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        changes = _summary(None, clean)
        changes["title"] = [None, title]
        log(actor, "appendix_version.imported", version, changes)
    return version


# --- shipped versions ------------------------------------------------------------------------------

_shipped_cache: dict[Path, tuple[str, tuple[Definition, str]]] = {}
_shipped_lock = threading.Lock()


class ShippedVersionBroken(RuntimeError):
    """A workbook under `versions/` has faults: a defect of the release, not of any installation."""


def _read_shipped(path: Path) -> tuple[Definition, str]:
    """The checked definition and title of a shipped workbook, read once per process and file content."""
    from .workbook import read_definition, read_title

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    cached = _shipped_cache.get(path)
    if cached is not None and cached[0] == digest:
        return copy.deepcopy(cached[1])
    definition, faults = read_definition(path)
    if definition is None or faults:
        raise ShippedVersionBroken(f"{path.name}: {[fault.as_json() for fault in faults]}")
    try:
        clean = _checked(definition)
    except DefinitionRefused as refused:
        raise ShippedVersionBroken(f"{path.name}: {[f.as_json() for f in refused.faults]}") from refused
    title = read_title(path) or path.stem
    with _shipped_lock:
        _shipped_cache[path] = (digest, (clean, title))
    return copy.deepcopy((clean, title))


def ensure_shipped(directory: Path | None = None, *, audit: bool = True) -> dict[str, str]:
    """Store every `versions/*.xlsx` as a shipped read-only version (code = file name without .xlsx).

    Idempotent. A file that changed updates its version unless a campaign's unit already has data
    in it (then the stored one stays, as data must keep reading the same). A stored version of that
    code made by an administrator is left alone. Returns {code: "created" | "updated" | "unchanged" |
    "kept"}. `audit=False` only for the test database, which starts as an installation whose log
    is empty (tests count the entries their actions write).
    """
    directory = directory or VERSIONS_DIR
    outcome: dict[str, str] = {}
    for path in sorted(directory.glob("*.xlsx")):
        if path.name.startswith(("~", ".")):
            continue
        code = path.stem
        definition, title = _read_shipped(path)
        with transaction.atomic():
            version = AppendixVersion.objects.select_for_update().filter(code=code).first()
            if version is None:
                try:
                    with transaction.atomic():
                        version = AppendixVersion.objects.create(
                            code=code, title=title, definition=definition, shipped=True
                        )
                except IntegrityError:  # another `rasoat init` stored it a moment ago
                    outcome[code] = "unchanged"
                    continue
                if audit:
                    log(None, "appendix_version.shipped", version, {"title": [None, title]}, note=path.name)
                outcome[code] = "created"
            elif not version.shipped:
                outcome[code] = "kept"
            elif version.definition == definition and version.title == title:
                outcome[code] = "unchanged"
            elif _campaign_with_data(code) is not None:
                outcome[code] = "kept"
            else:
                changes = _summary(version.definition, definition)
                if version.title != title:
                    changes["title"] = [version.title, title]
                changes["revision"] = [version.revision, version.revision + 1]
                version.definition, version.title = definition, title
                version.revision += 1
                version.save()
                if audit:
                    log(None, "appendix_version.shipped", version, changes, note=path.name)
                outcome[code] = "updated"
    return outcome
