/**
 * Collects items and hands them to `flush` in groups: whatever arrived while the previous
 * group was being written goes in the next one. Nothing waits on a timer, so a lone item is
 * written at once and a burst costs a few writes instead of one per item.
 */
export class Batcher<T> {
  private queued: T[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly onError: (error: unknown, items: T[]) => void = () => {},
  ) {}

  add(item: T): void {
    this.queued.push(item);
    this.running ??= this.drain();
  }

  /** Resolves once everything added so far is written. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Let the items of the same tick (confirms arrive together) join the first group.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queued.length > 0) {
      const items = this.queued;
      this.queued = [];
      try {
        await this.flush(items);
      } catch (error) {
        this.onError(error, items);
      }
    }
    this.running = undefined;
  }
}
