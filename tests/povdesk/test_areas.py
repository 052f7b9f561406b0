"""The area tree and its per-subtree counts agree with the registry statistics."""

from povdesk import areas, demo, stats
from povdesk.model import Area


def test_tree_lists_parents_first_and_counts_match_stats(db):
    demo.generate(db, households=300, seed=4)
    with db.session() as session:
        nodes = areas.load_tree(session)
        counts = areas.subtree_counts(session)
        seen: set[int] = set()
        for node in nodes:
            assert node.parent_id is None or node.parent_id in seen
            seen.add(node.id)
        assert nodes[0].level == "county" and nodes[0].name == "云岭县"
        for node in nodes:
            if node.level in ("county", "township") or node is nodes[5]:
                figures = stats.compute(session, session.get(Area, node.id))
                got = counts.get(node.id, areas.Counts())
                assert (got.households, got.persons) == (figures["households"], figures["persons"]), node.name
        assert len(nodes) == session.query(Area).count()
