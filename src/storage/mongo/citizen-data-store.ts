/**
 * What the service holds about one citizen, for a data-subject request (Decree 13/2023,
 * Art. 14 and 16; from 2026 the Law on Personal Data Protection): who the citizen is (the
 * platform accounts that filed a given complaint, or complaints with a given phone), and
 * everything kept about them — complaints with their history, photos (metadata; the bytes
 * stay in the database), what was sent to agencies about those complaints, notifications,
 * the conversation state, a Zalo menu. Queries here scan on FerretDB: operator requests only.
 */
import type { ChannelName } from '../../core/messages';
import type { Database } from './database';

export interface CitizenAccount {
  readonly channel: ChannelName;
  readonly userId: string;
}

export interface CitizenDataExport {
  readonly account: CitizenAccount;
  readonly complaints: readonly Record<string, unknown>[];
  readonly photos: readonly Record<string, unknown>[];
  readonly agencyDeliveries: readonly Record<string, unknown>[];
  readonly notifications: readonly Record<string, unknown>[];
  readonly conversation: Record<string, unknown> | null;
  readonly zaloMenu: Record<string, unknown> | null;
}

export class MongoCitizenDataStore {
  constructor(private readonly db: Database) {}

  private collection(name: string) {
    return this.db.connection.collection<Record<string, unknown> & { _id: never }>(name);
  }

  /** The account that filed complaint `code` (none for an unknown code or an erased complaint). */
  async accountsByCode(code: string): Promise<CitizenAccount[]> {
    // By _id (the code).
    const doc = await this.db.models.Complaint.findById(code, { channel: 1, userId: 1, personalDataErasedAt: 1 }).lean();
    if (!doc || doc.personalDataErasedAt) return [];
    return [{ channel: doc.channel as ChannelName, userId: doc.userId }];
  }

  /** The accounts that left `phone` (national digits, "0912345678") with a complaint. */
  async accountsByPhone(phone: string): Promise<CitizenAccount[]> {
    const docs = await this.db.models.Complaint.find({ 'contact.phone': phone }, { channel: 1, userId: 1 }).lean();
    const seen = new Map<string, CitizenAccount>();
    for (const d of docs) seen.set(`${d.channel}:${d.userId}`, { channel: d.channel as ChannelName, userId: d.userId });
    return [...seen.values()];
  }

  async export(account: CitizenAccount): Promise<CitizenDataExport> {
    const complaints = await this.collection('complaints')
      // The PIN's hash is left out: it only serves to check a PIN, and an export travels.
      .find({ channel: account.channel, userId: account.userId }, { projection: { pinHash: 0 } })
      .sort({ createdAt: 1 })
      .toArray();
    const codes = complaints.map((c) => String(c._id));
    const [photos, agencyDeliveries, notifications, conversation, zaloMenu] = await Promise.all([
      this.collection('complaint_photos')
        .find({ complaintCode: { $in: codes } }, { projection: { data: 0 } })
        .toArray(),
      this.collection('deliveries')
        .find({ complaintCode: { $in: codes } }, { projection: { leaseOwner: 0, leaseUntil: 0 } })
        .toArray(),
      this.collection('notifications')
        .find({ channel: account.channel, userId: account.userId }, { projection: { leaseOwner: 0, leaseUntil: 0 } })
        .toArray(),
      this.collection('conversations').findOne({ _id: `${account.channel}:${account.userId}` as never }),
      account.channel === 'zalo' ? this.collection('zalo_menus').findOne({ _id: account.userId as never }) : Promise.resolve(null),
    ]);
    return { account, complaints, photos, agencyDeliveries, notifications, conversation, zaloMenu };
  }

  /** What a channel keeps outside the complaint use cases' reach: the Zalo menu. */
  async deleteChannelRecords(account: CitizenAccount): Promise<void> {
    if (account.channel === 'zalo') await this.collection('zalo_menus').deleteOne({ _id: account.userId as never });
  }
}
