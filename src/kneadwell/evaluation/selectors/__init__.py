"""Reads of programme evaluation, each checking the permission it needs: `design` (arms and strata of a
study, for services), `studies` (study pages, STUDY_VIEW), `allocation` (the list, ALLOCATION_VIEW only),
`assessment` (what a blinded assessor may see), `results` (follow-up, CONSORT, dataset, analysis)."""
