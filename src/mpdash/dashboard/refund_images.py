"""Images an operator attaches to a refund rejection, kept under MEDIA_ROOT (the data
directory) and handed to the marketplace as absolute URLs."""

from __future__ import annotations

import uuid

from django.core.files.storage import default_storage

MAX_IMAGES = 5
MAX_IMAGE_BYTES = 5 * 1024 * 1024
_SIGNATURES = (
    (b"\xff\xd8\xff", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"GIF87a", ".gif"),
    (b"GIF89a", ".gif"),
)


class ImageProblem(Exception):
    pass


def _extension(head: bytes) -> str | None:
    for signature, ext in _SIGNATURES:
        if head.startswith(signature):
            return ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    return None


def check(files) -> list[tuple[object, str]]:
    """``(file, extension)`` of every upload; JPEG, PNG, GIF or WebP by content, not by name."""
    files = [f for f in files if f and f.size]
    if len(files) > MAX_IMAGES:
        raise ImageProblem(f"at most {MAX_IMAGES} images (got {len(files)})")
    out = []
    for f in files:
        if f.size > MAX_IMAGE_BYTES:
            raise ImageProblem(f"{f.name} is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
        head = f.read(16)
        f.seek(0)
        ext = _extension(head)
        if ext is None:
            raise ImageProblem(f"{f.name} is not a JPEG, PNG, GIF or WebP image")
        out.append((f, ext))
    return out


def store(refund_id: int, checked: list[tuple[object, str]]) -> list[str]:
    """Save the images; returns their storage names."""
    return [default_storage.save(f"refunds/{refund_id}/{uuid.uuid4().hex}{ext}", f) for f, ext in checked]


def discard(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def absolute_url(request, name: str) -> str:
    return request.build_absolute_uri(default_storage.url(name))
