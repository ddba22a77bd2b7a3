export { freePort } from './ports.ts';
export { type Stack, type StackInfo, type StackOptions, startStack } from './stack.ts';
