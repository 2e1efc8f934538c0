from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from . import scope
from .services import has_confirmed_totp

PROTECTED = ("/kelola/", "/admin/")


class RequireTwoFactorMiddleware:
    """Office roles and superusers reach /kelola/ and /admin/ only after a second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and request.path.startswith(PROTECTED)
            and user.is_authenticated
            and not user.is_verified()
            and scope.needs_two_factor(user)
        ):
            name = (
                "accounts:two_factor_verify"
                if has_confirmed_totp(user)
                else "accounts:two_factor_enrol"
            )
            return redirect(reverse(name) + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
