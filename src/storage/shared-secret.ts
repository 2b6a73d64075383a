import crypto from 'node:crypto';
import type { Config } from '../config.ts';
import type { Db } from './db.ts';

/**
 * Fills in the signing secret (CSRF tokens, unsubscribe and confirmation links) from the database
 * when the configuration has none, which is the PostgreSQL case without SECRET: the first process
 * to start generates it, and every `serve` and `worker` process after it reads the same one, so a
 * form rendered by one instance posts to another and a worker's links work on every instance.
 */
export async function withSharedSecret(config: Config, db: Db): Promise<Config> {
  if (config.secret) return config;
  const fresh = crypto.randomBytes(32).toString('base64url');
  await db.kysely.insertInto('settings').values({ key: 'secret', value: fresh }).onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.kysely.selectFrom('settings').select('value').where('key', '=', 'secret').executeTakeFirstOrThrow();
  return { ...config, secret: row.value };
}
