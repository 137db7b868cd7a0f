/**
 * The complaint conversation (channel-agnostic): collects what happened, the field, the
 * place, an optional contact and photos, reads a summary back, and submits.
 *
 * It asks only for what it does not know yet. A first message that already describes the
 * problem ("can bo xa Dak Ha doi tien moi giai quyet ho so dat") becomes the text, is
 * acknowledged at once in one sentence, and the field and place are inferred from it, so
 * the citizen is only asked for a contact and a confirmation. Inferred values are shown in
 * the summary, where every field can be corrected: the field and place decide who
 * receives the complaint.
 *
 * Everyday answers work at every step: "ok", "đúng rồi gửi đi", "ko cần", "bỏ qua",
 * "sửa số điện thoại" (see core/everyday-answers.ts). Menus stay within
 * {@link MAX_QUICK_REPLIES} buttons, with a "more" button for the rest.
 *
 * "hủy", "thôi, không gửi nữa", a question about something else, a language switch and
 * an idle pause are the engine's business (conversation-engine.ts): the draft survives
 * all but the first.
 */
import { COMPLAINT_FLOW, MAX_QUICK_REPLIES } from '../core/conversation-engine';
import type { FlowState } from '../core/conversation-store';
import { everydayAnswer, foldForChoice } from '../core/everyday-answers';
import type { ConversationFlow, TurnContext, TurnOutcome } from '../core/flow';
import type { StepFit } from '../core/flow-interruption';
import type { IncomingMessage, OutgoingMessage, QuickReply } from '../core/messages';
import type { Logger } from '../infra/logger';
import { silentLogger } from '../infra/logger';
import type { MatchResult } from '../nlu/intent-matcher';
import { normalizeText } from '../text/normalize';
import { MAX_PHOTOS } from './complaint-photos';
import { formatDate, sectorLabelKey } from './complaint-format';
import { DailyLimitReached, type ComplaintService, type SubmittedComplaint } from './complaint-service';
import { DEFAULT_COMPLAINTS_PER_DAY } from './domain/limits';
import { parseContactInput } from './contact-input';
import type { DirectorySource } from './use-cases/ports';
import { localityChain, type Directory } from './directory/directory';
import { LocalityMatcher } from './directory/locality-matcher';
import { resolveChoice } from './flow-choices';
import { inferSector, isSector, rankSectors, type Sector } from './sectors';
import { MAX_COMPLAINT_TEXT_LENGTH, MIN_COMPLAINT_TEXT_LENGTH, checkComplaintText } from './submission-key';

/** The engine starts the flow of this name on complaint_submit, /phananh and the menu. */
export const COMPLAINT_FLOW_NAME = COMPLAINT_FLOW;
export const DEFAULT_DRAFT_TTL_MS = 24 * 3600 * 1000;

/** Quick-reply payloads of this flow (anything not a command reaches the flow). */
export const COMPLAINT_PAYLOADS = {
  confirm: '#pa:confirm',
  skip: '#pa:skip',
  done: '#pa:done',
  more: '#pa:more',
  back: '#pa:back',
  editText: '#pa:edit:text',
  editSector: '#pa:edit:sector',
  editPlace: '#pa:edit:place',
  editContact: '#pa:edit:contact',
  editPhotos: '#pa:edit:photos',
  clearPhotos: '#pa:photos:clear',
  cancel: '/huy',
} as const;
const SECTOR_PAYLOAD = '#pa:sector:';

/** Locale keys this flow uses (checked at load, like every text the code asks for). */
export const COMPLAINT_FLOW_TEXT_KEYS = [
  'complaint.ack_described',
  'complaint.ack_opener',
  'complaint.ask_sector_more',
  'complaint.ask_photos',
  'complaint.contact_not_understood',
  'complaint.summary_more',
  'complaint.photos_cleared',
  'complaint.button.edit_contact',
  'complaint.button.edit_photos',
  'complaint.button.more_summary',
  'complaint.button.more_sectors',
  'complaint.button.back',
  'complaint.button.clear_photos',
  'complaint.button.done',
  'complaint.button.no_contact',
  'complaint.followup.console',
  'conversation.continue_offer.complaint',
  'conversation.restore_offer.complaint',
  'conversation.button.discard_complaint',
] as const;

/** Words of a bare "I want to complain" opener; what remains is the description. */
const OPENER_WORDS = new Set(
  (
    'toi em e minh mk chung ta ad admin oi a ah nhe nha voi cho xin muon mun can gui lam tao moi phan anh kien nghi khieu nai ' +
    'to cao ve viec mot vu chuyen don giup duoc bot chao cac ban chi co dang the nay sau day la gi u ' +
    'i want to make file send submit lodge a an complaint complain report about please help me with'
  ).split(' '),
);
/** A trigger with at least this many other words describes the problem itself. */
const DESCRIPTION_MIN_WORDS = 6;
const SUMMARY_TEXT_CHARS = 500;
/** Sector buttons per screen: one place is kept for "more". */
const SECTORS_PER_PAGE = MAX_QUICK_REPLIES - 1;

/** "sửa số điện thoại", "đổi lĩnh vực", "change the phone number": which field to edit. Folded. */
const EDIT_VERBS = new Set('sua doi thay chinh edit change fix correct update them xoa add remove'.split(' '));
const EDIT_FIELDS: readonly [string, readonly string[]][] = [
  [
    COMPLAINT_PAYLOADS.editContact,
    ['lien he', 'so dien thoai', 'dien thoai', 'so dt', 'sdt', 'ten', 'ho ten', 'phone', 'number', 'contact', 'name'],
  ],
  [COMPLAINT_PAYLOADS.editText, ['noi dung', 'mo ta', 'text', 'description', 'content', 'details']],
  [COMPLAINT_PAYLOADS.editSector, ['linh vuc', 'sector', 'category', 'field']],
  [
    COMPLAINT_PAYLOADS.editPlace,
    ['dia ban', 'dia chi', 'dia diem', 'noi', 'xa', 'phuong', 'huyen', 'place', 'location', 'address', 'commune'],
  ],
  [COMPLAINT_PAYLOADS.editPhotos, ['anh', 'hinh', 'hinh anh', 'photo', 'photos', 'picture', 'pictures', 'image', 'images']],
];

type Step = 'text' | 'sector' | 'place' | 'contact' | 'photos' | 'summary' | 'summary_more';
const STEPS: readonly Step[] = ['text', 'sector', 'place', 'contact', 'photos', 'summary', 'summary_more'];

interface Draft {
  text?: string;
  sector?: Sector;
  sectorInferred?: boolean;
  /** Page of the sector menu the citizen sees (0 = the likely ones). */
  sectorPage?: number;
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
  /** Complaints one citizen may file per day, Vietnam time (abuse limit); default DEFAULT_COMPLAINTS_PER_DAY. */
  readonly dailyLimit?: number;
  readonly logger?: Logger;
}

export class ComplaintFlow implements ConversationFlow {
  readonly name = COMPLAINT_FLOW_NAME;
  readonly ownTopics: ReadonlySet<string> = new Set(['complaint_submit']);
  private readonly matchers = new WeakMap<Directory, LocalityMatcher>();
  private readonly logger: Logger;

  constructor(private readonly deps: ComplaintFlowDeps) {
    this.logger = deps.logger ?? silentLogger();
  }

  async start(ctx: TurnContext, _match?: MatchResult): Promise<TurnOutcome> {
    // Told before writing a draft; the submission itself takes the day's unit atomically (parallel submits cannot pass the cap).
    const limit = this.deps.dailyLimit ?? DEFAULT_COMPLAINTS_PER_DAY;
    const filed = await this.deps.service.countToday(ctx.message.channel, ctx.message.requesterKey ?? ctx.message.userId, ctx.now);
    if (filed >= limit) return this.dailyLimitReached(ctx, limit);
    const draft: Draft = { photoRefs: [] };
    const notes = this.addPhotos(ctx, draft, ctx.message);
    const description = describedProblem(ctx.message.text);
    if (description) this.setText(ctx, draft, description);
    if (ctx.message.contact) this.setContact(draft, ctx.message.contact);
    const ack = { text: ctx.t(description ? 'complaint.ack_described' : 'complaint.ack_opener') };
    return this.ask(ctx, draft, [ack, ...notes]);
  }

  private dailyLimitReached(ctx: TurnContext, limit: number): TurnOutcome {
    this.logger.info({ channel: ctx.message.channel, limit }, 'daily complaint limit reached');
    return { messages: [{ text: ctx.t('complaint.daily_limit', { limit }) }], intent: 'complaint:daily_limit' };
  }

  async resume(ctx: TurnContext, state: FlowState): Promise<TurnOutcome> {
    const draft = readDraft(state.data);
    const step = stepOf(state, draft);
    const notes = this.addPhotos(ctx, draft, ctx.message);
    switch (step) {
      case 'text':
        return this.onText(ctx, draft, notes);
      case 'sector':
        return this.onSector(ctx, draft, notes);
      case 'place':
        return this.onPlace(ctx, draft, notes);
      case 'contact':
        return this.onContact(ctx, draft, notes);
      case 'photos':
        return this.onPhotos(ctx, draft, notes);
      case 'summary':
      case 'summary_more':
        return this.onSummary(ctx, step, draft, notes);
    }
  }

  fit(ctx: TurnContext, state: FlowState): StepFit {
    const draft = readDraft(state.data);
    const step = stepOf(state, draft);
    const text = ctx.message.text.trim();
    // This flow's own buttons, even from an earlier screen, and photos are never "something else".
    if (text.startsWith('#pa:') || ctx.message.attachments?.some((a) => a.kind === 'image')) return 'answer';
    switch (step) {
      case 'text':
        return 'free_text';
      case 'sector':
        return this.sectorChoice(ctx, draft) ? 'answer' : 'other';
      case 'place':
        if (ctx.message.attachments?.some((a) => a.kind === 'location') || this.skipped(ctx, 'place')) return 'answer';
        return text && this.localities().find(text) ? 'answer' : 'other';
      case 'contact':
        if (ctx.message.contact || this.skipped(ctx, 'contact') || /\d{3,}/.test(text)) return 'answer';
        return 'free_text'; // a name, or maybe something else
      case 'photos':
      case 'summary':
      case 'summary_more':
        return this.summaryChoice(ctx, step) ? 'answer' : 'other';
    }
  }

  prompt(ctx: TurnContext, state: FlowState): TurnOutcome {
    const draft = readDraft(state.data);
    return this.prompt_(ctx, stepOf(state, draft), draft, []);
  }

  // ------------------------------------------------------------ steps

  private onText(ctx: TurnContext, draft: Draft, notes: OutgoingMessage[]): TurnOutcome {
    if (!ctx.message.text.trim() && notes.length > 0) return this.prompt_(ctx, 'text', draft, notes);
    const checked = checkComplaintText(ctx.message.text);
    if (!checked.ok) {
      const text =
        checked.reason === 'too_short'
          ? ctx.t('complaint.text_too_short', { min: MIN_COMPLAINT_TEXT_LENGTH })
          : ctx.t('complaint.text_too_long', { max: MAX_COMPLAINT_TEXT_LENGTH });
      return this.keep(ctx, 'text', draft, [...notes, { text }]);
    }
    this.setText(ctx, draft, checked.text);
    return this.ask(ctx, draft, notes);
  }

  private onSector(ctx: TurnContext, draft: Draft, notes: OutgoingMessage[]): TurnOutcome {
    const choice = this.sectorChoice(ctx, draft);
    if (choice === COMPLAINT_PAYLOADS.more || choice === COMPLAINT_PAYLOADS.back) {
      const pages = this.sectorPages(ctx, draft).length;
      draft.sectorPage = choice === COMPLAINT_PAYLOADS.back ? 0 : ((draft.sectorPage ?? 0) + 1) % pages;
      return this.prompt_(ctx, 'sector', draft, notes, draft.sectorPage ? 'complaint.ask_sector_more' : undefined);
    }
    const sector = choice?.startsWith(SECTOR_PAYLOAD) ? choice.slice(SECTOR_PAYLOAD.length) : undefined;
    if (!sector || !isSector(sector)) {
      if (!ctx.message.text.trim() && notes.length > 0) return this.prompt_(ctx, 'sector', draft, notes);
      return this.prompt_(ctx, 'sector', draft, notes, 'complaint.sector_not_understood');
    }
    draft.sector = sector;
    draft.sectorInferred = false;
    draft.sectorPage = undefined;
    return this.ask(ctx, draft, notes);
  }

  private onPlace(ctx: TurnContext, draft: Draft, notes: OutgoingMessage[]): TurnOutcome {
    if (this.skipped(ctx, 'place')) {
      draft.localityId = undefined;
      draft.placeDone = true;
      return this.ask(ctx, draft, notes);
    }
    const text = ctx.message.text.trim();
    if (!text) {
      const location = ctx.message.attachments?.some((a) => a.kind === 'location');
      if (location) return this.prompt_(ctx, 'place', draft, notes, 'complaint.place_location_received');
      return this.prompt_(ctx, 'place', draft, notes);
    }
    const found = this.localities().find(text);
    if (!found) return this.prompt_(ctx, 'place', draft, notes, 'complaint.place_not_found');
    draft.localityId = found.locality.id;
    draft.placeDone = true;
    return this.ask(ctx, draft, notes);
  }

  private onContact(ctx: TurnContext, draft: Draft, notes: OutgoingMessage[]): TurnOutcome {
    if (this.skipped(ctx, 'contact')) {
      draft.contact = undefined;
      draft.contactDone = true;
      return this.ask(ctx, draft, notes);
    }
    if (ctx.message.contact) {
      this.setContact(draft, ctx.message.contact);
      return this.ask(ctx, draft, notes);
    }
    if (!ctx.message.text.trim()) return this.prompt_(ctx, 'contact', draft, notes);
    const parsed = parseContactInput(ctx.message.text);
    if (!parsed.ok) {
      const key = parsed.reason === 'invalid_phone' ? 'complaint.contact_invalid_phone' : 'complaint.contact_not_understood';
      return this.prompt_(ctx, 'contact', draft, notes, key);
    }
    // Correcting one part ("sửa số điện thoại" then the number) keeps the other.
    this.setContact(draft, { ...draft.contact, ...parsed.contact });
    return this.ask(ctx, draft, notes);
  }

  private onPhotos(ctx: TurnContext, draft: Draft, notes: OutgoingMessage[]): TurnOutcome {
    const choice = this.summaryChoice(ctx, 'photos');
    if (choice === COMPLAINT_PAYLOADS.clearPhotos) {
      draft.photoRefs = [];
      return this.prompt_(ctx, 'summary', draft, [...notes, { text: ctx.t('complaint.photos_cleared') }]);
    }
    if (choice === COMPLAINT_PAYLOADS.done) return this.prompt_(ctx, 'summary', draft, notes);
    return this.prompt_(ctx, 'photos', draft, notes);
  }

  private async onSummary(ctx: TurnContext, step: Step, draft: Draft, notes: OutgoingMessage[]): Promise<TurnOutcome> {
    switch (this.summaryChoice(ctx, step)) {
      case COMPLAINT_PAYLOADS.confirm:
        return this.submit(ctx, draft);
      case COMPLAINT_PAYLOADS.cancel: // "Hủy phản ánh" chosen by its number
        return { messages: [{ text: ctx.t('system.cancelled') }], intent: 'complaint:cancelled' };
      case COMPLAINT_PAYLOADS.more:
        return this.prompt_(ctx, 'summary_more', draft, notes);
      case COMPLAINT_PAYLOADS.back:
        return this.prompt_(ctx, 'summary', draft, notes);
      case COMPLAINT_PAYLOADS.editText:
        draft.text = undefined;
        return this.prompt_(ctx, 'text', draft, notes);
      case COMPLAINT_PAYLOADS.editSector:
        draft.sector = undefined;
        draft.sectorPage = 0;
        return this.prompt_(ctx, 'sector', draft, notes);
      case COMPLAINT_PAYLOADS.editPlace:
        draft.localityId = undefined;
        draft.placeDone = false;
        return this.prompt_(ctx, 'place', draft, notes);
      case COMPLAINT_PAYLOADS.editContact:
        draft.contactDone = false;
        return this.prompt_(ctx, 'contact', draft, notes);
      case COMPLAINT_PAYLOADS.editPhotos:
        return this.prompt_(ctx, 'photos', draft, notes);
      default:
        if (notes.length > 0 && !ctx.message.text.trim()) return this.prompt_(ctx, 'summary', draft, notes);
        return this.prompt_(ctx, step, draft, [...notes, { text: ctx.t('complaint.summary_choose') }]);
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
          ...(ctx.message.requesterKey ? { requesterKey: ctx.message.requesterKey } : {}),
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
      if (err instanceof DailyLimitReached) return this.dailyLimitReached(ctx, err.limit);
      // The error's name only: a message could quote the citizen's text.
      this.logger.error({ err: (err as Error).name, channel: ctx.message.channel }, 'complaint submission failed');
      return this.keep(ctx, 'summary', draft, [
        { text: ctx.t('complaint.submit_failed'), quickReplies: this.quickReplies(ctx, 'summary', draft) },
      ]);
    }
    const vars = { code: result.code, pin: result.pin ?? '', agency: result.agencyName, dueDate: formatDate(result.dueAt) };
    const followup = ctx.t(`complaint.followup.${ctx.message.channel}`, { code: result.code });
    const text = `${ctx.t(result.duplicate ? 'complaint.duplicate' : 'complaint.submitted', vars)}\n\n${followup}`;
    return {
      messages: [{ text, quickReplies: [{ label: ctx.t('complaint.button.track'), payload: `/tracuu ${result.code}` }] }],
      intent: result.duplicate ? 'complaint:duplicate' : 'complaint:submitted',
    };
  }

  // ------------------------------------------------------------ understanding the citizen's answers

  /** "Bỏ qua", "ko cần", "không để lại", "skip": the optional step is left empty. */
  private skipped(ctx: TurnContext, step: 'place' | 'contact'): boolean {
    const choice = resolveChoice(ctx.message.text, this.quickReplies(ctx, step, { photoRefs: [] }));
    return choice === COMPLAINT_PAYLOADS.skip || everydayAnswer(ctx.message.text) === 'no';
  }

  /** A sector button, its number on this page, a sector's label typed, or a sector named in the words. */
  private sectorChoice(ctx: TurnContext, draft: Draft): string | undefined {
    const text = ctx.message.text.trim();
    if (text.startsWith(SECTOR_PAYLOAD)) return text; // a sector button of any page
    const choice = resolveChoice(text, this.quickReplies(ctx, 'sector', draft), this.sectorAliases(ctx));
    if (choice) return choice;
    if (!text || text.startsWith('#') || text.startsWith('/')) return undefined;
    const inferred = inferSector(ctx.content.sectors, text);
    return inferred ? `${SECTOR_PAYLOAD}${inferred}` : undefined;
  }

  /** Every sector's label, in both languages, folded: a label typed works whatever page is shown. */
  private sectorAliases(ctx: TurnContext): Record<string, string> {
    const aliases: Record<string, string> = {};
    for (const s of ctx.content.sectors.sectors) {
      for (const label of Object.values(s.label)) aliases[foldForChoice(label)] = `${SECTOR_PAYLOAD}${s.id}`;
    }
    return aliases;
  }

  /** At the summary (and its "more" page, and the photo step): a button, a number, "ok", "sửa số điện thoại". */
  private summaryChoice(ctx: TurnContext, step: Step): string | undefined {
    const replies = this.quickReplies(ctx, step, { photoRefs: [] });
    const choice = resolveChoice(ctx.message.text, replies);
    if (choice) return choice;
    const answer = everydayAnswer(ctx.message.text);
    if (answer === 'yes') return step === 'photos' ? COMPLAINT_PAYLOADS.done : COMPLAINT_PAYLOADS.confirm;
    if (step === 'photos' && answer === 'no') return COMPLAINT_PAYLOADS.done;
    return editRequest(ctx.message.text, ctx.content.abbreviations);
  }

  // ------------------------------------------------------------ helpers

  private setText(ctx: TurnContext, draft: Draft, text: string): void {
    draft.text = text;
    if (!draft.sector || draft.sectorInferred) {
      const inferred = inferSector(ctx.content.sectors, text);
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
    return this.prompt_(ctx, nextStep(draft), draft, notes);
  }

  private prompt_(ctx: TurnContext, step: Step, draft: Draft, notes: OutgoingMessage[], overrideKey?: string): TurnOutcome {
    const text = overrideKey ? ctx.t(overrideKey) : this.question(ctx, step, draft);
    const replies = this.quickReplies(ctx, step, draft);
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
        return ctx.t(draft.sectorPage ? 'complaint.ask_sector_more' : 'complaint.ask_sector');
      case 'place':
        return ctx.t('complaint.ask_place');
      case 'contact':
        return ctx.t('complaint.ask_contact');
      case 'photos':
        return ctx.t('complaint.ask_photos', { count: draft.photoRefs.length, max: MAX_PHOTOS });
      case 'summary':
        return this.summary(ctx, draft);
      case 'summary_more':
        return ctx.t('complaint.summary_more');
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

  /** The sector menu's pages: the sectors the text hints at first, "other" last, five a page. */
  private sectorPages(ctx: TurnContext, draft: Draft): Sector[][] {
    const ranked = rankSectors(ctx.content.sectors, draft.text ?? '').map((r) => r.sector);
    const ordered = [...ranked.filter((s) => s !== 'other'), ...ranked.filter((s) => s === 'other')];
    const pages: Sector[][] = [];
    for (let i = 0; i < ordered.length; i += SECTORS_PER_PAGE) pages.push(ordered.slice(i, i + SECTORS_PER_PAGE));
    return pages.length ? pages : [[]];
  }

  private quickReplies(ctx: TurnContext, step: Step, draft: Draft): QuickReply[] {
    const button = (key: string, payload: string): QuickReply => ({ label: ctx.t(key), payload });
    switch (step) {
      case 'text':
        return [];
      case 'sector': {
        const pages = this.sectorPages(ctx, draft);
        const page = Math.min(draft.sectorPage ?? 0, pages.length - 1);
        const replies = pages[page].map((s) => ({ label: ctx.t(sectorLabelKey(s)), payload: `${SECTOR_PAYLOAD}${s}` }));
        if (pages.length > 1)
          replies.push(
            page < pages.length - 1
              ? button('complaint.button.more_sectors', COMPLAINT_PAYLOADS.more)
              : button('complaint.button.back', COMPLAINT_PAYLOADS.back),
          );
        return replies;
      }
      case 'place':
        return [button('complaint.button.skip', COMPLAINT_PAYLOADS.skip)];
      case 'contact':
        return [button('complaint.button.no_contact', COMPLAINT_PAYLOADS.skip)];
      case 'photos':
        return [
          button('complaint.button.done', COMPLAINT_PAYLOADS.done),
          button('complaint.button.clear_photos', COMPLAINT_PAYLOADS.clearPhotos),
        ];
      case 'summary':
        return [
          button('complaint.button.confirm', COMPLAINT_PAYLOADS.confirm),
          button('complaint.button.edit_text', COMPLAINT_PAYLOADS.editText),
          button('complaint.button.edit_sector', COMPLAINT_PAYLOADS.editSector),
          button('complaint.button.edit_place', COMPLAINT_PAYLOADS.editPlace),
          button('complaint.button.edit_contact', COMPLAINT_PAYLOADS.editContact),
          button('complaint.button.more_summary', COMPLAINT_PAYLOADS.more),
        ];
      case 'summary_more':
        return [
          button('complaint.button.edit_photos', COMPLAINT_PAYLOADS.editPhotos),
          button('complaint.button.cancel', COMPLAINT_PAYLOADS.cancel),
          button('complaint.button.back', COMPLAINT_PAYLOADS.back),
        ];
    }
  }
}

/**
 * The trigger message as the complaint's text when it describes the problem itself;
 * undefined for commands, buttons and bare openers ("tôi muốn phản ánh", "I want to complain").
 */
export function describedProblem(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (trimmed.startsWith('/') || trimmed.startsWith('#')) return undefined;
  const words = normalizeText(trimmed).foldedTokens.filter((w) => !OPENER_WORDS.has(w));
  if (words.length < DESCRIPTION_MIN_WORDS) return undefined;
  const checked = checkComplaintText(trimmed);
  return checked.ok ? checked.text : undefined;
}

/** "sửa số điện thoại", "đổi lĩnh vực", "change the phone number" → the edit payload; undefined otherwise. */
function editRequest(text: string, abbreviations: ReadonlyMap<string, string>): string | undefined {
  const folded = normalizeText(text, abbreviations).foldedTokens;
  if (folded.length === 0 || folded.length > 8 || !folded.some((w) => EDIT_VERBS.has(w))) return undefined;
  const joined = ` ${folded.join(' ')} `;
  for (const [payload, fields] of EDIT_FIELDS) if (fields.some((f) => joined.includes(` ${f} `))) return payload;
  return undefined;
}

function nextStep(draft: Draft): Step {
  if (!draft.text) return 'text';
  if (!draft.sector) return 'sector';
  if (!draft.placeDone) return 'place';
  if (!draft.contactDone) return 'contact';
  return 'summary';
}

/** The step stored with the flow, or the next missing item when the stored one is unknown. */
function stepOf(state: FlowState, draft: Draft): Step {
  return (STEPS as readonly string[]).includes(state.step) ? (state.step as Step) : nextStep(draft);
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
    sectorPage:
      typeof data.sectorPage === 'number' && Number.isInteger(data.sectorPage) && data.sectorPage >= 0 ? data.sectorPage : undefined,
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
