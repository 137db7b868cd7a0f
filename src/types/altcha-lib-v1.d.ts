// moduleResolution "node" does not read package "exports", where altcha-lib declares its
// `altcha-lib/v1` entry; Node and tsx resolve it at run time, this gives TypeScript its types.
declare module 'altcha-lib/v1' {
  export * from 'altcha-lib/dist/cjs/v1/index';
}
