/* ---
description: >-
  Histogram of each classifier score (quality, domain, difficulty) per day and domain on ten fixed bins
  of [0, 1], with the score sum, so days merge and the mean is exact.
partitioning: daily
grain: [day, domain, classifier, bin]
columns:
  day: [not_null]
  classifier: [not_null]
  bin: [not_null, non_negative]
  bin_lower: [not_null, non_negative]
  documents: [not_null, non_negative]
merge:
  sum: [documents, score_sum]
  min: [bin_lower]
  ratio: {mean_score: [score_sum, documents]}
metadata:
  mean_quality: sum(score_sum) filter (where classifier = 'quality_v1') / sum(documents) filter (where classifier = 'quality_v1')
  scored_documents/quality: sum(documents) filter (where classifier = 'quality_v1')
  scored_documents/difficulty: sum(documents) filter (where classifier like 'difficulty_%')
chart: {kind: bar, x: "bin_lower:O", y: documents, color: domain, facet: classifier, title: "Quality and difficulty score distributions"}
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
    select day, domain, classifier, score, cast(least(greatest(floor(score * 10), 0), 9) as integer) as bin
    from long
    where score is not null
),

final as (
    select day, domain, classifier, bin, cast(bin as double) / 10 as bin_lower, count(*) as documents,
           cast(sum(score) as double) as score_sum, cast(sum(score) as double) / count(*) as mean_score
    from binned
    group by day, domain, classifier, bin
)

select * from final
