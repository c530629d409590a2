"""Fixtures for learning tests: a published course whose lessons have a ready video of known length."""
from __future__ import annotations

import pytest

from tests.courses.conftest import people, request_ctx  # noqa: F401  (fixtures)
from tests.factories import make_ready_course


@pytest.fixture
def course(db):
    return make_ready_course(db)
