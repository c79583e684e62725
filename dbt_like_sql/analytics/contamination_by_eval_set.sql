/* ---
description: >-
  Per day and eval set, the clean documents found to contain its items (dropped, cut or canary) and their
  share of the day's clean documents; every eval set gets a row every day, found or not.
partitioning: daily
all_partitions_of: [eval_items]   # one static partition per eval set: every day reads them all
grain: [day, eval_set]
columns:
  day: [not_null]
  eval_set: [not_null]
  clean_documents: [not_null, non_negative]
  contaminated_documents: [not_null, non_negative]
  contaminated_share: [not_null, non_negative]
merge:
  sum: [clean_documents, contaminated_documents, dropped, cut, canary, matched_ngrams]
  ratio: {contaminated_share: [contaminated_documents, clean_documents]}
metadata:
  contaminated_documents: sum(contaminated_documents)
  contaminated_share: sum(contaminated_documents) / max(clean_documents)
chart: {kind: bar, x: day, y: contaminated_documents, color: eval_set, title: "Contaminated documents per eval set and day"}
--- */
with days as (
    select day, count(*) as clean_documents
    from {{ ref('clean_documents') }}
    group by day
),

sets as (
    select distinct eval_set from {{ ref('eval_items') }}
),

hits as (
    select day, eval_set,
           count(distinct doc_id) as contaminated_documents,
           count(distinct doc_id) filter (where action = 'drop' and reason <> 'canary') as dropped,
           count(distinct doc_id) filter (where action = 'cut') as cut,
           count(distinct doc_id) filter (where reason = 'canary') as canary,
           cast(sum(matched_ngrams) as bigint) as matched_ngrams
    from {{ ref('contamination') }}
    group by day, eval_set
),

final as (
    select d.day, s.eval_set, d.clean_documents,
           coalesce(h.contaminated_documents, 0) as contaminated_documents,
           coalesce(h.dropped, 0) as dropped,
           coalesce(h.cut, 0) as cut,
           coalesce(h.canary, 0) as canary,
           coalesce(h.matched_ngrams, 0) as matched_ngrams,
           cast(coalesce(h.contaminated_documents, 0) as double) / d.clean_documents as contaminated_share
    from days as d
    cross join sets as s
    left join hits as h on h.day = d.day and h.eval_set = s.eval_set
)

select * from final
