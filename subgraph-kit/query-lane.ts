/**
 * A lane for one costly kind of hand-written read: at most `running` at once, `waiting` more queued
 * (each for up to `maxWaitMs`), any more refused SUBGRAPH_BUSY at once. The analysis reads run on the
 * driver itself, outside the generated queries' slots (operation-bounds.ts): ten of the widest
 * departmentMatrix at once, each up to 25 s of Neo4j's time, ran side by side while other clients waited.
 */
import { SubgraphBusyError } from "./operation-bounds.js";

export interface QueryLaneOptions {
  running: number;
  waiting: number;
  maxWaitMs: number;
}

export class QueryLane {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  private readonly name: string;
  private readonly options: QueryLaneOptions;
  constructor(name: string, options: QueryLaneOptions) {
    this.name = name;
    this.options = options;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.enter();
    try {
      return await work();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }

  private async enter(): Promise<void> {
    if (this.running < this.options.running) {
      this.running++;
      return;
    }
    if (this.queue.length >= this.options.waiting) throw new SubgraphBusyError(`${this.running} ${this.name} running and ${this.queue.length} waiting`);
    await new Promise<void>((start, refuse) => {
      const begin = () => {
        clearTimeout(timer);
        this.running++;
        start();
      };
      const timer = setTimeout(() => {
        this.queue.splice(this.queue.indexOf(begin), 1);
        refuse(new SubgraphBusyError(`no ${this.name} slot within ${this.options.maxWaitMs} ms`));
      }, this.options.maxWaitMs);
      this.queue.push(begin);
    });
  }
}
