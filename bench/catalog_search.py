"""Catalog, course page, search and autocomplete at 10,000 courses (by hand, not in CI).

Expects a MariaDB/MySQL scratch database already migrated and loaded with the scale data set:

    export LMS_DATABASE_URL=mysql://root@127.0.0.1:3306/lms_bench LMS_DATA_DIR=/tmp/benchdata
    mysql -uroot -h127.0.0.1 -e "CREATE DATABASE lms_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    .venv/bin/lms migrate && .venv/bin/lms seed-demo --scale 1
    .venv/bin/python bench/catalog_search.py --requests 2000 --concurrency 4

Starts a real `lms serve` on that database and reports p50/p95/p99 and throughput per scenario beside
the same run's empty endpoint (/healthz). Targets: catalog and detail p95 < 10 ms, search p95 < 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Stats, measure, report, server

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
SUGGESTS = ["mach", "py", "intro", "data s", "therm", "advanced fl", "learn", "rust"]


async def run(url: str, total: int, concurrency: int) -> list[Stats]:
    rng = random.Random(7)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
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

        def get(path: str, params: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
            return client.get(path, params=params)

        return [
            await measure(
                client, "GET /healthz (baseline)", lambda i: get("/healthz"), total=total, concurrency=concurrency
            ),
            await measure(
                client,
                "GET /api/v1/courses (7 filter/sort mixes)",
                lambda i: get("/api/v1/courses", CATALOG[i % len(CATALOG)]),
                total=total,
                concurrency=concurrency,
            ),
            await measure(
                client,
                "GET /api/v1/courses/{slug}",
                lambda i: get(f"/api/v1/courses/{slugs[i % len(slugs)]}"),
                total=total,
                concurrency=concurrency,
            ),
            await measure(
                client,
                "GET /api/v1/search/courses (8 queries)",
                lambda i: get("/api/v1/search/courses", SEARCHES[i % len(SEARCHES)]),
                total=total,
                concurrency=concurrency,
            ),
            await measure(
                client,
                "GET /api/v1/search/suggest",
                lambda i: get("/api/v1/search/suggest", {"q": SUGGESTS[i % len(SUGGESTS)]}),
                total=total,
                concurrency=concurrency,
            ),
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="requests per scenario")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    args = parser.parse_args()
    if not os.environ.get("LMS_DATABASE_URL", "").startswith("mysql"):
        sys.exit("Set LMS_DATABASE_URL to the MariaDB/MySQL scratch database (see the docstring).")
    with server({}, workers=args.workers) as url:
        rows = asyncio.run(run(url, args.requests, args.concurrency))
    report(
        f"Catalog and search, 10,000 courses, MariaDB, {args.workers} worker(s), concurrency {args.concurrency}",
        rows,
    )


if __name__ == "__main__":
    main()
