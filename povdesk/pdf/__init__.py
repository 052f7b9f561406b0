"""Print-ready PDFs (reportlab, no Qt): notice sheets, household cards and forms, with embedded CJK fonts."""
