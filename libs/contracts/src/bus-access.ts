import {
  AGENT,
  BUCKETS,
  DISCOVERY,
  INTEGRATION_ADMIN,
  INTEGRATION_EVENTS,
  INTEGRATION_REQUEST,
  PING,
  PIPELINE_ADMIN,
  PIPELINE_EVENTS,
  SEARCH,
  SERVICE_EVENTS,
  STREAMS,
  subjectFilter,
  subjectFor,
  WEBHOOK_ADMIN,
  type BucketName,
} from './subjects.js';
import { LIVE_TOPIC_FAMILIES } from './live-topics.js';

/**
 * Who may do what on the bus: the one source the NATS users and their
 * permissions are generated from (libs/messaging `natsAuthorization`), so the
 * subject catalogue and the permissions cannot drift apart. A subject a
 * service uses but is not granted here is refused by the server, which the
 * end-to-end suite turns into a failure.
 */

/**
 * `read`: get, watch and consume (and create it when absent, with the code's
 * settings). `write`: also change its settings, purge and delete messages;
 * for a bucket, put and delete keys. Publishing into a stream is a subject
 * permission (`publishes`), so an appender needs only `read`.
 */
export type StoreAccess = 'read' | 'write';

export interface BusGrant {
  /** Subjects it answers, requests or events (it subscribes, in its queue group). */
  serves: readonly string[];
  /** Subjects it sends requests to. */
  calls: readonly string[];
  /** Subjects it publishes on, including those a stream captures. */
  publishes: readonly string[];
  /** Subjects it listens to besides what it serves. */
  subscribes: readonly string[];
  /** JetStream streams it uses directly (consumers, message reads). */
  streams: Readonly<Record<string, StoreAccess>>;
  /** JetStream KV buckets it reads or writes. */
  buckets: Readonly<Partial<Record<BucketName, StoreAccess>>>;
}

/** Every `subjectFor` shape with `*` for each parameter token (and `>` for a dotted topic). */
const ANY = '__any__';
const REST = '__rest__';
const wild = (subject: string): string => subject.replaceAll(ANY, '*').replaceAll(REST, '>');

export const SUBJECT_PATTERNS = {
  events: subjectFilter.events('>'),
  integrationRequest: wild(subjectFor.integrationRequest(ANY)),
  integrationError: wild(subjectFor.integrationError(ANY)),
  integrationLog: wild(subjectFor.integrationLog(ANY)),
  webhookIn: wild(subjectFor.webhookIn(ANY, REST)),
  webhookDelivery: wild(subjectFor.webhookDelivery(ANY, 'dead')).replace(/dead$/, '*'),
  webhookDeadLetter: wild(subjectFor.webhookDeadLetter(ANY)),
  pipelineDeadLetter: wild(subjectFor.pipelineDeadLetter(ANY)),
  pluginCall: wild(subjectFor.pluginCall(ANY)),
  audit: wild(subjectFor.audit(ANY)),
  /** The NATS services framework's discovery subjects (`$SRV.PING`, `$SRV.INFO.<name>`...). */
  microServices: '$SRV.>',
} as const;

const values = <T extends Record<string, string>>(subjects: T): string[] => Object.values(subjects);
const liveTopics = Object.values(LIVE_TOPIC_FAMILIES).flat();

/** The five services. */
export const SERVICE_GRANTS = {
  discovery: {
    serves: [DISCOVERY.scan, PING.discovery, SERVICE_EVENTS.registered, SERVICE_EVENTS.deregistered],
    calls: [SUBJECT_PATTERNS.microServices],
    publishes: [INTEGRATION_EVENTS.moduleDiscovered],
    subscribes: [],
    streams: {},
    buckets: { [BUCKETS.services]: 'write' },
  },
  hub: {
    serves: [...values(INTEGRATION_ADMIN), INTEGRATION_REQUEST.execute, PING.hub, INTEGRATION_EVENTS.moduleDiscovered, SUBJECT_PATTERNS.pluginCall],
    // Plugin calls go to the hub replica that runs the plugin.
    calls: [SUBJECT_PATTERNS.pluginCall, INTEGRATION_REQUEST.execute],
    publishes: [
      ...values(INTEGRATION_EVENTS),
      SUBJECT_PATTERNS.integrationRequest,
      SUBJECT_PATTERNS.integrationError,
      SUBJECT_PATTERNS.integrationLog,
      // Plugins publish their events through the hub (it confines each to its namespace).
      SUBJECT_PATTERNS.events,
    ],
    subscribes: [INTEGRATION_EVENTS.healthChanged, SUBJECT_PATTERNS.events],
    // It owns EVENTS and INTEGRATION_LOGS: it may update their settings on an upgrade.
    streams: { [STREAMS.events.name]: 'write', [STREAMS.integrationLogs.name]: 'write' },
    buckets: { [BUCKETS.integrations]: 'write', [BUCKETS.healthLeases]: 'write', [BUCKETS.pluginLeases]: 'write' },
  },
  'agent-adapter': {
    serves: [AGENT.generateManifests, AGENT.getManifests, PING.agentAdapter, INTEGRATION_EVENTS.created, INTEGRATION_EVENTS.openapiUpdated],
    calls: [INTEGRATION_ADMIN.get],
    publishes: [AGENT.manifestsGenerated],
    subscribes: [],
    streams: {},
    buckets: { [BUCKETS.manifests]: 'write' },
  },
  'webhook-gateway': {
    serves: [...values(WEBHOOK_ADMIN), PING.webhookGateway, INTEGRATION_EVENTS.created, INTEGRATION_EVENTS.updated, INTEGRATION_EVENTS.deleted],
    // The HTTP API is the bus's admin verbs behind API keys.
    calls: [
      ...values(INTEGRATION_ADMIN),
      INTEGRATION_REQUEST.execute,
      ...values(PIPELINE_ADMIN),
      ...values(SEARCH),
      AGENT.generateManifests,
      AGENT.getManifests,
      ...values(WEBHOOK_ADMIN),
    ],
    publishes: [
      SERVICE_EVENTS.registered,
      INTEGRATION_EVENTS.healthChanged,
      SUBJECT_PATTERNS.events,
      SUBJECT_PATTERNS.webhookIn,
      SUBJECT_PATTERNS.webhookDelivery,
      SUBJECT_PATTERNS.webhookDeadLetter,
      SUBJECT_PATTERNS.audit,
    ],
    // `/ws` relays these to browsers.
    subscribes: liveTopics,
    streams: {
      [STREAMS.events.name]: 'read',
      // It widens WEBHOOKS_IN's duplicate window to the signature tolerance.
      [STREAMS.webhooksIn.name]: 'write',
      [STREAMS.deliveries.name]: 'read',
      [STREAMS.webhookDlq.name]: 'read',
      // Append-only for it: the audit log outlives a stolen gateway key (only the admin may purge it).
      [STREAMS.audit.name]: 'read',
    },
    buckets: { [BUCKETS.apiKeys]: 'write', [BUCKETS.integrations]: 'read' },
  },
  'pipeline-worker': {
    serves: [...values(PIPELINE_ADMIN), ...values(SEARCH), INTEGRATION_ADMIN.sync, PING.pipelineWorker],
    // Pipelines read and write integrations through the hub.
    calls: [INTEGRATION_REQUEST.execute, INTEGRATION_ADMIN.get, INTEGRATION_ADMIN.list],
    // The `nats` destination writes user events; nothing else.
    publishes: [...values(PIPELINE_EVENTS), SUBJECT_PATTERNS.pipelineDeadLetter, SUBJECT_PATTERNS.events],
    subscribes: [SUBJECT_PATTERNS.events],
    // The `nats` source reads user events and inbound webhooks.
    streams: { [STREAMS.events.name]: 'read', [STREAMS.pipelineDlq.name]: 'write', [STREAMS.webhooksIn.name]: 'read' },
    buckets: {
      [BUCKETS.pipelines]: 'write',
      [BUCKETS.pipelineCursors]: 'write',
      [BUCKETS.pipelineLeases]: 'write',
      [BUCKETS.integrations]: 'read',
    },
  },
} as const satisfies Record<string, BusGrant>;

export type ServiceUser = keyof typeof SERVICE_GRANTS;

/**
 * Clients that are not AutoWeave services. `app`: a team's service using the
 * integrations (calls them, publishes and reads user events, announces itself,
 * answers as a NATS micro service). `admin`: operators' tools and the tests.
 */
export const CLIENT_GRANTS = {
  app: {
    serves: [SUBJECT_PATTERNS.microServices],
    calls: [INTEGRATION_REQUEST.execute],
    publishes: [SERVICE_EVENTS.registered, SERVICE_EVENTS.deregistered, SUBJECT_PATTERNS.events],
    subscribes: [SUBJECT_PATTERNS.events, ...values(INTEGRATION_EVENTS), ...values(PIPELINE_EVENTS)],
    streams: { [STREAMS.events.name]: 'read' },
    buckets: {},
  },
} as const satisfies Record<string, BusGrant>;

export const BUS_GRANTS: Readonly<Record<ServiceUser | keyof typeof CLIENT_GRANTS, BusGrant>> = { ...SERVICE_GRANTS, ...CLIENT_GRANTS };

/** The user with every permission: operators' tools (backup, the `nats` CLI) and the tests' own client. */
export const ADMIN_USER = 'admin';

export type BusUser = keyof typeof BUS_GRANTS;
