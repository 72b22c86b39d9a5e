"""Each pytest-xdist worker gets resources of its own (loaded with ``-p`` from
``pyproject.toml``, before Django's settings are read).

- Test database: pytest-django adds the worker's name (``test_pop_platform_gw0``).
- Var folder (``POP_VAR_DIR``): a folder per worker under the configured one.
- Redis database of the integration tests (``POP_TEST_REDIS_DB``): the configured one
  for the first worker, the next ones for the others (14 and 15 by default).
- Ports: every server a test starts takes a free one (``tests.integration.harness``).
"""

import os
from pathlib import Path

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw"):
    _index = int(_worker[2:])
    _base = os.environ.get("POP_VAR_DIR") or str(Path(__file__).resolve().parents[1] / "var")
    os.environ["POP_VAR_DIR"] = str(Path(_base) / f"xdist-{_worker}")
    _redis = int(os.environ.get("POP_TEST_REDIS_DB", "14"))
    os.environ["POP_TEST_REDIS_DB"] = str(_redis + _index)
