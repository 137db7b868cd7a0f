import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PhotoFetchError, ZaloPhotoFetcher } from '../../../src/channels/zalo/zalo-photo-fetcher';
import { FakeZaloServer } from '../../fakes/zalo-oa-server';

describe('ZaloPhotoFetcher', () => {
  let fake: FakeZaloServer;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    fake = new FakeZaloServer();
    await fake.start();
    server = createServer((req, res) => {
      if (req.url === '/big.jpg') {
        // No Content-Length: the cap must cut the stream itself.
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        const chunk = Buffer.alloc(256 * 1024, 1);
        let sent = 0;
        const pump = (): void => {
          while (sent < 40) {
            sent += 1;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
      } else if (req.url === '/declared-big.jpg') {
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(6 * 1024 * 1024) }).end();
      } else if (req.url === '/page.html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
      } else if (req.url === '/slow.jpg') {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.write(Buffer.alloc(10));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await fake.close();
  });

  const reasonOf = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
      return 'resolved';
    } catch (error) {
      return error instanceof PhotoFetchError ? error.reason : `other: ${String(error)}`;
    }
  };

  it('downloads a Zalo image with its content type', async () => {
    const photo = await new ZaloPhotoFetcher().fetch(fake.imageUrl('o-ga'));
    expect(photo.contentType).toBe('image/jpeg');
    expect([photo.bytes[0], photo.bytes[1]]).toEqual([0xff, 0xd8]);
  });

  it('refuses non-http URLs, non-images, HTTP errors and hosts outside the allow-list', async () => {
    const fetcher = new ZaloPhotoFetcher();
    expect(await reasonOf(fetcher.fetch('file:///etc/passwd'))).toBe('bad_url');
    expect(await reasonOf(fetcher.fetch('not a url'))).toBe('bad_url');
    expect(await reasonOf(fetcher.fetch(`${base}/page.html`))).toBe('not_image');
    expect(await reasonOf(fetcher.fetch(`${base}/missing.jpg`))).toBe('http_error');
    const cdnOnly = new ZaloPhotoFetcher({ allowHost: (host) => host.endsWith('.zdn.vn') });
    expect(await reasonOf(cdnOnly.fetch(`${base}/big.jpg`))).toBe('bad_url');
  });

  it('caps the size, whether or not Content-Length announces it', async () => {
    const fetcher = new ZaloPhotoFetcher({ maxBytes: 5 * 1024 * 1024 });
    expect(await reasonOf(fetcher.fetch(`${base}/declared-big.jpg`))).toBe('too_large');
    expect(await reasonOf(fetcher.fetch(`${base}/big.jpg`))).toBe('too_large');
    const roomy = await new ZaloPhotoFetcher({ maxBytes: 20 * 1024 * 1024 }).fetch(`${base}/big.jpg`);
    expect(roomy.bytes.length).toBe(40 * 256 * 1024);
  });

  it('times out a download that stalls', async () => {
    const started = Date.now();
    expect(await reasonOf(new ZaloPhotoFetcher({ timeoutMs: 300 }).fetch(`${base}/slow.jpg`))).toBe('network');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
