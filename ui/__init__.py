"""PovDesk's Qt user interface: windows, views, dialogs and Qt models over the povdesk core."""
