"""Exchange excerpts: bounded, and never a piece of a secret, however big the answer."""

from __future__ import annotations

from mpdash.marketplaces.http import EXCERPT_CHARS, _excerpt
from mpdash.redaction import register_secret

SECRET = "S3cr3t-Service-Key-0042"


def test_a_secret_across_the_cut_is_masked_whole():
    register_secret(SECRET)
    for offset in range(EXCERPT_CHARS - len(SECRET), EXCERPT_CHARS + 1):
        text = "x" * offset + SECRET + "y" * 50_000
        shown = _excerpt(text)
        assert len(shown) == EXCERPT_CHARS + 1  # the cut, plus the ellipsis
        assert not any(SECRET[:k] in shown for k in range(4, len(SECRET) + 1)), offset


def test_a_short_answer_is_kept_and_redacted():
    register_secret(SECRET)
    assert _excerpt(f'{{"key": "{SECRET}"}}') .count(SECRET) == 0
    assert _excerpt("plain") == "plain"


def test_a_json_file_upload_is_shown_like_a_body_and_images_are_not():
    import httpx

    from mpdash.marketplaces.http import BaseClient

    register_secret(SECRET)
    client = BaseClient("https://seller.example", transport=httpx.MockTransport(lambda request: httpx.Response(200)))
    files = {"file": ("items.json", f'[{{"sku": "A-1", "key": "{SECRET}"}}]'.encode(), "application/json"),
             "photo": ("p.jpg", b"\xff\xd8\xff\xe0binary", "image/jpeg")}
    client.request("POST", "/upload", files=files, expect_json=False)
    shown = client.last_exchange()["request"]
    assert '"sku": "A-1"' in shown and SECRET not in shown and "binary" not in shown
