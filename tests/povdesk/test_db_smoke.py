from povdesk.pairing import schemes


def test_fresh_database_has_the_usual_pairing_schemes_and_uses_321(db):
    with db.session() as s:
        table = {scheme.name: scheme.quotas for scheme in schemes.list_schemes(s)}
        used = schemes.current_scheme(s)
    assert table["321"] == {"county_leader": 3, "section": 2, "general": 1, "township": None}
    assert table["532"] == {"county_leader": 5, "section": 3, "general": 2, "township": None}
    assert set(table) == {"321", "532", "54321", "87654"}
    assert used.name == "321" and used.describe() == "县级领导3户、科级干部2户、一般干部1户、乡镇干部兜底"
