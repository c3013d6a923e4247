import type { Item, ProcessorContext, ProcessorFn, ProcessorResult } from '@autoweave/storage';

/** One processor of a run, ready to call. */
export interface ChainStage {
  type: string;
  fn: ProcessorFn;
  context: ProcessorContext;
}

/** An item that threw in a processor: goes to the dead-letter stream. */
export interface ItemFailure {
  /** The item as the source read it (a retry starts from it). */
  item: Item;
  stage: number;
  processor: string;
  error: string;
}

export interface ChainResult {
  items: Item[];
  failures: ItemFailure[];
  /** Items (or their pieces) a processor dropped, by stage index. */
  dropped: number[];
  /** Items out of each stage, by stage index. */
  passed: number[];
}

/** Longest error text kept in a dead letter. */
const MAX_ERROR_LENGTH = 2000;

/** An item on its way through the stages, with the index of the source item it came from. */
interface InFlight {
  item: Item;
  origin: number;
}

/**
 * Runs the processors of a pipeline over a batch, stage by stage: each stage
 * is called for every item in order, and calls that return promises run
 * concurrently (so an `embed` processor can send one request for the whole
 * batch). A processor may return the item, several items (each goes on
 * through the later stages) or null (dropped). A source item that throws
 * anywhere fails as a whole: none of its pieces is written. Synchronous
 * processors are not awaited (no promise per item when none is needed).
 * Output keeps the source order.
 */
export class ItemChain {
  constructor(private readonly stages: readonly ChainStage[]) {}

  get empty(): boolean {
    return this.stages.length === 0;
  }

  async run(batch: readonly Item[]): Promise<ChainResult> {
    const dropped = this.stages.map(() => 0);
    const passed = this.stages.map(() => 0);
    if (this.stages.length === 0) return { items: batch as Item[], failures: [], dropped, passed };
    const failures = new Map<number, ItemFailure>();
    const fail = (origin: number, stage: number, err: unknown): void => {
      if (!failures.has(origin)) failures.set(origin, { item: batch[origin]!, stage, processor: this.stages[stage]!.type, error: errorText(err) });
    };
    let current: InFlight[] = batch.map((item, origin) => ({ item, origin }));
    for (let stage = 0; stage < this.stages.length && current.length > 0; stage++) {
      const { fn, context } = this.stages[stage]!;
      const results: Array<ProcessorResult | Promise<ProcessorResult> | typeof FAILED> = current.map(({ item, origin }) => {
        try {
          return fn(item, context);
        } catch (err) {
          fail(origin, stage, err);
          return FAILED;
        }
      });
      if (results.some(isPromise)) {
        const settled = await Promise.allSettled(results);
        settled.forEach((outcome, i) => {
          if (outcome.status === 'fulfilled') results[i] = outcome.value;
          else {
            fail(current[i]!.origin, stage, outcome.reason);
            results[i] = FAILED;
          }
        });
      }
      const next: InFlight[] = [];
      results.forEach((result, i) => {
        const { origin } = current[i]!;
        if (result === FAILED || failures.has(origin)) return;
        if (result === null || result === undefined) dropped[stage]!++;
        else if (Array.isArray(result)) for (const item of result) next.push({ item, origin });
        else next.push({ item: result as Item, origin });
      });
      passed[stage] = next.length;
      current = next;
    }
    const items = failures.size === 0 ? current.map((f) => f.item) : current.filter((f) => !failures.has(f.origin)).map((f) => f.item);
    return { items, failures: [...failures.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f), dropped, passed };
  }
}

const FAILED = Symbol('failed');

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}...` : text;
}
