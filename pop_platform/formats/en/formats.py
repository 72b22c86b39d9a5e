"""Dates in English, the same shape as in Dutch ("6 January 2027") rather than Django's
American default ("Jan. 6, 2027"), so a page never mixes two formats."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y, H:i"
