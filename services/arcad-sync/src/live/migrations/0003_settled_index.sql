-- The log purge looks up settled messages by age.
CREATE INDEX IF NOT EXISTS "live_messages_settled_idx" ON "arcad_sync"."live_messages" ("processed_at") WHERE "status" IN ('applied', 'ignored');
