"""ASGI entry point for uvicorn workers: `uvicorn lms.asgi:app`."""

from lms.main import create_app

app = create_app()
