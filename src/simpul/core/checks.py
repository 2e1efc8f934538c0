from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.compatibility, deploy=False)
def configuration(app_configs, **kwargs):
    """Every misconfigured SIMPUL_* variable, one line each, saying what to set."""
    return [Error(line, id="simpul.E001") for line in settings.CONFIG_ERRORS]
