CREATE TABLE "margin_bookings" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"child_id" text NOT NULL,
	"sender_org_id" text NOT NULL,
	"campaign_id" text NOT NULL,
	"messages" integer NOT NULL,
	"charged" bigint NOT NULL,
	"margin" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "margin_bookings_margin_check" CHECK ("margin_bookings"."margin" >= 0)
);
--> statement-breakpoint
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_kind_check";--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "wallet_org_id" text;--> statement-breakpoint
UPDATE "campaigns" SET "wallet_org_id" = "org_id";--> statement-breakpoint
ALTER TABLE "campaigns" ALTER COLUMN "wallet_org_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "price_chain" jsonb;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD COLUMN "for_org_id" text;--> statement-breakpoint
ALTER TABLE "orgs" ADD COLUMN "wallet_mode" text DEFAULT 'own' NOT NULL;--> statement-breakpoint
ALTER TABLE "orgs" ADD COLUMN "markup_bp" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "margin_bookings" ADD CONSTRAINT "margin_bookings_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "margin_bookings" ADD CONSTRAINT "margin_bookings_child_id_orgs_id_fk" FOREIGN KEY ("child_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "margin_bookings" ADD CONSTRAINT "margin_bookings_sender_org_id_orgs_id_fk" FOREIGN KEY ("sender_org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "margin_bookings_org_idx" ON "margin_bookings" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "margin_bookings_campaign_idx" ON "margin_bookings" USING btree ("campaign_id");--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_wallet_org_id_orgs_id_fk" FOREIGN KEY ("wallet_org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_for_org_id_orgs_id_fk" FOREIGN KEY ("for_org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_entries_for_org_idx" ON "ledger_entries" USING btree ("for_org_id","id") WHERE for_org_id is not null;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_kind_check" CHECK ("ledger_entries"."kind" in ('grant', 'purchase', 'hold', 'capture', 'release', 'refund', 'adjustment', 'transfer', 'margin'));--> statement-breakpoint
ALTER TABLE "orgs" ADD CONSTRAINT "orgs_wallet_mode_check" CHECK ("orgs"."wallet_mode" in ('own', 'parent'));--> statement-breakpoint
ALTER TABLE "orgs" ADD CONSTRAINT "orgs_platform_wallet_check" CHECK ("orgs"."kind" <> 'platform' or "orgs"."wallet_mode" = 'own');--> statement-breakpoint
ALTER TABLE "orgs" ADD CONSTRAINT "orgs_markup_check" CHECK ("orgs"."markup_bp" between 0 and 100000);--> statement-breakpoint
UPDATE "orgs" o SET "plan_id" = hq."plan_id" FROM "orgs" hq
WHERE o."depth" >= 2 AND hq."depth" = 1 AND starts_with(o."path", hq."path") AND o."plan_id" <> hq."plan_id";