/* ---
description: >-
  Histograms of document length in characters and in tokens per day and domain, on fixed power-of-two
  bins (bin b holds lengths in [2^b, 2^(b+1)); 0 and 1 fall in bin 0), so days add up.
partitioning: daily
grain: [day, domain, measure, bin]
columns:
  day: [not_null]
  measure: [{accepted_values: [chars, tokens]}]
  bin: [not_null, non_negative]
  bin_lower: [not_null, non_negative]
  documents: [not_null, non_negative]
merge:
  sum: [documents, total]
  min: [bin_lower]
  ratio: {mean: [total, documents]}
metadata:
  documents: sum(documents) filter (where measure = 'tokens')
  mean_tokens: sum(total) filter (where measure = 'tokens') / sum(documents) filter (where measure = 'tokens')
chart: {kind: bar, x: "bin_lower:O", y: documents, color: domain, facet: measure, title: "Length histograms (log2 bins)"}
--- */
with docs as (
    select day, domain, length(text) as chars, token_count as tokens
    from {{ ref('clean_documents') }}
),

long as (
    select day, domain, 'chars' as measure, chars as value from docs
    union all
    select day, domain, 'tokens' as measure, tokens as value from docs
),

binned as (
    select day, domain, measure, value,
           cast(least(floor(log2(greatest(value, 1))), 30) as integer) as bin
    from long
    where value is not null
),

final as (
    select day, domain, measure, bin, cast(pow(2, bin) as bigint) as bin_lower,
           count(*) as documents, cast(sum(value) as bigint) as total,
           cast(sum(value) as double) / count(*) as mean
    from binned
    group by day, domain, measure, bin
)

select * from final
