/* ---
description: The clean funnel per day and source - documents kept, and dropped per stage, filter and reason.
partitioning: daily
grain: [day, source, outcome, stage, filter_name, reason]
columns:
  day: [not_null]
  outcome: [{accepted_values: [kept, dropped]}]
  stage: [not_null]
  documents: [not_null, non_negative]
  share_of_source_day: [not_null, non_negative]
merge:
  sum: [documents]
  share: {share_of_source_day: {of: documents, within: [source]}}
metadata:
  documents_in: sum(documents)
  documents_kept: sum(documents) filter (where outcome = 'kept')
  drop_share/language: coalesce(sum(documents) filter (where stage = 'language'), 0) / sum(documents)
  drop_share/quality: coalesce(sum(documents) filter (where stage = 'quality'), 0) / sum(documents)
  drop_share/dedup: coalesce(sum(documents) filter (where stage = 'dedup'), 0) / sum(documents)
  drop_share/all: coalesce(sum(documents) filter (where outcome = 'dropped'), 0) / sum(documents)
chart: {kind: bar, x: reason, y: documents, color: stage, where: "outcome = 'dropped'",
        title: "Dropped documents by reason and stage"}
--- */
with kept as (
    select day, source, 'kept' as outcome, 'kept' as stage, 'kept' as filter_name, 'kept' as reason
    from {{ ref('clean_documents') }}
),

dropped as (
    select day, source, 'dropped' as outcome, stage, "filter" as filter_name, reason
    from {{ ref('rejected_documents') }}
),

outcomes as (
    select * from kept
    union all
    select * from dropped
),

final as (
    select
        day,
        source,
        outcome,
        stage,
        filter_name,
        reason,
        count(*) as documents,
        cast(count(*) as double) / sum(count(*)) over (partition by day, source) as share_of_source_day
    from outcomes
    group by day, source, outcome, stage, filter_name, reason
)

select * from final
