CREATE TABLE "kakao_channels" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"name" text NOT NULL,
	"sender_key" text,
	"pf_id" text,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kakao_channels_id_check" CHECK ("kakao_channels"."sender_key" is not null or "kakao_channels"."pf_id" is not null)
);
--> statement-breakpoint
ALTER TABLE "kakao_channels" ADD CONSTRAINT "kakao_channels_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "kakao_channels_single_default_key" ON "kakao_channels" USING btree ("org_id") WHERE is_default;