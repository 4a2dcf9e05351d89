from django.apps import AppConfig


class ReportsiteConfig(AppConfig):
    """The project: settings, the URL map, sign-in pages, middleware. It sits on top of the product and may
    use every app; no app of the product uses it (only devtools, the demo and bench, sits above it)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reportsite"
