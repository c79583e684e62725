/* ---
description: >-
  Per labeling queue, one row per measure of its human labels: tasks, items answered, annotations (each
  annotator's latest non-cancelled answer per item), annotators, items with two or more answers, raw
  pairwise agreement (agreeing annotator pairs on those items), answers that took the model suggestion the
  annotator was shown (over every answer, where adjudicated_labels' metadata counts overlap items only), annotator accuracy on items with a gold answer, and the model's accuracy on the
  random (gold) slice against the gold answer or else the latest label version's adjudicated label.
  `value` out of `out_of` gives `share`; a count alone has no `out_of`.
partitioning: none
grain: [queue, measure]
columns:
  queue: [not_null]
  measure: [{accepted_values: [tasks, items_answered, annotations, annotators, overlap_items,
                               pairwise_agreement, suggestion_accepted, annotator_gold_accuracy,
                               model_gold_accuracy]}]
  value: [not_null, non_negative]
  out_of: [non_negative]
  share: [non_negative]
metadata:
  annotations: sum(value) filter (where measure = 'annotations')
  overlap_items: sum(value) filter (where measure = 'overlap_items')
  pairwise_agreement: sum(value) filter (where measure = 'pairwise_agreement') / sum(out_of) filter (where measure = 'pairwise_agreement')
  suggestion_accepted: sum(value) filter (where measure = 'suggestion_accepted') / sum(out_of) filter (where measure = 'suggestion_accepted')
chart: {kind: bar, x: measure, y: share, facet: queue, where: share is not null,
        title: "Label agreement per queue: shares of items, answer pairs and answers"}
--- */
with ranked as (
    select queue, item_id, annotator, answer, cancelled, seen_label,
           row_number() over (partition by queue, item_id, annotator
                              order by coalesce(updated_at, created_at) desc, labels_version desc) as newest
    from {{ ref('human_labels') }}
),

answers as (
    select queue, item_id, annotator, answer, seen_label
    from ranked
    where newest = 1 and not cancelled and answer is not null
),

tasks as (
    select queue, count(*) as tasks from {{ ref('labeling_queue') }} group by queue
),

items as (
    select queue, count(*) as items, sum(case when answers >= 2 then 1 else 0 end) as overlap_items
    from (select queue, item_id, count(*) as answers from answers group by queue, item_id) as per_item
    group by queue
),

by_answer as (
    select a.queue, count(*) as annotations, count(distinct a.annotator) as annotators,
           count(a.seen_label) as shown, sum(case when a.answer = a.seen_label then 1 else 0 end) as accepted,
           count(q.gold) as gold_answers, sum(case when a.answer = q.gold then 1 else 0 end) as gold_correct
    from answers as a
    left join {{ ref('labeling_queue') }} as q on q.queue = a.queue and q.item_id = a.item_id
    group by a.queue
),

pairs as (
    select a.queue, count(*) as pairs, sum(case when a.answer = b.answer then 1 else 0 end) as agreeing
    from answers as a
    join answers as b on b.queue = a.queue and b.item_id = a.item_id and a.annotator < b.annotator
    group by a.queue
),

latest as (
    select queue, max(labels_version) as labels_version from {{ ref('adjudicated_labels') }} group by queue
),

model_gold as (
    select j.queue, count(*) as items,
           sum(case when j.suggestion_label = coalesce(q.gold, j.label) then 1 else 0 end) as correct
    from {{ ref('adjudicated_labels') }} as j
    join latest as l on l.queue = j.queue and l.labels_version = j.labels_version
    left join {{ ref('labeling_queue') }} as q on q.queue = j.queue and q.item_id = j.item_id
    where j.slice = 'random' and j.suggestion_label is not null and coalesce(q.gold, j.label) is not null
    group by j.queue
),

queues as (
    select queue from tasks union select queue from by_answer
),

wide as (
    select qs.queue, coalesce(t.tasks, 0) as tasks, coalesce(i.items, 0) as items,
           coalesce(i.overlap_items, 0) as overlap_items, coalesce(b.annotations, 0) as annotations,
           coalesce(b.annotators, 0) as annotators, coalesce(b.shown, 0) as shown,
           coalesce(b.accepted, 0) as accepted, coalesce(b.gold_answers, 0) as gold_answers,
           coalesce(b.gold_correct, 0) as gold_correct, coalesce(p.pairs, 0) as pairs,
           coalesce(p.agreeing, 0) as agreeing, coalesce(m.items, 0) as gold_items,
           coalesce(m.correct, 0) as model_correct
    from queues as qs
    left join tasks as t on t.queue = qs.queue
    left join items as i on i.queue = qs.queue
    left join by_answer as b on b.queue = qs.queue
    left join pairs as p on p.queue = qs.queue
    left join model_gold as m on m.queue = qs.queue
),

measures as (
    select queue, 'tasks' as measure, tasks as value, cast(null as bigint) as out_of from wide
    union all select queue, 'items_answered', items, tasks from wide
    union all select queue, 'annotations', annotations, cast(null as bigint) from wide
    union all select queue, 'annotators', annotators, cast(null as bigint) from wide
    union all select queue, 'overlap_items', overlap_items, items from wide
    union all select queue, 'pairwise_agreement', agreeing, pairs from wide
    union all select queue, 'suggestion_accepted', accepted, shown from wide
    union all select queue, 'annotator_gold_accuracy', gold_correct, gold_answers from wide
    union all select queue, 'model_gold_accuracy', model_correct, gold_items from wide
),

final as (
    select queue, measure, cast(value as bigint) as value, cast(out_of as bigint) as out_of,
           cast(value as double) / nullif(out_of, 0) as share
    from measures
)

select * from final
