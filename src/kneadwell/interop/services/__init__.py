"""Export and import services: a client's record as FHIR, a client created from a FHIR Bundle, and the
organisation's clients and measurements as CSV files. Each checks the actor's permission, reads through
the tenant-scoped selectors, writes through the domain services (so the same validation applies as on
the pages) and audits, all or nothing in one transaction.

fhir.py: FHIR export and import; export_csv.py and import_csv.py: the organisation's CSV files;
common.py: what the two imports share (and why imported measurements need no consent).
"""

from kneadwell.interop.services.common import MeasurementIn
from kneadwell.interop.services.export_csv import CSV_FILES, CsvExport, csv_export
from kneadwell.interop.services.fhir import (
    CONFIRM_MESSAGE,
    CONSENT_NOTE,
    FhirImportResult,
    NeedsConfirmation,
    fhir_export,
    fhir_import,
    fhir_plan,
)
from kneadwell.interop.services.import_csv import CsvImportReport, CsvProblem, csv_import

__all__ = [
    "CONFIRM_MESSAGE",
    "CONSENT_NOTE",
    "CSV_FILES",
    "CsvExport",
    "CsvImportReport",
    "CsvProblem",
    "FhirImportResult",
    "MeasurementIn",
    "NeedsConfirmation",
    "csv_export",
    "csv_import",
    "fhir_export",
    "fhir_import",
    "fhir_plan",
]
