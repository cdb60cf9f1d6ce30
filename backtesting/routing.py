"""Websocket routes of the backtesting app."""

from django.urls import path

from backtesting.consumers import BacktestConsumer

websocket_urlpatterns = [
    path("ws/backtests/<int:backtest_id>/", BacktestConsumer.as_asgi()),
]
