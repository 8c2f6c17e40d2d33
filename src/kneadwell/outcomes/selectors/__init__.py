"""Reads of measurements and growth, for pages, the API, reports and exports.

Every read starts from a client loaded through `kneadwell.clients.selectors.client_get` (tenancy, a
caregiver's own children, and the audit row of the read) or through `measurements_for_client`, which does
that itself. Measurements marked "entered in error" are left out unless asked for.

Query counts do not grow with the data: each function runs a fixed number of queries, all served by the
(client, instrument_id, taken_at) and (client, taken_at) indexes.

The reads live in modules named for what they hold; pages, the API, reports and tests call them as
`selectors.<name>`, so this package names them all:

* `measurements`: the queries every read starts from;
* `display`: a measurement's figure and an age as text;
* `growth`: growth series, latest values, weight velocity and the growth summary;
* `trends`: the other instruments over time;
* `organisation_measures`: an organisation's own measures, and the resolver that finds them by id;
* `charts`: chart data for the browser, text alternatives, and the cached SVG of the PDF report."""

from kneadwell.outcomes.selectors.charts import (
    CHART_CACHE_SECONDS,
    growth_chart,
    growth_chart_data,
    growth_chart_description,
    trend_chart,
    trend_chart_data,
    trend_chart_description,
)
from kneadwell.outcomes.selectors.display import age_text, display_value
from kneadwell.outcomes.selectors.growth import (
    GrowthPoint,
    GrowthSummary,
    LatestGrowth,
    LatestValue,
    VelocitySummary,
    growth_and_recorded,
    growth_series,
    growth_summary,
    latest_growth,
    latest_values,
    weight_velocity,
)
from kneadwell.outcomes.selectors.measurements import (
    instrument_or_404,
    instruments_of,
    instruments_recorded,
    measurement_get,
    measurement_queryset,
    measurements_for_client,
    measurements_in_error,
)
from kneadwell.outcomes.selectors.organisation_measures import (
    MeasureSummary,
    definition_for_form,
    instrument_as_scored,
    measure_version_get,
    measure_versions,
    organisation_measure_get,
    organisation_measure_list,
    version_instrument,
)
from kneadwell.outcomes.selectors.trends import (
    DIRECTION_TEXT,
    TREND_LIMIT,
    Trend,
    TrendRow,
    instrument_sources,
    instrument_trend,
)

__all__ = [
    "CHART_CACHE_SECONDS",
    "DIRECTION_TEXT",
    "TREND_LIMIT",
    "GrowthPoint",
    "GrowthSummary",
    "LatestGrowth",
    "LatestValue",
    "MeasureSummary",
    "Trend",
    "TrendRow",
    "VelocitySummary",
    "age_text",
    "definition_for_form",
    "display_value",
    "growth_and_recorded",
    "growth_chart",
    "growth_chart_data",
    "growth_chart_description",
    "growth_series",
    "growth_summary",
    "instrument_as_scored",
    "instrument_or_404",
    "instrument_sources",
    "instrument_trend",
    "instruments_of",
    "instruments_recorded",
    "latest_growth",
    "latest_values",
    "measure_version_get",
    "measure_versions",
    "measurement_get",
    "measurement_queryset",
    "measurements_for_client",
    "measurements_in_error",
    "organisation_measure_get",
    "organisation_measure_list",
    "trend_chart",
    "trend_chart_data",
    "trend_chart_description",
    "version_instrument",
    "weight_velocity",
]
