"""ASGI entry point for uvicorn workers: `uvicorn lms.asgi:app`."""

import gc

from lms.main import create_app

app = create_app()

# What exists now (modules, routes, schemas, mappers: ~240,000 objects) lives as long as the process. Frozen,
# the collector no longer walks it on every full collection; those walks cost allocation-heavy requests such
# as the dashboards 15-30 ms each (bench/README_analytics.md). Only here, in the server process: tests build
# many apps and need them collected.
gc.collect()
gc.freeze()
# A young-generation collection ran every 700 allocations: about 3 per search request (1,000+ result rows),
# 0.5 ms of its time. Requests free almost everything they allocate by reference counting, so collecting
# every 20,000 allocations finds the same cycles with about one collection per hundred searches.
gc.set_threshold(20_000, 10, 10)
