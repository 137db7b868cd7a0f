/**
 * Downloads a photo a citizen sent on Zalo, to keep it with their complaint.
 *
 * Why download at all: Zalo's attachment URLs expire, and an agency may open the
 * complaint weeks later. Why so defensive: the URL arrives in a webhook body, so it is
 * checked (http/https only), the download is capped in size (5 MB by default; the stream
 * is cut as soon as it goes over, whatever Content-Length claimed) and in time, and only
 * images are accepted.
 */
import { readCappedBody } from '../read-capped-body';

export interface FetchedPhoto {
  readonly bytes: Buffer;
  readonly contentType: string;
}

export interface ZaloPhotoFetcherOptions {
  /** Largest accepted photo in bytes; default 5 MB. */
  readonly maxBytes?: number;
  /** Whole-download timeout; default 15 s. */
  readonly timeoutMs?: number;
  /** Optional allow-list of hosts (e.g. Zalo's CDN); default: any host. */
  readonly allowHost?: (hostname: string) => boolean;
  readonly fetch?: typeof fetch;
}

/** Why a photo could not be fetched; `message` never contains the URL's query (it may carry a token). */
export class PhotoFetchError extends Error {
  override readonly name = 'PhotoFetchError';

  constructor(
    message: string,
    readonly reason: 'bad_url' | 'too_large' | 'not_image' | 'http_error' | 'network',
  ) {
    super(message);
  }
}

const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 15_000;

export class ZaloPhotoFetcher {
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: ZaloPhotoFetcherOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchFn = options.fetch ?? globalThis.fetch;
  }

  async fetch(url: string): Promise<FetchedPhoto> {
    const target = this.checkUrl(url);
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await this.fetchFn(target, { signal, redirect: 'follow', headers: { accept: 'image/*' } });
    } catch {
      throw new PhotoFetchError(`photo download from ${target.host} failed or timed out`, 'network');
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new PhotoFetchError(`photo download from ${target.host} answered HTTP ${response.status}`, 'http_error');
    }
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!contentType.startsWith('image/')) {
      await response.body?.cancel().catch(() => undefined);
      throw new PhotoFetchError(`photo download from ${target.host} is not an image (${contentType || 'no type'})`, 'not_image');
    }
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > this.maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new PhotoFetchError(`photo is larger than ${this.maxBytes} bytes`, 'too_large');
    }
    return { bytes: await this.readCapped(response, target.host), contentType };
  }

  private checkUrl(url: string): URL {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new PhotoFetchError('photo URL is not a URL', 'bad_url');
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new PhotoFetchError(`photo URL scheme ${target.protocol} is not allowed`, 'bad_url');
    }
    if (this.options.allowHost && !this.options.allowHost(target.hostname)) {
      throw new PhotoFetchError(`photo host ${target.hostname} is not allowed`, 'bad_url');
    }
    return target;
  }

  /** Reads the body, stopping as soon as it exceeds the cap. */
  private async readCapped(response: Response, host: string): Promise<Buffer> {
    let body;
    try {
      body = await readCappedBody(response, this.maxBytes);
    } catch {
      throw new PhotoFetchError(`photo download from ${host} was interrupted or timed out`, 'network');
    }
    if (!body.ok) throw new PhotoFetchError(`photo is larger than ${this.maxBytes} bytes`, 'too_large');
    return body.bytes;
  }
}
