"""The tool's one way to write a time, for what Django formats itself (the admin's lists and
entries): "6 Dec 2026, 17:51 UTC", 24-hour with the zone named, as every desk page writes it
(lookup/templatetags/desk.py), not the locale's "Dec. 6, 2026, 5:51 p.m."."""

DATETIME_FORMAT = "j M Y, H:i T"
DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i T"
SHORT_DATE_FORMAT = "j M Y"
