/**
 * Which way imports may point (run by `npm run lint`): the conversation core and the
 * complaint rules know no database, messenger or HTTP framework; no module or folder
 * cycles. See docs/architecture.md.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A module cycle makes load order matter and hides which part depends on which.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment: 'Folders form layers: if a/ uses b/, b/ must not use a/.',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-knows-no-adapters',
      severity: 'error',
      comment: 'The core (conversation, NLU, text, i18n) talks to the world through ports only.',
      from: { path: '^src/(core|nlu|text|i18n)/' },
      to: { path: '^src/(channels|storage|http|forwarding|notifications)/|node_modules/(mongoose|mongodb|fastify|telegraf|nodemailer)' },
    },
    {
      name: 'no-orphans',
      severity: 'warn',
      from: {
        orphan: true,
        pathNot: ['\\.d\\.ts$', '(^|/)\\.[^/]+\\.(js|cjs|mjs|ts|json)$', 'eslint\\.config\\.mjs$', 'jest\\.config\\.js$'],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules|tools|test-artifacts)/' },
  },
};
