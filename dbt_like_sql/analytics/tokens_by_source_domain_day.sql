/* ---
description: Documents and tokens of the clean corpus per day, source, domain and language.
partitioning: daily
grain: [day, source, domain, language]
columns:
  day: [not_null]
  source: [not_null]
  documents: [not_null, non_negative]
  tokens: [not_null, non_negative]
  domain: [{accepted_values: [prose, code, math, dialog, other]}]
--- */
with docs as (
    select day, source, domain, language, token_count
    from {{ ref('clean_documents') }}
),

final as (
    select
        day,
        source,
        domain,
        language,
        count(*) as documents,
        cast(sum(token_count) as bigint) as tokens,
        cast(avg(token_count) as double) as mean_tokens
    from docs
    group by day, source, domain, language
)

select * from final
