"""The plan and conversation fixtures, for tests that span the apps."""

from tests.conversations.conftest import conversation  # noqa: F401
from tests.plans.conftest import listener, pop  # noqa: F401
from tests.stored_text import stored  # noqa: F401
