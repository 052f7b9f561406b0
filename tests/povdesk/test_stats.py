import pytest
from sqlalchemy import select

from povdesk import demo, stats
from povdesk.errors import NotFound
from povdesk.model import Area


def test_area_figures_add_up_to_the_county(db):
    demo.generate(db, households=400, seed=2)
    with db.session() as s:
        county = stats.compute(s)
        townships = s.scalars(select(Area).where(Area.level == "township")).all()
        parts = [stats.compute(s, t) for t in townships]
        village = s.scalar(select(Area).where(Area.level == "village"))
        one_village = stats.compute(s, stats.find_area(s, village.name))
    assert sum(p["households"] for p in parts) == county["households"] == 400
    assert sum(p["persons"] for p in parts) == county["persons"]
    assert sum(p["villages"] for p in parts) == county["villages"]
    assert one_village["villages"] == 1 and one_village["townships"] == 0
    assert 0 < one_village["households"] < 400
    assert sum(one_village["households_by_status"].values()) == one_village["households"]


def test_unknown_area_is_a_clear_error(db):
    with db.session() as s, pytest.raises(NotFound, match="找不到名为“火星村”"):
        stats.find_area(s, "火星村")
