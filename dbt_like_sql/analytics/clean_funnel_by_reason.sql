/* ---
description: The clean funnel per day and source - documents kept, and dropped per stage, filter and reason.
partitioning: daily
grain: [day, source, outcome, stage, filter_name, reason]
columns:
  day: [not_null]
  outcome: [{accepted_values: [kept, dropped]}]
  documents: [not_null, non_negative]
  share_of_source_day: [not_null, non_negative]
--- */
with kept as (
    select day, source, 'kept' as outcome, cast(null as varchar) as stage,
           cast(null as varchar) as filter_name, cast(null as varchar) as reason
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
