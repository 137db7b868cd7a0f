/**
 * The project root (the folder with package.json), found by walking up from this file,
 * so paths are right both from src/ (tsx) and from dist/src/ (compiled).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findProjectRoot(__dirname);
