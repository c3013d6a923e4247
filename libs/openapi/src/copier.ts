import { AppError } from '@autoweave/contracts';
import { publicPointer } from './bundle.js';
import { formatBytes } from './options.js';
import { fragmentToPointer, getAtPointer, isRecord, joinPointer } from './pointer.js';

function childObjects(node: object): object[] {
  const values = Array.isArray(node) ? node : Object.values(node as Record<string, unknown>);
  return values.filter((v): v is object => typeof v === 'object' && v !== null);
}

/**
 * The objects of a (dereferenced) document graph that lie on a cycle: the members of its strongly
 * connected components with more than one object, and objects that contain themselves. Tarjan's
 * algorithm, iterative, linear in the size of the graph.
 */
export function objectsOnCycles(root: unknown): WeakSet<object> {
  const onCycle = new WeakSet<object>();
  if (typeof root !== 'object' || root === null) return onCycle;
  const index = new Map<object, number>();
  const low = new Map<object, number>();
  const onStack = new Set<object>();
  const stack: object[] = [];
  interface Frame {
    node: object;
    children: object[];
    next: number;
  }
  let counter = 0;
  const enter = (node: object): Frame => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    return { node, children: childObjects(node), next: 0 };
  };
  const frames: Frame[] = [enter(root)];
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    if (frame.next < frame.children.length) {
      const child = frame.children[frame.next++]!;
      if (!index.has(child)) frames.push(enter(child));
      else if (onStack.has(child)) {
        low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        if (child === frame.node) onCycle.add(child);
      }
      continue;
    }
    frames.pop();
    const parent = frames[frames.length - 1];
    if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
    if (low.get(frame.node) === index.get(frame.node)) {
      const members: object[] = [];
      let member: object;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        members.push(member);
      } while (member !== frame.node);
      if (members.length > 1) for (const m of members) onCycle.add(m);
    }
  }
  return onCycle;
}

/**
 * Copies values out of a dereferenced (possibly cyclic, possibly shared) document as JSON-safe
 * trees. Objects that are not on a cycle are copied wherever they appear. A shared object on a cycle
 * (a recursive schema: one that `$ref`s pointed to) is copied where it is met first on a path, and
 * every shared object on a cycle met inside that copy becomes `{"$ref": <where it lives in the
 * document>}` (a remote document's location is shown as its URL). So a recursive schema is unrolled
 * once, and a large web of schemas referring to each other gives each operation the outermost
 * schema with its own properties and `$ref`s below, instead of exploding. All copies share a byte
 * budget; going past it is VALIDATION.
 */
export class Copier {
  private homes?: WeakMap<object, string>;
  private shared?: WeakSet<object>;
  private cycles?: WeakSet<object>;
  private spent = 0;
  /** The `$ref`s emitted by copy() (not copyDocument()), with the objects they stand for. */
  private readonly emitted = new Map<string, object>();

  constructor(
    private readonly doc: Record<string, unknown>,
    private readonly externals: ReadonlyMap<string, string>,
    private readonly budget: number,
  ) {}

  copy(value: unknown): unknown {
    return this.copyIn(value, new Set(), false, undefined);
  }

  /**
   * The targets of every `$ref` that copy() has left so far, each copied the same way (so each may
   * hold further `$ref`s, which are in the result too): `$ref` value -> schema.
   */
  referencedSchemas(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (let added = true; added; ) {
      added = false;
      for (const [ref, value] of [...this.emitted]) {
        if (Object.hasOwn(out, ref)) continue;
        out[ref] = this.schema(value);
        added = true;
      }
    }
    return out;
  }

  /** copy() for a schema: anything but an object becomes {}. */
  schema(value: unknown): Record<string, unknown> {
    const copied = this.copy(value);
    return isRecord(copied) ? copied : {};
  }

  /**
   * The whole document as a tree: objects on a cycle are copied at their home (their shortest
   * pointer) and referenced from everywhere else, so that the `$ref`s stay valid in the copy.
   */
  copyDocument(): Record<string, unknown> {
    return this.copyIn(this.doc, new Set(), false, '') as Record<string, unknown>;
  }

  /**
   * Follows `$ref`s into the document itself ("#/components/parameters/x"), for documents that were
   * not dereferenced. Gives up (returning the reference object) after 32 hops or on a missing target.
   */
  follow(value: unknown): unknown {
    let node = value;
    for (let hops = 0; hops < 32 && isRecord(node) && typeof node.$ref === 'string'; hops++) {
      if (!node.$ref.startsWith('#')) return node;
      const pointer = fragmentToPointer(node.$ref);
      const target = pointer === undefined ? undefined : getAtPointer(this.doc, pointer);
      if (target === undefined) return node;
      node = target;
    }
    return node;
  }

  private charge(bytes: number): void {
    this.spent += bytes;
    if (this.spent > this.budget) {
      const message = `the OpenAPI document's operations grow past ${formatBytes(this.budget)} once their $refs are resolved (maxDereferencedBytes)`;
      throw new AppError('VALIDATION', message, { location: '', problems: [{ message, location: '' }] });
    }
  }

  /**
   * @param path the objects being copied above this one (a safety net: nothing repeats on a path)
   * @param inside whether a shared object on a cycle is being copied above this one
   * @param pointer where this value is in the document, when copying the whole document
   */
  private copyIn(value: unknown, path: Set<object>, inside: boolean, pointer: string | undefined): unknown {
    if (typeof value !== 'object' || value === null) {
      this.charge(typeof value === 'string' ? value.length + 2 : 6);
      return value;
    }
    this.analyse();
    let within = inside;
    if (this.cycles!.has(value)) {
      const home = this.homes!.get(value);
      const isShared = this.shared!.has(value);
      const cut = path.has(value) || (pointer === undefined ? isShared && inside : home !== pointer);
      if (cut) {
        this.charge(32);
        const ref = this.refText(home);
        if (pointer === undefined) this.emitted.set(ref, value);
        return { $ref: ref };
      }
      within ||= isShared;
    }
    path.add(value);
    this.charge(2);
    let out: unknown;
    if (Array.isArray(value)) {
      out = value.map((item, i) => this.copyIn(item, path, within, pointer === undefined ? undefined : joinPointer(pointer, i)));
    } else {
      const rec: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (item === undefined) continue;
        this.charge(key.length + 4);
        rec[key] = this.copyIn(item, path, within, pointer === undefined ? undefined : joinPointer(pointer, key));
      }
      out = rec;
    }
    path.delete(value);
    return out;
  }

  /**
   * Once per document: each object's home (where it first appears, breadth first, so its shortest
   * pointer), which objects are shared (reached from more than one place, or the document itself),
   * and which lie on a cycle.
   */
  private analyse(): void {
    if (this.homes) return;
    const homes = new WeakMap<object, string>();
    const shared = new WeakSet<object>([this.doc]);
    const queue: Array<[unknown, string]> = [[this.doc, '']];
    for (let i = 0; i < queue.length; i++) {
      const [node, pointer] = queue[i]!;
      if (typeof node !== 'object' || node === null) continue;
      if (homes.has(node)) {
        shared.add(node);
        continue;
      }
      homes.set(node, pointer);
      if (Array.isArray(node)) node.forEach((item, j) => queue.push([item, joinPointer(pointer, j)]));
      else for (const [key, item] of Object.entries(node as Record<string, unknown>)) queue.push([item, joinPointer(pointer, key)]);
    }
    this.homes = homes;
    this.shared = shared;
    this.cycles = objectsOnCycles(this.doc);
  }

  private refText(home: string | undefined): string {
    if (home === undefined) return '#';
    const shown = publicPointer(home, this.externals);
    return shown === home ? '#' + home : shown;
  }
}
