/* ---
description: Documents, tokens and characters of the clean corpus per day, source, domain and language.
partitioning: daily
grain: [day, source, domain, language]
columns:
  day: [not_null]
  source: [not_null]
  documents: [not_null, non_negative]
  tokens: [not_null, non_negative]
  chars: [not_null, non_negative]
  domain: [{accepted_values: [prose, code, math, dialog, other]}]
merge:
  sum: [documents, tokens, chars]
  ratio: {mean_tokens: [tokens, documents], mean_chars: [chars, documents]}
metadata:
  documents: sum(documents)
  tokens: sum(tokens)
  mean_tokens: sum(tokens) / sum(documents)
  mean_chars: sum(chars) / sum(documents)
chart: {kind: bar, x: day, y: tokens, color: domain, facet: source, title: "Clean tokens per day, source and domain"}
descriptions:
  language: detected language code of the document ('unknown' when none was detected)
  documents: clean documents in the group
  tokens: o200k tokens of those documents (token_count summed)
  chars: characters of their text
  mean_tokens: tokens per document
  mean_chars: characters per document
--- */
with docs as (
    select day, source, domain, language, token_count, length(text) as chars
    from {{ ref('clean_documents') }}
),

final as (
    select
        day,
        source,
        domain,
        coalesce(language, 'unknown') as language,
        count(*) as documents,
        cast(sum(token_count) as bigint) as tokens,
        cast(sum(chars) as bigint) as chars,
        cast(sum(token_count) as double) / count(*) as mean_tokens,
        cast(sum(chars) as double) / count(*) as mean_chars
    from docs
    group by day, source, domain, coalesce(language, 'unknown')
)

select * from final
