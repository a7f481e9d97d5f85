"""The address reference table (country → city → township → district) and the mapping of
marketplace place names/codes to it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ..text import name_key, squash


class _Place(models.Model):
    name = models.CharField(max_length=128)
    name_key = models.CharField(max_length=128, db_index=True, editable=False, help_text="Normalised name used for look-ups")
    is_active = models.BooleanField(default=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.name = squash(self.name)
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name


class Country(_Place):
    code = models.CharField(max_length=2, unique=True, help_text="ISO 3166-1 alpha-2, e.g. TR")

    class Meta:
        verbose_name_plural = "countries"
        ordering = ["name"]


class City(_Place):
    """A province (il); Türkiye's are numbered by their licence-plate code."""

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="cities")
    plate_code = models.CharField(max_length=3, blank=True, help_text="Licence-plate code, 01–81 in Türkiye")

    class Meta:
        verbose_name_plural = "cities"
        ordering = ["country_id", "plate_code", "name"]
        constraints = [models.UniqueConstraint(fields=["country", "name"], name="uniq_city_name_per_country")]


class Township(_Place):
    """A district of a province (ilçe)."""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="townships")

    class Meta:
        ordering = ["city_id", "name"]
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="uniq_township_name_per_city")]


class District(_Place):
    """A neighbourhood of a township (mahalle)."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="districts")
    postcode = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["township_id", "name"]
        constraints = [models.UniqueConstraint(fields=["township", "name"], name="uniq_district_name_per_township")]


class AddressMapping(models.Model):
    """A marketplace's name or code for a city, township or district → our row.

    Global when ``channel`` is empty. With the channel config
    ``use_channel_id_in_address_mapping`` on, mappings are per channel and their code is
    prefixed ``{channel_id}_`` (e.g. ``137_Merkez``). ``parent_id`` scopes the code: the
    country of a city mapping, the city of a township mapping, the township of a district
    mapping; 0 means valid under any parent.
    """

    class Model(models.TextChoices):
        CITY = "city", "City"
        TOWNSHIP = "township", "Township"
        DISTRICT = "district", "District"

    channel = models.ForeignKey(
        "channels.SalesChannel", null=True, blank=True, on_delete=models.CASCADE, related_name="address_mappings"
    )
    model = models.CharField(max_length=16, choices=Model.choices)
    code = models.CharField(max_length=255, help_text="The marketplace's name or code, with the channel prefix when per channel")
    code_key = models.CharField(max_length=255, editable=False, db_index=True)
    parent_id = models.PositiveBigIntegerField(
        default=0, help_text="Country (city mappings), city (township) or township (district) id; 0: any"
    )
    object_id = models.PositiveBigIntegerField(help_text="Id of our city, township or district")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["model", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "model", "parent_id", "code_key"],
                condition=Q(channel__isnull=False),
                name="uniq_address_mapping_per_channel",
            ),
            models.UniqueConstraint(
                fields=["model", "parent_id", "code_key"],
                condition=Q(channel__isnull=True),
                name="uniq_address_mapping_global",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.code} → {self.object_id}"

    @property
    def target_model(self):
        return {self.Model.CITY: City, self.Model.TOWNSHIP: Township, self.Model.DISTRICT: District}[self.model]

    def clean(self) -> None:
        if self.model and self.object_id and not self.target_model.objects.filter(pk=self.object_id).exists():
            raise ValidationError({"object_id": f"there is no {self.model} with id {self.object_id}"})

    def save(self, *args, **kwargs):
        self.code = squash(self.code)
        self.code_key = name_key(self.code)
        super().save(*args, **kwargs)
