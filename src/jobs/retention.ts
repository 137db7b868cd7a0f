/**
 * Retention: each kind of stored record has a period after which it is deleted (or, for
 * a complaint, its personal data erased). A rule says what it prunes and how; a round
 * runs every rule with the same `now` (a fake clock in tests) and reports what each
 * removed. A failing rule is logged and the others still run. Generic: the rules are
 * built by the composition root (app-retention.ts) from the stores.
 */
import type { Logger } from '../infra/logger';

export interface RetentionRule {
  /** Names the records in logs and metrics ("conversations", "complaint personal data"). */
  readonly name: string;
  /** Deletes or erases what is due at `now`; returns how many records. */
  prune(now: Date): Promise<number>;
}

/** Runs every rule once; returns how many records each removed (rules that failed are absent). */
export async function runRetention(rules: readonly RetentionRule[], now: Date, logger: Logger): Promise<Record<string, number>> {
  const removed: Record<string, number> = {};
  for (const rule of rules) {
    try {
      removed[rule.name] = await rule.prune(now);
    } catch (err) {
      logger.error({ rule: rule.name, err: err instanceof Error ? err.name : typeof err }, 'retention rule failed');
    }
  }
  const total = Object.values(removed).reduce((a, b) => a + b, 0);
  if (total > 0) logger.info({ removed }, 'retention: old records pruned');
  return removed;
}
