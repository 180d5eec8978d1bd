"""Fixtures shared by the integration tests of several capabilities."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.api import Api
from tests.support.workflow import Workflow, new_workflow


@pytest.fixture
def workflow(api_as: Callable[..., Api]) -> Workflow:
    """A fresh district per test: teacher, coach, two reviewers, an admin, a consented video."""
    return new_workflow(api_as)
