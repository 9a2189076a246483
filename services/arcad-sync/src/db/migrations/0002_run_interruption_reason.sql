-- Why a run stopped before its end, shown in the run report and the console.
ALTER TABLE "arcad_sync"."flow_runs" ADD COLUMN IF NOT EXISTS "interrupted_reason" text;
