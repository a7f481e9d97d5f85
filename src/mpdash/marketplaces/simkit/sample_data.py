"""The one copy of the made-up people and places every simulator draws from.

Real Turkish cities with their plate codes, districts (ilçe) and a few neighbourhoods
(mahalle) each, so that the order side's address tables resolve them; common Turkish first
and last names; streets; a few addresses abroad for cross-border (micro-export) orders.
"""

from __future__ import annotations

# (city, plate code, district (ilçe), neighbourhoods (mahalle), postcode)
PLACES: tuple[tuple[str, int, str, tuple[str, ...], str], ...] = (
    ("İstanbul", 34, "Kadıköy", ("Caferağa Mah.", "Moda Mah.", "Fenerbahçe Mah."), "34710"),
    ("İstanbul", 34, "Beşiktaş", ("Sinanpaşa Mah.", "Levent Mah.", "Etiler Mah."), "34353"),
    ("İstanbul", 34, "Üsküdar", ("Altunizade Mah.", "Kuzguncuk Mah."), "34662"),
    ("İstanbul", 34, "Şişli", ("Kuştepe Mah.", "Mecidiyeköy Mah."), "34387"),
    ("Ankara", 6, "Çankaya", ("Kızılay Mah.", "Bahçelievler Mah.", "Ayrancı Mah."), "06420"),
    ("Ankara", 6, "Keçiören", ("Etlik Mah.", "Kuşcağız Mah."), "06010"),
    ("İzmir", 35, "Karşıyaka", ("Bostanlı Mah.", "Mavişehir Mah."), "35540"),
    ("İzmir", 35, "Bornova", ("Kazımdirik Mah.", "Erzene Mah."), "35040"),
    ("Bursa", 16, "Nilüfer", ("Özlüce Mah.", "Görükle Mah."), "16110"),
    ("Antalya", 7, "Muratpaşa", ("Lara Mah.", "Meltem Mah."), "07100"),
    ("Adana", 1, "Seyhan", ("Reşatbey Mah.", "Cemalpaşa Mah."), "01120"),
    ("Konya", 42, "Selçuklu", ("Bosna Hersek Mah.", "Feritpaşa Mah."), "42060"),
    ("Trabzon", 61, "Ortahisar", ("Kemerkaya Mah.", "Boztepe Mah."), "61030"),
    ("Gaziantep", 27, "Şahinbey", ("Karagöz Mah.", "Bey Mah."), "27010"),
    ("Eskişehir", 26, "Tepebaşı", ("Hoşnudiye Mah.", "Şirintepe Mah."), "26010"),
)

STREETS = ("Atatürk Cad.", "Cumhuriyet Cad.", "İnönü Sok.", "Gazi Bulvarı", "Bağdat Cad.", "Papatya Sok.",
           "Lale Sok.", "Barış Cad.", "Gül Sok.", "Menekşe Sok.")

FIRST_NAMES = ("Ayşe", "Mehmet", "Fatma", "Mustafa", "Zeynep", "Ahmet", "Elif", "Ali", "Emine", "Hüseyin",
               "Merve", "Murat", "Büşra", "Emre", "Şule", "Burak", "Gül", "Oğuz", "İrem", "Can", "Selin", "Kerem",
               "Çağla", "Ömer", "Deniz", "Ece")
LAST_NAMES = ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
              "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek")

# Shoppers abroad (cross-border orders): (country code, city, town, district, postcode).
ABROAD: tuple[tuple[str, str, str, str, str], ...] = (
    ("DE", "Berlin", "Kreuzberg", "Oranienstraße", "10999"),
    ("NL", "Amsterdam", "Centrum", "Damrak", "1012"),
    ("AZ", "Bakı", "Nəsimi", "Rəşid Behbudov küç.", "1000"),
)

# Catalog vocabulary that every simulated catalog's attribute values draw from.
COLOURS = ("Siyah", "Beyaz", "Kırmızı", "Mavi", "Yeşil", "Sarı", "Mor", "Pembe", "Turuncu", "Gri", "Kahverengi",
           "Lacivert", "Bej", "Ekru", "Haki", "Bordo", "Turkuaz", "Altın", "Gümüş", "Krem", "Füme", "Mint", "Lila",
           "Vizon", "Somon", "Antrasit", "Hardal", "Fuşya", "İndigo", "Taba", "Mercan", "Pudra", "Çok Renkli",
           "Şeffaf", "Bronz", "Petrol")
