"""Excel rosters in and out: reading messy workbooks, validating, importing atomically, exporting the national layout."""
