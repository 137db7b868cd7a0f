/**
 * Makes a failure description fit to store (`lastError`) and to log.
 *
 * Errors come from the other side (an SMTP reply, the first bytes of an agency's HTTP
 * error page, a Telegram API description) and a receiver may echo what we sent it, i.e.
 * the citizen's text, name or phone number. Personal data must not end up in the outbox
 * or in logs, so the strings we know are personal are cut out, long digit runs (phone
 * and ID numbers) are masked, and the result is kept short.
 */

export const MAX_ERROR_LENGTH = 300;

/** `error` with every `personal` string (≥ 3 characters) and every run of 8+ digits replaced. */
export function safeErrorText(error: string, personal: readonly (string | undefined | null)[] = []): string {
  let text = error;
  for (const value of personal) {
    const needle = value?.trim();
    if (needle && needle.length >= 3) text = text.split(needle).join('[redacted]');
  }
  text = text.replace(/\+?\d[\d .-]{6,}\d/g, (run) => (run.replace(/\D/g, '').length >= 8 ? '[number]' : run));
  text = text.replace(/[\r\n\t]+/g, ' ').trim();
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/** The message of anything thrown, without its stack. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : 'unknown error';
}
