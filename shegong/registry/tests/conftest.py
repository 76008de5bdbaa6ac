import datetime

import pytest


@pytest.fixture(autouse=True)
def imports_never_wait_for_each_other(monkeypatch):
    """An import that meets another running import into its area waits up to half an hour;
    in tests it gives up at once, so a batch left running shows as a refusal, not a hang.
    The tests of the waiting itself set their own limit."""
    from shegong.registry.importer import services

    monkeypatch.setattr(services, "WAIT_FOR_OVERLAP", datetime.timedelta(0))
