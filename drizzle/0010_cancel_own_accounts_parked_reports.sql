CREATE TABLE "report_drops" (
	"vendor_account_id" text NOT NULL,
	"reason" text NOT NULL,
	"count" bigint NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "report_drops_vendor_account_id_reason_pk" PRIMARY KEY("vendor_account_id","reason"),
	CONSTRAINT "report_drops_reason_check" CHECK ("report_drops"."reason" in ('expired', 'over_limit'))
);
--> statement-breakpoint
DROP INDEX "messages_settle_idx";--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "unit_price_own" bigint;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "capture_on_accept" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "in_flight_at_cancel" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "price_own_alimtalk" bigint;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "price_own_sms" bigint;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "price_own_lms" bigint;--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "price_own_mms" bigint;--> statement-breakpoint
ALTER TABLE "delivery_reports" ADD COLUMN "checks" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "delivery_reports_parked_idx" ON "delivery_reports" USING btree ("vendor_account_id") WHERE applied_at is null;--> statement-breakpoint
CREATE INDEX "delivery_reports_parked_fallback_idx" ON "delivery_reports" USING btree ("vendor_account_id","fallback_of") WHERE applied_at is null and fallback_of is not null;--> statement-breakpoint
CREATE INDEX "messages_settle_idx" ON "messages" USING btree ("id") WHERE settled_at is null and (status in ('delivered', 'failed', 'canceled', 'expired') or (status = 'sent' and capture_on_accept));