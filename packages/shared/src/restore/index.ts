export * from './manifest.ts';
export * from './params.ts';
export * from './zip-directory.ts';
