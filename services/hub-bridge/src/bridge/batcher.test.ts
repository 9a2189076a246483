import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

describe('Batcher', () => {
  it('writes the items of one tick together, and those added meanwhile in the next group', async () => {
    const groups: number[][] = [];
    let release: () => void = () => {};
    const batcher = new Batcher<number>(async (items) => {
      groups.push(items);
      if (groups.length === 1) await new Promise<void>((r) => (release = r));
    });
    for (const n of [1, 2, 3]) batcher.add(n);
    await new Promise((r) => setImmediate(r));
    batcher.add(4);
    batcher.add(5);
    release();
    await batcher.settled();
    expect(groups).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('reports a failed group and goes on with the next items', async () => {
    const failed: number[][] = [];
    const written: number[] = [];
    const batcher = new Batcher<number>(
      async (items) => {
        if (items.includes(1)) throw new Error('database down');
        written.push(...items);
      },
      (_error, items) => failed.push(items),
    );
    batcher.add(1);
    await batcher.settled();
    batcher.add(2);
    await batcher.settled();
    expect(failed).toEqual([[1]]);
    expect(written).toEqual([2]);
  });
});
