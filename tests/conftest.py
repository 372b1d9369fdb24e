"""Shared fixtures: the Lai Châu registry, the first campaign and the named personas.

Personas (CONVENTIONS.md): admin and reviewer at the province, editors of the
communes Mường Kim and Mường Tè, a viewer of Mường Kim, and anonymous.
"""

import pytest
from django.test import Client

from rasoat.appendix.services import ensure_shipped
from rasoat.campaigns.models import Campaign
from rasoat.campaigns.services import ensure_first_campaign
from rasoat.orgs.models import Membership, Unit, User
from rasoat.orgs.registry import load_seed_registry
from rasoat.orgs.roles import Role

PASSWORD = "mat-khau-thu-nghiem-2026"

MUONG_KIM = "X.03637"
MUONG_TE = "X.03445"
MUONG_KIM_UNITS = ["X.03637.DU", "X.03637.HD", "X.03637.UB", "X.03637.TT", "X.03637.MT"]
MUONG_TE_UNITS = ["X.03445.DU", "X.03445.HD", "X.03445.UB", "X.03445.TT", "X.03445.MT"]

# persona name -> (role, unit code); None for anonymous
PERSONAS = {
    "admin": (Role.ADMIN, "LC"),
    "reviewer": (Role.REVIEWER, "LC"),
    "editor_muong_kim": (Role.EDITOR, MUONG_KIM),
    "editor_muong_te": (Role.EDITOR, MUONG_TE),
    "viewer_muong_kim": (Role.VIEWER, MUONG_KIM),
}


@pytest.fixture(autouse=True)
def _vietnamese(settings):
    """Tests see the product as its users do: in Vietnamese."""
    settings.LANGUAGE_CODE = "vi"


@pytest.fixture(autouse=True)
def _fresh_appendix_versions():
    """Each test's database is rolled back, so no process-wide build of a stored version may outlive it."""
    from rasoat.appendix.versions import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The production hasher is slow on purpose; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file rather than shared memory: the concurrency tests open
    one connection per thread, and a shared-cache memory database refuses a second writer at once
    (SQLITE_LOCKED) where a file database makes it wait, as production does."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the registry and the first campaign once; each test's transaction rolls back over them.

    Browser tests (transactional) flush the tables; `lai_chau` loads them again when that happened.
    """
    with django_db_blocker.unblock():
        load_seed_registry()
        ensure_first_campaign()
        ensure_shipped(audit=False)


@pytest.fixture
def empty_database(db) -> None:
    """No registry and no campaign, as on a fresh install."""
    from rasoat.campaigns.models import Assignment

    Assignment.objects.all().delete()
    Campaign.objects.all().delete()
    Unit.objects.update(parent=None, commune=None)
    Unit.objects.all().delete()


@pytest.fixture
def lai_chau(db) -> Unit:
    """The shipped registry and the first campaign; returns the province."""
    if not Unit.objects.exists():
        load_seed_registry()
        ensure_shipped(audit=False)
    ensure_first_campaign()
    return Unit.objects.get(code="LC")


@pytest.fixture
def campaign(lai_chau) -> Campaign:
    return Campaign.objects.get(code="RS2026")


def make_user(username: str, role: str | None = None, unit_code: str | None = None, **fields) -> User:
    """A user with the test password and, when given, one membership."""
    user = User.objects.create_user(
        username, password=PASSWORD, full_name=fields.pop("full_name", username), **fields
    )
    if role:
        Membership.objects.create(user=user, unit=Unit.objects.get(code=unit_code), role=role)
    return user


@pytest.fixture
def personas(lai_chau) -> dict[str, User | None]:
    users: dict[str, User | None] = {
        name: make_user(name, role, code) for name, (role, code) in PERSONAS.items()
    }
    users["anonymous"] = None
    return users


def client_for(user: User | None) -> Client:
    """A client signed in as `user` with every sign-in step done (second factor included)."""
    from tests.otp import verify_session

    client = Client()
    if user is not None:
        client.force_login(user)
        verify_session(client, user)
    return client


@pytest.fixture
def clients(personas) -> dict[str, Client]:
    """A logged-in test client per persona ("anonymous" is logged out)."""
    return {name: client_for(user) for name, user in personas.items()}


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings, tmp_path_factory):
    """Background jobs run inside the request that asks for them (django-tasks' immediate backend),
    so that tests of imports and edits see the assessment at once, as before jobs existed. The tests
    of the jobs themselves (tests/jobs) switch to the database queue and real worker processes."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Exports stay downloads in the response; tests/jobs lower the threshold to test export jobs.
    settings.JOBS_EXPORT_THRESHOLD = 1_000_000
    settings.JOBS_RESULT_ROOT = tmp_path_factory.getbasetemp() / "job-results"
