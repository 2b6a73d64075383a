/** `/settings`: the account, its personal API tokens, and (later) the email digest. */
import type { Config } from '../../config.ts';
import type { User } from '../../domain/user.ts';
import { CSRF_FIELD } from '../middleware/auth.ts';
import { Layout } from './layout.tsx';
import { When } from './account-profile.tsx';
import type { FormError } from './account-forms.tsx';

export interface TokenRow {
  id: number;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SettingsProps {
  config: Config;
  user: User;
  csrf: string;
  tokens: TokenRow[];
  /** A token just created: the only time its secret is ever shown. */
  newToken?: { name: string; token: string };
  /** The name typed into the create form, kept when it was rejected. */
  tokenName?: string;
  error?: FormError;
  notice?: string;
}

export function SettingsPage({ config, user, csrf, tokens, newToken, tokenName = '', error, notice }: SettingsProps) {
  return (
    <Layout config={config} meta={{ title: 'Settings', noindex: true }}>
      <div class="page-head">
        <h1>Settings</h1>
      </div>

      <section class="panel" aria-labelledby="account-title">
        <h2 id="account-title">Account</h2>
        <dl class="facts">
          <dt>Username</dt>
          <dd>
            <a href={`/u/${encodeURIComponent(user.username)}`}>{user.username}</a>
          </dd>
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Role</dt>
          <dd>{user.role}</dd>
          <dt>Joined</dt>
          <dd>
            <When iso={user.createdAt} />
          </dd>
          {user.bannedAt ? (
            <>
              <dt>Status</dt>
              <dd>Suspended: you can read, but not vote, submit or comment.</dd>
            </>
          ) : null}
        </dl>
      </section>

      <section class="panel" id="tokens" aria-labelledby="tokens-title">
        <h2 id="tokens-title">API tokens</h2>
        <p class="page-sub">
          Personal tokens let scripts submit, upvote and comment as you through the JSON API, sent as <code>Authorization: Bearer &lt;token&gt;</code>.
          Only a hash is stored; revoke a token as soon as you no longer need it.
        </p>
        {notice ? (
          <p class="form-ok" role="status">
            {notice}
          </p>
        ) : null}
        {newToken ? (
          <div class="new-token" role="status" aria-labelledby="new-token-title">
            <strong id="new-token-title">New token “{newToken.name}”</strong>
            <pre>
              <code id="new-token">{newToken.token}</code>
            </pre>
            <p class="hint">Copy it now: it is shown only this once. Example:</p>
            <pre>
              <code>{`curl -X POST -H "Authorization: Bearer ${newToken.token}" ${config.baseUrl}/api/papers/<id>/upvote`}</code>
            </pre>
          </div>
        ) : null}
        {error ? (
          <p class="form-error" role="alert" id="form-error">
            {error.message}
          </p>
        ) : null}
        {tokens.length === 0 ? (
          <p>You have no API tokens.</p>
        ) : (
          <div class="table-scroll">
            <table class="tokens">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <tr>
                    <td>{t.name}</td>
                    <td>
                      <When iso={t.created_at} />
                    </td>
                    <td>
                      <When iso={t.last_used_at} />
                    </td>
                    <td>
                      {t.revoked_at ? (
                        <>
                          Revoked <When iso={t.revoked_at} />
                        </>
                      ) : (
                        <form class="inline-form" method="post" action={`/settings/tokens/${t.id}/revoke`}>
                          <input type="hidden" name={CSRF_FIELD} value={csrf} />
                          <button type="submit" class="danger-button" aria-label={`Revoke token ${t.name}`}>
                            Revoke
                          </button>
                        </form>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <form class="row-form" method="post" action="/settings/tokens">
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          <label for="token-name">New token name</label>
          <input
            id="token-name"
            name="name"
            value={tokenName}
            required
            maxlength={64}
            placeholder="e.g. my-script"
            {...(error ? { 'aria-invalid': 'true', 'aria-describedby': 'form-error' } : {})}
          />
          <button type="submit">Create token</button>
        </form>
      </section>

      <section class="panel" id="email" aria-labelledby="email-title">
        <h2 id="email-title">Email digest</h2>
        <p>
          Daily or weekly digests of the trending papers: <a href="/subscription">manage your subscription</a>
          (frequency, topics, webhooks) or <a href="/subscribe">subscribe</a> with your account's email.
        </p>
      </section>
    </Layout>
  );
}
