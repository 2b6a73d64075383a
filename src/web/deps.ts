import type { Config } from '../config.ts';
import type { Db } from '../storage/db.ts';

/** What every route needs; built once in `createApp`. */
export interface AppDeps {
  db: Db;
  config: Config;
  /** Injectable clock so that tests can pin "today". */
  now: () => Date;
}
