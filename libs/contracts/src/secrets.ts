/** What every read shows in place of a secret value. */
export const SECRET_MASK = '***';
