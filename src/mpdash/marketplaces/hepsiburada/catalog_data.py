"""Deterministic catalog data for the Hepsiburada simulator: categories, attributes, values.

Everything here is generated from the literal lists below and simkit's catalog words, the same on every run and
every machine (ids come from CRC-32 of names, never from ``random``), so tests can name
categories and values. Standard library only (and the package's data-only config); built
once per process and then read-only.

Shapes follow Hepsiburada's catalog API: categories as ``BaseCategoryDTO`` plus the
``available`` flag integrators have recorded; attributes as ``AttributeDTO`` (``id``,
``name``, ``mandatory``, ``type``, ``multiValue``) in ``baseAttributes`` / ``attributes`` /
``variantAttributes``; values as ``{id, value}``. Attribute ids follow the import file's
keys (``renk_variant_property``, ``malzeme``…) as Hepsiburada's own examples show them.
"""

from __future__ import annotations

import zlib
from functools import lru_cache
from typing import Any

from ..simkit import sample_data as words
from .config import MAX_IMAGES_PER_PRODUCT as MAX_IMAGES  # image1..image10 since June 2025 (was 5)

# --- the category tree ----------------------------------------------------------------
# root -> {sub-category -> leaves}. A sub-category with an empty tuple is itself a leaf.
TREE: dict[str, dict[str, tuple[str, ...]]] = {
    "Elektronik": {
        "Bilgisayar/Tablet": ("Dizüstü Bilgisayar", "Masaüstü Bilgisayar", "Tablet", "Monitör", "Klavye",
                              "Mouse", "Yazıcı", "Harici Disk", "USB Bellek", "Ekran Kartı", "İşlemci", "RAM Bellek"),
        "Cep Telefonu": ("Android Cep Telefonu", "iOS Cep Telefonu", "Tuşlu Cep Telefonu"),
        "Telefon Aksesuarları": ("Telefon Kılıfı", "Ekran Koruyucu", "Şarj Aleti", "Powerbank", "Araç Tutucu",
                                 "Data Kablosu", "Kablosuz Şarj Cihazı"),
        "TV, Görüntü ve Ses": ("Televizyon", "Soundbar", "Bluetooth Hoparlör", "Kulak İçi Kulaklık",
                               "Kulak Üstü Kulaklık", "Projeksiyon Cihazı", "Plak Çalar", "Kaset Çalar"),
        "Beyaz Eşya": ("Buzdolabı", "Çamaşır Makinesi", "Bulaşık Makinesi", "Kurutma Makinesi",
                       "Derin Dondurucu", "Ankastre Fırın"),
        "Küçük Ev Aletleri": ("Elektrikli Süpürge", "Robot Süpürge", "Ütü", "Kahve Makinesi", "Çay Makinesi",
                              "Blender", "Tost Makinesi", "Airfryer", "Saç Kurutma Makinesi", "Faks Makinesi"),
        "Foto ve Kamera": ("Fotoğraf Makinesi", "Aksiyon Kamerası", "Objektif", "Tripod", "Hafıza Kartı"),
        "Oyun ve Oyun Konsolları": ("Oyun Konsolu", "Konsol Oyunları", "Gamepad", "Oyuncu Koltuğu"),
    },
    "Moda": {
        "Kadın Giyim": ("Elbise", "Bluz", "Gömlek", "Tişört", "Pantolon", "Etek", "Ceket", "Mont",
                        "Kazak", "Hırka", "Tayt", "Eşofman"),
        "Erkek Giyim": ("Tişört", "Gömlek", "Pantolon", "Kot Pantolon", "Sweatshirt", "Mont", "Takım Elbise",
                        "Şort", "Kazak"),
        "Ayakkabı": ("Spor Ayakkabı", "Bot", "Çizme", "Topuklu Ayakkabı", "Sandalet", "Terlik", "Loafer"),
        "Çanta": ("Omuz Çantası", "Sırt Çantası", "Cüzdan", "Valiz", "El Çantası"),
        "Saat ve Aksesuar": ("Kol Saati", "Akıllı Saat", "Güneş Gözlüğü", "Kemer", "Şapka", "Atkı"),
        "Takı": ("Kolye", "Bileklik", "Küpe", "Yüzük"),
        "İç Giyim": ("Sütyen", "Külot", "Boxer", "Pijama Takımı", "Çorap"),
    },
    "Ev, Yaşam, Kırtasiye, Ofis": {
        "Mobilya": ("Koltuk Takımı", "Yemek Masası", "Sandalye", "Gardırop", "Kitaplık", "TV Ünitesi", "Yatak"),
        "Ev Tekstili": ("Nevresim Takımı", "Yorgan", "Yastık", "Battaniye", "Havlu", "Perde", "Halı"),
        "Mutfak Gereçleri": ("Tencere Seti", "Tava", "Çatal Kaşık Bıçak Seti", "Yemek Takımı", "Bardak",
                             "Saklama Kabı", "Demlik"),
        "Aydınlatma": ("Avize", "Lambader", "Masa Lambası", "LED Ampul"),
        "Ev Dekorasyon": ("Duvar Saati", "Çerçeve", "Vazo", "Mum", "Yapay Çiçek", "Ayna"),
        "Kırtasiye": ("Defter", "Kalem", "Ajanda", "Okul Çantası", "Boya Kalemi", "Dosya"),
        "Ofis Malzemeleri": ("Ofis Koltuğu", "Çalışma Masası", "Kağıt Öğütücü", "Daktilo"),
    },
    "Oto, Bahçe, Yapı Market": {
        "Oto Aksesuar": ("Oto Paspas", "Oto Koltuk Kılıfı", "Araç İçi Kamera", "Oto Kokusu", "Lastik"),
        "Bahçe": ("Bahçe Mobilyası", "Çim Biçme Makinesi", "Sulama Hortumu", "Mangal", "Tohum", "Saksı"),
        "Elektrikli El Aletleri": ("Matkap", "Vidalama Makinesi", "Taşlama Makinesi", "Dekupaj Testere"),
        "Hırdavat": ("El Aletleri Seti", "Vida ve Dübel", "Kilit", "Merdiven"),
        "Banyo ve Tesisat": ("Batarya", "Duş Seti", "Lavabo", "Klozet"),
    },
    "Anne, Bebek, Oyuncak": {
        "Bebek Bezi ve Mendil": ("Bebek Bezi", "Islak Mendil", "Alıştırma Külodu"),
        "Bebek Arabası": ("Travel Sistem Bebek Arabası", "Baston Bebek Arabası", "Oto Koltuğu"),
        "Bebek Beslenme": ("Biberon", "Mama Sandalyesi", "Emzik", "Göğüs Pompası"),
        "Oyuncak": ("Lego ve Yapı Oyuncakları", "Peluş Oyuncak", "Kutu Oyunu", "Puzzle", "Oyuncak Araba",
                    "Oyuncak Bebek", "Eğitici Oyuncak"),
        "Bebek Giyim": ("Bebek Body", "Bebek Tulum", "Bebek Takımı"),
    },
    "Spor, Outdoor": {
        "Fitness ve Kondisyon": ("Koşu Bandı", "Dambıl", "Yoga Matı", "Kondisyon Bisikleti", "Direnç Bandı"),
        "Bisiklet": ("Şehir Bisikleti", "Dağ Bisikleti", "Bisiklet Kaskı", "Bisiklet Aksesuarı"),
        "Kamp ve Outdoor": ("Çadır", "Uyku Tulumu", "Kamp Sandalyesi", "Termos", "Kamp Ocağı"),
        "Spor Giyim": ("Spor Tişört", "Spor Tayt", "Spor Şort", "Eşofman Takımı"),
        "Takım Sporları": ("Futbol Topu", "Basketbol Topu", "Voleybol Topu", "Forma"),
    },
    "Kozmetik, Kişisel Bakım": {
        "Makyaj": ("Fondöten", "Ruj", "Maskara", "Far Paleti", "Oje", "Eyeliner"),
        "Cilt Bakımı": ("Nemlendirici", "Güneş Kremi", "Yüz Temizleyici", "Serum", "Yüz Maskesi"),
        "Saç Bakımı": ("Şampuan", "Saç Kremi", "Saç Boyası", "Saç Maskesi"),
        "Parfüm ve Deodorant": ("Kadın Parfüm", "Erkek Parfüm", "Deodorant"),
        "Kişisel Bakım Aletleri": ("Tıraş Makinesi", "Epilatör", "Saç Düzleştirici", "Elektrikli Diş Fırçası"),
    },
    "Süpermarket, Pet Shop": {
        "Gıda": ("Kahve", "Çay", "Makarna", "Zeytinyağı", "Atıştırmalık", "Kuruyemiş", "Bakliyat"),
        "İçecek": ("Su", "Maden Suyu", "Meyve Suyu", "Gazlı İçecek"),
        "Temizlik": ("Çamaşır Deterjanı", "Bulaşık Deterjanı", "Yüzey Temizleyici", "Çöp Poşeti"),
        "Kedi": ("Kedi Maması", "Kedi Kumu", "Kedi Oyuncağı"),
        "Köpek": ("Köpek Maması", "Köpek Tasması", "Köpek Yatağı"),
    },
    "Kitap, Müzik, Film, Hobi": {
        "Kitap": ("Roman", "Çocuk Kitapları", "Kişisel Gelişim", "Tarih Kitapları", "Sınav Hazırlık",
                  "Bilim Kurgu", "Polisiye", "Şiir"),
        "Müzik": ("CD", "Plak", "Kaset"),
        "Müzik Aletleri": ("Gitar", "Piyano", "Bağlama", "Keman", "Davul"),
        "Film": ("DVD Film", "Blu-ray Film"),
        "Hobi": ("Maket", "Boyama Seti", "Koleksiyon Ürünü", "El İşi Malzemesi"),
    },
}

# Leaves that exist but cannot take new products: ``available: false`` (Hepsiburada keeps
# the node for existing products) and ``status: INACTIVE`` / ``ARCHIVED`` ones.
UNAVAILABLE_LEAVES = frozenset({"Kaset Çalar", "Plak Çalar", "Kaset", "Tuşlu Cep Telefonu", "Alıştırma Külodu"})
INACTIVE_LEAVES = frozenset({"Faks Makinesi", "Daktilo", "Oyuncu Koltuğu"})
ARCHIVED_LEAVES = frozenset({"Blu-ray Film"})

_ID_BASE = 60_000_000
_ID_SPAN = 30_000_000
# 18021982 is the categoryId of Hepsiburada's own documentation examples; giving it to a root
# lets configs copied from the docs (and the demo channel's category_ids) find a tree here.
FIXED_IDS: dict[tuple[str, ...], int] = {("Elektronik",): 18021982}


def _crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


@lru_cache(maxsize=1)
def categories() -> tuple[dict[str, Any], ...]:
    """Every category node, ordered by ``categoryId`` (so children often precede parents)."""
    nodes: list[dict[str, Any]] = []
    used: set[int] = set()

    def new_id(path: tuple[str, ...]) -> int:
        if path in FIXED_IDS:
            used.add(FIXED_IDS[path])
            return FIXED_IDS[path]
        candidate = _ID_BASE + _crc(" > ".join(path)) % _ID_SPAN
        while candidate in used:  # linear probing keeps ids stable and unique
            candidate += 1
        used.add(candidate)
        return candidate

    def add(path: tuple[str, ...], parent: int | None, leaf: bool) -> int:
        name = path[-1]
        status, available = "ACTIVE", True
        if leaf and name in INACTIVE_LEAVES:
            status = "INACTIVE"
        elif leaf and name in ARCHIVED_LEAVES:
            status = "ARCHIVED"
        if leaf and name in UNAVAILABLE_LEAVES:
            available = False
        category_id = new_id(path)
        nodes.append({
            "categoryId": category_id, "name": name, "displayName": name, "parentCategoryId": parent,
            "paths": list(path), "leaf": leaf, "status": status, "available": available, "type": "HB",
            "sortId": str(len(nodes)), "merge": False,
        })
        return category_id

    for root, subs in TREE.items():
        root_id = add((root,), None, leaf=False)
        for sub, leaves in subs.items():
            sub_id = add((root, sub), root_id, leaf=not leaves)
            for leaf in leaves:
                add((root, sub, leaf), sub_id, leaf=True)
    return tuple(sorted(nodes, key=lambda node: node["categoryId"]))


@lru_cache(maxsize=1)
def _by_id() -> dict[int, dict[str, Any]]:
    return {node["categoryId"]: node for node in categories()}


def category(category_id: Any) -> dict[str, Any] | None:
    try:
        return _by_id().get(int(category_id))
    except (TypeError, ValueError):
        return None


def find_category(*path: str) -> dict[str, Any]:
    """The node at ``path`` (root first, e.g. ``("Elektronik", "Bilgisayar/Tablet", "Tablet")``)."""
    for node in categories():
        if tuple(node["paths"]) == path:
            return node
    raise KeyError(f"no simulated Hepsiburada category {' > '.join(path)}")


def can_take_products(node: dict[str, Any]) -> bool:
    """Hepsiburada: products open only under leaf, ACTIVE and available categories."""
    return bool(node["leaf"] and node["status"] == "ACTIVE" and node["available"])


# --- attribute values -----------------------------------------------------------------
_TONES = ("", "Açık ", "Koyu ", "Mat ", "Metalik ", "Pastel ")
_PHONE_MODELS = (
    ("Apple iPhone", ("11", "12", "13", "14", "15", "16"), ("", " Mini", " Pro", " Pro Max", " Plus")),
    ("Samsung Galaxy", tuple(f"A{n}" for n in range(10, 80, 5)) + tuple(f"S{n}" for n in range(20, 26)),
     ("", " Plus", " Ultra", " FE", " 5G")),
    ("Xiaomi Redmi", tuple(f"Note {n}" for n in range(8, 15)) + tuple(str(n) for n in range(9, 15)),
     ("", " Pro", " Pro+", " 5G", "C")),
    ("Oppo", tuple(f"A{n}" for n in range(15, 99, 6)) + tuple(f"Reno {n}" for n in range(5, 13)),
     ("", " Pro", " 5G", " Lite")),
    ("Huawei", tuple(f"P{n}" for n in range(20, 61, 10)) + tuple(f"Mate {n}" for n in range(20, 61, 10)) +
     tuple(f"Nova {n}" for n in range(5, 13)), ("", " Pro", " Lite", " Plus")),
    ("Realme", tuple(str(n) for n in range(5, 13)) + tuple(f"C{n}" for n in range(11, 68, 4)),
     ("", " Pro", " Pro+", " 5G", "i")),
    ("Honor", tuple(str(n) for n in range(50, 91, 10)) + tuple(f"X{n}" for n in range(6, 10)) +
     tuple(f"Magic{n}" for n in range(4, 7)), ("", " Pro", " Lite", " 5G")),
    ("Vivo", tuple(f"Y{n}" for n in range(11, 100, 4)) + tuple(f"V{n}" for n in range(20, 31)),
     ("", " Pro", " 5G", "s")),
    ("TECNO", tuple(f"Spark {n}" for n in range(8, 21)) + tuple(f"Camon {n}" for n in range(17, 31)),
     ("", " Pro", " C")),
    ("General Mobile", tuple(f"GM {n}" for n in range(8, 25)), ("", " Pro", " Plus")),
    ("Motorola Moto", tuple(f"G{n}" for n in range(10, 101, 2)) + tuple(f"E{n}" for n in range(13, 41)),
     ("", " Power", " Plus", " 5G")),
    ("Google Pixel", tuple(str(n) for n in range(4, 10)), ("", " Pro", "a", " XL", " Fold")),
    ("OnePlus", tuple(str(n) for n in range(7, 13)) + tuple(f"Nord {n}" for n in range(2, 5)),
     ("", " Pro", "T", " CE", " 5G")),
)
_FIRST_NAMES = ("Ahmet", "Mehmet", "Ayşe", "Fatma", "Orhan", "Elif", "Yaşar", "Sabahattin", "Halide", "Sait",
                "Nazım", "Oğuz", "Peyami", "Reşat", "Tezer", "Zülfü", "Adalet", "Sevgi", "Attilâ", "Cemal",
                "Yusuf", "Leyla", "İlber", "Murat", "Canan", "Zeynep", "Aslı", "Burak", "Deniz", "Ece",
                "Hakan", "İpek", "Kemal", "Lale", "Nur", "Ömer", "Pınar", "Selim", "Tuna", "Ülkü")
_LAST_NAMES = ("Pamuk", "Kemal", "Tanpınar", "Ali", "Edip", "Faik", "Hikmet", "Atay", "Safa", "Nuri",
               "Özlen", "Livaneli", "Ağaoğlu", "Soysal", "İlhan", "Süreya", "Uyar", "Ortaylı", "Menteş",
               "Karasu", "Baykurt", "Kulin", "Erdoğan", "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın",
               "Öztürk", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Koç", "Kurt", "Özdemir")
VALUE_LISTS: dict[str, tuple[str, ...]] = {
    "colours": tuple(f"{tone}{colour}" for colour in words.COLOURS[:30] for tone in _TONES),  # 180 values
    "sizes": words.CLOTHING_SIZES,
    "shoe_sizes": words.SHOE_SIZES,
    "storage": words.STORAGE,
    "volume": words.VOLUMES,
    "dimensions": words.DIMENSIONS,
    "warranty": ("Distribütör Garantili", "İthalatçı Garantili", "Resmi Distribütör Garantili",
                 "Üretici Garantili", "Garantisiz"),
    "phone_models": tuple(f"{brand} {model}{variant}" for brand, models, variants in _PHONE_MODELS
                          for model in models for variant in variants),
    "authors": tuple(f"{first} {last}" for last in _LAST_NAMES for first in _FIRST_NAMES),
    "materials": words.MATERIALS,
    "patterns": words.PATTERNS,
    "genders": words.GENDERS,
    "age_groups": words.AGE_GROUPS,
    "screen_sizes": tuple(f"{size} inç" for size in words.SCREEN_INCHES),
    "cpus": ("Intel Core i3", "Intel Core i5", "Intel Core i7", "Intel Core i9", "Intel Core Ultra 7",
             "AMD Ryzen 3", "AMD Ryzen 5", "AMD Ryzen 7", "AMD Ryzen 9", "Apple M1", "Apple M2", "Apple M3",
             "Snapdragon X Elite"),
    "countries": tuple(name for _, name in words.COUNTRIES),
    "skin_types": words.SKIN_TYPES,
    "energy_classes": ("A+++", "A++", "A+", "A", "B", "C", "D", "E", "F", "G"),
    "usage_areas": ("Salon", "Yatak Odası", "Mutfak", "Banyo", "Çocuk Odası", "Ofis", "Bahçe", "Balkon"),
}

# id -> (name, type, multiValue, value list key or None for free text)
ATTRIBUTES: dict[str, tuple[str, str, bool, str | None]] = {
    "renk_variant_property": ("Renk", "enum", False, "colours"),
    "beden_variant_property": ("Beden", "enum", False, "sizes"),
    "numara_variant_property": ("Numara", "enum", False, "shoe_sizes"),
    "dahili_hafiza_variant_property": ("Dahili Hafıza", "enum", False, "storage"),
    "hacim_variant_property": ("Hacim", "enum", False, "volume"),
    "ebatlar_variant_property": ("Ebat", "enum", False, "dimensions"),
    "garanti_tipi": ("Garanti Tipi", "enum", False, "warranty"),
    "uyumlu_model": ("Uyumlu Model", "enum", True, "phone_models"),
    "yazar": ("Yazar", "enum", True, "authors"),
    "malzeme": ("Malzeme", "enum", False, "materials"),
    "desen": ("Desen", "enum", False, "patterns"),
    "cinsiyet": ("Cinsiyet", "enum", False, "genders"),
    "yas_grubu": ("Yaş Grubu", "enum", False, "age_groups"),
    "ekran_boyutu": ("Ekran Boyutu", "enum", False, "screen_sizes"),
    "islemci_tipi": ("İşlemci Tipi", "enum", False, "cpus"),
    "mensei": ("Menşei", "enum", False, "countries"),
    "cilt_tipi": ("Cilt Tipi", "enum", True, "skin_types"),
    "enerji_sinifi": ("Enerji Sınıfı", "enum", False, "energy_classes"),
    "kullanim_alani": ("Kullanım Alanı", "enum", True, "usage_areas"),
    "model_kodu": ("Model Kodu", "string", False, None),
    "yayinevi": ("Yayınevi", "string", False, None),
    "sayfa_sayisi": ("Sayfa Sayısı", "string", False, None),
    "paket_icerigi": ("Paket İçeriği", "string", False, None),
}

# The base attributes every category lists (Hepsiburada's import keys), as (id, name, mandatory).
BASE_ATTRIBUTES: tuple[tuple[str, str, bool], ...] = (
    ("merchantSku", "Satıcı Stok Kodu", True),
    ("VaryantGroupID", "Varyant Grup Id", False),
    ("Barcode", "Barkod", True),
    ("UrunAdi", "Ürün Adı", True),
    ("UrunAciklamasi", "Ürün Açıklaması", True),
    ("Marka", "Marka", True),
    ("GarantiSuresi", "Garanti Süresi (Ay)", True),
    ("kg", "Desi", True),
    ("tax_vat_rate", "KDV", True),
    ("price", "Fiyat", True),
    ("stock", "Stok", True),
    *((f"Image{n}", f"Görsel {n}", n == 1) for n in range(1, MAX_IMAGES + 1)),
    ("Video1", "Video", False),
)

# Per root: (variant attributes, attributes) as (attribute id, mandatory).
_PROFILES: dict[str, tuple[tuple[tuple[str, bool], ...], tuple[tuple[str, bool], ...]]] = {
    "Elektronik": ((("renk_variant_property", True), ("dahili_hafiza_variant_property", False)),
                   (("garanti_tipi", True), ("model_kodu", False), ("ekran_boyutu", False),
                    ("islemci_tipi", False), ("mensei", False))),
    "Moda": ((("renk_variant_property", True), ("beden_variant_property", True)),
             (("cinsiyet", True), ("malzeme", False), ("desen", False), ("yas_grubu", False), ("mensei", False))),
    "Ev, Yaşam, Kırtasiye, Ofis": ((("renk_variant_property", False), ("ebatlar_variant_property", False)),
                                   (("malzeme", True), ("kullanim_alani", False), ("enerji_sinifi", False))),
    "Oto, Bahçe, Yapı Market": ((("renk_variant_property", False),),
                                (("garanti_tipi", False), ("malzeme", False), ("model_kodu", False))),
    "Anne, Bebek, Oyuncak": ((("renk_variant_property", False),),
                             (("yas_grubu", True), ("cinsiyet", False), ("malzeme", False))),
    "Spor, Outdoor": ((("renk_variant_property", True), ("beden_variant_property", False)),
                      (("cinsiyet", False), ("malzeme", False))),
    "Kozmetik, Kişisel Bakım": ((("hacim_variant_property", False),),
                                (("cilt_tipi", False), ("cinsiyet", False), ("mensei", False))),
    "Süpermarket, Pet Shop": ((("hacim_variant_property", False),),
                              (("mensei", True), ("paket_icerigi", False))),
    "Kitap, Müzik, Film, Hobi": ((), (("yayinevi", False), ("sayfa_sayisi", False))),
}


def _attribute_dto(attribute_id: str, mandatory: bool) -> dict[str, Any]:
    name, kind, multi, _ = ATTRIBUTES[attribute_id]
    return {"name": name, "id": attribute_id, "mandatory": mandatory, "type": kind, "multiValue": multi}


@lru_cache(maxsize=512)
def category_attributes(category_id: int) -> dict[str, list[dict[str, Any]]] | None:
    """``data`` of the attributes answer for a leaf; None for unknown or non-leaf categories."""
    node = category(category_id)
    if node is None or not node["leaf"]:
        return None
    root, sub = node["paths"][0], node["paths"][1] if len(node["paths"]) > 1 else ""
    variants, attributes = (list(part) for part in _PROFILES[root])
    if sub == "Ayakkabı":  # shoes take a shoe size instead of a clothing size
        variants = [("numara_variant_property", True) if a == "beden_variant_property" else (a, m)
                    for a, m in variants]
    if sub == "Telefon Aksesuarları":
        attributes.insert(0, ("uyumlu_model", True))
    if sub == "Kitap":
        attributes.insert(0, ("yazar", True))
    return {
        "baseAttributes": [{"name": name, "id": attr_id, "mandatory": mandatory, "type": "string",
                            "multiValue": False} for attr_id, name, mandatory in BASE_ATTRIBUTES],
        "attributes": [_attribute_dto(a, m) for a, m in attributes],
        "variantAttributes": [_attribute_dto(a, m) for a, m in variants],
    }


@lru_cache(maxsize=64)
def attribute_values(attribute_id: str) -> tuple[dict[str, str], ...]:
    """Allowed values of an enum attribute as ``{id, value}``; empty for free-text ones."""
    spec = ATTRIBUTES.get(attribute_id)
    if spec is None or spec[3] is None:
        return ()
    seen: set[str] = set()
    values = []
    for value in VALUE_LISTS[spec[3]]:
        if value in seen:
            continue
        seen.add(value)
        values.append({"id": str(1_000_000 + _crc(f"{attribute_id}:{value}") % 9_000_000), "value": value})
    return tuple(values)


@lru_cache(maxsize=64)
def allowed_values(attribute_id: str) -> frozenset[str]:
    return frozenset(v["value"] for v in attribute_values(attribute_id))
