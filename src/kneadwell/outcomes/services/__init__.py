"""The only write path for measurements. Each service checks the actor's permission and the client's
consent, scores the answers with `outcomes.instruments`, checks growth measurements with
`outcomes.growth.plausibility`, and saves with its audit rows in one transaction.

Plausibility policy (docs/outcomes.md):

* impossible (outside what the instrument can record, |SDS| beyond rcpchgrowth's error bound, a date before
  birth, a weight change over 20% a day) -> `ValidationFailed` naming the field; nothing is saved;
* possible but unusual (outside the instrument's usual range, a WHO implausibility flag, a head that shrank,
  a weight change over 5% a day) -> `UnusualValue` unless the person confirmed; a confirmed value is saved
  with `confirmed_unusual=True` and the messages they saw in `confirmed_warnings`.

Measurements are never deleted: `measurement_mark_in_error` records who, when and why, and the row drops out
of charts and summaries.

The services live in modules named for what they do; pages, the API, the import code and tests call them as
`services.<name>`, so this package names them all:

* `drafts`: a measurement drafted, scored, checked and saved with its audit row (shared by the others);
* `recording`: `measurement_record`, `weights_record_series`;
* `imports`: `measurement_import` (an earlier record, all or none) and `measurements_import_csv`;
* `in_error`: `measurement_mark_in_error`;
* `measures`: an organisation's own outcome measures (`organisation_measure_create`, `_revise`, `_publish`,
  `_retire`; docs/custom-measures.md)."""

from kneadwell.outcomes.services.drafts import (
    CONFIRM_FIELD,
    CONFIRM_MESSAGE,
    FUTURE_TOLERANCE,
    MAX_NOTES,
    MAX_REASON,
    MAX_SERIES_ROWS,
    MEASUREMENT_FIELDS,
    UnusualValue,
)
from kneadwell.outcomes.services.imports import (
    IMPORT_ALL_OR_NOTHING,
    IMPORT_GOOD_ROWS,
    IMPORT_MODES,
    ImportedMeasurement,
    ImportProblem,
    ImportReport,
    MeasurementProblem,
    MeasurementsRefused,
    measurement_import,
    measurements_import_csv,
)
from kneadwell.outcomes.services.in_error import measurement_mark_in_error
from kneadwell.outcomes.services.measures import (
    organisation_measure_create,
    organisation_measure_publish,
    organisation_measure_retire,
    organisation_measure_revise,
    protocol_measures,
)
from kneadwell.outcomes.services.recording import measurement_record, weights_record_series

__all__ = [
    "CONFIRM_FIELD",
    "CONFIRM_MESSAGE",
    "FUTURE_TOLERANCE",
    "IMPORT_ALL_OR_NOTHING",
    "IMPORT_GOOD_ROWS",
    "IMPORT_MODES",
    "MAX_NOTES",
    "MAX_REASON",
    "MAX_SERIES_ROWS",
    "MEASUREMENT_FIELDS",
    "ImportProblem",
    "ImportReport",
    "ImportedMeasurement",
    "MeasurementProblem",
    "MeasurementsRefused",
    "UnusualValue",
    "measurement_import",
    "measurement_mark_in_error",
    "measurement_record",
    "measurements_import_csv",
    "organisation_measure_create",
    "organisation_measure_publish",
    "organisation_measure_retire",
    "organisation_measure_revise",
    "protocol_measures",
    "weights_record_series",
]
