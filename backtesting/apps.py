from django.apps import AppConfig


class BacktestingConfig(AppConfig):
    name = "backtesting"
    default_auto_field = "django.db.models.BigAutoField"
