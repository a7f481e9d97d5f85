"""Walmart Marketplace (US) on the marketplace toolkit.

Facts relied on (Walmart's OpenAPI documents: auth, feeds, items, inventory, price, orders,
returns; reference §6):

* Auth: ``POST /v3/token`` form ``grant_type=client_credentials`` with ``Authorization: Basic
  base64(clientId:clientSecret)``, ``WM_SVC.NAME`` and ``WM_QOS.CORRELATION_ID``; the answer's
  ``access_token`` (``expires_in`` seconds) goes in ``WM_SEC.ACCESS_TOKEN``. Every operation
  requires Authorization, WM_SEC.ACCESS_TOKEN, WM_QOS.CORRELATION_ID and WM_SVC.NAME.
* Feeds: ``POST /v3/feeds?feedType=`` (inventory, price, MP_ITEM…) with the file as
  multipart/form-data → ``feedId``; ``GET /v3/feeds/{feedId}?includeDetails=true&offset&limit``
  → feedStatus RECEIVED / INPROGRESS / PROCESSED / ERROR and per item ``ingestionStatus``
  INPROGRESS / SUCCESS / DATA_ERROR / SYSTEM_ERROR / TIMEOUT_ERROR with ``ingestionErrors``.
  At most 10,000 items, under 10 MB. Feed file shapes are the documents' JSON examples.
* Items: ``GET /v3/items`` (nextCursor, ``*`` first), ``GET /v3/items/{id}``, ``DELETE
  /v3/items/{SKU}`` (retire), ``GET /v3/items/taxonomy`` ({category, subcategory[{subCategoryName,
  subCategoryId}]}). ``PUT /v3/inventory?sku&shipNode`` {sku, quantity{unit EACH, amount}};
  ``PUT /v3/price`` {sku, pricing[{currentPriceType, currentPrice{currency, amount}}]}.
* Orders: ``GET /v3/orders`` by lastModifiedStartDate/EndDate, limit ≤ 200, ``meta.nextCursor``;
  purchase orders with lines and ``orderLineStatuses`` (Created, Acknowledged, Shipped,
  Delivered, Cancelled, Refund); acknowledge, shipping (per line, trackingInfo with carrierName,
  methodCode, trackingNumber, trackingURL), cancel (cancellationReason enum).
* Returns: ``GET /v3/returns`` by returnLastModifiedStartDate/EndDate; ``POST
  /v3/returns/{returnOrderId}/refund`` {customerOrderId, refundLines[{returnOrderLineNumber}]}.
  There is no operation to reject a return.

Unverified (marked next to the code too): the per-operation call budgets (the usage headers
X-Current-Token-Count / X-Next-Replenishment-Time are followed on top of them), the feed hourly
limits for inventory and price, the form of nextCursor for orders, the Get Spec API
(``POST /v3/items/spec``, newer than the documents) and where its answer holds the category's
attributes, the largest feed-status page, and that a PRODUCT charge's amount is the line's total.
"""
