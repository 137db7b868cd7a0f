/**
 * Opens the MongoDB connection the service runs on: MONGODB_URI when configured (MongoDB
 * 6/7, a replica set, or any MongoDB-compatible server), else the embedded FerretDB.
 */
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../../infra/logger';
import { startEmbeddedMongo, type EmbeddedMongo } from '../embedded-ferretdb';
import { Claims, Leases } from './claims';
import { CommandMonitor } from './command-monitor';
import { createModels, ensureIndexes, type Models } from './models';

export interface Database {
  readonly connection: Connection;
  readonly models: Models;
  readonly claims: Claims;
  readonly leases: Leases;
  /** Counts the commands sent (round-trips): the benchmark's figure, the timing tests' evidence. */
  readonly commands: CommandMonitor;
  /** Where the data is, for the start-up log ("embedded FerretDB at ./data"). */
  readonly description: string;
  /** The embedded server when no URI was configured (supervision state and events, for health and metrics). */
  readonly embedded?: EmbeddedMongo;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  readonly uri?: string;
  /** Database name (overrides the one in the URI). */
  readonly dbName?: string;
  /** Data folder of the embedded server when no URI is given. */
  readonly embeddedDataDir: string;
  /** Port of the embedded server (0 or absent: any free port). */
  readonly embeddedPort?: number;
  /** When another process runs the embedded server on the same folder: use it (`attach`) or stop with a message. */
  readonly embeddedShare?: 'refuse' | 'attach';
  readonly logger: Logger;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  let embedded: EmbeddedMongo | undefined;
  let uri = options.uri;
  let description: string;
  if (uri) {
    description = `MongoDB at ${redactUri(uri)}`;
  } else {
    embedded = await startEmbeddedMongo({
      dataDir: options.embeddedDataDir,
      port: options.embeddedPort,
      share: options.embeddedShare,
      logger: options.logger.child({ component: 'embedded-db' }),
    });
    uri = embedded.uri;
    description =
      embedded.mode === 'own'
        ? `embedded FerretDB (MongoDB-compatible, SQLite) at ${embedded.uri}, data in ${embedded.dataDir}`
        : `embedded FerretDB of process ${embedded.ownerPid} at ${embedded.uri}, data in ${embedded.dataDir} (shared)`;
  }
  options.logger.info({ database: description }, 'connecting to the database');
  const connection = mongoose.createConnection(uri, {
    dbName: options.dbName,
    serverSelectionTimeoutMS: 15000,
    // The embedded server and FerretDB do not support retryable writes' sessions.
    retryWrites: false,
    // Command events feed CommandMonitor (a counter; nothing is logged).
    monitorCommands: true,
  });
  try {
    await connection.asPromise();
    const models = createModels(connection);
    const claims = new Claims(connection);
    const leases = new Leases(connection, claims);
    const commands = new CommandMonitor(connection);
    await ensureIndexes(connection);
    return {
      connection,
      models,
      claims,
      leases,
      commands,
      description,
      embedded,
      ping: async () => {
        try {
          await connection.db?.admin().command({ ping: 1 });
          return true;
        } catch {
          return false;
        }
      },
      close: async () => {
        await connection.close();
        await embedded?.stop();
      },
    };
  } catch (err) {
    await connection.close().catch(() => undefined);
    await embedded?.stop();
    throw err;
  }
}

/** Hides the password of a connection string before it is logged. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}
