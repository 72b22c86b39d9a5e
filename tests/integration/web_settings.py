"""Settings of a web server that a test starts: the production settings
(``DJANGO_DEBUG=false``), except that static files are not collected first, so their
URLs are not hashed (collecting them takes longer than the test)."""

from pop_platform.settings import *  # noqa: F403
from pop_platform.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
