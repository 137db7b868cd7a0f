/**
 * What every console route module is given: the dependencies, and per request the signed-in
 * account, the page renderer and the audit recorder.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComplaintService } from '../complaints/complaint-service';
import type { DirectorySource } from '../complaints/use-cases/ports';
import type { DeliveryItem } from '../forwarding/delivery-item';
import type { Logger } from '../infra/logger';
import type { OutboxStore } from '../outbox/outbox-store';
import type { ReportLabels, ReportSection } from '../reports/report-sections';
import type { ReportSource } from '../reports/report-source';
import type { AccountStore, AuditEntry, AuditLog, ConsoleAccount, ConsoleRole } from './console-ports';
import type { ConsoleNavEntry, ConsoleViews } from './console-view';

/** Shared fixed-window limits (the inbound pipeline's, one count across processes). */
interface LoginLimiter {
  take(rule: { name: string; limit: number; windowMs: number }, key: string): Promise<{ allowed: boolean }>;
}

export interface ConsoleDeps {
  readonly accounts: AccountStore;
  readonly audit: AuditLog;
  /** @fastify/session's store. */
  readonly sessionStore: {
    set(id: string, session: never, cb: (err?: unknown) => void): void;
    get(id: string, cb: (err: unknown, session?: Record<string, unknown> | null) => void): void;
    destroy(id: string, cb: (err?: unknown) => void): void;
  };
  /** At least 32 characters; the same in every process (sessions are signed with it). */
  readonly sessionSecret: string;
  /** `auto`: Secure when the request came over HTTPS (behind a trusted proxy: its X-Forwarded-Proto). */
  readonly secureCookie?: boolean | 'auto';
  readonly limits: LoginLimiter;
  readonly complaints: ComplaintService;
  /** A complaint's stored photo, if the id belongs to the code. */
  readonly photos: { load(code: string, photoId: string): Promise<{ bytes: Buffer; contentType: string } | undefined> };
  readonly directory: DirectorySource;
  readonly deliveries: Pick<OutboxStore<DeliveryItem>, 'list' | 'reload' | 'resend'>;
  readonly reports: {
    readonly source: ReportSource;
    readonly sections: readonly ReportSection[];
    readonly labels: () => ReportLabels;
  };
  /** Menu entries beyond the core's (the campaign module's pages). */
  readonly extraNav?: readonly ConsoleNavEntry[];
  /** Route modules beyond the core's (the campaign module's pages: campaign-routes.ts). */
  readonly extraRoutes?: readonly ((scope: FastifyInstance, tools: ConsoleRequestTools) => void)[];
  /** Keyed hash of a client address (audit entries and login limits carry no raw address). */
  readonly pseudonymize: (value: string) => string;
  readonly logger: Logger;
  readonly clock?: () => Date;
}

export interface ConsoleRequestTools {
  readonly deps: ConsoleDeps;
  readonly views: ConsoleViews;
  /** The signed-in account (routes behind `requireRoles` always have one). */
  account(request: FastifyRequest): ConsoleAccount;
  /** Renders a page inside the layout (menu, CSRF token) and sends it. */
  page(request: FastifyRequest, reply: FastifyReply, template: string, title: string, data?: Record<string, unknown>): FastifyReply;
  /** Records an action in the audit log (never throws: a failed write is logged). */
  audit(request: FastifyRequest, entry: Omit<AuditEntry, 'at' | 'actor' | 'role' | 'address'> & { actor?: string }): Promise<void>;
  /** An error as a page (or JSON under /console/api/). */
  fail(request: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply;
  /** A preHandler that lets only these roles through (403 page otherwise, audited). */
  requireRoles(...roles: ConsoleRole[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  now(): Date;
}

/** The agency a console account acts for: an officer's own; the coordinating agency for a coordinator. */
export function actingAgency(account: ConsoleAccount, directory: DirectorySource): string | undefined {
  if (account.role === 'coordinator') return directory.current().coordinator.id;
  if (account.role === 'officer') return account.agencyId;
  return undefined;
}
