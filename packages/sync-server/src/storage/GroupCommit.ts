/** What a batch answers for each of its jobs, in order: a result, or the error that job is refused with. */
export type BatchOutcome<Result> = Result | Error;

interface Waiting<Job, Result> {
  job: Job;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/** Jobs of one key (a tenant) in one batch at most. */
export const DEFAULT_MAX_BATCH = 32;

/**
 * Group commit for jobs that each need a transaction: per key (a tenant),
 * one batch runs at a time, and the jobs that arrive while it runs go
 * together in the next. A job alone starts at once (no delay added to a
 * lone upload); under load, N concurrent jobs cost one transaction instead
 * of N. `run` answers each job's outcome in order (an `Error` rejects only
 * that job); if it throws, the transaction failed and every job of the
 * batch is rejected with the error.
 */
export class GroupCommit<Job, Result> {
  readonly #run: (key: string, jobs: Job[]) => Promise<BatchOutcome<Result>[]>;
  readonly #maxBatch: number;
  readonly #queues = new Map<string, Waiting<Job, Result>[]>();

  constructor(run: (key: string, jobs: Job[]) => Promise<BatchOutcome<Result>[]>, maxBatch = DEFAULT_MAX_BATCH) {
    if (!(Number.isSafeInteger(maxBatch) && maxBatch > 0))
      throw new RangeError('maxBatch must be a whole number, 1 or more');
    this.#run = run;
    this.#maxBatch = maxBatch;
  }

  submit(key: string, job: Job): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const queue = this.#queues.get(key);
      if (queue) {
        queue.push({ job, resolve, reject });
        return;
      }
      this.#queues.set(key, []);
      void this.#drain(key, [{ job, resolve, reject }]);
    });
  }

  /** Runs `batch`, then what queued for `key` meanwhile, until nothing is left. */
  async #drain(key: string, first: Waiting<Job, Result>[]): Promise<void> {
    let batch = first;
    while (batch.length > 0) {
      await this.#runBatch(key, batch);
      const queue = this.#queues.get(key) ?? [];
      batch = queue.splice(0, this.#maxBatch);
    }
    this.#queues.delete(key);
  }

  async #runBatch(key: string, batch: Waiting<Job, Result>[]): Promise<void> {
    let outcomes: BatchOutcome<Result>[];
    try {
      outcomes = await this.#run(
        key,
        batch.map((waiting) => waiting.job),
      );
      if (outcomes.length !== batch.length) throw new Error('a batch answered another number of outcomes than jobs');
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    batch.forEach((waiting, index) => {
      const outcome = outcomes[index] as BatchOutcome<Result>;
      if (outcome instanceof Error) waiting.reject(outcome);
      else waiting.resolve(outcome);
    });
  }
}
