/* ---
description: Histogram of each classifier score per day and domain (ten bins on [0, 1]), with the mean.
partitioning: daily
grain: [day, domain, classifier, bin]
columns:
  day: [not_null]
  classifier: [not_null]
  bin: [not_null, non_negative]
  documents: [not_null, non_negative]
--- */
with scores as (
    select c.day, d.domain, c.score__quality_v1, c.score__domain_v1, c.score__difficulty_math_v1,
           c.score__difficulty_code_v1, c.score__difficulty_mc_v1
    from {{ ref('document_classifications') }} as c
    join {{ ref('clean_documents') }} as d on d.doc_id = c.doc_id
),

long as (
    select day, domain, 'quality_v1' as classifier, score__quality_v1 as score from scores
    union all
    select day, domain, 'domain_v1' as classifier, score__domain_v1 as score from scores
    union all
    select day, domain, 'difficulty_math_v1' as classifier, score__difficulty_math_v1 as score from scores
    union all
    select day, domain, 'difficulty_code_v1' as classifier, score__difficulty_code_v1 as score from scores
    union all
    select day, domain, 'difficulty_mc_v1' as classifier, score__difficulty_mc_v1 as score from scores
),

binned as (
    select day, domain, classifier, score, cast(least(floor(score * 10), 9) as integer) as bin
    from long
    where score is not null
),

final as (
    select day, domain, classifier, bin, count(*) as documents, cast(avg(score) as double) as mean_score
    from binned
    group by day, domain, classifier, bin
)

select * from final
