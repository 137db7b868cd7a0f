/**
 * The console's storage: accounts (`console_accounts`, by `_id` = user name), the audit
 * log (`console_audit`) and the session store @fastify/session uses (`console_sessions`,
 * by `_id` = session id; expired sessions are pruned by the hourly job).
 */
import type { AccountStore, AuditEntry, AuditLog, ConsoleAccount, ConsoleRole } from '../../console/console-ports';
import { isDuplicateKeyError } from './claims';
import type { Database } from './database';

type Models = Pick<Database, 'models'>;

export class MongoAccountStore implements AccountStore {
  constructor(private readonly db: Models) {}

  async find(username: string): Promise<ConsoleAccount | undefined> {
    const doc = await this.db.models.ConsoleAccount.findById(username).lean();
    return doc ? toAccount(doc) : undefined;
  }

  async create(account: ConsoleAccount): Promise<'created' | 'exists'> {
    try {
      const { username, ...fields } = account;
      await this.db.models.ConsoleAccount.create({ _id: username, ...fields });
      return 'created';
    } catch (err) {
      if (isDuplicateKeyError(err)) return 'exists';
      throw err;
    }
  }

  async update(username: string, change: Partial<ConsoleAccount>): Promise<boolean> {
    const $set: Record<string, unknown> = {};
    const $unset: Record<string, 1> = {};
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) $unset[key] = 1;
      else $set[key] = value;
    }
    const update = { ...(Object.keys($set).length ? { $set } : {}), ...(Object.keys($unset).length ? { $unset } : {}) };
    return (await this.db.models.ConsoleAccount.updateOne({ _id: username }, update)).matchedCount === 1;
  }

  async list(): Promise<ConsoleAccount[]> {
    return (await this.db.models.ConsoleAccount.find().sort({ _id: 1 }).limit(1000).lean()).map(toAccount);
  }

  async countActiveAdmins(): Promise<number> {
    return this.db.models.ConsoleAccount.countDocuments({ role: 'admin', disabled: false });
  }
}

function toAccount(doc: Record<string, unknown>): ConsoleAccount {
  return {
    username: String(doc._id),
    displayName: String(doc.displayName),
    role: doc.role as ConsoleRole,
    ...(typeof doc.agencyId === 'string' ? { agencyId: doc.agencyId } : {}),
    passwordHash: String(doc.passwordHash),
    disabled: doc.disabled === true,
  };
}

export class MongoAuditLog implements AuditLog {
  constructor(private readonly db: Models) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.models.AuditEntry.create(entry);
  }

  async recent(limit: number, actor?: string): Promise<AuditEntry[]> {
    // Index {at: -1} (or {actor, at}) on MongoDB.
    const docs = await this.db.models.AuditEntry.find(actor ? { actor } : {})
      .sort({ at: -1 })
      .limit(limit)
      .lean();
    return docs.map(({ _id, ...entry }) => {
      void _id;
      return entry as AuditEntry;
    });
  }
}

type Callback = (err?: unknown) => void;
type SessionCallback = (err: unknown, session?: Record<string, unknown> | null) => void;
interface StoredSession {
  cookie?: { expires?: Date | string | null };
}

/** @fastify/session's store interface (set/get/destroy with callbacks), over `console_sessions`. */
export class MongoSessionStore {
  constructor(
    private readonly db: Models,
    /** Lifetime of a session whose cookie has no expiry. */
    private readonly maxAgeMs: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  set(sessionId: string, session: StoredSession, callback: Callback): void {
    const expires = session.cookie?.expires ? new Date(session.cookie.expires) : new Date(this.clock().getTime() + this.maxAgeMs);
    // JSON round trip: the session object carries methods and a cookie object with getters.
    const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>;
    this.db.models.ConsoleSession.replaceOne({ _id: sessionId }, { _id: sessionId, data, expiresAt: expires }, { upsert: true }).then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  get(sessionId: string, callback: SessionCallback): void {
    this.db.models.ConsoleSession.findById(sessionId)
      .lean<{ data: Record<string, unknown>; expiresAt: Date }>()
      .then(
        (doc) => callback(null, doc && doc.expiresAt > this.clock() ? doc.data : null),
        (err: unknown) => callback(err),
      );
  }

  destroy(sessionId: string, callback: Callback): void {
    this.db.models.ConsoleSession.deleteOne({ _id: sessionId }).then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }
}

/** Deletes expired console sessions. Returns how many went. */
export async function pruneConsoleSessions(db: Models, now: Date): Promise<number> {
  return (await db.models.ConsoleSession.deleteMany({ expiresAt: { $lt: now } })).deletedCount;
}
