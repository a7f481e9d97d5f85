"""The deterministic shopper: who buys (the ``n``-th person is always the same) and what."""

from __future__ import annotations

from dataclasses import dataclass

from .sample_data import ABROAD, FIRST_NAMES, LAST_NAMES, PLACES, STREETS

_ASCII = str.maketrans("çğıöşüâîÇĞİÖŞÜ", "cgiosuaiCGIOSU")


@dataclass(frozen=True)
class Person:
    """The ``n``-th made-up shopper with a delivery address (at home or, ``abroad``, elsewhere)."""

    n: int
    first: str
    last: str
    email: str
    phone: str
    country: str
    city: str
    plate: int | None  # the city's plate code (None abroad)
    district: str  # ilçe (a town abroad)
    neighbourhood: str  # mahalle (a street abroad)
    street: str
    postcode: str
    line: str  # the address line: neighbourhood, street, numbers

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def person(n: int, *, abroad: bool = False) -> Person:
    first = FIRST_NAMES[(n * 7) % len(FIRST_NAMES)]
    last = LAST_NAMES[(n * 11 + 3) % len(LAST_NAMES)]
    email = f"{first}.{last}".lower().translate(_ASCII) + f"{n}@example.com"
    phone = f"05{(30 + n % 70):02d}{(n * 7919) % 10_000_000:07d}"
    if abroad:
        country, city, town, street, postcode = ABROAD[n % len(ABROAD)]
        return Person(n, first, last, email, phone, country, city, None, town, street, street, postcode,
                      f"{street} {1 + n % 120}")
    city, plate, district, hoods, postcode = PLACES[n % len(PLACES)]
    hood = hoods[(n // len(PLACES)) % len(hoods)]
    street = STREETS[(n * 3) % len(STREETS)]
    return Person(n, first, last, email, phone, "TR", city, plate, district, hood, street, postcode,
                  f"{hood} {street} No:{1 + n % 90} D:{1 + n % 12}")


def basket(n: int, candidates: list[str], most_lines: int = 2) -> list[tuple[str, int]]:
    """The ``n``-th order's lines: 1..``most_lines`` distinct candidates, 1-3 units each."""
    if not candidates:
        return []
    count = min(1 + n % most_lines, len(candidates))
    lines: dict[str, int] = {}
    for i in range(count):
        lines.setdefault(candidates[(n * 5 + i * 3) % len(candidates)], 1 + (n + i) % 3)
    return list(lines.items())
