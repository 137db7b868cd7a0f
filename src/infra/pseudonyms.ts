/**
 * Keyed hashes of identifiers that must not appear as they are in logs or counters (a
 * Telegram chat id, a Zalo user id, a web session id, a client's IP address) but must
 * still be correlated: the same id gives the same pseudonym, and without the key it
 * cannot be reversed by hashing every possible id (a plain SHA-256 of a 10-digit chat id
 * can). The key is shared by every process on one database (see pseudonym-key.ts).
 */
import { createHmac, randomBytes } from 'node:crypto';

export type Pseudonymize = (value: string) => string;

/** 96 bits of HMAC-SHA256, base64url: short in logs, no collisions in practice. */
export function keyedHash(key: Buffer): Pseudonymize {
  return (value) => createHmac('sha256', key).update(value, 'utf8').digest('base64url').slice(0, 16);
}

/** A fresh random key (32 bytes). */
export function newPseudonymKey(): Buffer {
  return randomBytes(32);
}
