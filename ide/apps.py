from django.apps import AppConfig


class IdeConfig(AppConfig):
    name = "ide"
    default_auto_field = "django.db.models.BigAutoField"
