/**
 * The contract of complaint handling, used by the conversation flows (citizens), the
 * agency API and the Telegram officer actions. The MongoDB implementation is
 * `MongoComplaintService` (complaint-store.ts).
 *
 * Rules every implementation keeps:
 * - an agency (or its officers) sees and acts on only the complaints routed to it now;
 * - every action is appended to the complaint's history with who and when;
 * - the citizen is notified of every action through the notification outbox (never
 *   directly), and the agency is told of new work through the delivery outbox;
 * - personal data (contact, text) is shown to the citizen who filed it and to the
 *   responsible agency, nobody else.
 */
import type { ChannelName, Locale } from '../core/messages';
import type { Sector } from './sectors';

export type ComplaintStatus = 'received' | 'forwarded' | 'acknowledged' | 'answered' | 'resolved' | 'reopened' | 'closed';

export interface Actor {
  readonly kind: 'citizen' | 'officer' | 'agency_api' | 'system';
  /** Officer's Telegram user id, the API key's label, "deadline-scanner"… */
  readonly id: string;
  /** The agency the actor acts for (officers and API keys). */
  readonly agencyId?: string;
}

export interface ComplaintDraft {
  readonly channel: ChannelName;
  readonly userId: string;
  /** What the daily cap counts against (IncomingMessage.requesterKey); default `userId`. */
  readonly requesterKey?: string;
  readonly locale: Locale;
  readonly text: string;
  readonly sector: Sector;
  readonly localityId?: string;
  readonly contact?: { readonly name?: string; readonly phone?: string };
  /** Photos as the channel references them (Telegram file id, Zalo URL). */
  readonly photoRefs: readonly string[];
}

export interface SubmittedComplaint {
  readonly code: string;
  readonly agencyId: string;
  readonly agencyName: string;
  readonly dueAt: Date;
  /** True when the same draft had already been submitted: no second complaint was made. */
  readonly duplicate: boolean;
}

export interface ComplaintAnswer {
  readonly at: Date;
  readonly agencyName: string;
  readonly text: string;
}

/** What the citizen who filed the complaint may see. */
export interface CitizenComplaintView {
  readonly code: string;
  readonly status: ComplaintStatus;
  readonly sector: Sector;
  readonly agencyName: string;
  readonly createdAt: Date;
  readonly dueAt: Date;
  readonly overdue: boolean;
  readonly answers: readonly ComplaintAnswer[];
  readonly rating?: { readonly score: number; readonly comment?: string };
}

/** What the responsible agency sees (includes the text and the contact the citizen chose to share). */
export interface AgencyComplaintView extends CitizenComplaintView {
  readonly agencyId: string;
  readonly text: string;
  readonly localityId?: string;
  readonly contact?: { readonly name?: string; readonly phone?: string };
  readonly photoIds: readonly string[];
  readonly history: readonly { readonly at: Date; readonly action: string; readonly actor: Actor; readonly note?: string }[];
}

export type ActionError = 'not_found' | 'forbidden' | 'invalid_state' | 'unknown_agency' | 'invalid_input';

export type ActionResult =
  | { readonly ok: true; readonly complaint: AgencyComplaintView }
  | { readonly ok: false; readonly error: ActionError; readonly message: string };

export type CitizenLookup =
  { readonly ok: true; readonly complaint: CitizenComplaintView } | { readonly ok: false; readonly error: 'not_found' | 'not_yours' };

export interface ComplaintService {
  /** Stores a complaint, routes it, plans its deliveries. Idempotent per identical draft. */
  submit(draft: ComplaintDraft, now?: Date): Promise<SubmittedComplaint>;
  /** Status for the citizen; `not_yours` when another citizen filed it (no details leak). */
  findForCitizen(code: string, channel: ChannelName, userId: string, locale?: Locale): Promise<CitizenLookup>;
  /** How many complaints the citizen filed on the (Vietnamese) calendar day of `now` (for the daily cap). */
  countToday(channel: ChannelName, userId: string, now?: Date): Promise<number>;
  /** The citizen's own recent complaints, newest first. */
  listForCitizen(channel: ChannelName, userId: string, limit?: number, locale?: Locale): Promise<CitizenComplaintView[]>;
  getForAgency(code: string, agencyId: string): Promise<ActionResult>;
  listForAgency(agencyId: string, filter?: { status?: ComplaintStatus; limit?: number }): Promise<AgencyComplaintView[]>;
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
