/**
 * {@link ComplaintService} over the use cases: the one object the conversation flows, the
 * Telegram officer desk and the agency API are given. Each method is a use case in its
 * own module; this class only binds them to their ports.
 */
import type { ChannelName, Locale } from '../../core/messages';
import type { Actor } from '../domain/complaint';
import type { OfficerCommand } from '../domain/complaint-rules';
import type { CitizenComplaintView, AgencyComplaintView } from '../domain/complaint-views';
import type { ComplaintDraft } from '../domain/new-complaint';
import type {
  ActionResult,
  AgencyListFilter,
  ComplaintService,
  StatusLookup,
  StatusRequest,
  SubmittedComplaint,
} from '../complaint-service';
import { countToday, listForCitizen, lookUp, rate } from './citizen-actions';
import { erasePersonalDataOfFinished, forgetCitizen, type RetentionRound } from './personal-data';
import { scanDeadlines, type DeadlineScanOptions, type DeadlineScanResult } from './deadline-scan';
import { getForAgency, listForAgency, performOfficerCommand } from './officer-actions';
import { markForwarded, planUnplanned } from './routing-progress';
import { submitComplaint } from './submit-complaint';
import type { ComplaintUseCaseDeps } from './use-case-deps';

export class ComplaintUseCases implements ComplaintService {
  constructor(private readonly deps: ComplaintUseCaseDeps) {}

  submit(draft: ComplaintDraft, now: Date = this.deps.clock()): Promise<SubmittedComplaint> {
    return submitComplaint(this.deps, draft, now);
  }

  lookUp(request: StatusRequest): Promise<StatusLookup> {
    return lookUp(this.deps, request);
  }

  countToday(channel: ChannelName, userId: string, now: Date = this.deps.clock()): Promise<number> {
    return countToday(this.deps, channel, userId, now);
  }

  listForCitizen(channel: ChannelName, userId: string, limit?: number, locale?: Locale): Promise<CitizenComplaintView[]> {
    return listForCitizen(this.deps, channel, userId, limit, locale);
  }

  getForAgency(code: string, agencyId: string): Promise<ActionResult> {
    return getForAgency(this.deps, code, agencyId);
  }

  listForAgency(agencyId: string, filter?: AgencyListFilter): Promise<AgencyComplaintView[]> {
    return listForAgency(this.deps, agencyId, filter);
  }

  act(code: string, actor: Actor, command: OfficerCommand): Promise<ActionResult> {
    return performOfficerCommand(this.deps, code, actor, command);
  }

  acknowledge(code: string, actor: Actor, note?: string): Promise<ActionResult> {
    return this.act(code, actor, { kind: 'acknowledge', ...(note ? { note } : {}) });
  }

  answer(code: string, actor: Actor, text: string): Promise<ActionResult> {
    return this.act(code, actor, { kind: 'answer', text });
  }

  transfer(code: string, actor: Actor, toAgencyId: string, note?: string): Promise<ActionResult> {
    return this.act(code, actor, { kind: 'transfer', toAgencyId, ...(note ? { note } : {}) });
  }

  resolve(code: string, actor: Actor, note?: string): Promise<ActionResult> {
    return this.act(code, actor, { kind: 'resolve', ...(note ? { note } : {}) });
  }

  rate(code: string, channel: ChannelName, userId: string, score: number, comment?: string): Promise<ActionResult> {
    return rate(this.deps, code, channel, userId, score, comment);
  }

  markForwarded(code: string, agencyId: string, now: Date = this.deps.clock()): Promise<void> {
    return markForwarded(this.deps, code, agencyId, now);
  }

  forgetCitizen(channel: ChannelName, userId: string): Promise<number> {
    return forgetCitizen(this.deps, channel, userId);
  }

  /** The retention job's work: personal data of complaints finished more than `retentionMs` before `now`. */
  erasePersonalDataOfFinished(now: Date, retentionMs: number, limit?: number): Promise<RetentionRound> {
    return erasePersonalDataOfFinished(this.deps, now, retentionMs, limit);
  }

  /** The re-planning job's work: complaints a crash left unplanned. */
  planUnplanned(limit?: number): Promise<number> {
    return planUnplanned(this.deps, limit);
  }

  /** The deadline job's work. */
  scanDeadlines(now: Date = this.deps.clock(), options?: DeadlineScanOptions): Promise<DeadlineScanResult> {
    return scanDeadlines(this.deps, now, options);
  }
}
