from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses and that knows nothing of them: Vietnamese text, rich text, form helpers,
    URL converters, template filters. No models."""

    name = "core"
