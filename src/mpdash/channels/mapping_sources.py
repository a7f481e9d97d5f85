"""What the source of an attribute mapping may name: a product field, or a template of them.

The Mapper (:mod:`.mapper`) fills them in; the mapping model (:mod:`.models_mapping`)
checks them when a mapping is saved. Both import this module, not each other.
"""

from __future__ import annotations

import re

PRODUCT_FIELDS = (
    "sku", "name", "description", "base_code", "images", "price", "list_price", "stock", "tax_rate", "currency",
    "category", "product_type",
)
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def check_template(template: str) -> str:
    """An explanation of what is wrong with a template, or ``""``."""
    names = PLACEHOLDER.findall(template or "")
    if not names:
        return "a template needs at least one {placeholder}, e.g. '{name} {attributes.color}'"
    for name in names:
        if name not in PRODUCT_FIELDS and not name.startswith("attributes."):
            return f"unknown placeholder {{{name}}}; use a product field ({', '.join(PRODUCT_FIELDS)}) or attributes.<key>"
    return ""
