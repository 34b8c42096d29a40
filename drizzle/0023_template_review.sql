CREATE TABLE "template_comments" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"template_id" text NOT NULL,
	"source" text NOT NULL,
	"author" text,
	"body" text NOT NULL,
	"vendor_status" text,
	"vendor_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "template_comments_source_check" CHECK ("template_comments"."source" in ('operator', 'vendor'))
);
--> statement-breakpoint
ALTER TABLE "templates" DROP CONSTRAINT "templates_status_check";--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "review_account_id" text;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "vendor_template_id" text;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "vendor_sender_key" text;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "vendor_status" text;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "review_checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "review_next_check_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "template_comments" ADD CONSTRAINT "template_comments_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "template_comments" ADD CONSTRAINT "template_comments_template_id_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."templates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "template_comments_vendor_key" ON "template_comments" USING btree ("template_id","vendor_key");--> statement-breakpoint
CREATE INDEX "template_comments_template_idx" ON "template_comments" USING btree ("template_id","created_at","id");--> statement-breakpoint
CREATE INDEX "templates_review_due_idx" ON "templates" USING btree ("review_next_check_at") WHERE "templates"."status" in ('requested', 'inspecting') and "templates"."review_account_id" is not null;--> statement-breakpoint
ALTER TABLE "templates" ADD CONSTRAINT "templates_status_check" CHECK ("templates"."status" in ('draft', 'requested', 'inspecting', 'approved', 'rejected'));