/**
 * The plugin's domain logic, kept apart from the plugin interface so it can be
 * tested (and reused) on its own.
 */

/** Rounds a money amount to cents. */
export function cents(amount) {
  return Math.round(amount * 100) / 100;
}

/**
 * An order with its totals: subtotal of the lines, tax at `taxRate`, total.
 * Throws a TypeError naming the problem for an order it cannot price.
 */
export function withTotals(order, taxRate) {
  if (typeof order !== 'object' || order === null || !Array.isArray(order.lines)) {
    throw new TypeError('an order needs a lines array');
  }
  const subtotal = order.lines.reduce((sum, line, i) => {
    if (typeof line.price !== 'number' || typeof line.quantity !== 'number') {
      throw new TypeError(`lines[${i}] needs a numeric price and quantity`);
    }
    return sum + line.price * line.quantity;
  }, 0);
  const tax = cents(subtotal * taxRate);
  return { ...order, subtotal: cents(subtotal), tax, total: cents(subtotal + tax) };
}
