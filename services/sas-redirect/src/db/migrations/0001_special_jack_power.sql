CREATE TABLE "sas_redirect"."appointment_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"lrm" text NOT NULL,
	"appointment_id" text NOT NULL,
	"method" text NOT NULL,
	"applied" text NOT NULL,
	"status" text NOT NULL,
	"state" jsonb NOT NULL,
	"distribution_id" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sas_redirect"."appointments" (
	"lrm" text NOT NULL,
	"appointment_id" text NOT NULL,
	"status" text NOT NULL,
	"start" text NOT NULL,
	"state" jsonb NOT NULL,
	"version" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appointments_lrm_appointment_id_pk" PRIMARY KEY("lrm","appointment_id")
);
--> statement-breakpoint
CREATE TABLE "sas_redirect"."login_transactions" (
	"state" text PRIMARY KEY NOT NULL,
	"nonce" text NOT NULL,
	"code_verifier" text NOT NULL,
	"context_id" text,
	"return_to" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sas_redirect"."parked_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"reason" text NOT NULL,
	"payload" text NOT NULL,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"parked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retried_at" timestamp with time zone,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sas_redirect"."pending_contexts" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"origin" text NOT NULL,
	"context" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"consumed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sas_redirect"."redirects" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"origin" text NOT NULL,
	"mode" text NOT NULL,
	"regulator" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sas_redirect"."sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"national_id" text NOT NULL,
	"profession" text,
	"specialty" text,
	"display_name" text,
	"access_token" text NOT NULL,
	"refresh_token" text,
	"id_token" text,
	"access_expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "appointment_history_message_idx" ON "sas_redirect"."appointment_history" USING btree ("lrm","distribution_id","appointment_id");--> statement-breakpoint
CREATE INDEX "appointment_history_lookup_idx" ON "sas_redirect"."appointment_history" USING btree ("lrm","appointment_id");--> statement-breakpoint
CREATE INDEX "pending_contexts_expires_idx" ON "sas_redirect"."pending_contexts" USING btree ("expires_at");