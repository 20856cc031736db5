/**
 * The authorisation seam. Every route and command names the permission it needs; a
 * principal (a person's or an agent's token) holds a role, and a role grants permissions.
 * Finer rules (scopes by location, approval limits) arrive with the governance module and
 * plug in behind `authorize`.
 */
export const PERMISSIONS = [
  'events:write',
  'master:read',
  'master:write',
  'stock:read',
  'lineage:read',
  'dlq:read',
  'dlq:replay',
  'tokens:manage',
  'exceptions:read',
  'detect:run',
  'forecast:read',
  'forecast:write',
  'forecast:promote',
  'plans:read',
  'plans:write',
  'scenarios:run',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['admin', 'integrator', 'planner', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  integrator: [
    'events:write',
    'master:read',
    'master:write',
    'stock:read',
    'lineage:read',
    'dlq:read',
    'dlq:replay',
    'exceptions:read',
    'detect:run',
    'forecast:read',
  ],
  planner: [
    'master:read',
    'stock:read',
    'lineage:read',
    'dlq:read',
    'exceptions:read',
    'forecast:read',
    'forecast:write',
    'forecast:promote',
    'plans:read',
    'plans:write',
    'scenarios:run',
  ],
  viewer: ['master:read', 'stock:read', 'exceptions:read', 'forecast:read', 'plans:read'],
};

export interface Principal {
  /** The token id (`tok_…`): what the audit trail records as the actor. */
  id: string;
  name: string;
  role: Role;
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

export function authorize(principal: Principal, permission: Permission): Decision {
  if (GRANTS[principal.role].includes(permission)) return { allowed: true };
  return {
    allowed: false,
    reason: `${principal.name} (${principal.id}, role ${principal.role}) lacks permission ${permission}`,
  };
}

export function permissionsOf(role: Role): readonly Permission[] {
  return GRANTS[role];
}
