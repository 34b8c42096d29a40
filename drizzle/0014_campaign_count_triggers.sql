-- Campaign counts (src/db/schema/campaign-counts.ts): every statement on
-- messages appends, per campaign and status it touched, what it added and
-- took away. Statement-level with transition tables, so a COPY of 100,000
-- messages adds one row, not 100,000. What a message contributes is spelled
-- the same in every branch.
CREATE FUNCTION campaign_count_deltas() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO campaign_counts (org_id, campaign_id, status, messages, fallbacks, in_flight_at_cancel, unsettled, held, charged, released)
    SELECT org_id, campaign_id, status, count(*), count(*) FILTER (WHERE fallback_of IS NOT NULL),
      count(*) FILTER (WHERE in_flight_at_cancel), count(*) FILTER (WHERE settled_at IS NULL),
      coalesce(sum(price_held) FILTER (WHERE settled_at IS NULL), 0), sum(price_charged), sum(price_released)
    FROM added GROUP BY org_id, campaign_id, status;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO campaign_counts (org_id, campaign_id, status, messages, fallbacks, in_flight_at_cancel, unsettled, held, charged, released)
    SELECT org_id, campaign_id, status, -count(*), -count(*) FILTER (WHERE fallback_of IS NOT NULL),
      -count(*) FILTER (WHERE in_flight_at_cancel), -count(*) FILTER (WHERE settled_at IS NULL),
      -coalesce(sum(price_held) FILTER (WHERE settled_at IS NULL), 0), -sum(price_charged), -sum(price_released)
    FROM removed GROUP BY org_id, campaign_id, status;
  ELSE
    INSERT INTO campaign_counts (org_id, campaign_id, status, messages, fallbacks, in_flight_at_cancel, unsettled, held, charged, released)
    SELECT org_id, campaign_id, status, sum(messages), sum(fallbacks), sum(in_flight), sum(unsettled),
      sum(held), sum(charged), sum(released)
    FROM (
      SELECT org_id, campaign_id, status, 1 AS messages, (fallback_of IS NOT NULL)::int AS fallbacks,
        in_flight_at_cancel::int AS in_flight, (settled_at IS NULL)::int AS unsettled,
        CASE WHEN settled_at IS NULL THEN price_held ELSE 0 END AS held,
        price_charged AS charged, price_released AS released
      FROM added
      UNION ALL
      SELECT org_id, campaign_id, status, -1, -(fallback_of IS NOT NULL)::int, -(in_flight_at_cancel::int),
        -(settled_at IS NULL)::int, CASE WHEN settled_at IS NULL THEN -price_held ELSE 0 END,
        -price_charged, -price_released
      FROM removed
    ) change
    GROUP BY org_id, campaign_id, status
    HAVING sum(messages) <> 0 OR sum(fallbacks) <> 0 OR sum(in_flight) <> 0 OR sum(unsettled) <> 0
      OR sum(held) <> 0 OR sum(charged) <> 0 OR sum(released) <> 0;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER messages_counted_insert AFTER INSERT ON messages
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION campaign_count_deltas();
--> statement-breakpoint
CREATE TRIGGER messages_counted_update AFTER UPDATE ON messages
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION campaign_count_deltas();
--> statement-breakpoint
CREATE TRIGGER messages_counted_delete AFTER DELETE ON messages
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION campaign_count_deltas();
--> statement-breakpoint
-- The messages already there, counted once (this migration's transaction holds
-- the triggers' creation too, so nothing is counted twice or missed).
INSERT INTO campaign_counts (org_id, campaign_id, status, messages, fallbacks, in_flight_at_cancel, unsettled, held, charged, released)
SELECT org_id, campaign_id, status, count(*), count(*) FILTER (WHERE fallback_of IS NOT NULL),
  count(*) FILTER (WHERE in_flight_at_cancel), count(*) FILTER (WHERE settled_at IS NULL),
  coalesce(sum(price_held) FILTER (WHERE settled_at IS NULL), 0), sum(price_charged), sum(price_released)
FROM messages GROUP BY org_id, campaign_id, status;
