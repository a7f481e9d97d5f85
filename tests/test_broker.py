"""The embedded broker: messages are never seen half-written, and a bad file never stops a consumer."""

from __future__ import annotations

import os
import threading

from kombu import Connection


def test_many_writers_and_a_consumer_never_see_a_partial_message(tmp_path):
    import mpdash.broker

    mpdash.broker.install()
    folder = str(tmp_path / "q")
    options = {"data_folder_in": folder, "data_folder_out": folder, "processed_folder": str(tmp_path / "p"),
               "control_folder": str(tmp_path / "control")}
    os.makedirs(folder)
    received, errors = [], []
    big = "x" * 200_000  # big bodies make a half-written file likely with in-place writes

    def produce(n):
        try:
            with Connection("filesystem://localhost/", transport_options=options) as conn:
                queue = conn.SimpleQueue("jobs")
                for i in range(n):
                    queue.put({"i": i, "body": big})
        except Exception as exc:  # noqa: BLE001 - recorded and asserted below
            errors.append(exc)

    produced = threading.Event()

    def consume(total):
        import time
        from queue import Empty

        # However slow the disk, wait until the producers are done, then 30 s more at most.
        with Connection("filesystem://localhost/", transport_options=options) as conn:
            queue = conn.SimpleQueue("jobs")
            deadline = None
            while len(received) < total and (deadline is None or time.monotonic() < deadline):
                if deadline is None and produced.is_set():
                    deadline = time.monotonic() + 30
                try:
                    message = queue.get(timeout=1)
                except Empty:
                    continue
                except Exception as exc:  # noqa: BLE001 - recorded and asserted below
                    errors.append(exc)
                    return
                received.append(message.payload["i"])
                message.ack()

    consumer = threading.Thread(target=consume, args=(200,))
    consumer.start()
    producers = [threading.Thread(target=produce, args=(50,)) for _ in range(4)]
    for p in producers:
        p.start()
    for p in producers:
        p.join()
    produced.set()
    consumer.join(120)
    assert not errors, (errors, len(received), sorted(os.listdir(folder))[:5])
    assert sorted(received) == sorted(list(range(50)) * 4)  # every message, once
    assert not [name for name in os.listdir(folder) if name.endswith(".msg")]


def test_an_unreadable_file_is_skipped(tmp_path, caplog):
    import mpdash.broker

    mpdash.broker.install()
    folder = str(tmp_path / "q")
    os.makedirs(folder)
    options = {"data_folder_in": folder, "data_folder_out": folder, "processed_folder": str(tmp_path / "p"),
               "control_folder": str(tmp_path / "control")}
    with open(os.path.join(folder, "0000_bad.jobs.msg"), "wb"):
        pass  # an empty file, as a crash mid-write leaves
    with Connection("filesystem://localhost/", transport_options=options) as conn:
        queue = conn.SimpleQueue("jobs")
        queue.put({"ok": True})
        assert queue.get(timeout=5).payload == {"ok": True}
    assert "unreadable message" in caplog.text


def test_many_processes_declaring_queues_at_once_never_read_a_partial_exchange_table(tmp_path):
    """Web, worker and beat all declare their queues at start-up against one control folder."""
    import mpdash.broker

    mpdash.broker.install()
    folder = str(tmp_path / "q")
    os.makedirs(folder)
    options = {"data_folder_in": folder, "data_folder_out": folder, "control_folder": str(tmp_path / "control")}
    errors = []

    def declare(k):
        try:
            with Connection("filesystem://localhost/", transport_options=options) as conn:
                channel = conn.channel()
                channel.exchange_declare("shared", "direct")
                for j in range(20):
                    channel.queue_declare(f"q{k}_{j}")
                    channel.queue_bind(f"q{k}_{j}", "shared", f"q{k}_{j}")
                    channel.get_table("shared")
        except Exception as exc:  # noqa: BLE001 - recorded and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=declare, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with Connection("filesystem://localhost/", transport_options=options) as conn:
        table = conn.channel().get_table("shared")
    assert len({entry.queue for entry in table}) == 8 * 20  # no binding lost to a concurrent rewrite


def test_two_consumers_never_deliver_the_same_message_and_claims_stay_on_the_broker_disk(tmp_path):
    import mpdash.broker

    mpdash.broker.install()
    folder = str(tmp_path / "q")
    os.makedirs(folder)
    options = {"data_folder_in": folder, "data_folder_out": folder, "control_folder": str(tmp_path / "control")}
    with Connection("filesystem://localhost/", transport_options=options) as conn:
        queue = conn.SimpleQueue("jobs")
        for i in range(300):
            queue.put({"i": i})
    received, errors = [], []

    def consume():
        from queue import Empty

        try:
            with Connection("filesystem://localhost/", transport_options=options) as conn:
                queue = conn.SimpleQueue("jobs")
                while True:
                    try:
                        message = queue.get(timeout=0.5)
                    except Empty:
                        return
                    received.append(message.payload["i"])
                    message.ack()
        except Exception as exc:  # noqa: BLE001 - recorded and asserted below
            errors.append(exc)

    consumers = [threading.Thread(target=consume) for _ in range(3)]
    for c in consumers:
        c.start()
    for c in consumers:
        c.join(60)
    assert not errors
    assert sorted(received) == list(range(300))  # each message exactly once
    assert os.listdir(os.path.join(folder, mpdash.broker.CLAIMED)) == []
