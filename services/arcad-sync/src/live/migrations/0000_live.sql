-- Live flows (ARCAD360 <-> LIVIA). Applied after the main migrations of the arcad_sync schema.
CREATE TABLE "arcad_sync"."live_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"message_id" text NOT NULL,
	"client_id" text NOT NULL,
	"sequence" integer NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"retryable" boolean,
	"attempts" integer DEFAULT 0 NOT NULL,
	"changes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"processed_by" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "live_messages_uq" ON "arcad_sync"."live_messages" ("tenant","message_id");
--> statement-breakpoint
CREATE INDEX "live_messages_client_idx" ON "arcad_sync"."live_messages" ("tenant","client_id","sequence");
--> statement-breakpoint
CREATE INDEX "live_messages_recent_idx" ON "arcad_sync"."live_messages" ("tenant","id");
--> statement-breakpoint
CREATE TABLE "arcad_sync"."live_cursors" (
	"tenant" text NOT NULL,
	"client_id" text NOT NULL,
	"last_sequence" integer NOT NULL,
	CONSTRAINT "live_cursors_pk" PRIMARY KEY("tenant","client_id")
);
--> statement-breakpoint
CREATE TABLE "arcad_sync"."live_stays" (
	"tenant" text NOT NULL,
	"livia_id" text NOT NULL,
	"resident_id" text NOT NULL,
	"activity_id" text NOT NULL,
	"arcad_stay_id" text,
	"start_date" date NOT NULL,
	"planned_end_date" date,
	"end_date" date,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "live_stays_pk" PRIMARY KEY("tenant","livia_id")
);
--> statement-breakpoint
CREATE INDEX "live_stays_resident_idx" ON "arcad_sync"."live_stays" ("tenant","resident_id","activity_id");
--> statement-breakpoint
CREATE TABLE "arcad_sync"."live_absences" (
	"tenant" text NOT NULL,
	"livia_id" text NOT NULL,
	"resident_id" text NOT NULL,
	"activity_id" text NOT NULL,
	"arcad_absence_id" text NOT NULL,
	"type" text NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "live_absences_pk" PRIMARY KEY("tenant","livia_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "live_absences_arcad_uq" ON "arcad_sync"."live_absences" ("tenant","arcad_absence_id");
--> statement-breakpoint
CREATE TABLE "arcad_sync"."live_sends" (
	"tenant" text NOT NULL,
	"entity" text NOT NULL,
	"livia_id" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"retryable" boolean,
	"attempts" integer DEFAULT 0 NOT NULL,
	"payload" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "live_sends_pk" PRIMARY KEY("tenant","entity","livia_id")
);
