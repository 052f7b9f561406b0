from sqlalchemy import select

from povdesk.model import PairingQuota


def test_fresh_database_has_default_pairing_table(db):
    with db.session() as s:
        quota = dict(s.execute(select(PairingQuota.rank, PairingQuota.households)).all())
    assert quota == {"county_leader": 3, "section": 2, "general": 1}
