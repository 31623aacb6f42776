// "Sign in with Microsoft / Google / <name>" buttons for the console's sign-in page: plain links
// to /auth/{provider}/start (GET; the flow is bound to this browser by a cookie there).
import type { JSX } from 'preact';

export interface SsoButton {
  readonly kind: string;
  readonly label: string;
}

export function SsoButtons({ providers, next }: { providers: readonly SsoButton[]; next: string }): JSX.Element | null {
  if (providers.length === 0) return null;
  return (
    <div class="stack" aria-label="Single sign-on">
      {providers.map((p) => (
        <a key={p.kind} class="btn secondary block" href={`/auth/${encodeURIComponent(p.kind)}/start${next ? `?next=${encodeURIComponent(next)}` : ''}`}>
          Sign in with {p.label}
        </a>
      ))}
      <p class="muted small">Or, with a WiggleDesk console password:</p>
    </div>
  );
}
