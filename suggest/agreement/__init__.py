"""Agreement between coders (and between a model and coders), per code and pooled.

Each code is a yes/no decision per excerpt. `to_matrix` turns long coded data into
X (n_items, n_coders, n_codes); `metrics` holds the measures as plain functions over
arrays; `bootstrap` the item-resampling CIs; `agreement_table` the per-pair, per-code
table with CIs that reports and the CLI show.
"""
from suggest.agreement.bootstrap import bootstrap_ci, percentile_ci, resample_weights
from suggest.agreement.matrix import MODEL_PREFIX, check_codings, is_model, order_coders, to_matrix
from suggest.agreement.metrics import (category_counts, cohen_kappa, counts_stats, fleiss_kappa, gwet_ac1,
                                       krippendorff_alpha, pair_table, per_code, percent_agreement, pooled,
                                       precision_recall_f1, stack_codes, table_stats)
from suggest.agreement.tables import COLUMNS, MEASURES, agreement_table, pair_kind

__all__ = [
    "MODEL_PREFIX", "COLUMNS", "MEASURES", "agreement_table", "bootstrap_ci", "category_counts", "check_codings",
    "cohen_kappa", "counts_stats", "fleiss_kappa", "gwet_ac1", "is_model", "krippendorff_alpha", "order_coders",
    "pair_kind", "pair_table", "per_code", "percent_agreement", "percentile_ci", "pooled", "precision_recall_f1",
    "resample_weights", "stack_codes", "table_stats", "to_matrix",
]
