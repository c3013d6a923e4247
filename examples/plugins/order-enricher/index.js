import { withTotals } from './lib/totals.js';

/**
 * An AutoWeave plugin: the package's main export is a class the hub's plugin
 * host instantiates in the plugin's own process.
 *
 * - processData(order) prices an order: integration.request.execute
 *   {action: 'processData', params: order}, or a pipeline processor
 *   {type: 'plugin', name: '<integration name>'}.
 * - It subscribes to orders.created (declared in package.json
 *   autoweave.subscriptions) and publishes every priced order as
 *   `<namespace>.enriched` (namespace: plugins.<its integration name>).
 */
export default class OrderEnricher {
  /** @param {{eventBus: any, logger: any, config: {taxRate?: number}}} context */
  async initialize({ eventBus, logger, config }) {
    this.eventBus = eventBus;
    this.logger = logger;
    this.taxRate = typeof config.taxRate === 'number' ? config.taxRate : 0;
    this.unsubscribe = await eventBus.subscribe('orders.created', (order) => this.onOrderCreated(order));
    logger.info('order enricher ready', { taxRate: this.taxRate });
  }

  /** An order in, the order with subtotal, tax and total out. */
  async processData(order) {
    return withTotals(order, this.taxRate);
  }

  async onOrderCreated(order) {
    try {
      await this.eventBus.publish(`${this.eventBus.namespace}.enriched`, withTotals(order, this.taxRate));
    } catch (err) {
      this.logger.warn('could not price an order', { error: err.message, id: order?.id });
    }
  }

  async destroy() {
    await this.unsubscribe?.();
    this.logger.info('order enricher stopped');
  }
}
