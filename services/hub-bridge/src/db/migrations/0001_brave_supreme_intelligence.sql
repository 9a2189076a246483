CREATE TABLE "hub_bridge"."messages" (
	"distribution_id" text PRIMARY KEY NOT NULL,
	"direction" text NOT NULL,
	"type" text NOT NULL,
	"kind" text NOT NULL,
	"peer" text NOT NULL,
	"vhost" text NOT NULL,
	"format" text NOT NULL,
	"state" text NOT NULL,
	"error_code" integer,
	"error_cause" text,
	"ack_distribution_id" text,
	"acknowledged_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"reference" text,
	"body" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"history" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "messages_reference_idx" ON "hub_bridge"."messages" USING btree ("reference");--> statement-breakpoint
CREATE INDEX "messages_created_idx" ON "hub_bridge"."messages" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "messages_state_idx" ON "hub_bridge"."messages" USING btree ("state");