"""Keys kept in the data directory for the embedded default."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def data_dir_secret(data_dir: Path, name: str, factory=None) -> str:
    """Return the secret stored in ``data_dir/name``, creating it (mode 0600) on first use."""
    path = Path(data_dir) / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = factory() if factory else secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, value.encode())
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    return value
