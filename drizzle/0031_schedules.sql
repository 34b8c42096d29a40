CREATE TABLE "schedule_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"schedule_id" text NOT NULL,
	"org_id" text NOT NULL,
	"occurrence_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"duration_ms" integer,
	"status" text NOT NULL,
	"campaign_id" text,
	"posts" jsonb,
	"error" jsonb,
	"attempts" integer DEFAULT 1 NOT NULL,
	"lease_until" timestamp with time zone,
	CONSTRAINT "schedule_runs_status_check" CHECK ("schedule_runs"."status" in ('running', 'success', 'partial', 'failed', 'skipped'))
);
--> statement-breakpoint
CREATE TABLE "schedules" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"created_by" text,
	"title" text NOT NULL,
	"description" text,
	"repeat" jsonb NOT NULL,
	"time_zone" text NOT NULL,
	"valid_from" timestamp with time zone,
	"valid_until" timestamp with time zone,
	"skip_holidays" boolean DEFAULT false NOT NULL,
	"missed_run_policy" text NOT NULL,
	"grace_minutes" integer NOT NULL,
	"target" jsonb NOT NULL,
	"status" text NOT NULL,
	"next_run_at" timestamp with time zone,
	"last_run_at" timestamp with time zone,
	"run_count" integer DEFAULT 0 NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schedules_status_check" CHECK ("schedules"."status" in ('active', 'inactive', 'completed', 'error')),
	CONSTRAINT "schedules_missed_run_policy_check" CHECK ("schedules"."missed_run_policy" in ('catch_up', 'skip'))
);
--> statement-breakpoint
ALTER TABLE "schedule_runs" ADD CONSTRAINT "schedule_runs_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "schedule_runs_occurrence_key" ON "schedule_runs" USING btree ("schedule_id","occurrence_at");--> statement-breakpoint
CREATE INDEX "schedule_runs_org_idx" ON "schedule_runs" USING btree ("org_id","id");--> statement-breakpoint
CREATE INDEX "schedule_runs_schedule_idx" ON "schedule_runs" USING btree ("schedule_id","id");--> statement-breakpoint
CREATE INDEX "schedule_runs_lease_idx" ON "schedule_runs" USING btree ("lease_until") WHERE "schedule_runs"."status" = 'running';--> statement-breakpoint
CREATE INDEX "schedules_org_idx" ON "schedules" USING btree ("org_id","id");--> statement-breakpoint
CREATE INDEX "schedules_due_idx" ON "schedules" USING btree ("next_run_at") WHERE "schedules"."status" = 'active';