"""Fixtures of the report tests: sample data in a few units, each kind rendered once per session, and
its PDF made once by LibreOffice (slow: one `soffice` run converts all five).

Without LibreOffice or pdftotext/pdffonts (poppler-utils) the PDF tests skip with the reason printed;
with RASOAT_REQUIRE_LIBREOFFICE set (CI) they fail instead, so they cannot silently stop running.
"""

import datetime
import io
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from rasoat.inventory import workflow
from tests.inventory.test_workflow import assignment_of, data_for, load

KINDS = ["unit", "party_unit", "commune", "province", "reminder", "request"]
"""The five kinds, the unit report twice: a People's Committee's and a Party committee's."""
TODAY = datetime.date(2026, 5, 10)
SOFFICE = "/usr/bin/soffice"

COMMITTEE = "X.03637.UB"
PARTY = "X.03637.DU"
ONE_STOP = "X.03637.TT"
DEPARTMENT = "T.SKHCN"
MUONG_KIM = "X.03637"


def seed(campaign, actor):
    """Sample data in four units; the commune's People's Committee submitted, the department accepted."""
    assignments = {code: assignment_of(campaign, code) for code in (COMMITTEE, PARTY, ONE_STOP, DEPARTMENT)}
    for assignment in assignments.values():
        load(assignment, data_for(assignment.unit))
    for code in (COMMITTEE, DEPARTMENT):
        workflow.submit(assignments[code], actor, acknowledge_warnings=True)
    workflow.accept(assignments[DEPARTMENT], actor)
    return assignments


def generate_all(campaign, actor) -> dict:
    """Every kind's .docx bytes and its template context, after `seed`."""
    from rasoat.orgs.models import Unit
    from rasoat.reports import render, services

    assignments = seed(campaign, actor)
    targets = {
        "unit": ("unit", {"assignment": assignments[COMMITTEE]}),
        "party_unit": ("unit", {"assignment": assignments[PARTY]}),
        "commune": ("commune", {"commune": Unit.objects.get(code=MUONG_KIM)}),
        "province": ("province", {}),
        "reminder": ("reminder", {}),
        "request": ("request", {}),
    }
    result = {}
    for name, (kind, target) in targets.items():
        context = services.build_context(kind, campaign, today=TODAY, **target)
        result[name] = (kind, context, render.render_docx(kind, context))
    return result


@dataclass
class Rendered:
    kind: str
    context: dict
    content: bytes

    @property
    def document(self) -> docx.document.Document:
        return docx.Document(io.BytesIO(self.content))


@pytest.fixture(scope="session")
def rendered(django_db_setup, django_db_blocker) -> dict[str, Rendered]:
    """Each kind rendered once, inside a transaction rolled back afterwards (tests start clean).

    A module using it must be marked django_db: pytest-django creates the test database only when some
    collected test asks for it, and this fixture must never write to a real one.
    """
    from django.db import connection, transaction

    from rasoat.campaigns.models import Campaign
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.models import Unit, User
    from rasoat.orgs.registry import load_seed_registry

    name = str(connection.settings_dict["NAME"])
    assert "memory" in name or "test" in name, f"not a test database: {name}"
    with django_db_blocker.unblock(), transaction.atomic():
        # Browser tests flush the tables; put the registry back (rolled back with the rest).
        if not Unit.objects.exists():
            load_seed_registry()
        ensure_first_campaign()
        actor = User.objects.create(username="bao-cao-reviewer", full_name="Cán bộ tổng hợp")
        generated = generate_all(Campaign.objects.get(code="RS2026"), actor)
        transaction.set_rollback(True)
    return {name: Rendered(kind, context, content) for name, (kind, context, content) in generated.items()}


def require_tool(path: str | None, what: str) -> str:
    """The tool's path; skip (or fail in CI) when it is missing."""
    if path and Path(path).exists():
        return path
    reason = f"{what} not found: PDF tests skipped"
    if os.environ.get("RASOAT_REQUIRE_LIBREOFFICE"):
        pytest.fail(reason.replace("skipped", "required in CI (RASOAT_REQUIRE_LIBREOFFICE)"))
    print(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pdfs(rendered, tmp_path_factory) -> dict[str, Path]:
    """Every rendered kind converted to PDF by one LibreOffice run with a private profile."""
    soffice = require_tool(SOFFICE if Path(SOFFICE).exists() else shutil.which("soffice"), "LibreOffice")
    folder = tmp_path_factory.mktemp("pdf")
    sources = []
    for name, item in rendered.items():
        path = folder / f"{name}.docx"
        path.write_bytes(item.content)
        sources.append(str(path))
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                *sources,
            ],
            capture_output=True,
            timeout=300,
            check=False,
        )
    return {name: folder / f"{name}.pdf" for name in rendered}


@pytest.fixture(scope="session")
def poppler() -> dict[str, str]:
    return {
        tool: require_tool(shutil.which(tool), f"{tool} (poppler-utils)")
        for tool in ("pdftotext", "pdffonts")
    }
