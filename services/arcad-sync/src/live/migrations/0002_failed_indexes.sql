-- The automatic retries look for failed rows every few seconds: only those are indexed.
CREATE INDEX IF NOT EXISTS "live_messages_failed_idx" ON "arcad_sync"."live_messages" ("processed_at") WHERE "status" = 'failed';
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "live_sends_failed_idx" ON "arcad_sync"."live_sends" ("updated_at") WHERE "status" = 'failed';
