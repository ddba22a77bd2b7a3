export * from './llm-answer.ts';
export * from './llm-request.ts';
