"""Websocket URL map; each app contributes its own ``websocket_urlpatterns``."""

from backtesting.routing import websocket_urlpatterns as backtesting_routes
from nodes.routing import websocket_urlpatterns as nodes_routes

websocket_urlpatterns: list = [*backtesting_routes, *nodes_routes]
