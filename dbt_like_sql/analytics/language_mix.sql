/* ---
description: Documents per day and language, kept or dropped by the language filter, with the day's share.
partitioning: daily
grain: [day, language, outcome]
columns:
  day: [not_null]
  language: [not_null]
  outcome: [{accepted_values: [kept, dropped_language, dropped_other]}]
  documents: [not_null, non_negative]
  share_of_day: [not_null, non_negative]
merge:
  sum: [documents]
  share: {share_of_day: {of: documents}}
metadata:
  languages_kept: count(distinct language) filter (where outcome = 'kept')
  english_share: coalesce(sum(documents) filter (where language = 'en'), 0) / sum(documents)
  dropped_language_share: coalesce(sum(documents) filter (where outcome = 'dropped_language'), 0) / sum(documents)
chart: {kind: bar, x: language, y: documents, color: outcome, title: "Language mix (kept and dropped)"}
--- */
with kept as (
    select day, coalesce(language, 'unknown') as language, 'kept' as outcome
    from {{ ref('clean_documents') }}
),

dropped as (
    select day, coalesce(language, 'unknown') as language,
           case when stage = 'language' then 'dropped_language' else 'dropped_other' end as outcome
    from {{ ref('rejected_documents') }}
),

outcomes as (
    select * from kept
    union all
    select * from dropped
),

final as (
    select day, language, outcome, count(*) as documents,
           cast(count(*) as double) / sum(count(*)) over (partition by day) as share_of_day
    from outcomes
    group by day, language, outcome
)

select * from final
