"""ASGI entry point: HTTP through Django, websockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  # needs the app registry loaded above
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
            settings.ALLOWED_HOSTS + ["127.0.0.1:*", "localhost:*"],
        ),
    }
)

if settings.START_INPROCESS_WORKERS:
    from config.workers import start_inprocess_workers  # noqa: E402

    start_inprocess_workers()
