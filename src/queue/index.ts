export { PollLoop } from './poll-loop.ts';
