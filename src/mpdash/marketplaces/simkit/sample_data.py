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

# --- catalog words: the attribute values every simulated catalog draws from ------------------
COLOURS = ("Siyah", "Beyaz", "Lacivert", "Kırmızı", "Mavi", "Yeşil", "Sarı", "Turuncu", "Mor", "Pembe", "Gri",
           "Kahverengi", "Bej", "Ekru", "Bordo", "Haki", "Antrasit", "Gümüş", "Altın", "Krem", "Lila", "Mint",
           "Turkuaz", "Fuşya", "Vizon", "Taba", "İndigo", "Mercan", "Pudra", "Çok Renkli", "Şeffaf", "Bronz", "Somon",
           "Hardal", "Petrol", "Füme")
CLOTHING_SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL", "5XL", "Standart", "Tek Ebat",
                  *(str(n) for n in range(34, 62, 2)))
SHOE_SIZES = (*(str(n) for n in range(17, 48)), *(f"{n}.5" for n in range(35, 46)))
KIDS_AGES = ("0-3 Ay", "3-6 Ay", "6-9 Ay", "9-12 Ay", "12-18 Ay", "18-24 Ay", "2-3 Yaş", "3-4 Yaş", "4-5 Yaş",
             "5-6 Yaş", "7-8 Yaş", "9-10 Yaş", "11-12 Yaş", "13-14 Yaş")
AGE_GROUPS = ("0-6 Ay", "6-12 Ay", "1-3 Yaş", "3-6 Yaş", "6-9 Yaş", "9-12 Yaş", "12+ Yaş", "Yetişkin", "Çocuk",
              "Bebek", "Genç")
GENDERS = ("Kadın", "Erkek", "Unisex", "Kız Çocuk", "Erkek Çocuk", "Bebek")
MATERIALS = ("Pamuk", "Polyester", "Viskon", "Keten", "Yün", "Akrilik", "Elastan", "Deri", "Suni Deri", "Süet", "Kot",
             "Saten", "İpek", "Naylon", "Kadife", "Rugan", "Plastik", "Silikon", "Metal", "Paslanmaz Çelik",
             "Alüminyum", "Ahşap", "Bambu", "Cam", "Seramik", "Porselen", "Mermer", "Kumaş", "Tekstil", "Hasır")
PATTERNS = ("Düz", "Çizgili", "Kareli", "Çiçekli", "Puantiyeli", "Desenli", "Baskılı", "Kamuflaj", "Leopar", "Ekose",
            "Geometrik", "Nakışlı")
STORAGE = ("16 GB", "32 GB", "64 GB", "128 GB", "256 GB", "512 GB", "1 TB", "2 TB")
VOLUMES = ("15 ml", "30 ml", "50 ml", "75 ml", "100 ml", "150 ml", "200 ml", "250 ml", "400 ml", "500 ml", "750 ml",
           "1 L", "1.5 L", "2 L", "5 L")
DIMENSIONS = ("Küçük Ebat", "Orta Ebat", "Büyük Ebat", "50x70 cm", "70x70 cm", "70x140 cm", "80x150 cm", "120x180 cm",
              "160x230 cm", "200x290 cm", "Tek Kişilik", "Çift Kişilik", "King Size", "Standart")
SKIN_TYPES = ("Tüm Cilt Tipleri", "Kuru Cilt", "Yağlı Cilt", "Karma Cilt", "Hassas Cilt", "Normal Cilt")
SCREEN_INCHES = ("5.5", "6.1", "6.5", "6.7", "10.1", "11", "13.3", "14", "15.6", "17.3", "24", "27", "32", "43", "50",
                 "55", "65", "75")
# (ISO code, Turkish name): countries of origin (menşei).
COUNTRIES = (
    ("TR", "Türkiye"), ("CN", "Çin"), ("DE", "Almanya"), ("IT", "İtalya"), ("FR", "Fransa"), ("ES", "İspanya"),
    ("PT", "Portekiz"), ("GB", "İngiltere"), ("US", "ABD"), ("KR", "Güney Kore"), ("JP", "Japonya"),
    ("VN", "Vietnam"), ("BD", "Bangladeş"), ("IN", "Hindistan"), ("PK", "Pakistan"), ("ID", "Endonezya"),
    ("TH", "Tayland"), ("MY", "Malezya"), ("TW", "Tayvan"), ("PL", "Polonya"), ("CZ", "Çekya"), ("RO", "Romanya"),
    ("BG", "Bulgaristan"), ("GR", "Yunanistan"), ("HU", "Macaristan"), ("NL", "Hollanda"), ("BE", "Belçika"),
    ("AT", "Avusturya"), ("CH", "İsviçre"), ("SE", "İsveç"), ("DK", "Danimarka"), ("FI", "Finlandiya"),
    ("NO", "Norveç"), ("IE", "İrlanda"), ("MA", "Fas"), ("EG", "Mısır"), ("TN", "Tunus"), ("IL", "İsrail"),
    ("AE", "Birleşik Arap Emirlikleri"), ("SA", "Suudi Arabistan"), ("MX", "Meksika"), ("BR", "Brezilya"),
    ("AR", "Arjantin"), ("CA", "Kanada"), ("AU", "Avustralya"), ("KH", "Kamboçya"), ("LK", "Sri Lanka"),
    ("MM", "Myanmar"), ("UA", "Ukrayna"), ("RU", "Rusya"),
)
