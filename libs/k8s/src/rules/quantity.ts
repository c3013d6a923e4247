/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): a signed decimal number with
 * an optional binary-SI (Ki, Mi, Gi, Ti, Pi, Ei), decimal-SI (n, u, m, k, M, G, T, P, E) or exponent
 * (e3, E-2) suffix. `100m`, `128Mi`, `0.5`, `1e3` are quantities; `abc`, `1.5.0`, `10MB` are not.
 * One definition for the generator and the validator.
 */
const QUANTITY = /^([+-]?(?:\d+|\d+\.\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|(n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The value of a quantity (cores, bytes, ...), or undefined when it is not a quantity. Numbers pass. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = QUANTITY.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2]) return n * BINARY[m[2]]!;
  if (m[3]) return n * DECIMAL[m[3]]!;
  if (m[4]) return n * 10 ** Number(m[4]);
  return n;
}

export function isQuantity(value: unknown): boolean {
  return parseQuantity(value) !== undefined;
}
