CREATE TABLE "delivery_reports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"vendor_account_id" text NOT NULL,
	"vendor_message_id" text NOT NULL,
	"status" text NOT NULL,
	"type" text NOT NULL,
	"fallback_of" text,
	"error_code" text,
	"raw_code" text,
	"error_message" text,
	"reported_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"raw" jsonb,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"message_id" text,
	"applied_at" timestamp with time zone,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "delivery_reports_status_check" CHECK ("delivery_reports"."status" in ('sent', 'delivered', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "vendor_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"vendor" text NOT NULL,
	"name" text NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"credentials_enc" text NOT NULL,
	"webhook_secret_enc" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"last_tested_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vendor_accounts_vendor_check" CHECK ("vendor_accounts"."vendor" in ('sandbox', 'solapi', 'nhn', 'aligo'))
);
--> statement-breakpoint
ALTER TABLE "messages" DROP CONSTRAINT "messages_price_check";--> statement-breakpoint
DROP INDEX "messages_unsettled_idx";--> statement-breakpoint
DROP INDEX "messages_queue_idx";--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "priority" smallint DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "unit_price" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE "messages" m SET "unit_price" = CASE m."type" WHEN 'alimtalk' THEN p."price_alimtalk" WHEN 'sms' THEN p."price_sms" WHEN 'lms' THEN p."price_lms" ELSE p."price_mms" END FROM "orgs" o JOIN "plans" p ON p."id" = o."plan_id" WHERE o."id" = m."org_id";--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "unit_price" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "price_released" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE "messages" SET "price_released" = "price_held" - "price_charged" WHERE "settled_at" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "native_fallback" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "vendor_accounts" ADD CONSTRAINT "vendor_accounts_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "delivery_reports_key" ON "delivery_reports" USING btree ("vendor_account_id","vendor_message_id","status");--> statement-breakpoint
CREATE INDEX "delivery_reports_pending_idx" ON "delivery_reports" USING btree ("next_attempt_at") WHERE applied_at is null;--> statement-breakpoint
CREATE INDEX "delivery_reports_message_idx" ON "delivery_reports" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "vendor_accounts_org_idx" ON "vendor_accounts" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "messages_lease_idx" ON "messages" USING btree ("locked_until") WHERE status = 'sending';--> statement-breakpoint
CREATE UNIQUE INDEX "messages_vendor_key" ON "messages" USING btree ("vendor_account_id","vendor_message_id") WHERE vendor_message_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_fallback_of_key" ON "messages" USING btree ("fallback_of") WHERE fallback_of is not null;--> statement-breakpoint
CREATE INDEX "messages_reconcile_idx" ON "messages" USING btree ("sent_at") WHERE status = 'sent';--> statement-breakpoint
CREATE INDEX "messages_settle_idx" ON "messages" USING btree ("id") WHERE settled_at is null and status in ('delivered', 'failed', 'canceled', 'expired');--> statement-breakpoint
CREATE INDEX "messages_queue_idx" ON "messages" USING btree ("org_id","priority","run_at") WHERE status = 'queued';--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_price_check" CHECK ("messages"."price_held" >= 0 and "messages"."price_charged" >= 0 and "messages"."price_released" >= 0 and "messages"."price_charged" + "messages"."price_released" <= "messages"."price_held");