"""N11's SOAP envelopes, for the services its REST API has no counterpart of: customers'
cancellation requests (``ClaimCancelService``) and return claims (``ReturnService``).

Plain strings in and out, shared by the client and the simulator. The request root is
``sch:{Operation}Request`` in ``http://www.n11.com/ws/schemas`` with unqualified children
(``auth``, ``searchData``...); the answer ``{Operation}Response`` holds ``result.status``
(``success``/``failure``, ``errorCode``, ``errorMessage``) and the data [3rd-party clients
reading the live WSDL]. A body declaring a DOCTYPE is refused (no entity expansion).
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

NS = "http://www.n11.com/ws/schemas"
ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"


class SoapError(ValueError):
    """An envelope that is not one (not XML, no body, a Fault, a DOCTYPE)."""


def _xml(value: Any) -> str:
    if isinstance(value, dict):
        return "".join(f"<{k}>{_xml(v)}</{k}>" if not isinstance(v, list) else "".join(f"<{k}>{_xml(x)}</{k}>" for x in v)
                       for k, v in value.items())
    if value is None:
        return ""
    return escape(str(value).lower() if isinstance(value, bool) else str(value))


def _wrap(inner: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{ENVELOPE_NS}" '
            f'xmlns:sch="{NS}"><soapenv:Header/><soapenv:Body>{inner}</soapenv:Body></soapenv:Envelope>')


def request(operation: str, fields: dict[str, Any]) -> str:
    """The envelope of ``{operation}Request`` with ``fields`` (dicts nest, lists repeat)."""
    return _wrap(f"<sch:{operation}Request>{_xml(fields)}</sch:{operation}Request>")


def response(operation: str, data: dict[str, Any], *, error: tuple[str, str] | None = None) -> str:
    """The envelope of ``{operation}Response``: ``result`` success with ``data``, or failure."""
    result = {"status": "failure", "errorCode": error[0], "errorMessage": error[1]} if error else {"status": "success"}
    return _wrap(f'<ns3:{operation}Response xmlns:ns3="{NS}">{_xml({"result": result, **data})}</ns3:{operation}Response>')


def fault(message: str) -> str:
    return _wrap(f"<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>{escape(message)}</faultstring>"
                 "</soapenv:Fault>")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def data_of(element: ET.Element) -> Any:
    """An element as plain data: text for a leaf, else ``{child: data}`` (a repeated child: a list)."""
    children = list(element)
    if not children:
        return (element.text or "").strip()
    out: dict[str, Any] = {}
    for child in children:
        key, value = _local(child.tag), data_of(child)
        if key in out:
            out[key] = (out[key] if isinstance(out[key], list) else [out[key]]) + [value]
        else:
            out[key] = value
    return out


def many(data: Any, *path: str) -> list[dict[str, Any]]:
    """The repeated records under ``path`` (``claimCancelList``, ``claimCancel``), always a list."""
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    if data in (None, ""):
        return []
    return [x for x in (data if isinstance(data, list) else [data]) if isinstance(x, dict)]


def body_of(text: str) -> tuple[str, Any]:
    """(the operation element's local name, its data) of an envelope; SoapError when it is not
    one, or holds a Fault."""
    if "<!DOCTYPE" in text[:2000].upper():
        raise SoapError("a DOCTYPE is not accepted")
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as bad:
        raise SoapError(f"not XML ({bad})") from None
    body = next((e for e in root if _local(e.tag) == "Body"), None)
    operation = next(iter(body), None) if body is not None else None
    if operation is None:
        raise SoapError("no SOAP Body with an operation")
    if _local(operation.tag) == "Fault":
        raise SoapError(f"SOAP Fault: {data_of(operation).get('faultstring') or 'no faultstring'}")
    return _local(operation.tag), data_of(operation)
