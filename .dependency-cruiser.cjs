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
      name: 'complaint-rules-know-no-adapters',
      severity: 'error',
      comment:
        'The complaint domain (pure rules) and use cases (ports only) import no database, HTTP framework, messenger, storage or channel: they are tested without a database and reused by every channel and console.',
      from: { path: '^src/complaints/(domain|use-cases)/' },
      to: {
        path: '^src/(storage|channels|http|forwarding|notifications|outbox|jobs)/|node_modules/(mongoose|mongodb|fastify|telegraf|nodemailer)',
      },
    },
    {
      name: 'complaint-domain-is-pure',
      severity: 'error',
      comment: 'The domain is rules only: it does not even know the use cases or their ports.',
      from: { path: '^src/complaints/domain/' },
      to: { path: '^src/complaints/use-cases/' },
    },
    {
      name: 'outbox-and-jobs-are-generic',
      severity: 'error',
      comment: 'The generic outbox worker and the job runner know no outbox in particular, no complaint and no database.',
      from: { path: '^src/(outbox|jobs)/' },
      to: { path: '^src/(complaints|forwarding|notifications|storage|channels|http)/|node_modules/(mongoose|mongodb)' },
    },
    {
      name: 'only-storage-knows-mongoose',
      severity: 'error',
      comment: 'Every query lives in src/storage (docs/architecture.md): nothing else imports mongoose or the driver.',
      from: { path: '^src/', pathNot: '^src/(storage|channels)/' },
      to: { path: 'node_modules/(mongoose|mongodb)/' },
    },
    {
      name: 'no-orphans',
      severity: 'warn',
      from: {
        orphan: true,
        pathNot: [
          '\\.d\\.ts$',
          '(^|/)\\.[^/]+\\.(js|cjs|mjs|ts|json)$',
          'eslint\\.config\\.mjs$',
          'jest\\.config\\.js$',
          // named by jest.config.js, not imported
          'test/support/global-(setup|teardown)\\.ts$',
          // browser scripts (web chat, console charts), served as static files
          'src/(channels/web|console)/public/',
        ],
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
