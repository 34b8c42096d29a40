CREATE TABLE "campaign_groups" (
	"campaign_id" text NOT NULL,
	"group_id" text NOT NULL,
	"org_id" text NOT NULL,
	"name" text NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "campaign_groups_campaign_id_group_id_pk" PRIMARY KEY("campaign_id","group_id")
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "group_id" text;--> statement-breakpoint
ALTER TABLE "stats_deltas" ADD COLUMN "accepted" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stats_deltas" ADD COLUMN "pending" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaign_groups" ADD CONSTRAINT "campaign_groups_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "campaign_groups_group_idx" ON "campaign_groups" USING btree ("org_id","group_id","campaign_id");--> statement-breakpoint
CREATE INDEX "messages_recipient_idx" ON "messages" USING btree ("org_id","recipient","id");