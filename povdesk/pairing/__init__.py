"""Paired assistance (结对帮扶): pairing schemes, the solver, cadre and pairing imports, visits and the
responsibility table."""
