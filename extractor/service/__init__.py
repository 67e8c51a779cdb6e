"""The extraction service: HTTP API (app), job store (store), workers, API keys, review page (web, view)."""
