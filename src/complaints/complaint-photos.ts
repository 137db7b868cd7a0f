/**
 * Keeps the photos a citizen attaches to a complaint.
 *
 * Why download at all: Zalo's image URLs expire and Telegram file ids need the bot's
 * token to be read, so an agency opening the complaint days later could see nothing.
 * Each channel that can download gives a {@link PhotoFetcher}; the bytes go to
 * `complaint_photos`. Without a fetcher, or when a download fails, the channel's
 * reference is still recorded (retrying later is a separate job).
 */
import type { Logger } from '../infra/logger';
import type { Database } from '../storage/mongo/database';

export const MAX_PHOTOS = 5;
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

/** Downloads a photo from the channel that referenced it; undefined when it cannot. */
export interface PhotoFetcher {
  fetch(ref: string): Promise<{ bytes: Buffer; contentType: string } | undefined>;
}

export interface StoredPhotoRef {
  readonly sourceRef: string;
  readonly photoId?: string;
  readonly contentType?: string;
  readonly size?: number;
}

/** Downloads and stores up to {@link MAX_PHOTOS} photos; never throws for a bad photo. */
export async function storePhotos(
  db: Database,
  code: string,
  refs: readonly string[],
  fetcher: PhotoFetcher | undefined,
  logger: Logger,
): Promise<StoredPhotoRef[]> {
  const result: StoredPhotoRef[] = [];
  for (const sourceRef of refs.slice(0, MAX_PHOTOS)) {
    result.push(await storeOne(db, code, sourceRef, fetcher, logger));
  }
  return result;
}

async function storeOne(
  db: Database,
  code: string,
  sourceRef: string,
  fetcher: PhotoFetcher | undefined,
  logger: Logger,
): Promise<StoredPhotoRef> {
  if (!fetcher) return { sourceRef };
  try {
    const photo = await fetcher.fetch(sourceRef);
    if (!photo) return { sourceRef };
    if (photo.bytes.length > MAX_PHOTO_BYTES) {
      logger.warn({ code, size: photo.bytes.length }, 'complaint photo larger than the limit: kept as a reference only');
      return { sourceRef };
    }
    const doc = await db.models.ComplaintPhoto.create({
      complaintCode: code,
      contentType: photo.contentType,
      data: photo.bytes,
      size: photo.bytes.length,
    });
    return { sourceRef, photoId: String(doc._id), contentType: photo.contentType, size: photo.bytes.length };
  } catch (err) {
    // The error's name only: a download URL in the message may carry a bot token.
    logger.warn({ code, err: (err as Error).name }, 'complaint photo download failed: kept as a reference only');
    return { sourceRef };
  }
}
