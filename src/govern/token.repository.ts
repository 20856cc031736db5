import { type Queryable, utcText } from '../db/index.ts';
import type { Role } from './permissions.ts';

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const COLUMNS = `id, name, role, ${utcText('created_at')} as created_at, created_by,
  ${utcText('last_used_at')} as last_used_at, ${utcText('revoked_at')} as revoked_at`;

export async function insertToken(
  db: Queryable,
  token: { id: string; name: string; role: Role; hash: string; createdBy: string },
): Promise<void> {
  await db.query(
    'insert into api_tokens (id, name, role, token_hash, created_by) values ($1, $2, $3, $4, $5)',
    [token.id, token.name, token.role, token.hash, token.createdBy],
  );
}

export async function findActiveTokenByHash(db: Queryable, hash: string): Promise<TokenRecord | undefined> {
  const { rows } = await db.query<TokenRecord>(
    `select ${COLUMNS} from api_tokens where token_hash = $1 and revoked_at is null`,
    [hash],
  );
  return rows[0];
}

export async function touchToken(db: Queryable, id: string): Promise<void> {
  // At most one write a minute per token: the last-used time is for people, not accounting.
  await db.query(
    `update api_tokens set last_used_at = now()
     where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
    [id],
  );
}

export async function listTokens(
  db: Queryable,
  page: { after?: string; limit?: number } = {},
): Promise<TokenRecord[]> {
  const { rows } = await db.query<TokenRecord>(
    `select ${COLUMNS} from api_tokens where ($1::text is null or id > $1) order by id limit $2`,
    [page.after ?? null, page.limit ?? 10_000],
  );
  return rows;
}

export async function revokeToken(db: Queryable, id: string): Promise<TokenRecord | undefined> {
  const { rows } = await db.query<TokenRecord>(
    `update api_tokens set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${COLUMNS}`,
    [id],
  );
  return rows[0];
}

export async function revokeTokensNamed(db: Queryable, name: string): Promise<number> {
  const { rowCount } = await db.query(
    'update api_tokens set revoked_at = now() where name = $1 and revoked_at is null',
    [name],
  );
  return rowCount ?? 0;
}

/** All tokens ever issued, revoked ones included: the first start is the one with none. */
export async function countTokens(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int8 as n from api_tokens');
  return rows[0]?.n ?? 0;
}
