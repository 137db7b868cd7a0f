/**
 * Backup and restore of one database in mongodump's directory format, so a dump made
 * here restores with `mongorestore` into a real MongoDB and a `mongodump` of a MongoDB
 * restores here:
 *
 *     <out>/<database>/<collection>.bson            documents, concatenated BSON
 *     <out>/<database>/<collection>.metadata.json   {options?, indexes, collectionName, type}
 *                                                   in canonical Extended JSON
 *
 * (`.gz` appended to both with gzip, as `mongodump --gzip` does.) Documents are copied
 * as their exact bytes on the way out and re-serialised without promoting numbers on the
 * way in, so an int32 stays an int32 and a double a double. Like mongodump without
 * `--oplog`, a dump of a running service is per-collection consistent, not a snapshot
 * of the whole database (FerretDB has no transactions to offer one).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import mongoose, { type mongo } from 'mongoose';
import { checkBsonFile, readBsonFile, writeBsonFile } from './bson-file';

const { BSON } = mongoose.mongo;

export interface CollectionSummary {
  readonly name: string;
  readonly documents: number;
  readonly indexes: number;
}

export interface DumpSummary {
  /** The folder holding the collection files (`<out>/<database>`). */
  readonly dir: string;
  readonly collections: readonly CollectionSummary[];
}

/** What mongodump writes in `<collection>.metadata.json` (mongo-tools' `Metadata` struct). */
interface CollectionMetadata {
  options?: mongo.Document;
  indexes: mongo.Document[];
  collectionName: string;
  type: string;
}

/** The target already holds data and `drop` was not asked for: restoring would mix two states. */
export class RestoreTargetNotEmptyError extends Error {
  constructor(readonly collections: readonly string[]) {
    super(
      `the target database already has documents in ${collections.join(', ')}; ` +
        'restore into an empty database, or pass --drop to replace those collections',
    );
    this.name = 'RestoreTargetNotEmptyError';
  }
}

/** Largest batch sent in one insert, by count and by bytes (well under MongoDB's 48 MB message limit). */
const BATCH_DOCUMENTS = 1000;
const BATCH_BYTES = 8 * 1024 * 1024;

/** Dumps every collection of `db` (not `system.*`, not views) under `<outDir>/<database name>/`. */
export async function dumpDatabase(db: mongo.Db, outDir: string, options: { gzip?: boolean } = {}): Promise<DumpSummary> {
  const dir = join(outDir, db.databaseName);
  await mkdir(dir, { recursive: true });
  const existing = await readdir(dir);
  if (existing.length > 0) throw new Error(`${dir} is not empty: choose a new folder for the backup`);
  const gz = options.gzip ? '.gz' : '';
  const infos = await db.listCollections({}, { nameOnly: false }).toArray();
  const names = infos
    .filter((info) => info.type !== 'view' && !info.name.startsWith('system.'))
    .map((info) => ({ name: info.name, options: 'options' in info ? info.options : undefined }))
    .sort((a, b) => dumpOrder(a.name) - dumpOrder(b.name) || a.name.localeCompare(b.name));
  const collections: CollectionSummary[] = [];
  for (const { name, options: collectionOptions } of names) {
    const collection = db.collection(name);
    const indexes = (await collection.listIndexes().toArray()) as mongo.Document[];
    const metadata: CollectionMetadata = {
      ...(collectionOptions && Object.keys(collectionOptions).length > 0 ? { options: collectionOptions } : {}),
      indexes,
      collectionName: name,
      type: 'collection',
    };
    const json = Buffer.from(BSON.EJSON.stringify(metadata, { relaxed: false }), 'utf8');
    await writeFile(join(dir, `${name}.metadata.json${gz}`), gz ? gzipSync(json) : json);
    // raw: the driver hands out each document's bytes as stored, with nothing re-encoded.
    const cursor = collection.find({}, { raw: true }) as unknown as AsyncIterable<Uint8Array>;
    const written = await writeBsonFile(join(dir, `${name}.bson${gz}`), cursor);
    collections.push({ name, documents: written.documents, indexes: indexes.length });
  }
  return { dir, collections };
}

/**
 * Restores the collections of a mongodump folder (`<out>/<database>`) into `db`: with
 * `drop`, each dumped collection is dropped first; without, the target collections
 * must be empty. Every file is read through first, so a damaged dump is refused before
 * anything changes. Indexes are built after the documents are in, as mongorestore does.
 */
export async function restoreDatabase(db: mongo.Db, dumpDir: string, options: { drop?: boolean } = {}): Promise<DumpSummary> {
  const files = await dumpFilesIn(dumpDir);
  if (files.size === 0) throw new Error(`${dumpDir} holds no mongodump files (<collection>.bson or .bson.gz)`);
  const names = [...files.keys()].sort((a, b) => a.localeCompare(b));
  // Read every file through before touching the database: a damaged dump changes nothing.
  for (const { bson, metadata } of files.values()) {
    if (bson) await checkBsonFile(bson);
    if (metadata) await readMetadata(metadata);
  }
  if (!options.drop) {
    const occupied: string[] = [];
    for (const name of names) if (await db.collection(name).findOne({}, { projection: { _id: 1 } })) occupied.push(name);
    if (occupied.length) throw new RestoreTargetNotEmptyError(occupied);
  }
  const collections: CollectionSummary[] = [];
  for (const name of names) {
    const { bson, metadata: metadataFile } = files.get(name)!;
    const metadata = metadataFile ? await readMetadata(metadataFile) : undefined;
    if (options.drop) await db.collection(name).drop().catch(ignoreNamespaceNotFound);
    // Created explicitly, as mongorestore does, so an empty collection comes back too.
    await db.createCollection(name, metadata?.options ?? {}).catch(ignoreNamespaceExists);
    const documents = bson ? await insertAll(db.collection(name), bson) : 0;
    const indexes = (metadata?.indexes ?? []).filter((index) => index.name !== '_id_').map(({ v: _v, ns: _ns, ...spec }) => spec);
    // One index per command: FerretDB v1 drops the connection on a multi-index createIndexes
    // when some of them already exist (measured); one at a time works on both servers.
    for (const index of indexes) await db.command({ createIndexes: name, indexes: [index] });
    collections.push({ name, documents, indexes: indexes.length + 1 });
  }
  return { dir: dumpDir, collections };
}

/**
 * Complaints are read before everything else, deliveries in particular. A new
 * complaint is stored after its deliveries, and a hand-over is marked
 * `deliveriesPlanned` only after its deliveries are stored; so in a dump of a running
 * service every complaint either has its deliveries in the dump or still needs planning
 * (the re-planning job does it after a restore): none loses its way to the agency.
 */
function dumpOrder(collection: string): number {
  return collection === 'complaints' ? 0 : 1;
}

async function insertAll(collection: mongo.Collection, file: string): Promise<number> {
  let batch: mongo.Document[] = [];
  let batchBytes = 0;
  let count = 0;
  const flush = async (): Promise<void> => {
    if (!batch.length) return;
    await collection.insertMany(batch, { ordered: true });
    count += batch.length;
    batch = [];
    batchBytes = 0;
  };
  for await (const raw of readBsonFile(file)) {
    // promoteValues: false keeps Int32/Double/Long wrappers, so each number is written back with its own type.
    batch.push(BSON.deserialize(raw, { promoteValues: false, bsonRegExp: true }));
    batchBytes += raw.length;
    if (batch.length >= BATCH_DOCUMENTS || batchBytes >= BATCH_BYTES) await flush();
  }
  await flush();
  return count;
}

async function readMetadata(file: string): Promise<CollectionMetadata> {
  const bytes = await readFile(file);
  const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  try {
    const parsed = BSON.EJSON.parse(text, { relaxed: false }) as Partial<CollectionMetadata>;
    return { indexes: Array.isArray(parsed.indexes) ? parsed.indexes : [], collectionName: '', type: 'collection', ...parsed };
  } catch (err) {
    throw new Error(`${file}: not valid Extended JSON (${(err as Error).message})`);
  }
}

/** Collection name → its `.bson` and `.metadata.json` files (either may be gzipped, either may be missing). */
async function dumpFilesIn(dir: string): Promise<Map<string, { bson?: string; metadata?: string }>> {
  const files = new Map<string, { bson?: string; metadata?: string }>();
  for (const entry of await readdir(dir)) {
    const match = /^(.+?)\.(bson|metadata\.json)(\.gz)?$/.exec(entry);
    if (!match || match[1].startsWith('system.')) continue;
    const slot = files.get(match[1]) ?? {};
    if (match[2] === 'bson') slot.bson = join(dir, entry);
    else slot.metadata = join(dir, entry);
    files.set(match[1], slot);
  }
  return files;
}

function ignoreNamespaceExists(err: unknown): void {
  if ((err as { codeName?: string }).codeName === 'NamespaceExists') return;
  throw err;
}

function ignoreNamespaceNotFound(err: unknown): void {
  if ((err as { codeName?: string }).codeName === 'NamespaceNotFound' || /ns not found/i.test(String(err))) return;
  throw err;
}
