/**
 * Delivers complaints to an agency's mailbox over SMTP (nodemailer).
 *
 * Retries are safe for the receiver: the Message-ID is derived from the idempotency key
 * (`<key@domain>`) and the key is also sent as `X-Idempotency-Key`, so a mail system (or
 * an agency's ticketing tool that reads the mailbox) can drop a second copy.
 *
 * Outcome classification (the SMTP reply code decides):
 * - 2xx accepted → ok;
 * - 4xx (greylisting, mailbox busy, "451 try again later") and connection/timeout/DNS
 *   problems → retryable;
 * - 5xx (no such mailbox, message refused) → permanent, except authentication failures
 *   (530/534/535, EAUTH): those are our configuration, not the message, and the same
 *   message will go through once the SMTP credentials are fixed, so they are retryable.
 */
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { messageHtml, messageSubject, messageText } from './agency-message-format';
import { deliveryFailure, type Agency, type AgencyMessage, type DeliveryResult, type Transport } from './transport';

export interface EmailTransportOptions {
  /** SMTP URL ("smtp://user:pass@host:587", "smtps://…") or nodemailer SMTP options. */
  readonly smtp: string | SMTPTransport.Options;
  /** Sender address, e.g. 'Phản ánh CCHC <phananh@kontum.gov.vn>'. */
  readonly from: string;
  /** Domain used in Message-IDs; defaults to the domain of `from`. */
  readonly messageIdDomain?: string;
}

const AUTH_CODES = new Set([530, 534, 535]);
const PERMANENT_ERROR_CODES = new Set(['EENVELOPE', 'EMESSAGE']);

/** Sends one e-mail per {@link AgencyMessage}. Call {@link close} on shutdown. */
export class EmailTransport implements Transport {
  readonly kind = 'email' as const;
  private readonly transporter: Transporter<SMTPTransport.SentMessageInfo>;
  private readonly domain: string;

  constructor(private readonly options: EmailTransportOptions) {
    this.transporter = nodemailer.createTransport(options.smtp);
    this.domain = options.messageIdDomain ?? domainOf(options.from) ?? 'localhost';
  }

  async deliver(agency: Agency, message: AgencyMessage): Promise<DeliveryResult> {
    const to = agency.delivery.email;
    if (!to) return deliveryFailure(false, `agency '${agency.id}' has no e-mail address in the directory`);
    try {
      const info = await this.transporter.sendMail({
        from: this.options.from,
        to,
        subject: messageSubject(message),
        text: messageText(message),
        html: messageHtml(message),
        messageId: messageIdFor(message.idempotencyKey, this.domain),
        headers: {
          'X-Idempotency-Key': message.idempotencyKey,
          'X-CCHC-Event': message.event,
          'X-CCHC-Complaint-Code': message.complaint.code,
        },
      });
      return { ok: true, receipt: `${info.messageId} ${info.response}`.trim() };
    } catch (err) {
      return classifySmtpError(err);
    }
  }

  /** Closes pooled SMTP connections, if any. */
  close(): void {
    this.transporter.close();
  }
}

/**
 * The Message-ID for an idempotency key: `<key@domain>` when the key is a valid
 * message-id local part, else `<sha256(key)@domain>`; the same key always gives the same id.
 */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  const plain = /^[A-Za-z0-9_+=-]+(\.[A-Za-z0-9_+=-]+)*$/.test(idempotencyKey) && idempotencyKey.length <= 200;
  const local = plain ? idempotencyKey : createHash('sha256').update(idempotencyKey).digest('hex');
  return `<${local}@${domain}>`;
}

function domainOf(address: string): string | undefined {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(address);
  return match?.[1];
}

interface SmtpErrorShape {
  message?: unknown;
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
}

/** Turns a nodemailer error into a delivery result (see the module comment for the rules). */
export function classifySmtpError(err: unknown): DeliveryResult {
  const e: SmtpErrorShape = typeof err === 'object' && err !== null ? err : {};
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const detail = typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(err);
  const what = `SMTP ${responseCode ?? code ?? 'error'}: ${detail}`;
  if (code === 'EAUTH' || (responseCode !== undefined && AUTH_CODES.has(responseCode))) {
    return deliveryFailure(true, `${what} (check the SMTP user and password in the configuration)`);
  }
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500) return deliveryFailure(true, what);
  if (responseCode !== undefined && responseCode >= 500) return deliveryFailure(false, what);
  return deliveryFailure(!(code && PERMANENT_ERROR_CODES.has(code)), what);
}
