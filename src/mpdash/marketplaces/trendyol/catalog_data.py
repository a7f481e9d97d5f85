"""The generated reference data behind the Trendyol simulator: categories, attributes, brands.

Deterministic (no randomness, no clock): every run builds the same tree with the same ids,
so tests and demos can name them. The shape follows Trendyol's answers (category tree with
``subCategories``; per-leaf attributes with ``required``/``varianter``/``slicer``/
``allowCustom``/``allowMultipleAttributeValues``; value lists fetched page by page), the
names are Turkish like Trendyol's. The ids are invented, except the few attribute ids
Trendyol has published (293 Beden, 348 Renk, 1198 Üretici Bilgisi); nothing here is a copy
of Trendyol's real tree, which is far larger.

Built once per process (:func:`catalog`) and read-only afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..simkit import sample_data as words

# --- the tree -------------------------------------------------------------------------
# A dict is an inner node (name -> children), a list holds leaf names.
_WOMEN = [
    "Elbise", "Bluz", "Gömlek", "Tişört", "Kazak", "Hırka", "Sweatshirt", "Ceket", "Mont", "Kaban", "Trençkot",
    "Pantolon", "Jean", "Etek", "Şort", "Tayt", "Eşofman Altı", "Takım", "Tulum", "Yelek", "Crop Top", "Abiye Elbise",
    "Tunik", "Ferace", "Pijama Takımı", "Gecelik", "Sütyen", "Külot", "Mayo", "Bikini", "Çorap",
]
_MEN = [
    "Tişört", "Gömlek", "Polo Yaka Tişört", "Kazak", "Hırka", "Sweatshirt", "Ceket", "Mont", "Kaban", "Takım Elbise",
    "Blazer", "Pantolon", "Jean", "Şort", "Eşofman Altı", "Eşofman Takımı", "Yelek", "Pijama Takımı", "Boxer",
    "Atlet", "Çorap", "Deniz Şortu",
]
_GIRLS = ["Elbise", "Tişört", "Sweatshirt", "Tayt", "Etek", "Pantolon", "Jean", "Mont", "Pijama Takımı", "Mayo", "Eşofman Takımı"]
_BOYS = ["Tişört", "Gömlek", "Sweatshirt", "Pantolon", "Jean", "Şort", "Mont", "Pijama Takımı", "Eşofman Takımı", "Deniz Şortu"]

TREE: dict = {
    "Giyim": {
        "Kadın": _WOMEN,
        "Erkek": _MEN,
        "Çocuk": {
            "Kız Çocuk": _GIRLS,
            "Erkek Çocuk": _BOYS,
            "Bebek": ["Body", "Bebek Tulumu", "Zıbın", "Hastane Çıkışı", "Bebek Takımı", "Patik"],
        },
    },
    "Ayakkabı": {
        "Kadın Ayakkabı": ["Sneaker", "Topuklu Ayakkabı", "Babet", "Bot", "Çizme", "Sandalet", "Terlik", "Loafer",
                           "Spor Ayakkabı"],
        "Erkek Ayakkabı": ["Sneaker", "Klasik Ayakkabı", "Bot", "Sandalet", "Terlik", "Spor Ayakkabı", "Loafer"],
        "Çocuk Ayakkabı": ["Spor Ayakkabı", "Bot", "Sandalet", "Panduf", "Ev Terliği"],
    },
    "Aksesuar": {
        "Çanta": ["Omuz Çantası", "Sırt Çantası", "El Çantası", "Cüzdan", "Bel Çantası", "Valiz"],
        "Saat": ["Kol Saati", "Akıllı Saat Kordonu"],
        "Takı": ["Kolye", "Küpe", "Bileklik", "Yüzük", "Halhal"],
        "Gözlük": ["Güneş Gözlüğü", "Optik Çerçeve"],
        "Şapka & Bere": ["Şapka", "Bere", "Kasket"],
        "Kemer": ["Kadın Kemer", "Erkek Kemer"],
        "Şal & Eşarp": ["Şal", "Eşarp", "Atkı"],
    },
    "Elektronik": {
        "Telefon": ["Cep Telefonu", "Telefon Kılıfı", "Ekran Koruyucu", "Şarj Aleti", "Powerbank", "Telefon Tutucu",
                    "Telefon Kablosu"],
        "Bilgisayar & Tablet": ["Laptop", "Masaüstü Bilgisayar", "Tablet", "Monitör", "Klavye", "Mouse",
                                "Laptop Çantası", "Harici Disk", "USB Bellek", "Yazıcı"],
        "Beyaz Eşya": ["Buzdolabı", "Çamaşır Makinesi", "Bulaşık Makinesi", "Kurutma Makinesi", "Derin Dondurucu",
                       "Fırın", "Ankastre Set"],
        "Küçük Ev Aletleri": ["Süpürge", "Robot Süpürge", "Kahve Makinesi", "Çay Makinesi", "Blender", "Mikser",
                              "Tost Makinesi", "Airfryer", "Ütü", "Saç Kurutma Makinesi", "Saç Düzleştirici",
                              "Tıraş Makinesi", "Epilatör", "Su Isıtıcı"],
        "TV & Görüntü & Ses": ["Televizyon", "Bluetooth Hoparlör", "Kulaklık", "Soundbar", "Projeksiyon Cihazı"],
        "Oyun & Oyun Konsolları": ["Oyun Konsolu", "Oyun Kolu", "Konsol Oyunu"],
        "Foto & Kamera": ["Fotoğraf Makinesi", "Aksiyon Kamerası", "Objektif"],
        "Giyilebilir Teknoloji": ["Akıllı Saat", "Akıllı Bileklik"],
    },
    "Ev & Mobilya": {
        "Ev Tekstili": ["Nevresim Takımı", "Yorgan", "Yastık", "Battaniye", "Havlu", "Perde", "Halı", "Kırlent"],
        "Mutfak": ["Tencere Seti", "Tava", "Çatal Kaşık Bıçak Seti", "Yemek Takımı", "Bardak", "Saklama Kabı",
                   "Çaydanlık"],
        "Mobilya": ["Koltuk Takımı", "Yemek Masası", "Sandalye", "Gardırop", "Kitaplık", "TV Ünitesi",
                    "Çalışma Masası", "Yatak"],
        "Dekorasyon": ["Ayna", "Tablo", "Vazo", "Mum", "Duvar Saati", "Yapay Çiçek"],
        "Aydınlatma": ["Avize", "Lambader", "Masa Lambası", "LED Şerit"],
        "Banyo": ["Banyo Seti", "Duş Perdesi", "Bornoz"],
    },
    "Kozmetik & Kişisel Bakım": {
        "Makyaj": ["Ruj", "Fondöten", "Maskara", "Far Paleti", "Oje", "Allık", "Kapatıcı"],
        "Cilt Bakımı": ["Nemlendirici", "Yüz Temizleme Jeli", "Serum", "Güneş Kremi", "Yüz Maskesi"],
        "Parfüm & Deodorant": ["Kadın Parfüm", "Erkek Parfüm", "Deodorant"],
        "Saç Bakımı": ["Şampuan", "Saç Kremi", "Saç Boyası", "Saç Maskesi"],
        "Ağız Bakımı": ["Diş Fırçası", "Diş Macunu"],
        "Erkek Bakım": ["Tıraş Köpüğü", "Sakal Bakım Yağı"],
    },
    "Anne & Çocuk": {
        "Bebek Bezi & Islak Mendil": ["Bebek Bezi", "Islak Mendil"],
        "Bebek Arabası & Oto Koltuğu": ["Bebek Arabası", "Oto Koltuğu", "Ana Kucağı"],
        "Oyuncak": ["Eğitici Oyuncak", "Peluş Oyuncak", "Yapı Oyuncakları", "Oyuncak Araba", "Oyuncak Bebek",
                    "Kutu Oyunu", "Puzzle"],
        "Beslenme": ["Biberon", "Mama Sandalyesi", "Emzik"],
    },
    "Spor & Outdoor": {
        "Spor Giyim": ["Spor Tayt", "Spor Sütyeni", "Spor Eşofman Takımı", "Spor Tişört"],
        "Fitness & Kondisyon": ["Dambıl", "Koşu Bandı", "Yoga Matı", "Kondisyon Bisikleti", "Direnç Lastiği"],
        "Kamp & Outdoor": ["Çadır", "Uyku Tulumu", "Kamp Sandalyesi", "Termos", "Kamp Ocağı"],
        "Bisiklet": ["Dağ Bisikleti", "Şehir Bisikleti", "Bisiklet Kaskı"],
        "Sporcu Besinleri": ["Protein Tozu", "Vitamin"],
    },
    "Süpermarket": {
        "Temel Gıda": ["Makarna", "Pirinç", "Bakliyat", "Un", "Sıvı Yağ", "Çay", "Kahve"],
        "Atıştırmalık": ["Çikolata", "Bisküvi", "Cips", "Kuruyemiş"],
        "Deterjan & Temizlik": ["Çamaşır Deterjanı", "Bulaşık Deterjanı", "Yüzey Temizleyici", "Çöp Poşeti"],
        "Evcil Hayvan": ["Kedi Maması", "Köpek Maması", "Kedi Kumu"],
    },
    "Kitap & Kırtasiye & Hobi": {
        "Kitap": ["Roman", "Çocuk Kitapları", "Kişisel Gelişim", "Tarih Kitapları", "Sınav Hazırlık"],
        "Kırtasiye": ["Defter", "Kalem", "Okul Çantası", "Boya Kalemi", "Dosya & Klasör"],
        "Hobi": ["Müzik Aleti", "Maket", "Boyama Seti"],
    },
    "Otomobil & Motosiklet": {
        "Oto Aksesuar": ["Oto Koltuk Kılıfı", "Araç İçi Telefon Tutucu", "Oto Paspas"],
        "Oto Bakım": ["Motor Yağı", "Oto Şampuanı"],
        "Motosiklet": ["Motosiklet Kaskı", "Motosiklet Montu"],
    },
    "Yapı Market & Bahçe": {
        "El Aletleri": ["Matkap", "Tornavida Seti", "Alet Çantası"],
        "Bahçe": ["Çim Biçme Makinesi", "Bahçe Hortumu", "Saksı", "Tohum"],
        "Elektrik & Tesisat": ["Priz", "Uzatma Kablosu", "Ampul"],
        "Boya": ["İç Cephe Boyası", "Boya Fırçası"],
    },
}

FIRST_CATEGORY_ID = 1001

# --- attributes -----------------------------------------------------------------------
_FEATURES = ["Su Geçirmez", "Nefes Alabilir", "Hafif", "Kırışmaz", "Antibakteriyel", "Esnek", "Geri Dönüştürülmüş",
             "Organik", "Terletmez", "Isı Yalıtımlı", "Rüzgar Geçirmez", "UV Korumalı"]
_SLEEVES = ["Kısa Kol", "Uzun Kol", "Kolsuz", "Yarım Kol", "Askılı"]
_WARRANTY = ["Garantisiz", "6 Ay", "1 Yıl", "2 Yıl", "3 Yıl", "4 Yıl", "5 Yıl", "10 Yıl"]
_RAM = ["2 GB", "3 GB", "4 GB", "6 GB", "8 GB", "12 GB", "16 GB", "32 GB", "64 GB"]
_SCREEN = [f'{inch}"' for inch in words.SCREEN_INCHES]


def _compatible_models() -> list[str]:
    """Phone models for the accessory categories: more than 1,000 values, so paging matters."""
    families = {
        "Apple iPhone": [str(n) for n in range(6, 17)] + ["SE", "X", "XR", "XS"],
        "Samsung Galaxy A": [str(n) for n in range(1, 76)],
        "Samsung Galaxy S": [str(n) for n in range(7, 25)],
        "Samsung Galaxy M": [str(n) for n in range(10, 55)],
        "Samsung Galaxy Note": [str(n) for n in range(8, 21)],
        "Xiaomi Redmi": [str(n) for n in range(5, 14)] + ["A1", "A2", "A3"],
        "Xiaomi Redmi Note": [str(n) for n in range(7, 14)],
        "Xiaomi Mi": [str(n) for n in range(8, 15)],
        "Xiaomi Poco": ["X3", "X4", "X5", "X6", "F3", "F4", "F5", "M3", "M4", "M5", "C40", "C65"],
        "Huawei P": [str(n) for n in range(20, 61, 10)] + ["20 Lite", "30 Lite", "40 Lite"],
        "Huawei Mate": [str(n) for n in range(10, 61, 10)],
        "Huawei Nova": [str(n) for n in range(3, 13)],
        "Oppo A": [str(n) for n in range(1, 100, 2)],
        "Oppo Reno": [str(n) for n in range(2, 13)],
        "Realme": [str(n) for n in range(5, 13)] + [f"C{n}" for n in range(11, 68, 2)],
        "Vivo Y": [str(n) for n in range(11, 100, 2)],
        "Honor": [f"X{n}" for n in range(6, 10)] + [str(n) for n in range(50, 91, 10)],
        "General Mobile GM": [str(n) for n in range(8, 25)],
        "Tecno Spark": [str(n) for n in range(5, 21)],
        "Tecno Camon": [str(n) for n in range(15, 31)],
        "Infinix Hot": [str(n) for n in range(9, 41)],
        "Infinix Note": [str(n) for n in range(7, 41)],
        "Google Pixel": [str(n) for n in range(3, 10)] + ["6a", "7a", "8a"],
        "OnePlus": [str(n) for n in range(6, 13)] + ["Nord", "Nord 2", "Nord CE", "Nord CE 2", "Nord CE 3"],
        "Motorola Moto G": [str(n) for n in range(10, 100, 2)],
        "Motorola Moto E": [str(n) for n in range(5, 41)],
        "Nokia": [f"G{n}" for n in range(10, 61, 2)] + [f"C{n}" for n in range(1, 33)],
        "Sony Xperia": ["1", "5", "10"] + [f"{n} II" for n in ("1", "5", "10")] + [f"{n} III" for n in ("1", "5", "10")],
        "Alcatel": [str(n) for n in range(1, 60, 3)],
        "Reeder": [f"P{n}" for n in range(10, 14)] + [f"S{n}" for n in range(19, 24)],
        "Casper VIA": [f"{c}{n}" for c in ("A", "E", "F", "G", "M", "P", "V", "X") for n in range(1, 6)],
        "ZTE Blade": [f"A{n}" for n in range(31, 76, 2)] + [f"V{n}" for n in range(30, 61, 10)],
        "TCL": [str(n) for n in range(20, 51, 2)],
        "Lenovo K": [str(n) for n in range(5, 16)],
        "Asus Zenfone": [str(n) for n in range(5, 12)],
    }
    names = []
    for family, models in families.items():
        for model in models:
            for suffix in ("", " Pro", " Plus", " Lite", " 5G"):
                names.append(f"{family} {model}{suffix}")
    return names


# The attribute id range 1..9999 holds one attribute each; ids follow Trendyol's where it
# has published them (293 Beden, 348 Renk, 1198 Üretici Bilgisi), the others are invented.
ATTRIBUTE_VALUES: dict[int, tuple[str, list[str]]] = {
    348: ("Renk", list(words.COLOURS)),
    293: ("Beden", list(dict.fromkeys([*words.CLOTHING_SIZES, *words.SHOE_SIZES, *words.KIDS_AGES]))),
    1192: ("Menşei", [code for code, _ in words.COUNTRIES]),
    14: ("Materyal", list(words.MATERIALS)),
    33: ("Desen", list(words.PATTERNS)),
    45: ("Kol Tipi", _SLEEVES),
    343: ("Cinsiyet", list(words.GENDERS)),
    60: ("Yaş Grubu", ["Yetişkin", "Çocuk", "Bebek", "Genç"]),
    101: ("Özellik", _FEATURES),
    205: ("Garanti Süresi", _WARRANTY),
    210: ("Dahili Hafıza", list(words.STORAGE)),
    211: ("RAM Kapasitesi", _RAM),
    212: ("Ekran Boyutu", _SCREEN),
    220: ("Uyumlu Model", _compatible_models()),
    301: ("Hacim", list(words.VOLUMES)),
    302: ("Cilt Tipi", list(words.SKIN_TYPES)),
    310: ("Ebat", list(words.DIMENSIONS)),
    1198: ("Üretici Bilgisi", []),  # free text (allowCustom, no values)
    47: ("Ürün Detayı", []),  # free text
}


def value_id(attribute_id: int, index: int) -> int:
    """Value ids are unique across attributes: attribute id x 10,000 + position."""
    return attribute_id * 10_000 + index + 1


@dataclass(frozen=True)
class AttributeRule:
    """How one attribute appears in a category (``categoryAttributes[]`` of the v2 answer)."""

    attribute_id: int
    required: bool = False
    varianter: bool = False
    slicer: bool = False
    allow_custom: bool = False
    allow_multiple: bool = False


def _profile(path: list[str]) -> list[AttributeRule]:
    """The attributes of a leaf, by where it sits in the tree."""
    top, leaf = path[0], path[-1]
    origin = AttributeRule(1192, required=True)
    if top == "Giyim" or (top == "Spor & Outdoor" and path[1] == "Spor Giyim"):
        rules = [AttributeRule(348, required=True, slicer=True), AttributeRule(293, required=True, varianter=True),
                 AttributeRule(14, required=True), AttributeRule(33), AttributeRule(343),
                 AttributeRule(101, allow_multiple=True), AttributeRule(47, allow_custom=True), origin]
        if leaf in ("Tişört", "Gömlek", "Bluz", "Elbise", "Polo Yaka Tişört", "Sweatshirt", "Spor Tişört", "Body"):
            rules.insert(4, AttributeRule(45))
        if len(path) > 2 and path[1] == "Çocuk":
            rules.append(AttributeRule(60, required=True))
        return rules
    if top == "Ayakkabı":
        return [AttributeRule(348, required=True, slicer=True), AttributeRule(293, required=True, varianter=True),
                AttributeRule(14, required=True), AttributeRule(343), origin]
    if top == "Aksesuar":
        return [AttributeRule(348, required=True, slicer=True), AttributeRule(14), AttributeRule(310, allow_custom=True),
                AttributeRule(343), origin]
    if top == "Elektronik":
        rules = [AttributeRule(348, required=True, slicer=True), AttributeRule(205, required=True),
                 AttributeRule(1198, allow_custom=True), origin]
        if leaf in ("Cep Telefonu", "Tablet"):
            rules[1:1] = [AttributeRule(210, required=True, varianter=True), AttributeRule(211, required=True),
                          AttributeRule(212, allow_custom=True)]
        elif leaf in ("Laptop", "Masaüstü Bilgisayar"):
            rules[1:1] = [AttributeRule(211, required=True, varianter=True), AttributeRule(210, required=True),
                          AttributeRule(212, allow_custom=True)]
        elif leaf in ("Televizyon", "Monitör"):
            rules.insert(1, AttributeRule(212, required=True, varianter=True, allow_custom=True))
        elif path[1] == "Telefon":  # accessories
            rules.insert(1, AttributeRule(220, required=True, allow_multiple=True))
        return rules
    if top == "Ev & Mobilya":
        return [AttributeRule(348, required=True, slicer=True), AttributeRule(14), AttributeRule(33),
                AttributeRule(310, allow_custom=True, varianter=True), origin]
    if top == "Kozmetik & Kişisel Bakım":
        return [AttributeRule(301, required=True, varianter=True, allow_custom=True),
                AttributeRule(302, allow_multiple=True), AttributeRule(348, slicer=True), AttributeRule(343), origin]
    if top == "Anne & Çocuk":
        return [AttributeRule(60, required=True), AttributeRule(348, slicer=True), AttributeRule(14), origin]
    return [AttributeRule(348, slicer=True), AttributeRule(47, allow_custom=True), origin]


# --- brands ---------------------------------------------------------------------------
BRAND_NAMES = [
    "Trendyol Collection", "TrendyolMilla", "TrendyolMan", "Trendyol Kids", "Koton", "LC Waikiki", "DeFacto", "Mavi",
    "Colin's", "Loft", "Ipekyol", "Twist", "Machka", "Network", "Vakko", "Beymen Club", "Altınyıldız Classics",
    "Kiğılı", "Damat", "Ramsey", "Avva", "Cacharel", "Jack & Jones", "Only", "Vero Moda", "Mango", "Zara", "Bershka",
    "Pull & Bear", "Stradivarius", "H&M", "U.S. Polo Assn.", "Tommy Hilfiger", "Lacoste", "Levi's", "Nike", "Adidas",
    "Puma", "Reebok", "New Balance", "Skechers", "Converse", "Vans", "Hummel", "Kinetix", "Lumberjack", "Slazenger",
    "Columbia", "The North Face", "Jack Wolfskin", "Greyder", "Hotiç", "Derimod", "Polaris", "Flo", "Elle", "Nine West",
    "Samsung", "Apple", "Xiaomi", "Huawei", "Oppo", "Realme", "Vivo", "Honor", "General Mobile", "Tecno", "Infinix",
    "Lenovo", "Asus", "Acer", "HP", "Dell", "MSI", "Monster", "Casper", "Logitech", "Razer", "JBL", "Sony", "LG",
    "Philips", "Bosch", "Siemens", "Arçelik", "Beko", "Vestel", "Profilo", "Grundig", "Altus", "Regal", "Tefal",
    "Arzum", "Fakir", "Sinbo", "Karaca", "Emsan", "Korkmaz", "Schafer", "Paşabahçe", "Kütahya Porselen", "Bernardo",
    "English Home", "Madame Coco", "Taç", "Özdilek", "Yataş", "İstikbal", "Bellona", "Doğtaş", "Kelebek", "Enza Home",
    "Koçtaş", "Bauhaus", "Stanley", "Black+Decker", "Makita", "Dewalt", "Gardena", "Flormar", "Golden Rose",
    "Pastel", "Maybelline", "L'Oréal Paris", "Nivea", "Garnier", "The Purest Solutions", "Cosmed", "La Roche-Posay",
    "Bioderma", "Avon", "Farmasi", "Elidor", "Head & Shoulders", "Pantene", "Colgate", "Signal", "Gillette", "Braun",
    "Rowenta", "Dyson", "Xiaomi Mijia", "Prima", "Molfix", "Sleepy", "Chicco", "Kraft", "Joie", "Baby Jogger",
    "Lego", "Barbie", "Hot Wheels", "Fisher-Price", "Playmobil", "Domino", "Eti", "Ülker", "Torku", "Nestle",
    "Pınar", "Sütaş", "Filiz", "Barilla", "Yudum", "Komili", "Çaykur", "Doğadan", "Kurukahveci Mehmet Efendi",
    "Nescafe", "Ariel", "Persil", "Omo", "Fairy", "Finish", "Domestos", "Cif", "Proplan", "Royal Canin", "Whiskas",
    "Pedigree", "Can Yayınları", "Yapı Kredi Yayınları", "İş Bankası Kültür Yayınları", "Faber-Castell", "Staedtler",
    "Bic", "Pilot", "Mopak", "Castrol", "Shell", "Petrol Ofisi", "Bosch Car", "Michelin", "Decathlon", "Quechua",
    "Salomon", "Delta", "Voit", "Kron", "Bianchi", "Kross", "Casio", "Fossil", "Guess", "Michael Kors", "Swatch",
    "Daniel Klein", "Ray-Ban", "Police", "Hawk", "Mudo", "Pierre Cardin", "Hatemoğlu", "Sarar", "Dilvin",
]
FIRST_BRAND_ID = 100


@dataclass
class Category:
    id: int
    name: str
    parent_id: int | None
    children: list[int] = field(default_factory=list)
    path: list[str] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass
class CatalogData:
    categories: dict[int, Category]
    roots: list[int]
    attributes: dict[int, list[AttributeRule]]  # leaf id -> rules, in the order Trendyol lists them
    attribute_names: dict[int, str]
    values: dict[int, list[tuple[int, str]]]  # attribute id -> [(value id, name)]
    brands: list[tuple[int, str]]

    # --- lookups ------------------------------------------------------------------------
    def leaves(self) -> list[int]:
        return [c.id for c in self.categories.values() if c.is_leaf]

    def find(self, *path: str) -> Category:
        """The category at ``path`` (names from the root), e.g. ``find("Giyim", "Kadın", "Elbise")``."""
        for category in self.categories.values():
            if category.path == list(path):
                return category
        raise KeyError(" > ".join(path))

    def value_ids(self, attribute_id: int) -> set[int]:
        return {vid for vid, _ in self.values.get(attribute_id, [])}

    def value_named(self, attribute_id: int, name: str) -> int:
        return next(vid for vid, vname in self.values[attribute_id] if vname == name)

    def tree(self) -> list[dict]:
        """The ``getCategoryTree`` answer: nested ``{id, name, parentId, subCategories}``."""

        def node(category_id: int) -> dict:
            category = self.categories[category_id]
            return {"id": category.id, "name": category.name, "parentId": category.parent_id,
                    "subCategories": [node(child) for child in category.children]}

        return [node(root) for root in self.roots]


@lru_cache(maxsize=1)
def catalog() -> CatalogData:
    """Build the tree, attributes, values and brands (once per process)."""
    categories: dict[int, Category] = {}
    roots: list[int] = []
    next_id = [FIRST_CATEGORY_ID]

    def add(name: str, parent: Category | None, children) -> None:
        category = Category(next_id[0], name, parent.id if parent else None, path=[*(parent.path if parent else []), name])
        next_id[0] += 1
        categories[category.id] = category
        if parent is None:
            roots.append(category.id)
        else:
            parent.children.append(category.id)
        if isinstance(children, dict):
            for child_name, grandchildren in children.items():
                add(child_name, category, grandchildren)
        elif isinstance(children, list):
            for leaf in children:
                add(leaf, category, None)

    for name, children in TREE.items():
        add(name, None, children)

    attributes = {c.id: _profile(c.path) for c in categories.values() if c.is_leaf}
    values = {aid: [(value_id(aid, i), name) for i, name in enumerate(names)] for aid, (_, names) in ATTRIBUTE_VALUES.items()}
    names = {aid: name for aid, (name, _) in ATTRIBUTE_VALUES.items()}
    brands = [(FIRST_BRAND_ID + i, name) for i, name in enumerate(BRAND_NAMES)]
    return CatalogData(categories, roots, attributes, names, values, brands)
