-- Delivered messages that carried a tracked link (stats_deltas.delivered_tracked, added by 0028):
-- what a click rate is out of. An Alimtalk carries one when its campaign's
-- buttons hold a tracked link, an SMS/LMS/MMS (a fallback too) when its
-- campaign's text does: tracked links are stored in a campaign's content as
-- its link prefix followed by a placeholder (src/domain/links.ts).
CREATE FUNCTION stats_carries_tracked_link(campaign text, message_type text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(strpos(
    CASE WHEN message_type = 'alimtalk' THEN (c.content -> 'buttons')::text ELSE c.content ->> 'text' END,
    (c.content -> 'links' ->> 'prefix') || '{link') > 0, false)
  FROM campaigns c WHERE c.id = campaign
$$;
--> statement-breakpoint
-- The statement triggers of 0025 with the new figure: a delivered message
-- counts at its delivered_at hour in `delivered`, and in `delivered_tracked`
-- too when it carried a tracked link. Rows are now grouped by campaign as
-- well (a batch's rows share it), so the campaign's content is read once per
-- group of delivered messages, never per message.
CREATE OR REPLACE FUNCTION stats_deltas_of_messages() RETURNS trigger LANGUAGE plpgsql
SET "TimeZone" = 'UTC' AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT FROM added) THEN RETURN NULL; END IF;
    INSERT INTO stats_deltas (org_id, hour, type, accepted, pending, sent, delivered,
      delivered_tracked, failed, expired, charged, refunded)
    SELECT g.org_id, v.hour, g.type, sum(v.accepted), sum(v.pending), sum(v.sent), sum(v.delivered),
      sum(v.delivered_tracked), sum(v.failed), sum(v.expired), sum(v.charged), sum(v.refunded)
    FROM (
      SELECT org_id, campaign_id, type, status, date_trunc('hour', created_at) AS created_hour,
        date_trunc('hour', sent_at) AS sent_hour, date_trunc('hour', delivered_at) AS delivered_hour,
        date_trunc('hour', failed_at) AS failed_hour, date_trunc('hour', settled_at) AS settled_hour,
        sum(sign) AS n, sum(sign * price_charged) AS charged, sum(sign * price_released) AS released
      FROM (SELECT org_id, campaign_id, type, status, created_at, sent_at, delivered_at, failed_at, settled_at, price_charged, price_released, 1 AS sign FROM added) change
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
    ) g
    CROSS JOIN LATERAL (VALUES
      (CASE WHEN g.status <> 'draft' THEN g.created_hour END, g.n,
        CASE WHEN g.status IN ('accepted', 'queued', 'sending', 'sent') THEN g.n ELSE 0 END,
        0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::numeric, 0::numeric),
      (g.sent_hour, 0, 0, g.n, 0, 0, 0, 0, 0, 0),
      (CASE WHEN g.status = 'delivered' THEN g.delivered_hour END, 0, 0, 0, g.n,
        CASE WHEN g.status = 'delivered' AND stats_carries_tracked_link(g.campaign_id, g.type)
          THEN g.n ELSE 0 END, 0, 0, 0, 0),
      (CASE WHEN g.status IN ('failed', 'expired') THEN g.failed_hour END, 0, 0, 0, 0, 0,
        CASE WHEN g.status = 'failed' THEN g.n ELSE 0 END,
        CASE WHEN g.status = 'expired' THEN g.n ELSE 0 END, 0, 0),
      (g.settled_hour, 0, 0, 0, 0, 0, 0, 0, g.charged, g.released)
    ) v(hour, accepted, pending, sent, delivered, delivered_tracked, failed, expired, charged, refunded)
    WHERE v.hour IS NOT NULL
    GROUP BY g.org_id, v.hour, g.type
    HAVING sum(v.accepted) <> 0 OR sum(v.pending) <> 0 OR sum(v.sent) <> 0 OR sum(v.delivered) <> 0
      OR sum(v.delivered_tracked) <> 0 OR sum(v.failed) <> 0 OR sum(v.expired) <> 0
      OR sum(v.charged) <> 0 OR sum(v.refunded) <> 0;
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT FROM removed) THEN RETURN NULL; END IF;
    INSERT INTO stats_deltas (org_id, hour, type, accepted, pending, sent, delivered,
      delivered_tracked, failed, expired, charged, refunded)
    SELECT g.org_id, v.hour, g.type, sum(v.accepted), sum(v.pending), sum(v.sent), sum(v.delivered),
      sum(v.delivered_tracked), sum(v.failed), sum(v.expired), sum(v.charged), sum(v.refunded)
    FROM (
      SELECT org_id, campaign_id, type, status, date_trunc('hour', created_at) AS created_hour,
        date_trunc('hour', sent_at) AS sent_hour, date_trunc('hour', delivered_at) AS delivered_hour,
        date_trunc('hour', failed_at) AS failed_hour, date_trunc('hour', settled_at) AS settled_hour,
        sum(sign) AS n, sum(sign * price_charged) AS charged, sum(sign * price_released) AS released
      FROM (SELECT org_id, campaign_id, type, status, created_at, sent_at, delivered_at, failed_at, settled_at, price_charged, price_released, -1 AS sign FROM removed) change
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
    ) g
    CROSS JOIN LATERAL (VALUES
      (CASE WHEN g.status <> 'draft' THEN g.created_hour END, g.n,
        CASE WHEN g.status IN ('accepted', 'queued', 'sending', 'sent') THEN g.n ELSE 0 END,
        0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::numeric, 0::numeric),
      (g.sent_hour, 0, 0, g.n, 0, 0, 0, 0, 0, 0),
      (CASE WHEN g.status = 'delivered' THEN g.delivered_hour END, 0, 0, 0, g.n,
        CASE WHEN g.status = 'delivered' AND stats_carries_tracked_link(g.campaign_id, g.type)
          THEN g.n ELSE 0 END, 0, 0, 0, 0),
      (CASE WHEN g.status IN ('failed', 'expired') THEN g.failed_hour END, 0, 0, 0, 0, 0,
        CASE WHEN g.status = 'failed' THEN g.n ELSE 0 END,
        CASE WHEN g.status = 'expired' THEN g.n ELSE 0 END, 0, 0),
      (g.settled_hour, 0, 0, 0, 0, 0, 0, 0, g.charged, g.released)
    ) v(hour, accepted, pending, sent, delivered, delivered_tracked, failed, expired, charged, refunded)
    WHERE v.hour IS NOT NULL
    GROUP BY g.org_id, v.hour, g.type
    HAVING sum(v.accepted) <> 0 OR sum(v.pending) <> 0 OR sum(v.sent) <> 0 OR sum(v.delivered) <> 0
      OR sum(v.delivered_tracked) <> 0 OR sum(v.failed) <> 0 OR sum(v.expired) <> 0
      OR sum(v.charged) <> 0 OR sum(v.refunded) <> 0;
  ELSE
    IF NOT EXISTS (SELECT FROM added) THEN RETURN NULL; END IF;
    INSERT INTO stats_deltas (org_id, hour, type, accepted, pending, sent, delivered,
      delivered_tracked, failed, expired, charged, refunded)
    SELECT g.org_id, v.hour, g.type, sum(v.accepted), sum(v.pending), sum(v.sent), sum(v.delivered),
      sum(v.delivered_tracked), sum(v.failed), sum(v.expired), sum(v.charged), sum(v.refunded)
    FROM (
      SELECT org_id, campaign_id, type, status, date_trunc('hour', created_at) AS created_hour,
        date_trunc('hour', sent_at) AS sent_hour, date_trunc('hour', delivered_at) AS delivered_hour,
        date_trunc('hour', failed_at) AS failed_hour, date_trunc('hour', settled_at) AS settled_hour,
        sum(sign) AS n, sum(sign * price_charged) AS charged, sum(sign * price_released) AS released
      FROM (SELECT org_id, campaign_id, type, status, created_at, sent_at, delivered_at, failed_at, settled_at, price_charged, price_released, 1 AS sign FROM added
          UNION ALL
          SELECT org_id, campaign_id, type, status, created_at, sent_at, delivered_at, failed_at, settled_at, price_charged, price_released, -1 AS sign FROM removed) change
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
    ) g
    CROSS JOIN LATERAL (VALUES
      (CASE WHEN g.status <> 'draft' THEN g.created_hour END, g.n,
        CASE WHEN g.status IN ('accepted', 'queued', 'sending', 'sent') THEN g.n ELSE 0 END,
        0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint, 0::numeric, 0::numeric),
      (g.sent_hour, 0, 0, g.n, 0, 0, 0, 0, 0, 0),
      (CASE WHEN g.status = 'delivered' THEN g.delivered_hour END, 0, 0, 0, g.n,
        CASE WHEN g.status = 'delivered' AND stats_carries_tracked_link(g.campaign_id, g.type)
          THEN g.n ELSE 0 END, 0, 0, 0, 0),
      (CASE WHEN g.status IN ('failed', 'expired') THEN g.failed_hour END, 0, 0, 0, 0, 0,
        CASE WHEN g.status = 'failed' THEN g.n ELSE 0 END,
        CASE WHEN g.status = 'expired' THEN g.n ELSE 0 END, 0, 0),
      (g.settled_hour, 0, 0, 0, 0, 0, 0, 0, g.charged, g.released)
    ) v(hour, accepted, pending, sent, delivered, delivered_tracked, failed, expired, charged, refunded)
    WHERE v.hour IS NOT NULL
    GROUP BY g.org_id, v.hour, g.type
    HAVING sum(v.accepted) <> 0 OR sum(v.pending) <> 0 OR sum(v.sent) <> 0 OR sum(v.delivered) <> 0
      OR sum(v.delivered_tracked) <> 0 OR sum(v.failed) <> 0 OR sum(v.expired) <> 0
      OR sum(v.charged) <> 0 OR sum(v.refunded) <> 0;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- The delivered messages already there, counted once more in the new figure only.
INSERT INTO stats_deltas (org_id, hour, type, delivered_tracked)
SELECT org_id, date_trunc('hour', delivered_at, 'UTC'), type, count(*)
FROM messages
WHERE status = 'delivered' AND delivered_at IS NOT NULL AND stats_carries_tracked_link(campaign_id, type)
GROUP BY 1, 2, 3;
