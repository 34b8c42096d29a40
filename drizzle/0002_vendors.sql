CREATE TABLE "org_routing" (
	"org_id" text NOT NULL,
	"channel" text NOT NULL,
	"primary_account_id" text NOT NULL,
	"secondary_account_id" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "org_routing_org_id_channel_pk" PRIMARY KEY("org_id","channel"),
	CONSTRAINT "org_routing_channel_check" CHECK ("org_routing"."channel" in ('alimtalk', 'sms')),
	CONSTRAINT "org_routing_distinct_check" CHECK ("org_routing"."secondary_account_id" is null or "org_routing"."secondary_account_id" <> "org_routing"."primary_account_id")
);
--> statement-breakpoint
CREATE TABLE "audit_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"actor_org_id" text NOT NULL,
	"actor_key_id" text,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "route_reason" text;--> statement-breakpoint
ALTER TABLE "org_routing" ADD CONSTRAINT "org_routing_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_routing" ADD CONSTRAINT "org_routing_primary_account_id_vendor_accounts_id_fk" FOREIGN KEY ("primary_account_id") REFERENCES "public"."vendor_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_routing" ADD CONSTRAINT "org_routing_secondary_account_id_vendor_accounts_id_fk" FOREIGN KEY ("secondary_account_id") REFERENCES "public"."vendor_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "org_routing_primary_idx" ON "org_routing" USING btree ("primary_account_id");--> statement-breakpoint
CREATE INDEX "org_routing_secondary_idx" ON "org_routing" USING btree ("secondary_account_id");--> statement-breakpoint
CREATE INDEX "audit_entries_org_idx" ON "audit_entries" USING btree ("org_id","id");--> statement-breakpoint
CREATE INDEX "audit_entries_target_idx" ON "audit_entries" USING btree ("target_id","id");