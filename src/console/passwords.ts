/**
 * Console passwords: argon2id through @node-rs/argon2 (prebuilt binaries inside the npm
 * package; OWASP's recommended algorithm), with its defaults (19 MiB, 2 passes). A login
 * for an unknown account verifies against a fixed hash too, so the answer takes as long
 * as for a wrong password and does not tell which accounts exist.
 */
import { hash, verify } from '@node-rs/argon2';

const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 200;

let dummyHash: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** True when `password` matches `passwordHash`; with no hash (unknown account) does the same work and answers false. */
export async function checkPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  dummyHash ??= hash('not a password of anyone: timing only');
  const target = passwordHash ?? (await dummyHash);
  try {
    const ok = await verify(target, password.slice(0, MAX_PASSWORD_LENGTH));
    return ok && passwordHash !== undefined;
  } catch {
    return false;
  }
}

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, username: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `Mật khẩu cần ít nhất ${MIN_PASSWORD_LENGTH} ký tự.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Mật khẩu dài tối đa ${MAX_PASSWORD_LENGTH} ký tự.`;
  if (password.toLowerCase().includes(username.toLowerCase())) return 'Mật khẩu không được chứa tên đăng nhập.';
  return undefined;
}
