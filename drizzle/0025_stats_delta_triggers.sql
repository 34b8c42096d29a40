-- Statistics (src/db/schema/stats.ts): every statement on messages appends,
-- per organization, UTC hour and message type, what it changed of the
-- figures its messages contribute. A message contributes each figure at the
-- hour of its own timestamp:
--   accepted, pending   created_at    not a draft; pending: not final yet
--   sent                sent_at       once it is set
--   delivered           delivered_at  status delivered
--   failed, expired     failed_at     status failed, or expired
--   charged, refunded   settled_at    price_charged, price_released
-- A statement adds what its new rows contribute and takes away what its old
-- rows did, so the sums of the rows are the figures recounted from the
-- messages as they are, bucket by bucket (`alimi doctor` compares them).
-- One pass over each transition table: its rows are grouped by everything a
-- contribution depends on (a batch's rows share most of it), and only then
-- is each group spread over its hours. Statement-level, so a COPY of 100,000
-- messages appends a row or two; a statement that changes no figure (a
-- claim, queued → sending; a poll schedule) appends nothing, and one that
-- touched no row returns before reading anything.
-- What a row contributes is spelled the same in every branch. The function
-- runs in UTC, so that date_trunc cuts UTC hours whatever the session's zone.
CREATE FUNCTION stats_deltas_of_messages() RETURNS trigger LANGUAGE plpgsql
SET "TimeZone" = 'UTC' AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT FROM added) THEN RETURN NULL; END IF;
    INSERT INTO stats_deltas (org_id, hour, type, accepted, pending, sent, delivered, failed, expired, charged, refunded)
    SELECT g.org_id, v.hour, g.type, sum(v.accepted), sum(v.pending), sum(v.sent), sum(v.delivered),
      sum(v.failed), sum(v.expired), sum(v.charged), sum(v.refunded)
    FROM (
      SELECT org_id, type, status, date_trunc('hour', created_at) AS created_hour,
        date_trunc('hour', sent_at) AS sent_hour, date_trunc('hour', delivered_at) AS delivered_hour,
        date_trunc('hour', failed_at) AS failed_hour, date_trunc('hour', settled_at) AS settled_hour,
        sum(sign) AS n, sum(sign * price_charged) AS charged, sum(sign * price_released) AS released
      FROM (SELECT org_id, type, status, created_at, sent_at, delivered_at, failed_at, settled_at, price_charged, price_released, 1 AS sign FROM added) change
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ) g
    CROSS JOIN LATERAL (VALUES
      (CASE WHEN g.status <> 'draft' THEN g.created_hour END, g.n,
        CASE WHEN g.status IN ('accepted', 'queued', 'sending', 'sent') THEN g.n ELSE 0 END,
        0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::numeric, 0::numeric),
      (g.sent_hour, 0, 0, g.n, 0, 0, 0, 0, 0),
      (CASE WHEN g.status = 'delivered' THEN g.delivered_hour END, 0, 0, 0, g.n, 0, 0, 0, 0),
      (CASE WHEN g.status IN ('failed', 'expired') THEN g.failed_hour END, 0, 0, 0, 0,
        CASE WHEN g.status = 'failed' THEN g.n ELSE 0 END,
        CASE WHEN g.status = 'expired' THEN g.n ELSE 0 END, 0, 0),
      (g.settled_hour, 0, 0, 0, 0, 0, 0, g.charged, g.released)
    ) v(hour, accepted, pending, sent, delivered, failed, expired, charged, refunded)
    WHERE v.hour IS NOT NULL
    GROUP BY g.org_id, v.hour, g.type
    HAVING sum(v.accepted) <> 0 OR sum(v.pending) <> 0 OR sum(v.sent) <> 0 OR sum(v.delivered) <> 0
      OR sum(v.failed) <> 0 OR sum(v.expired) <> 0 OR sum(v.charged) <> 0 OR sum(v.refunded) <> 0;
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT FROM removed) THEN RETURN NULL; END IF;
    INSERT INTO stats_deltas (org_id, hour, type, accepted, pending, sent, delivered, failed, expired, charged, refunded)
    SELECT g.org_id, v.hour, g.type, sum(v.accepted), sum(v.pending), sum(v.sent), sum(v.delivered),
      sum(v.failed), sum(v.expired), sum(v.charged), sum(v.refunded)
    FROM (
      SELECT org_id, type, status, date_trunc('hour', created_at) AS created_hour,
        date_trunc('hour', sent_at) AS sent_hour, date_trunc('hour', delivered_at) AS delivered_hour,
        date_trunc('hour', failed_at) AS failed_hour, date_trunc('hour', settled_at) AS settled_hour,
        sum(sign) AS n, sum(sign * price_charged) AS charged, sum(sign * price_released) AS released
      FROM (SELECT org_id, type, status, created_at, sent_at, delivered_at, failed_at, settled_at, price_charged, price_released, -1 AS sign FROM removed) change
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ) g
    CROSS JOIN LATERAL (VALUES
      (CASE WHEN g.status <> 'draft' THEN g.created_hour END, g.n,
        CASE WHEN g.status IN ('accepted', 'queued', 'sending', 'sent') THEN g.n ELSE 0 END,
        0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::numeric, 0::numeric),
      (g.sent_hour, 0, 0, g.n, 0, 0, 0, 0, 0),
      (CASE WHEN g.status = 'delivered' THEN g.delivered_hour END, 0, 0, 0, g.n, 0, 0, 0, 0),
      (CASE WHEN g.status IN ('failed', 'expired') THEN g.failed_hour END, 0, 0, 0, 0,
        CASE WHEN g.status = 'failed' THEN g.n ELSE 0 END,
        CASE WHEN g.status = 'expired' THEN g.n ELSE 0 END, 0, 0),
      (g.settled_hour, 0, 0, 0, 0, 0, 0, g.charged, g.released)
    ) v(hour, accepted, pending, sent, delivered, failed, expired, charged, refunded)
    WHERE v.hour IS NOT NULL
    GROUP BY g.org_id, v.hour, g.type
    HAVING sum(v.accepted) <> 0 OR sum(v.pending) <> 0 OR sum(v.sent) <> 0 OR sum(v.delivered) <> 0
      OR sum(v.failed) <> 0 OR sum(v.expired) <> 0 OR sum(v.charged) <> 0 OR sum(v.refunded) <> 0;
  ELSE
    IF NOT EXISTS (SELECT FROM added) THEN RETURN NULL; END IF;
    INSERT INTO stats_deltas (org_id, hour, type, accepted, pending, sent, delivered, failed, expired, charged, refunded)
    SELECT g.org_id, v.hour, g.type, sum(v.accepted), sum(v.pending), sum(v.sent), sum(v.delivered),
      sum(v.failed), sum(v.expired), sum(v.charged), sum(v.refunded)
    FROM (
      SELECT org_id, type, status, date_trunc('hour', created_at) AS created_hour,
        date_trunc('hour', sent_at) AS sent_hour, date_trunc('hour', delivered_at) AS delivered_hour,
        date_trunc('hour', failed_at) AS failed_hour, date_trunc('hour', settled_at) AS settled_hour,
        sum(sign) AS n, sum(sign * price_charged) AS charged, sum(sign * price_released) AS released
      FROM (SELECT org_id, type, status, created_at, sent_at, delivered_at, failed_at, settled_at, price_charged, price_released, 1 AS sign FROM added
          UNION ALL
          SELECT org_id, type, status, created_at, sent_at, delivered_at, failed_at, settled_at, price_charged, price_released, -1 AS sign FROM removed) change
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ) g
    CROSS JOIN LATERAL (VALUES
      (CASE WHEN g.status <> 'draft' THEN g.created_hour END, g.n,
        CASE WHEN g.status IN ('accepted', 'queued', 'sending', 'sent') THEN g.n ELSE 0 END,
        0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::numeric, 0::numeric),
      (g.sent_hour, 0, 0, g.n, 0, 0, 0, 0, 0),
      (CASE WHEN g.status = 'delivered' THEN g.delivered_hour END, 0, 0, 0, g.n, 0, 0, 0, 0),
      (CASE WHEN g.status IN ('failed', 'expired') THEN g.failed_hour END, 0, 0, 0, 0,
        CASE WHEN g.status = 'failed' THEN g.n ELSE 0 END,
        CASE WHEN g.status = 'expired' THEN g.n ELSE 0 END, 0, 0),
      (g.settled_hour, 0, 0, 0, 0, 0, 0, g.charged, g.released)
    ) v(hour, accepted, pending, sent, delivered, failed, expired, charged, refunded)
    WHERE v.hour IS NOT NULL
    GROUP BY g.org_id, v.hour, g.type
    HAVING sum(v.accepted) <> 0 OR sum(v.pending) <> 0 OR sum(v.sent) <> 0 OR sum(v.delivered) <> 0
      OR sum(v.failed) <> 0 OR sum(v.expired) <> 0 OR sum(v.charged) <> 0 OR sum(v.refunded) <> 0;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER messages_stats_insert AFTER INSERT ON messages
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION stats_deltas_of_messages();
--> statement-breakpoint
CREATE TRIGGER messages_stats_update AFTER UPDATE ON messages
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION stats_deltas_of_messages();
--> statement-breakpoint
CREATE TRIGGER messages_stats_delete AFTER DELETE ON messages
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION stats_deltas_of_messages();
--> statement-breakpoint
-- The messages already there, counted once (this migration's transaction
-- holds the triggers' creation too, so nothing is counted twice or missed).
-- The session's zone is the function's here too.
SET LOCAL "TimeZone" = 'UTC';
--> statement-breakpoint
INSERT INTO stats_deltas (org_id, hour, type, accepted, pending, sent, delivered, failed, expired, charged, refunded)
SELECT g.org_id, v.hour, g.type, sum(v.accepted), sum(v.pending), sum(v.sent), sum(v.delivered),
  sum(v.failed), sum(v.expired), sum(v.charged), sum(v.refunded)
FROM (
  SELECT org_id, type, status, date_trunc('hour', created_at) AS created_hour,
    date_trunc('hour', sent_at) AS sent_hour, date_trunc('hour', delivered_at) AS delivered_hour,
    date_trunc('hour', failed_at) AS failed_hour, date_trunc('hour', settled_at) AS settled_hour,
    sum(sign) AS n, sum(sign * price_charged) AS charged, sum(sign * price_released) AS released
  FROM (SELECT org_id, type, status, created_at, sent_at, delivered_at, failed_at, settled_at, price_charged, price_released, 1 AS sign FROM messages) change
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
) g
CROSS JOIN LATERAL (VALUES
  (CASE WHEN g.status <> 'draft' THEN g.created_hour END, g.n,
    CASE WHEN g.status IN ('accepted', 'queued', 'sending', 'sent') THEN g.n ELSE 0 END,
    0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::numeric, 0::numeric),
  (g.sent_hour, 0, 0, g.n, 0, 0, 0, 0, 0),
  (CASE WHEN g.status = 'delivered' THEN g.delivered_hour END, 0, 0, 0, g.n, 0, 0, 0, 0),
  (CASE WHEN g.status IN ('failed', 'expired') THEN g.failed_hour END, 0, 0, 0, 0,
    CASE WHEN g.status = 'failed' THEN g.n ELSE 0 END,
    CASE WHEN g.status = 'expired' THEN g.n ELSE 0 END, 0, 0),
  (g.settled_hour, 0, 0, 0, 0, 0, 0, g.charged, g.released)
) v(hour, accepted, pending, sent, delivered, failed, expired, charged, refunded)
WHERE v.hour IS NOT NULL
GROUP BY g.org_id, v.hour, g.type
HAVING sum(v.accepted) <> 0 OR sum(v.pending) <> 0 OR sum(v.sent) <> 0 OR sum(v.delivered) <> 0
  OR sum(v.failed) <> 0 OR sum(v.expired) <> 0 OR sum(v.charged) <> 0 OR sum(v.refunded) <> 0;
