/**
 * Runs `job` every `everyMs`, never two runs at once: a tick that finds the previous run still
 * going is skipped. A failed run goes to `onError` and the next tick runs as usual.
 * Returns a stop function that clears the timer and waits for a running job, so a service
 * stopping never closes its database under a job.
 */
export function runPeriodically(options: {
  everyMs: number;
  job: () => Promise<unknown>;
  onError: (error: unknown) => void;
  /** Whether the timer alone keeps the process alive (default true). */
  keepAlive?: boolean;
}): () => Promise<void> {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= options
      .job()
      .then(
        () => undefined,
        (error: unknown) => options.onError(error),
      )
      .finally(() => {
        running = undefined;
      });
  }, options.everyMs);
  if (options.keepAlive === false) timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
