/* ---
description: >-
  Exact and near-duplicate rates per day: of the documents that reached deduplication (kept, or dropped
  by it), the share dropped as exact copies and as MinHash near-duplicates.
partitioning: daily
grain: [day, kind]
columns:
  day: [not_null]
  kind: [{accepted_values: [exact, near]}]
  documents_in: [not_null, non_negative]
  duplicates: [not_null, non_negative]
  rate: [not_null, non_negative]
merge:
  sum: [documents_in, duplicates]
  ratio: {rate: [duplicates, documents_in]}
metadata:
  dedup_rate: sum(duplicates) / max(documents_in)
  exact_rate: sum(duplicates) filter (where kind = 'exact') / max(documents_in)
  near_rate: sum(duplicates) filter (where kind = 'near') / max(documents_in)
chart: {kind: line, x: day, y: rate, color: kind, title: "Exact and near-duplicate rates per day"}
--- */
with reached as (
    select day, cast(null as varchar) as reason from {{ ref('clean_documents') }}
    union all
    select day, reason from {{ ref('rejected_documents') }} where stage = 'dedup'
),

per_day as (
    select day,
           count(*) as documents_in,
           count(*) filter (where reason = 'exact_duplicate') as exact_duplicates,
           count(*) filter (where reason = 'near_duplicate') as near_duplicates
    from reached
    group by day
),

final as (
    select day, 'exact' as kind, documents_in, exact_duplicates as duplicates,
           cast(exact_duplicates as double) / documents_in as rate
    from per_day
    union all
    select day, 'near' as kind, documents_in, near_duplicates as duplicates,
           cast(near_duplicates as double) / documents_in as rate
    from per_day
)

select * from final
