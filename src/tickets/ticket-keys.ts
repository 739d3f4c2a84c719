/** The store keys of tickets, ratings and the knowledge base (logical keys; the store adds the prefix). */

export const ticketKeys = {
  ticket: (id: string) => `ticket:${id}`,
  audit: (id: string) => `ticket-audit:${id}`,
  /** Sorted set: ticket ids by creation time. */
  all: 'tickets:all',
  /** Sorted set per caller phone: ticket ids by creation time. */
  byPhone: (phone: string) => `tickets:by-phone:${phone}`,
  /** Sorted set: `<ticketId>|<kind>|<generation>` by fire time. */
  timers: 'tickets:timers',
  /** Sorted set: ticket ids awaiting a callback, by due time. */
  callbacks: 'tickets:callbacks',
  config: 'tickets:config',
  rating: (callId: string) => `call-rating:${callId}`,
  ratingsByAgent: (agent: string) => `call-ratings:by-agent:${agent}`,
  ratingsByPhone: (phone: string) => `call-ratings:by-phone:${phone}`,
  kbArticle: (id: string) => `kb:article:${id}`,
  kbVersion: (id: string, version: number) => `kb:article:${id}:v${version}`,
  kbIndex: 'kb:articles',
  kbRevision: 'kb:revision',
} as const;

/** Normalizes a phone number (digits, optional leading +) or returns null when it is not one. */
export function normalizePhone(value: string): string | null {
  const compact = value.replace(/[\s()-]/g, '');
  return /^\+?\d{3,20}$/.test(compact) ? compact : null;
}
