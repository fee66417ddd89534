from __future__ import annotations

# The case tests' fixtures (the default taxonomy, a resident's report in grid A), shared here.
from tests.cases.conftest import hallway, report, taxonomy  # noqa: F401
