CREATE TABLE "arcad_sync"."activity_mappings" (
	"tenant" text NOT NULL,
	"activity_id" text NOT NULL,
	"choice" text NOT NULL,
	"arcad_service_id" text,
	"saved_by" text NOT NULL,
	"saved_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "activity_mappings_tenant_activity_id_pk" PRIMARY KEY("tenant","activity_id")
);
--> statement-breakpoint
CREATE TABLE "arcad_sync"."credentials" (
	"tenant" text NOT NULL,
	"user_id" text NOT NULL,
	"login" text NOT NULL,
	"password" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credentials_tenant_user_id_pk" PRIMARY KEY("tenant","user_id")
);
--> statement-breakpoint
CREATE TABLE "arcad_sync"."flow_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"flow" text NOT NULL,
	"mode" text NOT NULL,
	"status" text NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"sent" integer DEFAULT 0 NOT NULL,
	"errors" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"skipped_reasons" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"started_by" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "arcad_sync"."livia_entities" (
	"tenant" text NOT NULL,
	"entity" text NOT NULL,
	"livia_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "livia_entities_tenant_entity_livia_id_pk" PRIMARY KEY("tenant","entity","livia_id")
);
--> statement-breakpoint
CREATE TABLE "arcad_sync"."sync" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"entity" text NOT NULL,
	"livia_id" text NOT NULL,
	"arcad_id" text,
	"status" text NOT NULL,
	"last_error" text,
	"retryable" boolean,
	"attempts" integer DEFAULT 0 NOT NULL,
	"payload_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"synced_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "arcad_sync"."tenants" (
	"tenant" text PRIMARY KEY NOT NULL,
	"arcad_tenant" text NOT NULL,
	"activated_by" text NOT NULL,
	"activated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "flow_runs_tenant_idx" ON "arcad_sync"."flow_runs" USING btree ("tenant","flow","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "flow_runs_one_running_uq" ON "arcad_sync"."flow_runs" USING btree ("tenant","flow") WHERE status = 'running';--> statement-breakpoint
CREATE UNIQUE INDEX "sync_entity_uq" ON "arcad_sync"."sync" USING btree ("tenant","entity","livia_id");--> statement-breakpoint
CREATE INDEX "sync_status_idx" ON "arcad_sync"."sync" USING btree ("tenant","status");