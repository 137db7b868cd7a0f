/**
 * Serves the web chat page (index.html, chat.js, chat.css) without @fastify/static.
 *
 * Why by hand: three small files, read once at start-up, need no dependency. The page is
 * served with its content type, an ETag (304 when unchanged), `no-cache` for the HTML (a
 * new deployment is picked up at once) and an hour of caching for the script and style,
 * plus a strict Content-Security-Policy: the page loads nothing from elsewhere, and
 * nothing runs that is not ours.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly cacheControl: string;
  readonly etag: string;
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where the page's files are: next to this module when running from the sources (tsx,
 * jest); from the compiled `dist/src/channels/web` the sources' folder is used, since tsc
 * does not copy non-TypeScript files.
 */
export function defaultPublicDir(): string {
  const candidates = [join(__dirname, 'public'), join(__dirname, '..', '..', '..', '..', 'src', 'channels', 'web', 'public')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0];
}

/** Reads the three files once; `{{botName}}` in the HTML is replaced (HTML-escaped). */
export async function loadWebAssets(publicDir: string, botName: string): Promise<ReadonlyMap<string, Asset>> {
  const html = (await readFile(join(publicDir, 'index.html'), 'utf8')).replace(/\{\{\s*botName\s*\}\}/g, escapeHtml(botName));
  return new Map([
    ['/', asset(Buffer.from(html, 'utf8'), 'text/html; charset=utf-8', 'no-cache')],
    ['/chat.js', asset(await readFile(join(publicDir, 'chat.js')), 'text/javascript; charset=utf-8', 'public, max-age=3600')],
    ['/chat.css', asset(await readFile(join(publicDir, 'chat.css')), 'text/css; charset=utf-8', 'public, max-age=3600')],
  ]);
}

/** Registers GET routes for the assets (`/` also answers `/index.html`). */
export function registerWebAssets(app: FastifyInstance, assets: ReadonlyMap<string, Asset>): void {
  for (const [path, item] of assets) {
    const handler = (request: FastifyRequest, reply: FastifyReply) => sendAsset(request, reply, item);
    app.get(path, handler);
    if (path === '/') app.get('/index.html', handler);
  }
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, item: Asset): FastifyReply {
  reply
    .header('content-type', item.contentType)
    .header('cache-control', item.cacheControl)
    .header('etag', item.etag)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', CSP);
  if (request.headers['if-none-match'] === item.etag) return reply.code(304).send();
  return reply.send(item.body);
}

function asset(body: Buffer, contentType: string, cacheControl: string): Asset {
  return { body, contentType, cacheControl, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
