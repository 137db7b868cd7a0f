/**
 * Counts the commands a connection sends to the database (each is one round-trip), using
 * the driver's command monitoring. The benchmark prints round-trips per complaint with
 * it; the agency API's tests use it to show that "not yours" and "unknown" do the same
 * database work.
 */
import type { Connection } from 'mongoose';

/** One command as the monitor saw it: its name, collection and the shape of its filter (keys only, never values). */
export interface SeenCommand {
  readonly name: string;
  readonly collection?: string;
  readonly filterKeys?: string;
  readonly projectionKeys?: string;
}

const IGNORED = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'saslStart', 'saslContinue', 'buildInfo']);

export class CommandMonitor {
  private count = 0;
  private recording: SeenCommand[] | undefined;

  constructor(connection: Connection) {
    connection.getClient().on('commandStarted', (event) => {
      if (IGNORED.has(event.commandName)) return;
      this.count++;
      if (!this.recording) return;
      const command = event.command as Record<string, unknown>;
      const target = command[event.commandName];
      const filter = (command.filter ?? command.q) as Record<string, unknown> | undefined;
      const projection = command.projection as Record<string, unknown> | undefined;
      this.recording.push({
        name: event.commandName,
        ...(typeof target === 'string' ? { collection: target } : {}),
        ...(filter ? { filterKeys: Object.keys(filter).sort().join(',') } : {}),
        ...(projection ? { projectionKeys: Object.keys(projection).sort().join(',') } : {}),
      });
    });
  }

  /** Commands sent since the connection opened. */
  get total(): number {
    return this.count;
  }

  /** Runs `work` and returns the commands it sent (meaningful when nothing else uses the connection meanwhile). */
  async record<T>(work: () => Promise<T>): Promise<{ result: T; commands: SeenCommand[] }> {
    const commands: SeenCommand[] = [];
    this.recording = commands;
    try {
      return { result: await work(), commands };
    } finally {
      this.recording = undefined;
    }
  }
}
