import { createHash, randomBytes } from 'node:crypto';
import { InvexError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Database, Queryable } from '../db/index.ts';
import type { Principal, Role } from './permissions.ts';
import {
  countTokens,
  findActiveTokenByHash,
  insertToken,
  revokeToken,
  type TokenRecord,
  touchToken,
} from './token.repository.ts';

const PREFIX = 'invex_';

/**
 * Tokens are 256 random bits, shown once and stored as their SHA-256. A slow password
 * hash adds nothing for secrets with this much entropy, and would cost every request.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface IssuedToken {
  id: string;
  name: string;
  role: Role;
  /** The secret: shown once, never stored. */
  token: string;
}

export async function createToken(
  db: Queryable,
  name: string,
  role: Role,
  createdBy: string,
): Promise<IssuedToken> {
  const id = newId('tok');
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  await insertToken(db, { id, name, role, hash: hashToken(token), createdBy });
  return { id, name, role, token };
}

/** The principal a bearer token stands for, or a typed error saying why not. */
export async function authenticate(db: Queryable, header: string | undefined): Promise<Principal> {
  if (!header) {
    throw new InvexError(
      'unauthenticated',
      'token_missing',
      'this route needs an Authorization: Bearer <token> header',
    );
  }
  const token = /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
  if (!token?.startsWith(PREFIX) || token.length > 200) {
    throw new InvexError(
      'unauthenticated',
      'token_invalid',
      'the Authorization header must be "Bearer invex_…"',
    );
  }
  const record = await findActiveTokenByHash(db, hashToken(token));
  if (!record) throw new InvexError('unauthenticated', 'token_invalid', 'the token is unknown or revoked');
  await touchToken(db, record.id);
  return { id: record.id, name: record.name, role: record.role };
}

/**
 * On first start there is no token at all: create the first admin token so that the
 * operator can get in. Returns it (to print once) or undefined when tokens exist.
 */
export async function ensureBootstrapToken(db: Database): Promise<IssuedToken | undefined> {
  return db.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext('invex:bootstrap-token'))`);
    if ((await countTokens(tx)) > 0) return undefined;
    return createToken(tx, 'admin', 'admin', 'bootstrap');
  });
}

export async function revoke(db: Queryable, id: string): Promise<TokenRecord> {
  const record = await revokeToken(db, id);
  if (!record) throw new InvexError('not_found', 'token_not_found', `token ${id} does not exist`, { id });
  return record;
}
