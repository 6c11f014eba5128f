"""Clients for the payment providers' HTTP APIs and their signature checks.

Calls go through httpx to a configurable base URL (``LMS_RAZORPAY_API_BASE``, ``LMS_STRIPE_API_BASE``),
so tests and air-gapped machines point them at a local server. Signatures are verified with the
providers' official SDKs (``razorpay.Utility``, ``stripe.WebhookSignature``).
"""

from __future__ import annotations

import hashlib
import hmac
import ssl
from functools import cache
from typing import Any

import httpx
import razorpay
import stripe
import structlog
from razorpay.errors import SignatureVerificationError as RazorpaySignatureError

from lms.config import Settings
from lms.core.errors import ErrorCode, LMSError

log = structlog.get_logger("lms.payments")


class ProviderError(LMSError):
    status, code, title = 502, ErrorCode.PROVIDER_ERROR, "Payment provider error"


class ProviderUnavailable(LMSError):
    status, code, title = 422, ErrorCode.PROVIDER_UNAVAILABLE, "Payment provider unavailable"


class InvalidSignature(LMSError):
    status, code, title = 400, ErrorCode.INVALID_SIGNATURE, "Invalid signature"


@cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle takes a noticeable fraction of a second: do it once per process.
    return ssl.create_default_context()


async def _request(
    settings: Settings,
    method: str,
    url: str,
    *,
    auth: httpx.Auth | tuple[str, str] | None = None,
    headers: dict[str, str] | None = None,
    json: dict[str, Any] | None = None,
    data: dict[str, str] | None = None,
) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(
            timeout=settings.payments_provider_timeout_seconds, verify=_tls_context()
        ) as client:
            resp = await client.request(method, url, auth=auth, headers=headers, json=json, data=data)
    except httpx.HTTPError as exc:
        log.warning("provider_unreachable", url=url, error=repr(exc))
        raise ProviderError("The payment provider could not be reached; try again shortly.") from exc
    if resp.status_code >= 400:
        log.warning("provider_error", url=url, status=resp.status_code, body=resp.text[:500])
        raise ProviderError(f"The payment provider refused the request (HTTP {resp.status_code}).")
    try:
        body = resp.json()
    except ValueError as exc:
        raise ProviderError("The payment provider answered with something that is not JSON.") from exc
    if not isinstance(body, dict):
        raise ProviderError("Unexpected answer from the payment provider.")
    return body


class RazorpayClient:
    """Razorpay Orders, Payments and Refunds APIs (JSON, HTTP basic auth with key id and secret)."""

    def __init__(self, settings: Settings) -> None:
        if not (settings.razorpay_key_id and settings.razorpay_key_secret):
            raise ProviderUnavailable("Razorpay is not configured on this server.")
        self.settings = settings
        self.base = settings.razorpay_api_base.rstrip("/")
        self.auth = (settings.razorpay_key_id, settings.razorpay_key_secret)
        self.key_id = settings.razorpay_key_id

    async def create_order(self, *, receipt: str, amount: int, currency: str, notes: dict[str, str]) -> dict[str, Any]:
        return await _request(
            self.settings,
            "POST",
            f"{self.base}/v1/orders",
            auth=self.auth,
            json={"amount": amount, "currency": currency, "receipt": receipt, "notes": notes},
        )

    async def order_payments(self, provider_order_id: str) -> list[dict[str, Any]]:
        body = await _request(
            self.settings, "GET", f"{self.base}/v1/orders/{provider_order_id}/payments", auth=self.auth
        )
        items = body.get("items", [])
        return [i for i in items if isinstance(i, dict)]

    async def refund(self, *, payment_id: str, amount: int, notes: dict[str, str]) -> dict[str, Any]:
        return await _request(
            self.settings,
            "POST",
            f"{self.base}/v1/payments/{payment_id}/refund",
            auth=self.auth,
            json={"amount": amount, "speed": "normal", "notes": notes},
        )

    def _utility(self) -> razorpay.Utility:
        return razorpay.Utility(razorpay.Client(auth=self.auth))

    def verify_payment_signature(self, *, order_id: str, payment_id: str, signature: str) -> None:
        """The checkout's return: HMAC-SHA256 of ``order_id|payment_id`` with the key secret."""
        try:
            self._utility().verify_payment_signature(
                {"razorpay_order_id": order_id, "razorpay_payment_id": payment_id, "razorpay_signature": signature}
            )
        except (RazorpaySignatureError, ValueError, TypeError) as exc:
            raise InvalidSignature("The Razorpay payment signature does not verify.") from exc

    @staticmethod
    def verify_webhook(settings: Settings, body: bytes, signature: str | None) -> None:
        """``X-Razorpay-Signature``: HMAC-SHA256 of the raw body with the webhook secret."""
        if not settings.razorpay_webhook_secret:
            raise ProviderUnavailable("Razorpay webhooks are not configured on this server.")
        if not signature:
            raise InvalidSignature("X-Razorpay-Signature is missing.")
        try:
            text = body.decode("utf-8")
            razorpay.Utility(None).verify_webhook_signature(text, signature, settings.razorpay_webhook_secret)
        except (RazorpaySignatureError, UnicodeDecodeError, ValueError, TypeError) as exc:
            raise InvalidSignature("The Razorpay webhook signature does not verify.") from exc


class StripeClient:
    """Stripe Checkout Sessions and Refunds (form-encoded requests, bearer secret key)."""

    def __init__(self, settings: Settings) -> None:
        if not settings.stripe_secret_key:
            raise ProviderUnavailable("Stripe is not configured on this server.")
        self.settings = settings
        self.base = settings.stripe_api_base.rstrip("/")
        self.headers = {"Authorization": f"Bearer {settings.stripe_secret_key}"}

    async def create_checkout_session(
        self,
        *,
        order_id: str,
        amount: int,
        currency: str,
        product_name: str,
        success_url: str,
        cancel_url: str,
        expires_at: int,
        customer_email: str,
    ) -> dict[str, Any]:
        form = {
            "mode": "payment",
            "client_reference_id": order_id,
            "customer_email": customer_email,
            "success_url": success_url,
            "cancel_url": cancel_url,
            "expires_at": str(expires_at),
            "line_items[0][quantity]": "1",
            "line_items[0][price_data][currency]": currency.lower(),
            "line_items[0][price_data][unit_amount]": str(amount),
            "line_items[0][price_data][product_data][name]": product_name[:250],
            "metadata[order_id]": order_id,
            "payment_intent_data[metadata][order_id]": order_id,
        }
        headers = self.headers | {"Idempotency-Key": f"checkout-{order_id}"}
        return await _request(self.settings, "POST", f"{self.base}/v1/checkout/sessions", headers=headers, data=form)

    async def get_session(self, session_id: str) -> dict[str, Any]:
        return await _request(
            self.settings, "GET", f"{self.base}/v1/checkout/sessions/{session_id}", headers=self.headers
        )

    async def refund(self, *, payment_intent: str, amount: int, refund_id: str) -> dict[str, Any]:
        form = {"payment_intent": payment_intent, "amount": str(amount), "metadata[refund_id]": refund_id}
        headers = self.headers | {"Idempotency-Key": f"refund-{refund_id}"}
        return await _request(self.settings, "POST", f"{self.base}/v1/refunds", headers=headers, data=form)

    @staticmethod
    def verify_webhook(settings: Settings, body: bytes, header: str | None) -> None:
        """``Stripe-Signature: t=...,v1=...`` over ``{t}.{body}``, refused outside the timestamp tolerance."""
        if not settings.stripe_webhook_secret:
            raise ProviderUnavailable("Stripe webhooks are not configured on this server.")
        if not header:
            raise InvalidSignature("Stripe-Signature is missing.")
        try:
            stripe.WebhookSignature.verify_header(
                body.decode("utf-8"), header, settings.stripe_webhook_secret, settings.stripe_webhook_tolerance_seconds
            )
        # TypeError: the SDK's compare_digest refuses a non-ASCII signature instead of saying it differs.
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError, TypeError) as exc:
            raise InvalidSignature(f"The Stripe webhook signature does not verify: {exc}") from exc


def sandbox_signature(settings: Settings, *, order_id: str, outcome: str) -> str:
    """The sandbox provider signs its confirmation like Razorpay does: HMAC-SHA256 of ``order_id|outcome``."""
    message = f"{order_id}|{outcome}".encode()
    return hmac.new(settings.payments_sandbox_secret.encode(), message, hashlib.sha256).hexdigest()


def verify_sandbox_signature(settings: Settings, *, order_id: str, outcome: str, signature: str) -> None:
    expected = sandbox_signature(settings, order_id=order_id, outcome=outcome)
    if not hmac.compare_digest(expected.encode(), signature.encode()):  # bytes: any input is comparable
        raise InvalidSignature("The sandbox confirmation signature does not verify.")
