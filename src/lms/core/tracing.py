"""Distributed traces (OpenTelemetry), off unless an OTLP endpoint is configured.

With ``LMS_OTEL_ENDPOINT`` set (e.g. ``http://jaeger:4318``), every HTTP request becomes a server span
named by its route, with a child span per SQL statement, exported over OTLP/HTTP in batches; log lines
written inside a span carry its ``trace_id`` so logs and traces join up. Without it nothing is loaded
into the request path.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from lms.config import Settings


def build_provider(settings: Settings, processor: SpanProcessor | None = None) -> TracerProvider | None:
    """A tracer provider exporting to the configured endpoint (or to ``processor``, for tests)."""
    if processor is None:
        if not settings.otel_endpoint:
            return None
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otel_endpoint.rstrip("/") + "/v1/traces"
        processor = BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint))
    provider = TracerProvider(resource=Resource.create({"service.name": settings.otel_service_name}))
    provider.add_span_processor(processor)
    return provider


def instrument(app: FastAPI, engine: AsyncEngine, provider: TracerProvider) -> None:
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="healthz,readyz,metrics", exclude_spans=["receive", "send"]
    )
    trace_sql(engine, provider.get_tracer("lms.sql"))


def trace_sql(engine: AsyncEngine, tracer: trace.Tracer) -> None:
    """A client span per SQL statement, child of the request's span. (Hand-written on SQLAlchemy's engine
    events: opentelemetry-instrumentation-sqlalchemy patches create_engine process-wide and declares
    SQLAlchemy < 2.1.)"""
    sync_engine = engine.sync_engine
    system = sync_engine.dialect.name

    @event.listens_for(sync_engine, "before_cursor_execute")
    def _start(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
        context._lms_span = tracer.start_span(
            f"{verb} {system}",
            kind=SpanKind.CLIENT,
            attributes={"db.system.name": system, "db.query.text": statement[:2000]},
        )

    @event.listens_for(sync_engine, "after_cursor_execute")
    def _end(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        span = getattr(context, "_lms_span", None)
        if span is not None:
            span.end()

    @event.listens_for(sync_engine, "handle_error")
    def _failed(ctx: ExceptionContext) -> None:
        span = getattr(ctx.execution_context, "_lms_span", None)
        if span is not None:
            span.record_exception(ctx.original_exception)
            span.set_status(Status(StatusCode.ERROR))
            span.end()


def add_trace_ids(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: the current span's trace and span ids, when there is one."""
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        event["trace_id"] = format(ctx.trace_id, "032x")
        event["span_id"] = format(ctx.span_id, "016x")
    return event
