/**
 * Yes, no and "never mind" as people really type them, in Vietnamese with or without
 * marks, in teencode and in English: "ok", "đúng rồi", "dung roi gui di", "ko cần",
 * "bỏ qua", "thôi, không gửi nữa", "yes please".
 *
 * A message counts as an answer only when EVERY word of it belongs to the answer's
 * vocabulary (plus politeness particles) and at least one word carries the meaning:
 * "đúng rồi gửi đi" is a yes, "đúng là cán bộ đòi tiền" is not — it is a sentence
 * that happens to start with "đúng".
 */
import { foldDiacritics } from '../text/vietnamese';

export type EverydayAnswer = 'yes' | 'no';

/** Lower case, no diacritics (đ → d), words separated by single spaces. */
export function foldForChoice(text: string): string {
  return foldDiacritics(text.normalize('NFC').toLowerCase())
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Words that add politeness or emphasis and nothing else. */
const PARTICLES = words(
  'a ah ak nhe nha nhen nghe ha he ad admin oi bot ban anh chi em e minh toi please pls plz thanks thank you ' + 'luon di',
);

/** Words that carry a yes, alone or together ("đúng rồi", "gửi đi", "ok luôn"). */
const YES_CORE = words(
  'ok oke okay okie oki okela uh uhm um u vang da co dung chuan duoc dong y xac nhan gui tiep tuc yes yeah yep yup sure ' +
    'confirm correct right send continue agree',
);
/** Words that may sit beside a yes word without changing it. */
const YES_EXTRA = words('roi vay the ay la het luon nay cai it go ahead that s fine good ly');

/** Words that carry a no, a skip or a "not needed" ("ko cần", "bỏ qua", "không để lại"). */
const NO_CORE = words('khong ko k kh hong hok khum kg no nope none chua khoi bo qua skip nah not never thoi');
const NO_EXTRA = words('can muon de lai co gi dau roi nua thoi cam on thanks later need want it this one so dien thoai ten lien he');

/**
 * Whole-message phrases that end a multi-step conversation, besides "/huy" and "hủy":
 * "thôi, không gửi nữa", "thoi khong gui nua", "never mind". Folded.
 */
const CANCEL_PHRASES = new Set([
  'huy',
  'huy bo',
  'huy di',
  'huy phan anh',
  'huy gui',
  'thoat',
  'stop',
  'cancel',
  'cancel it',
  'cancel complaint',
  'thoi',
  'thoi khong gui nua',
  'thoi khong gui',
  'thoi khong can nua',
  'thoi khong can',
  'thoi bo di',
  'thoi huy di',
  'thoi khoi',
  'thoi khoi gui',
  'khong gui nua',
  'khong muon gui nua',
  'khong phan anh nua',
  'bo di',
  'never mind',
  'nevermind',
  'forget it',
  'quit',
  'exit',
]);
/** "dừng" folds to "dung", which is also "đúng" (right): only the accented forms cancel. */
const ACCENTED_CANCEL = new Set(['dừng', 'dừng lại', 'dừng đi']);

/** True when the whole message asks to abandon what is in progress. */
export function isCancelPhrase(text: string): boolean {
  const lower = text
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  if (ACCENTED_CANCEL.has(lower)) return true;
  const folded = foldForChoice(text.replace(/\bko\b|\bk\b/gi, 'khong'))
    .split(' ')
    .filter((w) => !PARTICLES.has(w) || w === 'di')
    .join(' ');
  return CANCEL_PHRASES.has(folded);
}

/** "yes", "no", or undefined when the message is something else. */
export function everydayAnswer(text: string): EverydayAnswer | undefined {
  const tokens = foldForChoice(text).split(' ').filter(Boolean);
  if (tokens.length === 0 || tokens.length > 8) return undefined;
  if (covers(tokens, YES_CORE, YES_EXTRA) && !tokens.some((t) => NO_CORE.has(t))) return 'yes';
  if (covers(tokens, NO_CORE, NO_EXTRA)) return 'no';
  return undefined;
}

function covers(tokens: readonly string[], core: ReadonlySet<string>, extra: ReadonlySet<string>): boolean {
  return tokens.some((t) => core.has(t)) && tokens.every((t) => core.has(t) || extra.has(t) || PARTICLES.has(t));
}

function words(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter(Boolean));
}
