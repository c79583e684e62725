/* ---
description: >-
  Per mixture and component, the token share the spec asked for (target) and the one the built mixture
  achieved, one row per measure, with the tokens and samples behind them.
partitioning: none
grain: [mixture, component, measure]
columns:
  mixture: [not_null]
  component: [not_null]
  measure: [{accepted_values: [target, achieved]}]
  ratio: [not_null, non_negative]
chart: {kind: bar, x: component, y: ratio, color: measure, facet: mixture, grouped: true,
        title: "Mixture composition: target vs achieved token share"}
--- */
with achieved as (
    select mixture, component, cast(sum(token_count) as bigint) as tokens, count(*) as samples
    from {{ ref('mixtures') }}
    group by mixture, component
),

totals as (
    select mixture, sum(tokens) as total from achieved group by mixture
),

joined as (
    select t.mixture, t.component, t.target_ratio, t.target_tokens,
           coalesce(a.tokens, 0) as tokens, coalesce(a.samples, 0) as samples,
           cast(coalesce(a.tokens, 0) as double) / nullif(tot.total, 0) as achieved_ratio
    from {{ ref('mixture_targets') }} as t
    left join achieved as a on a.mixture = t.mixture and a.component = t.component
    left join totals as tot on tot.mixture = t.mixture
),

final as (
    select mixture, component, 'target' as measure, target_ratio as ratio, target_tokens as tokens,
           cast(null as bigint) as samples
    from joined
    union all
    select mixture, component, 'achieved' as measure, coalesce(achieved_ratio, 0) as ratio, tokens, samples
    from joined
)

select * from final
