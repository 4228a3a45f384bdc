import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from supporttool.wsgi_input import terminated_input_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supporttool.settings")

try:
    application = terminated_input_application(get_wsgi_application())
except ImproperlyConfigured as exc:
    # Settings refused (a secret not readable, a bad value): an ERROR line the web log's metric
    # filters count, before gunicorn's own plain traceback.
    from lookup.logs import startup_failure_write

    startup_failure_write(error=exc)
    raise
