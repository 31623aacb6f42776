// "Sign in with Microsoft / Google / <name>" buttons for the console's sign-in page: plain links
// to /auth/{provider}/start (GET; the flow is bound to this browser by a cookie there).
// Microsoft's follows its branding guidelines for the App Gallery ("Sign in with Microsoft",
// the four-square logo, light theme: white, #8C8C8C border, #5E5E5E Segoe UI text; styles in
// console-css .btn-ms, since the console's CSP allows no inline styles).
import type { JSX } from 'preact';

export interface SsoButton {
  readonly kind: string;
  readonly label: string;
  /** Where the button goes, when not /auth/<kind>/start (an organisation's own provider). */
  readonly href?: string | undefined;
}

/** Microsoft's logo: four squares, 21×21, in its four brand colours. */
export function MicrosoftLogo(): JSX.Element {
  return (
    <svg xmlns="http://www.w3.org/2000/svg" width="21" height="21" viewBox="0 0 21 21" aria-hidden="true" focusable="false">
      <rect x="1" y="1" width="9" height="9" fill="#f25022" />
      <rect x="11" y="1" width="9" height="9" fill="#7fba00" />
      <rect x="1" y="11" width="9" height="9" fill="#00a4ef" />
      <rect x="11" y="11" width="9" height="9" fill="#ffb900" />
    </svg>
  );
}

export function SsoButtons({ providers, next }: { providers: readonly SsoButton[]; next: string }): JSX.Element | null {
  if (providers.length === 0) return null;
  const href = (kind: string) => `/auth/${encodeURIComponent(kind)}/start${next ? `?next=${encodeURIComponent(next)}` : ''}`;
  return (
    <div class="stack" aria-label="Single sign-on">
      {providers.map((p) =>
        p.kind === 'microsoft' ? (
          <a key={p.kind} class="btn-ms" href={href(p.kind)}>
            <MicrosoftLogo />
            <span>{'Sign in with Microsoft'}</span>
          </a>
        ) : (
          <a key={p.kind} class="btn secondary block" href={p.href ?? href(p.kind)}>
            Sign in with {p.label}
          </a>
        ),
      )}
      <p class="muted small">Or, with a WiggleDesk console password:</p>
    </div>
  );
}
