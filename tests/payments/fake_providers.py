"""A local stand-in for the Razorpay and Stripe APIs, answering with their documented response shapes.

It runs in a thread (uvicorn) on a free port; tests read and change its state directly (``pay``,
``refund_status``) and build webhook bodies and signatures the way the providers document them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

RZP_KEY_ID, RZP_KEY_SECRET, RZP_WEBHOOK_SECRET = "rzp_test_key", "rzp_test_secret", "rzp_webhook_secret"
STRIPE_SECRET, STRIPE_WEBHOOK_SECRET = "sk_test_fake", "whsec_test_secret"


def razorpay_payment_signature(order_id: str, payment_id: str, secret: str = RZP_KEY_SECRET) -> str:
    """Razorpay Checkout's handler signature: HMAC-SHA256(order_id|payment_id, key_secret), hex."""
    return hmac.new(secret.encode(), f"{order_id}|{payment_id}".encode(), hashlib.sha256).hexdigest()


def razorpay_webhook_signature(body: bytes, secret: str = RZP_WEBHOOK_SECRET) -> str:
    """X-Razorpay-Signature: HMAC-SHA256(raw body, webhook secret), hex."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def stripe_signature_header(body: bytes, secret: str = STRIPE_WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """Stripe-Signature: t=<unix time>,v1=HMAC-SHA256("<t>.<raw body>", endpoint secret), hex."""
    t = int(time.time()) if timestamp is None else timestamp
    sig = hmac.new(secret.encode(), f"{t}.{body.decode()}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={sig}"


@dataclass
class FakeProviders:
    url: str = ""
    razorpay_orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    razorpay_payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    stripe_sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    refund_status: str = "pending"  # what a new refund reports: pending | processed/succeeded
    fail_next: int = 0  # answer the next N API calls with HTTP 500
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):014d}"

    # Test-side actions --------------------------------------------------------------------------------
    def razorpay_pay(self, order_id: str, *, status: str = "captured") -> dict[str, Any]:
        """A customer pays a Razorpay order: returns the payment entity."""
        with self.lock:
            order = self.razorpay_orders[order_id]
            payment = {
                "id": self.new_id("pay"),
                "entity": "payment",
                "amount": order["amount"],
                "currency": order["currency"],
                "status": status,
                "order_id": order_id,
                "method": "upi",
                "captured": status == "captured",
                "error_description": None if status != "failed" else "Payment declined by bank",
                "created_at": int(time.time()),
            }
            self.razorpay_payments[payment["id"]] = payment
            if status == "captured":
                order.update(status="paid", amount_paid=order["amount"], amount_due=0)
            order["attempts"] += 1
            return payment

    def stripe_complete(self, session_id: str) -> dict[str, Any]:
        """A customer completes a Stripe Checkout Session: returns the session."""
        with self.lock:
            cs = self.stripe_sessions[session_id]
            cs.update(status="complete", payment_status="paid", payment_intent=self.new_id("pi"))
            return dict(cs)

    # The HTTP side --------------------------------------------------------------------------------------
    def _check_fail(self) -> JSONResponse | None:
        if self.fail_next > 0:
            self.fail_next -= 1
            return JSONResponse({"error": {"code": "SERVER_ERROR", "description": "boom"}}, status_code=500)
        return None

    def _rzp_auth(self, request: Request) -> bool:
        expected = base64.b64encode(f"{RZP_KEY_ID}:{RZP_KEY_SECRET}".encode()).decode()
        return request.headers.get("authorization") == f"Basic {expected}"

    def _stripe_auth(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {STRIPE_SECRET}"

    def app(self) -> Starlette:
        async def rzp_create_order(request: Request) -> JSONResponse:
            self.requests.append(("POST", "/v1/orders"))
            if not self._rzp_auth(request):
                return JSONResponse({"error": {"code": "BAD_REQUEST_ERROR"}}, status_code=401)
            if (failure := self._check_fail()) is not None:
                return failure
            body = await request.json()
            with self.lock:
                order = {
                    "id": self.new_id("order"),
                    "entity": "order",
                    "amount": body["amount"],
                    "amount_paid": 0,
                    "amount_due": body["amount"],
                    "currency": body["currency"],
                    "receipt": body.get("receipt"),
                    "offer_id": None,
                    "status": "created",
                    "attempts": 0,
                    "notes": body.get("notes", {}),
                    "created_at": int(time.time()),
                }
                self.razorpay_orders[order["id"]] = order
            return JSONResponse(order)

        async def rzp_order_payments(request: Request) -> JSONResponse:
            oid = request.path_params["order_id"]
            self.requests.append(("GET", f"/v1/orders/{oid}/payments"))
            if not self._rzp_auth(request):
                return JSONResponse({"error": {"code": "BAD_REQUEST_ERROR"}}, status_code=401)
            items = [p for p in self.razorpay_payments.values() if p["order_id"] == oid]
            return JSONResponse({"entity": "collection", "count": len(items), "items": items})

        async def rzp_refund(request: Request) -> JSONResponse:
            pid = request.path_params["payment_id"]
            self.requests.append(("POST", f"/v1/payments/{pid}/refund"))
            if not self._rzp_auth(request):
                return JSONResponse({"error": {"code": "BAD_REQUEST_ERROR"}}, status_code=401)
            if (failure := self._check_fail()) is not None:
                return failure
            body = await request.json()
            payment = self.razorpay_payments[pid]
            refund = {
                "id": self.new_id("rfnd"),
                "entity": "refund",
                "amount": body.get("amount", payment["amount"]),
                "currency": payment["currency"],
                "payment_id": pid,
                "notes": body.get("notes", {}),
                "status": self.refund_status,
                "speed_requested": body.get("speed", "normal"),
                "created_at": int(time.time()),
            }
            self.refunds.append(refund)
            return JSONResponse(refund)

        async def stripe_create_session(request: Request) -> JSONResponse:
            self.requests.append(("POST", "/v1/checkout/sessions"))
            if not self._stripe_auth(request):
                return JSONResponse({"error": {"type": "invalid_request_error"}}, status_code=401)
            if (failure := self._check_fail()) is not None:
                return failure
            form = await request.form()
            with self.lock:
                sid = self.new_id("cs_test")
                cs = {
                    "id": sid,
                    "object": "checkout.session",
                    "mode": form["mode"],
                    "amount_total": int(str(form["line_items[0][price_data][unit_amount]"])),
                    "currency": form["line_items[0][price_data][currency]"],
                    "client_reference_id": form.get("client_reference_id"),
                    "customer_email": form.get("customer_email"),
                    "metadata": {"order_id": form.get("metadata[order_id]")},
                    "payment_intent": None,
                    "payment_status": "unpaid",
                    "status": "open",
                    "success_url": form["success_url"],
                    "cancel_url": form["cancel_url"],
                    "expires_at": int(str(form["expires_at"])),
                    "url": f"https://checkout.stripe.com/c/pay/{sid}",
                }
                self.stripe_sessions[sid] = cs
            return JSONResponse(cs)

        async def stripe_get_session(request: Request) -> JSONResponse:
            sid = request.path_params["session_id"]
            self.requests.append(("GET", f"/v1/checkout/sessions/{sid}"))
            if not self._stripe_auth(request):
                return JSONResponse({"error": {"type": "invalid_request_error"}}, status_code=401)
            if sid not in self.stripe_sessions:
                return JSONResponse({"error": {"type": "invalid_request_error"}}, status_code=404)
            return JSONResponse(self.stripe_sessions[sid])

        async def stripe_refund(request: Request) -> JSONResponse:
            self.requests.append(("POST", "/v1/refunds"))
            if not self._stripe_auth(request):
                return JSONResponse({"error": {"type": "invalid_request_error"}}, status_code=401)
            if (failure := self._check_fail()) is not None:
                return failure
            form = await request.form()
            pi = str(form["payment_intent"])
            session = next(s for s in self.stripe_sessions.values() if s["payment_intent"] == pi)
            refund = {
                "id": self.new_id("re"),
                "object": "refund",
                "amount": int(str(form.get("amount", session["amount_total"]))),
                "currency": session["currency"],
                "payment_intent": pi,
                "metadata": {"refund_id": form.get("metadata[refund_id]")},
                "status": self.refund_status,
                "created": int(time.time()),
            }
            self.refunds.append(refund)
            return JSONResponse(refund)

        return Starlette(
            routes=[
                Route("/v1/orders", rzp_create_order, methods=["POST"]),
                Route("/v1/orders/{order_id}/payments", rzp_order_payments, methods=["GET"]),
                Route("/v1/payments/{payment_id}/refund", rzp_refund, methods=["POST"]),
                Route("/v1/checkout/sessions", stripe_create_session, methods=["POST"]),
                Route("/v1/checkout/sessions/{session_id}", stripe_get_session, methods=["GET"]),
                Route("/v1/refunds", stripe_refund, methods=["POST"]),
            ]
        )

    def reset(self) -> None:
        with self.lock:
            self.razorpay_orders.clear()
            self.razorpay_payments.clear()
            self.stripe_sessions.clear()
            self.refunds.clear()
            self.requests.clear()
            self.refund_status = "pending"
            self.fail_next = 0


class ProviderServer:
    def __init__(self) -> None:
        self.fake = FakeProviders()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(self.fake.app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.fake.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeProviders:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake provider server did not start")
            time.sleep(0.01)
        return self.fake

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


def razorpay_event(event: str, **entities: dict[str, Any]) -> bytes:
    """A Razorpay webhook body: {"entity": "event", "event": ..., "payload": {<name>: {"entity": {...}}}}."""
    body = {
        "entity": "event",
        "account_id": "acc_TEST",
        "event": event,
        "contains": list(entities),
        "payload": {name: {"entity": entity} for name, entity in entities.items()},
        "created_at": int(time.time()),
    }
    return json.dumps(body).encode()


def stripe_event(event_type: str, obj: dict[str, Any], event_id: str | None = None) -> bytes:
    """A Stripe Event body: {"id": "evt_...", "object": "event", "type": ..., "data": {"object": {...}}}."""
    body = {
        "id": event_id or f"evt_{hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:24]}",
        "object": "event",
        "api_version": "2025-10-29.clover",
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": obj},
    }
    return json.dumps(body).encode()
