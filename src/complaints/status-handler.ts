/**
 * Answers "where is my complaint?" (`complaint_status` intent, `/tracuu PA-XXXXXX`,
 * `/tracuu PA-XXXXXX 123456`).
 *
 * From anywhere, leaking nothing: the citizen who filed the complaint (same channel, same
 * user id) sees everything; anyone else sees only its status and dates, unless they add
 * the secret given at submission (the PIN, or the last 4 digits of the phone they left).
 * Wrong secrets are limited per code and per requester (the look-up use case).
 */
import type { IntentHandler, TurnContext, TurnOutcome } from '../core/flow';
import type { OutgoingMessage } from '../core/messages';
import type { MatchResult } from '../nlu/intent-matcher';
import { formatDate, sectorLabelKey, statusLabelKey } from './complaint-format';
import type { CitizenComplaintView, ComplaintService, PublicComplaintView } from './complaint-service';
import { findSecret } from './domain/status-secret';
import { normalizeTrackingCode } from './tracking-code';

const LIST_LIMIT = 5;

/** Something shaped like a code: "PA" then 4–8 letters or digits, with or without a separator. */
const CODE_LIKE = /(?<![\p{L}\p{N}])p\s?a[\s\-_.]?([\p{L}\p{N}]{4,8})(?![\p{L}\p{N}])/giu;

export type CodeSearch = { readonly kind: 'code'; readonly code: string } | { readonly kind: 'malformed' } | { readonly kind: 'none' };

/**
 * Finds a tracking code in what the citizen typed: the whole argument ("pa7k3m9x",
 * "PA 7K3M9X") or a code inside a sentence ("phản ánh PA-7K3M9X sao rồi"). `malformed`
 * when something looks like a code but is not one (a mistyped character).
 */
export function findTrackingCode(text: string): CodeSearch {
  const whole = normalizeTrackingCode(text.trim());
  if (whole) return { kind: 'code', code: whole };
  let malformed = false;
  for (const match of text.matchAll(CODE_LIKE)) {
    const code = normalizeTrackingCode(`PA${match[1]}`);
    if (code) return { kind: 'code', code };
    malformed = true;
  }
  return malformed ? { kind: 'malformed' } : { kind: 'none' };
}

/** What follows the first code-like part of `text` (where a secret may be typed). */
function textAfterCode(text: string): string {
  const match = new RegExp(CODE_LIKE.source, 'iu').exec(text);
  return match ? text.slice(match.index + match[0].length) : '';
}

export class ComplaintStatusHandler implements IntentHandler {
  constructor(private readonly deps: { readonly service: ComplaintService }) {}

  async handle(ctx: TurnContext, _match?: MatchResult, argument?: string): Promise<TurnOutcome> {
    const search = findTrackingCode(argument ?? ctx.message.text);
    if (search.kind === 'malformed' || (argument && search.kind === 'none')) {
      return { messages: [{ text: ctx.t('complaint.status.invalid_code') }], intent: 'complaint_status:invalid_code' };
    }
    if (search.kind === 'code') return this.show(ctx, search.code, findSecret(textAfterCode(argument ?? ctx.message.text)));
    return this.list(ctx);
  }

  private async show(ctx: TurnContext, code: string, secret: string | undefined): Promise<TurnOutcome> {
    const lookup = await this.deps.service.lookUp({
      code,
      channel: ctx.message.channel,
      userId: ctx.message.userId,
      locale: ctx.locale,
      ...(secret ? { secret } : {}),
    });
    if (!lookup.ok) return { messages: [{ text: ctx.t('complaint.status.not_found', { code }) }], intent: 'complaint_status:not_found' };
    if (lookup.access === 'full') return { messages: [renderStatus(ctx, lookup.complaint)], intent: 'complaint_status' };
    const hint = {
      no_secret: [ctx.t('complaint.status.secret_hint', { code })],
      wrong_secret: [ctx.t('complaint.status.secret_wrong'), ctx.t('complaint.status.secret_hint', { code })],
      locked: [ctx.t('complaint.status.secret_locked')],
    }[lookup.reason];
    return {
      messages: [{ text: [renderPublicStatus(ctx, lookup.complaint), ...hint].join('\n\n') }],
      intent: lookup.reason === 'no_secret' ? 'complaint_status:public' : `complaint_status:${lookup.reason}`,
    };
  }

  private async list(ctx: TurnContext): Promise<TurnOutcome> {
    const mine = await this.deps.service.listForCitizen(ctx.message.channel, ctx.message.userId, LIST_LIMIT, ctx.locale);
    if (mine.length === 0) return { messages: [{ text: ctx.t('complaint.status.ask_code') }], intent: 'complaint_status:ask_code' };
    const items = mine
      .map((c) =>
        ctx.t('complaint.status.list_item', { code: c.code, date: formatDate(c.createdAt), status: ctx.t(statusLabelKey(c.status)) }),
      )
      .join('\n');
    return {
      messages: [
        {
          text: ctx.t('complaint.status.list', { items }),
          quickReplies: mine.map((c) => ({ label: c.code, payload: `/tracuu ${c.code}` })),
        },
      ],
      intent: 'complaint_status:list',
    };
  }
}

/** What a code alone shows: status and dates. */
function renderPublicStatus(ctx: TurnContext, c: PublicComplaintView): string {
  const text = ctx.t('complaint.status.public_detail', {
    code: c.code,
    status: ctx.t(statusLabelKey(c.status)),
    createdDate: formatDate(c.createdAt),
    dueDate: formatDate(c.dueAt),
  });
  return c.overdue ? `${text}\n\n${ctx.t('complaint.status.overdue')}` : text;
}

/** The status card: status, agency, dates, overdue flag, the agency's answers, the rating. */
export function renderStatus(ctx: TurnContext, c: CitizenComplaintView): OutgoingMessage {
  const parts = [
    ctx.t('complaint.status.detail', {
      code: c.code,
      status: ctx.t(statusLabelKey(c.status)),
      sector: ctx.t(sectorLabelKey(c.sector)),
      agency: c.agencyName,
      createdDate: formatDate(c.createdAt),
      dueDate: formatDate(c.dueAt),
    }),
  ];
  if (c.overdue) parts.push(ctx.t('complaint.status.overdue'));
  if (c.answers.length === 0) parts.push(ctx.t('complaint.status.no_answer'));
  for (const a of c.answers) parts.push(ctx.t('complaint.status.answer', { agency: a.agencyName, date: formatDate(a.at), text: a.text }));
  if (c.rating) parts.push(ctx.t('complaint.status.rating', { score: c.rating.score }));
  const text = parts.join('\n\n');
  if (c.status === 'resolved' && !c.rating)
    return { text, quickReplies: [{ label: ctx.t('complaint.status.rate_button'), payload: `/danhgia ${c.code}` }] };
  return { text };
}
