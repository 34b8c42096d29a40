CREATE TABLE "campaign_links" (
	"key" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"campaign_id" text NOT NULL,
	"idx" smallint NOT NULL,
	"url" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "link_clicks" (
	"link_key" text NOT NULL,
	"recipient_index" integer NOT NULL,
	"org_id" text NOT NULL,
	"campaign_id" text NOT NULL,
	"total" bigint NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "link_clicks_link_key_recipient_index_pk" PRIMARY KEY("link_key","recipient_index"),
	CONSTRAINT "link_clicks_total_check" CHECK ("link_clicks"."total" > 0)
);
--> statement-breakpoint
CREATE TABLE "message_clicks" (
	"campaign_id" text NOT NULL,
	"recipient_index" integer NOT NULL,
	"type" text NOT NULL,
	"org_id" text NOT NULL,
	"total" bigint NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "message_clicks_campaign_id_recipient_index_type_pk" PRIMARY KEY("campaign_id","recipient_index","type"),
	CONSTRAINT "message_clicks_total_check" CHECK ("message_clicks"."total" > 0)
);
--> statement-breakpoint
ALTER TABLE "campaign_links" ADD CONSTRAINT "campaign_links_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_links" ADD CONSTRAINT "campaign_links_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_links_campaign_idx" ON "campaign_links" USING btree ("campaign_id","idx");