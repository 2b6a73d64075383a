/** The signup and login forms. Values the user typed come back escaped by JSX; passwords never do. */
import type { Config } from '../../config.ts';
import { PASSWORD_MAX, PASSWORD_MIN } from '../../domain/user.ts';
import { CSRF_FIELD } from '../middleware/auth.ts';
import { Layout } from './layout.tsx';

export interface FormError {
  message: string;
  /** The field at fault, marked aria-invalid and focused first by assistive tech. */
  field?: string;
}

function ErrorBox({ error }: { error?: FormError }) {
  if (!error) return null;
  return (
    <p class="form-error" role="alert" id="form-error">
      {error.message}
    </p>
  );
}

/** aria attributes for a field, pointing at the error message when the field is at fault. */
function invalid(error: FormError | undefined, field: string) {
  return error?.field === field ? { 'aria-invalid': 'true', 'aria-describedby': 'form-error' } : {};
}

export function SignupPage({ config, csrf, username = '', email = '', error }: { config: Config; csrf: string; username?: string; email?: string; error?: FormError }) {
  return (
    <Layout config={config} meta={{ title: 'Sign up', noindex: true, canonicalPath: '/signup' }}>
      <section class="auth-card" aria-labelledby="signup-title">
        <h1 id="signup-title">Create your account</h1>
        <ErrorBox error={error} />
        <form class="stack-form" method="post" action="/signup">
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          <label for="username">Username</label>
          <input
            id="username"
            name="username"
            value={username}
            required
            minlength={2}
            maxlength={32}
            pattern="[A-Za-z0-9_\-]{2,32}"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            {...invalid(error, 'username')}
          />
          <p class="hint">2–32 letters, digits, “_” or “-”. Shown publicly with your submissions and comments.</p>
          <label for="email">Email</label>
          <input id="email" name="email" type="email" value={email} required maxlength={254} autocomplete="email" {...invalid(error, 'email')} />
          <p class="hint">Never shown to other people.</p>
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            required
            minlength={PASSWORD_MIN}
            maxlength={PASSWORD_MAX}
            autocomplete="new-password"
            {...invalid(error, 'password')}
          />
          <p class="hint">At least {PASSWORD_MIN} characters. A passphrase of a few words is good.</p>
          <button type="submit">Sign up</button>
        </form>
        <p>
          Already have an account? <a href="/login">Log in</a>
        </p>
      </section>
    </Layout>
  );
}

export function LoginPage({ config, csrf, login = '', next, error }: { config: Config; csrf: string; login?: string; next: string | null; error?: FormError }) {
  return (
    <Layout config={config} meta={{ title: 'Log in', noindex: true, canonicalPath: '/login' }}>
      <section class="auth-card" aria-labelledby="login-title">
        <h1 id="login-title">Log in</h1>
        <ErrorBox error={error} />
        <form class="stack-form" method="post" action="/login">
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          {next ? <input type="hidden" name="next" value={next} /> : null}
          <label for="login">Username or email</label>
          <input id="login" name="login" value={login} required maxlength={254} autocomplete="username" autocapitalize="none" spellcheck={false} {...invalid(error, 'login')} />
          <label for="password">Password</label>
          <input id="password" name="password" type="password" required maxlength={PASSWORD_MAX} autocomplete="current-password" {...invalid(error, 'password')} />
          <button type="submit">Log in</button>
        </form>
        <p>
          New here? <a href="/signup">Create an account</a>
        </p>
      </section>
    </Layout>
  );
}
