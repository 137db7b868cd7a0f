/**
 * A new complaint from a citizen's draft: cleaned text, routed by the directory's rules,
 * due in the agency's working days, with its first history entry.
 */
import type { ChannelName, Locale } from '../../core/messages';
import type { Directory } from '../directory/directory';
import { routeComplaint } from '../directory/routing';
import type { HolidayCalendar } from '../holiday-calendar';
import type { Sector } from '../sectors';
import { checkComplaintText, submissionKey } from '../submission-key';
import { addWorkingDays } from '../working-days';
import { CITIZEN_ACTOR, historyActor, type Complaint } from './complaint';
import { MAX_PHOTOS } from './limits';

export interface ComplaintDraft {
  readonly channel: ChannelName;
  readonly userId: string;
  readonly locale: Locale;
  readonly text: string;
  readonly sector: Sector;
  readonly localityId?: string;
  readonly contact?: { readonly name?: string; readonly phone?: string };
  /** Photos as the channel references them (Telegram file id, Zalo URL). */
  readonly photoRefs: readonly string[];
}

/**
 * The complaint to store for `draft` under `code`. Throws a RangeError for a text outside
 * 10–4,000 characters (the conversation checks it first; this is the last guard).
 */
export function newComplaint(
  draft: ComplaintDraft,
  code: string,
  pinHash: string,
  ctx: { readonly now: Date; readonly directory: Directory; readonly holidays: HolidayCalendar },
): Complaint {
  const checked = checkComplaintText(draft.text);
  if (!checked.ok) throw new RangeError(`complaint text is ${checked.reason.replace('_', ' ')}`);
  const route = routeComplaint(ctx.directory, { sector: draft.sector, localityId: draft.localityId });
  const contact = draft.contact && (draft.contact.name || draft.contact.phone) ? { ...draft.contact } : undefined;
  return {
    code,
    submissionKey: submissionKey({ ...draft, text: checked.text }),
    channel: draft.channel,
    userId: draft.userId,
    locale: draft.locale,
    text: checked.text,
    sector: draft.sector,
    ...(draft.localityId ? { localityId: draft.localityId } : {}),
    agencyId: route.agency.id,
    routingReason: route.rule,
    ...(contact ? { contact } : {}),
    photos: draft.photoRefs.slice(0, MAX_PHOTOS).map((sourceRef) => ({ sourceRef })),
    status: 'received',
    history: [{ at: ctx.now, action: 'submitted', actor: historyActor(CITIZEN_ACTOR), agencyId: route.agency.id }],
    deliveriesPlanned: false,
    dueAt: addWorkingDays(ctx.now, route.agency.deadlineWorkingDays, ctx.holidays),
    pinHash,
    version: 0,
    createdAt: ctx.now,
  };
}
