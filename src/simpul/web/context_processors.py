from django.conf import settings


def site(request):
    return {"SITE_NAME": "Simpul", "DEBUG": settings.DEBUG}
