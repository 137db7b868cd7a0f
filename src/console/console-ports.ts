/**
 * What the console needs from storage: accounts, the audit log. MongoDB implements them
 * (src/storage/mongo/mongo-console-store.ts).
 */

/**
 * - officer: their agency's complaints (list, open, acknowledge, answer, transfer, resolve);
 * - coordinator (Sở Nội vụ, the directory's coordinating agency): every agency's
 *   complaints, overdue ones, re-assignment, dead deliveries and re-sending, the reports;
 * - editor: news items and survey campaigns (their pages come with the campaign module);
 * - admin: accounts and the audit log.
 */
export type ConsoleRole = 'officer' | 'coordinator' | 'editor' | 'admin';
export const CONSOLE_ROLES: readonly ConsoleRole[] = ['officer', 'coordinator', 'editor', 'admin'];

export interface ConsoleAccount {
  /** Login name, lower case: `[a-z0-9._-]{3,40}`. */
  readonly username: string;
  readonly displayName: string;
  readonly role: ConsoleRole;
  /** Officers: the agency they work for. */
  readonly agencyId?: string;
  readonly passwordHash: string;
  readonly disabled: boolean;
}

export interface AccountStore {
  find(username: string): Promise<ConsoleAccount | undefined>;
  /** `exists` when the name is taken. */
  create(account: ConsoleAccount): Promise<'created' | 'exists'>;
  update(
    username: string,
    change: Partial<Pick<ConsoleAccount, 'displayName' | 'role' | 'agencyId' | 'passwordHash' | 'disabled'>>,
  ): Promise<boolean>;
  list(): Promise<ConsoleAccount[]>;
  /** Accounts that are admins and not disabled (the last one cannot be disabled). */
  countActiveAdmins(): Promise<number>;
}

export interface AuditEntry {
  readonly at: Date;
  readonly actor: string;
  readonly role?: ConsoleRole;
  readonly action: string;
  readonly target?: string;
  readonly outcome: 'ok' | 'refused' | 'failed';
  /** Short reason or parameters; never a complaint's text or a citizen's contact. */
  readonly detail?: string;
  /** Keyed hash of the client address. */
  readonly address?: string;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  recent(limit: number, actor?: string): Promise<AuditEntry[]>;
}

export const USERNAME = /^[a-z0-9._-]{3,40}$/;
