ALTER TABLE "sas_redirect"."appointments" ADD COLUMN "sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sas_redirect"."appointment_history" ADD COLUMN "sent_at" timestamp with time zone;
