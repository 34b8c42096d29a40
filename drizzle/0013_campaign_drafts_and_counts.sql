CREATE TABLE "campaign_counts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"campaign_id" text NOT NULL,
	"status" text NOT NULL,
	"messages" bigint NOT NULL,
	"fallbacks" bigint NOT NULL,
	"in_flight_at_cancel" bigint NOT NULL,
	"unsettled" bigint NOT NULL,
	"held" bigint NOT NULL,
	"charged" bigint NOT NULL,
	"released" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "campaigns" DROP CONSTRAINT "campaigns_status_check";--> statement-breakpoint
ALTER TABLE "messages" DROP CONSTRAINT "messages_status_check";--> statement-breakpoint
DROP INDEX "messages_campaign_idx";--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "draft" jsonb;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "launched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "released_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "released_through" text;--> statement-breakpoint
CREATE INDEX "campaign_counts_campaign_idx" ON "campaign_counts" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "campaigns_releasing_idx" ON "campaigns" USING btree ("id") WHERE launched_at is not null and released_at is null;--> statement-breakpoint
CREATE INDEX "messages_campaign_idx" ON "messages" USING btree ("campaign_id","id");--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_status_check" CHECK ("campaigns"."status" in ('draft', 'discarded', 'scheduled', 'queued', 'sending', 'completed', 'canceled'));--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_status_check" CHECK ("messages"."status" in ('draft', 'accepted', 'queued', 'sending', 'sent', 'delivered', 'failed', 'canceled', 'expired'));