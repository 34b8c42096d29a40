-- Outbound webhook events (src/db/schema/webhooks.ts), written by the
-- statements that make the changes they report, so an event commits or rolls
-- back with its change. Nothing is written unless an active endpoint of the
-- organization subscribes to the type: with no endpoint at all, each trigger
-- costs one probe of webhook_endpoints_active_idx. Every write wakes the
-- delivery worker (alimi_wake, src/workers/wake.ts) when it commits.

-- Credits as the API writes them: micro-credits with 2 to 6 decimals (domain/money.ts).
CREATE FUNCTION webhook_credits(micro numeric) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN micro % 10000 = 0 THEN to_char(micro / 1000000.0, 'FM99999999999999990.00')
    ELSE rtrim(to_char(micro / 1000000.0, 'FM99999999999999990.000000'), '0') END
$$;
--> statement-breakpoint
CREATE FUNCTION webhook_subscribed(p_org text, p_type text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM webhook_endpoints
    WHERE org_id = p_org AND status = 'active' AND (events ? '*' OR events ? p_type))
$$;
--> statement-breakpoint
-- One event and its deliveries, one per subscribed endpoint; null when none subscribes.
CREATE FUNCTION webhook_emit(p_org text, p_type text, p_payload jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  event_id text;
BEGIN
  IF NOT webhook_subscribed(p_org, p_type) THEN RETURN NULL; END IF;
  INSERT INTO webhook_events (org_id, type, payload) VALUES (p_org, p_type, p_payload)
    RETURNING id INTO event_id;
  INSERT INTO webhook_deliveries (org_id, event_id, endpoint_id)
    SELECT p_org, event_id, e.id FROM webhook_endpoints e
    WHERE e.org_id = p_org AND e.status = 'active' AND (e.events ? '*' OR e.events ? p_type)
    ORDER BY e.id;
  PERFORM pg_notify('alimi_wake', 'webhooks');
  RETURN event_id;
END $$;
--> statement-breakpoint
-- message.sent / message.delivered / message.failed (failed or expired): one
-- event per message whose status moved there in this statement. Statement
-- level over the transition tables the campaign-count trigger has already
-- built, so a batch of 100,000 messages is one pass, and none when no
-- endpoint is active.
CREATE FUNCTION messages_webhook_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE status = 'active') THEN RETURN NULL; END IF;
  WITH subs AS (
    SELECT e.id, e.org_id, e.events FROM webhook_endpoints e
    WHERE e.status = 'active' AND e.org_id IN (SELECT DISTINCT org_id FROM added)
  ),
  moved AS (
    SELECT a.*, CASE a.status WHEN 'sent' THEN 'message.sent' WHEN 'delivered' THEN 'message.delivered'
      ELSE 'message.failed' END AS event_type
    FROM added a JOIN removed r ON r.id = a.id
    WHERE a.status IS DISTINCT FROM r.status AND a.status IN ('sent', 'delivered', 'failed', 'expired')
      AND a.org_id IN (SELECT org_id FROM subs)
  ),
  ev AS (
    INSERT INTO webhook_events (org_id, type, payload)
    SELECT m.org_id, m.event_type, jsonb_strip_nulls(jsonb_build_object(
      'id', m.id, 'campaignId', m.campaign_id, 'to', m.recipient, 'type', m.type,
      'status', m.status, 'fallbackOf', m.fallback_of, 'vendorAccountId', m.vendor_account_id,
      'sentAt', m.sent_at, 'deliveredAt', m.delivered_at, 'failedAt', m.failed_at,
      'error', CASE WHEN m.error_code IS NOT NULL
        THEN jsonb_build_object('code', m.error_code, 'message', m.error_message) END))
    FROM moved m
    WHERE EXISTS (SELECT 1 FROM subs s WHERE s.org_id = m.org_id
      AND (s.events ? '*' OR s.events ? m.event_type))
    ORDER BY m.id
    RETURNING id, seq, org_id, type
  )
  INSERT INTO webhook_deliveries (org_id, event_id, endpoint_id)
  SELECT ev.org_id, ev.id, s.id FROM ev
    JOIN subs s ON s.org_id = ev.org_id AND (s.events ? '*' OR s.events ? ev.type)
  ORDER BY ev.seq, s.id;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN PERFORM pg_notify('alimi_wake', 'webhooks'); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER messages_webhook_events AFTER UPDATE ON messages
  REFERENCING OLD TABLE AS removed NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION messages_webhook_events();
--> statement-breakpoint
-- campaign.completed, for every campaign that gets its completion time
-- (completed, or canceled and done), with its counts, cost and metadata as
-- GET /v1/campaigns/{id} shows them (campaign_counts, final by then).
CREATE FUNCTION campaigns_webhook_completed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  payload jsonb;
BEGIN
  IF NOT webhook_subscribed(NEW.org_id, 'campaign.completed') THEN RETURN NULL; END IF;
  SELECT jsonb_build_object(
      'id', NEW.id, 'status', NEW.status, 'type', NEW.type, 'strategy', NEW.strategy,
      'createdAt', NEW.created_at, 'completedAt', NEW.completed_at, 'canceledAt', NEW.canceled_at,
      'metadata', NEW.metadata,
      'counts', jsonb_build_object(
        'total', coalesce(sum(k.messages), 0),
        'fallback', coalesce(sum(k.fallbacks), 0),
        'inFlightAtCancel', coalesce(sum(k.in_flight_at_cancel), 0),
        'draft', coalesce(sum(k.messages) FILTER (WHERE k.status = 'draft'), 0),
        'accepted', coalesce(sum(k.messages) FILTER (WHERE k.status = 'accepted'), 0),
        'queued', coalesce(sum(k.messages) FILTER (WHERE k.status = 'queued'), 0),
        'sending', coalesce(sum(k.messages) FILTER (WHERE k.status = 'sending'), 0),
        'sent', coalesce(sum(k.messages) FILTER (WHERE k.status = 'sent'), 0),
        'delivered', coalesce(sum(k.messages) FILTER (WHERE k.status = 'delivered'), 0),
        'failed', coalesce(sum(k.messages) FILTER (WHERE k.status = 'failed'), 0),
        'canceled', coalesce(sum(k.messages) FILTER (WHERE k.status = 'canceled'), 0),
        'expired', coalesce(sum(k.messages) FILTER (WHERE k.status = 'expired'), 0)),
      'cost', jsonb_build_object(
        'held', webhook_credits(coalesce(sum(k.held), 0)),
        'charged', webhook_credits(coalesce(sum(k.charged), 0)),
        'refunded', webhook_credits(coalesce(sum(k.released), 0))))
    INTO payload
    FROM campaign_counts k WHERE k.campaign_id = NEW.id;
  PERFORM webhook_emit(NEW.org_id, 'campaign.completed', payload);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER campaigns_webhook_completed AFTER UPDATE OF completed_at ON campaigns
  FOR EACH ROW
  WHEN (OLD.completed_at IS NULL AND NEW.completed_at IS NOT NULL AND NEW.status <> 'discarded')
  EXECUTE FUNCTION campaigns_webhook_completed();
--> statement-breakpoint
-- credits.low, once per crossing: when the available balance (balance − held)
-- falls below the wallet's threshold the crossing is remembered
-- (wallet_low_alerts) and reported; back at or above it, it is forgotten,
-- so the next fall is reported again. The wallet row is locked by the update
-- that fired this, so two transactions never both report one crossing.
CREATE FUNCTION wallets_webhook_low() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.balance - NEW.held < NEW.low_balance_threshold THEN
    INSERT INTO wallet_low_alerts (org_id) VALUES (NEW.org_id) ON CONFLICT (org_id) DO NOTHING;
    IF FOUND THEN
      PERFORM webhook_emit(NEW.org_id, 'credits.low', jsonb_build_object(
        'orgId', NEW.org_id,
        'available', webhook_credits(NEW.balance - NEW.held),
        'balance', webhook_credits(NEW.balance),
        'held', webhook_credits(NEW.held),
        'threshold', webhook_credits(NEW.low_balance_threshold)));
    END IF;
  ELSE
    DELETE FROM wallet_low_alerts WHERE org_id = NEW.org_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER wallets_webhook_low AFTER INSERT OR UPDATE ON wallets
  FOR EACH ROW WHEN (NEW.low_balance_threshold IS NOT NULL)
  EXECUTE FUNCTION wallets_webhook_low();
--> statement-breakpoint
-- message.clicked: each flush of the click recorder upserts one row per link
-- and recipient; each row it wrote is one event with the clicks so far.
CREATE FUNCTION link_clicks_webhook_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE status = 'active') THEN RETURN NULL; END IF;
  PERFORM webhook_emit(a.org_id, 'message.clicked', jsonb_build_object(
      'campaignId', a.campaign_id, 'recipientIndex', a.recipient_index, 'url', l.url,
      'clicks', a.total, 'firstAt', a.first_at, 'lastAt', a.last_at))
    FROM added a JOIN campaign_links l ON l.key = a.link_key
    WHERE webhook_subscribed(a.org_id, 'message.clicked')
    ORDER BY a.campaign_id, a.recipient_index, a.link_key;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER link_clicks_webhook_inserted AFTER INSERT ON link_clicks
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION link_clicks_webhook_events();
--> statement-breakpoint
CREATE TRIGGER link_clicks_webhook_updated AFTER UPDATE ON link_clicks
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION link_clicks_webhook_events();
