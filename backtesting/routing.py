"""Websocket routes of the backtesting app."""

from django.urls import path

from backtesting.consumers import BacktestConsumer
from backtesting.optimization.consumers import OptimizationConsumer

websocket_urlpatterns = [
    path("ws/backtests/<int:backtest_id>/", BacktestConsumer.as_asgi()),
    path("ws/optimizations/<int:optimization_id>/", OptimizationConsumer.as_asgi()),
]
