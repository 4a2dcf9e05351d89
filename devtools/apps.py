from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """What is not the product: the demo data (seed_demo), the scale builder and the bench (make bench,
    export_peak). Only the development, test and bench settings install it, as Zulip's zilencer; it sits
    above the project and may use every app, and no app uses it (pyproject.toml, lint-imports)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "devtools"
