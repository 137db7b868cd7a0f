/**
 * Writes items in groups ("group commit"): an item waits at most `lingerMs` for others to
 * share its write, and items added while a write is under way go with the next one;
 * `flush()` writes what waits at once. The broadcast's receipts go through it: a receipt
 * must exist soon after its message left (the citizen may press the survey invitation's
 * button within a second), and on FerretDB every command costs milliseconds, so many
 * receipts share one insert.
 */
export class GroupCommit<T> {
  private waiting: { readonly item: T; readonly resolve: () => void; readonly reject: (err: unknown) => void }[] = [];
  private writing = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (items: readonly T[]) => Promise<void>,
    private readonly options: { readonly lingerMs: number; readonly maxItems: number },
  ) {}

  /** Resolves once `item` is written; rejects with the error of the write that carried it. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.options.maxItems) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
    });
  }

  /** Writes what waits now (or right after the write under way). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.options.maxItems);
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
