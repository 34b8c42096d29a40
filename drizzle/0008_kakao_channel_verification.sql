ALTER TABLE "kakao_channels" ADD COLUMN "status" text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE "kakao_channels" ADD COLUMN "verified_at" timestamp with time zone;--> statement-breakpoint
-- The platform operator's own channels are verified; every other channel waits for the operator.
UPDATE "kakao_channels" SET "status" = 'verified', "verified_at" = "created_at"
  WHERE "org_id" IN (SELECT "id" FROM "orgs" WHERE "kind" = 'platform');--> statement-breakpoint
UPDATE "kakao_channels" SET "is_default" = false WHERE "status" = 'pending';--> statement-breakpoint
-- A sender key or pfId registered twice keeps its first registration only.
DELETE FROM "kakao_channels" c USING "kakao_channels" first
  WHERE first."sender_key" = c."sender_key" AND (first."created_at", first."id") < (c."created_at", c."id");--> statement-breakpoint
DELETE FROM "kakao_channels" c USING "kakao_channels" first
  WHERE first."pf_id" = c."pf_id" AND (first."created_at", first."id") < (c."created_at", c."id");--> statement-breakpoint
CREATE UNIQUE INDEX "kakao_channels_sender_key_key" ON "kakao_channels" USING btree ("sender_key");--> statement-breakpoint
CREATE UNIQUE INDEX "kakao_channels_pf_id_key" ON "kakao_channels" USING btree ("pf_id");--> statement-breakpoint
ALTER TABLE "kakao_channels" ADD CONSTRAINT "kakao_channels_status_check" CHECK ("kakao_channels"."status" in ('pending', 'verified'));--> statement-breakpoint
ALTER TABLE "kakao_channels" ADD CONSTRAINT "kakao_channels_default_verified_check" CHECK (not "kakao_channels"."is_default" or "kakao_channels"."status" = 'verified');
