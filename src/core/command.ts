/**
 * Recognises commands ("/tracuu PA-7K3M9Q", "/en") and quick-reply payloads
 * ("#intent:hotline") before any intent matching. Commands are exact: a citizen who
 * types "/phananh" must never be second-guessed by the classifier.
 */
import { isCancelPhrase } from './everyday-answers';
import { PROCEDURE_PAYLOAD, type AnswerPart } from '../catalog/procedure-answers';
import { ASPECTS } from '../catalog/aspects';

export type Command =
  | { readonly kind: 'start' }
  | { readonly kind: 'help' }
  | { readonly kind: 'language'; readonly locale: 'vi' | 'en' }
  | { readonly kind: 'complaint' }
  | { readonly kind: 'status'; readonly argument: string }
  /** "/danhgia PA-7K3M9Q 4": the citizen rates a resolved complaint (the rating notification's buttons send it). */
  | { readonly kind: 'rate'; readonly argument: string }
  | { readonly kind: 'cancel' }
  /** The "continue" button of a flow offered again, or of a draft kept aside. */
  | { readonly kind: 'continue' }
  /** The "drop the draft" button beside it. */
  | { readonly kind: 'discard' }
  | { readonly kind: 'intent'; readonly intent: string }
  /** A command that starts a registered flow ("/dangky": subscriptions, "/khaosat <campaign>": a survey). */
  | { readonly kind: 'flow'; readonly flow: string; readonly argument: string }
  /** A button of a catalog answer: one aspect (or all) of one procedure. */
  | { readonly kind: 'procedure'; readonly id: string; readonly part: AnswerPart };

/** Quick-reply payloads of the engine's own offers. */
export const FLOW_PAYLOADS = { continue: '#flow:continue', discard: '#flow:discard' } as const;

const COMMANDS: Record<string, (arg: string) => Command> = {
  start: () => ({ kind: 'start' }),
  help: () => ({ kind: 'help' }),
  menu: () => ({ kind: 'help' }),
  trogiup: () => ({ kind: 'help' }),
  en: () => ({ kind: 'language', locale: 'en' }),
  english: () => ({ kind: 'language', locale: 'en' }),
  vi: () => ({ kind: 'language', locale: 'vi' }),
  tiengviet: () => ({ kind: 'language', locale: 'vi' }),
  phananh: () => ({ kind: 'complaint' }),
  kiennghi: () => ({ kind: 'complaint' }),
  complaint: () => ({ kind: 'complaint' }),
  tracuu: (arg) => ({ kind: 'status', argument: arg }),
  status: (arg) => ({ kind: 'status', argument: arg }),
  danhgia: (arg) => ({ kind: 'rate', argument: arg }),
  rate: (arg) => ({ kind: 'rate', argument: arg }),
  huy: () => ({ kind: 'cancel' }),
  dangky: (arg) => ({ kind: 'flow', flow: 'subscription', argument: arg }),
  subscribe: (arg) => ({ kind: 'flow', flow: 'subscription', argument: arg }),
  huydangky: () => ({ kind: 'intent', intent: 'news_unsubscribe' }),
  unsubscribe: () => ({ kind: 'intent', intent: 'news_unsubscribe' }),
  tinmoi: () => ({ kind: 'intent', intent: 'news_latest' }),
  news: () => ({ kind: 'intent', intent: 'news_latest' }),
  khaosat: (arg) => ({ kind: 'flow', flow: 'survey', argument: arg }),
  survey: (arg) => ({ kind: 'flow', flow: 'survey', argument: arg }),
  cancel: () => ({ kind: 'cancel' }),
};

export function parseCommand(text: string): Command | undefined {
  const trimmed = text.trim();
  if (trimmed === FLOW_PAYLOADS.continue) return { kind: 'continue' };
  if (trimmed === FLOW_PAYLOADS.discard) return { kind: 'discard' };
  const payload = /^#intent:([a-z][a-z0-9_]*)$/.exec(trimmed);
  if (payload) return { kind: 'intent', intent: payload[1] };
  const procedure = PROCEDURE_PAYLOAD.exec(trimmed);
  if (procedure && (procedure[2] === 'all' || (ASPECTS as readonly string[]).includes(procedure[2])))
    return { kind: 'procedure', id: procedure[1], part: procedure[2] as AnswerPart };
  // Telegram appends the bot's name in groups: "/tracuu@cchc_bot PA-…".
  const match = /^\/([A-Za-z]+)(?:@\w+)?(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (match) {
    const factory = COMMANDS[match[1].toLowerCase()];
    return factory ? factory((match[2] ?? '').trim()) : undefined;
  }
  const lower = trimmed
    .normalize('NFC')
    .toLowerCase()
    .replace(/[.!]+$/, '');
  if (lower === 'menu') return { kind: 'help' };
  // "hủy", "thôi, không gửi nữa", "never mind": whole messages only (see everyday-answers.ts).
  if (isCancelPhrase(lower)) return { kind: 'cancel' };
  return undefined;
}
