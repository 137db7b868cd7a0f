/**
 * Turns an outbox delivery into the {@link AgencyMessage} a transport sends, reading the
 * complaint as it is at send time (a retry an hour later carries the current status).
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
import type { Database } from '../storage/mongo/database';
import type { ComplaintDoc, DeliveryDoc } from '../storage/mongo/models';
import type { DirectorySource } from './outbox';
import { AGENCY_EVENT_TYPES, type AgencyEventType, type AgencyMessage, type ForwardedComplaint } from './transport';

/** Text shown instead of the complaint when the receiver is not the responsible agency. */
export const WITHHELD_TEXT_VI = '(Nội dung phản ánh và thông tin người phản ánh chỉ được gửi cho cơ quan đang xử lý.)';

/** A failure to build the message; `retryable: false` sends the delivery straight to `dead`. */
export class MessageBuildError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'MessageBuildError';
  }
}

export interface AgencyMessageBuilderOptions {
  readonly db: Database;
  readonly directory: DirectorySource;
  /** Our public base URL ("https://phananh.example.gov.vn"): photo links point at its agency API. */
  readonly apiBaseUrl: string;
  /** Page where a complaint can be followed, if the installation has one. */
  readonly publicUrl?: (code: string) => string;
  /** The sector's Vietnamese label (from config/sectors.yaml, through the content in service); the id when absent. */
  readonly sectorLabel?: (sector: string) => string;
}

export type AgencyMessageBuilder = (delivery: DeliveryDoc) => Promise<AgencyMessage>;

/** The builder the delivery worker is given as `buildMessage`. */
export function createAgencyMessageBuilder(options: AgencyMessageBuilderOptions): AgencyMessageBuilder {
  return async (delivery) => {
    const event = asEventType(delivery.event);
    const complaint = await options.db.models.Complaint.findOne({ code: delivery.complaintCode }).lean<ComplaintDoc>();
    if (!complaint) throw new MessageBuildError(`complaint ${delivery.complaintCode} does not exist`, false);
    return {
      event,
      idempotencyKey: delivery.idempotencyKey,
      complaint: forwardedComplaint(complaint, delivery.agencyId, options),
      ...(delivery.note ? { note: delivery.note } : {}),
    };
  };
}

function asEventType(event: string): AgencyEventType {
  const found = AGENCY_EVENT_TYPES.find((e) => e === event);
  if (!found) throw new MessageBuildError(`unknown event '${event}'`, false);
  return found;
}

/** The complaint as `receiverId` may see it. */
export function forwardedComplaint(
  complaint: ComplaintDoc,
  receiverId: string,
  options: Pick<AgencyMessageBuilderOptions, 'directory' | 'apiBaseUrl' | 'publicUrl' | 'sectorLabel'>,
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
    sectorLabel: options.sectorLabel?.(complaint.sector) ?? complaint.sector,
    text: responsible ? complaint.text : WITHHELD_TEXT_VI,
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

function photoLinks(complaint: ComplaintDoc, base: string): ForwardedComplaint['photos'] {
  const links: ForwardedComplaint['photos'] = [];
  for (const photo of complaint.photos) {
    if (!photo.photoId) continue;
    const url = `${base}/api/agency/complaints/${encodeURIComponent(complaint.code)}/photos/${encodeURIComponent(photo.photoId)}`;
    links.push(photo.contentType ? { url, contentType: photo.contentType } : { url });
  }
  return links;
}

/** Personal strings of a complaint, to cut out of error texts (see safe-error.ts). */
export function personalStrings(message: AgencyMessage): string[] {
  const c = message.complaint;
  return [c.text, c.contact?.name, c.contact?.phone].filter((v): v is string => Boolean(v));
}
