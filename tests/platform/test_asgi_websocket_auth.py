"""The deployed ASGI stack: a logged-in browser's session cookie opens the streams; a
foreign origin or an anonymous socket does not."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from tests.factories import PASSWORD


async def _session_cookie(username: str) -> bytes:
    client = Client()
    assert await sync_to_async(client.login)(username=username, password=PASSWORD)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_browser_session_opens_the_resources_stream(owner, free_org):
    cookie = await _session_cookie("alice")
    socket = WebsocketCommunicator(
        application,
        f"/ws/organizations/{free_org.pk}/resources/",
        headers=[
            (b"cookie", cookie),
            (b"origin", b"http://127.0.0.1:8000"),
            (b"host", b"127.0.0.1:8000"),
        ],
    )
    connected, _ = await socket.connect()
    assert connected
    snapshot = await socket.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot" and len(snapshot["nodes"]) == 1
    await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_foreign_origins_and_anonymous_sockets_are_refused(owner, free_org):
    cookie = await _session_cookie("alice")
    path = f"/ws/organizations/{free_org.pk}/resources/"
    foreign = WebsocketCommunicator(
        application, path, headers=[(b"cookie", cookie), (b"origin", b"http://evil.example")]
    )
    assert not (await foreign.connect())[0]
    anonymous = WebsocketCommunicator(
        application, path, headers=[(b"origin", b"http://127.0.0.1:8000")]
    )
    assert not (await anonymous.connect())[0]
