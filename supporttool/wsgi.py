import os

from django.core.wsgi import get_wsgi_application

from supporttool.wsgi_input import terminated_input_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supporttool.settings")

application = terminated_input_application(get_wsgi_application())
