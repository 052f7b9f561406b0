"""Wall charts (挂图作战): figures as of the end of a year, targets, table templates and maps; no Qt.

- model.py: the data contract (metrics, area rows, the dashboard) the screen, the PDF and the CLI share;
- asof.py: the registry as of the end of a year, read back from the change history, as SQL;
- figures.py: `build()`, the dashboard of a county, township or village, aggregated in SQL;
- targets.py: targets with red / amber / green lights, the office's to change;
- templates.py: the tables as templates (data, not code), and `table()`, the one place cells are formatted;
- colors.py: the map's fills and legend; geo.py: GeoJSON village boundaries and the schematic map;
- population.py: rural population per area and year (the incidence's denominator), entered or imported;
- png.py: a PDF page as a PNG image.
"""
