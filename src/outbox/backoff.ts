/**
 * Retry delays for the outboxes (agency deliveries, citizen notifications).
 *
 * Exponential, so a receiver that is down for hours is not hammered, capped, so a
 * delivery is retried at least hourly once the receiver is back, and jittered, so the
 * deliveries that failed together (an agency's server went down) do not all retry in the
 * same second and knock it over again.
 */

export interface BackoffOptions {
  /** Delay after the first failed attempt, before jitter; default 30 s. */
  readonly baseMs?: number;
  /** Largest delay, before jitter; default 1 h. */
  readonly capMs?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { baseMs: 30_000, capMs: 3_600_000 };

/**
 * Delay before the attempt that follows failed attempt number `attempt` (1-based):
 * `min(cap, base × 2^(attempt-1))`, of which the upper half is random ("equal jitter":
 * never less than half the nominal delay). An explicit `retryAfterMs` from the other
 * side (HTTP Retry-After, Telegram's retry_after) is a floor.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const cap = options.capMs ?? DEFAULT_BACKOFF.capMs;
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const nominal = Math.min(cap, base * 2 ** exponent);
  const jittered = nominal / 2 + random() * (nominal / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
