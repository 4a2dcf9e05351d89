from django.apps import AppConfig


class ReportsiteConfig(AppConfig):
    """The project: settings, the URL map, sign-in pages, middleware, the demo and the bench. It sits
    on top and may use every app; no app uses it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reportsite"
