/**
 * Turns an outbox delivery into the {@link AgencyMessage} a transport sends, reading the
 * complaint as it is at send time (a retry an hour later carries the current status) and
 * the words from the locale files in service now (`agency.*`, the agencies' language).
 *
 * Personal data — the citizen's text, contact and photos — goes only to the agency that
 * is responsible for the complaint now. Messages to anyone else (the coordinator's
 * dead-delivery and overdue alerts; a reminder that was queued before a transfer) carry
 * the code, sector, place and dates, which is what they need to chase the case.
 *
 * Photos are never attached: they are links to our agency API
 * (`/api/agency/complaints/:code/photos/:id`), which serves them only to the responsible
 * agency's API key. Zalo's photo URLs expire and must not leak anyway.
 */
import type { TextLookup } from '../complaints/complaint-format';
import { formatVietnamTime } from '../complaints/complaint-format';
import type { Complaint } from '../complaints/domain/complaint';
import type { TextRef } from '../complaints/domain/complaint-events';
import type { DirectorySource } from '../complaints/use-cases/ports';
import type { Locale } from '../core/messages';
import type { DeliveryItem } from './delivery-item';
import { AGENCY_EVENT_TYPES, type AgencyEventType, type AgencyMessage, type AgencyTexts, type ForwardedComplaint } from './transport';

/** The language agencies read. */
const AGENCY_LOCALE: Locale = 'vi';

/**
 * A new complaint's deliveries are stored just before the complaint (one round-trip less
 * on the submit path): a delivery whose complaint is not there yet is retried for this
 * long, then dropped as the orphan of a submission that never completed.
 */
const ORPHAN_GRACE_MS = 15 * 60_000;

/**
 * A failure to build the message; `retryable: false` sends the delivery straight to
 * `dead`; `orphan` marks a delivery that should never be sent (dropped without an alert).
 */
export class MessageBuildError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly orphan = false,
  ) {
    super(message);
    this.name = 'MessageBuildError';
  }
}

export interface AgencyMessageBuilderOptions {
  /** Reads a complaint by code (the complaint repository). */
  readonly complaints: { findByCode(code: string): Promise<Complaint | undefined> };
  readonly directory: DirectorySource;
  /** The texts in service now (they can be reloaded). */
  readonly texts: () => TextLookup;
  /** Our public base URL ("https://phananh.example.gov.vn"): photo links point at its agency API. */
  readonly apiBaseUrl: string;
  /** Page where a complaint can be followed, if the installation has one. */
  readonly publicUrl?: (code: string) => string;
  /** The sector's Vietnamese label (from config/sectors.yaml, through the content in service); the id when absent. */
  readonly sectorLabel?: (sector: string) => string;
}

export type AgencyMessageBuilder = (delivery: DeliveryItem) => Promise<AgencyMessage>;

/** The builder the delivery handler is given. */
export function createAgencyMessageBuilder(options: AgencyMessageBuilderOptions): AgencyMessageBuilder {
  return async (delivery) => {
    const event = asEventType(delivery.event);
    const complaint = await options.complaints.findByCode(delivery.complaintCode);
    if (delivery.submissionKey && complaint && complaint.submissionKey !== delivery.submissionKey) {
      // The code went to another submission (a collision): this delivery belongs to no stored complaint.
      throw new MessageBuildError(`delivery of an unfinished submission under ${delivery.complaintCode}`, false, true);
    }
    if (!complaint) {
      const age = Date.now() - (delivery.createdAt?.getTime() ?? 0);
      if (delivery.submissionKey && age < ORPHAN_GRACE_MS)
        throw new MessageBuildError(`complaint ${delivery.complaintCode} is not stored yet`, true);
      throw new MessageBuildError(`complaint ${delivery.complaintCode} does not exist`, false, Boolean(delivery.submissionKey));
    }
    const texts = options.texts();
    const forwarded = forwardedComplaint(complaint, delivery.agencyId, options, texts);
    const note = [...delivery.notices.map((n) => renderNotice(n, options.directory, texts)), delivery.note]
      .filter((line): line is string => Boolean(line))
      .join('\n');
    return {
      event,
      idempotencyKey: delivery.id,
      complaint: forwarded,
      ...(note ? { note } : {}),
      texts: agencyTexts(texts, event, delivery.id, complaint.status),
    };
  };
}

function asEventType(event: string): AgencyEventType {
  const found = AGENCY_EVENT_TYPES.find((e) => e === event);
  if (!found) throw new MessageBuildError(`unknown event '${event}'`, false);
  return found;
}

/** The words of one message from the `agency.*` texts. */
export function agencyTexts(texts: TextLookup, event: AgencyEventType, key: string, status: string): AgencyTexts {
  const t = (k: string, vars?: Readonly<Record<string, string>>): string => texts.t(AGENCY_LOCALE, k, vars);
  const label = (name: string): string => t(`agency.label.${name}`);
  return {
    title: t(`agency.event.${event.replace('.', '_')}`),
    labels: {
      code: label('code'),
      agency: label('agency'),
      sector: label('sector'),
      locality: label('locality'),
      created: label('created'),
      due: label('due'),
      status: label('status'),
      contact: label('contact'),
      track: label('track'),
      note: label('note'),
      text: label('text'),
      photos: label('photos'),
    },
    status: t(`complaint.status_label.${status}`),
    footer: t('agency.footer', { key }),
  };
}

/** A system notice in words: its parameters plus the due time in Vietnam time and the agency's name. */
function renderNotice(notice: TextRef, directory: DirectorySource, texts: TextLookup): string {
  const params = notice.params;
  const vars: Record<string, string> = { ...params };
  if (params.dueAt) vars.dueTime = formatVietnamTime(params.dueAt);
  if (params.agencyId) vars.agencyName = directory.current().agencyById.get(params.agencyId)?.name.vi ?? params.agencyId;
  return texts.t(AGENCY_LOCALE, notice.key, vars);
}

/** The complaint as `receiverId` may see it. */
function forwardedComplaint(
  complaint: Complaint,
  receiverId: string,
  options: Pick<AgencyMessageBuilderOptions, 'directory' | 'apiBaseUrl' | 'publicUrl' | 'sectorLabel'>,
  texts: TextLookup,
): ForwardedComplaint {
  const directory = options.directory.current();
  const agency = directory.agencyById.get(complaint.agencyId);
  const locality = complaint.localityId ? directory.localityById.get(complaint.localityId) : undefined;
  const responsible = receiverId === complaint.agencyId;
  const base = options.apiBaseUrl.replace(/\/+$/, '');
  const forwarded: ForwardedComplaint = {
    code: complaint.code,
    agencyId: complaint.agencyId,
    agencyName: agency?.name.vi ?? complaint.agencyId,
    sector: complaint.sector,
    sectorLabel: options.sectorLabel?.(complaint.sector) ?? texts.t(AGENCY_LOCALE, `complaint.sector.${complaint.sector}`),
    text: responsible ? complaint.text : texts.t(AGENCY_LOCALE, 'agency.withheld_text'),
    photos: responsible ? photoLinks(complaint, base) : [],
    createdAt: complaint.createdAt.toISOString(),
    dueAt: complaint.dueAt.toISOString(),
    status: complaint.status,
  };
  if (locality) forwarded.localityName = locality.name.vi;
  const contact = complaint.contact;
  if (responsible && (contact?.name || contact?.phone)) {
    forwarded.contact = { ...(contact.name ? { name: contact.name } : {}), ...(contact.phone ? { phone: contact.phone } : {}) };
  }
  if (options.publicUrl) forwarded.publicUrl = options.publicUrl(complaint.code);
  return forwarded;
}

function photoLinks(complaint: Complaint, base: string): ForwardedComplaint['photos'] {
  const links: ForwardedComplaint['photos'] = [];
  for (const photo of complaint.photos) {
    if (!photo.photoId) continue;
    const url = `${base}/api/agency/complaints/${encodeURIComponent(complaint.code)}/photos/${encodeURIComponent(photo.photoId)}`;
    links.push(photo.contentType ? { url, contentType: photo.contentType } : { url });
  }
  return links;
}

/** Personal strings of a complaint, to cut out of error texts (see outbox/safe-error.ts). */
export function personalStrings(message: AgencyMessage): string[] {
  const c = message.complaint;
  return [c.text, c.contact?.name, c.contact?.phone].filter((v): v is string => Boolean(v));
}
