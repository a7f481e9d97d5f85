"""Akinon Seller Center: Mono, Fashfed and Passo on one adapter and one simulator.

Mono is Akinon's own marketplace; Fashfed and Passo run on Akinon's platform. A seller reaches
all three through the same Seller Center integration API, so one adapter class serves them;
``marketplaces.py`` declares each one's defaults (label, channel and catalog names, base URL)
and ``adapter.py`` makes one subclass per marketplace from them (registry names ``mono``,
``fashfed``, ``passo``).

What we found (search of apidocs.akinon.com/seller-center and the getting-started guide):
- "Seller Center Integration API" v1.0.1, server ``https://{domain}/api``, paths under ``/i2/``;
  auth: the API key itself in the ``Authorization`` header. The older guide (``i1``):
  ``POST /api/i1/token/obtain/`` with ``{email, password}`` answers ``{"access": token}``.
- Lists page with ``page`` (from 1) and ``limit`` (default 10) and answer
  ``{count, next, previous, results}``; filters ``updated_at__gte|gt|lte|lt``; datetimes ISO 8601
  UTC with ``Z``; clients must accept new fields and new enum values.
- Errors: 401 ``{detail, code}``, 404 ``{detail}``, 500 "Unexpected error".
- ``GET /i2/categories/`` (CTG101) the tree ``{id (uuid), name, parent, children[]}``;
  ``GET /i2/categories/{id}/attributes/`` (CTG102); products (PRD102, PRD108 search) with
  ``{id, name, base_code, sku, category, attributes{KEY: value}, images[], ...}``.
- ``GET /i2/packages/`` (PKG101) filters ``number``, ``order__number``, ``status`` (an integer
  enum, e.g. 2), date filters; PKG102 package items. ``GET /i2/claims/`` (CLM001) filters
  ``type`` (cancel, refund), ``cancelled_by`` (1 customer, 2 seller), ``status``/``status__in``
  (open, waiting, approved, rejected, completed); a claim is one package item with a
  ``reason{id, subject}``.
- Sellers create pre-offers (with images) that the marketplace owner approves or rejects;
  price and stock are per offer and can be set in bulk (the seller tutorial).

What stays [UNVERIFIED] (our simulator and adapter agree on it; check against a sandbox):
- the write paths and bodies: ``PATCH offers/stocks/`` ``[{sku, stock}]`` and ``PATCH
  offers/prices/`` ``[{sku, price, retail_price, currency_type}]``, at most 100 items, accepted
  whole (202 ``{id, status}``) and answered per item at ``GET offers/batches/{id}/``
  (``{status: waiting|completed, results: [{sku, status: success|error, detail, code}]}``); ``POST pre-offers/`` and ``GET
  pre-offers/?sku__in=`` with ``status`` waiting/approved/rejected and ``rejection_reasons``;
- the meaning of the package status numbers (1 waiting, 2 preparing, 3 invoiced, 4 shipped,
  5 delivered, 6 cancelled, 7 refunded), one ``PATCH packages/{number}/`` carrying status,
  invoice (``invoice_number, invoice_date, e_archive_url``, the seed's names) and tracking
  (``tracking_number, tracking_url, shipped_date``), ``POST packages/{number}/cancel/``
  ``{items, reason}``, claim decisions ``POST claims/{id}/approve|reject/`` (reject with
  ``reason``), and the reasons list ``GET claims/reasons/?type=`` (the seed's "clm004");
- that a package item is one unit (our lines group a package's items by sku and price; a
  line's id is its item ids joined by commas); that package status 2 (Preparing, where the
  seed's get_orders reads) is a paid package waiting for the seller; the i1 token's header
  scheme (Bearer); rate limits (none published; the simulator allows 600 a minute).

Flags: the seed's own (config.FLAGS): ``product`` turns on both create and update,
``send_refund_order_status`` both approve and reject, ``send_split_packages`` the split; channels
saved with the earlier generic flags get them renamed (config.RENAMED_FLAGS, channels migration 0005).
"""
