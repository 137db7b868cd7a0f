/**
 * The proof of work a web session solves before it may go on writing from an address that
 * has exceeded its normal daily volume (a script making fresh sessions from one address
 * is the abuse this answers; a citizen behind the same address solves it once, in about a
 * second, without noticing). ALTCHA's challenges (altcha-lib): an HMAC-signed
 * SHA-256 puzzle with an expiry, bound here to the session id, so one solution serves one
 * session for one day and cannot be shared between sessions.
 */
import { createHmac } from 'node:crypto';
import { createChallenge, extractParams, verifySolution } from 'altcha-lib/v1';

/** What the page gets to solve: ALTCHA's challenge (algorithm, challenge, maxnumber, salt, signature). */
export type Challenge = Awaited<ReturnType<typeof createChallenge>>;

export interface WebChallengeOptions {
  /** Secret shared by every process (derived from the pseudonym key). */
  readonly secret: Buffer;
  /** Upper bound of the number searched: ~50,000 SHA-256 in the page, about a second. */
  readonly maxNumber?: number;
  readonly validityMs?: number;
  readonly clock?: () => number;
}

export class WebChallenge {
  private readonly hmacKey: string;

  constructor(private readonly options: WebChallengeOptions) {
    this.hmacKey = createHmac('sha256', options.secret).update('web-challenge').digest('hex');
  }

  /** A new challenge for `sessionId`. */
  async issue(sessionId: string): Promise<Challenge> {
    const now = (this.options.clock ?? Date.now)();
    return createChallenge({
      hmacKey: this.hmacKey,
      maxnumber: this.options.maxNumber ?? 50_000,
      expires: new Date(now + (this.options.validityMs ?? 24 * 3_600_000)),
      params: { session: sessionId },
    });
  }

  /** True if `proof` (the base64 payload the page sends) solves a challenge we issued to `sessionId`, unexpired. */
  async verify(proof: string | undefined, sessionId: string): Promise<boolean> {
    if (!proof || proof.length > 2000) return false;
    try {
      if (extractParams(proof).session !== sessionId) return false;
      return await verifySolution(proof, this.hmacKey, true);
    } catch {
      return false;
    }
  }
}
