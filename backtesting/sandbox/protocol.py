"""The child → parent event pipe: length-prefixed JSON frames.

The child is untrusted (user code can ``os.write`` to the pipe's fd), so the parent's
:class:`FrameDecoder` treats every byte as hostile: frames are size-capped and must decode
to a dict with a string ``type``; anything else is a :class:`ProtocolError`.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

Event = dict[str, Any]

_HEADER = struct.Struct(">I")

#: bytes; one event larger than this is refused (the child replaces it with a short log line)
MAX_FRAME_BYTES = 1 << 20

#: the child's first frame: ``{"type": LAYERS_FRAME, "layers": [...], "skipped": {name: why}}``
LAYERS_FRAME = "sandbox.layers"
#: sent just before ``result``: ``{"type": DATA_FILES_FRAME, "keys": [[reader, *args], ...]}``,
#: the cached reads the run made (``engine.data.warm``); the parent keeps it off the stream
DATA_FILES_FRAME = "sandbox.data_files"
#: a batch's child starts its run number ``index`` (0, 1, ...): ``{"type": RUN_FRAME,
#: "index": i}``; every run's events end with its own ``result``
RUN_FRAME = "sandbox.run"


class ProtocolError(Exception):
    """The child wrote something that is not a well-formed event frame."""


def encode_frame(event: Event) -> bytes:
    """Serialise one event; oversize events become an error log line instead of failing."""
    body = json.dumps(event, separators=(",", ":"), default=str).encode()
    if len(body) > MAX_FRAME_BYTES:
        body = json.dumps(
            {
                "type": "log",
                "time": event.get("time"),
                "level": "error",
                "message": f"An event of {len(body)} bytes was dropped "
                f"(the limit is {MAX_FRAME_BYTES} bytes).",
            }
        ).encode()
    return _HEADER.pack(len(body)) + body


class FrameDecoder:
    """Incrementally splits the byte stream into events."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Event]:
        """Add bytes read from the pipe; return the complete events they finish."""
        self._buffer += data
        events: list[Event] = []
        while len(self._buffer) >= _HEADER.size:
            (length,) = _HEADER.unpack_from(self._buffer)
            if length > MAX_FRAME_BYTES:
                raise ProtocolError(f"frame of {length} bytes exceeds {MAX_FRAME_BYTES}")
            end = _HEADER.size + length
            if len(self._buffer) < end:
                break
            body = bytes(self._buffer[_HEADER.size : end])
            del self._buffer[:end]
            try:
                event = json.loads(body)
            except ValueError as exc:
                raise ProtocolError(f"frame is not JSON: {exc}") from None
            if not isinstance(event, dict) or not isinstance(event.get("type"), str):
                raise ProtocolError("frame is not an event object with a string 'type'")
            events.append(event)
        return events

    @property
    def pending(self) -> int:
        """Bytes of an unfinished frame (non-zero at EOF means the child died mid-write)."""
        return len(self._buffer)


class PipeSink:
    """The engine's ``ResultSink`` inside the sandboxed child: writes frames to the pipe.

    Writes block when the parent is slow (the pipe buffer is the back-pressure).
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def emit(self, event: Event) -> None:
        data = memoryview(encode_frame(event))
        while data:
            written = os.write(self._fd, data)
            data = data[written:]
