export {
  authorize,
  type Decision,
  PERMISSIONS,
  type Permission,
  type Principal,
  permissionsOf,
  ROLES,
  type Role,
} from './permissions.ts';
export { listTokens, revokeTokensNamed, type TokenRecord } from './token.repository.ts';
export {
  authenticate,
  createToken,
  ensureBootstrapToken,
  hashToken,
  type IssuedToken,
  revoke,
} from './token.service.ts';
