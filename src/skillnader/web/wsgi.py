"""WSGI entry point for production servers (``gunicorn skillnader.web.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillnader.web.settings")
application = get_wsgi_application()
