"""The interview with the direct superior within a week of publication, its improvement plan, who holds it,
and who may read the result it discusses (regulation 三.5, 四)."""
