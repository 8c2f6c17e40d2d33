"""Arabic numbers as these pages write them: Western digits with CLDR's `ar` (Latin digits) marks, the
point for decimals and the comma for thousands, the same as `core.marking.decimal_mark` ("14.8").

Django's own `ar` formats write the comma and group with the point, which is the Maghreb's usage (CLDR
`ar_DZ`, `ar_MA`, `ar_TN`); without this module `floatformat` and a float in a template wrote "14,8" on an
Arabic page beside "14.8" from the growth figures. Only the number marks are set here: dates and the
input formats are still Django's `ar` (forms are not localised, so what an input accepts is unchanged).
"""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
