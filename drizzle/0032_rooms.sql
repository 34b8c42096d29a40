CREATE TABLE "bot_gateways" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"url" text,
	"secret_enc" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "bot_gateways_kind_check" CHECK ("bot_gateways"."kind" in ('http', 'sandbox')),
	CONSTRAINT "bot_gateways_http_check" CHECK (("bot_gateways"."kind" = 'http') = ("bot_gateways"."url" is not null and "bot_gateways"."secret_enc" is not null))
);
--> statement-breakpoint
CREATE TABLE "room_limits" (
	"org_id" text PRIMARY KEY NOT NULL,
	"min_interval_seconds" integer NOT NULL,
	"daily_limit" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "room_limits_interval_check" CHECK ("room_limits"."min_interval_seconds" between 30 and 86400),
	CONSTRAINT "room_limits_daily_check" CHECK ("room_limits"."daily_limit" between 1 and 50)
);
--> statement-breakpoint
CREATE TABLE "room_posts" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"run_id" text NOT NULL,
	"room_id" text NOT NULL,
	"gateway_id" text NOT NULL,
	"seq" integer NOT NULL,
	"kind" text NOT NULL,
	"file_id" text,
	"status" text NOT NULL,
	"slot_at" timestamp with time zone,
	"posted_at" timestamp with time zone,
	"test" boolean DEFAULT false NOT NULL,
	"wallet_org_id" text,
	"price_held" bigint DEFAULT 0 NOT NULL,
	"price_charged" bigint DEFAULT 0 NOT NULL,
	"price_chain" jsonb,
	"error_code" text,
	"error_message" text,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "room_posts_status_check" CHECK ("room_posts"."status" in ('reserved', 'posted', 'failed', 'rate_limited', 'skipped')),
	CONSTRAINT "room_posts_kind_check" CHECK ("room_posts"."kind" in ('text', 'image')),
	CONSTRAINT "room_posts_money_check" CHECK ("room_posts"."price_held" >= 0 and "room_posts"."price_charged" >= 0 and "room_posts"."price_charged" <= "room_posts"."price_held")
);
--> statement-breakpoint
CREATE TABLE "rooms" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"gateway_id" text NOT NULL,
	"name" text NOT NULL,
	"external_id" text NOT NULL,
	"mode" text DEFAULT 'live' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "rooms_mode_check" CHECK ("rooms"."mode" in ('live', 'test'))
);
--> statement-breakpoint
ALTER TABLE "bot_gateways" ADD CONSTRAINT "bot_gateways_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_limits" ADD CONSTRAINT "room_limits_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_posts" ADD CONSTRAINT "room_posts_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "room_posts" ADD CONSTRAINT "room_posts_room_id_rooms_id_fk" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_gateway_id_bot_gateways_id_fk" FOREIGN KEY ("gateway_id") REFERENCES "public"."bot_gateways"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bot_gateways_org_idx" ON "bot_gateways" USING btree ("org_id","id") WHERE "bot_gateways"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "room_posts_run_room_seq_key" ON "room_posts" USING btree ("run_id","room_id","seq");--> statement-breakpoint
CREATE INDEX "room_posts_room_slot_idx" ON "room_posts" USING btree ("room_id","slot_at") WHERE "room_posts"."slot_at" is not null;--> statement-breakpoint
CREATE INDEX "room_posts_room_idx" ON "room_posts" USING btree ("room_id","id");--> statement-breakpoint
CREATE INDEX "rooms_org_idx" ON "rooms" USING btree ("org_id","id") WHERE "rooms"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "rooms_gateway_external_key" ON "rooms" USING btree ("gateway_id","external_id") WHERE "rooms"."deleted_at" is null;