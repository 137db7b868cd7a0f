/**
 * `.bson` files as mongodump writes them: BSON documents one after another, nothing
 * between them (each document starts with its own length, a little-endian int32).
 * With gzip, the whole file is one gzip stream named `.bson.gz` (mongodump --gzip).
 *
 * Hand-written because the `bson` package parses whole buffers only; this reads a file
 * of any size as a stream and hands out one document's bytes at a time, untouched, so
 * types (int32 vs double, decimals, binary) survive exactly.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

/** Smallest BSON document (an empty one): length, terminating zero. */
const MIN_DOCUMENT = 5;
/** MongoDB's document limit is 16 MiB; mongodump's own reader allows this much headroom. */
const MAX_DOCUMENT = 16 * 1024 * 1024 + 16 * 1024;

export class CorruptDumpError extends Error {
  constructor(file: string, offset: number, problem: string) {
    super(`${file}: ${problem} at byte ${offset} — the file is damaged or not a mongodump .bson file`);
    this.name = 'CorruptDumpError';
  }
}

/** Writes `documents` (each a serialised BSON document) to `file`, gzipped when the name ends in `.gz`. */
export async function writeBsonFile(file: string, documents: AsyncIterable<Uint8Array>): Promise<{ documents: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  async function* counted(): AsyncIterable<Uint8Array> {
    for await (const document of documents) {
      count += 1;
      bytes += document.byteLength;
      yield document;
    }
  }
  const stages: (NodeJS.ReadableStream | Transform | NodeJS.WritableStream)[] = [Readable.from(counted())];
  if (file.endsWith('.gz')) stages.push(createGzip());
  stages.push(createWriteStream(file));
  await pipeline(stages);
  return { documents: count, bytes };
}

/** Reads a `.bson` (or `.bson.gz`) file document by document, each as its exact bytes. */
export async function* readBsonFile(file: string): AsyncIterable<Buffer> {
  const source: AsyncIterable<Buffer> = file.endsWith('.gz') ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  // Chunks are joined only when a document spans them, and then once: no quadratic copying of large documents.
  let chunks: Buffer[] = [];
  let buffered = 0;
  let offset = 0; // position of the next document in the (uncompressed) file, for error messages
  const joined = (): Buffer => {
    if (chunks.length > 1) chunks = [Buffer.concat(chunks)];
    return chunks[0];
  };
  for await (const chunk of source) {
    chunks.push(chunk);
    buffered += chunk.length;
    while (buffered >= 4) {
      const head = chunks[0].length >= 4 ? chunks[0] : joined();
      const length = head.readInt32LE(0);
      if (length < MIN_DOCUMENT || length > MAX_DOCUMENT) throw new CorruptDumpError(file, offset, `impossible document length ${length}`);
      if (buffered < length) break;
      const first = chunks[0].length >= length ? chunks[0] : joined();
      if (first[length - 1] !== 0) throw new CorruptDumpError(file, offset, 'document without its terminating zero');
      yield first.subarray(0, length);
      if (first.length === length) chunks.shift();
      else chunks[0] = first.subarray(length);
      buffered -= length;
      offset += length;
    }
  }
  if (buffered > 0) throw new CorruptDumpError(file, offset, `${buffered} bytes of a cut-off document`);
}

/** Reads a file through and counts its documents; throws {@link CorruptDumpError} if it is damaged. */
export async function checkBsonFile(file: string): Promise<number> {
  let count = 0;
  for await (const document of readBsonFile(file)) if (document.length > 0) count += 1;
  return count;
}
