"""Toolkit pieces the simulators share: numbered pages, hand-through methods; and the kit's
numbered answer page."""

from __future__ import annotations

import pytest
from pydantic import Field

from mpdash.marketplaces.errors import MalformedResponse
from mpdash.marketplaces.kit.answers import answer_parser
from mpdash.marketplaces.kit.pages import NumberedPage
from mpdash.marketplaces.simkit.delegate import from_state
from mpdash.marketplaces.simkit.paging import numbered_page


def test_numbered_page_slices_and_counts_pages_rounding_up():
    rows = list(range(7))
    assert numbered_page(rows, 0, 3) == ([0, 1, 2], {"totalElements": 7, "totalPages": 3, "page": 0, "size": 3})
    assert numbered_page(rows, 2, 3)[0] == [6]
    assert numbered_page(rows, 5, 3) == ([], {"totalElements": 7, "totalPages": 3, "page": 5, "size": 3})
    assert numbered_page([], 0, 50)[1]["totalPages"] == 0


def test_from_state_hands_arguments_through_and_keeps_a_docstring():
    class State:
        def packages(self, order_number=None, status=None):
            return [order_number, status]

    class Sim:
        state = State()
        packages = from_state("packages", "Packages of one order.")
        listed = from_state("packages")

    assert Sim().packages("1", status="Created") == ["1", "Created"]
    assert Sim().listed() == [None, None]
    assert Sim.packages.__doc__ == "Packages of one order." and "packages()" in Sim.listed.__doc__


def test_numbered_page_model_reads_totals_and_refuses_a_missing_total():
    class Page(NumberedPage):
        content: list[int] = Field(default_factory=list)

    parse = answer_parser("Somewhere")
    page = parse(Page, {"totalElements": 3, "totalPages": 2, "page": 1, "size": 2, "content": [3]}, "GET /x")
    assert (page.total_elements, page.total_pages, page.page, page.size, page.content) == (3, 2, 1, 2, [3])
    assert parse(Page, {"totalElements": 0, "content": None}, "GET /x").content == []
    with pytest.raises(MalformedResponse, match="totalElements"):
        parse(Page, {"content": []}, "GET /x")
    with pytest.raises(MalformedResponse):
        parse(Page, {"totalElements": -1}, "GET /x")
