"""The `lms` command: serve, migrate, seed-demo, create-admin, openapi, ..."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lms.config import Settings

app = typer.Typer(help="JNTU GV LMS command line.", no_args_is_help=True, add_completion=False)
console = Console(stderr=True)


def _settings() -> Settings:
    return Settings()


@app.command()
def migrate(revision: Annotated[str, typer.Argument(help="Target revision")] = "heads") -> None:
    """Bring the database schema up to date (Alembic)."""
    from lms import migrate as m

    s = _settings()
    s.data_dir.mkdir(parents=True, exist_ok=True)
    with console.status(f"Migrating {_safe_url(s.database_url)} to {revision}..."):
        m.upgrade(s.database_url, revision)
    console.print(f"[green]Database is at revision {revision}.[/green]")


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="Administrator's email")],
    password: Annotated[str | None, typer.Option(help="Password (else $LMS_ADMIN_PASSWORD or a prompt)")] = None,
    full_name: Annotated[str, typer.Option(help="Display name")] = "Administrator",
) -> None:
    """Create the first administrator (or promote an existing account to admin)."""
    from lms import seed

    password = password or os.environ.get("LMS_ADMIN_PASSWORD")
    if not password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        created = asyncio.run(seed.create_admin(_settings(), email=email, password=password, full_name=full_name))
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"[green]{'Created' if created else 'Promoted'} administrator {email}.[/green]")


@app.command("seed-demo")
def seed_demo(
    scale: Annotated[
        float | None,
        typer.Option(help="Benchmark data set instead: N=1 is 10,000 courses, 100,000 users, 1,000,000 progress rows"),
    ] = None,
) -> None:
    """Load demo accounts (and demo content) unless they are already there; with --scale, a large catalog."""
    from lms import seed

    s = _settings()
    if scale is not None:
        from lms import seed_scale

        if scale <= 0:
            raise typer.BadParameter("must be positive", param_hint="--scale")
        asyncio.run(seed_scale.seed_scale(s, scale=scale, console=console))
        return
    accounts = asyncio.run(seed.seed_demo(s, progress=console))
    _print_accounts(accounts)


search_app = typer.Typer(help="The course search index.", no_args_is_help=True)
app.add_typer(search_app, name="search")


@search_app.command("reindex")
def search_reindex() -> None:
    """Rebuild the search index of every course (documents, autocomplete words, vocabulary)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from lms.core.runtime import build_runtime
    from lms.search import service as search_service

    async def run() -> int:
        rt = build_runtime(_settings())
        try:
            columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
            with Progress(*columns, console=console) as progress:
                task = progress.add_task("reindexing courses", total=None)
                return await search_service.reindex(
                    rt.sessionmaker, on_progress=lambda done, total: progress.update(task, completed=done, total=total)
                )
        finally:
            await rt.close()

    count = asyncio.run(run())
    console.print(f"[green]Indexed {count} courses.[/green]")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (LMS_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (LMS_PORT)")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development)")] = False,
) -> None:
    """Serve the API and the web app."""
    import uvicorn

    s = _settings()
    uvicorn.run(
        "lms.asgi:app",
        host=host or s.host,
        port=port or s.port,
        workers=workers,
        reload=reload,
        log_config=None,
        proxy_headers=s.trust_proxy_headers,
        server_header=False,
    )


@app.command()
def worker(
    relay: Annotated[bool, typer.Option(help="Publish outbox rows to the broker")] = True,
    consumers: Annotated[bool, typer.Option(help="Run the event consumers from the broker")] = True,
    scheduler: Annotated[bool, typer.Option(help="Run scheduled jobs (cleanup, reminders, ...)")] = True,
) -> None:
    """Run the outbox relay, event consumers and scheduled jobs until SIGTERM (any number of copies)."""
    from lms import worker as lms_worker
    from lms.core.logging import configure_logging
    from lms.core.runtime import build_runtime
    from lms.main import wire_runtime

    s = _settings()
    configure_logging(s.log_level, json=s.log_json)

    async def main() -> None:
        rt = wire_runtime(build_runtime(s))
        try:
            await lms_worker.run(rt, relay=relay, consumers=consumers, scheduler=scheduler)
        finally:
            await rt.close()

    asyncio.run(main())


@app.command()
def run() -> None:
    """Development all-in-one: migrate, load demo data on first run, serve (what `make run` calls)."""
    from lms import migrate as m
    from lms import seed

    s = _settings()
    s.data_dir.mkdir(parents=True, exist_ok=True)
    with console.status("Migrating the database..."):
        m.upgrade(s.database_url)
    accounts = asyncio.run(seed.seed_demo(s, progress=console))
    _print_accounts(accounts)
    console.print(
        f"\n[bold]JNTU GV LMS is running at http://{s.host}:{s.port}[/bold]  "
        f"(API docs: http://{s.host}:{s.port}/api/docs; emails land in {s.mail_dir})\n"
    )
    serve(host=None, port=None, workers=1, reload=False)


@app.command()
def openapi(output: Annotated[Path | None, typer.Option(help="File to write (default stdout)")] = None) -> None:
    """Print the OpenAPI document (the web app's typed client is generated from it)."""
    from lms.main import create_app

    s = Settings(run_relay_in_process=False)
    doc = create_app(s, configure_logs=False).openapi()
    text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    if output:
        output.write_text(text)
    else:
        sys.stdout.write(text)


payments_app = typer.Typer(help="Payments operations.", no_args_is_help=True)
app.add_typer(payments_app, name="payments")


@payments_app.command("reconcile")
def payments_reconcile(
    older_than: Annotated[
        int | None, typer.Option(help="Minutes an order must be pending (default LMS_PAYMENTS_RECONCILE_AFTER_MINUTES)")
    ] = None,
) -> None:
    """Ask the providers about orders left pending and settle them (paid or expired)."""
    from lms.core.runtime import build_runtime
    from lms.payments import service as payments_service

    async def _run() -> dict[str, int]:
        rt = build_runtime(_settings())
        try:
            return await payments_service.reconcile_pending(rt, older_than_minutes=older_than)
        finally:
            await rt.close()

    summary = asyncio.run(_run())
    console.print(", ".join(f"{k}: {v}" for k, v in sorted(summary.items())))
    if summary.get("errors"):
        raise typer.Exit(1)


def _print_accounts(accounts: list[tuple[str, str, str]]) -> None:
    if not accounts:
        return
    table = Table(title="Demo accounts")
    for col in ("role", "email", "password"):
        table.add_column(col)
    for row in accounts:
        table.add_row(*row)
    Console().print(table)


def _safe_url(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('@', 1)[-1]}"


if __name__ == "__main__":
    app()
