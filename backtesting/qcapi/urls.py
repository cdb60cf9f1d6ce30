"""``/api/v2/<endpoint>`` for each registered QuantConnect endpoint (mounted in config/urls.py)."""

from django.urls import path

from backtesting.qcapi import optimizations  # noqa: F401  # registers optimizations/*
from backtesting.qcapi.views import ENDPOINTS, dispatch, unknown

urlpatterns = [
    path(name, dispatch, {"path": name}, name=f"qcapi-{name.replace('/', '-')}")
    for name in ENDPOINTS
]
urlpatterns.append(path("<path:rest>", unknown, name="qcapi-unknown"))
