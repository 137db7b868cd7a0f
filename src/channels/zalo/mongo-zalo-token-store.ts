/**
 * The Zalo OA token pair in MongoDB (`settings`, `_id: 'zalo-tokens'`), shared by every
 * instance of the bot.
 *
 * Why claims instead of a conditional update: on FerretDB v1 concurrent conditional
 * updates are not atomic (several `updateOne({refreshToken: old})` all succeed), and the
 * refresh token is single-use, so two writers believing they both rotated it would lose
 * the grant. A rotation away from refresh token T first claims
 * `zalo-rotate:<sha256(T)>` (a unique insert: exactly one winner); seeding an empty store
 * is the unique insert of the settings document itself. The refresh lease is a named
 * lease (`Leases`, also built on claims). The hash keeps the token itself out of the
 * claims collection.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isDuplicateKeyError, type Claims, type Leases } from '../../storage/mongo/claims';
import type { Models } from '../../storage/mongo/models';
import type { ZaloTokenPair, ZaloTokenStore } from './zalo-types';

export const ZALO_TOKENS_SETTING_ID = 'zalo-tokens';
export const ZALO_REFRESH_LEASE = 'zalo-token-refresh';

/** How the pair is stored: epoch milliseconds, so no driver turns a date into a string. */
interface StoredPair {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: number;
  refreshExpiresAt: number;
}

/** The parts of `Database` the store uses (pass the Database itself). */
export interface MongoZaloTokenStoreDeps {
  readonly models: Pick<Models, 'Setting'>;
  readonly claims: Claims;
  readonly leases: Leases;
}

export class MongoZaloTokenStore implements ZaloTokenStore {
  private readonly owner: string;

  /** `owner` names who claimed a rotation, for forensics; default host:pid:random. */
  constructor(
    private readonly deps: MongoZaloTokenStoreDeps,
    options: { owner?: string } = {},
  ) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  async load(): Promise<ZaloTokenPair | undefined> {
    const doc = await this.deps.models.Setting.findById(ZALO_TOKENS_SETTING_ID).lean();
    return doc ? fromStored(doc.value) : undefined;
  }

  async save(pair: ZaloTokenPair, expectedRefreshToken: string): Promise<boolean> {
    if (expectedRefreshToken === '') return this.seed(pair);
    const current = await this.load();
    if (current?.refreshToken !== expectedRefreshToken) return false;
    const claimId = `zalo-rotate:${createHash('sha256').update(expectedRefreshToken).digest('hex')}`;
    if (!(await this.deps.claims.tryClaim(claimId, this.owner))) return false;
    await this.deps.models.Setting.updateOne({ _id: ZALO_TOKENS_SETTING_ID }, { $set: { value: toStored(pair) } });
    return true;
  }

  acquireRefreshLease(owner: string, ttlMs: number): Promise<boolean> {
    return this.deps.leases.acquire(ZALO_REFRESH_LEASE, owner, ttlMs);
  }

  releaseRefreshLease(owner: string): Promise<void> {
    return this.deps.leases.release(ZALO_REFRESH_LEASE, owner);
  }

  /** Only into an empty store: the unique `_id` lets exactly one seeder win. */
  private async seed(pair: ZaloTokenPair): Promise<boolean> {
    try {
      await this.deps.models.Setting.create({ _id: ZALO_TOKENS_SETTING_ID, value: toStored(pair) });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}

function toStored(pair: ZaloTokenPair): StoredPair {
  return {
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    accessExpiresAt: pair.accessExpiresAt.getTime(),
    refreshExpiresAt: pair.refreshExpiresAt.getTime(),
  };
}

/** A stored value that is not a pair throws: reading it as "nothing stored" would re-seed over it silently. */
function fromStored(value: unknown): ZaloTokenPair {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof StoredPair, unknown>>;
  if (typeof v.accessToken !== 'string' || typeof v.refreshToken !== 'string') {
    throw new Error(`The "${ZALO_TOKENS_SETTING_ID}" setting is not a Zalo token pair: fix or delete it, then re-authorise`);
  }
  return {
    accessToken: v.accessToken,
    refreshToken: v.refreshToken,
    accessExpiresAt: new Date(toMillis(v.accessExpiresAt)),
    refreshExpiresAt: new Date(toMillis(v.refreshExpiresAt)),
  };
}

/** Epoch ms as stored; a Date or ISO string written by hand is accepted too; unknown = expired. */
function toMillis(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' && Number.isFinite(Date.parse(value))) return Date.parse(value);
  return 0;
}
