"""The parent decodes the child's pipe defensively."""

from __future__ import annotations

import struct

import pytest

from backtesting.sandbox.protocol import (
    MAX_FRAME_BYTES,
    FrameDecoder,
    ProtocolError,
    encode_frame,
)


def test_frames_split_across_reads_decode_in_order():
    data = encode_frame({"type": "log", "message": "a"}) + encode_frame({"type": "progress"})
    decoder = FrameDecoder()

    got = [e for i in range(len(data)) for e in decoder.feed(data[i : i + 1])]

    assert got == [{"type": "log", "message": "a"}, {"type": "progress"}]
    assert decoder.pending == 0


@pytest.mark.parametrize(
    "frame",
    [
        struct.pack(">I", MAX_FRAME_BYTES + 1),
        struct.pack(">I", 5) + b"junk!",
        struct.pack(">I", 2) + b"[]",
        struct.pack(">I", 13) + b'{"type": 42 }',
    ],
    ids=["oversize", "not json", "not an object", "type not a string"],
)
def test_malformed_frames_are_protocol_errors(frame):
    with pytest.raises(ProtocolError):
        FrameDecoder().feed(frame)


def test_an_oversize_event_is_replaced_by_an_error_line():
    frame = encode_frame({"type": "log", "time": None, "message": "x" * (MAX_FRAME_BYTES + 10)})

    (event,) = FrameDecoder().feed(frame)

    assert event["level"] == "error"
    assert "was dropped" in event["message"]
