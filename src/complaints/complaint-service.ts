/**
 * The contract of complaint handling, used by the conversation flows (citizens), the
 * agency API and the Telegram officer desk (and soon a web console). One implementation:
 * {@link ComplaintUseCases} (use-cases/complaint-use-cases.ts), over the ports of
 * use-cases/ports.ts.
 *
 * Rules every implementation keeps (domain/complaint-rules.ts):
 * - an agency (or its officers) sees and acts on only the complaints routed to it now;
 *   the coordinating agency sees and acts on all, and alone re-assigns;
 * - every action is appended to the complaint's history with who and when;
 * - the citizen is notified of every action through the notification outbox (never
 *   directly), and the agency is told of new work through the delivery outbox;
 * - personal data (contact, text) is shown to the responsible agency only; answers to
 *   the citizen who filed the complaint or who gives its secret; a code alone shows
 *   status and dates.
 */
import type { ChannelName, Locale } from '../core/messages';
import type { Actor, ComplaintStatus } from './domain/complaint';
import type { ActionError, OfficerCommand } from './domain/complaint-rules';
import type { AgencyComplaintView, CitizenComplaintView, PublicComplaintView } from './domain/complaint-views';
import type { ComplaintDraft } from './domain/new-complaint';

export type { Actor, ComplaintStatus } from './domain/complaint';
export type { ActionError, OfficerCommand } from './domain/complaint-rules';
export type { AgencyComplaintView, CitizenComplaintView, PublicComplaintView } from './domain/complaint-views';
export type { ComplaintDraft } from './domain/new-complaint';

export interface SubmittedComplaint {
  readonly code: string;
  /** The secret that opens the complaint's details from another device; absent for a duplicate (only its hash is stored). */
  readonly pin?: string;
  readonly agencyId: string;
  readonly agencyName: string;
  readonly dueAt: Date;
  /** True when the same draft had already been submitted: no second complaint was made. */
  readonly duplicate: boolean;
}

/** The citizen has filed as many complaints today as the cap allows (COMPLAINTS_PER_DAY). */
export class DailyLimitReached extends Error {
  constructor(readonly limit: number) {
    super(`daily complaint limit of ${limit} reached`);
    this.name = 'DailyLimitReached';
  }
}

export type ActionResult =
  | { readonly ok: true; readonly complaint: AgencyComplaintView }
  | { readonly ok: false; readonly error: ActionError; readonly message: string };

/** A status request: the code, who asks, and the secret they typed, if any. */
export interface StatusRequest {
  readonly code: string;
  readonly channel: ChannelName;
  readonly userId: string;
  /** Language of the agency names shown. */
  readonly locale?: Locale;
  /** A PIN (6 digits) or the last 4 digits of the phone left with the complaint. */
  readonly secret?: string;
}

/**
 * `full`: the filer, or a correct secret. `public`: status and dates only, because no
 * secret was given, it was wrong, or too many wrong secrets were tried (`locked`).
 */
export type StatusLookup =
  | { readonly ok: true; readonly access: 'full'; readonly complaint: CitizenComplaintView }
  | {
      readonly ok: true;
      readonly access: 'public';
      readonly reason: 'no_secret' | 'wrong_secret' | 'locked';
      readonly complaint: PublicComplaintView;
    }
  | { readonly ok: false; readonly error: 'not_found' };

export interface AgencyListFilter {
  readonly status?: ComplaintStatus;
  readonly limit?: number;
  /** The coordinator's view of every agency's complaints (ignored for other agencies). */
  readonly allAgencies?: boolean;
  /** With `allAgencies`: only this agency's complaints (the coordinator narrowing the list). */
  readonly agencyId?: string;
  readonly sector?: string;
  /** Only open complaints past their deadline. */
  readonly overdue?: boolean;
}

export interface ComplaintService {
  /** Stores a complaint, routes it, plans its deliveries. Idempotent per identical draft. Throws {@link DailyLimitReached} past the cap. */
  submit(draft: ComplaintDraft, now?: Date): Promise<SubmittedComplaint>;
  /** Status for anyone who has the code; details for the filer or with the secret. */
  lookUp(request: StatusRequest): Promise<StatusLookup>;
  /** How many complaints the citizen filed on the (Vietnamese) calendar day of `now` (for the daily cap). */
  countToday(channel: ChannelName, userId: string, now?: Date): Promise<number>;
  /** The citizen's own recent complaints, newest first. */
  listForCitizen(channel: ChannelName, userId: string, limit?: number, locale?: Locale): Promise<CitizenComplaintView[]>;
  /** The complaint for its agency (or the coordinator). "Not yours" and "unknown" do the same work and give `not_found`. */
  getForAgency(code: string, agencyId: string): Promise<ActionResult>;
  listForAgency(agencyId: string, filter?: AgencyListFilter): Promise<AgencyComplaintView[]>;
  /** An officer's (or agency system's, or coordinator's) action, authorised against the complaint's agency. */
  act(code: string, actor: Actor, command: OfficerCommand): Promise<ActionResult>;
  acknowledge(code: string, actor: Actor, note?: string): Promise<ActionResult>;
  /** An officer's answer: recorded, and relayed to the citizen on their channel. */
  answer(code: string, actor: Actor, text: string): Promise<ActionResult>;
  transfer(code: string, actor: Actor, toAgencyId: string, note?: string): Promise<ActionResult>;
  /** Resolves the complaint and asks the citizen to rate the answer. */
  resolve(code: string, actor: Actor, note?: string): Promise<ActionResult>;
  /** The citizen's rating (1–5); 1–2 ("not satisfied") reopens the complaint and tells the agency. */
  rate(code: string, channel: ChannelName, userId: string, score: number, comment?: string): Promise<ActionResult>;
  /** The first delivery to the responsible agency succeeded: `received` becomes `forwarded`. */
  markForwarded(code: string, agencyId: string, now?: Date): Promise<void>;
  /** Decree 13/2023: the citizen withdrew consent — delete their personal data. Returns complaints affected. */
  forgetCitizen(channel: ChannelName, userId: string): Promise<number>;
}
