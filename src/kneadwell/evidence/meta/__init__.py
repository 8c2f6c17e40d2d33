"""Meta-analysis (pure Python, no Django): effect sizes from raw study data, fixed- and random-effects
pooling (DerSimonian-Laird, REML, Paule-Mandel), a CSV reader, the `kneadwell meta` command and an
accessible SVG forest plot. See docs/evidence.md for the methods and their sources."""

from kneadwell.evidence.meta.effect_sizes import (
    EffectSizeError,
    EffectSizes,
    Measure,
    binary_effects,
    continuous_effects,
    generic_effects,
)
from kneadwell.evidence.meta.pooling import (
    DEFAULT_METHOD,
    ConvergenceError,
    MetaResult,
    Method,
    PooledEstimate,
    meta_analyse,
    pool,
)

__all__ = [
    "DEFAULT_METHOD",
    "ConvergenceError",
    "EffectSizeError",
    "EffectSizes",
    "Measure",
    "MetaResult",
    "Method",
    "PooledEstimate",
    "binary_effects",
    "continuous_effects",
    "generic_effects",
    "meta_analyse",
    "pool",
]
