import pytest

from mpdash.marketplaces.akinon.simulator import serve


@pytest.fixture
def sim():
    simulator = serve(rate_limit=0, approval_delay=0.2, processing_delay=0.2, timeout_sleep=1.0)
    yield simulator
    simulator.stop()
