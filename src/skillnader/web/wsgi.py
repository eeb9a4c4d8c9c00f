"""WSGI entry point for production servers (``gunicorn skillnader.web.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillnader.web.settings")
application = get_wsgi_application()

if os.environ.get("SKILLNADER_WARM", "1") == "1":
    from skillnader.web.public.warm import start_watcher

    start_watcher()
