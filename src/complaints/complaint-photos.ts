/**
 * Photos a citizen attaches to a complaint: how many, how large, and the port through
 * which a channel downloads the ones it references.
 *
 * Why download at all: Zalo's image URLs expire and Telegram file ids need the bot's
 * token to be read, so an agency opening the complaint days later could see nothing.
 * Each channel that can download gives a {@link PhotoFetcher}; the submit use case keeps
 * the bytes (use-cases/submit-complaint.ts).
 */
export { MAX_PHOTOS } from './domain/limits';

/** Downloads a photo from the channel that referenced it; undefined when it cannot. */
export interface PhotoFetcher {
  fetch(ref: string): Promise<{ bytes: Buffer; contentType: string } | undefined>;
}
