/**
 * Recognises which of the offered choices a citizen picked, however the channel sent it:
 * the quick reply's payload (button), its number (Zalo shows numbered menus, and some
 * citizens type "2" anyway) or its label typed with or without diacritics.
 */
import { foldForChoice } from '../core/everyday-answers';
import type { QuickReply } from '../core/messages';

/**
 * The payload of the chosen quick reply, or undefined. `aliases` maps extra typed words
 * (already folded: "dong y", "ok") to payloads.
 */
export function resolveChoice(
  text: string,
  replies: readonly QuickReply[],
  aliases: Readonly<Record<string, string>> = {},
): string | undefined {
  const trimmed = text.trim();
  const byPayload = replies.find((r) => r.payload === trimmed);
  if (byPayload) return byPayload.payload;
  const number = /^\s*#?\s*(\d{1,2})\s*[.)]?\s*$/.exec(trimmed);
  if (number) return replies[Number(number[1]) - 1]?.payload;
  const folded = foldForChoice(trimmed);
  if (!folded) return undefined;
  const byLabel = replies.find((r) => foldForChoice(r.label) === folded);
  return byLabel?.payload ?? aliases[folded];
}
