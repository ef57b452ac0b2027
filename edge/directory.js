// Which usernames have an account, sharded by user: a fixed number of Directory objects
// (DIRECTORY_SHARDS), each holding the names whose SHA-256 falls into it. The worker asks the
// shard before it reaches a user's object, so a login, a removal code or a sign-up attempt for
// an unknown name never creates that user's object: workerd creates a SQLite file for every
// object a request reaches, even one that only reads (checked: 3 objects that touched no storage
// left 3 files, also after a restart), and on Cloudflare each is a billed object. Strangers can
// at most wake the shards, whose number is fixed. No single object sees every login (the
// bottleneck Cloudflare's documentation warns against): each shard sees 1/DIRECTORY_SHARDS.

import { DurableObject } from 'cloudflare:workers';
import { DIRECTORY_SHARDS } from './settings.js';

export class Directory extends DurableObject {
  /** Whether `username` has an account. */
  async exists(username) {
    return (await this.ctx.storage.get(`user:${username}`)) !== undefined;
  }

  /**
   * Records `username` before its sign-up reaches the user's object, which decides whether the
   * name is taken. A sign-up that crashed in between leaves a name with no account: its login is
   * a wrong password, and signing up again completes it.
   */
  async add(username, t) {
    const key = `user:${username}`;
    if ((await this.ctx.storage.get(key)) === undefined) await this.ctx.storage.put(key, { created: t });
  }

  /** Forgets `username` (account deleted, or a sign-up that did not complete). */
  async release(username) {
    await this.ctx.storage.delete(`user:${username}`);
  }
}

/** The shard of a username: the first byte of its SHA-256, modulo the shard count. */
export async function shardOf(username) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`dir:${username}`)));
  return digest[0] % DIRECTORY_SHARDS;
}

/** The Directory object that knows `username`. */
export async function directoryOf(env, username) {
  return env.DIRECTORY.get(env.DIRECTORY.idFromName(`shard-${await shardOf(username)}`));
}
