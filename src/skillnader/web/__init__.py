"""The Django project: persistence, the public site, the API and the administration."""
