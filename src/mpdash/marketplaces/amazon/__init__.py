"""Amazon Selling Partner API (SP-API).

Facts relied on (the official models in the shared specs, reference §4 and the setup guide, seed 004):

* Auth: Login with Amazon refresh-token grant (``grant_type=refresh_token``, ``client_id``,
  ``client_secret``, ``refresh_token``) for an access token valid ``expires_in`` seconds (3600),
  sent as ``x-amz-access-token``; AWS SigV4 signing is no longer required. An expired token is
  answered 403 (renewed once, like a 401).
* Regions: NA / EU / FE hosts ``sellingpartnerapi-{na,eu,fe}.amazon.com``; Türkiye
  (``A33AVAJ2PDY3EV``) is on EU. The seed stores the AWS region name (eu-west-1).
* Budgets: each operation has a token bucket (rate/s, burst) printed in its model: getOrders
  0.0167/20, getOrderItems 0.5/30, confirmShipment 2/10, createFeedDocument 0.5/15, createFeed
  0.0083/15, getFeed 2/15, getFeedDocument 0.0222/10, patchListingsItem 5/5, putListingsItem 5/10.
* JSON_LISTINGS_FEED (v2): ``{header: {sellerId, version "2.0"}, messages: [{messageId, sku,
  operationType, productType, patches}]}``, 1..25,000 messages, under 10 MiB; createFeedDocument
  → PUT to the pre-signed URL → createFeed → getFeed until DONE / FATAL / CANCELLED →
  resultFeedDocumentId → getFeedDocument → the processing report ``{header, issues[{messageId,
  severity, code, message}], summary}``.
* Orders v0: getOrders needs exactly one of CreatedAfter / LastUpdatedAfter; LastUpdatedBefore at
  least two minutes before the request; ``NextToken`` pages; getOrderItems per order;
  confirmShipment ``{marketplaceId, packageDetail{packageReferenceId, carrierCode, trackingNumber,
  shipDate, orderItems[{orderItemId, quantity}]}}`` answered 204.

* Catalog: searchDefinitionsProductTypes (keywords) lists product types, getDefinitionsProductType
  names a pre-signed link to the product type's JSON Schema (attributes as arrays of ``{value,
  marketplace_id, language_tag}``, allowed values as the value's ``enum``); putListingsItem
  ``{productType, requirements: LISTING, attributes}`` creates or replaces a listing and answers
  ACCEPTED / INVALID with issues (``mode=VALIDATION_PREVIEW`` validates without saving);
  getListingsItem summaries carry ``status`` BUYABLE / DISCOVERABLE; deleteListingsItem removes a
  listing; searchListingsItems pages the seller's listings (pageSize at most 20, ``pageToken``).
* Orders 2026-01-01: searchOrders (0.0056/s, burst 20) by ``lastUpdatedAfter`` with
  ``includedData`` PACKAGES etc.; a package's ``packageStatus.status`` DELIVERED is the seed's
  "Delivered" (Orders v0 has no delivery); ``pagination.nextToken`` → ``paginationToken``.
* Reports 2021-06-30 (reference §4.7): createReport → getReport until DONE / CANCELLED / FATAL →
  getReportDocument → pre-signed download (maybe GZIP).

Unverified (marked next to the code too): ``productType "PRODUCT"`` for offer-only patches; the
JSON_LISTINGS_FEED "5 submissions per 5 minutes" per region; buyer addresses in getOrders answers
(Amazon gives PII only with a Restricted Data Token, which this package does not request yet: the
simulator answers as if the application had the role); the attributes of the default fields
(item_name, brand, externally_assigned_product_identifier, main_product_image_locator) differ per
product type in reality; returns: the flat-file returns report's column names and status values
(the Reports model is not among the shared specs), and that SP-API has no call to authorise or
refuse a merchant-fulfilled return (the refund requests are decided in Seller Central); that a
delivery scan moves an order's ``lastUpdatedTime``.
"""
