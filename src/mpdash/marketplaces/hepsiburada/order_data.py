"""Deterministic shoppers, addresses and carriers for the Hepsiburada simulator's orders.

Real Turkish city / township (il / ilçe) pairs with a few neighbourhoods (mahalle) each, common
Turkish first and last names, and the carriers Hepsiburada hands packages to. ``shopper(n)``
always gives the same person and address for the same ``n``, so simulated orders are
reproducible. Standard library only; no randomness.
"""

from __future__ import annotations

from typing import Any

# (city, township, [neighbourhoods], postcode)
PLACES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("İstanbul", "Kadıköy", ("Caferağa Mah.", "Moda Mah.", "Fenerbahçe Mah."), "34710"),
    ("İstanbul", "Beşiktaş", ("Sinanpaşa Mah.", "Levent Mah.", "Etiler Mah."), "34353"),
    ("İstanbul", "Üsküdar", ("Altunizade Mah.", "Kuzguncuk Mah."), "34662"),
    ("Ankara", "Çankaya", ("Kızılay Mah.", "Bahçelievler Mah.", "Ayrancı Mah."), "06420"),
    ("Ankara", "Keçiören", ("Etlik Mah.", "Kuşcağız Mah."), "06010"),
    ("İzmir", "Karşıyaka", ("Bostanlı Mah.", "Mavişehir Mah."), "35540"),
    ("İzmir", "Bornova", ("Kazımdirik Mah.", "Erzene Mah."), "35040"),
    ("Bursa", "Nilüfer", ("Özlüce Mah.", "Görükle Mah."), "16110"),
    ("Antalya", "Muratpaşa", ("Lara Mah.", "Meltem Mah."), "07100"),
    ("Adana", "Seyhan", ("Reşatbey Mah.", "Cemalpaşa Mah."), "01120"),
    ("Konya", "Selçuklu", ("Bosna Hersek Mah.", "Feritpaşa Mah."), "42060"),
    ("Trabzon", "Ortahisar", ("Kemerkaya Mah.", "Boztepe Mah."), "61030"),
    ("Gaziantep", "Şahinbey", ("Karagöz Mah.", "Bey Mah."), "27010"),
    ("Eskişehir", "Tepebaşı", ("Hoşnudiye Mah.", "Şirintepe Mah."), "26010"),
)

STREETS = ("Atatürk Cad.", "Cumhuriyet Cad.", "İnönü Sok.", "Gazi Bulvarı", "Bağdat Cad.", "Papatya Sok.",
           "Lale Sok.", "Barış Cad.")

FIRST_NAMES = ("Ayşe", "Mehmet", "Fatma", "Mustafa", "Zeynep", "Ahmet", "Elif", "Ali", "Emine", "Hüseyin",
               "Merve", "Murat", "Büşra", "Emre", "Şule", "Burak", "Gül", "Oğuz", "İrem", "Can")
LAST_NAMES = ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
              "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek")

# Micro-export (mikro ihracat) shoppers live abroad: (country code, city, town, district, postcode).
ABROAD: tuple[tuple[str, str, str, str, str], ...] = (
    ("DE", "Berlin", "Kreuzberg", "Oranienstraße", "10999"),
    ("NL", "Amsterdam", "Centrum", "Damrak", "1012"),
    ("AZ", "Bakı", "Nəsimi", "Rəşid Behbudov küç.", "1000"),
)

# Carriers: short name (as packages are created and changed with) -> name and tracking URL template.
# guess: Hepsiburada's list of short names is in "Sipariş Entegrasyonu Önemli Bilgiler" (Kalem veya
# Kalemleri Paketleme), which could not be read; these are the carriers it works with.
CARRIERS: dict[str, dict[str, str]] = {
    "HX": {"name": "HepsiJET", "url": "https://www.hepsijet.com/gonderi-takibi/{code}"},
    "YK": {"name": "Yurtiçi Kargo",
           "url": "https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code={code}"},
    "ARAS": {"name": "Aras Kargo", "url": "https://kargotakip.araskargo.com.tr/mainpage.aspx?code={code}"},
    "MNG": {"name": "MNG Kargo", "url": "https://www.mngkargo.com.tr/gonderi-takip/?code={code}"},
    "PTT": {"name": "PTT Kargo", "url": "https://gonderitakip.ptt.gov.tr/Track/Verify?q={code}"},
    "SURAT": {"name": "Sürat Kargo", "url": "https://suratkargo.com.tr/KargoTakip/?kargotakipno={code}"},
    "UPS": {"name": "UPS Kargo", "url": "https://www.ups.com.tr/WaybillSorgu.aspx?Waybill={code}"},
    "KOLAYGELSIN": {"name": "Kolay Gelsin", "url": "https://esube.kolaygelsin.com/shipments?trackingId={code}"},
}
DEFAULT_CARRIER = "HX"  # Hepsiburada's own carrier, for packages Hepsiburada makes


def carrier(short_name: str | None) -> dict[str, str] | None:
    """The carrier with this short name (any case), or None."""
    if not short_name:
        return None
    key = str(short_name).strip().upper()
    found = CARRIERS.get(key)
    return {"shortName": key, **found} if found else None


def carrier_by_name(name: str | None) -> dict[str, str]:
    """The carrier with this name (any case), falling back to Hepsiburada's own."""
    wanted = str(name or "").strip().lower()
    for short, info in CARRIERS.items():
        if info["name"].lower() == wanted:
            return {"shortName": short, **info}
    return {"shortName": DEFAULT_CARRIER, **CARRIERS[DEFAULT_CARRIER]}


def shopper(n: int, *, abroad: bool = False) -> dict[str, Any]:
    """The ``n``-th shopper: a name, contact details and a delivery address (the same for the same ``n``)."""
    first = FIRST_NAMES[(n * 7) % len(FIRST_NAMES)]
    last = LAST_NAMES[(n * 11 + 3) % len(LAST_NAMES)]
    ascii_name = (first + "." + last).lower().translate(str.maketrans("çğıöşüâî", "cgiosuai"))
    person = {
        "customerId": f"c{100000 + n}",
        "name": f"{first} {last}",
        "email": f"{ascii_name}{n}@example.com",
        "phoneNumber": f"05{(30 + n % 70):02d}{(n * 7919) % 10_000_000:07d}",
    }
    if abroad:
        country, city, town, district, postcode = ABROAD[n % len(ABROAD)]
        address = {"countryCode": country, "city": city, "town": town, "district": district, "postalCode": postcode,
                   "address": f"{district} {1 + n % 120}"}
    else:
        city, town, districts, postcode = PLACES[n % len(PLACES)]
        district = districts[(n // len(PLACES)) % len(districts)]
        street = STREETS[(n * 3) % len(STREETS)]
        address = {"countryCode": "TR", "city": city, "town": town, "district": district, "postalCode": postcode,
                   "address": f"{district} {street} No:{1 + n % 90} D:{1 + n % 12} {town}/{city}"}
    return {**person, "address": address}
