"""The wire format on its own, with no process: frames, their header and value,
and ``MessageReader``, which splits the bytes read from a pipe into whole
messages however the reads happened to cut them."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import struct
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offthread.core import wire
from offthread.core.wire import Flag, Kind, MessageReader

# multiprocessing.Connection's framing, written out here rather than taken from
# wire: a 4-byte big-endian size, or -1 and an 8-byte size (over 2 GiB).
SMALL = struct.Struct("!i")
LARGE = struct.Struct("!Q")


def framed(data: bytes) -> bytes:
    """``data`` as one message on the pipe (the 4-byte size form)."""
    return SMALL.pack(len(data)) + data


def framed_large(data: bytes) -> bytes:
    """``data`` in the form Connection uses over 2 GiB (-1, then an 8-byte size), which the reader takes at any size."""
    return SMALL.pack(-1) + LARGE.pack(len(data)) + data


def joined(parts) -> bytes:
    return b"".join(bytes(part) for part in parts)


def fed(chunks) -> list[bytes]:
    """Every message a fresh reader gives for ``chunks``, fed one after another."""
    reader = MessageReader()
    out: list[bytes] = []
    for chunk in chunks:
        out.extend(reader.feed(chunk))
    return out


def cut(stream: bytes, offsets) -> list[bytes]:
    """``stream`` cut at ``offsets`` (sorted; a repeated offset makes an empty piece)."""
    bounds = [0, *offsets, len(stream)]
    return [stream[a:b] for a, b in zip(bounds, bounds[1:])]


# A few messages of each shape: frames with and without a body, an empty
# message, and the long size form.
SAMPLES = [
    bytes(wire.frame(Kind.HELLO)),
    bytes(wire.frame(Kind.RESULT, 7, value={"answer": 42, "text": "forty-two"})),
    bytes(wire.frame(Kind.CONTROL, 2**40, Flag.CANCEL | Flag.TIMED_OUT)),
    b"",
    bytes(wire.frame(Kind.PROGRESS, 3, value=(5, 10, "half"))),
]
SAMPLE_STREAM = b"".join(framed(data) for data in SAMPLES)


@pytest.mark.parametrize("encode", [framed, framed_large], ids=["size", "long size"])
@pytest.mark.parametrize("data", SAMPLES, ids=["hello", "result", "control", "empty", "progress"])
def test_a_message_split_at_any_offset_comes_out_as_when_fed_whole(data, encode):
    stream = encode(data)
    assert fed([stream]) == [data]
    for offset in range(len(stream) + 1):
        reader = MessageReader()
        first = reader.feed(stream[:offset])
        assert first == ([data] if offset == len(stream) else []), offset
        assert first + reader.feed(stream[offset:]) == [data], offset


def test_a_message_fed_one_byte_at_a_time_comes_out_once_at_its_last_byte():
    data = SAMPLES[1]
    stream = framed(data)
    reader = MessageReader()
    outs = [reader.feed(stream[i : i + 1]) for i in range(len(stream))]
    assert outs == [[]] * (len(stream) - 1) + [[data]]


def test_many_messages_in_one_feed_come_out_all_in_order():
    assert fed([SAMPLE_STREAM]) == SAMPLES
    many = [bytes(wire.frame(Kind.PARTIAL, i, value=i * "x")) for i in range(500)]
    assert fed([b"".join(map(framed, many))]) == many


def test_messages_split_at_any_two_offsets_come_out_all_in_order():
    stream = SAMPLE_STREAM
    for first in range(len(stream) + 1):
        for second in range(first, len(stream) + 1):
            assert fed(cut(stream, [first, second])) == SAMPLES, (first, second)


def test_an_empty_feed_completes_nothing():
    reader = MessageReader()
    assert reader.feed(b"") == []
    assert reader.feed(SAMPLE_STREAM[:3]) == []
    assert reader.feed(b"") == []
    assert reader.feed(SAMPLE_STREAM[3:]) == SAMPLES
    assert reader.feed(b"") == []


@pytest.mark.parametrize("encode", [framed, framed_large], ids=["size", "long size"])
def test_a_torn_message_stays_pending_and_the_rest_of_it_completes_it(encode):
    before = SAMPLES[:2]
    last = SAMPLES[4]
    head = b"".join(encode(data) for data in before)
    torn = encode(last)
    for offset in range(1, len(torn)):
        reader = MessageReader()
        # The stream ends inside the last message: only the whole ones come out.
        assert reader.feed(head + torn[:offset]) == before, offset
        assert reader.feed(b"") == [], offset
        # The rest, when it comes, completes it; the reader then starts afresh.
        assert reader.feed(torn[offset:]) == [last], offset
        assert reader.feed(encode(SAMPLES[0])) == [SAMPLES[0]], offset


def test_a_message_torn_in_its_size_gives_nothing_until_the_size_is_whole():
    stream = framed(SAMPLES[1])
    reader = MessageReader()
    for i in range(4):
        assert reader.feed(stream[i : i + 1]) == []
    assert reader.feed(stream[4:]) == [SAMPLES[1]]


PLAIN_KINDS = [kind for kind in Kind if kind != Kind.SHARED_RESULT]  # made only by frame(share=...): test_shared.py


FRAMES = st.lists(
    st.tuples(
        st.sampled_from(PLAIN_KINDS),
        st.integers(0, 2**63 - 1),
        st.integers(0, 255),
        st.one_of(st.binary(max_size=300), st.none(), st.text(max_size=50), st.integers()),
    ),
    max_size=20,
)


@given(FRAMES, st.data())
def test_frames_cut_anywhere_come_out_whole_and_in_order(frames, data):
    built = [wire.frame(kind, task_id, flags, value=body) for kind, task_id, flags, body in frames]
    stream = joined(part for frame in built for part in wire.message_parts(frame))
    offsets = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=30), label="cuts"))
    out = fed(cut(stream, offsets))
    assert out == [bytes(frame) for frame in built]
    assert [(*wire.header(message), wire.value(message)) for message in out] == frames


@given(st.lists(st.tuples(st.binary(max_size=200), st.booleans()), max_size=30), st.data())
def test_any_messages_in_either_size_form_cut_anywhere_come_out_as_sent(messages, data):
    stream = b"".join(framed_large(body) if long else framed(body) for body, long in messages)
    offsets = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=30), label="cuts"))
    assert fed(cut(stream, offsets)) == [body for body, _long in messages]


# -- large frames: sent from their own buffer, in parts ----------------------

LARGE_VALUE = bytes(range(256)) * (wire._COPY_LIMIT // 256 + 1000)


def test_a_large_frame_sent_in_parts_arrives_whole():
    frame = wire.frame(Kind.RESULT, 12, value=LARGE_VALUE)
    assert isinstance(frame, memoryview) and len(frame) > wire._COPY_LIMIT  # not copied into bytes
    parts = wire.message_parts(frame)
    assert len(parts) == 2
    stream = joined(parts)
    # As the pool reads it: 64 KiB at a time, and cut at odd places too.
    for size in (1 << 16, 4099, len(stream)):
        out = fed(stream[i : i + size] for i in range(0, len(stream), size))
        assert out == [bytes(frame)], size
        assert wire.header(out[0]) == (Kind.RESULT, 12, 0)
        assert wire.value(out[0]) == LARGE_VALUE


def test_a_large_frame_after_small_ones_and_before_others_keeps_its_place():
    big = wire.frame(Kind.PARTIAL, 1, value=LARGE_VALUE)
    small = [bytes(wire.frame(Kind.PROGRESS, 1, value=(i, 3, ""))) for i in range(3)]
    stream = joined([framed(small[0]), framed(small[1]), *wire.message_parts(big), framed(small[2])])
    size = 1 << 16
    assert fed(stream[i : i + size] for i in range(0, len(stream), size)) == [*small[:2], bytes(big), small[2]]


@pytest.mark.parametrize("size", [0, 100, wire._COPY_LIMIT, wire._COPY_LIMIT + 1, 3 * wire._COPY_LIMIT])
def test_a_run_message_arrives_as_one_run_frame_around_its_call(size):
    payload = pickle.dumps((print, (b"x" * size,), {}))
    parts = wire.run_message(9, Flag.PAUSE, payload)
    assert len(parts) == (1 if len(payload) <= wire._COPY_LIMIT else 2)
    stream = joined(parts)
    out = fed(stream[i : i + 4099] for i in range(0, len(stream), 4099))
    assert len(out) == 1
    assert wire.header(out[0]) == (Kind.RUN, 9, Flag.PAUSE)
    assert bytes(wire.body(out[0])) == payload


# -- header and value ---------------------------------------------------------


@pytest.mark.parametrize("kind", PLAIN_KINDS, ids=[kind.name for kind in PLAIN_KINDS])
def test_header_and_value_round_trip_for_every_kind(kind):
    value = {"kind": kind.name, "numbers": [1, 2.5, None], "blob": b"\x00\xff"}
    for task_id in (0, 1, 2**63 - 1):
        for flags in (Flag.NONE, Flag.PAUSE, Flag.CANCEL | Flag.TIMED_OUT, 255):
            data = fed([framed(bytes(wire.frame(kind, task_id, flags, value=value)))])[0]
            got = wire.header(data)
            assert got == (kind, task_id, flags)
            assert type(got[0]) is Kind
            assert wire.value(data) == value
            bare = wire.frame(kind, task_id, flags)
            assert wire.header(bare) == (kind, task_id, flags)
            assert bytes(wire.body(bare)) == b""


def test_a_value_of_none_is_carried_not_taken_for_no_value():
    assert wire.value(wire.frame(Kind.RESULT, 1, value=None)) is None
    with pytest.raises(EOFError):
        wire.value(wire.frame(Kind.RESULT, 1))


def test_a_kind_that_does_not_exist_raises_at_the_header():
    data = struct.pack("<BqB", 99, 5, 0)
    with pytest.raises(ValueError, match="99"):
        wire.header(data)


def test_a_value_that_cannot_be_pickled_raises_at_the_frame():
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        wire.frame(Kind.RESULT, 1, value=lambda: None)


class Refused(Exception):
    pass


def refuse(why):
    raise Refused(why)


class Unrebuildable:
    """Pickles fine; unpickling it raises (an exception whose class wants other arguments, say)."""

    def __reduce__(self):
        return refuse, ("cannot be rebuilt here",)


class OnlyOverThere:
    """Stands for a class the receiving side does not have (its name is changed in the pickle)."""


def unknown_class_frame() -> bytes:
    data = bytes(wire.frame(Kind.PARTIAL, 77, value=OnlyOverThere()))
    assert data.count(b"OnlyOverThere") == 1
    return data.replace(b"OnlyOverThere", b"NowhereAtAll!")


@pytest.mark.parametrize(
    ("data", "raised"),
    [
        (bytes(wire.frame(Kind.RESULT, 77, value=Unrebuildable())), Refused),
        (unknown_class_frame(), AttributeError),
        (bytes(wire.frame(Kind.ERROR, 77, Flag.CANCEL, value=list(range(100))))[:-3], pickle.UnpicklingError),
        (bytes(wire.frame(Kind.CANCELLED, 77, value="cancelled"))[:-1], pickle.UnpicklingError),
    ],
    ids=["raises when rebuilt", "unknown class", "truncated", "no stop"],
)
def test_a_value_that_cannot_be_unpickled_raises_at_value_while_the_header_names_its_task(data, raised):
    (message,) = fed([framed(data)])
    kind, task_id, flags = wire.header(message)
    assert task_id == 77
    assert kind in (Kind.RESULT, Kind.PARTIAL, Kind.ERROR, Kind.CANCELLED)
    with pytest.raises((raised, EOFError)):
        wire.value(message)
    assert wire.header(message) == (kind, task_id, flags)  # still readable after the failure


# -- the same bytes as multiprocessing.Connection -----------------------------


def test_the_framing_is_connections():
    """The reader reads what Connection.send_bytes wrote, and Connection.recv_bytes
    reads what message and message_parts make (one pipe in this process)."""
    receiving, sending = multiprocessing.Pipe(duplex=False)
    try:
        for data in SAMPLES:
            sending.send_bytes(data)
        assert fed([os.read(receiving.fileno(), 1 << 16)]) == SAMPLES
        for data in SAMPLES:
            os.write(sending.fileno(), wire.message(data))
            os.write(sending.fileno(), joined(wire.message_parts(data)))
        assert [receiving.recv_bytes() for _ in range(2 * len(SAMPLES))] == [d for d in SAMPLES for _ in "ab"]
    finally:
        receiving.close()
        sending.close()


# -- a stream that is not ours ------------------------------------------------


# -4 once made the reader loop for ever (it read an empty message and did not
# move on), its list of messages growing; the other sizes moved its reading
# point back, into a struct.error that the worker's reader thread did not catch.
# The limit ends such a loop soon, before it takes all the memory.
@pytest.mark.timeout(5)
@pytest.mark.parametrize("size", [-2, -3, -4, -5, -100, -(2**31)])
def test_an_impossible_size_raises_value_error_at_once(size):
    reader = MessageReader()
    with pytest.raises(ValueError, match="not a message"):
        reader.feed(SMALL.pack(size) + b"abcdefgh")
    with pytest.raises(ValueError, match="not a message"):  # and stays broken
        reader.feed(framed(SAMPLES[0]))


@pytest.mark.timeout(5)
def test_the_messages_before_an_impossible_size_come_out_first():
    reader = MessageReader()
    assert reader.feed(SAMPLE_STREAM + SMALL.pack(-4) + b"abcd") == SAMPLES
    with pytest.raises(ValueError, match="not a message"):
        reader.feed(b"")


MIB = 1 << 20  # large messages are at least this (the reader gathers them apart)


def test_large_messages_among_small_ones_come_out_whole_however_they_are_split():
    large = [bytes(range(256)) * (MIB // 256 + 3), b"y" * (2 * MIB)]
    messages = [SAMPLES[1], large[0], SAMPLES[0], large[1], SAMPLES[4]]
    stream = framed(messages[0]) + framed(messages[1]) + framed(messages[2]) + framed_large(messages[3])
    stream += framed(messages[4])
    for step in (1 << 16, 100_003, len(stream)):
        assert fed(stream[i : i + step] for i in range(0, len(stream), step)) == messages, step
    # Split right at each boundary, and a byte either side of it.
    bounds = [0]
    for data, encode in zip(messages, (framed, framed, framed, framed_large, framed)):
        bounds.append(bounds[-1] + len(encode(data)))
    for bound in bounds[1:-1]:
        for offset in (bound - 1, bound, bound + 1):
            assert fed(cut(stream, [offset])) == messages, offset


def test_a_large_message_is_not_copied_whole_while_it_is_read():
    """Gathered in one buffer of its size as it arrives: the reader's peak memory is that of
    the message and a chunk, not of two or three copies of it (each a stall of the GUI thread)."""
    size = 32 * MIB
    stream = framed(b"z" * size)
    chunks = [stream[i : i + (1 << 16)] for i in range(0, len(stream), 1 << 16)]
    reader = MessageReader()
    tracemalloc.start()
    try:
        out = []
        for chunk in chunks:
            out += reader.feed(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(out) == 1 and len(out[0]) == size and out[0][:1] == b"z"
    assert peak < 1.2 * size, f"peak {peak / size:.2f}x the message"


def test_a_reader_asks_for_more_at_once_while_a_large_message_arrives():
    reader = MessageReader()
    assert reader.read_size(4096) == 4096
    reader.feed(framed(b"a" * (8 * MIB))[:100])
    assert reader.read_size(4096) > 4096
