"""Traces: with an OTLP endpoint configured, requests and their SQL reach a real OTLP/HTTP receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from lms.core.runtime import Runtime
from tests.factories import signed_in


class Collector:
    """A minimal OTLP/HTTP trace receiver: decodes each export request's protobuf body."""

    def __init__(self) -> None:
        self.spans: list[Any] = []
        self.paths: list[str] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                collector.paths.append(self.path)
                for resource_spans in request.resource_spans:
                    for scope_spans in resource_spans.scope_spans:
                        collector.spans.extend(scope_spans.spans)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    c = Collector()
    yield c
    c.server.shutdown()


@pytest.fixture
def settings_overrides(collector: Collector) -> dict[str, Any]:
    return {"otel_endpoint": collector.url, "otel_service_name": "lms-under-test"}


async def test_requests_and_their_sql_are_exported_as_one_trace(
    rt: Runtime, app: FastAPI, client: httpx.AsyncClient, collector: Collector
) -> None:
    collector.spans.clear()
    acct = await signed_in(rt, client)
    resp = await client.get("/api/v1/auth/me", headers=acct.headers)
    assert resp.status_code == 200
    await client.get("/healthz")  # excluded: probes would drown the traces
    app.state.tracer_provider.force_flush()

    assert collector.paths and set(collector.paths) == {"/v1/traces"}
    by_id = {span.span_id: span for span in collector.spans}
    [me] = [s for s in collector.spans if s.name == "GET /api/v1/auth/me"]
    children = [s for s in collector.spans if s.parent_span_id == me.span_id]
    assert children, "the request's SQL statements are child spans"
    assert all(s.trace_id == me.trace_id for s in children)
    assert {a.value.string_value for c in children for a in c.attributes if a.key == "db.system.name"} == {
        rt.engine.dialect.name
    }
    assert any(c.name.startswith("SELECT") for c in children)
    assert not any("healthz" in s.name for s in by_id.values())
