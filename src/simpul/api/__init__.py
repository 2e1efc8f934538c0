"""The HTTP API (django-ninja): routers of each app wired together in `api.py`."""
