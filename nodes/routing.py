"""Websocket routes of the nodes app."""

from django.urls import path

from nodes.consumers import ResourcesConsumer

websocket_urlpatterns = [
    path("ws/organizations/<int:organization_id>/resources/", ResourcesConsumer.as_asgi()),
]
