"""Payments tests: a local fake Razorpay/Stripe server and settings that point the clients at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.payments.fake_providers import (
    RZP_KEY_ID,
    RZP_KEY_SECRET,
    RZP_WEBHOOK_SECRET,
    STRIPE_SECRET,
    STRIPE_WEBHOOK_SECRET,
    FakeProviders,
    ProviderServer,
)

SANDBOX_SECRET = "sandbox-test-secret"


@pytest.fixture(scope="session")
def provider_server() -> Iterator[ProviderServer]:
    server = ProviderServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def providers(provider_server: ProviderServer) -> Iterator[FakeProviders]:
    provider_server.fake.reset()
    yield provider_server.fake
    provider_server.fake.reset()


@pytest.fixture
def settings_overrides(providers: FakeProviders) -> dict[str, Any]:
    return {
        "payments_sandbox": True,
        "payments_sandbox_secret": SANDBOX_SECRET,
        "razorpay_api_base": providers.url,
        "razorpay_key_id": RZP_KEY_ID,
        "razorpay_key_secret": RZP_KEY_SECRET,
        "razorpay_webhook_secret": RZP_WEBHOOK_SECRET,
        "stripe_api_base": providers.url,
        "stripe_secret_key": STRIPE_SECRET,
        "stripe_publishable_key": "pk_test_fake",
        "stripe_webhook_secret": STRIPE_WEBHOOK_SECRET,
        "payments_provider_timeout_seconds": 5.0,
    }
