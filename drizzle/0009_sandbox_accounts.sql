ALTER TABLE "sandbox_messages" ADD COLUMN "account_id" text;--> statement-breakpoint
UPDATE "sandbox_messages" s SET "account_id" = m."vendor_account_id" FROM "messages" m WHERE m."id" = s."custom_id";--> statement-breakpoint
DELETE FROM "sandbox_messages" WHERE "account_id" IS NULL;--> statement-breakpoint
ALTER TABLE "sandbox_messages" ALTER COLUMN "account_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "sandbox_messages" DROP CONSTRAINT "sandbox_messages_pkey";--> statement-breakpoint
ALTER TABLE "sandbox_messages" ADD CONSTRAINT "sandbox_messages_custom_id_account_id_pk" PRIMARY KEY("custom_id","account_id");--> statement-breakpoint
ALTER TABLE "sandbox_reports" ADD COLUMN "account_id" text;--> statement-breakpoint
UPDATE "sandbox_reports" r SET "account_id" = substring(w."url" from '/webhooks/vendors/([^/]+)$') FROM "sandbox_webhooks" w WHERE w."id" = r."webhook_id";--> statement-breakpoint
DELETE FROM "sandbox_reports" WHERE "account_id" IS NULL;--> statement-breakpoint
ALTER TABLE "sandbox_reports" ALTER COLUMN "account_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "sandbox_reports" DROP COLUMN "webhook_id";--> statement-breakpoint
DROP TABLE "sandbox_webhooks";
