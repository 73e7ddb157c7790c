export {
  type EnqueueJobInput,
  enqueueJob,
  type JobHandler,
  JobWorker,
  type JobWorkerOptions,
  PermanentJobError,
  RetryLaterError,
} from './job-queue.ts';
export { PollLoop } from './poll-loop.ts';
export { queueMigrations } from './queue-migrations.ts';
