"""Catalog, course page, search and autocomplete at 10,000 courses (by hand, not in CI).

Expects a database (MariaDB/MySQL, SQLite or PostgreSQL) already migrated and loaded with the scale
data set, e.g.:

    mysql -uroot -h127.0.0.1 -e "CREATE DATABASE lms_bench_cat CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    LMS_DATABASE_URL=mysql://root@127.0.0.1:3306/lms_bench_cat .venv/bin/lms migrate
    LMS_DATABASE_URL=mysql://root@127.0.0.1:3306/lms_bench_cat .venv/bin/lms seed-demo --scale 1
    flock /tmp/bench.lock .venv/bin/python bench/catalog_search.py \
        --database-url mysql://root@127.0.0.1:3306/lms_bench_cat --requests 2000 --concurrency 2

Starts a real `lms serve` on that database and reports p50/p95/p99 and throughput per scenario beside
the same run's empty endpoint (/healthz). Targets: catalog and detail p95 < 10 ms, search p95 < 20 ms,
suggest a few ms. `--no-cache` turns off the short-lived response cache of anonymous catalog/search
answers (LMS_CATALOG_CACHE_SECONDS=0), which measures the database path of every request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Stats, aiohttp_get, measure, report, server

CATALOG = [
    {},
    {"sort": "popular"},
    {"sort": "rating", "level": "beginner"},
    {"price": "free", "sort": "newest"},
    {"category": "computer-science", "sort": "popular"},
    {"category": "data-science", "price": "paid", "sort": "price"},
    {"language": "te", "page": 3},
]
SEARCHES = [
    {"q": "machine learning"},
    {"q": "python"},
    {"q": "thermodynamics", "sort": "popular"},
    {"q": "introduction signals"},
    {"q": "data", "price": "free"},
    {"q": "quantum mechanics", "level": "advanced"},
    {"q": "algoritms"},  # a typo: did-you-mean path
    {"q": "project management", "category": "management"},
]
# The A-to-Z sort, in the catalog and in search: first, filtered and deep pages. Not in the default set,
# so the default run stays comparable with earlier sessions' (2026-12-05: --scenarios title).
TITLE_SORTED = [
    ("/api/v1/courses", {"sort": "title"}),
    ("/api/v1/courses", {"sort": "title", "page": 50}),
    ("/api/v1/courses", {"sort": "title", "category": "computer-science", "page": 2}),
    ("/api/v1/courses", {"sort": "title", "language": "te", "price": "paid"}),
    ("/api/v1/search/courses", {"q": "", "sort": "title", "category": "data-science"}),
    ("/api/v1/search/courses", {"q": "data", "sort": "title"}),
]
SCENARIOS = ("catalog", "detail", "search", "suggest")
EXTRA_SCENARIOS = ("title",)
SUGGESTS = ["mach", "py", "intro", "data s", "therm", "advanced fl", "learn", "rust"]


async def run(url: str, total: int, concurrency: int, only: set[str], load_client: str) -> list[Stats]:
    rng = random.Random(7)
    async with (
        httpx.AsyncClient(base_url=url, timeout=30) as client,
        aiohttp.ClientSession(url, timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        slugs: list[str] = []
        for page in range(1, 6):
            items = (await client.get("/api/v1/courses", params={"page": page, "page_size": 100})).json()["items"]
            slugs += [c["slug"] for c in items]
        rng.shuffle(slugs)
        # Warm up every scenario once (connections, caches).
        for params in CATALOG:
            await client.get("/api/v1/courses", params=params)
        for params in SEARCHES:
            await client.get("/api/v1/search/courses", params=params)

        def httpx_get(path: str, params: dict[str, Any] | None = None) -> Awaitable[httpx.Response]:
            return client.get(path, params=params)

        get = aiohttp_get(session) if load_client == "aiohttp" else httpx_get
        for params in CATALOG:  # warm the chosen client's connection too
            await get("/api/v1/courses", params)

        scenarios: dict[str, tuple[str, Callable[[int], Any]]] = {
            "healthz": ("GET /healthz (baseline)", lambda i: get("/healthz")),
            "catalog": (
                "GET /api/v1/courses (7 filter/sort mixes)",
                lambda i: get("/api/v1/courses", CATALOG[i % len(CATALOG)]),
            ),
            "detail": ("GET /api/v1/courses/{slug}", lambda i: get(f"/api/v1/courses/{slugs[i % len(slugs)]}")),
            "search": (
                "GET /api/v1/search/courses (8 queries)",
                lambda i: get("/api/v1/search/courses", SEARCHES[i % len(SEARCHES)]),
            ),
            "suggest": (
                "GET /api/v1/search/suggest",
                lambda i: get("/api/v1/search/suggest", {"q": SUGGESTS[i % len(SUGGESTS)]}),
            ),
            "title": (
                "title sort: catalog and search (6 mixes)",
                lambda i: get(*TITLE_SORTED[i % len(TITLE_SORTED)]),
            ),
        }
        return [
            await measure(client, name, make, total=total, concurrency=concurrency)
            for key, (name, make) in scenarios.items()
            if key == "healthz" or key in only
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="requests per scenario")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LMS_DATABASE_URL", ""),
        help="the loaded database (default: $LMS_DATABASE_URL)",
    )
    parser.add_argument("--no-cache", action="store_true", help="turn off the anonymous response cache")
    parser.add_argument(
        "--client",
        choices=("aiohttp", "httpx"),
        default="aiohttp",
        help="load generator (httpx: the one used before 2026-12-04's seventh session; adds ~0.5 ms of its own)",
    )
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated subset of {','.join(SCENARIOS + EXTRA_SCENARIOS)} (default: {','.join(SCENARIOS)})",
    )
    args = parser.parse_args()
    if not args.database_url:
        sys.exit("Pass --database-url (or set LMS_DATABASE_URL) to the loaded database (see the docstring).")
    env = {"LMS_DATABASE_URL": args.database_url}
    if args.no_cache:
        env["LMS_CATALOG_CACHE_SECONDS"] = "0"
    only = set(args.scenarios.split(","))
    with server(env, workers=args.workers) as url:
        rows = asyncio.run(run(url, args.requests, args.concurrency, only, args.client))
    backend = args.database_url.split(":", 1)[0].split("+", 1)[0]
    report(
        f"Catalog and search, 10,000 courses, {backend}, {args.workers} worker(s), concurrency {args.concurrency}, "
        f"response cache {'off' if args.no_cache else 'on'}, {args.client} client",
        rows,
    )


if __name__ == "__main__":
    main()
