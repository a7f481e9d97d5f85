"""Fixtures of the REST API tests: an authenticated client and a Hepsiburada channel."""

from __future__ import annotations

import pytest


@pytest.fixture
def user(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("api", password="api-pass-123")


@pytest.fixture
def api(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def anon():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def hb_channel(channel_factory):
    """``channel_factory`` of the root conftest, skipped while Hepsiburada cannot load."""
    try:
        from mpdash.marketplaces import registry

        registry.adapter_class("hepsiburada").default_schema()
    except Exception as exc:  # the package is being written in parallel
        pytest.skip(f"the Hepsiburada marketplace package does not import yet: {exc.__class__.__name__}: {exc}")
    return channel_factory
