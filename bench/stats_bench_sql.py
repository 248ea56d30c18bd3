"""The hand-written SQL that bench/stats_bench.py times beside the stats service.

Parameters: $1 and $2 the cohort's bounds (UTC instants of local midnights),
$3 the instant of the figures, then the filters' values. `{key}` is the group
column ('' for a summary), `{extra}` the filters, `{order}` the ranking.
"""

# Hand-written, the obvious way: FILTER clauses, the named zone, percentile_cont.
OBVIOUS = """
SELECT {key} AS key, count(*) AS received,
  count(*) FILTER (WHERE f.handled_at <= $3) AS handled,
  count(*) FILTER (WHERE f.handled_at <= $3 AND f.handled_at <= f.deadline) AS on_time,
  count(*) FILTER (WHERE f.handled_at <= $3 AND f.handled_at > f.deadline) AS late,
  count(*) FILTER (WHERE (f.handled_at IS NULL OR f.handled_at > $3) AND f.deadline < $3) AS overdue,
  count(*) FILTER (WHERE (f.handled_at IS NULL OR f.handled_at > $3) AND f.status <> 'info_requested') AS in_progress,
  count(*) FILTER (WHERE (f.handled_at IS NULL OR f.handled_at > $3) AND f.status = 'info_requested') AS waiting,
  count(*) FILTER (WHERE f.handled_at <= $3 AND f.status = 'rejected') AS rejected,
  count(*) FILTER (WHERE f.handled_at <= $3 AND f.status = 'duplicate') AS duplicate,
  count(r.score) AS ratings, count(*) FILTER (WHERE r.score >= 4) AS satisfied,
  avg(wh.ordinal - wc.ordinal) FILTER (WHERE f.handled_at <= $3) AS mean,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY wh.ordinal - wc.ordinal) FILTER (WHERE f.handled_at <= $3) AS median
FROM feedback f
LEFT JOIN rating r ON r.feedback_id = f.id AND r.created_at <= $3
LEFT JOIN work_day wc ON wc.day = (f.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
LEFT JOIN work_day wh ON wh.day = (f.handled_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
WHERE f.created_at >= $1 AND f.created_at < $2 {extra}
GROUP BY 1 ORDER BY {order}
"""
# Hand-written, tuned: what the service's query does (one pass into a histogram of
# handling days per group, the median from running sums, a fixed +07:00 offset).
TUNED = """
WITH h AS (
  SELECT {key} AS grp, CASE WHEN f.handled_at <= $3 THEN wh.ordinal - wc.ordinal END AS days, count(*) AS received,
    count(*) FILTER (WHERE f.handled_at <= $3) AS handled,
    count(*) FILTER (WHERE f.handled_at <= $3 AND f.handled_at <= f.deadline) AS on_time,
    count(*) FILTER (WHERE f.handled_at <= $3 AND f.handled_at > f.deadline) AS late,
    count(*) FILTER (WHERE (f.handled_at IS NULL OR f.handled_at > $3) AND f.deadline < $3) AS overdue,
    count(*) FILTER (WHERE (f.handled_at IS NULL OR f.handled_at > $3) AND f.status <> 'info_requested') AS in_progress,
    count(*) FILTER (WHERE (f.handled_at IS NULL OR f.handled_at > $3) AND f.status = 'info_requested') AS waiting,
    count(*) FILTER (WHERE f.handled_at <= $3 AND f.status = 'rejected') AS rejected,
    count(*) FILTER (WHERE f.handled_at <= $3 AND f.status = 'duplicate') AS duplicate,
    count(r.score) AS ratings, count(*) FILTER (WHERE r.score >= 4) AS satisfied
  FROM feedback f
  LEFT JOIN rating r ON r.feedback_id = f.id AND r.created_at <= $3
  LEFT JOIN work_day wc ON wc.day = (f.created_at AT TIME ZONE INTERVAL '+07:00')::date
  LEFT JOIN work_day wh ON wh.day = (f.handled_at AT TIME ZONE INTERVAL '+07:00')::date
  WHERE f.created_at >= $1 AND f.created_at < $2 {extra}
  GROUP BY 1, 2
), w AS (
  SELECT h.*, (sum(received) FILTER (WHERE days IS NOT NULL) OVER (PARTITION BY grp ORDER BY days))::bigint AS upto,
    (sum(received) FILTER (WHERE days IS NOT NULL) OVER (PARTITION BY grp))::bigint AS n
  FROM h
)
SELECT grp AS key, sum(received) AS received, sum(handled) AS handled, sum(on_time) AS on_time, sum(late) AS late,
  sum(overdue) AS overdue, sum(in_progress) AS in_progress, sum(waiting) AS waiting, sum(rejected) AS rejected,
  sum(duplicate) AS duplicate, sum(ratings) AS ratings, sum(satisfied) AS satisfied,
  sum(days * received)::numeric / sum(received) FILTER (WHERE days IS NOT NULL) AS mean,
  (min(days) FILTER (WHERE upto >= (n + 1) / 2) + min(days) FILTER (WHERE upto >= n / 2 + 1)) / 2.0 AS median
FROM w GROUP BY grp ORDER BY {order}
"""
RANK = "sum(handled)::float8 / sum(received) DESC, sum(received) DESC, 1"
OBVIOUS_RANK = "count(*) FILTER (WHERE f.handled_at <= $3)::float8 / count(*) DESC, count(*) DESC, 1"
