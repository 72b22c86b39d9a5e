"""Dates in Dutch: one format for every page, e-mail and PDF ("6 januari 2027"), the
weekday only where a meeting is planned. Templates use DATE_FORMAT and DATETIME_FORMAT."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y, H:i"
