/**
 * Downloads a photo a citizen sent on Telegram (by its file_id) so it can be kept with the
 * complaint: a file_id is only readable with the bot's token, so an agency could never
 * open it otherwise. getFile gives a path; the bytes come from the apiRoot's file URL
 * (which embeds the token: it is never logged).
 *
 * Capped in size (5 MB by default, cut while streaming) and time. Telegram serves files as
 * application/octet-stream, so the image type is read from the bytes themselves.
 */
import type { Logger } from '../../infra/logger';
import { silentLogger } from '../../infra/logger';
import type { TelegramApi } from './telegram-api';
import { readCappedBody } from '../read-capped-body';

export interface TelegramPhotoFetcherOptions {
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly logger?: Logger;
}

export class TelegramPhotoFetcher {
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly logger: Logger;

  constructor(
    private readonly api: Pick<TelegramApi, 'fileUrl'>,
    options: TelegramPhotoFetcherOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.logger = options.logger ?? silentLogger();
  }

  /** The photo's bytes and image type; undefined (logged) when it cannot be had. */
  async fetch(ref: string): Promise<{ bytes: Buffer; contentType: string } | undefined> {
    let url: URL;
    try {
      url = await this.api.fileUrl(ref);
    } catch (error) {
      this.logger.warn({ err: describe(error) }, 'telegram getFile failed');
      return undefined;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.logger.warn({ protocol: url.protocol }, 'telegram file is not downloadable over http(s)');
      return undefined;
    }
    try {
      const bytes = await this.download(url);
      if (!bytes) return undefined;
      const contentType = sniffImageType(bytes);
      if (!contentType) {
        this.logger.warn({ size: bytes.length }, 'telegram file is not an image');
        return undefined;
      }
      return { bytes, contentType };
    } catch (error) {
      this.logger.warn({ err: describe(error) }, 'telegram file download failed');
      return undefined;
    }
  }

  private async download(url: URL): Promise<Buffer | undefined> {
    const response = await this.fetchFn(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      this.logger.warn({ status: response.status }, 'telegram file download refused');
      return undefined;
    }
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > this.maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      this.logger.warn({ size: declared }, 'telegram file larger than the limit');
      return undefined;
    }
    if (!response.body) return undefined;
    const body = await readCappedBody(response, this.maxBytes);
    if (!body.ok) {
      this.logger.warn({ size: body.size }, 'telegram file larger than the limit');
      return undefined;
    }
    return body.bytes;
  }
}

/** JPEG, PNG, WebP or GIF from the first bytes; undefined for anything else. */
export function sniffImageType(bytes: Buffer): string | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) return 'image/png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.toString('latin1', 0, 6))) return 'image/gif';
  return undefined;
}

function describe(error: unknown): string {
  // Never the message of a fetch error: it may contain the file URL, and the URL the token.
  if (error instanceof Error) return error.name;
  return typeof error;
}
