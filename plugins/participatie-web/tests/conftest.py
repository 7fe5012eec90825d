"""Fixtures of the site's tests (the set-up itself is in web_support.py)."""

from web_support import client, world

__all__ = ["client", "world"]
