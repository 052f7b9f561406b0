"""Wall charts (挂图作战): figures as of the end of a year, targets, table templates and maps; no Qt."""
