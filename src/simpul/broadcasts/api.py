"""API router of this app (wired into /api/ by simpul.api.api)."""

from ninja import Router

router = Router()
