/**
 * The complaint conversation (channel-agnostic): collects what happened, the field, the
 * place, an optional contact and photos, reads a summary back, and submits.
 *
 * It asks only for what it does not know yet. A first message that already describes the
 * problem ("can bo xa Dak Ha doi tien moi giai quyet ho so dat") becomes the text, and
 * the field and place are inferred from it, so the citizen is only asked for a contact
 * and a confirmation. Inferred values are shown in the summary, where the citizen can
 * correct them: the field and place decide who receives the complaint.
 *
 * "hủy"/"/huy" is handled by the engine before the flow sees the message. An abandoned
 * draft expires with its FlowState (24 h by default).
 */
import { COMPLAINT_FLOW } from '../core/conversation-engine';
import type { FlowState } from '../core/conversation-store';
import type { ConversationFlow, TurnContext, TurnOutcome } from '../core/flow';
import type { IncomingMessage, OutgoingMessage, QuickReply } from '../core/messages';
import type { Logger } from '../infra/logger';
import { silentLogger } from '../infra/logger';
import type { MatchResult } from '../nlu/intent-matcher';
import { normalizeText } from '../text/normalize';
import { MAX_PHOTOS } from './complaint-photos';
import { formatDate, sectorLabelKey } from './complaint-format';
import type { ComplaintService, SubmittedComplaint } from './complaint-service';
import { parseContactInput } from './contact-input';
import type { DirectorySource } from './use-cases/ports';
import { localityChain, type Directory } from './directory/directory';
import { LocalityMatcher } from './directory/locality-matcher';
import { resolveChoice } from './flow-choices';
import { SECTORS, inferSector, isSector, type Sector } from './sectors';
import { MAX_COMPLAINT_TEXT_LENGTH, MIN_COMPLAINT_TEXT_LENGTH, checkComplaintText } from './submission-key';

/** The engine starts the flow of this name on complaint_submit, /phananh and the menu. */
export const COMPLAINT_FLOW_NAME = COMPLAINT_FLOW;
export const DEFAULT_DRAFT_TTL_MS = 24 * 3600 * 1000;

/** Quick-reply payloads of this flow (anything not a command reaches the flow). */
export const COMPLAINT_PAYLOADS = {
  confirm: '#pa:confirm',
  skip: '#pa:skip',
  editText: '#pa:edit:text',
  editSector: '#pa:edit:sector',
  editPlace: '#pa:edit:place',
  cancel: '/huy',
} as const;
const SECTOR_PAYLOAD = '#pa:sector:';

/** Typed words accepted for the choices, folded (see flow-choices.ts). */
const SKIP_WORDS: Record<string, string> = Object.fromEntries(
  ['bo qua', 'bo', 'khong', 'ko', 'k', 'khong can', 'skip', 'no', 'none', 'khong ro', 'khong biet'].map((w) => [
    w,
    COMPLAINT_PAYLOADS.skip,
  ]),
);
const CONFIRM_WORDS: Record<string, string> = Object.fromEntries(
  ['ok', 'oke', 'dong y', 'xac nhan', 'gui', 'gui di', 'co', 'dung', 'dung roi', 'yes', 'confirm', 'send'].map((w) => [
    w,
    COMPLAINT_PAYLOADS.confirm,
  ]),
);

/** Words of a bare "I want to complain" opener; what remains is the description. */
const OPENER_WORDS = new Set(
  (
    'toi em e minh mk chung ta ad admin oi a ah nhe nha voi cho xin muon mun can gui lam tao moi phan anh kien nghi khieu nai ' +
    'to cao ve viec mot vu chuyen don giup duoc bot chao cac ban chi co dang the nay sau day la gi u'
  ).split(' '),
);
/** A trigger with at least this many other words describes the problem itself. */
const DESCRIPTION_MIN_WORDS = 6;
const SUMMARY_TEXT_CHARS = 500;

type Step = 'text' | 'sector' | 'place' | 'contact' | 'summary';

interface Draft {
  text?: string;
  sector?: Sector;
  sectorInferred?: boolean;
  localityId?: string;
  placeDone?: boolean;
  contact?: { name?: string; phone?: string };
  contactDone?: boolean;
  photoRefs: string[];
}

export interface ComplaintFlowDeps {
  readonly service: ComplaintService;
  readonly directory: DirectorySource;
  /** How long an untouched draft is kept; default 24 h. */
  readonly draftTtlMs?: number;
  /** Complaints one citizen may file per day, Vietnam time (abuse limit); default 5. */
  readonly dailyLimit?: number;
  readonly logger?: Logger;
}

const DEFAULT_DAILY_LIMIT = 5;

export class ComplaintFlow implements ConversationFlow {
  readonly name = COMPLAINT_FLOW_NAME;
  private readonly matchers = new WeakMap<Directory, LocalityMatcher>();
  private readonly logger: Logger;

  constructor(private readonly deps: ComplaintFlowDeps) {
    this.logger = deps.logger ?? silentLogger();
  }

  async start(ctx: TurnContext, _match?: MatchResult): Promise<TurnOutcome> {
    const limit = this.deps.dailyLimit ?? DEFAULT_DAILY_LIMIT;
    const filed = await this.deps.service.countToday(ctx.message.channel, ctx.message.userId, ctx.now);
    if (filed >= limit) {
      this.logger.info({ channel: ctx.message.channel, limit }, 'daily complaint limit reached');
      return { messages: [{ text: ctx.t('complaint.daily_limit', { limit }) }], intent: 'complaint:daily_limit' };
    }
    const draft: Draft = { photoRefs: [] };
    const notes = this.addPhotos(ctx, draft, ctx.message);
    const description = describedProblem(ctx.message.text);
    if (description) this.setText(draft, description);
    if (ctx.message.contact) this.setContact(draft, ctx.message.contact);
    return this.ask(ctx, draft, notes);
  }

  async resume(ctx: TurnContext, state: FlowState): Promise<TurnOutcome> {
    const draft = readDraft(state.data);
    const step = isStep(state.step) ? state.step : nextStep(draft);
    const notes = this.addPhotos(ctx, draft, ctx.message);
    const choice = resolveChoice(ctx.message.text, this.quickReplies(ctx, step), step === 'summary' ? CONFIRM_WORDS : SKIP_WORDS);
    if (choice === COMPLAINT_PAYLOADS.cancel) return { messages: [{ text: ctx.t('system.cancelled') }], intent: 'complaint:cancelled' };
    switch (step) {
      case 'text':
        return this.onText(ctx, draft, notes);
      case 'sector':
        return this.onSector(ctx, draft, notes, choice);
      case 'place':
        return this.onPlace(ctx, draft, notes, choice);
      case 'contact':
        return this.onContact(ctx, draft, notes, choice);
      case 'summary':
        return this.onSummary(ctx, draft, notes, choice);
    }
  }

  // ------------------------------------------------------------ steps

  private onText(ctx: TurnContext, draft: Draft, notes: OutgoingMessage[]): TurnOutcome {
    if (!ctx.message.text.trim() && notes.length > 0) return this.prompt(ctx, 'text', draft, notes);
    const checked = checkComplaintText(ctx.message.text);
    if (!checked.ok) {
      const text =
        checked.reason === 'too_short'
          ? ctx.t('complaint.text_too_short', { min: MIN_COMPLAINT_TEXT_LENGTH })
          : ctx.t('complaint.text_too_long', { max: MAX_COMPLAINT_TEXT_LENGTH });
      return this.keep(ctx, 'text', draft, [...notes, { text }]);
    }
    this.setText(draft, checked.text);
    return this.ask(ctx, draft, notes);
  }

  private onSector(ctx: TurnContext, draft: Draft, notes: OutgoingMessage[], choice: string | undefined): TurnOutcome {
    const sector = choice?.startsWith(SECTOR_PAYLOAD)
      ? choice.slice(SECTOR_PAYLOAD.length)
      : ctx.message.text.trim()
        ? inferSector(ctx.message.text)
        : undefined;
    if (!sector || !isSector(sector)) {
      if (!ctx.message.text.trim() && notes.length > 0) return this.prompt(ctx, 'sector', draft, notes);
      return this.prompt(ctx, 'sector', draft, notes, 'complaint.sector_not_understood');
    }
    draft.sector = sector;
    draft.sectorInferred = false;
    return this.ask(ctx, draft, notes);
  }

  private onPlace(ctx: TurnContext, draft: Draft, notes: OutgoingMessage[], choice: string | undefined): TurnOutcome {
    if (choice === COMPLAINT_PAYLOADS.skip) {
      draft.localityId = undefined;
      draft.placeDone = true;
      return this.ask(ctx, draft, notes);
    }
    const text = ctx.message.text.trim();
    if (!text) {
      const location = ctx.message.attachments?.some((a) => a.kind === 'location');
      if (location) return this.prompt(ctx, 'place', draft, notes, 'complaint.place_location_received');
      return this.prompt(ctx, 'place', draft, notes);
    }
    const found = this.localities().find(text);
    if (!found) return this.prompt(ctx, 'place', draft, notes, 'complaint.place_not_found');
    draft.localityId = found.locality.id;
    draft.placeDone = true;
    return this.ask(ctx, draft, notes);
  }

  private onContact(ctx: TurnContext, draft: Draft, notes: OutgoingMessage[], choice: string | undefined): TurnOutcome {
    if (choice === COMPLAINT_PAYLOADS.skip) {
      draft.contact = undefined;
      draft.contactDone = true;
      return this.ask(ctx, draft, notes);
    }
    if (ctx.message.contact) {
      this.setContact(draft, ctx.message.contact);
      return this.ask(ctx, draft, notes);
    }
    if (!ctx.message.text.trim()) return this.prompt(ctx, 'contact', draft, notes);
    const parsed = parseContactInput(ctx.message.text);
    if (!parsed.ok)
      return this.prompt(ctx, 'contact', draft, notes, parsed.reason === 'invalid_phone' ? 'complaint.contact_invalid_phone' : undefined);
    this.setContact(draft, parsed.contact);
    return this.ask(ctx, draft, notes);
  }

  private async onSummary(ctx: TurnContext, draft: Draft, notes: OutgoingMessage[], choice: string | undefined): Promise<TurnOutcome> {
    switch (choice) {
      case COMPLAINT_PAYLOADS.confirm:
        return this.submit(ctx, draft);
      case COMPLAINT_PAYLOADS.editText:
        draft.text = undefined;
        return this.prompt(ctx, 'text', draft, notes);
      case COMPLAINT_PAYLOADS.editSector:
        draft.sector = undefined;
        return this.prompt(ctx, 'sector', draft, notes);
      case COMPLAINT_PAYLOADS.editPlace:
        draft.localityId = undefined;
        draft.placeDone = false;
        return this.prompt(ctx, 'place', draft, notes);
      default:
        if (notes.length > 0 && !ctx.message.text.trim()) return this.prompt(ctx, 'summary', draft, notes);
        return this.prompt(ctx, 'summary', draft, [...notes, { text: ctx.t('complaint.summary_choose') }]);
    }
  }

  private async submit(ctx: TurnContext, draft: Draft): Promise<TurnOutcome> {
    if (!draft.text || !draft.sector) return this.ask(ctx, draft, []);
    let result: SubmittedComplaint;
    try {
      result = await this.deps.service.submit(
        {
          channel: ctx.message.channel,
          userId: ctx.message.userId,
          locale: ctx.locale,
          text: draft.text,
          sector: draft.sector,
          localityId: draft.localityId,
          contact: draft.contact,
          photoRefs: draft.photoRefs,
        },
        ctx.now,
      );
    } catch (err) {
      // The error's name only: a message could quote the citizen's text.
      this.logger.error({ err: (err as Error).name, channel: ctx.message.channel }, 'complaint submission failed');
      return this.keep(ctx, 'summary', draft, [
        { text: ctx.t('complaint.submit_failed'), quickReplies: this.quickReplies(ctx, 'summary') },
      ]);
    }
    const vars = { code: result.code, pin: result.pin ?? '', agency: result.agencyName, dueDate: formatDate(result.dueAt) };
    const followup = ctx.t(`complaint.followup.${followupChannel(ctx.message.channel)}`, { code: result.code });
    const text = `${ctx.t(result.duplicate ? 'complaint.duplicate' : 'complaint.submitted', vars)}\n\n${followup}`;
    return {
      messages: [{ text, quickReplies: [{ label: ctx.t('complaint.button.track'), payload: `/tracuu ${result.code}` }] }],
      intent: result.duplicate ? 'complaint:duplicate' : 'complaint:submitted',
    };
  }

  // ------------------------------------------------------------ helpers

  private setText(draft: Draft, text: string): void {
    draft.text = text;
    if (!draft.sector || draft.sectorInferred) {
      const inferred = inferSector(text);
      if (inferred) {
        draft.sector = inferred;
        draft.sectorInferred = true;
      }
    }
    if (!draft.localityId) {
      const found = this.localities().find(text);
      if (found) {
        draft.localityId = found.locality.id;
        draft.placeDone = true;
      }
    }
  }

  private setContact(draft: Draft, contact: { readonly name?: string; readonly phone?: string }): void {
    const name = contact.name?.trim().slice(0, 100) || undefined;
    const phone = contact.phone?.trim() || undefined;
    draft.contact = name || phone ? { ...(name ? { name } : {}), ...(phone ? { phone } : {}) } : undefined;
    draft.contactDone = true;
  }

  /** Keeps image attachments (at most {@link MAX_PHOTOS}) and says so. */
  private addPhotos(ctx: TurnContext, draft: Draft, message: IncomingMessage): OutgoingMessage[] {
    const refs = (message.attachments ?? []).flatMap((a) => (a.kind === 'image' ? [a.ref] : []));
    if (refs.length === 0) return [];
    const room = MAX_PHOTOS - draft.photoRefs.length;
    draft.photoRefs.push(...refs.slice(0, Math.max(0, room)));
    const notes: OutgoingMessage[] = [];
    if (room > 0) notes.push({ text: ctx.t('complaint.photo_received', { count: draft.photoRefs.length, max: MAX_PHOTOS }) });
    if (refs.length > room) notes.push({ text: ctx.t('complaint.photo_limit', { max: MAX_PHOTOS }) });
    return notes;
  }

  private localities(): LocalityMatcher {
    const directory = this.deps.directory.current();
    let matcher = this.matchers.get(directory);
    if (!matcher) {
      matcher = new LocalityMatcher(directory);
      this.matchers.set(directory, matcher);
    }
    return matcher;
  }

  /** Asks for the next missing item, or shows the summary. */
  private ask(ctx: TurnContext, draft: Draft, notes: OutgoingMessage[]): TurnOutcome {
    return this.prompt(ctx, nextStep(draft), draft, notes);
  }

  private prompt(ctx: TurnContext, step: Step, draft: Draft, notes: OutgoingMessage[], overrideKey?: string): TurnOutcome {
    const text = overrideKey ? ctx.t(overrideKey) : this.question(ctx, step, draft);
    const replies = this.quickReplies(ctx, step);
    return this.keep(ctx, step, draft, [...notes, replies.length ? { text, quickReplies: replies } : { text }]);
  }

  private keep(ctx: TurnContext, step: Step, draft: Draft, messages: OutgoingMessage[]): TurnOutcome {
    const ttl = this.deps.draftTtlMs ?? DEFAULT_DRAFT_TTL_MS;
    const flow: FlowState = {
      name: COMPLAINT_FLOW_NAME,
      step,
      data: toData(draft),
      expiresAt: new Date(ctx.now.getTime() + ttl).toISOString(),
    };
    return { messages, flow, intent: `complaint:${step}` };
  }

  private question(ctx: TurnContext, step: Step, draft: Draft): string {
    switch (step) {
      case 'text':
        return ctx.t('complaint.ask_text', { maxPhotos: MAX_PHOTOS });
      case 'sector':
        return ctx.t('complaint.ask_sector');
      case 'place':
        return ctx.t('complaint.ask_place');
      case 'contact':
        return ctx.t('complaint.ask_contact');
      case 'summary':
        return this.summary(ctx, draft);
    }
  }

  private summary(ctx: TurnContext, draft: Draft): string {
    const text = draft.text ?? '';
    const contact = draft.contact ? [draft.contact.name, draft.contact.phone].filter(Boolean).join(', ') : ctx.t('complaint.contact_none');
    return ctx.t('complaint.summary', {
      text: text.length > SUMMARY_TEXT_CHARS ? `${text.slice(0, SUMMARY_TEXT_CHARS)}…` : text,
      sector: draft.sector ? ctx.t(sectorLabelKey(draft.sector)) : '',
      place: this.placeName(ctx, draft.localityId) ?? ctx.t('complaint.place_unknown'),
      contact,
      photos: draft.photoRefs.length,
    });
  }

  /** "Xã Đăk Mar, Huyện Đăk Hà": the place and its district, in the citizen's language when known. */
  private placeName(ctx: TurnContext, localityId: string | undefined): string | undefined {
    if (!localityId) return undefined;
    const directory = this.deps.directory.current();
    const locality = directory.localityById.get(localityId);
    if (!locality) return undefined;
    return localityChain(directory, locality)
      .filter((l) => l.kind !== 'province')
      .map((l) => (ctx.locale === 'en' ? (l.name.en ?? l.name.vi) : l.name.vi))
      .join(', ');
  }

  private quickReplies(ctx: TurnContext, step: Step): QuickReply[] {
    const skip = { label: ctx.t('complaint.button.skip'), payload: COMPLAINT_PAYLOADS.skip };
    switch (step) {
      case 'text':
        return [];
      case 'sector':
        return SECTORS.map((s) => ({ label: ctx.t(sectorLabelKey(s)), payload: `${SECTOR_PAYLOAD}${s}` }));
      case 'place':
      case 'contact':
        return [skip];
      case 'summary':
        return [
          { label: ctx.t('complaint.button.confirm'), payload: COMPLAINT_PAYLOADS.confirm },
          { label: ctx.t('complaint.button.edit_text'), payload: COMPLAINT_PAYLOADS.editText },
          { label: ctx.t('complaint.button.edit_sector'), payload: COMPLAINT_PAYLOADS.editSector },
          { label: ctx.t('complaint.button.edit_place'), payload: COMPLAINT_PAYLOADS.editPlace },
          { label: ctx.t('complaint.button.cancel'), payload: COMPLAINT_PAYLOADS.cancel },
        ];
    }
  }
}

/**
 * The trigger message as the complaint's text when it describes the problem itself;
 * undefined for commands, buttons and bare openers ("tôi muốn phản ánh").
 */
export function describedProblem(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (trimmed.startsWith('/') || trimmed.startsWith('#')) return undefined;
  const words = normalizeText(trimmed).foldedTokens.filter((w) => !OPENER_WORDS.has(w));
  if (words.length < DESCRIPTION_MIN_WORDS) return undefined;
  const checked = checkComplaintText(trimmed);
  return checked.ok ? checked.text : undefined;
}

function nextStep(draft: Draft): Step {
  if (!draft.text) return 'text';
  if (!draft.sector) return 'sector';
  if (!draft.placeDone) return 'place';
  if (!draft.contactDone) return 'contact';
  return 'summary';
}

function isStep(value: string): value is Step {
  return ['text', 'sector', 'place', 'contact', 'summary'].includes(value);
}

function followupChannel(channel: IncomingMessage['channel']): 'telegram' | 'zalo' | 'web' {
  return channel === 'telegram' || channel === 'zalo' ? channel : 'web';
}

/** Reads a draft back from stored flow data, dropping anything malformed. */
function readDraft(data: Readonly<Record<string, unknown>>): Draft {
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const contactRaw = data.contact;
  const contact =
    typeof contactRaw === 'object' && contactRaw !== null
      ? { name: str((contactRaw as Record<string, unknown>).name), phone: str((contactRaw as Record<string, unknown>).phone) }
      : undefined;
  const sector = str(data.sector);
  return {
    text: str(data.text),
    sector: sector && isSector(sector) ? sector : undefined,
    sectorInferred: data.sectorInferred === true,
    localityId: str(data.localityId),
    placeDone: data.placeDone === true,
    contact:
      contact && (contact.name || contact.phone)
        ? { ...(contact.name ? { name: contact.name } : {}), ...(contact.phone ? { phone: contact.phone } : {}) }
        : undefined,
    contactDone: data.contactDone === true,
    photoRefs: Array.isArray(data.photoRefs) ? data.photoRefs.filter((r): r is string => typeof r === 'string').slice(0, MAX_PHOTOS) : [],
  };
}

function toData(draft: Draft): Record<string, unknown> {
  return Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== undefined));
}
