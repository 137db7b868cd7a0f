/**
 * Writes items in groups ("group commit"): an item added while a write is under way waits
 * for the next write, which takes everything waiting. One item alone is written at once
 * (no timer, no delay); many at once share a round trip. The broadcast's receipts go
 * through it: a receipt must exist soon after its message left (the citizen may press the
 * survey invitation's button within a second), and on FerretDB every command costs
 * milliseconds, so at high rates many receipts share one insert.
 */
export class GroupCommit<T> {
  private waiting: { readonly item: T; readonly resolve: () => void; readonly reject: (err: unknown) => void }[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: readonly T[]) => Promise<void>,
    private readonly maxItems = 500,
  ) {}

  /** Resolves once `item` is written; rejects with the error of the write that carried it. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.maxItems);
        try {
          await this.write(group.map((g) => g.item));
          for (const g of group) g.resolve();
        } catch (err) {
          for (const g of group) g.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
