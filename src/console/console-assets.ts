/**
 * The console's static files: its stylesheet, its chart script and Chart.js itself (the UMD
 * build next to the package's entry point; the package exports no path to it), served
 * from node_modules (no CDN: the pages load nothing from elsewhere). Read once, served
 * with an ETag and a day of caching.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

function publicDir(): string {
  const candidates = [join(__dirname, 'public'), join(__dirname, '..', '..', '..', 'src', 'console', 'public')];
  return candidates.find((dir) => existsSync(join(dir, 'console.css'))) ?? candidates[0];
}

export function registerConsoleAssets(scope: FastifyInstance): void {
  const dir = publicDir();
  const files: [string, string, string][] = [
    ['/assets/console.css', join(dir, 'console.css'), 'text/css; charset=utf-8'],
    ['/assets/console-charts.js', join(dir, 'console-charts.js'), 'text/javascript; charset=utf-8'],
    ['/assets/chart.umd.min.js', join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'text/javascript; charset=utf-8'],
  ];
  for (const [path, file, type] of files) {
    const body = readFileSync(file);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    scope.get(path, async (request, reply) => {
      reply.header('content-type', type).header('etag', etag).header('cache-control', 'public, max-age=86400');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.send(body);
    });
  }
}
