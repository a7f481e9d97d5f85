"""The numbered page many marketplace listings answer with (Spring's ``Page``: ``totalElements``,
``totalPages``, ``page`` from 0, ``size``, ``content``); a package's page model adds ``content``."""

from __future__ import annotations

from pydantic import Field

from .answers import AnswerModel


class NumberedPage(AnswerModel):
    """The totals and position of one page; ``totalElements`` must be there, the rest default."""

    total_elements: int = Field(alias="totalElements", ge=0)
    total_pages: int = Field(0, alias="totalPages", ge=0)
    page: int = 0
    size: int | None = None
