/**
 * Makes a new API key for an agency's system (docs/agency-api.md):
 *
 *     npx tsx src/cli/agency-key.ts [agency-id]
 *
 * Prints the key ONCE — give it to the agency over a secure channel; it is not stored
 * anywhere — and the SHA-256 line to paste into the agency's `apiKeyHashes` in the
 * directory file. Only the hash is kept by the province, so a leaked directory file does
 * not leak keys. To revoke a key, delete its hash from the directory.
 */
import { randomBytes } from 'node:crypto';
import { DirectoryId } from '../complaints/directory/directory-schema';
import { hashApiKey } from '../http/agency-api';

/** Prefix that makes keys recognisable in secret scanners and support requests. */
export const API_KEY_PREFIX = 'cchc_';

/** A new key: the prefix and 32 random bytes, base64url (≈ 48 characters, 256 bits). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The lines printed for the administrator. */
export function keyInstructions(key: string, agencyId?: string): string {
  const hash = hashApiKey(key);
  const agency = agencyId ?? '<agency-id>';
  return [
    `API key for ${agency} (shown only now; give it to the agency through a secure channel):`,
    '',
    `  ${key}`,
    '',
    `Add this line under apiKeyHashes of agency '${agency}' in the directory file:`,
    '',
    `    - ${hash}`,
    '',
    `The key will appear in complaint histories as apikey:${hash.slice(0, 8)}.`,
  ].join('\n');
}

function main(argv: readonly string[]): number {
  const agencyId = argv[0];
  if (agencyId !== undefined && !DirectoryId.safeParse(agencyId).success) {
    process.stderr.write(
      `'${agencyId}' is not an agency id (kebab-case, e.g. ubnd-huyen-dak-ha)\nUsage: npx tsx src/cli/agency-key.ts [agency-id]\n`,
    );
    return 2;
  }
  process.stdout.write(`${keyInstructions(generateApiKey(), agencyId)}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
