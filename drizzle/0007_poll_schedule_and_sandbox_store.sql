CREATE TABLE "sandbox_messages" (
	"custom_id" text PRIMARY KEY NOT NULL,
	"seen" integer DEFAULT 0 NOT NULL,
	"vendor_id" text,
	"fallback_vendor_id" text,
	"type" text NOT NULL,
	"plan" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"accepted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sandbox_reports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"webhook_id" text NOT NULL,
	"report" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sandbox_webhooks" (
	"id" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"secret_sealed" text NOT NULL
);
--> statement-breakpoint
DROP INDEX "messages_reconcile_idx";--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "next_poll_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "polls" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_messages_vendor_key" ON "sandbox_messages" USING btree ("vendor_id") WHERE vendor_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_messages_fallback_key" ON "sandbox_messages" USING btree ("fallback_vendor_id") WHERE fallback_vendor_id is not null;--> statement-breakpoint
CREATE INDEX "sandbox_reports_due_idx" ON "sandbox_reports" USING btree ("due_at");--> statement-breakpoint
CREATE INDEX "messages_poll_idx" ON "messages" USING btree ("next_poll_at","sent_at") WHERE status = 'sent';