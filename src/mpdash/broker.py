"""The embedded default's broker: kombu's file-system transport, made safe for several processes.

kombu 5.x's file-system transport has three races that show up as soon as the web server,
the worker and beat share one broker folder:

* a message file is written in place, so a consumer can read it half-written, fail to
  decode it and stop ("Unrecoverable error: JSONDecodeError");
* the exchange table (which queues an exchange routes to) is rewritten in place, and
  a second process that opens it between the truncate and the write reads an empty
  file and fails while declaring its queues;
* a consumer claims a message by moving it into the system temporary folder, which is
  often another file system: the move becomes copy-and-delete, so two consumers can
  both deliver the same message.

Here every file is written to a staging folder and renamed into place (atomic on one
file system: a reader sees the old file or the new one, never a partial one), the
exchange table's read-modify-write runs under a lock file, and a message is claimed by
renaming it into a folder beside the queue: exactly one consumer wins the rename. A
message file that still cannot be decoded (written by an older version, a disk error)
is logged and skipped instead of stopping the worker.
"""

from __future__ import annotations

import logging
import os
import uuid
from time import monotonic

from kombu.transport import filesystem
from kombu.transport.virtual import Empty
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger("mpdash.broker")

STAGING = ".staging"  # inside the queue folder: same file system, and never taken for a message
CLAIMED = ".claimed"  # a consumer renames a message here before reading it


def write_atomically(path: str, data: bytes, staging: str) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees a partial file.

    No fsync: the rename gives atomicity between processes, which is what the broker
    needs. A message lost to a power cut costs nothing lasting, since flows work from the
    database and beat queues them again; an fsync per message made the broker crawl
    (a few messages per second) while SQLite was busy flushing on the same disk.
    """
    os.makedirs(staging, exist_ok=True)
    temporary = os.path.join(staging, f"{uuid.uuid4()}.tmp")
    try:
        with open(temporary, "wb") as f:
            f.write(data)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        try:
            write_atomically(
                os.path.join(self.data_folder_out, name),
                str_to_bytes(dumps(payload)),
                os.path.join(self.data_folder_out, STAGING),
            )
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add file {name!r} to directory {self.data_folder_out!r}") from exc

    def _get(self, queue):
        suffix = f"{queue}.msg"
        claimed_folder = os.path.join(self.data_folder_in, CLAIMED)
        os.makedirs(claimed_folder, exist_ok=True)
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != suffix:
                continue
            claimed = os.path.join(claimed_folder, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except OSError:
                continue  # another consumer took it first
            try:
                with open(claimed, "rb") as f:
                    payload = f.read()
            except OSError as exc:
                raise filesystem.ChannelError(f"Cannot read file {claimed!r} from queue.") from exc
            if self.store_processed:
                os.makedirs(self.processed_folder, exist_ok=True)
                os.replace(claimed, os.path.join(self.processed_folder, name))
            else:
                os.unlink(claimed)
            try:
                return loads(bytes_to_str(payload))
            except ValueError as exc:  # an unreadable message file: already removed; keep consuming
                logger.error("skipped an unreadable message of queue %s (%s): %s", queue, name, exc)
        raise Empty()

    # --- the exchange table: read-modify-write under a lock, replaced atomically -------------

    def get_table(self, exchange):
        try:
            with self._exchange_file(exchange).open("rb") as f:
                data = f.read()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot open {self._exchange_file(exchange)}") from exc
        if not data.strip():
            return []
        return [filesystem.exchange_queue_t(*q) for q in loads(bytes_to_str(data))]

    def queue_bind(self, queue, exchange=None, routing_key="", arguments=None, **kwargs):
        # kombu skips the table file when this process has bound the queue before (an
        # in-memory cache shared by every connection of the process); a table file that is
        # missing its binding (a new broker folder, a wiped one) would then drop messages
        # silently. Writing is idempotent, so check the file every time.
        super().queue_bind(queue, exchange, routing_key, arguments, **kwargs)
        exchange = exchange or "amq.direct"
        meta = self.typeof(exchange).prepare_bind(queue, exchange, routing_key, arguments)
        self._queue_bind(exchange, *meta)

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        folder = self.control_folder
        folder.mkdir(parents=True, exist_ok=True)
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        path = self._exchange_file(exchange)
        try:
            with open(f"{path}.lock", "ab") as lock_file:
                filesystem.lock(lock_file, filesystem.LOCK_EX)
                try:
                    queues = self.get_table(exchange)
                    if entry not in queues:
                        queues.insert(0, entry)
                        write_atomically(str(path), str_to_bytes(dumps(queues)), str(folder / STAGING))
                finally:
                    filesystem.unlock(lock_file)
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot open {path}") from exc


class Transport(filesystem.Transport):
    Channel = Channel


def install() -> None:
    """Make ``filesystem://`` broker URLs use this transport in this process."""
    from kombu.transport import TRANSPORT_ALIASES

    TRANSPORT_ALIASES["filesystem"] = "mpdash.broker:Transport"
