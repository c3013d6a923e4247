/** The standard labels of every generated object, and the selector of the pods. */
export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';

export const PART_OF = 'autoweave';
export const MANAGED_BY = 'autoweave-agent-adapter';
/** app.kubernetes.io/component of integration workloads; NetworkPolicies never admit these as "platform" pods. */
export const COMPONENT_INTEGRATION = 'integration';

/** Label keys the generator owns; deploy.labels may not set them. */
export const RESERVED_LABEL_KEYS: readonly string[] = [LABEL_NAME, LABEL_INSTANCE, LABEL_COMPONENT, LABEL_PART_OF, LABEL_MANAGED_BY];

export interface NameSet {
  /** Base object name (k8sName of the integration name). */
  name: string;
  /** app.kubernetes.io/instance value. */
  instance: string;
}

/** Pod selector: {name, instance}; the pod template carries these labels (and the others). */
export function selectorLabels(n: NameSet): Record<string, string> {
  return { [LABEL_NAME]: n.name, [LABEL_INSTANCE]: n.instance };
}

/** The standard labels in a fixed order, then deploy.labels sorted by key. */
export function standardLabels(n: NameSet, extra: Record<string, string> = {}): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_NAME]: n.name,
    [LABEL_INSTANCE]: n.instance,
    [LABEL_COMPONENT]: COMPONENT_INTEGRATION,
    [LABEL_PART_OF]: PART_OF,
    [LABEL_MANAGED_BY]: MANAGED_BY,
  };
  for (const key of Object.keys(extra).sort()) labels[key] = extra[key]!;
  return labels;
}
