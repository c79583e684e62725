/* ---
description: >-
  Per synthetics spec and task, what became of the candidates: kept as a preference pair, or rejected at a
  stage (seed, judge, gate) for a reason, with the kept pairs' margin and how often the longer answer won.
partitioning: none
grain: [synthetic, task, outcome, stage, reason]
columns:
  synthetic: [not_null]
  outcome: [{accepted_values: [pair, rejected]}]
  candidates: [not_null, non_negative]
  chosen_longer: [non_negative]
metadata:
  pairs: sum(candidates) filter (where outcome = 'pair')
  rejected: sum(candidates) filter (where outcome = 'rejected')
  longer_chosen_share: sum(chosen_longer) / sum(candidates) filter (where outcome = 'pair')
chart: {kind: bar, x: reason, y: candidates, color: stage, facet: synthetic,
        title: "Synthetic preference pairs: kept and rejected candidates"}
--- */
with kept as (
    select synthetic, coalesce(task, 'unknown') as task, 'pair' as outcome, 'kept' as stage,
           'kept' as reason, margin, cast(length(chosen) > length(rejected) as integer) as chosen_longer
    from {{ ref('preference_pairs') }}
),

dropped as (
    select synthetic, coalesce(task, 'unknown') as task, 'rejected' as outcome,
           coalesce(stage, 'unknown') as stage, coalesce(reason, 'unknown') as reason, cast(null as double) as margin,
           cast(null as integer) as chosen_longer
    from {{ ref('rejected_pairs') }}
),

final as (
    select synthetic, task, outcome, stage, reason, count(*) as candidates,
           cast(avg(margin) as double) as mean_margin, cast(sum(chosen_longer) as bigint) as chosen_longer
    from (select * from kept union all select * from dropped) as candidates
    group by synthetic, task, outcome, stage, reason
)

select * from final
