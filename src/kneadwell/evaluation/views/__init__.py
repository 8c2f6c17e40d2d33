"""Evaluation pages: studies (design), participants (screening, randomisation, withdrawal), results
(follow-up, CONSORT, analysis, dataset), the allocation list, and the assessor's outcome entry."""
