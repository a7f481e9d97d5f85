"""N11: the REST seller API client, its adapter, the channel schema and a local simulator.

Importing this package loads only data (:mod:`.config`); the client, adapter, the demo
declaration (:mod:`.demo`) and the simulator (sub-package :mod:`.simulator`, on simkit, never
imported by production code) load from their own modules. Built on the adapter kit
(:mod:`mpdash.marketplaces.kit`), the common config and header credentials
(:class:`~mpdash.marketplaces.auth.HeaderCredentials`).

N11 API facts this package relies on. Sources: the N11 setup guide (seed 002), the
shared API reference §3.2 (N11's "RestAPI" pages on magazadestek.n11.com), and third-party
clients. **[UNVERIFIED]** marks what no official page confirmed; code relying on it says so.

Hosts and auth
  * ``https://api.n11.com``; every call carries the headers ``appkey`` and ``appsecret``
    (Satıcı Ofisi > Hesabım > Api Hesapları); the category calls need only ``appkey``.
  * The seed pre-fills ``base_url`` with ``https://api.n11.com/ws/`` (the SOAP base). SOAP
    stock/price/product-update were shut down on 1 June 2024, so the adapter strips a
    trailing ``/ws`` and calls the REST paths below on the host.
  * 401/403 bodies are **[UNVERIFIED]**; any 401 or 403 is read as "credentials refused".

Catalog
  * ``GET /cdn/categories``: the whole tree in one answer, nodes ``{id, name,
    subCategories}``; ``subCategories: null`` (or empty) marks a leaf.
  * ``GET /cdn/category/{categoryId}/attribute``: ``{id, name, categoryAttributes: [{attributeId,
    attributeName, isMandatory, isVariant, isSlicer, isCustomValue, isMultipleSelect?,
    attributeValues: [{id, value}]}]}``. The flags (mandatory, custom value, slicer,
    variant) and value ids are documented; the exact JSON keys are **[UNVERIFIED]**
    (third-party clients); the model accepts both ``isMandatory`` and ``mandatory`` spellings.

Products (asynchronous tasks)
  * ``POST /ms/product/tasks/product-create`` with ``{"payload": {"integrator", "skus":
    [{title, description, categoryId, currencyType: "TL", productMainId, preparingDay,
    shipmentTemplate, stockCode, barcode, quantity, images: [{url, order}], attributes: [{id,
    valueId, customValue}], salePrice, listPrice, vatRate, groupId?}]}}``; at most 1,000 skus.
    The answer holds the task ``id`` (and ``status`` IN_QUEUE). Body keys are **[3rd-party]**.
  * A barcode already in N11's catalog makes the product "awaiting seller approval"
    (documented); the seller approves it in N11's panel. The adapter reports it pending
    with the seed's text "This product is already pending approval. It will be published
    once approved.".
  * ``POST /ms/product/tasks/price-stock-update`` with ``{"payload": {"integrator", "skus":
    [{stockCode, listPrice, salePrice, quantity, currencyType}]}}``; at most 1,000 skus; list
    and sale price always together, dot decimals with two digits, listPrice ≥ salePrice
    (else the sku is REJECTed); a field left out is left untouched (documented).
  * ``POST /ms/product/task-details/page-query`` ``{taskId, pageable: {page, size}}`` →
    ``{taskId, status: IN_QUEUE|IN_PROGRESS|PROCESSED, skus: {content: [{itemCode, status:
    SUCCESS|REJECT, reasons: [..]}], totalPages}}`` **[3rd-party; shape UNVERIFIED]**.
  * ``GET /ms/product-query?page&size&stockCode`` lists the seller's products (``content``,
    ``totalPages``; fields ``stockCode, barcode, salePrice, listPrice, quantity, status``)
    **[3rd-party]**; status values ``Active``/``Suspended``/``Prohibited``/``Unlisted`` and
    ``WaitingForApproval`` / ``Rejected`` are **[UNVERIFIED]**.
  * N11's list of REST services names "Ürün Bilgisi Güncelleme (UpdateProduct)"; its path and
    body are **[UNVERIFIED]**: the adapter sends ``POST /ms/product/tasks/product-update`` with
    the content keys of a create sku (no prices or stock: those go by price-stock-update).
  * Product removal: N11's REST has no documented delete; the seed's send_delete_products
    sets stock to 0, which is what the adapter does.

Orders
  * ``GET /rest/delivery/v1/shipmentPackages?status&startDate&endDate&page&size&orderByDirection``
    (epoch ms): one ``status`` per request (Created, Picking, Shipped, Delivered, Cancelled,
    UnDelivered, Returned, UnSupplied, UnPacked); pages from 0 with ``totalPages``; only
    startDate → the month after; only endDate → the month before; a span over a month →
    the month before endDate; 1,000 requests a minute. Documented. Page size limit (100)
    and the package keys (``id, orderNumber, shipmentPackageStatus, lastModifiedDate,
    createdDate, cargoProviderName, cargoTrackingNumber, cargoTrackingLink, customerfullName,
    customerEmail, shippingAddress, billingAddress, lines: [{orderLineId, stockCode,
    barcode, productName, quantity, price, dueAmount, sellerDiscount, orderItemLineItemStatusName}]``)
    are **[3rd-party]**.
  * ``PUT /rest/order/v1/update`` ``{"lines": [{"lineId"}], "status": "Picking"}`` accepts lines
    (service "UpdateOrder"; body **[3rd-party]**). After Picking N11's carrier takes over:
    Shipped and Delivered come from N11. With ``send_shipping_info`` (the brand ships; the seed
    says tracking numbers then go out per line) the adapter sends the same call with
    ``"status": "Shipped", "trackingNumber", "shipmentCompany"``: those keys are
    **[UNVERIFIED]** (no REST tracking call was found). An invoice link goes by SOAP
    SellerInvoiceService ``SaveLinkSellerInvoice`` (url and orderNumber, https, at most 2,048
    characters: N11's list of services [3rd-party copy]; path ``/ws/sellerInvoiceService/`` and
    flat body **[UNVERIFIED]**).
  * No order data before November 2024; the amount to invoice is the sum of the lines'
    ``sellerInvoiceAmount`` (documented; not read here: ``dueAmount`` is used).
  * ``POST /rest/delivery/v1/splitCombinePackage`` ``{"splitGroups": [{"orderLineIds": [..]}]}``,
    only in Picking: the old package becomes UnPacked, new packages Picking, same orderNumber
    (the split service's page). N11's order-listing page says otherwise (the split package
    becomes Cancelled and the new ones UnPacked): the two official pages disagree
    **[UNVERIFIED]**; this package follows the split page, and keeps line ids across a split
    **[UNVERIFIED]**. So list_orders reads Created and Picking (split packages arrive as new
    orders, exactly once by package id) and list_cancellations Cancelled, UnSupplied and
    UnPacked (the replaced package is cancelled locally).
  * ``POST /rest/delivery/v1/splitPackageByQuantity`` ``{packageId, packageDetails:
    [{orderLineId, quantities: [..]}], cancelledItems: [{orderLineId, quantity,
    reasonId}]}``: split by quantity and cancel part of it; not usable for a cancel alone
    (documented; body shape **[UNVERIFIED]**). A partial cancel is therefore sent as a split
    whose cancelled part holds the lines to cancel and whose kept part holds the rest.
  * A customer's partial cancellation: the order-listing page says the lines not cancelled
    are listed in a new package; the simulator makes the old package Cancelled and the rest a
    new package of the same status **[UNVERIFIED]** (so the local order is cancelled and the
    new package comes in as an order).
  * Cancellation reasons sent (cancellation_reason_type_id, our ``send_cancel_reason_id``): 61 out of stock, 62 defective,
    63 wrong price, 64 force majeure, 65 other (seed). Deny reasons: 61-64, 81 (seed).
  * UnSupplied and UnPacked packages are cancelled here with the seed's ``unsupplied_reason_id``
    and ``unpacked_reason_id`` when set (``cancellation_reason_keys``), else the mapping.
  * ``cargo_company_id`` (ours) replaces the mapping of N11's carrier for the packages whose
    carrier (``cargoProviderId`` **[UNVERIFIED key]** or name) is in ``exclude_cargo_company_ids``,
    or for every package when that list is empty (the seed's two sentences read together).

Cancellation requests and returns (SOAP; N11's REST has no counterpart, webhooks none found)
  * N11's list of services keeps ``ClaimCancelService`` (ClaimCancelList / Approve / Deny) and
    ``ReturnService`` (ClaimReturnList / Approve / Deny) on SOAP; the ReturnService address is
    ``https://api.n11.com/ws/returnService/`` (its WSDL, as a third-party client read it), the
    ClaimCancelService one ``…/ws/claimCancelService/`` by analogy **[UNVERIFIED]**. Envelope:
    ``sch:{Op}Request`` in ``http://www.n11.com/ws/schemas`` with unqualified children, ``auth``
    {appKey, appSecret}; lists take ``searchData {status, period {startDate, endDate}}`` (days,
    dd/MM/yyyy) and ``pagingData {currentPage, pageSize}``, answer ``claimCancelList.claimCancel``
    / ``claimReturnList.claimReturn`` with ``pagingData.pageCount``; approve takes the claim id,
    deny also ``denyReasonId`` and ``denyReasonNote`` [3rd-party clients]. Claim fields ``id,
    status, orderNumber, quantity, reasonType, reasonDescription, requestDate`` (dd/MM/yyyy
    HH:mm:ss, read as Turkish time **[UNVERIFIED]**) are third-party; the order line as
    ``orderItemId`` (the REST line id) is **[UNVERIFIED]**. Statuses: cancel REQUESTED, COMPLETED,
    DENIED, RETRACTED; return REQUESTED, APPROVED, DENIED, CANCELLED... [3rd-party].
  * ``get_cancellation_request`` (seed): REQUESTED requests; an order invoiced here is denied
    with ``deny_reason_id``, any other approved on N11 (its line cancelled there) and here.
  * Returns: ``get_refund_orders`` reads ClaimReturnList ``ALL`` (the seed's Cancel/Refund Orders
    flow, flag ``get_cancel_orders``); approve/reject (flag ``get_cancellation_request``, the
    flow that answers N11's requests) send ClaimReturnApprove / ClaimReturnDeny with the chosen
    N11 deny reason or ``deny_reason_id``; N11's deny takes no images **[UNVERIFIED]**.

Products held under another seller code (``send_delete_product_seller_code``, on demand)
  * A create refused with the seed's "The product you entered is listed with XXXX seller code
    on your side..." (N11's own wording **[UNVERIFIED]**) names the code; the flow deletes it by
    SOAP ProductService ``DeleteProductBySellerCode`` (``productSellerCode``; third-party clients;
    whether it outlived the 2024 shutdown of SOAP product writes is **[UNVERIFIED]**; REST
    documents no delete) and sends the product again.

Not built
  * ``handle_package_combinations`` (seed): it reports packages the OMS regrouped, read from
    per-item tracking changes; our order API takes tracking per order, and the OMS's splits
    arrive through ``split_packages`` directly, so there is nothing for it to read yet.
  * The seed's ``sales_url`` (the shop site) is not declared: nothing here uses it.
  * Error bodies: ``{"code", "message"}`` or ``{"errors": [..]}`` **[UNVERIFIED]**.
"""

from .config import BATCH_SIZES, FLOWS, SCHEMA

__all__ = ["BATCH_SIZES", "FLOWS", "SCHEMA"]
