"""Auth providers of the HTTP base, the bearer one against a real local token endpoint."""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx
import pytest

from mpdash.marketplaces.auth import (
    BasicCredentials,
    BearerCredentials,
    HeaderCredentials,
    MemoryTokenStore,
    SQLiteTokenStore,
    TokenProvider,
    client_credentials_grant,
    login_grant,
    refresh_token_grant,
)
from mpdash.marketplaces.errors import AuthError
from mpdash.marketplaces.http import BaseClient


class TokenServer:
    """A token endpoint (``POST /token``, ``POST /login``) and an API (``GET /api``) that takes
    only the newest token it issued (unless ``revoked``)."""

    def __init__(self, expires_in: float | None = 3600):
        self.expires_in = expires_in
        self.issued: list[str] = []
        self.grants: list[dict] = []
        self.api_calls: list[str] = []
        self.refuse_grants = False
        self.revoked: set[str] = set()
        self.reject_all = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                body = json.loads(raw) if self.path == "/login" else {k: v[0] for k, v in parse_qs(raw).items()}
                server.grants.append({"path": self.path, "body": body, "authorization": self.headers.get("Authorization")})
                if server.refuse_grants:
                    return self._answer(400, {"error": "invalid_grant", "error_description": f"bad {raw}"})
                token = f"tok-{len(server.issued) + 1}-secretish"
                server.issued.append(token)
                answer = {"access": token} if self.path == "/login" else {"access_token": token, "token_type": "bearer"}
                if server.expires_in is not None:
                    answer["expires_in"] = server.expires_in
                self._answer(200, answer)

            def do_GET(self):
                sent = self.headers.get("Authorization") or self.headers.get("x-access-token") or ""
                token = sent.removeprefix("Bearer ")
                server.api_calls.append(token)
                if server.reject_all or not server.issued or token != server.issued[-1] or token in server.revoked:
                    return self._answer(401, {"error": "unauthorized"})
                self._answer(200, {"ok": True})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = TokenServer()
    yield s
    s.close()


@pytest.fixture
def store(tmp_path):
    return SQLiteTokenStore(str(tmp_path / "tokens.sqlite3"))


def provider(server, store, key="acct:1", **kw):
    grant = refresh_token_grant(f"{server.url}/token", client_id="cid", client_secret="csecret", refresh_token="rtok")
    return TokenProvider(key, grant, store=store, **kw)


def client(server, prov, **kw) -> BaseClient:
    return BaseClient(base_url=server.url, credentials=BearerCredentials(prov, **kw))


def test_token_is_obtained_once_and_shared_by_workers(server, store):
    first, second = client(server, provider(server, store)), client(server, provider(server, store))
    assert first.request("GET", "/api") == {"ok": True}
    assert second.request("GET", "/api") == {"ok": True}  # another worker: same store, no new grant
    assert len(server.issued) == 1
    assert server.grants[0]["body"] == {"grant_type": "refresh_token", "refresh_token": "rtok", "client_id": "cid",
                                        "client_secret": "csecret"}


def test_a_401_renews_the_token_once_and_retries_once(server, store):
    api = client(server, provider(server, store))
    api.request("GET", "/api")
    server.revoked.add(server.issued[-1])
    assert api.request("GET", "/api") == {"ok": True}
    assert len(server.issued) == 2 and server.api_calls == [server.issued[0], server.issued[0], server.issued[1]]
    # A worker still holding the old token picks up the renewed one without a grant of its own.
    other = provider(server, store)
    assert other.renew(server.issued[0]) == server.issued[1] and len(server.issued) == 2


def test_a_refused_token_fails_the_run_after_one_retry(server, store):
    api = client(server, provider(server, store))
    server.reject_all = True  # the account lost access: every token is refused
    with pytest.raises(AuthError, match="check the channel's client id, secret and refresh token"):
        api.request("GET", "/api")
    assert len(server.api_calls) == 2 and len(server.issued) == 2  # the request and one retry, no loop


def test_token_is_renewed_shortly_before_it_expires(store):
    server = TokenServer(expires_in=1)
    try:
        prov = provider(server, store, margin=0.5)
        token = prov.token()
        assert prov.token() == token
        time.sleep(0.6)
        assert prov.token() != token and len(server.issued) == 2
    finally:
        server.close()


def test_default_lifetime_when_the_endpoint_states_none(store):
    server = TokenServer(expires_in=None)
    try:
        prov = provider(server, store)
        prov.token()
        _, expires_at = store.get(prov.key)
        assert 1700 < expires_at - time.time() <= 1800
    finally:
        server.close()


def test_tokens_are_never_logged_nor_stored_readable(server, store, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    api = client(server, provider(server, store))
    api.request("GET", "/api")
    token = server.issued[0]
    assert token not in caplog.text and "csecret" not in caplog.text and "rtok" not in caplog.text
    assert token not in json.dumps(api.last_exchange())
    rows = sqlite3.connect(tmp_path / "tokens.sqlite3").execute("SELECT key, value FROM tokens").fetchall()
    assert len(rows) == 1 and token not in rows[0][1] and "csecret" not in rows[0][0]
    assert "secret" not in repr(api.credentials)


def test_other_credentials_do_not_get_the_cached_token(server, store):
    provider(server, store).token()
    grant = refresh_token_grant(f"{server.url}/token", client_id="cid", client_secret="csecret", refresh_token="new")
    assert TokenProvider("acct:1", grant, store=store).token() == server.issued[1]


def test_refused_grant_is_an_auth_error_that_echoes_nothing(server, store):
    server.refuse_grants = True
    with pytest.raises(AuthError) as raised:
        provider(server, store).token()
    assert "invalid_grant" in str(raised.value) and "rtok" not in str(raised.value)


def test_client_credentials_and_login_grants(server):
    store = MemoryTokenStore()
    grant = client_credentials_grant(f"{server.url}/token", client_id="cid", client_secret="cs",
                                     headers={"X-Correlation": "abc"})
    TokenProvider("cc", grant, store=store).token()
    sent = server.grants[-1]
    assert sent["body"] == {"grant_type": "client_credentials"}
    assert sent["authorization"] == "Basic " + base64.b64encode(b"cid:cs").decode()
    login = TokenProvider("login", login_grant(f"{server.url}/login", {"email": "a@b.c", "password": "pw"}), store=store)
    token = login.token()
    assert server.grants[-1]["body"] == {"email": "a@b.c", "password": "pw"} and token == server.issued[-1]
    api = BaseClient(base_url=server.url, credentials=BearerCredentials(login, header="x-access-token", scheme=""))
    assert api.request("GET", "/api") == {"ok": True}


def test_redis_store_is_shared(server):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/2"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    from mpdash.marketplaces.auth import RedisTokenStore

    key = f"test-{time.time()}"
    first = provider(server, RedisTokenStore(url), key=key)
    token = first.token()
    assert provider(server, RedisTokenStore(url), key=key).token() == token and len(server.issued) == 1
    assert first.renew(token) != token


def recorder(status=200):
    seen: list[httpx.Request] = []

    def handle(request):
        seen.append(request)
        return httpx.Response(status, json={"ok": True})

    return seen, httpx.MockTransport(handle)


def test_basic_and_header_credentials():
    seen, transport = recorder()
    BaseClient(base_url="http://mp", auth=("user", "pw"), transport=transport).request("GET", "/x")
    assert seen[-1].headers["Authorization"] == "Basic " + base64.b64encode(b"user:pw").decode()
    keys = HeaderCredentials({"appkey": "k1", "appsecret": "s1"})
    BaseClient(base_url="http://mp", credentials=keys, transport=transport).request("GET", "/x")
    assert (seen[-1].headers["appkey"], seen[-1].headers["appsecret"]) == ("k1", "s1")


def test_refusal_texts_name_the_provider_keys_not_a_marketplace():
    _, transport = recorder(401)
    keys = HeaderCredentials({"appkey": "k1", "appsecret": "s1"})
    with pytest.raises(AuthError) as raised:
        BaseClient(base_url="http://mp", credentials=keys, transport=transport).request("GET", "/x")
    assert "check the channel's appkey and appsecret" in str(raised.value)
    basic = BasicCredentials("u", "p", hint="the channel's seller id, key and secret")
    with pytest.raises(AuthError, match="seller id, key and secret"):
        BaseClient(base_url="http://mp", credentials=basic, transport=transport).request("GET", "/x")
    with pytest.raises(AuthError, match="check the channel's credentials"):
        BaseClient(base_url="http://mp", transport=transport).request("GET", "/x")


def test_refusal_table_is_checked_before_the_general_mapping():
    from mpdash.marketplaces.errors import RateLimited, RequestRejected, TransientError
    from mpdash.marketplaces.http import Refusal

    class Client(BaseClient):
        refusals = (
            Refusal(RateLimited, "{where}: busy ({details})", marks=("too busy",), retry_after=30.0),
            Refusal(RequestRejected, "{where}: refused {status}: {details}", (409,), no_details="no reason"),
        )

    answers = iter([httpx.Response(400, text="Too busy right now"), httpx.Response(409, text="  "),
                    httpx.Response(429, text="too busy", headers={"Retry-After": "7"}), httpx.Response(503)])
    client = Client(base_url="http://mp", transport=httpx.MockTransport(lambda request: next(answers)))
    with pytest.raises(RateLimited, match=r"GET /x: busy \(Too busy right now\)") as busy:
        client.request("GET", "/x")
    assert busy.value.retry_after == 30.0
    with pytest.raises(RequestRejected, match="GET /x: refused 409: no reason"):
        client.request("GET", "/x")
    with pytest.raises(RateLimited) as limited:  # a 429 keeps the general mapping and its Retry-After
        client.request("GET", "/x")
    assert limited.value.retry_after == 7.0
    with pytest.raises(TransientError):
        client.request("GET", "/x")
