/**
 * Reads an HTTP response body, stopping as soon as it grows past `maxBytes`: a photo
 * link must not make us download (and hold in memory) an arbitrarily large file.
 * Shared by the Telegram and Zalo photo fetchers.
 */
export type CappedBody = { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly size: number };

export async function readCappedBody(response: Response, maxBytes: number): Promise<CappedBody> {
  const reader = response.body?.getReader();
  if (!reader) return { ok: true, bytes: Buffer.alloc(0) };
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, size };
    }
    chunks.push(value);
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}
