/** The roles of the hotline's users. A user may hold several. */
export const roles = ['agent', 'supervisor', 'admin', 'department'] as const;
export type Role = (typeof roles)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}
