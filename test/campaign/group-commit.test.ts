/** Receipts' group commit: items added together share one write, flush() writes at once, a failed write rejects only its items. */
import { GroupCommit } from '../../src/campaign/group-commit';

it('groups the items of a moment into one write, and flushes on demand', async () => {
  const writes: number[][] = [];
  const commit = new GroupCommit<number>(
    async (items) => {
      writes.push([...items]);
      await new Promise((r) => setTimeout(r, 20));
    },
    { lingerMs: 50, maxItems: 3 },
  );
  const first = [1, 2].map((n) => commit.add(n));
  await Promise.all(first);
  // The two waited for each other (linger), not for a third.
  expect(writes).toEqual([[1, 2]]);
  // A full group goes at once; what comes during a write goes with the next write.
  const more = [3, 4, 5, 6].map((n) => commit.add(n));
  commit.flush();
  await Promise.all(more);
  expect(writes).toEqual([[1, 2], [3, 4, 5], [6]]);
});

it('rejects the items of a failed write only', async () => {
  let fail = true;
  const commit = new GroupCommit<string>(
    async () => {
      if (fail) throw new Error('database down');
    },
    { lingerMs: 10, maxItems: 10 },
  );
  const lost = commit.add('a');
  await expect(lost).rejects.toThrow('database down');
  fail = false;
  await expect(commit.add('b')).resolves.toBeUndefined();
});
