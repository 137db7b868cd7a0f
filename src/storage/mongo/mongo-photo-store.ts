/** Photo bytes of complaints (`complaint_photos`), read back by `_id`. */
import type { PhotoStore } from '../../complaints/use-cases/ports';
import type { Database } from './database';

export class MongoPhotoStore implements PhotoStore {
  constructor(private readonly db: Database) {}

  async save(code: string, photo: { bytes: Buffer; contentType: string }): Promise<string> {
    const doc = await this.db.models.ComplaintPhoto.create({
      complaintCode: code,
      contentType: photo.contentType,
      data: photo.bytes,
      size: photo.bytes.length,
    });
    return String(doc._id);
  }

  /** A complaint's photo, if `photoId` belongs to `code`. By `_id`; the code is checked on the document read. */
  async load(code: string, photoId: string): Promise<{ bytes: Buffer; contentType: string } | undefined> {
    if (!/^[0-9a-f]{24}$/i.test(photoId)) return undefined;
    const doc = await this.db.models.ComplaintPhoto.findById(photoId).lean();
    if (!doc || doc.complaintCode !== code) return undefined;
    const data: unknown = doc.data;
    const bytes = Buffer.isBuffer(data)
      ? data
      : typeof data === 'object' && data !== null && 'buffer' in data && data.buffer instanceof Uint8Array
        ? Buffer.from(data.buffer)
        : undefined;
    return bytes ? { bytes, contentType: doc.contentType } : undefined;
  }
}
