"""Two public notices and one announcement (两公示一公告): the workflow service, sheet contents and batch export."""
