/** Where the admin-edited files live, relative to the project root (overridable by env). */
import { resolve } from 'node:path';
import type { ContentPaths } from '../content/content-loader';

import { PROJECT_ROOT } from '../infra/project-root';

export { PROJECT_ROOT };

export function defaultContentPaths(env: NodeJS.ProcessEnv = process.env): ContentPaths {
  return {
    root: PROJECT_ROOT,
    intentsDir: resolve(PROJECT_ROOT, env.INTENTS_DIR ?? 'intents'),
    localesDir: resolve(PROJECT_ROOT, env.LOCALES_DIR ?? 'locales'),
    abbreviationsFile: resolve(PROJECT_ROOT, env.ABBREVIATIONS_FILE ?? 'config/abbreviations.yaml'),
    sectorsFile: resolve(PROJECT_ROOT, env.SECTORS_FILE ?? 'config/sectors.yaml'),
    proceduresDir: resolve(PROJECT_ROOT, env.PROCEDURES_DIR ?? 'procedures'),
  };
}
